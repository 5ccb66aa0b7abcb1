"""Parse a Security Council press release (meetings coverage, ``SC/15648``): pure, bytes in.

A release is the same-day account of a meeting. It gives, for each vote, one sentence with
the count and usually the members against and abstaining by name ("By a vote of 13 in
favour to 1 against (Russian Federation), with 1 abstention (China), the Council then
rejected the draft resolution"), and a summary of what each speaker said ("The
representative of China said ...").

The markup changed over the years (all-caps headlines and a "Department of Public
Information" banner in 2007, a Drupal page today), so the parser reads the text, paragraph
by paragraph, not the layout. It returns what the release says and nothing more: a count
it cannot read whole, or names that do not add up to the count, is a finding, not a guess.
Which members voted in favour when a release names only the others is not the parser's
business (it needs the Council's membership that day: ``council``'s derivation).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from bs4 import BeautifulSoup

from council.dates import parse_day_month_year
from council.members import split_member_names
from council.records import Finding, ParseError, Severity, Tally
from council.roll_calls import SIDE_WORDS
from council.sources import SOURCE_PRESS
from council.symbols import resolution_symbol
from scrapers.text import VOTE_CLAUSE, clean_text, vote_counts

_SYMBOL = re.compile(r"\bS/(?:\d{4}/\d+|\d+)(?:/Rev\.\s?\d+)?", re.IGNORECASE)
_MEETING = re.compile(r"\b(\d{1,5})(?:st|nd|rd|th)\s+meeting\b", re.IGNORECASE)
_RELEASE = re.compile(r"\bSC/(\d{1,6})\b")
_DATE = re.compile(r"\b\d{1,2}\s+[A-Za-z]+\s+(?:19|20)\d\d\b")
_SENTENCE_END = re.compile(r"(?<=[.;])\s+(?=[A-Z])")
_FAILED = re.compile(r"\b(?:rejected|defeated|fail(?:ed|s)?\s+to\s+(?:be\s+)?adopt(?:ed)?|"
                     r"not\s+(?:been\s+)?adopted|failed\s+to\s+(?:receive|obtain|pass)|vetoed|"
                     r"(?:draft|text|amendment)\s+failed)\b", re.IGNORECASE)
_ADOPTED = re.compile(r"\badopted\b", re.IGNORECASE)
# The resolution a vote adopted, as releases name it: "adopted resolution 2727 (2024)",
# "Adopting resolution 2727 (2024) by a vote of ...", "unanimously adopted resolution ...",
# "resolution 2727 (2024) was adopted"; not a resolution named in passing ("the measures
# adopted in resolution 2664 (2022)", "adopted under resolution ...")
_RESOLUTION_ADOPTED = re.compile(
    r"\badopt(?:ed|ing|s)?\s+"
    r"(?:(?!(?:in|under|through|pursuant|per|of|from|since|with|by|on|to|at|for)\b)\w+\s+)"
    r"{0,2}?resolutions?\s+(?P<a>\d{1,5})\s*\((?P<ay>\d{4})\)"
    r"|\bresolution\s+(?P<b>\d{1,5})\s*\((?P<by>\d{4})\)[^.;]{0,60}?\b(?:was|is)\s+adopted",
    re.IGNORECASE)
_AMENDMENT = re.compile(r"\bamendments?\b", re.IGNORECASE)
_WHAT = re.compile(r"\b(?:draft\s+resolution|draft|text|amendments?)\b", re.IGNORECASE)
# "The representative of China said", "Speaking after the vote, the delegate of France
# stated", "The speaker for the Russian Federation", "the United States representative said"
_VERBS = (r"said|says|stated|noted|observed|emphasi[sz]ed|stressed|recalled|welcomed|"
          r"underscored|regretted|explained|expressed|voiced|added|highlighted|pointed|"
          r"called|urged|argued|warned|agreed|deplored|reiterated|described|asked|"
          r"condemned|insisted|maintained|declared|affirmed|echoed|spoke|thanked|told|"
          r"acknowledged|questioned|lamented|cautioned|objected|shared|appealed")
_SPEAKER_OF = re.compile(
    r"^(?:[^.]{0,100}?,\s*(?:as\s+)?|[^.]{0,100}?\bas\s+)?the\s+(?:representatives?|delegates?|"
    r"speakers?|(?:permanent\s+)?representatives?|ambassadors?|delegations?|"
    r"(?:foreign\s+)?ministers?(?:\s+for\s+foreign\s+affairs)?)\s+(?:of|for)\s+"
    rf"(?P<name>.{{2,80}}?)(?:,|\s+(?:{_VERBS})\b)",
    re.IGNORECASE,
)
_SPEAKER_ADJ = re.compile(
    rf"^(?:[^.]{{0,60}}?,\s*)?(?:the\s+)?(?P<name>[A-Z][\w .'-]{{2,60}}?)(?:'s)?\s+"
    rf"(?:representative|delegate|speaker)\s+(?:{_VERBS})\b",
)


_ENDS = (".", "!", "?", '"', "\u201d", ":", ";")
_HEADING_OR_END = re.compile(r"^(?:The\s+meeting\s+(?:began|opened|rose|ended|was\s+adjourned)|"
                             r"For information media|\*\s*\*\s*\*)", re.IGNORECASE)


_SPEAKER_END = re.compile(rf"(?:,|\s+(?:{_VERBS}))$")
# A paragraph that goes on with the statement before it: the speaker again, as a pronoun
# ("She added that ...", "In his view, ...", "... , he said."). Any other paragraph is no
# one's words (the Secretary-General, "Also speaking were ...", background): not attributed.
_GOES_ON = re.compile(
    rf"^(?:(?:He|She|They)\b|(?:His|Her|Their)\s|In\s+(?:his|her|their)\s+view\b|"
    rf"(?:Turning|Speaking|Regarding|On|As\s+for|Further|Moreover|However|Also|Finally|"
    rf"Meanwhile|Nevertheless)\b[^.]{{0,80}}?,\s*(?:he|she|they)\s+(?:also\s+)?(?:{_VERBS})\b)"
    rf"|,\s*(?:he|she|they)\s+(?:also\s+)?(?:{_VERBS})\b",
)
# A sentence that speaks of a vote's count in words the parser does not read
_COUNT_WORDS = re.compile(r"\b(?:in\s+favou?r|against|abstentions?|abstaining|abstained)\b",
                          re.IGNORECASE)
_VOTE_WORDS = re.compile(r"\b(?:vote|voted|votes|voting)\b", re.IGNORECASE)
_WHEN = re.compile(r"\b(before|after)\s+the\s+vot(?:e|ing)\b", re.IGNORECASE)


@dataclass(frozen=True)
class PressVote:
    """One vote as a release counts it: the tally, the members it names on each side."""

    sentence: str  # the release's words
    tally: Tally
    named: dict[str, tuple[str, ...]]  # "Y" / "N" / "A": the member codes it names, in order
    symbols: tuple[str, ...]  # the documents the sentence (or the text before it) names
    amendment: bool  # the sentence speaks of an amendment
    outcome: str | None  # "adopted", "failed" or None (the sentence does not say)
    paragraph: int  # index of its paragraph, in order
    # The resolution the sentence says the vote adopted ("S/RES/2727 (2024)"), when it
    # names exactly one; None otherwise
    resolution: str | None = None

    def named_codes(self) -> set[str]:
        return {c for codes in self.named.values() for c in codes}


@dataclass(frozen=True)
class PressStatement:
    """What one member's speaker said, as the release summarises it: its words, attributed."""

    member: str  # code
    speaker: str  # how the release names the speaker ("The representative of China")
    paragraphs: tuple[str, ...]
    after_vote: bool | None  # said "after the vote" / "before the vote"; None: not said
    paragraph: int


