"""The meeting records' roll calls at the store (``db.roll_calls.store_meeting_record``), and
the provisional votes of a press release (``_provisional_event``): what the mutation run of
db/roll_calls.py found untested (issue "Tests that bite", fifth round).

Each test stores a small meetings table in the real page's shape (and a release, where the
case needs one), then a meeting record's votes as ``scrapers.verbatim.parse`` gives them, and
asserts the exact rows: member votes, vetoes, findings and the record's ``source_record``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session

from council.records import Tally
from db.engine import upgrade
from db.models import (
    CouncilMember,
    Draft,
    Meeting,
    MemberVote,
    Resolution,
    SourceRecord,
    SymbolLookup,
    Veto,
    VoteEvent,
)
from db.models import Finding as FindingRow
from db.roll_calls import (
    derive_membership,
    meeting_records_wanted,
    membership_of,
    press_releases_wanted,
    provisional_releases,
    store_meeting_record,
    store_press_release,
)
from db.store import ensure_members, store_meetings_table
from db.upsert import Counts, table_of, upsert
from scrapers.dhl.parse import parse_meetings_table
from scrapers.press.parse import PressRelease, parse_press_release
from scrapers.verbatim.parse import MeetingRecordVotes, RecordVote, parse_meeting_record
from tests.conftest import FIXTURES
from tests.test_findings_bite import RELEASE_URL, TABLE_2024, WHEN, _release, _table
from tests.test_verbatim_parse import IN_FAVOUR_2024, S_PV_9591, tiny_pdf

DOCS = "https://documents.un.org/api/symbol/access?s={}&l=en&t=pdf"
RECORD_URL = DOCS.format("S%2FPV.9591")
TABLE_2023 = "https://www.un.org/depts/dhl/resguide/scact2023_table_en.htm"
TABLE_1950 = "https://www.un.org/depts/dhl/resguide/scact1950_table_en.htm"
COUNCIL_2023 = ("ALB", "BRA", "CHN", "ECU", "FRA", "GAB", "GHA", "GBR", "JPN", "MLT", "MOZ",
                "RUS", "ARE", "USA", "CHE")
MEMBERS_1950 = ("CHN", "FRA", "GBR", "USA", "SUN", "CUB", "ECU", "EGY", "IND", "NOR", "YUG")
# S/PV.9591 as the record names it: 13 in favour, Russia against, China abstaining
NAMED_9591 = {"Y": IN_FAVOUR_2024, "N": ("RUS",), "A": ("CHN",)}


@pytest.fixture
def db(sqlite_engine: Engine) -> Engine:
    upgrade(sqlite_engine)
    return sqlite_engine


@pytest.fixture
def both(engine: Engine) -> Engine:
    """SQLite, and PostgreSQL when TRACKER_TEST_DATABASE_URL is set (LIKE is case-sensitive
    there only)."""
    upgrade(engine)
    return engine


def _vote(named: dict[str, tuple[str, ...]], symbols: tuple[str, ...] = (), *,
          amendment: bool = False) -> RecordVote:
    tally = Tally(len(named["Y"]), len(named["N"]), len(named["A"]))
    return RecordVote(named=named, tally=tally, symbols=symbols, amendment=amendment, block="")


def _tables(db: Engine, rows: list[tuple[str, str, str]], year: int, url: str) -> None:
    """Store a yearly meetings table of (record, date, outcome) rows."""
    with Session(db) as session:
        ensure_members(session)
        page = parse_meetings_table(_table(rows, year), year=year, url=url)
        store_meetings_table(session, page, url=url, fetched_at=WHEN)
        session.commit()


def _table_2024(db: Engine) -> None:
    _tables(db, [("S/PV.9591", "28 March",
                  "Draft resolution S/2024/255 vetoed by Russian Federation 13-1-1")],
            2024, TABLE_2024)


def _press(db: Engine, release: PressRelease) -> Counts:
    with Session(db) as session:
        ensure_members(session)
        counts = store_press_release(session, release, url=RELEASE_URL, fetched_at=WHEN)
        session.commit()
    return counts


def _record(db: Engine, record: str, votes: list[RecordVote], *,
            url: str | None = None) -> Counts:
    with Session(db) as session:
        ensure_members(session)
        counts = store_meeting_record(
            session, MeetingRecordVotes(record, votes=votes),
            url=url or DOCS.format(record.replace("/", "%2F")), fetched_at=WHEN)
        session.commit()
    return counts


def _rows(db: Engine, model: Any, *columns: str) -> list[tuple[Any, ...]]:
    t, ve = table_of(model), table_of(VoteEvent)
    with db.connect() as connection:
        return sorted(tuple(r) for r in connection.execute(
            select(ve.c.key, *(t.c[c] for c in columns)).join(ve, ve.c.id == t.c.vote_event_id)))


def _votes(db: Engine) -> list[tuple[Any, ...]]:
    """(vote key, member, vote, derived, source url) of every member vote."""
    return _rows(db, MemberVote, "member_code", "vote", "derived", "source_url")


def _vetoes(db: Engine) -> list[tuple[Any, ...]]:
    return _rows(db, Veto, "member_code", "source")


def _findings(db: Engine) -> list[tuple[Any, ...]]:
    f = table_of(FindingRow)
    with db.connect() as connection:
        return sorted(tuple(r) for r in connection.execute(
            select(f.c.source, f.c.record, f.c.kind, f.c.severity, f.c.message, f.c.url)
            .where(f.c.source != "dhl-meetings")))


def _source_records(db: Engine) -> list[tuple[Any, ...]]:
    sr, ve = table_of(SourceRecord), table_of(VoteEvent)
    with db.connect() as connection:
        return sorted(tuple(r) for r in connection.execute(
            select(sr.c.source, sr.c.record_id, ve.c.key, sr.c.source_url)
            .outerjoin(ve, ve.c.id == sr.c.vote_event_id)))


def _rolled(key: str, named: dict[str, tuple[str, ...]], url: str) -> list[tuple[Any, ...]]:
    return sorted((key, c, side, None, url) for side, codes in named.items() for c in codes)


# --- the record's roll call replaces a release's ---------------------------------------------

def test_the_records_roll_call_replaces_the_releases_and_gives_the_veto(db: Engine) -> None:
    """S/PV.9591: the release names Russia and China (the others not derived: the membership
    of 2024 is not known); the record names all fifteen, and replaces the release's."""
    _table_2024(db)
    _press(db, _release())
    assert _votes(db) == [("S/2024/255", "CHN", "A", None, RELEASE_URL),
                          ("S/2024/255", "RUS", "N", None, RELEASE_URL)]
    record = parse_meeting_record(tiny_pdf(S_PV_9591), record="S/PV.9591")
    with Session(db) as session:
        counts = store_meeting_record(session, record, url=RECORD_URL, fetched_at=WHEN)
        session.commit()
    assert _votes(db) == _rolled("S/2024/255", NAMED_9591, RECORD_URL)
    # the table's veto, and the one the record's roll call shows
    assert _vetoes(db) == [("S/2024/255", "RUS", "dhl-meetings"),
                           ("S/2024/255", "RUS", "roll-call")]
    assert [f for f in _findings(db) if f[0] == "meeting-records"] == []
    assert _source_records(db) == [
        ("meeting-records", "S/PV.9591", "S/2024/255", RECORD_URL),
        ("press-releases", "SC/15648", "S/2024/255", RELEASE_URL)]
    # 13 member votes and the record's source row new; the release's two votes changed (their
    # source is now the record), its veto of Russia kept
    assert counts == Counts(new=14, changed=2, unchanged=1, deleted=0)


