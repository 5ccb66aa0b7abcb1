"""The schema: meetings, drafts, resolutions, vote events, member votes, vetoes, mandates.

Every fact row carries its provenance (``source_url``, ``fetched_at``): the page
that last set it and when that page was fetched. Natural keys are unique.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class Provenance(SQLModel):
    """Where a fact comes from: the page's URL and when it was fetched."""

    source_url: str | None = Field(default=None, sa_column_kwargs={"nullable": True})
    fetched_at: dt.datetime | None = None


class Member(SQLModel, table=True):
    """A state that sat on the Council; SUN (USSR) keeps its own code, seat RUS."""

    __tablename__ = "member"
    code: str = Field(primary_key=True, max_length=3)
    name: str
    permanent_seat: str | None = Field(default=None, max_length=3)
    successor: str | None = Field(default=None, max_length=3)
    source_url: str | None = None  # ISO 3166-1 (pycountry), or the tracker's table of UN codes


class Meeting(Provenance, table=True):
    """A meeting of the Council (or a written-procedure vote, keyed by its letter)."""

    __tablename__ = "meeting"
    id: int | None = Field(default=None, primary_key=True)
    record: str = Field(unique=True, index=True)  # "S/PV.9048", "S/PV.6865 (Resumption 1)"
    number: int | None = None
    date: dt.date | None = None
    topic: str | None = Field(default=None, sa_column=Column(Text))
    press_release: str | None = None  # "SC/15648"
    outcome_text: str | None = Field(default=None, sa_column=Column(Text))
    written_procedure: bool = False


class Draft(Provenance, table=True):
    """A draft resolution: adopted, vetoed, failed for want of votes, or never voted on."""

    __tablename__ = "draft"
    id: int | None = Field(default=None, primary_key=True)
    symbol: str = Field(unique=True, index=True)  # "S/2024/255", "S/PV.206 (vetoed draft 1)"
    date: dt.date | None = None
    title: str | None = Field(default=None, sa_column=Column(Text))
    status: str | None = None  # adopted | vetoed | insufficient_votes | not_adopted
    # The resolution its document record (993) links it to, as printed: accepted only when
    # the tables or voting records know that resolution (see db.links).
    resolution_link: str | None = None
    sponsors_text: str | None = Field(default=None, sa_column=Column(Text))  # as printed
    bodies: str | None = Field(default=None, sa_column=Column(Text))  # 610, "; "-joined
    subjects: str | None = Field(default=None, sa_column=Column(Text))  # 650, "; "-joined


class Resolution(Provenance, table=True):
    """An adopted resolution, one row whatever the spacing of its symbol in the source."""

    __tablename__ = "resolution"
    id: int | None = Field(default=None, primary_key=True)
    symbol: str = Field(unique=True, index=True)  # "S/RES/1874 (2009)"
    number: int = Field(index=True)
    year: int
    date: dt.date | None = None
    title: str | None = Field(default=None, sa_column=Column(Text))
    draft_id: int | None = Field(default=None, foreign_key="draft.id")
    # Who says which draft it came from: "voting-record" (its voting record names the draft,
    # and that holds) or "draft-link" (a draft's document record links it, settled by
    # db.links after each sync and settled again from scratch each time).
    draft_named_by: str | None = None
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id")
    # The other meeting the meetings tables print it at, when they print it twice.
    printed_also_at_id: int | None = Field(default=None, foreign_key="meeting.id")


class PresidentialStatement(Provenance, table=True):
    """A statement by the President on behalf of the Council: a decision without a vote."""

    __tablename__ = "presidential_statement"
    id: int | None = Field(default=None, primary_key=True)
    symbol: str = Field(unique=True, index=True)  # "S/PRST/2009/35"
    date: dt.date | None = None
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id")