@dataclass
class PressRelease:
    symbol: str | None  # "SC/15648"
    url: str
    title: str | None
    meeting: str | None  # "S/PV.9591"
    date: date | None
    votes: list[PressVote] = field(default_factory=list)
    statements: list[PressStatement] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)  # parts it refused (none yet)


def release_paragraphs(body: bytes) -> tuple[str | None, list[str], str]:
    """The release's title, its paragraphs of text in order, and all its text (no layout
    assumed: the symbol, meeting and date are looked for in the whole text).

    Paragraphs are the page's ``p`` elements (and list items); a page that has none
    (some old pages separate paragraphs with line breaks) is split at blank lines.
    """
    soup = BeautifulSoup(body, "lxml")
    for tag in soup(["script", "style", "noscript", "nav", "footer", "form"]):
        tag.decompose()
    heading = soup.find("h1")
    title = clean_text(heading.get_text(" ")) if heading else None
    if not title and soup.title:
        title = clean_text(soup.title.get_text(" ")) or None
    text = soup.get_text("\n")
    paragraphs = [clean_text(p.get_text(" ")) for p in soup.find_all(["p", "li"])]
    paragraphs = [p for p in paragraphs if p]
    if not paragraphs:
        paragraphs = [clean_text(b) for b in re.split(r"\n\s*\n", text) if clean_text(b)]
    return title, paragraphs, clean_text(text)