def test_a_record_that_differs_from_the_release_and_the_table_is_kept_with_two_findings(
        db: Engine) -> None:
    """A record whose block misses China (14 named): the release named China abstaining, the
    table counts 13-1-1; the record's roll call is kept, and both differences are findings."""
    _table_2024(db)
    _press(db, _release())
    named = {"Y": IN_FAVOUR_2024, "N": ("RUS",), "A": ()}
    _record(db, "S/PV.9591", [_vote(named, ("S/2024/255",))])
    assert _votes(db) == _rolled("S/2024/255", named, RECORD_URL)
    assert [f for f in _findings(db) if f[0] == "meeting-records"] == [
        ("meeting-records", "S/PV.9591", "record_disagrees_with_press", "warning",
         "the meeting record's roll call on S/2024/255 differs from the one stored before "
         "(CHN A there, not named here); the record's was kept", RECORD_URL),
        ("meeting-records", "S/PV.9591", "record_disagrees_with_tally", "error",
         "the meeting record's roll call on S/2024/255 counts 13-1-0, the meetings table "
         "13-1-1; the record's roll call was stored (it is the official account)", RECORD_URL)]


@pytest.mark.parametrize(("printed", "named", "message"), [
    # S/2024/900-like: 2 in favour, none against, 13 abstaining; the record reads one
    # abstention as a vote against
    ("Draft resolution S/2024/900 not adopted 2-0-13", {"Y": ("CHN", "RUS"), "N": ("USA",)},
     "counts 2-1-12, the meetings table 2-0-13"),
    # 13-2-0: the record misses one vote against and names it abstaining
    ("Draft resolution S/2024/900 vetoed by Russian Federation, China 13-2-0",
     {"Y": IN_FAVOUR_2024, "N": ("RUS",), "A": ("CHN",)},
     "counts 13-1-1, the meetings table 13-2-0"),
])
def test_a_table_tally_with_none_against_or_abstaining_is_written_with_its_zero(
        db: Engine, printed: str, named: dict[str, tuple[str, ...]], message: str) -> None:
    _tables(db, [("S/PV.9600", "10 April", printed)], 2024, TABLE_2024)
    council = set(IN_FAVOUR_2024) | {"RUS", "CHN"}
    given = {"N": (), "A": (), **named}
    given["A"] = given["A"] or tuple(sorted(council - {c for s in named.values() for c in s}))
    _record(db, "S/PV.9600", [_vote(given, ("S/2024/900",))])
    [(kind, text)] = [(f[2], f[4]) for f in _findings(db) if f[0] == "meeting-records"]
    assert (kind, text) == (
        "record_disagrees_with_tally",
        f"the meeting record's roll call on S/2024/900 {message}; the record's roll call was "
        "stored (it is the official account)")


def test_a_record_read_again_replaces_its_own_roll_call_and_findings(db: Engine) -> None:
    """Read first with China misread as against (13-2-0: a tally finding), then read again
    right: China abstaining, no finding at all (its own earlier roll call is no other
    source's), the first reading's finding gone."""
    _table_2024(db)
    wrong = {"Y": IN_FAVOUR_2024, "N": ("RUS", "CHN"), "A": ()}
    _record(db, "S/PV.9591", [_vote(wrong, ("S/2024/255",))], url=RECORD_URL)
    assert [f[2] for f in _findings(db)] == ["record_disagrees_with_tally"]
    assert _vetoes(db) == [("S/2024/255", "CHN", "roll-call"),
                           ("S/2024/255", "RUS", "dhl-meetings"),
                           ("S/2024/255", "RUS", "roll-call")]
    counts = _record(db, "S/PV.9591", [_vote(NAMED_9591, ("S/2024/255",))], url=RECORD_URL)
    assert _findings(db) == []
    assert _votes(db) == _rolled("S/2024/255", NAMED_9591, RECORD_URL)
    assert _vetoes(db) == [("S/2024/255", "RUS", "dhl-meetings"),
                           ("S/2024/255", "RUS", "roll-call")]
    # China's veto and the finding deleted; China's vote changed (by the update after the
    # replace); the 14 other votes, Russia's veto and the source row unchanged
    assert counts == Counts(new=0, changed=1, unchanged=16, deleted=2)


# --- which vote of the meeting the record's roll call is of ----------------------------------

TABLE_9600 = [("S/PV.9600", "10 April",
               "S/RES/2728 (2024) 14-0-1 Draft resolution S/2024/900 vetoed by Russian "
               "Federation 13-1-1")]


def test_the_one_failed_vote_of_the_meeting_is_taken_when_the_record_names_no_symbol(
        db: Engine) -> None:
    """A meeting that adopts a resolution (its draft S/2024/899, by its roll call) and then
    fails a draft the record does not name before its vote: the second roll call is the
    failed draft's, the first is no one's (an adoption's roll call is the voting records')."""
    _tables(db, TABLE_9600, 2024, TABLE_2024)
    adopted = {"Y": tuple(sorted(set(IN_FAVOUR_2024) | {"CHN"})), "N": (), "A": ("RUS",)}
    _record(db, "S/PV.9600", [_vote(adopted, ("S/2024/899",)), _vote(NAMED_9591)])
    url = DOCS.format("S%2FPV.9600")
    assert _votes(db) == _rolled("S/2024/900", NAMED_9591, url)
    assert _vetoes(db) == [("S/2024/900", "RUS", "dhl-meetings"),
                           ("S/2024/900", "RUS", "roll-call")]
    assert _source_records(db) == [("meeting-records", "S/PV.9600", "S/2024/900", url)]


