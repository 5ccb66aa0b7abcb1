"""Plain records that parsers return and the store writes: no I/O, no database."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from council.errors import TrackerError
from council.rules import Outcome, council_size, format_tally
from council.symbols import FIRST_YEAR, SymbolError, meeting_number, parse_resolution_symbol


def nfc(text: str) -> str:
    """Return text in Unicode NFC, the one form every parser hands on.

    Sources write the same letter two ways ("Côte" as one code point, or "o" and a
    combining circumflex); names, titles and slugs must not depend on which.
    """
    return unicodedata.normalize("NFC", text)


class ParseError(TrackerError, ValueError):
    """A page or record that does not have the shape its parser expects.

    The message names the source and the record, so a user can find it.
    """

    def __init__(self, source: str, record: str, message: str) -> None:
        super().__init__(f"{source}: {record}: {message}")
        self.source = source
        self.record = record
        self.message = message


class PageShapeError(ParseError):
    """A page in a shape the parser does not know (an unknown member name where members are
    listed): every record of it is in doubt, so the whole page is refused."""


# --- the limits every value from a source is held to, at the parser boundary ------------
# One home for them, so the Library's tables, its Veto List, its voting records, its
# document records and its dataset refuse the same impossible values.

INTEGER_MAX = 2**31 - 1  # the database's integer columns (PostgreSQL INTEGER, 32 bits)
_DIGITS = re.compile(r"[0-9]+")  # ASCII only: "١٢" and "²" are digits to Python, not to SQL


def latest_date() -> date:
    """Return the latest date a source may give: a year from today (a vote planned ahead)."""
    return date.today() + timedelta(days=366)


def council_date(value: date, *, source: str, record: str, what: str) -> date:
    """Return a date within the Council's life (1946 to a year from today), or raise."""
    if not date(FIRST_YEAR, 1, 1) <= value <= latest_date():
        raise ParseError(source, record, f"{what} {value.isoformat()} is outside the Council's "
                                         f"life (1946 to {latest_date().year})")
    return value


def iso_date(text: str, *, source: str, record: str, what: str) -> date:
    """Read a ``YYYY-MM-DD`` date within the Council's life, or raise (30 February too)."""
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        raise ParseError(source, record, f"{what} is not a date: {text!r}")
    try:
        value = date.fromisoformat(text)
    except ValueError as exc:
        raise ParseError(source, record, f"{what} is an impossible date {text!r}: {exc}"
                         ) from None
    return council_date(value, source=source, record=record, what=what)


def whole_number(text: str, *, source: str, record: str, what: str,
                 maximum: int = INTEGER_MAX) -> int:
    """Read a number of ASCII digits no larger than ``maximum`` (its column), or raise."""
    if not _DIGITS.fullmatch(text):
        raise ParseError(source, record, f"{what} is not a number: {text!r}")
    if len(text) > 12 or int(text) > maximum:
        raise ParseError(source, record, f"{what} {text[:24]!r} is larger than {maximum}")
    return int(text)


def checked_record_id(text: str | None, *, source: str) -> str:
    """Return a Digital Library record id (ASCII digits, no larger than an integer), or raise."""
    if not text or not _DIGITS.fullmatch(text) or len(text) > 12:
        raise ParseError(source, "record", f"record without a numeric id (001): {text!r}")
    whole_number(text, source=source, record=f"record {text}", what="record id (001)")
    return text


def checked_resolution(symbol: str, *, source: str, record: str) -> str:
    """Return a normalised resolution symbol whose number and year the database can hold and
    that reads back as itself (its number within the columns, its year within the Council's
    life), or raise."""
    try:
        number, year = parse_resolution_symbol(symbol)
    except SymbolError as exc:
        raise ParseError(source, record, str(exc)) from None
    if not 1 <= number <= INTEGER_MAX or not FIRST_YEAR <= year <= latest_date().year:
        raise ParseError(source, record, f"resolution symbol {symbol!r}: number or year out of "
                                         f"range (1 to {INTEGER_MAX}, {FIRST_YEAR} to "
                                         f"{latest_date().year})")
    normal = f"S/RES/{number} ({year})"
    if parse_resolution_symbol(normal) != (number, year):  # pragma: no cover - a guard
        raise ParseError(source, record, f"resolution symbol {symbol!r} does not read back")
    return normal


def checked_symbol(symbol: str, *, source: str, record: str, what: str) -> str:
    """Return a Council document or meeting symbol (``S/`` then printable text, as the Library
    writes them: ``S/2839&Corr.1``, ``S/PV.4820 (Part I)``) whose meeting number the
    database can hold, or raise."""
    if not symbol.startswith("S/") or not symbol.isprintable() or len(symbol) > 200:
        raise ParseError(source, record, f"{what} {symbol[:80]!r} is not a document symbol")
    number = meeting_number(symbol)
    if number is not None and not 0 < number <= INTEGER_MAX:
        raise ParseError(source, record, f"{what} {symbol[:80]!r}: meeting number out of range")
    return symbol


class Severity(StrEnum):
    ERROR = "error"  # a contradiction: the source cannot be right as printed
    WARNING = "warning"  # something the tracker could not read, or doubts
    INFO = "info"


@dataclass(frozen=True)
class Tally:
    """The count of a vote: in favour, against, abstaining, and (if known) non-voting."""

    yes: int
    no: int
    abstain: int
    non_voting: int | None = None

    @property
    def cast(self) -> int:
        return self.yes + self.no + self.abstain

    def __str__(self) -> str:
        return format_tally(self.yes, self.no, self.abstain)


