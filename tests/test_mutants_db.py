"""Tests that kill the surviving mutants of the store's writers and the upsert (issue 18,
mutation testing): db/upsert.py and db/store.py. Each asserts the exact rows, ids and
counts a write leaves, on SQLite tables of their own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import (
    Boolean,
    Column,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    select,
)
from sqlmodel import Session

from council.members import known_members
from council.records import DocumentRecord, MemberVoteRecord, Severity, Tally, VotingRecord
from council.records import Finding as FindingRecord
from db.engine import make_engine, upgrade
from db.models import Draft, SourceRecord, SyncRun
from db.models import Finding as FindingRow
from db.models import Member as MemberRow
from db.store import (
    _counted,
    _record_order,
    _roll_call,
    _roll_call_on_adoption_without_vote,
    _tally_on_adoption_without_vote,
    _vote_claimed_twice,
    _without_base,
    drafts_to_look_up,
    ensure_members,
    known_records,
    note_lookups,
    page_of,
    store_documents,
    store_findings,
    sync_history,
)
from db.upsert import CHUNK, FEW_PREFIXES, Counts, _insert_many, replace_set, scope_in, upsert

METADATA = MetaData()
ITEM = Table("item", METADATA, Column("id", Integer, primary_key=True),
             Column("key", String, unique=True), Column("n", Integer),
             Column("note", String), Column("source_url", String), Column("fetched_at", String))
PAIR = Table("pair", METADATA, Column("id", Integer, primary_key=True),
             Column("lead", String), Column("last", String), Column("n", Integer),
             Column("source_url", String), Column("fetched_at", String),
             UniqueConstraint("lead", "last"))


class Item:  # a model as upsert reads it: its __table__
    __table__ = ITEM


class Pair:
    __table__ = PAIR


@pytest.fixture
def tables(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'upsert.sqlite'}")
    METADATA.create_all(engine)
    yield engine
    engine.dispose()


def write(engine: Engine, model: Any, rows: list[dict[str, Any]], **options: Any
          ) -> tuple[dict[Any, int], Counts]:
    with Session(engine) as session:
        result = upsert(session, model, rows, **options)
        session.commit()
    return result


def stored(engine: Engine, table: Table) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        return [tuple(r) for r in connection.execute(select(table).order_by(table.c.id))]


def test_counts_must_add_up() -> None:
    counts = Counts(1, 2, 3, 4)
    counts += Counts(10, 20, 30, 40)
    assert counts == Counts(new=11, changed=22, unchanged=33, deleted=44)


def test_upsert_must_insert_then_count_each_row_as_new_changed_or_unchanged(
        tables: Engine) -> None:
    ids, counts = write(tables, Item, [{"key": "a", "n": 1}, {"key": "b", "n": 2},
                                       {"key": "a", "note": "x"}],
                        key="key", provenance={"source_url": "p1", "fetched_at": "t1"})
    assert (ids, counts) == ({"a": 1, "b": 2}, Counts(new=2))
    # the last row of a key in a batch wins, merged over the earlier one
    assert stored(tables, ITEM) == [(1, "a", 1, "x", "p1", "t1"), (2, "b", 2, None, "p1", "t1")]
    ids, counts = write(tables, Item, [{"key": "a", "n": 1}, {"key": "b", "n": 3},
                                       {"key": "c", "n": 4}],
                        key="key", provenance={"source_url": "p1", "fetched_at": "t2"})
    assert (ids, counts) == ({"a": 1, "b": 2, "c": 3}, Counts(new=1, changed=1, unchanged=1))
    assert stored(tables, ITEM) == [(1, "a", 1, "x", "p1", "t1"), (2, "b", 3, None, "p1", "t2"),
                                    (3, "c", 4, None, "p1", "t2")]


def test_a_fill_only_column_must_be_set_when_empty_and_kept_otherwise(tables: Engine) -> None:
    write(tables, Item, [{"key": "a", "n": 1, "note": None}, {"key": "b", "n": 1, "note": "b"}],
          key="key", provenance={"source_url": "p1", "fetched_at": "t1"})
    _, counts = write(tables, Item, [{"key": "a", "n": 1, "note": "filled"},
                                       {"key": "b", "n": 1, "note": "other"}],
                        key="key", fill_only=("note",),
                        provenance={"source_url": "p2", "fetched_at": "t2"})
    # another page fills the empty note and claims its row; the note it did not fill stays
    assert counts == Counts(changed=2)
    assert stored(tables, ITEM) == [(1, "a", 1, "filled", "p2", "t2"),
                                    (2, "b", 1, "b", "p2", "t2")]
    # the page that stated a row owns it in full: it overwrites its own fill-only column
    _, counts = write(tables, Item, [{"key": "b", "n": 1, "note": "own"}], key="key",
                        fill_only=("note",), provenance={"source_url": "p2", "fetched_at": "t3"})
    assert counts == Counts(changed=1)
    assert stored(tables, ITEM)[1] == (2, "b", 1, "own", "p2", "t3")
    _, counts = write(tables, Item, [{"key": "b", "n": 1, "note": None}], key="key",
                        fill_only=("note",), provenance={"source_url": "p3", "fetched_at": "t4"})
    assert counts == Counts(changed=1)  # only the provenance: p3 claims the row
    assert stored(tables, ITEM)[1] == (2, "b", 1, "own", "p3", "t4")


def test_a_secondary_source_must_add_without_moving_provenance(tables: Engine) -> None:
    write(tables, Item, [{"key": "a", "n": None}], key="key",
          provenance={"source_url": "p1", "fetched_at": "t1"})
    ids, counts = write(tables, Item, [{"key": "a", "n": 5}, {"key": "b", "n": 6}], key="key",
                        secondary=True, provenance={"source_url": "s1", "fetched_at": "t2"})
    assert (ids, counts) == ({"a": 1, "b": 2}, Counts(new=1, changed=1))
    assert stored(tables, ITEM) == [(1, "a", 5, None, "p1", "t1"), (2, "b", 6, None, "s1", "t2")]
    ids, counts = write(tables, Item, [{"key": "a", "n": 5}], key="key", secondary=True,
                        provenance={"source_url": "s1", "fetched_at": "t3"})
    assert counts == Counts(unchanged=1)
    # another secondary page changes the row, not its provenance
    ids, counts = write(tables, Item, [{"key": "b", "n": 7, "source_url": "s2"}], key="key",
                        secondary=True, provenance={"source_url": "s1", "fetched_at": "t4"})
    assert counts == Counts(changed=1)
    assert stored(tables, ITEM)[1] == (2, "b", 7, None, "s1", "t2")
    # the owning source moves it, and a row's own provenance wins over the batch's
    ids, counts = write(tables, Item, [{"key": "b", "n": 8, "source_url": "s3"}], key="key",
                        provenance={"source_url": "s1", "fetched_at": "t5"})
    assert counts == Counts(changed=1)
    assert stored(tables, ITEM)[1] == (2, "b", 8, None, "s3", "t5")


def test_a_row_without_its_key_must_be_refused_by_name(tables: Engine) -> None:
    with pytest.raises(ValueError) as caught:
        write(tables, Item, [{"n": 1}], key="key")
    assert str(caught.value) == "item: a row has no value for its key key: {'n': 1}"
    with pytest.raises(ValueError) as caught:
        write(tables, Pair, [{"lead": "x", "last": None}], key=("lead", "last"))
    assert str(caught.value) == (
        "pair: a row has no value for its key lead, last: {'lead': 'x', 'last': None}")


@pytest.mark.parametrize("leads", [2, FEW_PREFIXES, FEW_PREFIXES + 1, 30])
def test_composite_keys_must_find_their_rows_by_every_lookup(tables: Engine, leads: int) -> None:
    rows = [{"lead": f"l{i % leads}", "last": f"k{i}", "n": i} for i in range(60)]
    ids, counts = write(tables, Pair, rows, key=("lead", "last"))
    assert counts == Counts(new=60)
    assert ids == {(f"l{i % leads}", f"k{i}"): i + 1 for i in range(60)}
    changed = [{**row, "n": row["n"] + (1 if row["n"] % 2 else 0)} for row in rows]
    # a key of the same last value under another lead is another row
    changed.append({"lead": "other", "last": "k0", "n": -1})
    ids, counts = write(tables, Pair, changed, key=("lead", "last"))
    assert counts == Counts(new=1, changed=30, unchanged=30)
    assert ids[("other", "k0")] == 61 and ids[("l0", "k0")] == 1
    assert [r[3] for r in stored(tables, PAIR)] == [i + i % 2 for i in range(60)] + [-1]


def test_more_rows_than_a_chunk_must_all_be_found_again(tables: Engine) -> None:
    rows = [{"key": f"k{i:05d}", "n": i} for i in range(CHUNK * 2 + 7)]
    ids, counts = write(tables, Item, rows, key="key", new_ids=False)
    assert (ids, counts) == ({}, Counts(new=CHUNK * 2 + 7))
    rows[-1] = {"key": rows[-1]["key"], "n": -1}
    ids, counts = write(tables, Item, rows, key="key")
    assert counts == Counts(changed=1, unchanged=CHUNK * 2 + 6)
    assert ids == {f"k{i:05d}": i + 1 for i in range(CHUNK * 2 + 7)}
    ids, counts = write(tables, Item, [{"key": "new", "n": 1}, {"key": "k00000", "n": 0}],
                        key="key", absent=False)
    assert (ids, counts) == ({"new": CHUNK * 2 + 8, "k00000": 1}, Counts(new=1, unchanged=1))


def test_rows_of_different_columns_must_each_keep_their_own(tables: Engine) -> None:
    ids, counts = write(tables, Item, [{"key": "a", "n": 1}, {"key": "b", "note": "x"},
                                       {"key": "c", "n": 3}], key="key")
    assert (ids, counts) == ({"a": 1, "c": 2, "b": 3}, Counts(new=3))
    assert stored(tables, ITEM) == [(1, "a", 1, None, None, None), (2, "c", 3, None, None, None),
                                    (3, "b", None, "x", None, None)]
    write(tables, Item, [{"key": "d", "n": 4}], key="key", new_ids=False)
    ids, counts = write(tables, Item, [{"key": "e", "n": 5}, {"key": "f", "note": "y"},
                                       {"key": "a", "n": 1}], key="key", new_ids=False)
    assert (ids, counts) == ({"a": 1}, Counts(new=2, unchanged=1))
    assert stored(tables, ITEM)[4:] == [(5, "e", 5, None, None, None),
                                        (6, "f", None, "y", None, None)]


def test_replace_set_must_make_a_scope_exactly_its_rows(tables: Engine) -> None:
    with Session(tables) as session:
        counts = replace_set(session, Pair, [{"lead": "p1", "last": "a"},
                                             {"lead": "p1", "last": "b"}],
                             key=("lead", "last"), scope=scope_in(Pair, "lead", ["p1"]),
                             provenance={"source_url": "u1"})
        assert counts == Counts(new=2)
        counts = replace_set(session, Pair, [{"lead": "p2", "last": "z", "n": 1}],
                             key=("lead", "last"), scope=scope_in(Pair, "lead", None, n=1))
        assert counts == Counts(new=1)
        # p1 now states b and c: a is deleted, c is new; p2's row, outside the scope, is kept
        counts = replace_set(session, Pair, [{"lead": "p1", "last": "b"},
                                             {"lead": "p1", "last": "c"},
                                             {"lead": "p2", "last": "z"}],
                             key=("lead", "last"), scope=scope_in(Pair, "lead", ["p1"]))
        session.commit()
    # the key p2 holds (another scope's) is skipped, not inserted twice
    assert counts == Counts(new=2, unchanged=1, deleted=1)
    assert stored(tables, PAIR) == [(2, "p1", "b", None, "u1", None),
                                    (3, "p2", "z", 1, None, None),
                                    (4, "p1", "c", None, None, None)]
    with Session(tables) as session:
        counts = replace_set(session, Item, [{"key": "x"}, {"key": "y"}], key=("key",),
                             scope=scope_in(Item, "key", ["x"]))
        counts2 = replace_set(session, Item, [{"key": "y"}], key=("key",),
                              scope=scope_in(Item, "key", ["y"]))
        session.commit()
    assert (counts, counts2) == (Counts(new=2), Counts(unchanged=1))
    assert [r[1] for r in stored(tables, ITEM)] == ["x", "y"]


# --- the store's writers (db/store.py) ----------------------------------------------------

T1 = dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
T2 = dt.datetime(2024, 2, 3, 4, 5, 6, tzinfo=dt.UTC)


@pytest.fixture
def tracker(sqlite_engine: Engine) -> Engine:
    """The tracker's own schema, at the migrations' head."""
    upgrade(sqlite_engine)
    return sqlite_engine


def test_a_pages_address_must_lose_its_scheme_and_host() -> None:
    assert page_of("https://www.un.org/depts/dhl/resguide/scact2022_table_en.htm") == (
        "depts/dhl/resguide/scact2022_table_en.htm")
    assert page_of("http://127.0.0.1:8000/search?p=1&ln=en") == "search?p=1&ln=en"
    assert page_of("record/123") == "record/123"
    assert _without_base("see https://h.example/record/1 and https://h.example",
                         "https://h.example/search") == "see record/1 and "
    assert _without_base("see https://h.example/x", "record/1") == "see https://h.example/x"
    assert [_record_order(r) for r in ("999", "1000", "x1")] == [
        (0, 999, ""), (0, 1000, ""), (1, 0, "x1")]


def test_a_pages_findings_must_be_exactly_its_latest_and_keep_when_first_seen(
        tracker: Engine) -> None:
    url = "https://www.un.org/veto?lang=en"
    first = [FindingRecord("dhl-veto-list", "row 2 (https://www.un.org/S/1)", "repeated_row",
                           Severity.WARNING, "row 2: see https://www.un.org/S/1", url),
             FindingRecord("dhl-veto-list", "row 3", "rows_disagree", Severity.ERROR, "m", url)]
    with Session(tracker) as session:
        counts = store_findings(session, "dhl-veto-list", url, first, seen_at=T1)
        session.commit()
    assert counts == Counts(new=2)
    mirror = "https://mirror.example/veto?lang=en"
    again = [FindingRecord("dhl-veto-list", "row 2 (https://mirror.example/S/1)", "repeated_row",
                           Severity.WARNING, "row 2: see https://mirror.example/S/1", mirror)]
    with Session(tracker) as session:
        counts = store_findings(session, "dhl-veto-list", mirror, again, seen_at=T2)
        session.commit()
    # read again at another address: the same page; one finding gone, the other kept
    assert counts == Counts(unchanged=1, deleted=1)
    with tracker.connect() as connection:
        rows = connection.execute(select(
            FindingRow.source, FindingRow.page, FindingRow.record, FindingRow.kind,
            FindingRow.severity, FindingRow.message, FindingRow.url, FindingRow.first_seen)
        ).all()
    assert [tuple(r) for r in rows] == [(
        "dhl-veto-list", "veto?lang=en", "row 2 (S/1)", "repeated_row", "warning",
        "row 2: see S/1", mirror, T1)]


def test_every_known_member_must_have_a_row_once(tracker: Engine) -> None:
    with Session(tracker) as session:
        first = ensure_members(session)
        again = ensure_members(session)
        session.commit()
    total = len(known_members())
    assert (first, again) == (Counts(new=total), Counts(unchanged=total))
    with tracker.connect() as connection:
        sun = connection.execute(select(
            MemberRow.code, MemberRow.name, MemberRow.permanent_seat, MemberRow.successor,
            MemberRow.source_url).where(MemberRow.code == "SUN")).one()
    assert tuple(sun) == ("SUN", "Union of Soviet Socialist Republics", "RUS", "RUS",
                          "council.members (the UN Digital Library's codes and names)")


def test_drafts_must_be_looked_up_once_and_misses_again_only_when_asked(
        tracker: Engine) -> None:
    with Session(tracker) as session:
        upsert(session, Draft, [{"symbol": s} for s in (
            "S/4", "S/2022/1", "S/PV.100 (vetoed draft 1)", "S/2022/2/Rev.1", "S/3")],
            key="symbol")  # not in order: the drafts come back ordered by symbol
        note_lookups(session, "undl-documents", {"S/2022/1": "12", "S/3": None}, checked_at=T1)
        note_lookups(session, "other", {"S/4": "9"}, checked_at=T1)
        note_lookups(session, "undl-documents", {}, checked_at=T1)
        assert drafts_to_look_up(session, "undl-documents", retry_misses=False) == [
            "S/2022/2/Rev.1", "S/4"]
        assert drafts_to_look_up(session, "undl-documents", retry_misses=True) == [
            "S/2022/2/Rev.1", "S/3", "S/4"]
        upsert(session, SourceRecord, [
            {"source": "undl-votes", "record_id": "1", "modified": "20240101"},
            {"source": "undl-votes", "record_id": "2", "modified": None},
            {"source": "other", "record_id": "3", "modified": "x"}],
            key=("source", "record_id"))
        assert known_records(session, "undl-votes") == {"1": "20240101", "2": None}


def test_a_sources_history_must_tell_a_whole_run_from_a_partial_one(
        tracker: Engine) -> None:
    with Session(tracker) as session:
        assert sync_history(session, "dhl-meetings") == (False, None)
        session.add(SyncRun(source="dhl-meetings", started_at=T1, ok=True, complete=False))
        session.add(SyncRun(source="dhl-meetings", started_at=T2, ok=False, complete=True))
        session.add(SyncRun(source="other", started_at=T2, ok=True, complete=True))
        session.flush()
        assert sync_history(session, "dhl-meetings") == (False, T1)
        session.add(SyncRun(source="dhl-meetings", started_at=T1, ok=True, complete=True))
        session.flush()
        assert sync_history(session, "dhl-meetings") == (True, T1)


def test_the_bulk_insert_must_fill_defaults_and_leave_unknown_keys_to_sqlalchemy(
        tmp_path: Path) -> None:
    metadata = MetaData()
    table = Table("t", metadata, Column("id", Integer, primary_key=True),
                  Column("key", String), Column("flag", Boolean, default=False))
    engine = make_engine(f"sqlite:///{tmp_path / 't.sqlite'}")
    metadata.create_all(engine)
    with engine.begin() as connection:
        _insert_many(connection, table, [{"key": "a"}])  # the column's default, not NULL
        _insert_many(connection, table, [{"key": "b", "ignored": 1}])  # SQLAlchemy's leniency
        _insert_many(connection, table, [{"key": "c", "flag": True}])
        _insert_many(connection, table, [])
    with engine.connect() as connection:
        assert [tuple(r) for r in connection.execute(select(table).order_by(table.c.id))] == [
            (1, "a", False), (2, "b", False), (3, "c", True)]
    engine.dispose()


def test_replace_set_must_insert_nothing_when_another_scope_holds_every_new_row(
        tables: Engine) -> None:
    with Session(tables) as session:
        replace_set(session, Pair, [{"lead": "p2", "last": "z"}], key=("lead", "last"),
                    scope=scope_in(Pair, "lead", ["p2"]))
        counts = replace_set(session, Pair, [{"lead": "p2", "last": "z"}],
                             key=("lead", "last"), scope=scope_in(Pair, "lead", ["p1"]))
        session.commit()
    assert counts == Counts(new=1)
    assert stored(tables, PAIR) == [(1, "p2", "z", None, None, None)]


def _voting_record(**fields: Any) -> VotingRecord:
    values: dict[str, Any] = {
        "record_id": "4033397", "modified": None, "url": "https://l.example/record/4033397",
        "title": None, "date": "2024-01-12", "resolution": None, "draft": "S/2024/37",
        "meeting": None, "agenda": None, "without_vote": False, "votes": [], "totals": None,
        "total_members": None}
    values.update(fields)
    return VotingRecord(**values)


def test_a_roll_call_must_be_counted_vote_by_vote() -> None:
    votes = [MemberVoteRecord(c, v, None) for c, v in
             [("USA", "N"), ("CHN", "Y"), ("FRA", "A"), ("GBR", "X"), ("RUS", "N")]]
    assert _counted(v.vote for v in votes) == Tally(1, 2, 1, 1)
    record = _voting_record(votes=votes, totals=Tally(1, 2, 1, 1))
    assert _roll_call(record) == ([("USA", "N"), ("CHN", "Y"), ("FRA", "A"), ("GBR", "X"),
                                   ("RUS", "N")], 1, 2024)
    assert _roll_call(_voting_record(date=None)) == ([], None, None)
    assert _vote_claimed_twice("undl-votes", record, ("4033000", "20240101")) == FindingRecord(
        "undl-votes", "S/2024/37", "vote_claimed_by_two_records", Severity.ERROR,
        "S/2024/37: the Digital Library's voting records 4033000 and 4033397 both give this "
        "vote. Kept: the roll call of record 4033000, the one the Library made first; record "
        "4033397 (a roll call of 1-2-1) is not stored, so it cannot overwrite the vote",
        "https://l.example/record/4033397")
    assert _vote_claimed_twice("undl-votes", _voting_record(draft=None), ("1", "")).record == (
        "4033397")


def test_an_adoption_without_a_vote_must_be_named_with_both_sources() -> None:
    assert _roll_call_on_adoption_without_vote(
        "undl-votes", "S/RES/1 (1946)", "12", Tally(15, 0, 0, 0), "u") == FindingRecord(
        "undl-votes", "S/RES/1 (1946)", "roll_call_on_adoption_without_vote", Severity.WARNING,
        "S/RES/1 (1946): the meetings table says adopted without a vote; the Digital "
        "Library's voting record 12 gives a roll call of 15-0-0 (0 not voting). Kept: adopted "
        "without a vote, with no tally and no roll call (the tables own outcomes and tallies; "
        "the Library codes adoptions without a vote as all in favour)", "u")
    assert _tally_on_adoption_without_vote(
        "undl-votes", "S/RES/1 (1946)", "12", Tally(10, 0, 1), "u") == FindingRecord(
        "undl-votes", "S/RES/1 (1946)", "tally_on_adoption_without_vote", Severity.WARNING,
        "S/RES/1 (1946): the Digital Library's voting record 12 gives no member's vote and no "
        "votes counted (an adoption without a vote); the meetings table prints a vote of "
        "10-0-1. Kept: the table's 10-0-1 (the tables own outcomes and tallies), with no roll "
        "call", "u")


@pytest.mark.parametrize("model", [Item, Pair])
def test_ids_must_be_read_back_where_the_insert_cannot_return_them(
        tables: Engine, model: Any) -> None:
    """On PostgreSQL (no RETURNING with executemany here) the new ids are read back by key:
    the same path, on SQLite told so."""
    tables.dialect.insert_executemany_returning = False
    key: Any = "key" if model is Item else ("lead", "last")
    row = ({"key": "old", "n": 0} if model is Item else {"lead": "l", "last": "old", "n": 0})
    write(tables, model, [row], key=key)
    rows = ([{"key": f"k{i}", "n": i} for i in range(3)] if model is Item else
            [{"lead": "l", "last": f"k{i}", "n": i} for i in range(3)])
    ids, counts = write(tables, model, [*rows, row], key=key)
    keys = ["k0", "k1", "k2"] if model is Item else [("l", "k0"), ("l", "k1"), ("l", "k2")]
    assert (ids, counts) == ({"old" if model is Item else ("l", "old"): 1,
                              **dict(zip(keys, [2, 3, 4], strict=True))},
                             Counts(new=3, unchanged=1))


def test_a_document_record_must_state_its_drafts_fields_and_only_fill_the_tables_date(
        tracker: Engine) -> None:
    record = DocumentRecord(
        record_id="3975193", modified="20220527", url="https://l.example/record/3975193",
        symbol="S/2022/431", date="2022-05-26", title="Draft resolution",
        sponsors_text="United States of America", sponsors=["USA"], resolution=None,
        bodies=["Panel of Experts", "Committee"], subjects=["SANCTIONS", "NUCLEAR"])
    bare = DocumentRecord(
        record_id="3975194", modified=None, url="https://l.example/record/3975194",
        symbol="S/2022/432", date=None, title=None, sponsors_text=None, sponsors=[],
        resolution=None, bodies=[], subjects=[])
    with Session(tracker) as session:
        ensure_members(session)
        upsert(session, Draft, [{"symbol": "S/2022/431", "date": dt.date(2022, 5, 25),
                                 "source_url": "https://www.un.org/veto", "fetched_at": T1}],
               key="symbol")
        store_documents(session, [record, bare], source="undl-documents", fetched_at=T2)
        session.commit()
    with tracker.connect() as connection:
        rows = connection.execute(select(
            Draft.symbol, Draft.date, Draft.title, Draft.sponsors_text, Draft.bodies,
            Draft.subjects, Draft.source_url).order_by(Draft.symbol)).all()
    # the table stated the draft first: its date and provenance stay, the record adds the rest
    assert [tuple(r) for r in rows] == [
        ("S/2022/431", dt.date(2022, 5, 25), "Draft resolution", "United States of America",
         "Panel of Experts; Committee", "SANCTIONS; NUCLEAR", "https://www.un.org/veto"),
        ("S/2022/432", None, None, None, None, None, "https://l.example/record/3975194")]