def test_a_vote_naming_no_symbol_at_a_meeting_of_two_failed_drafts_is_no_ones(
        db: Engine) -> None:
    _tables(db, [("S/PV.9453", "25 October",
                  "Draft resolution S/2023/792 vetoed by China, Russian Federation 10-3-2 "
                  "Draft resolution S/2023/795 not adopted 4-2-9")], 2023, TABLE_2023)
    y, n = ("ALB", "ECU", "FRA", "GAB", "GBR", "JPN", "MLT", "CHE", "USA", "GHA"), ("CHN", "RUS",
                                                                                  "ARE")
    _record(db, "S/PV.9453", [_vote({"Y": y, "N": n, "A": ("BRA", "MOZ")})])
    assert _votes(db) == []
    assert _source_records(db) == [("meeting-records", "S/PV.9453", None, DOCS.format(
        "S%2FPV.9453"))]


def test_two_failed_drafts_of_one_meeting_keep_both_roll_calls_and_other_meetings_theirs(
        db: Engine) -> None:
    """S/PV.9453 (25 October 2023): the United States' draft vetoed by China and Russia, then
    Russia's short of votes. Both roll calls and the first one's vetoes are stored; the
    record of S/PV.9591 stored before keeps its own."""
    _table_2024(db)
    _record(db, "S/PV.9591", [_vote(NAMED_9591, ("S/2024/255",))], url=RECORD_URL)
    _tables(db, [("S/PV.9453", "25 October",
                  "Draft resolution S/2023/792 vetoed by China, Russian Federation 10-3-2 "
                  "Draft resolution S/2023/795 not adopted 4-2-9")], 2023, TABLE_2023)
    first = {"Y": ("ALB", "ECU", "FRA", "GAB", "GBR", "JPN", "MLT", "CHE", "USA", "GHA"),
             "N": ("CHN", "RUS", "ARE"), "A": ("BRA", "MOZ")}
    second = {"Y": ("CHN", "GAB", "RUS", "ARE"), "N": ("GBR", "USA"),
              "A": ("ALB", "BRA", "ECU", "FRA", "GHA", "JPN", "MLT", "MOZ", "CHE")}
    url = DOCS.format("S%2FPV.9453")
    counts = _record(db, "S/PV.9453", [_vote(first, ("S/2023/792",)),
                                       _vote(second, ("S/2023/795",))])
    assert _votes(db) == sorted([*_rolled("S/2023/792", first, url),
                                 *_rolled("S/2023/795", second, url),
                                 *_rolled("S/2024/255", NAMED_9591, RECORD_URL)])
    assert [v for v in _vetoes(db) if v[2] == "roll-call"] == [
        ("S/2023/792", "CHN", "roll-call"), ("S/2023/792", "RUS", "roll-call"),
        ("S/2024/255", "RUS", "roll-call")]
    assert _source_records(db) == [("meeting-records", "S/PV.9453", None, url),
                                   ("meeting-records", "S/PV.9591", "S/2024/255", RECORD_URL)]
    assert counts == Counts(new=33, changed=0, unchanged=0, deleted=0)


def test_a_veto_of_1950_is_held_to_the_council_of_eleven(db: Engine) -> None:
    """8 of 11 in favour had the votes in 1950 (seven needed): the USSR's "no" is a veto."""
    _tables(db, [("S/PV.496", "12 September", "Draft resolution S/1894 vetoed by USSR 8-1-2")],
            1950, TABLE_1950)
    named = {"Y": ("CHN", "CUB", "ECU", "EGY", "FRA", "GBR", "NOR", "USA"), "N": ("SUN",),
             "A": ("IND", "YUG")}
    _record(db, "S/PV.496", [_vote(named, ("S/1894",))])
    assert _vetoes(db) == [("S/1894", "SUN", "dhl-meetings"), ("S/1894", "SUN", "roll-call")]


# --- amendments ------------------------------------------------------------------------------

# 22 December 2023 (resolution 2720): Russia's amendment had 10 votes and failed by the
# United States' vote against; here put to the vote at S/PV.9591 before S/2024/255
AMENDMENT_VETOED = (
    b"<p>The Council first voted on an amendment (document S/2024/256) proposed by the "
    b"Russian Federation. By a vote of 10 in favour (Algeria, China, Ecuador, Guyana, "
    b"Malta, Mozambique, Russian Federation, Sierra Leone, Slovenia, Switzerland) to 1 "
    b"against (United States), with 4 abstentions (France, Japan, Republic of Korea, "
    b"United Kingdom), the amendment was not adopted.</p>\n")
AMENDMENT_NAMED = {"Y": ("DZA", "CHN", "ECU", "GUY", "MLT", "MOZ", "RUS", "SLE", "SVN", "CHE"),
                   "N": ("USA",), "A": ("FRA", "JPN", "KOR", "GBR")}


def test_the_record_replaces_the_roll_call_of_an_amendment_a_release_counted_with_no_veto(
        db: Engine) -> None:
    _table_2024(db)
    page = (FIXTURES / "press" / "sc15648.htm").read_bytes().replace(
        b"<p>The Council rejected draft", AMENDMENT_VETOED + b"<p>The Council rejected draft")
    _press(db, parse_press_release(page, url=RELEASE_URL))
    key = "S/2024/255 (amendment S/2024/256)"
    # failed with the votes to pass: not adopted (no veto is recorded of an amendment)
    assert _event(db, key) == ("not_adopted", 10, 1, 4, 0, RELEASE_URL)
    assert _vetoes(db) == [("S/2024/255", "RUS", "dhl-meetings"),
                           ("S/2024/255", "RUS", "roll-call")]
    assert _rows(db, MemberVote, "source_url") == sorted(
        [(key, RELEASE_URL)] * 15 + [("S/2024/255", RELEASE_URL)] * 2)
    _record(db, "S/PV.9591", [_vote(AMENDMENT_NAMED, ("S/2024/256",), amendment=True),
                              _vote(NAMED_9591, ("S/2024/255",))], url=RECORD_URL)
    assert _votes(db) == sorted([*_rolled(key, AMENDMENT_NAMED, RECORD_URL),
                                 *_rolled("S/2024/255", NAMED_9591, RECORD_URL)])
    # no veto of an amendment: the United States' "no" is not one
    assert _vetoes(db) == [("S/2024/255", "RUS", "dhl-meetings"),
                           ("S/2024/255", "RUS", "roll-call")]