def tally_within_council(tally: Tally, *, year: int, source: str, record: str, what: str,
                         url: str | None = None) -> tuple[Tally | None, list[Finding]]:
    """Hold a tally to the Council's seats in its year (11 until 1965, 15 since).

    Return the tally with its non-voting count (the seats not counted, unless the source
    gives it), or None and a finding when it counts more votes than there were seats: the
    same rule for the tables, the voting records and the dataset.
    """
    size = council_size(year)
    counted = tally.cast + (tally.non_voting or 0)
    if tally.cast > size or counted > size:
        also = f" and {tally.non_voting} not voting" if tally.non_voting else ""
        return None, [Finding(source, record, "tally_exceeds_council", Severity.ERROR,
                              f"{what}: tally {tally} counts {tally.cast} votes{also} on a "
                              f"Council of {size}; tally not stored", url)]
    findings = []
    if tally.non_voting is None and tally.cast < size:
        findings.append(Finding(source, record, "tally_short", Severity.INFO,
                                f"{what}: tally {tally} accounts for {tally.cast} of {size} "
                                f"members; {size - tally.cast} recorded as not voting", url))
    non_voting = size - tally.cast if tally.non_voting is None else tally.non_voting
    return Tally(tally.yes, tally.no, tally.abstain, non_voting), findings


@dataclass(frozen=True)
class Finding:
    """A data-quality finding: something a source says that does not add up."""

    source: str
    record: str
    kind: str
    severity: Severity
    message: str
    url: str | None = None


@dataclass
class DecisionRecord:
    """One thing decided (or not) at a meeting, as a meetings table prints it."""

    kind: str  # resolution | draft | presidential_statement | other
    symbol: str | None  # normalised symbol; for drafts, the draft key
    text: str  # the outcome text as printed (cleaned)
    outcome: Outcome | None = None
    tally: Tally | None = None
    vetoed_by: list[str] = field(default_factory=list)
    note: str | None = None
    written_procedure: bool = False
    question: str | None = None  # "preliminary question": a vote of its own on the same draft
    # The other meetings the page prints this same decision at (the store settles which holds).
    also_printed_at: list[str] = field(default_factory=list)

    @property
    def vote_key(self) -> str | None:
        """Return the key of the vote event: the symbol, with the question voted on if any."""
        if self.symbol is None:
            return None
        return f"{self.symbol} ({self.question})" if self.question else self.symbol


@dataclass
class MeetingRecord:
    """One meeting of a yearly meetings table, with what it decided."""

    record: str  # key: "S/PV.9048", "S/PV.6865 (Resumption 1)", or a letter for 2020-21
    date: date
    topic: str
    press_release: str | None
    outcome_text: str
    decisions: list[DecisionRecord] = field(default_factory=list)
    written_procedure: bool = False
    row: int = 0


@dataclass
class MeetingsTable:
    """A parsed yearly meetings & outcomes table."""

    year: int
    meetings: list[MeetingRecord]
    findings: list[Finding]
    errors: list[ParseError] = field(default_factory=list)  # meetings that could not be read


@dataclass
class VetoListEntry:
    """One row of the Library's Veto List: one vetoed draft and the members casting the veto."""

    date: date
    date_text: str
    draft: str  # the draft key (see scrapers.dhl.parse.draft_key)
    draft_text: str
    meeting: str | None
    meeting_text: str
    agenda: str
    members: list[str]
    row: int
    question: str | None = None
    letters: list[str] = field(default_factory=list)  # written procedure: every letter cited

    @property
    def vote_key(self) -> str:
        """The vote event's key. Drafts known by a meeting record are told apart by their
        ordinal already, so a preliminary question does not enter their key."""
        if self.question and not self.draft.startswith("S/PV."):
            return f"{self.draft} ({self.question})"
        return self.draft


@dataclass
class VetoList:
    entries: list[VetoListEntry]
    findings: list[Finding]
    errors: list[ParseError] = field(default_factory=list)  # rows that could not be read


@dataclass(frozen=True)
class MemberVoteRecord:
    """One member's vote in a roll call."""

    code: str
    vote: str  # Y, N, A, X
    name: str | None
    permanent_flag: str | None = None  # the record's $b, as given
    sequence: int | None = None


@dataclass
class VotingRecord:
    """One Digital Library voting record: a vote on an adoption (or a draft) with its roll call."""

    record_id: str
    modified: str | None
    url: str
    title: str | None
    date: str | None  # ISO date
    resolution: str | None  # normalised "S/RES/2722 (2024)"
    draft: str | None
    meeting: str | None
    agenda: str | None
    without_vote: bool
    votes: list[MemberVoteRecord]
    totals: Tally | None
    total_members: int | None
    findings: list[Finding] = field(default_factory=list)
    raw: bytes = b""

    @property
    def vote_key(self) -> str | None:
        return self.resolution or self.draft


@dataclass
class DocumentRecord:
    """A draft resolution's document record."""

    record_id: str
    modified: str | None
    url: str
    symbol: str
    date: str | None
    title: str | None
    sponsors_text: str | None
    sponsors: list[str]
    resolution: str | None
    bodies: list[str]
    subjects: list[str]
    findings: list[Finding] = field(default_factory=list)
    raw: bytes = b""
