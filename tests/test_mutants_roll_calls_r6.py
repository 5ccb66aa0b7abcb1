"""The press releases' amendments and the meeting records wanted at the store
(``db.roll_calls``): what the whole mutation run of db/roll_calls.py found untested (issue
"Tests that bite", sixth round).

Each test stores a small meetings table in the real page's shape, then a release (and a
meeting record, where the case needs one) as the parsers give them, and asserts the exact
rows. The LIKE of PostgreSQL is case-sensitive and SQLite's is not: the ``case_sensitive``
engine is SQLite with ``PRAGMA case_sensitive_like`` on, so that a pattern that matches only
on SQLite (``"AMENDMENT %"``, ``"s/pv.%"``) fails here as it would on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlmodel import Session

from db.engine import make_engine, upgrade
from db.roll_calls import meeting_records_wanted, provisional_releases
from db.store import ensure_members, store_meetings_table
from scrapers.dhl.parse import parse_meetings_table
from tests.conftest import FIXTURES
from tests.test_findings_bite import RELEASE_URL, TABLE_2024, WHEN, _release
from tests.test_mutants_roll_calls_r5 import (
    NAMED_9591,
    RECORD_URL,
    _findings,
    _keys,
    _press,
    _record,
    _rolled,
    _table_2024,
    _tables,
    _vote,
    _votes,
    _wanted_db,
)

# the amendment of tests.test_findings_bite.AMENDMENT (S/2024/256, 2-11-2) as the record
# of S/PV.9591 names it: every member, as the release does
AMENDMENT_NAMED = {"Y": ("CHN", "RUS"),
                   "N": ("DZA", "ECU", "FRA", "GUY", "JPN", "MLT", "KOR", "SVN", "CHE", "GBR",
                         "USA"),
                   "A": ("MOZ", "SLE")}
AMENDMENT_KEY = "S/2024/255 (amendment S/2024/256)"


@pytest.fixture
def db(sqlite_engine: Engine) -> Engine:
    upgrade(sqlite_engine)
    return sqlite_engine


@pytest.fixture
def case_sensitive(tmp_path: Any) -> Iterator[Engine]:
    """SQLite whose LIKE is case-sensitive, as PostgreSQL's is."""
    engine = make_engine(f"sqlite:///{tmp_path / 'case-sensitive.sqlite'}")

    @event.listens_for(engine, "connect")
    def _case_sensitive_like(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA case_sensitive_like=ON")
        cursor.close()

    upgrade(engine)
    yield engine
    engine.dispose()


# --- a release read again after the meeting record -------------------------------------------

def test_a_release_read_again_after_the_record_keeps_the_records_amendment_roll_call(
        db: Engine) -> None:
    """The release of S/PV.9591 counts the amendment S/2024/256 and the draft S/2024/255; the
    record, read next, replaces both roll calls. The release read again (``--full``) still
    counts the amendment: its vote event stays as it is, with the record's roll call, and
    the release, which agrees with it, stores nothing over it."""
    _table_2024(db)
    _press(db, _release(amendment=True))
    assert [v for v in _votes(db) if v[0] == AMENDMENT_KEY] == _rolled(
        AMENDMENT_KEY, AMENDMENT_NAMED, RELEASE_URL)
    _record(db, "S/PV.9591", [_vote(AMENDMENT_NAMED, ("S/2024/256",), amendment=True),
                              _vote(NAMED_9591, ("S/2024/255",))], url=RECORD_URL)
    records = sorted([*_rolled(AMENDMENT_KEY, AMENDMENT_NAMED, RECORD_URL),
                      *_rolled("S/2024/255", NAMED_9591, RECORD_URL)])
    assert _votes(db) == records
    _press(db, _release(amendment=True))
    assert _keys(db) == ["S/2024/255", AMENDMENT_KEY]
    assert _votes(db) == records


# --- LIKE held case-sensitive, as on PostgreSQL ----------------------------------------------

def test_a_release_read_again_without_its_amendment_removes_it_where_like_minds_case(
        case_sensitive: Engine) -> None:
    _table_2024(case_sensitive)
    _press(case_sensitive, _release(amendment=True))
    assert _keys(case_sensitive) == ["S/2024/255", AMENDMENT_KEY]
    _press(case_sensitive, _release())
    assert _keys(case_sensitive) == ["S/2024/255"]
    assert _votes(case_sensitive) == [("S/2024/255", "CHN", "A", None, RELEASE_URL),
                                      ("S/2024/255", "RUS", "N", None, RELEASE_URL)]


def test_the_meeting_records_wanted_where_like_minds_case(case_sensitive: Engine) -> None:
    """As tests.test_mutants_roll_calls_r5.test_the_meeting_records_wanted: the records
    (``S/PV...``, never a letter such as S/2024/300) of votes not named in full."""
    _wanted_db(case_sensitive)
    with Session(case_sensitive) as session:
        assert meeting_records_wanted(session, everything=False) == [
            ("S/PV.202", 1947), ("S/PV.1000", 1962), ("S/PV.9000", 2022), ("S/PV.9401", 2023),
            ("S/PV.9591", 2024), ("S/PV.9600", 2024)]


# --- which meeting a release is of -----------------------------------------------------------

def _real_table_2024(db: Engine) -> None:
    """The real 2024 table's page: it names S/PV.9591's release, SC/15648."""
    with Session(db) as session:
        ensure_members(session)
        page = parse_meetings_table((FIXTURES / "dhl" / "scact2024_table_en.htm").read_bytes(),
                                    year=2024, url=TABLE_2024)
        store_meetings_table(session, page, url=TABLE_2024, fetched_at=WHEN)
        session.commit()


def test_a_release_that_does_not_name_its_meeting_is_of_the_meeting_the_table_gives_it(
        db: Engine) -> None:
    """A release whose text names no meeting is of the one meeting the table lists it for
    (SC/15648 at S/PV.9591): its roll call is stored there, as of a meeting the table names,
    and nothing is stored as provisional."""
    _real_table_2024(db)
    _press(db, replace(_release(), meeting=None))
    assert _votes(db) == [("S/2024/255", "CHN", "A", None, RELEASE_URL),
                          ("S/2024/255", "RUS", "N", None, RELEASE_URL)]
    assert [f[2] for f in _findings(db) if f[0] == "press-releases"] == [
        "press_votes_not_derived"]
    with Session(db) as session:
        assert provisional_releases(session) == []


def test_a_release_of_a_meeting_where_the_table_records_no_vote_is_not_kept(db: Engine) -> None:
    """The table names S/PV.9591 with a presidential statement and no vote: the release's
    vote is no vote the tables record there, and the finding says they record none."""
    _tables(db, [("S/PV.9591", "28 March", "S/PRST/2024/2")], 2024, TABLE_2024)
    _press(db, _release())
    assert [(f[2], f[4]) for f in _findings(db) if f[0] == "press-releases"] == [(
        "press_vote_unmatched",
        "the release counts a vote (13-1-1) on S/2024/255, which is no vote the tables record "
        "at that meeting (they record no vote); the release's vote is not kept (not stored "
        "or, stored from the release before the tables named the meeting, removed)")]
    assert _votes(db) == []


# --- amendments of a release -----------------------------------------------------------------

def test_a_provisional_release_read_again_stores_no_amendment(db: Engine) -> None:
    """Before any table names S/PV.9591, the release is stored as provisional: its draft's
    vote, not its amendment's (what an amendment amends is known from the tables only), also
    when it is read again and its provisional vote on S/2024/255 is stored already."""
    for _ in range(2):
        _press(db, _release(amendment=True))
        assert _keys(db) == ["S/2024/255"]
        assert [(f[2], f[4]) for f in _findings(db) if f[2] == "press_amendment_not_stored"] == [(
            "press_amendment_not_stored",
            "the release counts a vote on an amendment (S/2024/256, 2-11-2) to no draft the "
            "tables record at that meeting: not stored")]


@pytest.mark.parametrize(("symbols", "said"), [
    ((), "no symbol"),                                   # an oral amendment
    (("S/2024/256", "S/2024/253"), "S/2024/256, S/2024/253"),  # its text and a draft
])
def test_an_amendment_not_stored_is_named_as_the_release_names_it(
        db: Engine, symbols: tuple[str, ...], said: str) -> None:
    """An amendment voted after the meeting's last draft amends no draft voted next: not
    stored, and the finding names what the release names of it."""
    _table_2024(db)
    amendment, draft = _release(amendment=True).votes
    _press(db, replace(_release(), votes=[draft, replace(amendment, symbols=symbols)]))
    assert [(f[2], f[4]) for f in _findings(db) if f[2] == "press_amendment_not_stored"] == [(
        "press_amendment_not_stored",
        f"the release counts a vote on an amendment ({said}, 2-11-2) to no draft the tables "
        "record at that meeting: not stored")]
    assert _keys(db) == ["S/2024/255"]


# --- a release that disagrees with the record ------------------------------------------------

def test_a_release_naming_two_members_otherwise_than_the_record_says_both(db: Engine) -> None:
    """The record of S/PV.9591 names Russia against and China abstaining; a release that
    swaps them (the same count, 13-1-1) disagrees on both, in one finding."""
    _table_2024(db)
    _record(db, "S/PV.9591", [_vote(NAMED_9591, ("S/2024/255",))], url=RECORD_URL)
    release = _release()
    [draft] = release.votes
    _press(db, replace(release, votes=[replace(draft, named={"N": ("CHN",), "A": ("RUS",)})]))
    assert [(f[2], f[4]) for f in _findings(db) if f[0] == "press-releases"] == [(
        "press_roll_call_disagrees",
        "the release's roll call on S/2024/255 disagrees with the stored one (CHN A there, N "
        "here; RUS N there, A here); the stored one was kept")]
    assert _votes(db) == _rolled("S/2024/255", NAMED_9591, RECORD_URL)