def test_an_amendment_no_release_counted_is_not_stored_and_the_draft_after_it_is(
        db: Engine) -> None:
    _table_2024(db)
    _record(db, "S/PV.9591", [_vote(AMENDMENT_NAMED, ("S/2024/256",), amendment=True),
                              _vote(NAMED_9591, ("S/2024/255",))], url=RECORD_URL)
    assert _votes(db) == _rolled("S/2024/255", NAMED_9591, RECORD_URL)
    with db.connect() as connection:
        assert connection.execute(select(table_of(VoteEvent).c.key)).scalars().all() == [
            "S/2024/255"]


# --- a release's provisional votes -----------------------------------------------------------

def _event(db: Engine, key: str) -> tuple[Any, ...]:
    ve = table_of(VoteEvent)
    with db.connect() as connection:
        return tuple(connection.execute(
            select(ve.c.outcome, ve.c.yes, ve.c.no, ve.c.abstain, ve.c.non_voting,
                   ve.c.source_url).where(ve.c.key == key)).one())


def test_a_provisional_failed_vote_of_fifteen_has_no_one_not_voting(db: Engine) -> None:
    _press(db, _release())
    assert _event(db, "S/2024/255") == ("vetoed", 13, 1, 1, 0, RELEASE_URL)


def test_a_provisional_adoption_that_does_not_name_its_resolution_is_not_stored(
        db: Engine) -> None:
    release = _release()
    [vote] = release.votes
    adopted = replace(vote, outcome="adopted", resolution=None, symbols=("S/2024/255",),
                      tally=Tally(15, 0, 0), named={"Y": (), "N": (), "A": ()})
    with Session(db) as session:
        ensure_members(session)
        store_press_release(session, replace(release, votes=[adopted]), url=RELEASE_URL,
                            fetched_at=WHEN)
        session.commit()
    assert [(f[2], f[4]) for f in _findings(db)] == [(
        "press_vote_unmatched",
        "the release counts a vote (15-0-0) on S/2024/255 and does not say which resolution "
        "it adopted; no meetings table names the meeting yet: the vote was not stored")]
    with db.connect() as connection:
        assert connection.execute(select(table_of(VoteEvent).c.key)).all() == []


UNDL_URL = "https://digitallibrary.un.org/record/4043907"


def test_a_provisional_adoption_of_a_resolution_another_source_states_leaves_its_provenance(
        db: Engine) -> None:
    """The Digital Library states S/RES/2728 (2024) before any meetings table names its
    meeting: a release that counts its adoption adds the date and meeting to it, and the
    resolution stays the Library's."""
    with Session(db) as session:
        upsert(session, Resolution, [{"symbol": "S/RES/2728 (2024)", "number": 2728,
                                      "year": 2024, "title": "Resolution 2728 (2024)"}],
               key="symbol", provenance={"source_url": UNDL_URL, "fetched_at": WHEN})
        session.commit()
    release = _release()
    [vote] = release.votes
    adopted = replace(vote, outcome="adopted", resolution="S/RES/2728 (2024)",
                      symbols=("S/2024/899",), tally=Tally(14, 0, 1),
                      named={"Y": (), "N": (), "A": ("USA",)})
    _press(db, replace(release, votes=[adopted]))
    r, m = table_of(Resolution), table_of(Meeting)
    with db.connect() as connection:
        assert connection.execute(select(r.c.date, m.c.record, r.c.source_url).join(
            m, m.c.id == r.c.meeting_id)).all() == [(dt.date(2024, 3, 28), "S/PV.9591", UNDL_URL)]
    assert _event(db, "S/RES/2728 (2024)")[:5] == ("adopted_with_vote", 14, 0, 1, 0)


def test_a_provisional_release_is_held_to_a_vote_another_source_stored_under_its_key(
        db: Engine) -> None:
    """The Digital Library's voting record of S/2024/255 (no meeting) is stored before any
    table names S/PV.9591: the release's vote is that one, not made again from its words."""
    with Session(db) as session:
        ids, _ = upsert(session, Draft, [{"symbol": "S/2024/255"}], key="symbol")
        upsert(session, VoteEvent, [{
            "key": "S/2024/255", "draft_id": ids["S/2024/255"], "date": dt.date(2024, 3, 28),
            "outcome": "vetoed", "yes": 13, "no": 1, "abstain": 1, "non_voting": 0}],
            key="key", provenance={"source_url": UNDL_URL, "fetched_at": WHEN})
        session.commit()
    _press(db, _release())
    ve = table_of(VoteEvent)
    with db.connect() as connection:
        assert connection.execute(select(ve.c.key, ve.c.meeting_id, ve.c.source_url)).all() == [
            ("S/2024/255", None, UNDL_URL)]


UNDL_DRAFT_URL = "https://digitallibrary.un.org/record/4043905"


def test_a_provisional_failed_vote_on_a_draft_another_source_states_leaves_it_its_own(
        db: Engine) -> None:
    """The Digital Library states the draft S/2024/255, dated the day it was issued (27 March)
    and of no known status, before any table names S/PV.9591: a release that counts its
    failure adds its status; the draft keeps its date and stays the Library's."""
    with Session(db) as session:
        upsert(session, Draft, [{"symbol": "S/2024/255", "date": dt.date(2024, 3, 27)}],
               key="symbol", provenance={"source_url": UNDL_DRAFT_URL, "fetched_at": WHEN})
        session.commit()
    _press(db, _release())
    d = table_of(Draft)
    with db.connect() as connection:
        assert connection.execute(select(d.c.symbol, d.c.date, d.c.status, d.c.source_url)
                                  ).all() == [("S/2024/255", dt.date(2024, 3, 27), "vetoed",
                                               UNDL_DRAFT_URL)]
    assert _event(db, "S/2024/255") == ("vetoed", 13, 1, 1, 0, RELEASE_URL)


