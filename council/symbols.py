"""UN document symbols: normalise the forms the sources use into one key each."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from council.errors import TrackerError

# Numbers are ASCII digits, and no longer than a database column holds: "S/PV.٩٥٩١" and a
# meeting number of 5,000 digits are not symbols (Python would read both as numbers).
_RESOLUTION = re.compile(r"^\s*S\s*/\s*RES\s*/\s*([0-9]{1,12})\s*\(\s*([0-9]{4})\s*\)\s*$",
                         re.IGNORECASE)
_PV = re.compile(r"S/PV\.([0-9]{1,12})(?![0-9])", re.IGNORECASE)
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9,
          "X": 10}
_NUMERALS = {v: k for k, v in _ROMAN.items()}


class SymbolError(TrackerError, ValueError):
    """A document symbol that does not have the expected shape."""


def resolution_symbol(number: int, year: int) -> str:
    """Return the normalised symbol of a resolution: ``S/RES/1874 (2009)``."""
    return f"S/RES/{number} ({year})"


def parse_resolution_symbol(text: str) -> tuple[int, int]:
    """Return (number, year) of a resolution symbol in any spacing (``S/RES/1874(2009)``)."""
    match = _RESOLUTION.match(text)
    if not match:
        raise SymbolError(f"not a resolution symbol: {text!r}")
    return int(match.group(1)), int(match.group(2))


def normalise_resolution_symbol(text: str) -> str:
    """Return the one spelling of a resolution symbol: ``S/RES/1874 (2009)``."""
    return resolution_symbol(*parse_resolution_symbol(text))


def normalise_document_symbol(text: str) -> str:
    """Tidy a document symbol: no spaces, upper-case series (``s/2022/431`` -> ``S/2022/431``)."""
    symbol = re.sub(r"\s+", "", text.strip())
    if not symbol.upper().startswith("S/"):
        raise SymbolError(f"not a Security Council document symbol: {text!r}")
    return "S/" + symbol[2:]


def normalise_meeting_record(text: str) -> str:
    """Return the key of a meeting record: ``S/PV.6865 (Resumption 1)``, ``S/PV.4820 (Part I)``.

    Corrigenda, "(closed)" and places are attributes of the meeting, not part of
    its identity, and are dropped.
    """
    match = _PV.search(text)
    if not match:
        raise SymbolError(f"not a meeting record: {text!r}")
    key = f"S/PV.{int(match.group(1))}"
    rest = text[match.end() :]
    resumption = re.search(r"Resumption\s*([IVX]+|\d+)?", rest, re.IGNORECASE)
    part = re.search(r"Part\s*([IVX]+|\d+)", rest, re.IGNORECASE)
    if resumption:
        n = resumption.group(1)
        number = (int(n) if n.isdigit() else _ROMAN.get(n.upper())) if n else 1
        if number is None:
            raise SymbolError(f"unreadable resumption in meeting record {text!r}")
        key += f" (Resumption {number})"
    elif part:
        n = part.group(1)
        roman = n.upper() if not n.isdigit() else _NUMERALS.get(int(n))
        if roman is None or roman not in _ROMAN:
            raise SymbolError(f"unreadable part in meeting record {text!r}")
        key += f" (Part {roman})"
    return key


def meeting_number(record: str) -> int | None:
    """Return the meeting's number from its record symbol, if it has one."""
    match = _PV.search(record)
    return int(match.group(1)) if match else None


def draft_base(symbol: str) -> str:
    """Return a draft's symbol without its revisions: ``S/18087/Rev.1`` -> ``S/18087``."""
    return re.sub(r"(?:/Rev\.\d+)+$", "", symbol.strip(), flags=re.IGNORECASE)


_DOCUMENT_PART = re.compile(r"/(Rev|Corr|Add)\.(\d+)", re.IGNORECASE)


def draft_preference(symbol: str) -> tuple[str, int, int, str]:
    """Order the documents of one draft as the one put to the vote comes first: the latest
    revision, then the draft itself, then its corrigenda and addenda (``S/4056/Rev.1``
    before ``S/4056`` before ``S/4056/Corr.1``); different drafts by symbol."""
    parts = _DOCUMENT_PART.findall(symbol)
    revision = max((int(n) for kind, n in parts if kind.lower() == "rev"), default=0)
    amended = any(kind.lower() in ("corr", "add") for kind, _ in parts)
    return _DOCUMENT_PART.sub("", symbol.strip()), int(amended), -revision, symbol


# What people type to name a vote (see the README's table "Naming a vote"). A resolution:
# its symbol in any case and spacing, with or without the year, "res 2722", "resolution
# 2722 (2024)", or its bare number ("2722"): a bare number is a resolution's, never a
# meeting's or a draft's, as in the Council's own usage ("resolution 1718"). A meeting:
# "S/PV.9537" (a meeting is named by its record; "pv 9537" too). A draft: any other
# Council document symbol (S/2022/431, S/4378, S/18087/Rev.1), or the key the tracker
# gives a draft with no symbol of its own (S/PV.49 (vetoed draft 2)).
_RESOLUTION_NAME = re.compile(
    r"^(?:S\s*/\s*RES\s*/|RES(?:OLUTION)?\s*\.?)?\s*([0-9]{1,12})\s*(?:\(\s*([0-9]{4})\s*\))?$",
    re.IGNORECASE)