def _names(text: str | None, *, release: str, url: str,
           findings: list[Finding]) -> tuple[str, ...] | None:
    """The member codes a parenthesis names, or None when it names none ("None")."""
    if text is None or text.strip().lower() in ("", "none"):
        return None
    codes, unknown = split_member_names(text)
    if unknown:
        findings.append(Finding(
            SOURCE_PRESS, release, "press_name_unknown", Severity.WARNING,
            f"the release names {', '.join(repr(u) for u in unknown)} in a vote, which is "
            f"no known member; that side's names were not stored", url))
        return None
    return tuple(codes)


def read_vote_sentence(sentence: str, *, release: str, url: str, paragraph: int,
                       before: str = "") -> tuple[list[PressVote], list[Finding]]:
    """Read the votes a sentence counts; ``before`` is the text of the release before it
    (where the draft it counts is often named)."""
    findings: list[Finding] = []
    votes = []
    for sides in vote_counts(sentence):
        if "Y" not in sides or "N" not in sides:
            continue  # "13 in favour" alone is not a vote's count (a speaker's aside)
        counts = {s: c.count for s, c in sides.items()}
        if "A" not in sides:
            findings.append(Finding(
                SOURCE_PRESS, release, "press_count_incomplete", Severity.WARNING,
                f"the release counts {counts['Y']} in favour and {counts['N']} against but "
                f"says nothing of abstentions ({sentence!r}); the count was not stored", url))
            continue
        named: dict[str, tuple[str, ...]] = {}
        for side, counted in sides.items():
            codes = _names(counted.names, release=release, url=url, findings=findings)
            if codes is None:
                continue
            if len(codes) != counts[side]:
                findings.append(Finding(
                    SOURCE_PRESS, release, "press_names_miscounted", Severity.ERROR,
                    f"the release counts {counts[side]} {SIDE_WORDS[side]} but names "
                    f"{len(codes)} ({', '.join(codes)}); the names were not stored", url))
                continue
            named[side] = codes
        symbols = tuple(dict.fromkeys(m.group(0) for m in _SYMBOL.finditer(sentence)))
        amendment = bool(_AMENDMENT.search(sentence))
        if not symbols:
            earlier = list(_SYMBOL.finditer(before))
            symbols = (earlier[-1].group(0),) if earlier else ()
            if earlier and not amendment:  # "an amendment (document S/...). By a vote of ..."
                said = list(_WHAT.finditer(before, max(0, earlier[-1].start() - 120),
                                           earlier[-1].end() + 40))
                amendment = bool(said) and said[-1].group(0).lower().startswith("amendment")
        outcome = ("failed" if _FAILED.search(sentence)
                   else "adopted" if _ADOPTED.search(sentence) else None)
        adopted = {resolution_symbol(int(m.group("a") or m.group("b")),
                                     int(m.group("ay") or m.group("by")))
                   for m in _RESOLUTION_ADOPTED.finditer(sentence)}
        resolution = adopted.pop() if outcome != "failed" and len(adopted) == 1 else None
        votes.append(PressVote(
            sentence=sentence, tally=Tally(counts["Y"], counts["N"], counts["A"]),
            named=named, symbols=symbols, amendment=amendment,
            outcome="adopted" if resolution else outcome, paragraph=paragraph,
            resolution=resolution))
    return votes, findings