def test_a_provisional_adoption_keeps_the_date_another_source_gives_its_resolution(
        db: Engine) -> None:
    """A resolution the Library dates otherwise (the day its document was issued) keeps that
    date: the release only fills what no source gave."""
    with Session(db) as session:
        upsert(session, Resolution, [{"symbol": "S/RES/2728 (2024)", "number": 2728,
                                      "year": 2024, "date": dt.date(2024, 3, 29)}],
               key="symbol", provenance={"source_url": UNDL_URL, "fetched_at": WHEN})
        session.commit()
    release = _release()
    [vote] = release.votes
    _press(db, replace(release, votes=[replace(
        vote, outcome="adopted", resolution="S/RES/2728 (2024)", symbols=("S/2024/899",),
        tally=Tally(14, 0, 1), named={"Y": (), "N": (), "A": ("USA",)})]))
    r, m = table_of(Resolution), table_of(Meeting)
    with db.connect() as connection:
        assert connection.execute(select(r.c.date, m.c.record, r.c.source_url).join(
            m, m.c.id == r.c.meeting_id)).all() == [(dt.date(2024, 3, 29), "S/PV.9591", UNDL_URL)]


def test_a_record_of_a_meeting_not_stored_stores_no_roll_call(db: Engine) -> None:
    """The Library's voting record of S/2024/255 is stored, not linked to any meeting; the
    record of S/PV.9591, a meeting no source stored, is of no vote: nothing of it is kept but
    the note that it was read."""
    with Session(db) as session:
        ids, _ = upsert(session, Draft, [{"symbol": "S/2024/255"}], key="symbol")
        upsert(session, VoteEvent, [{
            "key": "S/2024/255", "draft_id": ids["S/2024/255"], "date": dt.date(2024, 3, 28),
            "outcome": "vetoed", "yes": 13, "no": 1, "abstain": 1, "non_voting": 0}],
            key="key", provenance={"source_url": UNDL_URL, "fetched_at": WHEN})
        session.commit()
    _record(db, "S/PV.9591", [_vote(NAMED_9591, ("S/2024/255",))], url=RECORD_URL)
    assert _votes(db) == []
    assert _source_records(db) == [("meeting-records", "S/PV.9591", None, RECORD_URL)]


def _keys(db: Engine) -> list[str]:
    with db.connect() as connection:
        return sorted(connection.execute(select(table_of(VoteEvent).c.key)).scalars())


@pytest.mark.parametrize(("order", "keys"), [
    # a draft failed first, then the amendment to the next draft and that draft
    (["S/2024/254", "amendment", "S/2024/255"],
     ["S/2024/254", "S/2024/255", "S/2024/255 (amendment S/2024/256)"]),
    # an amendment to a draft the table does not record at the meeting (not stored), then
    # the amendment to S/2024/255
    (["amendment S/2024/257", "S/2024/253", "amendment", "S/2024/255"],
     ["S/2024/254", "S/2024/255", "S/2024/255 (amendment S/2024/256)"]),
])
def test_an_amendment_is_of_the_draft_voted_next_wherever_it_comes_in_the_release(
        db: Engine, order: list[str], keys: list[str]) -> None:
    _tables(db, [("S/PV.9591", "28 March",
                  "Draft resolution S/2024/254 not adopted 2-0-13 Draft resolution S/2024/255 "
                  "vetoed by Russian Federation 13-1-1")], 2024, TABLE_2024)
    amendment, draft = _release(amendment=True).votes
    votes = {"amendment": amendment, "S/2024/255": draft,
             "amendment S/2024/257": replace(amendment, symbols=("S/2024/257",)),
             "S/2024/253": replace(draft, symbols=("S/2024/253",)),
             "S/2024/254": replace(draft, symbols=("S/2024/254",), tally=Tally(2, 0, 13),
                                   named={"N": (), "A": ()})}
    _press(db, replace(_release(), votes=[votes[v] for v in order]))
    assert _keys(db) == keys
    # the votes after an amendment not stored are read on: S/2024/255's roll call is stored
    assert [r for r in _rows(db, MemberVote, "member_code") if r[0] == "S/2024/255"] == [
        ("S/2024/255", "CHN"), ("S/2024/255", "RUS")]
    assert [f[4] for f in _findings(db) if f[2] == "press_amendment_not_stored"] == (
        ["the release counts a vote on an amendment (S/2024/257, 2-11-2) to no draft the "
         "tables record at that meeting: not stored"] if "S/2024/253" in order else [])


# --- which press releases and meeting records are wanted -------------------------------------

COUNCIL_2022 = ("ALB", "BRA", "CHN", "FRA", "GAB", "GHA", "GBR", "IND", "IRL", "KEN", "MEX",
                "NOR", "RUS", "ARE", "USA")
# (record, release, date, outcome, member votes stored: named, derived)
MEETINGS = [
    ("S/PV.9000", "SC/15000", dt.date(2022, 5, 26), "vetoed", 2, 13),   # derived in part
    ("S/PV.9001", "SC/15001", dt.date(2022, 5, 27), "vetoed", 15, 0),   # named in full
    ("S/PV.9400", "SC/15100", dt.date(2023, 8, 30), "vetoed", 2, 0),    # both read before
    ("S/PV.9401", "SC/15400", dt.date(2023, 9, 1), "insufficient_votes", 0, 0),
    ("S/PV.9450", "SC/15450", dt.date(2023, 10, 16), "adopted_with_vote", 0, 0),  # adopted
    ("S/PV.9500", "SC/15300", dt.date(2024, 1, 10), "vetoed", 0, 0),    # both not found
    ("S/PV.9550", "SC/15200", dt.date(2024, 2, 20), "vetoed", 2, 0),    # both read before
    # stored before S/PV.9591: the lists are sorted by year, then symbol, not as stored
    ("S/PV.9600", None, dt.date(2024, 4, 10), "vetoed", 0, 0),          # no release
    ("S/PV.9591", "SC/15648", dt.date(2024, 3, 28), "vetoed", 0, 0),
    # "S/PV.1000" sorts before "S/PV.202" as text, not by year
    ("S/PV.1000", None, dt.date(1962, 6, 22), "vetoed", 0, 0),
    ("S/PV.202", None, dt.date(1947, 9, 15), "vetoed", 0, 0),
    ("S/2024/300", "SC/15700", dt.date(2024, 4, 18), "vetoed", 0, 0),   # a letter: no record
    # (a written procedure's vote; its release is wanted)
    ("S/PV.9650", "SC/15750", None, "vetoed", 0, 0),                    # no date
]


