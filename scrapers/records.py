"""Plain records that parsers return and the store writes: no I/O, no database."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


def nfc(text: str) -> str:
    """Return text in Unicode NFC, the one form every parser hands on.

    Sources write the same letter two ways ("Côte" as one code point, or "o" and a
    combining circumflex); names, titles and slugs must not depend on which.
    """
    return unicodedata.normalize("NFC", text)


class ParseError(ValueError):
    """A page or record that does not have the shape its parser expects.

    The message names the source and the record, so a user can find it.
    """

    def __init__(self, source: str, record: str, message: str) -> None:
        super().__init__(f"{source}: {record}: {message}")
        self.source = source
        self.record = record
        self.message = message


class Outcome(StrEnum):
    """How a vote event ended."""

    ADOPTED_WITH_VOTE = "adopted_with_vote"
    ADOPTED_WITHOUT_VOTE = "adopted_without_vote"
    ADOPTED_BY_WRITTEN_PROCEDURE = "adopted_by_written_procedure"
    VETOED = "vetoed"
    INSUFFICIENT_VOTES = "insufficient_votes"
    NOT_ADOPTED = "not_adopted"  # failed, and the source does not say why


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
        return f"{self.yes}-{self.no}-{self.abstain}"


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
