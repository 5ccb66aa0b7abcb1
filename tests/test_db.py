"""The schema: migrations match the models; upserts are idempotent and respect ownership."""

from __future__ import annotations

import datetime as dt

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, select
from sqlmodel import Session, SQLModel

from db.engine import session_scope, upgrade
from db.models import Draft, Resolution
from db.upsert import replace_set, scope_in, upsert

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