def _wanted_db(db: Engine) -> None:
    prov = {"source_url": "https://example.org/", "fetched_at": WHEN}
    with Session(db) as session:
        ensure_members(session)
        meetings, _ = upsert(session, Meeting, [
            {"record": r, "press_release": p, "date": d} for r, p, d, *_ in MEETINGS],
            key="record", provenance=prov)
        events, _ = upsert(session, VoteEvent, [
            {"key": f"draft of {r}", "meeting_id": meetings[r], "date": d, "outcome": o}
            for r, _, d, o, *_ in MEETINGS], key="key", provenance=prov)
        rows = []
        for r, _, d, _, named, derived in MEETINGS:
            council = COUNCIL_2022 if d and d.year == 2022 else COUNCIL_2023
            rows += [{"vote_event_id": events[f"draft of {r}"], "member_code": c, "vote": "Y",
                      "derived": None if i < named else "the membership"}
                     for i, c in enumerate(council[:named + derived])]
        upsert(session, MemberVote, rows, key=("vote_event_id", "member_code"), provenance=prov)
        # the Council of 2024 is known in full; 2023's lacks a member
        upsert(session, CouncilMember, [
            *({"year": 2024, "member_code": c, "roll_calls": 3} for c in (
                *IN_FAVOUR_2024, "RUS", "CHN")),
            *({"year": 2023, "member_code": c, "roll_calls": 3} for c in COUNCIL_2023[:14])],
            key=("year", "member_code"))
        upsert(session, SourceRecord, [
            {"source": source, "record_id": record, **prov}
            for source, record in (("press-releases", "SC/15100"), ("press-releases", "SC/15200"),
                                   ("meeting-records", "S/PV.9400"),
                                   ("meeting-records", "S/PV.9550"))],
            key=("source", "record_id"))
        upsert(session, SymbolLookup, [
            {"source": "press-releases", "symbol": "2024-sc15300", "record_id": None},
            {"source": "press-releases", "symbol": "2024-sc15648", "record_id": "found"},
            {"source": "meeting-records", "symbol": "S_2FPV.9500", "record_id": None},
            {"source": "meeting-records", "symbol": "S_2FPV.9591", "record_id": "found"}],
            key=("source", "symbol"))
        session.commit()


@pytest.mark.parametrize(("everything", "wanted"), [
    # not named in full (none stored, or some derived), neither read nor found missing before
    (False, [("S/PV.202", 1947), ("S/PV.1000", 1962), ("S/PV.9000", 2022), ("S/PV.9401", 2023),
             ("S/PV.9591", 2024), ("S/PV.9600", 2024)]),
    (True, [("S/PV.202", 1947), ("S/PV.1000", 1962), ("S/PV.9000", 2022), ("S/PV.9001", 2022),
            ("S/PV.9400", 2023), ("S/PV.9401", 2023), ("S/PV.9500", 2024), ("S/PV.9550", 2024),
            ("S/PV.9591", 2024), ("S/PV.9600", 2024)]),
])
def test_the_meeting_records_wanted(both: Engine, everything: bool,
                                    wanted: list[tuple[str, int]]) -> None:
    _wanted_db(both)
    with Session(both) as session:
        assert meeting_records_wanted(session, everything=everything) == wanted


@pytest.mark.parametrize(("everything", "wanted"), [
    # fewer votes stored than seats (derived ones count), not found missing before, and not
    # read before unless the year's membership is now known in full (2024's, not 2023's)
    (False, [("SC/15400", 2023), ("SC/15200", 2024), ("SC/15648", 2024), ("SC/15700", 2024)]),
    (True, [("SC/15000", 2022), ("SC/15001", 2022), ("SC/15100", 2023), ("SC/15400", 2023),
            ("SC/15200", 2024), ("SC/15300", 2024), ("SC/15648", 2024), ("SC/15700", 2024)]),
])
def test_the_press_releases_wanted(both: Engine, everything: bool,
                                   wanted: list[tuple[str, int]]) -> None:
    _wanted_db(both)
    with Session(both) as session:
        assert press_releases_wanted(session, everything=everything) == wanted


@pytest.mark.parametrize(("amendment", "outcome"), [
    (b"", "insufficient_votes"),   # 2-11-2: short of the votes, whatever the release says
    (AMENDMENT_VETOED, None),      # 10-1-4: with the votes, how it ended is not known
])
def test_an_amendment_the_release_does_not_say_ended_is_held_to_the_rule(
        db: Engine, amendment: bytes, outcome: str | None) -> None:
    _table_2024(db)
    page = (FIXTURES / "press" / "sc15648.htm").read_bytes()
    if amendment:
        page = page.replace(b"<p>The Council rejected draft", amendment
                            + b"<p>The Council rejected draft")
        release = parse_press_release(page, url=RELEASE_URL)
    else:
        release = _release(amendment=True)
    first, draft = release.votes
    _press(db, replace(release, votes=[replace(first, outcome=None), draft]))
    assert _event(db, "S/2024/255 (amendment S/2024/256)")[0] == outcome


def test_a_release_read_again_without_its_amendment_removes_the_amendments_vote(
        db: Engine) -> None:
    _table_2024(db)
    _press(db, _release(amendment=True))
    assert _keys(db) == ["S/2024/255", "S/2024/255 (amendment S/2024/256)"]
    _press(db, _release())  # corrected: no amendment
    assert _keys(db) == ["S/2024/255"]
    mv = table_of(MemberVote)
    with db.connect() as connection:  # the amendment's 15 member votes gone with it
        assert sorted(connection.execute(select(mv.c.member_code)).scalars()) == ["CHN", "RUS"]


def test_a_provisional_adoption_the_table_does_not_record_is_removed_with_its_resolution(
        db: Engine) -> None:
    """The release counted the adoption of S/RES/2728 (2024) and the failure of S/2024/255 at
    S/PV.9591 before any table named it; the table records only S/2024/255. The release read
    again leaves no vote, resolution or draft on its word alone."""
    release = _release()
    [draft] = release.votes
    adopted = replace(draft, outcome="adopted", resolution="S/RES/2728 (2024)",
                      symbols=("S/2024/899",), tally=Tally(14, 0, 1),
                      named={"Y": (), "N": (), "A": ("USA",)})
    release = replace(release, votes=[adopted, draft])
    _press(db, release)
    assert _keys(db) == ["S/2024/255", "S/RES/2728 (2024)"]
    _table_2024(db)
    _press(db, release)
    assert _keys(db) == ["S/2024/255"]
    r, d = table_of(Resolution), table_of(Draft)
    with db.connect() as connection:
        assert connection.execute(select(r.c.symbol)).all() == []
        assert connection.execute(select(d.c.symbol, d.c.source_url)).all() == [
            ("S/2024/255", TABLE_2024)]