class VoteEvent(Provenance, table=True):
    """One vote: on a draft, or on the adoption of a resolution.

    ``key`` is the resolution symbol for adoptions, the draft symbol for drafts
    that failed (with the question voted on, if it was a preliminary question).
    """

    __tablename__ = "vote_event"
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, index=True)
    draft_id: int | None = Field(default=None, foreign_key="draft.id", index=True)
    resolution_id: int | None = Field(default=None, foreign_key="resolution.id", index=True)
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id", index=True)
    date: dt.date | None = Field(default=None, index=True)
    question: str | None = None
    agenda: str | None = Field(default=None, sa_column=Column(Text))
    outcome: str | None = None  # see council.records.Outcome
    yes: int | None = None
    no: int | None = None
    abstain: int | None = None
    non_voting: int | None = None
    note: str | None = Field(default=None, sa_column=Column(Text))
    # The symbol the Veto List prints for this same vote when it names the draft's revision
    # (or the draft a revision revised): "S/18087/Rev.1" for the vote on S/18087.
    printed_as: str | None = Field(default=None, index=True)


class MemberVote(Provenance, table=True):
    """How one member voted: Y, N, A, or X (non-voting)."""

    __tablename__ = "member_vote"
    __table_args__ = (UniqueConstraint("vote_event_id", "member_code"),)
    id: int | None = Field(default=None, primary_key=True)
    vote_event_id: int = Field(foreign_key="vote_event.id", index=True)
    member_code: str = Field(foreign_key="member.code", max_length=3, index=True)
    vote: str = Field(max_length=1)
    name_at_time: str | None = None
    # How the vote was derived when no source names it (a press release names the members
    # against and abstaining; those in favour follow from the Council's membership that year
    # and the count, council.roll_calls): the basis, in words. None: a source names it.
    derived: str | None = Field(default=None, sa_column=Column(Text))


class Veto(Provenance, table=True):
    """A permanent member's negative vote that defeated a draft, as one source counts it.

    ``source`` names the convention: ``dhl-veto-list`` (the Library's Veto List,
    per draft), ``dhl-meetings`` (the yearly meetings tables), later ``roll-call``.
    """

    __tablename__ = "veto"
    __table_args__ = (UniqueConstraint("vote_event_id", "member_code", "source"),)
    id: int | None = Field(default=None, primary_key=True)
    vote_event_id: int = Field(foreign_key="vote_event.id", index=True)
    member_code: str = Field(foreign_key="member.code", max_length=3, index=True)
    source: str = Field(index=True)


class Statement(Provenance, table=True):
    """What a member's speaker said at a meeting, in the source's words (a press release's
    summary of each statement), attributed; ``position`` is its order in the source."""

    __tablename__ = "statement"
    __table_args__ = (UniqueConstraint("meeting_id", "source", "position"),)
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    member_code: str = Field(foreign_key="member.code", max_length=3, index=True)
    source: str
    position: int
    speaker: str = Field(sa_column=Column(Text, nullable=False))  # "The representative of China"
    text: str = Field(sa_column=Column(Text, nullable=False))
    after_vote: bool | None = None  # the source says "after the vote" / "before"; None: not


class CouncilMember(SQLModel, table=True):
    """A member of the Council in a year, as the year's complete roll calls show it (seats
    that voted under two codes in one year, the USSR's and China's, keep each code)."""

    __tablename__ = "council_member"
    __table_args__ = (UniqueConstraint("year", "member_code"),)
    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(index=True)
    member_code: str = Field(foreign_key="member.code", max_length=3)
    roll_calls: int  # the year's complete roll calls that name it


class Sponsorship(Provenance, table=True):
    """A member sponsoring a draft."""

    __tablename__ = "sponsorship"
    __table_args__ = (UniqueConstraint("draft_id", "member_code"),)
    id: int | None = Field(default=None, primary_key=True)
    draft_id: int = Field(foreign_key="draft.id", index=True)
    member_code: str = Field(foreign_key="member.code", max_length=3)


