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
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlmodel import Session

from db.engine import make_engine, upgrade
from db.roll_calls import meeting_records_wanted
from tests.test_findings_bite import RELEASE_URL, _release
from tests.test_mutants_roll_calls_r5 import (
    NAMED_9591,
    RECORD_URL,
    _keys,
    _press,
    _record,
    _rolled,
    _table_2024,
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