def _real_table_2024(db: Engine) -> None:
    """The real 2024 table's page: it names S/PV.9591's release, SC/15648."""
    with Session(db) as session:
        ensure_members(session)
        page = parse_meetings_table((FIXTURES / "dhl" / "scact2024_table_en.htm").read_bytes(),
                                    year=2024, url=TABLE_2024)
        store_meetings_table(session, page, url=TABLE_2024, fetched_at=WHEN)
        session.commit()


def test_a_release_is_stored_at_the_meeting_it_names_among_the_tables_meetings(
        db: Engine) -> None:
    """The real 2024 table's page names S/PV.9573 and S/PV.9591: the release of S/PV.9591
    gives the roll call of S/2024/255, at that meeting and nowhere else."""
    _real_table_2024(db)
    _press(db, _release())
    assert _votes(db) == [("S/2024/255", "CHN", "A", None, RELEASE_URL),
                          ("S/2024/255", "RUS", "N", None, RELEASE_URL)]
    assert [f[2] for f in _findings(db) if f[0] == "press-releases"] == [
        "press_votes_not_derived"]


def test_a_release_read_again_without_its_date_removes_what_it_stored_as_provisional(
        db: Engine) -> None:
    _press(db, _release())
    assert _keys(db) == ["S/2024/255"]
    counts = _press(db, replace(_release(), date=None))
    assert _keys(db) == []
    # its 2 member votes, Russia's veto, the vote, its draft, the 4 statements and the meeting
    # deleted, its finding replaced (press_votes_not_derived by press_meeting_unknown)
    assert counts == Counts(new=1, changed=0, unchanged=0, deleted=11)
    # the release's record of its first fetch stays, and no longer points to the vote
    assert _source_records(db) == [("press-releases", "SC/15648", None, RELEASE_URL)]
    with db.connect() as connection:
        assert connection.execute(select(table_of(Meeting).c.record)).all() == []
        assert connection.execute(select(table_of(MemberVote).c.id)).all() == []


def test_a_provisional_count_without_its_end_is_not_stored(db: Engine) -> None:
    release = _release()
    [vote] = release.votes
    _press(db, replace(release, votes=[replace(vote, outcome=None)]))
    assert [(f[2], f[4]) for f in _findings(db)] == [(
        "press_vote_unmatched",
        "the release counts a vote (13-1-1) on S/2024/255 and does not say that it failed; no "
        "meetings table names the meeting yet: the vote was not stored")]
    assert _keys(db) == []


def test_a_provisional_failure_naming_no_draft_is_not_stored(db: Engine) -> None:
    release = _release()
    [vote] = release.votes
    _press(db, replace(release, votes=[replace(vote, symbols=())]))
    assert [(f[2], f[4]) for f in _findings(db)] == [(
        "press_vote_unmatched",
        "the release counts a vote (13-1-1) on a text it does not name and names no one draft; "
        "no meetings table names the meeting yet: the vote was not stored")]
    assert _keys(db) == []


def test_a_releases_failed_vote_naming_no_draft_is_the_meetings_one_failed_vote(
        db: Engine) -> None:
    """S/PV.9600 adopts S/RES/2728 (2024) and fails S/2024/900; the release names the
    resolution it adopted, and not the draft that failed."""
    _tables(db, TABLE_9600, 2024, TABLE_2024)
    release = _release()
    [draft] = release.votes
    adopted = replace(draft, outcome="adopted", resolution="S/RES/2728 (2024)",
                      symbols=("S/2024/899",), tally=Tally(14, 0, 1),
                      named={"Y": (), "N": (), "A": ("RUS",)})
    _press(db, replace(release, meeting="S/PV.9600", date=dt.date(2024, 4, 10),
                       votes=[adopted, replace(draft, symbols=())]))
    assert _votes(db) == [("S/2024/900", "CHN", "A", None, RELEASE_URL),
                          ("S/2024/900", "RUS", "N", None, RELEASE_URL)]
    assert [f[2] for f in _findings(db) if f[0] == "press-releases"] == [
        "press_votes_not_derived"]


def test_a_release_vote_on_a_draft_the_tables_do_not_record_is_not_kept_and_the_next_is(
        db: Engine) -> None:
    _table_2024(db)
    release = _release()
    [draft] = release.votes
    _press(db, replace(release, votes=[replace(draft, symbols=("S/2024/253",)), draft]))
    assert [(f[2], f[4]) for f in _findings(db) if f[2] == "press_vote_unmatched"] == [(
        "press_vote_unmatched",
        "the release counts a vote (13-1-1) on S/2024/253, which is no vote the tables record "
        "at that meeting (they record S/2024/255); the release's vote is not kept (not stored "
        "or, stored from the release before the tables named the meeting, removed)")]
    assert _votes(db) == [("S/2024/255", "CHN", "A", None, RELEASE_URL),
                          ("S/2024/255", "RUS", "N", None, RELEASE_URL)]


def test_a_release_of_two_failed_drafts_stores_both_roll_calls_and_the_first_ones_vetoes(
        db: Engine) -> None:
    """S/PV.9453 (25 October 2023): the United States' draft vetoed by China and Russia, then
    Russia's short of votes; the release names those against and abstaining on each."""
    _tables(db, [("S/PV.9453", "25 October",
                  "Draft resolution S/2023/792 vetoed by China, Russian Federation 10-3-2 "
                  "Draft resolution S/2023/795 not adopted 4-2-9")], 2023, TABLE_2023)
    release = _release()
    [draft] = release.votes
    first = replace(draft, symbols=("S/2023/792",), tally=Tally(10, 3, 2),
                    named={"N": ("CHN", "RUS", "ARE"), "A": ("BRA", "MOZ")})
    second = replace(draft, symbols=("S/2023/795",), tally=Tally(4, 2, 9),
                     named={"N": ("GBR", "USA"), "A": ("ALB", "BRA", "ECU", "FRA", "GHA", "JPN",
                                                     "MLT", "MOZ", "CHE")})
    with Session(db) as session:
        ensure_members(session)
        counts = store_press_release(
            session, replace(release, symbol="SC/15462", meeting="S/PV.9453",
                             date=dt.date(2023, 10, 25), votes=[first, second], statements=[]),
            url=RELEASE_URL, fetched_at=WHEN)
        session.commit()
    assert [v for v in _vetoes(db) if v[2] == "roll-call"] == [
        ("S/2023/792", "CHN", "roll-call"), ("S/2023/792", "RUS", "roll-call")]
    assert len(_votes(db)) == 5 + 11
    # 16 member votes, 2 vetoes, 2 findings (not derived), the release's source row
    assert counts == Counts(new=21, changed=0, unchanged=0, deleted=0)


