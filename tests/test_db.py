"""The schema: migrations match the models; upserts are idempotent and respect ownership."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, func, inspect, select
from sqlmodel import Session, SQLModel

from db.engine import session_scope, upgrade
from db.models import Draft, Resolution, SourceRecord
from db.upsert import _where_keys, replace_set, scope_in, table_of, upsert

T = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
PROV = {"source_url": "http://x", "fetched_at": T}


def test_migrations_create_exactly_the_models(engine: Engine) -> None:
    """The schema must come from Alembic, and match the sqlmodel models."""
    upgrade(engine)
    upgrade(engine)  # a second upgrade is a no-op
    assert inspect(engine).has_table("alembic_version")
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert diff == []


def test_upsert_counts_and_is_idempotent(engine: Engine) -> None:
    upgrade(engine)
    rows = [{"symbol": f"S/RES/{n} (2009)", "number": n, "year": 2009} for n in range(1, 1201)]
    with session_scope(engine) as session:
        ids, counts = upsert(session, Resolution, rows, key="symbol", provenance=PROV)
    assert counts.new == 1200 and len(ids) == 1200
    with session_scope(engine) as session:
        _, counts = upsert(session, Resolution, rows, key="symbol", provenance=PROV)
    assert (counts.new, counts.changed, counts.unchanged) == (0, 0, 1200)
    changed = [{**rows[0], "year": 2010}]
    later = {"source_url": "http://y", "fetched_at": T + dt.timedelta(days=1)}
    with session_scope(engine) as session:
        _, counts = upsert(session, Resolution, changed, key="symbol", provenance=later)
    assert counts.changed == 1
    with Session(engine) as session:
        row = session.execute(select(Resolution).where(Resolution.symbol == "S/RES/1 (2009)")
                              ).scalar_one()
        assert row.year == 2010 and row.source_url == "http://y"  # provenance moves with a change
        other = session.execute(select(Resolution).where(Resolution.symbol == "S/RES/2 (2009)")
                                ).scalar_one()
        assert other.source_url == "http://x"


def test_fill_only_columns_are_not_overwritten_by_another_page(engine: Engine) -> None:
    upgrade(engine)
    with session_scope(engine) as session:
        upsert(session, Draft, [{"symbol": "S/2024/255", "status": "vetoed"}], key="symbol",
               fill_only=("status", "date"), provenance=PROV)
        other_page = {"source_url": "http://other", "fetched_at": T}
        _, counts = upsert(session, Draft, [{"symbol": "S/2024/255", "status": "not_adopted",
                                             "date": dt.date(2024, 3, 28)}],
                           key="symbol", fill_only=("status", "date"), provenance=other_page)
    assert counts.changed == 1  # the date was empty and is filled
    with Session(engine) as session:
        draft = session.execute(select(Draft)).scalar_one()
        assert draft.status == "vetoed" and draft.date == dt.date(2024, 3, 28)


def test_replace_set_deletes_what_a_page_no_longer_states(engine: Engine) -> None:
    upgrade(engine)
    with session_scope(engine) as session:
        upsert(session, Draft, [{"symbol": s} for s in ("A", "B", "C")], key="symbol")
    scope = scope_in(Draft, "symbol", ["A", "B", "C", "D"])
    with session_scope(engine) as session:
        counts = replace_set(session, Draft, [{"symbol": "A"}, {"symbol": "D"}], key=("symbol",),
                             scope=scope)
    assert (counts.new, counts.deleted, counts.unchanged) == (1, 2, 1)
    with Session(engine) as session:
        assert sorted(session.execute(select(Draft.symbol)).scalars()) == ["A", "D"]


def test_composite_key_lookup_reads_only_the_batch(engine: Engine) -> None:
    """A composite key led by a column with one value (a source's name) must not read
    every row of that source for each batch: that made syncs quadratic."""
    upgrade(engine)
    rows = [{"source": "undl-votes", "record_id": str(n), "modified": "1"} for n in range(2000)]
    with session_scope(engine) as session:
        upsert(session, SourceRecord, rows, key=("source", "record_id"), provenance=PROV)
    table = table_of(SourceRecord)
    with Session(engine) as session:
        read = session.execute(select(table).where(_where_keys(
            table, ("source", "record_id"), [("undl-votes", "5"), ("undl-votes", "new")]))).all()
    assert len(read) == 1  # the batch's row, not the source's 2,000
    batch = [{"source": "undl-votes", "record_id": "5", "modified": "2"},
             {"source": "undl-votes", "record_id": "new", "modified": "1"},
             {"source": "undl-documents", "record_id": "5", "modified": "1"}]
    with session_scope(engine) as session:
        ids, counts = upsert(session, SourceRecord, batch, key=("source", "record_id"),
                             provenance=PROV)
        found = session.execute(select(func.count()).select_from(SourceRecord)).scalar()
    assert (counts.new, counts.changed, counts.unchanged) == (2, 1, 0)
    assert set(ids) == {("undl-votes", "5"), ("undl-votes", "new"), ("undl-documents", "5")}
    assert found == 2002


def test_a_row_without_its_key_is_refused(engine: Engine) -> None:
    """NULL never equals NULL in SQL: a keyless row would be inserted again on every
    sync, so it is refused up front, and nothing of its batch is written."""
    upgrade(engine)
    rows = [{"symbol": "S/RES/1 (2009)", "number": 1, "year": 2009},
            {"symbol": None, "number": 2, "year": 2009}]
    with (pytest.raises(ValueError, match="no value for its key symbol"),
          session_scope(engine) as session):
        upsert(session, Resolution, rows, key="symbol", provenance=PROV)
    with (pytest.raises(ValueError, match="source, record_id"),
          session_scope(engine) as session):
        upsert(session, SourceRecord, [{"source": "undl-votes", "record_id": None}],
               key=("source", "record_id"), provenance=PROV)
    with Session(engine) as session:
        assert session.execute(select(func.count()).select_from(Resolution)).scalar() == 0