_MEETING_NAME = re.compile(r"^(?:S\s*/\s*)?PV\s*\.?\s*([0-9]{1,12})(?![0-9])(.*)$",
                           re.IGNORECASE)
_UNNUMBERED_DRAFT = re.compile(r"^\(\s*(vetoed draft|draft not adopted)\s*([0-9]{1,3})\s*\)$",
                               re.IGNORECASE)
_DOCUMENT_PARTS = {"REV": "Rev", "CORR": "Corr", "ADD": "Add"}
# A part of a document symbol between slashes: printable ASCII ("2839&Corr.1", "AC.26").
_DOCUMENT_SEGMENT = re.compile(r"[!-.0-~]+")
_DOCUMENT_PART_NAME = re.compile(r"(?<![A-Z])(REV|CORR|ADD)(?:\.|(?=[0-9]))", re.IGNORECASE)
# Typed after a draft's symbol, its year ("S/5134 (1962)"): the symbol says the year already
# or, before 1960's numbering, the tables print it beside; it is not part of the symbol.
_TRAILING_YEAR = re.compile(r"^(S/.*\S)\s*\(\s*(?:19|20)[0-9]{2}\s*\)$", re.IGNORECASE)
_RESOLUTION_PREFIX = re.compile(r"^S\s*/\s*RES\b", re.IGNORECASE)
FIRST_YEAR = 1946  # the Council's first meetings, votes and resolutions


@dataclass(frozen=True)
class VoteName:
    """What a name typed by a person refers to: a resolution, a draft or a meeting.

    ``symbol`` is the full key when the name gives one (``S/RES/2722 (2024)``,
    ``S/2022/431``, ``S/PV.9537``); a resolution named without its year has no symbol,
    only its ``number`` (to be found in the database). ``text`` is the name as typed.
    """

    kind: Literal["resolution", "draft", "meeting"]
    symbol: str | None
    number: int | None
    text: str

    def describe(self) -> str:
        """Return the name in words: ``resolution 2722 (any year)``, ``draft S/2022/431``."""
        if self.symbol is None:
            return f"resolution {self.number} (any year)"
        return f"{self.kind} {self.symbol}"


def read_vote_name(text: str) -> VoteName:
    """Read a resolution, draft or meeting as people write it (pure: no database).

    ``s/res/2722(2024)``, ``S/RES/2722``, ``res 2722`` and ``2722`` name resolution 2722;
    ``s/2022/431`` names draft S/2022/431; ``S/PV.9537`` names a meeting. Raise
    ``SymbolError`` for anything else.
    """
    typed = " ".join(text.split())
    if not typed:
        raise SymbolError("no symbol given: name a resolution (S/RES/2722 (2024), 2722), a "
                          "draft (S/2024/255) or a meeting (S/PV.9591)")
    resolution = _RESOLUTION_NAME.match(typed)
    if resolution:
        number = int(resolution.group(1))
        year = resolution.group(2)
        if year and int(year) < FIRST_YEAR:
            raise SymbolError(f"not a resolution symbol: {text!r} (the Council's resolutions "
                              f"date from {FIRST_YEAR}; try S/RES/2722 (2024) or 2722)")
        return VoteName("resolution", resolution_symbol(number, int(year)) if year else None,
                        number, typed)
    if _RESOLUTION_PREFIX.match(typed):  # a resolution's symbol mistyped is no draft's
        raise SymbolError(f"not a resolution symbol: {text!r} (try S/RES/2722 (2024), "
                          "S/RES/2722 or 2722)")
    meeting = _MEETING_NAME.match(typed)
    if meeting:
        number = int(meeting.group(1))
        rest = meeting.group(2).strip()
        unnumbered = _UNNUMBERED_DRAFT.match(rest)
        if unnumbered:
            words = " ".join(unnumbered.group(1).lower().split())
            return VoteName("draft", f"S/PV.{number} ({words} {int(unnumbered.group(2))})",
                            None, typed)
        return VoteName("meeting", normalise_meeting_record(f"S/PV.{number} {rest}"), number,
                        typed)
    with_year = _TRAILING_YEAR.match(typed)
    if with_year:
        typed = with_year.group(1)
    try:
        symbol = normalise_document_symbol(typed)
    except SymbolError:
        raise SymbolError(f"not a resolution, draft or meeting: {text!r} (try S/RES/2722 "
                          "(2024), 2722, S/2024/255 or S/PV.9591)") from None
    parts = symbol[2:].split("/")
    if parts[0].upper() == "PRST":
        raise SymbolError(f"{text!r} is a presidential statement: a decision without a vote, "
                          "so it has no roll call or draft")
    if not all(_DOCUMENT_SEGMENT.fullmatch(p) for p in parts):
        raise SymbolError(f"not a resolution, draft or meeting: {text!r} (try S/RES/2722 "
                          "(2024), 2722, S/2024/255 or S/PV.9591)")
    # Upper case, as the UN writes symbols, but for revisions, corrigenda and addenda:
    # "s/18087/rev.1" -> "S/18087/Rev.1", "S/2839&corr.1" -> "S/2839&Corr.1".
    written = _DOCUMENT_PART_NAME.sub(lambda m: _DOCUMENT_PARTS[m[1].upper()] + ".",
                                      symbol.upper())
    return VoteName("draft", written, None, " ".join(text.split()))