# --- the membership the complete roll calls show, and the votes derived from it --------------

COUNCIL_2024 = (*IN_FAVOUR_2024, "RUS", "CHN")
LATER = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)


def test_the_membership_is_read_from_complete_roll_calls_named_by_a_source(db: Engine) -> None:
    """S/PV.9591's record names all fifteen; an amendment's roll call, a release's derived one
    and one naming fourteen do not count."""
    _table_2024(db)
    _record(db, "S/PV.9591", [_vote(NAMED_9591, ("S/2024/255",))], url=RECORD_URL)
    with Session(db) as session:
        memberships = membership_of(session)
        assert list(memberships) == [2024]
        assert (sorted(memberships[2024].members), memberships[2024].roll_calls,
                memberships[2024].complete) == (sorted(COUNCIL_2024), 1, True)
        assert membership_of(session, [2023]) == {}
        assert derive_membership(session) == Counts(new=15, changed=0, unchanged=0, deleted=0)
        session.commit()
    cm = table_of(CouncilMember)
    with db.connect() as connection:
        assert sorted(connection.execute(select(cm.c.year, cm.c.member_code, cm.c.roll_calls))
                      ) == sorted((2024, c, 1) for c in COUNCIL_2024)


def test_a_release_derives_the_votes_in_favour_from_the_years_membership_until_a_record(
        db: Engine) -> None:
    """With 2024's membership known from S/PV.9591's record, the release of S/PV.9600 names
    Russia against and China abstaining on S/2024/900: the thirteen others are derived in
    favour, with the basis in words; the record of S/PV.9600, read later, names them all."""
    _table_2024(db)
    _record(db, "S/PV.9591", [_vote(NAMED_9591, ("S/2024/255",))], url=RECORD_URL)
    _tables(db, TABLE_9600, 2024, TABLE_2024)
    release = _release()
    [draft] = release.votes
    _press(db, replace(release, meeting="S/PV.9600", date=dt.date(2024, 4, 10), votes=[
        replace(draft, symbols=("S/2024/900",))]))
    basis = ("the Council's membership in 2024 (from 1 roll call) and the release's count "
             "13-1-1")
    assert [v for v in _votes(db) if v[0] == "S/2024/900"] == sorted(
        [("S/2024/900", c, "Y", basis, RELEASE_URL) for c in IN_FAVOUR_2024]
        + [("S/2024/900", "CHN", "A", None, RELEASE_URL),
           ("S/2024/900", "RUS", "N", None, RELEASE_URL)])
    url = DOCS.format("S%2FPV.9600")
    with Session(db) as session:
        store_meeting_record(session, MeetingRecordVotes("S/PV.9600", votes=[
            _vote(NAMED_9591, ("S/2024/900",))]), url=url, fetched_at=LATER)
        session.commit()
    mv, ve = table_of(MemberVote), table_of(VoteEvent)
    with db.connect() as connection:
        assert sorted(connection.execute(
            select(mv.c.member_code, mv.c.vote, mv.c.derived, mv.c.source_url, mv.c.fetched_at)
            .join(ve, ve.c.id == mv.c.vote_event_id).where(ve.c.key == "S/2024/900"))) == sorted(
            (c, side, None, url, LATER) for side, codes in NAMED_9591.items()
            for c in codes)


def test_the_releases_to_read_again_are_those_that_gave_a_provisional_vote(db: Engine) -> None:
    with Session(db) as session:
        assert provisional_releases(session) == []
    _press(db, _release())
    with Session(db) as session:
        assert provisional_releases(session) == [RELEASE_URL]
    _table_2024(db)
    _press(db, _release())
    with Session(db) as session:
        assert provisional_releases(session) == []


def test_a_release_read_again_gives_its_derived_votes_the_basis_of_now(db: Engine) -> None:
    """Read first when one complete roll call of 2024 was stored, then again (``--full``) when
    two were: the votes derived keep their vote and take the new basis."""
    _table_2024(db)
    _record(db, "S/PV.9591", [_vote(NAMED_9591, ("S/2024/255",))], url=RECORD_URL)
    _tables(db, [*TABLE_9600, ("S/PV.9620", "30 April",
                               "Draft resolution S/2024/950 vetoed by Russian Federation 13-1-1")],
            2024, TABLE_2024)
    release = _release()
    [draft] = release.votes
    release = replace(release, meeting="S/PV.9600", date=dt.date(2024, 4, 10),
                      votes=[replace(draft, symbols=("S/2024/900",))])
    _press(db, release)
    _record(db, "S/PV.9620", [_vote(NAMED_9591, ("S/2024/950",))])
    _press(db, release)
    basis = ("the Council's membership in 2024 (from 2 roll calls) and the release's count "
             "13-1-1")
    assert [v for v in _votes(db) if v[0] == "S/2024/900"] == sorted(
        [("S/2024/900", c, "Y", basis, RELEASE_URL) for c in IN_FAVOUR_2024]
        + [("S/2024/900", "CHN", "A", None, RELEASE_URL),
           ("S/2024/900", "RUS", "N", None, RELEASE_URL)])


def test_a_release_read_again_unchanged_leaves_its_votes_as_they_were_fetched(
        db: Engine) -> None:
    """The member votes a release read again gives as before, named or derived, are not
    written again: they keep when they were first fetched (like every row an upsert finds
    unchanged)."""
    _table_2024(db)
    _record(db, "S/PV.9591", [_vote(NAMED_9591, ("S/2024/255",))], url=RECORD_URL)
    _tables(db, TABLE_9600, 2024, TABLE_2024)
    release = _release()
    [draft] = release.votes
    release = replace(release, meeting="S/PV.9600", date=dt.date(2024, 4, 10),
                      votes=[replace(draft, symbols=("S/2024/900",))])
    _press(db, release)
    with Session(db) as session:
        store_press_release(session, release, url=RELEASE_URL, fetched_at=LATER)
        session.commit()
    mv, ve = table_of(MemberVote), table_of(VoteEvent)
    with db.connect() as connection:
        fetched = connection.execute(select(mv.c.fetched_at).join(
            ve, ve.c.id == mv.c.vote_event_id).where(ve.c.key == "S/2024/900")).scalars().all()
    assert len(fetched) == 15
    assert {f.replace(tzinfo=None) for f in fetched} == {WHEN.replace(tzinfo=None)}
