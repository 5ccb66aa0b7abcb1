"""The bulk path of a first sync's roll calls (issue 13, speed) must write exactly what the
general upsert writes: the same rows, values and provenance, stored the same way."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import Engine, text

from db.engine import make_engine, session_scope, upgrade
from db.models import MemberVote
from db.store import MEMBER_VOTE_COLUMNS, ensure_members, store_voting_records
from db.upsert import insert_new, upsert
from scrapers.undl.parse import parse_record_xml

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "undl"
T = dt.datetime(2024, 3, 28, 12, 0, 5, 123456, tzinfo=dt.UTC)
# Its meeting, draft, resolution, vote event and source record, and fifteen votes.
FIRST_NEW = 20


def _stored(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(
            "SELECT id, vote_event_id, member_code, vote, name_at_time, source_url, fetched_at "
            "FROM member_vote ORDER BY id"))]


def test_plain_tuples_are_stored_as_the_upsert_stores_rows(tmp_path: Path) -> None:
    """``insert_new`` must store tuples exactly as ``upsert`` stores the same rows as dicts
    (the fetch time in the same text, a missing name as NULL), and count them new."""
    rows = [(1, "USA", "Y", "UNITED STATES", "http://x/record/1", T),
            (1, "FRA", "A", None, "http://x/record/1", T),
            (2, "USA", "N", "UNITED STATES", "http://x/record/2", T)]
    engines = [make_engine(f"sqlite:///{tmp_path / name}") for name in ("a.sqlite", "b.sqlite")]
    for engine in engines:
        upgrade(engine)
        with engine.begin() as connection:
            connection.execute(text("PRAGMA foreign_keys=OFF"))
    with session_scope(engines[0]) as session:
        session.connection().exec_driver_sql("PRAGMA foreign_keys=OFF")
        counts = insert_new(session, MemberVote, MEMBER_VOTE_COLUMNS, rows)
    with session_scope(engines[1]) as session:
        session.connection().exec_driver_sql("PRAGMA foreign_keys=OFF")
        _, general = upsert(session, MemberVote,
                            [dict(zip(MEMBER_VOTE_COLUMNS, row, strict=True)) for row in rows],
                            key=("vote_event_id", "member_code"), new_ids=False)
    assert (counts.new, counts.changed, counts.unchanged) == (3, 0, 0) == (
        general.new, general.changed, general.unchanged)
    assert _stored(engines[0]) == _stored(engines[1]) == [
        (1, 1, "USA", "Y", "UNITED STATES", "http://x/record/1", "2024-03-28 12:00:05.123456"),
        (2, 1, "FRA", "A", None, "http://x/record/1", "2024-03-28 12:00:05.123456"),
        (3, 2, "USA", "N", "UNITED STATES", "http://x/record/2", "2024-03-28 12:00:05.123456")]


def test_a_first_sync_stores_the_real_roll_call_of_2722(engine: Engine, shared_data: Path
                                                         ) -> None:
    """The real record of resolution 2722 (2024), stored into an empty database, must give
    its fifteen votes as the record states them, counted new, and storing it again must
    change nothing (the general path takes over once the event holds votes)."""
    path = shared_data / "undl_records" / "record_4033397_S-RES-2722(2024)_vote.marcxml.xml"
    record = parse_record_xml(path.read_bytes(), base_url="https://digitallibrary.un.org")
    upgrade(engine)
    with session_scope(engine) as session:
        ensure_members(session)
        first = store_voting_records(session, [record], source="undl-votes", fetched_at=T)
    with engine.connect() as connection:
        votes = connection.execute(text(
            "SELECT member_code, vote FROM member_vote ORDER BY member_code")).all()
    assert [tuple(v) for v in votes] == [
        ("CHE", "Y"), ("CHN", "A"), ("DZA", "A"), ("ECU", "Y"), ("FRA", "Y"), ("GBR", "Y"),
        ("GUY", "Y"), ("JPN", "Y"), ("KOR", "Y"), ("MLT", "Y"), ("MOZ", "A"), ("RUS", "A"),
        ("SLE", "Y"), ("SVN", "Y"), ("USA", "Y")]
    assert first.new == FIRST_NEW
    with session_scope(engine) as session:
        again = store_voting_records(session, [record], source="undl-votes", fetched_at=T)
    assert (again.new, again.changed, again.deleted) == (0, 0, 0)