class Mandate(Provenance, table=True):
    """A body or task the Council created and renews: an operation, a mission, a sanctions
    regime, committee or panel. Derived from the registry and the titles of decisions."""

    __tablename__ = "mandate"
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(unique=True, index=True)
    name: str
    kind: str
    established_by_id: int | None = Field(default=None, foreign_key="resolution.id")
    established_by: str | None = None  # the resolution's symbol, stored or not
    aliases: str | None = Field(default=None, sa_column=Column(Text))  # "; "-joined
    parent_slug: str | None = None
    expiry: dt.date | None = None
    status: str | None = None  # active | expired | lapsed | terminated, as of the last derivation


class MandateEvent(Provenance, table=True):
    """A step in a mandate's life: established, extended, modified, renewal_failed,
    related_failed_draft, terminated, lapsed."""

    __tablename__ = "mandate_event"
    __table_args__ = (UniqueConstraint("mandate_id", "kind", "reference",
                                       name="uq_mandate_event_reference"),)
    id: int | None = Field(default=None, primary_key=True)
    mandate_id: int = Field(foreign_key="mandate.id", index=True)
    kind: str
    date: dt.date | None = None
    reference: str  # the resolution or draft symbol ("S/RES/2680 (2023)", "S/2024/255")
    resolution_id: int | None = Field(default=None, foreign_key="resolution.id")
    draft_id: int | None = Field(default=None, foreign_key="draft.id")
    vote_event_id: int | None = Field(default=None, foreign_key="vote_event.id")
    new_expiry: dt.date | None = None
    note: str | None = Field(default=None, sa_column=Column(Text))


class Finding(SQLModel, table=True):
    """A data-quality finding: what a source says that cannot be right, or was not read.

    Its identity is the source, the page or record it was read from (``page``: the URL
    without its scheme and host, so a mirror or another address is the same page), the
    record or row, the kind and the message; re-reading a page replaces its findings.
    ``url`` is where it was last read.
    """

    __tablename__ = "finding"
    __table_args__ = (UniqueConstraint("source", "page", "record", "kind", "message",
                                       name="uq_finding_identity"),)
    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(index=True)
    page: str = Field(index=True)
    record: str
    kind: str
    severity: str
    message: str = Field(sa_column=Column(Text, nullable=False))
    url: str | None = Field(default=None, index=True)
    first_seen: dt.datetime | None = None


class SyncRun(SQLModel, table=True):
    """One run of ``tracker sync`` (or ``rebuild``) for one source."""

    __tablename__ = "sync_run"
    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(index=True)
    started_at: dt.datetime
    finished_at: dt.datetime | None = None
    pages_fetched: int = 0
    pages_missing: int = 0
    pages_failed: int = 0
    rows_new: int = 0
    rows_changed: int = 0
    rows_unchanged: int = 0
    ok: bool = False
    complete: bool = False  # the run covered the source's whole history




class SourceRecord(SQLModel, table=True):
    """A record of a source that is read one record at a time (Digital Library records).

    ``modified`` is the record's own last-change stamp (MARC 005): a sync stops
    paging once a page holds no record that is new or changed.
    """

    __tablename__ = "source_record"
    __table_args__ = (UniqueConstraint("source", "record_id"),)
    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(index=True)
    record_id: str
    modified: str | None = None
    vote_event_id: int | None = Field(default=None, foreign_key="vote_event.id", index=True)
    source_url: str | None = None
    fetched_at: dt.datetime | None = None


class SymbolLookup(SQLModel, table=True):
    """A document asked for by its symbol, and whether the source had a record of it.

    Misses are remembered so a draft without a record is not asked for again on
    every sync (``--full`` asks again).
    """

    __tablename__ = "symbol_lookup"
    __table_args__ = (UniqueConstraint("source", "symbol"),)
    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(index=True)
    symbol: str
    record_id: str | None = None
    checked_at: dt.datetime | None = None
