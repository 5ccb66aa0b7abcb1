"""Text as un.org pages give it: decoded whatever their encoding, mojibake mended."""

from __future__ import annotations

import re
from dataclasses import dataclass

import ftfy


def decode_page(body: bytes) -> str:
    """Decode a un.org page: UTF-8 if it is valid, else Windows-1252 (a Latin-1 superset)."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="replace")


def clean_text(text: str) -> str:
    """Collapse whitespace and mend mojibake ("Peopleâs" -> "People's")."""
    if not text.isascii():
        text = ftfy.fix_text(text, normalization="NFC").replace("\u2019", "'")
    return " ".join(text.replace("\xa0", " ").split())


# How the UN's English texts count a vote, in press releases and in the President's words
# in the meeting records: "13 in favour", "10 votes in favour", "2 against (China, Russian
# Federation)", "3 abstentions (...)", "four abstaining", "no abstentions", "none against".
_NUMBER_WORDS = {
    "no": 0, "none": 0, "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15,
}
_COUNT = r"\d{1,2}|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
VOTE_CLAUSE = re.compile(
    rf"\b(?P<count>{_COUNT})\s+(?:votes?\s+|members?\s+)?"
    r"(?P<side>in\s+favou?r|against|abstentions?|abstaining|abstained)\b"
    r"(?:\s*\((?P<names>(?:[^()]|\([^()]*\))*)\))?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class CountedSide:
    """One side of a counted vote: "Y", "N" or "A", its count, and the names given with it."""

    side: str
    count: int
    names: str | None  # the text in parentheses after the count, if any


def vote_counts(sentence: str) -> list[dict[str, CountedSide]]:
    """The votes a sentence counts, each as its sides; a side named again starts the next
    vote ("13 in favour to 1 against ...; 4 in favour to 7 against ...")."""
    votes: list[dict[str, CountedSide]] = []
    for clause in VOTE_CLAUSE.finditer(sentence):
        word = clause.group("side")[:2].lower()
        side = "Y" if word == "in" else "N" if word == "ag" else "A"
        count = clause.group("count")
        number = int(count) if count.isdigit() else _NUMBER_WORDS[count.lower()]
        if not votes or side in votes[-1]:
            votes.append({})
        votes[-1][side] = CountedSide(side, number, clause.group("names"))
    return votes
