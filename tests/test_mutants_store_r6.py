"""Tests that kill the killable survivors of db/store.py in the sixth round of mutation
testing (the store group run whole for the first time); the other survivors are sorted, with
their reasons, in the list of accepted survivors. Each test asserts the exact rows and counts
a store leaves, on a SQLite database at the migrations' head.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from sqlmodel import Session

from db.engine import make_engine, upgrade
from db.models import Draft, Sponsorship, SymbolLookup
from db.store import drafts_to_look_up, ensure_members, store_documents
from db.upsert import Counts, table_of, upsert
from tests.test_mutants_store_r5 import document

T1 = dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
T2 = dt.datetime(2024, 2, 3, 4, 5, 6, tzinfo=dt.UTC)
DOCUMENTS = "undl-documents"


@pytest.fixture
def tracker(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'store.sqlite'}")
    upgrade(engine)
    yield engine
    engine.dispose()


def _sponsors(tracker: Engine) -> list[tuple[object, ...]]:
    d, s = table_of(Draft), table_of(Sponsorship)
    with tracker.connect() as connection:
        return [tuple(r) for r in connection.execute(
            select(d.c.symbol, s.c.member_code).join(d, d.c.id == s.c.draft_id)
            .order_by(d.c.symbol, s.c.member_code))]


def test_a_batch_of_document_records_must_replace_only_its_own_drafts_sponsors(
        tracker: Engine) -> None:
    """The lookups store document records in batches: a batch makes the sponsors of its own
    drafts those its records give, and leaves the sponsors of every other draft alone."""
    with Session(tracker) as session:
        ensure_members(session)
        first = store_documents(session, [
            document("3975193", "S/2022/431", date="2022-05-26", sponsors=["USA", "ALB"])],
            source=DOCUMENTS, fetched_at=T1)
        second = store_documents(session, [
            document("3975200", "S/2022/438", date="2022-05-27", sponsors=["FRA"])],
            source=DOCUMENTS, fetched_at=T2)
        session.commit()
    # a draft, its sponsors and its source record each time; nothing deleted
    assert (first, second) == (Counts(new=4), Counts(new=3))
    assert _sponsors(tracker) == [("S/2022/431", "ALB"), ("S/2022/431", "USA"),
                                  ("S/2022/438", "FRA")]
    with Session(tracker) as session:
        again = store_documents(session, [
            document("3975193", "S/2022/431", date="2022-05-26", sponsors=["USA"])],
            source=DOCUMENTS, fetched_at=T2)
        session.commit()
    # read again with one sponsor less (the draft, USA, the source record unchanged): that
    # sponsor goes, the other draft's stays
    assert again == Counts(unchanged=3, deleted=1)
    assert _sponsors(tracker) == [("S/2022/431", "USA"), ("S/2022/438", "FRA")]


def test_the_drafts_of_stored_document_records_must_be_noted_as_found_when_fetched(
        tracker: Engine) -> None:
    """A document record stored (found by the search, or by a lookup) notes its draft's
    symbol as found, with its record and the batch's latest fetch time: the draft is not
    asked for again, even by ``--full``, and the one no record covers still is."""
    with Session(tracker) as session:
        ensure_members(session)
        upsert(session, Draft, [{"symbol": "S/2022/500"}], key="symbol")  # a table's draft
        store_documents(session, [
            document("3975193", "S/2022/431", date="2022-05-26", sponsors=[]),
            document("3975200", "S/2022/438", date=None, sponsors=[])],
            source=DOCUMENTS, fetched_at={"3975193": T2, "3975200": T1})
        session.commit()
        assert drafts_to_look_up(session, DOCUMENTS, retry_misses=False) == ["S/2022/500"]
        assert drafts_to_look_up(session, DOCUMENTS, retry_misses=True) == ["S/2022/500"]
    lookup = table_of(SymbolLookup)
    with tracker.connect() as connection:
        lookups = connection.execute(
            select(lookup.c.source, lookup.c.symbol, lookup.c.record_id, lookup.c.checked_at)
            .order_by(lookup.c.symbol)).all()
    assert [tuple(r) for r in lookups] == [(DOCUMENTS, "S/2022/431", "3975193", T2),
                                           (DOCUMENTS, "S/2022/438", "3975200", T2)]


def test_the_drafts_to_look_up_must_come_in_symbol_order_whatever_order_the_rows_come_in(
        tracker: Engine) -> None:
    """The drafts are asked for in the order of their symbols (a sync's progress, and the
    batches its answers are stored in, are the same on every backend). SQLite returns the
    unordered rows in the index's order; asked to reverse them, as PostgreSQL may give them
    in any order, the list is the same."""
    with Session(tracker) as session:
        upsert(session, Draft, [{"symbol": s} for s in ("S/2022/9", "S/2022/10", "S/1990/5")],
               key="symbol")
        session.execute(text("PRAGMA reverse_unordered_selects = ON"))
        assert drafts_to_look_up(session, DOCUMENTS, retry_misses=False) == [
            "S/1990/5", "S/2022/10", "S/2022/9"]