def _speaker(paragraph: str) -> tuple[str, str] | None:
    """The member a paragraph opens a statement for, and how it names the speaker."""
    for pattern in (_SPEAKER_OF, _SPEAKER_ADJ):
        match = pattern.match(paragraph)
        if not match:
            continue
        codes, unknown = split_member_names(match.group("name"))
        if len(codes) == 1 and not unknown:
            return codes[0], _SPEAKER_END.sub("", match.group(0))
    return None


def parse_press_release(body: bytes, *, url: str) -> PressRelease:
    """Read a press release: its symbol, meeting, date, votes and statements."""
    title, paragraphs, text = release_paragraphs(body)
    release_match = _RELEASE.search(text)
    symbol = f"SC/{release_match.group(1)}" if release_match else None
    record = symbol or url
    if not any(VOTE_CLAUSE.search(p) for p in paragraphs) and not release_match:
        raise ParseError(SOURCE_PRESS, record, "no press release symbol (SC/N) and no vote "
                         "on the page: not a Security Council press release")
    meeting_match = _MEETING.search(text)
    meeting = f"S/PV.{int(meeting_match.group(1))}" if meeting_match else None
    day = next((d for d in (parse_day_month_year(m.group(0)) for m in _DATE.finditer(text))
                if d is not None), None)
    release = PressRelease(symbol=symbol, url=url, title=title, meeting=meeting, date=day)

    current: tuple[str, str, int, list[str]] | None = None

    def close() -> None:
        nonlocal current
        if current is not None:
            member, speaker, start, said = current
            release.statements.append(PressStatement(member, speaker, tuple(said),
                                                     after_vote[start], start))
        current = None

    after_vote: dict[int, bool | None] = {}
    context = ""  # the text since the last vote that is no one's statement (names the draft)
    for index, paragraph in enumerate(paragraphs):
        if _HEADING_OR_END.search(paragraph) or not paragraph.rstrip().endswith(_ENDS):
            close()  # a heading, a dateline or "The meeting began at ...": no one's words
            continue
        # A speaker's words come first: a count a speaker quotes is no vote of the Council.
        speaker = _speaker(paragraph)
        if speaker is not None:
            close()
            when = _WHEN.search(paragraph[:200])
            after_vote[index] = when.group(1).lower() == "after" if when else None
            current = (speaker[0], speaker[1], index, [paragraph])
            continue
        if current is not None and _GOES_ON.search(paragraph):
            current[3].append(paragraph)
            continue
        close()
        votes: list[PressVote] = []
        at = 0  # where the sentence read next starts: a sentence repeated word for word is
        for sentence in _SENTENCE_END.split(paragraph):  # found after the one before it
            at = max(paragraph.find(sentence, at), at)
            found, findings = read_vote_sentence(
                sentence, release=record, url=url, paragraph=index,
                before=context + paragraph[:at])
            at += len(sentence)
            votes += found
            release.findings += findings
            if (not found and not findings and _COUNT_WORDS.search(sentence)
                    and _VOTE_WORDS.search(sentence) and re.search(r"\d|\bnone\b", sentence)):
                release.findings.append(Finding(
                    SOURCE_PRESS, record, "press_count_unread", Severity.WARNING,
                    f"the release speaks of a vote in words the tracker does not read "
                    f"({sentence!r}): nothing of it was stored", url))
        release.votes += votes
        context = "" if votes else context + paragraph + "\n"
    close()
    return release
