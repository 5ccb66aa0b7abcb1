"""The schema's tables as SQLAlchemy Core ``Table`` objects, for code that only reads.

GENERATED from the models (``db.models``, the one definition of the schema) by
``python -m db.generate_tables``: do not edit. ``tests/test_startup.py`` fails when this
file differs from what the models generate. Reading through these tables loads neither
sqlmodel's models nor SQLAlchemy's ORM (about 0.1 s of every report's start).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
)


def _sqlmodel_column_types() -> ModuleType:
    """Return sqlmodel's column types (``AutoString``, ``UTCDateTime``: how the models'
    strings and aware datetimes are stored and read back), the very module the models use.

    Imported as ``sqlmodel.sql.sqltypes`` it would first run the whole sqlmodel package
    (pydantic models and SQLAlchemy's ORM); the module itself needs only SQLAlchemy, so
    unless sqlmodel is loaded already it is loaded from its file on its own.
    """
    name = "sqlmodel.sql.sqltypes"
    if name in sys.modules:
        return sys.modules[name]
    package = importlib.util.find_spec("sqlmodel")
    locations = list(package.submodule_search_locations or []) if package else []
    path = Path(locations[0]) / "sql" / "sqltypes.py" if locations else None
    spec = (importlib.util.spec_from_file_location("db._sqlmodel_column_types", path)
            if path is not None and path.is_file() else None)
    if spec is None or spec.loader is None:  # not a plain file: import it the usual way
        return importlib.import_module(name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_sqltypes = _sqlmodel_column_types()
AutoString = _sqltypes.AutoString
UTCDateTime = _sqltypes.UTCDateTime

metadata = MetaData(naming_convention={"ix": "ix_%(column_0_label)s"})


member = Table(
    "member", metadata,
    Column("code", AutoString(length=3), primary_key=True, nullable=False),
    Column("name", AutoString(), nullable=False),
    Column("permanent_seat", AutoString(length=3), nullable=True),
    Column("successor", AutoString(length=3), nullable=True),
    Column("source_url", AutoString(), nullable=True),
)

meeting = Table(
    "meeting", metadata,
    Column("source_url", AutoString(), nullable=True),
    Column("fetched_at", UTCDateTime(), nullable=True),
    Column("id", Integer(), primary_key=True, nullable=False),
    Column("record", AutoString(), nullable=False),
    Column("number", Integer(), nullable=True),
    Column("date", Date(), nullable=True),
    Column("topic", Text(), nullable=True),
    Column("press_release", AutoString(), nullable=True),
    Column("outcome_text", Text(), nullable=True),
    Column("written_procedure", Boolean(), nullable=False, default=False),
    Index("ix_meeting_record", "record", unique=True),
)

draft = Table(
    "draft", metadata,
    Column("source_url", AutoString(), nullable=True),
    Column("fetched_at", UTCDateTime(), nullable=True),
    Column("id", Integer(), primary_key=True, nullable=False),
    Column("symbol", AutoString(), nullable=False),
    Column("date", Date(), nullable=True),
    Column("title", Text(), nullable=True),
    Column("status", AutoString(), nullable=True),
    Column("resolution_link", AutoString(), nullable=True),
    Column("sponsors_text", Text(), nullable=True),
    Column("bodies", Text(), nullable=True),
    Column("subjects", Text(), nullable=True),
    Index("ix_draft_symbol", "symbol", unique=True),
)

resolution = Table(
    "resolution", metadata,
    Column("source_url", AutoString(), nullable=True),
    Column("fetched_at", UTCDateTime(), nullable=True),
    Column("id", Integer(), primary_key=True, nullable=False),
    Column("symbol", AutoString(), nullable=False),
    Column("number", Integer(), nullable=False),
    Column("year", Integer(), nullable=False),
    Column("date", Date(), nullable=True),
    Column("title", Text(), nullable=True),
    Column("draft_id", Integer(), ForeignKey("draft.id"), nullable=True),
    Column("draft_named_by", AutoString(), nullable=True),
    Column("meeting_id", Integer(), ForeignKey("meeting.id"), nullable=True),
    Column("printed_also_at_id", Integer(), ForeignKey("meeting.id"), nullable=True),
    Index("ix_resolution_number", "number"),
    Index("ix_resolution_symbol", "symbol", unique=True),
)

presidential_statement = Table(
    "presidential_statement", metadata,
    Column("source_url", AutoString(), nullable=True),
    Column("fetched_at", UTCDateTime(), nullable=True),
    Column("id", Integer(), primary_key=True, nullable=False),
    Column("symbol", AutoString(), nullable=False),
    Column("date", Date(), nullable=True),
    Column("meeting_id", Integer(), ForeignKey("meeting.id"), nullable=True),
    Index("ix_presidential_statement_symbol", "symbol", unique=True),
)

vote_event = Table(
    "vote_event", metadata,
    Column("source_url", AutoString(), nullable=True),
    Column("fetched_at", UTCDateTime(), nullable=True),
    Column("id", Integer(), primary_key=True, nullable=False),
    Column("key", AutoString(), nullable=False),
    Column("draft_id", Integer(), ForeignKey("draft.id"), nullable=True),
    Column("resolution_id", Integer(), ForeignKey("resolution.id"), nullable=True),
    Column("meeting_id", Integer(), ForeignKey("meeting.id"), nullable=True),
    Column("date", Date(), nullable=True),
    Column("question", AutoString(), nullable=True),
    Column("agenda", Text(), nullable=True),
    Column("outcome", AutoString(), nullable=True),
    Column("yes", Integer(), nullable=True),
    Column("no", Integer(), nullable=True),
    Column("abstain", Integer(), nullable=True),
    Column("non_voting", Integer(), nullable=True),
    Column("note", Text(), nullable=True),
    Column("printed_as", AutoString(), nullable=True),
    Index("ix_vote_event_date", "date"),
    Index("ix_vote_event_draft_id", "draft_id"),
    Index("ix_vote_event_key", "key", unique=True),
    Index("ix_vote_event_meeting_id", "meeting_id"),
    Index("ix_vote_event_printed_as", "printed_as"),
    Index("ix_vote_event_resolution_id", "resolution_id"),
)

member_vote = Table(
    "member_vote", metadata,
    Column("source_url", AutoString(), nullable=True),
    Column("fetched_at", UTCDateTime(), nullable=True),
    Column("id", Integer(), primary_key=True, nullable=False),
    Column("vote_event_id", Integer(), ForeignKey("vote_event.id"), nullable=False),
    Column("member_code", AutoString(length=3), ForeignKey("member.code"), nullable=False),
    Column("vote", AutoString(length=1), nullable=False),
    Column("name_at_time", AutoString(), nullable=True),
    Column("derived", Text(), nullable=True),
    UniqueConstraint("vote_event_id", "member_code"),
    Index("ix_member_vote_member_code", "member_code"),
    Index("ix_member_vote_vote_event_id", "vote_event_id"),
)

veto = Table(
    "veto", metadata,
    Column("source_url", AutoString(), nullable=True),
    Column("fetched_at", UTCDateTime(), nullable=True),
    Column("id", Integer(), primary_key=True, nullable=False),
    Column("vote_event_id", Integer(), ForeignKey("vote_event.id"), nullable=False),
    Column("member_code", AutoString(length=3), ForeignKey("member.code"), nullable=False),
    Column("source", AutoString(), nullable=False),
    UniqueConstraint("vote_event_id", "member_code", "source"),
    Index("ix_veto_member_code", "member_code"),
    Index("ix_veto_source", "source"),
    Index("ix_veto_vote_event_id", "vote_event_id"),
)

statement = Table(
    "statement", metadata,
    Column("source_url", AutoString(), nullable=True),
    Column("fetched_at", UTCDateTime(), nullable=True),
    Column("id", Integer(), primary_key=True, nullable=False),
    Column("meeting_id", Integer(), ForeignKey("meeting.id"), nullable=False),
    Column("member_code", AutoString(length=3), ForeignKey("member.code"), nullable=False),
    Column("source", AutoString(), nullable=False),
    Column("position", Integer(), nullable=False),
    Column("speaker", Text(), nullable=False),
    Column("text", Text(), nullable=False),
    Column("after_vote", Boolean(), nullable=True),
    UniqueConstraint("meeting_id", "source", "position"),
    Index("ix_statement_meeting_id", "meeting_id"),
    Index("ix_statement_member_code", "member_code"),
)

council_member = Table(
    "council_member", metadata,
    Column("id", Integer(), primary_key=True, nullable=False),
    Column("year", Integer(), nullable=False),
    Column("member_code", AutoString(length=3), ForeignKey("member.code"), nullable=False),
    Column("roll_calls", Integer(), nullable=False),
    UniqueConstraint("year", "member_code"),
    Index("ix_council_member_year", "year"),
)

sponsorship = Table(
    "sponsorship", metadata,
    Column("source_url", AutoString(), nullable=True),
    Column("fetched_at", UTCDateTime(), nullable=True),
    Column("id", Integer(), primary_key=True, nullable=False),
    Column("draft_id", Integer(), ForeignKey("draft.id"), nullable=False),
    Column("member_code", AutoString(length=3), ForeignKey("member.code"), nullable=False),
    UniqueConstraint("draft_id", "member_code"),
    Index("ix_sponsorship_draft_id", "draft_id"),
)

mandate = Table(
    "mandate", metadata,
    Column("source_url", AutoString(), nullable=True),
    Column("fetched_at", UTCDateTime(), nullable=True),
    Column("id", Integer(), primary_key=True, nullable=False),
    Column("slug", AutoString(), nullable=False),
    Column("name", AutoString(), nullable=False),
    Column("kind", AutoString(), nullable=False),
    Column("established_by_id", Integer(), ForeignKey("resolution.id"), nullable=True),
    Column("established_by", AutoString(), nullable=True),
    Column("aliases", Text(), nullable=True),
    Column("parent_slug", AutoString(), nullable=True),
    Column("expiry", Date(), nullable=True),
    Column("status", AutoString(), nullable=True),
    Index("ix_mandate_slug", "slug", unique=True),
)

mandate_event = Table(
    "mandate_event", metadata,
    Column("source_url", AutoString(), nullable=True),
    Column("fetched_at", UTCDateTime(), nullable=True),
    Column("id", Integer(), primary_key=True, nullable=False),
    Column("mandate_id", Integer(), ForeignKey("mandate.id"), nullable=False),
    Column("kind", AutoString(), nullable=False),
    Column("date", Date(), nullable=True),
    Column("reference", AutoString(), nullable=False),
    Column("resolution_id", Integer(), ForeignKey("resolution.id"), nullable=True),
    Column("draft_id", Integer(), ForeignKey("draft.id"), nullable=True),
    Column("vote_event_id", Integer(), ForeignKey("vote_event.id"), nullable=True),
    Column("new_expiry", Date(), nullable=True),
    Column("note", Text(), nullable=True),
    UniqueConstraint("mandate_id", "kind", "reference", name="uq_mandate_event_reference"),
    Index("ix_mandate_event_mandate_id", "mandate_id"),
)

finding = Table(
    "finding", metadata,
    Column("id", Integer(), primary_key=True, nullable=False),
    Column("source", AutoString(), nullable=False),
    Column("page", AutoString(), nullable=False),
    Column("record", AutoString(), nullable=False),
    Column("kind", AutoString(), nullable=False),
    Column("severity", AutoString(), nullable=False),
    Column("message", Text(), nullable=False),
    Column("url", AutoString(), nullable=True),
    Column("first_seen", UTCDateTime(), nullable=True),
    UniqueConstraint("source", "page", "record", "kind", "message", name="uq_finding_identity"),
    Index("ix_finding_page", "page"),
    Index("ix_finding_source", "source"),
    Index("ix_finding_url", "url"),
)

sync_run = Table(
    "sync_run", metadata,
    Column("id", Integer(), primary_key=True, nullable=False),
    Column("source", AutoString(), nullable=False),
    Column("started_at", UTCDateTime(), nullable=False),
    Column("finished_at", UTCDateTime(), nullable=True),
    Column("pages_fetched", Integer(), nullable=False, default=0),
    Column("pages_missing", Integer(), nullable=False, default=0),
    Column("pages_failed", Integer(), nullable=False, default=0),
    Column("rows_new", Integer(), nullable=False, default=0),
    Column("rows_changed", Integer(), nullable=False, default=0),
    Column("rows_unchanged", Integer(), nullable=False, default=0),
    Column("ok", Boolean(), nullable=False, default=False),
    Column("complete", Boolean(), nullable=False, default=False),
    Index("ix_sync_run_source", "source"),
)

source_record = Table(
    "source_record", metadata,
    Column("id", Integer(), primary_key=True, nullable=False),
    Column("source", AutoString(), nullable=False),
    Column("record_id", AutoString(), nullable=False),
    Column("modified", AutoString(), nullable=True),
    Column("vote_event_id", Integer(), ForeignKey("vote_event.id"), nullable=True),
    Column("source_url", AutoString(), nullable=True),
    Column("fetched_at", UTCDateTime(), nullable=True),
    UniqueConstraint("source", "record_id"),
    Index("ix_source_record_source", "source"),
    Index("ix_source_record_vote_event_id", "vote_event_id"),
)

symbol_lookup = Table(
    "symbol_lookup", metadata,
    Column("id", Integer(), primary_key=True, nullable=False),
    Column("source", AutoString(), nullable=False),
    Column("symbol", AutoString(), nullable=False),
    Column("record_id", AutoString(), nullable=True),
    Column("checked_at", UTCDateTime(), nullable=True),
    UniqueConstraint("source", "symbol"),
    Index("ix_symbol_lookup_source", "source"),
)
