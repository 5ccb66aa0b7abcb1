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

import datetime as dt
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import Engine, event, select
from sqlmodel import Session

from council.records import Tally
from db.engine import make_engine, upgrade
from db.models import CouncilMember, Draft, Mandate, MandateEvent, MemberVote, VoteEvent
from db.roll_calls import (
    derive_membership,
    meeting_records_wanted,
    membership_of,
    provisional_releases,
)
from db.upsert import Counts, table_of, upsert
from tests.test_findings_bite import RELEASE_URL, TABLE_2024, WHEN, _release
from tests.test_mutants_roll_calls_r5 import (
    COUNCIL_2024,
    DOCS,
    NAMED_9591,
    RECORD_URL,
    TABLE_2023,
    TABLE_9600,
    UNDL_URL,
    _findings,
    _keys,
    _press,
    _real_table_2024,
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


# --- the votes a release counts that the tables do not record --------------------------------

def test_a_provisional_failure_naming_two_drafts_is_not_stored_and_the_next_vote_is(
        db: Engine) -> None:
    """Before any table names S/PV.9591: a failed vote on two drafts names no one draft to
    key it by (not stored, with the finding naming both); the vote after it is read on."""
    release = _release()
    [draft] = release.votes
    _press(db, replace(release, votes=[replace(draft, symbols=("S/2024/255", "S/2024/256")),
                                       draft]))
    assert [(f[2], f[4]) for f in _findings(db) if f[2] == "press_vote_unmatched"] == [(
        "press_vote_unmatched",
        "the release counts a vote (13-1-1) on S/2024/255, S/2024/256 and names no one draft; "
        "no meetings table names the meeting yet: the vote was not stored")]
    assert _keys(db) == ["S/2024/255"]
    assert _votes(db) == [("S/2024/255", "CHN", "A", None, RELEASE_URL),
                          ("S/2024/255", "RUS", "N", None, RELEASE_URL)]


def _release_9600(*votes: Any) -> Any:
    return replace(_release(), meeting="S/PV.9600", date=dt.date(2024, 4, 10), votes=list(votes))


def _unmatched(said: str, recorded: str) -> tuple[str, str]:
    return ("press_vote_unmatched",
            f"the release counts a vote ({{}}) on {said}, which is no vote the tables record "
            f"at that meeting (they record {recorded}); the release's vote is not kept (not "
            "stored or, stored from the release before the tables named the meeting, removed)")


def test_votes_the_tables_do_not_record_are_named_as_the_release_names_them(
        db: Engine) -> None:
    """S/PV.9600 adopts S/RES/2728 (2024) and fails S/2024/900. The release counts the
    adoption of a resolution the table does not record there (naming no draft: it is not the
    meeting's one failed vote, which an adoption never is), a failure of two drafts the table
    does not record, and S/2024/900's: the first two are not kept, and their findings name
    what the release names and every vote the table records."""
    _tables(db, TABLE_9600, 2024, TABLE_2024)
    [draft] = _release().votes
    adopted = replace(draft, outcome="adopted", resolution="S/RES/2729 (2024)", symbols=(),
                      tally=Tally(14, 0, 1), named={"Y": (), "N": (), "A": ("RUS",)})
    _press(db, _release_9600(adopted, replace(draft, symbols=("S/2024/253", "S/2024/254")),
                             replace(draft, symbols=("S/2024/900",))))
    recorded = "S/2024/900, S/RES/2728 (2024)"
    kind, text = _unmatched("S/RES/2729 (2024)", recorded)
    kind2, text2 = _unmatched("S/2024/253, S/2024/254", recorded)
    assert [(f[2], f[4]) for f in _findings(db) if f[2] == "press_vote_unmatched"] == sorted([
        (kind, text.format("14-0-1")), (kind2, text2.format("13-1-1"))], key=lambda f: f[1])
    assert _votes(db) == [("S/2024/900", "CHN", "A", None, RELEASE_URL),
                          ("S/2024/900", "RUS", "N", None, RELEASE_URL)]


@pytest.mark.parametrize(("symbols", "said"), [
    (("S/2024/255",), "S/2024/255"),
    ((), "a text it does not name"),  # and no failed vote there to be its one
])
def test_a_release_of_a_meeting_where_the_table_records_no_vote_is_not_kept(
        db: Engine, symbols: tuple[str, ...], said: str) -> None:
    """The table names S/PV.9591 with a presidential statement and no vote: the release's
    vote is no vote the tables record there, and the finding says they record none."""
    _tables(db, [("S/PV.9591", "28 March", "S/PRST/2024/2")], 2024, TABLE_2024)
    release = _release()
    [draft] = release.votes
    _press(db, replace(release, votes=[replace(draft, symbols=symbols)]))
    kind, text = _unmatched(said, "no vote")
    assert [(f[2], f[4]) for f in _findings(db) if f[0] == "press-releases"] == [
        (kind, text.format("13-1-1"))]
    assert _votes(db) == []


# --- the release's count held to the table's -------------------------------------------------

@pytest.mark.parametrize(("printed", "tally", "named"), [
    # no tally printed: nothing to hold the release's count to
    ("Draft resolution S/2024/255 vetoed by Russian Federation", Tally(13, 1, 1),
     {"N": ("RUS",), "A": ("CHN",)}),
    # none abstaining: 13-2-0 is 13-2-0
    ("Draft resolution S/2024/255 vetoed by Russian Federation, China 13-2-0", Tally(13, 2, 0),
     {"N": ("CHN", "RUS"), "A": ()}),
])
def test_a_release_whose_count_the_table_does_not_contradict_is_stored(
        db: Engine, printed: str, tally: Tally, named: dict[str, tuple[str, ...]]) -> None:
    _tables(db, [("S/PV.9591", "28 March", printed)], 2024, TABLE_2024)
    release = _release()
    [draft] = release.votes
    _press(db, replace(release, votes=[replace(draft, tally=tally, named=named)]))
    assert _votes(db) == _rolled("S/2024/255", named, RELEASE_URL)
    assert [f[2] for f in _findings(db) if f[0] == "press-releases"] == [
        "press_votes_not_derived"]


# --- a release's votes read on after one not stored, its findings kept -----------------------

TABLE_9453 = [("S/PV.9453", "25 October",
               "Draft resolution S/2023/792 vetoed by China, Russian Federation 10-3-2 "
               "Draft resolution S/2023/795 not adopted 4-2-9")]
NAMED_792 = {"Y": ("ALB", "ECU", "FRA", "GAB", "GBR", "JPN", "MLT", "CHE", "USA", "GHA"),
             "N": ("CHN", "RUS", "ARE"), "A": ("BRA", "MOZ")}
NAMED_795 = {"N": ("GBR", "USA"),
             "A": ("ALB", "BRA", "ECU", "FRA", "GHA", "JPN", "MLT", "MOZ", "CHE")}


def _release_9453(*votes: Any) -> Any:
    return replace(_release(), symbol="SC/15462", meeting="S/PV.9453",
                   date=dt.date(2023, 10, 25), votes=list(votes), statements=[])


def _draft(symbol: str, tally: Tally, named: dict[str, tuple[str, ...]]) -> Any:
    [draft] = _release().votes
    return replace(draft, symbols=(symbol,), tally=tally,
                   named={s: c for s, c in named.items() if s != "Y"})


def test_the_vote_after_one_whose_count_the_table_contradicts_is_stored(db: Engine) -> None:
    _tables(db, TABLE_9453, 2023, TABLE_2023)
    wrong = {"N": ("CHN", "RUS"), "A": ("BRA", "MOZ", "ARE")}
    _press(db, _release_9453(_draft("S/2023/792", Tally(10, 2, 3), wrong),
                             _draft("S/2023/795", Tally(4, 2, 9), NAMED_795)))
    assert [(f[2], f[4]) for f in _findings(db) if f[2] == "press_tally_mismatch"] == [(
        "press_tally_mismatch",
        "the release counts S/2023/792 10-2-3, the meetings table 10-3-2; the release's roll "
        "call was not stored")]
    assert _votes(db) == _rolled("S/2023/795", NAMED_795, RELEASE_URL)


def test_the_vote_after_one_the_record_gives_is_stored_and_the_findings_before_kept(
        db: Engine) -> None:
    """The record of S/PV.9453 gives S/2023/792's roll call (and so 2023's membership). The
    release counts a vote on a draft the table does not record (a finding), S/2023/792 as
    the record does (nothing stored over it), then S/2023/795: its roll call is stored, the
    four in favour derived; the finding is kept."""
    _tables(db, TABLE_9453, 2023, TABLE_2023)
    record_url = DOCS.format("S%2FPV.9453")
    _record(db, "S/PV.9453", [_vote(NAMED_792, ("S/2023/792",))], url=record_url)
    _press(db, _release_9453(_draft("S/2023/790", Tally(10, 3, 2), NAMED_792),
                             _draft("S/2023/792", Tally(10, 3, 2), NAMED_792),
                             _draft("S/2023/795", Tally(4, 2, 9), NAMED_795)))
    kind, text = _unmatched("S/2023/790", "S/2023/792, S/2023/795")
    assert [(f[2], f[4]) for f in _findings(db) if f[0] == "press-releases"] == [
        (kind, text.format("10-3-2"))]
    basis = ("the Council's membership in 2023 (from 1 roll call) and the release's count "
             "4-2-9")
    assert _votes(db) == sorted([
        *_rolled("S/2023/792", NAMED_792, record_url),
        *_rolled("S/2023/795", NAMED_795, RELEASE_URL),
        *(("S/2023/795", c, "Y", basis, RELEASE_URL) for c in ("ARE", "CHN", "GAB", "RUS"))])


def test_a_release_adoption_that_agrees_keeps_the_findings_before_it(db: Engine) -> None:
    """S/PV.9600: the release counts a vote on a draft the table does not record there (a
    finding), then the adoption of S/RES/2728 (2024) as the table counts it (nothing to
    store: an adoption's roll call is the voting records'); the finding is kept."""
    _tables(db, TABLE_9600, 2024, TABLE_2024)
    [draft] = _release().votes
    adopted = replace(draft, outcome="adopted", resolution="S/RES/2728 (2024)",
                      symbols=("S/2024/899",), tally=Tally(14, 0, 1),
                      named={"Y": (), "N": (), "A": ("RUS",)})
    _press(db, _release_9600(replace(draft, symbols=("S/2024/253",)), adopted))
    kind, text = _unmatched("S/2024/253", "S/2024/900, S/RES/2728 (2024)")
    assert [(f[2], f[4]) for f in _findings(db) if f[0] == "press-releases"] == [
        (kind, text.format("13-1-1"))]
    assert _votes(db) == []


# --- the counts a release returns ------------------------------------------------------------

def test_the_counts_of_a_provisional_release_include_its_meeting(db: Engine) -> None:
    """Stored before any table names S/PV.9591: the meeting, its 2 member votes, Russia's
    veto, the 4 statements, the finding (not derived) and the release's source row are new
    (the provisional vote event and its draft, made by ``_provisional_event``, are not
    counted)."""
    assert _press(db, _release()) == Counts(new=10, changed=0, unchanged=0, deleted=0)


# --- what a release no longer gives is removed -----------------------------------------------

def test_a_provisional_vote_removed_takes_its_mandate_events_with_it(db: Engine) -> None:
    """The sync derived a mandate event of the provisional failed vote on S/2024/255 (a
    draft related to a mandate). The release read again without its date removes the vote,
    its draft and the mandate event (derived again at the end of the sync); the mandate
    stays."""
    _press(db, _release())
    ve, me, mandate = table_of(VoteEvent), table_of(MandateEvent), table_of(Mandate)
    with Session(db) as session:
        event_id, draft_id = session.execute(select(ve.c.id, ve.c.draft_id).where(
            ve.c.key == "S/2024/255")).one()
        ids, _ = upsert(session, Mandate, [{"slug": "unmiss", "name": "UNMISS",
                                            "kind": "operation"}], key="slug")
        upsert(session, MandateEvent, [{
            "mandate_id": ids["unmiss"], "kind": "related_failed_draft", "reference": "S/2024/255",
            "draft_id": draft_id, "vote_event_id": event_id, "date": dt.date(2024, 3, 28)}],
            key=("mandate_id", "kind", "reference"))
        session.commit()
    _press(db, replace(_release(), date=None))
    assert _keys(db) == []
    with db.connect() as connection:
        assert connection.execute(select(me.c.id)).all() == []
        assert connection.execute(select(mandate.c.slug)).scalars().all() == ["unmiss"]
        assert connection.execute(select(table_of(Draft).c.symbol)).all() == []


# --- the membership, and the releases to read again ------------------------------------------

def test_an_amendments_complete_roll_call_gives_no_membership(db: Engine) -> None:
    """The release of S/PV.9591 names all fifteen on the amendment S/2024/256: the roll call
    of a question (an amendment) is not the Council's membership, which must not depend on
    what releases stored before."""
    _table_2024(db)
    _press(db, _release(amendment=True))
    assert len([v for v in _votes(db) if v[0] == AMENDMENT_KEY]) == 15
    with Session(db) as session:
        assert membership_of(session) == {}


def test_an_undated_roll_call_gives_no_membership(db: Engine) -> None:
    """A vote no source dates (a voting record without its date), with fifteen members'
    votes, is of no year: it gives no membership, and the dated one does."""
    _table_2024(db)
    _record(db, "S/PV.9591", [_vote(NAMED_9591, ("S/2024/255",))], url=RECORD_URL)
    prov = {"source_url": UNDL_URL, "fetched_at": WHEN}
    with Session(db) as session:
        ids, _ = upsert(session, VoteEvent, [{"key": "S/2024/999", "outcome": "vetoed"}],
                        key="key", provenance=prov)
        upsert(session, MemberVote, [
            {"vote_event_id": ids["S/2024/999"], "member_code": c, "vote": "Y"}
            for c in COUNCIL_2024], key=("vote_event_id", "member_code"), provenance=prov)
        session.commit()
        assert {y: (sorted(m.members), m.roll_calls) for y, m in membership_of(session).items()
                } == {2024: (sorted(COUNCIL_2024), 1)}


def test_a_release_whose_provisional_vote_the_table_does_not_record_is_to_read_again(
        db: Engine) -> None:
    """The release counted the adoption of S/RES/2728 (2024) and the failure of S/2024/255 at
    S/PV.9591 before any table named it. The table, read since (in a sync of the tables
    alone), names the meeting and S/2024/255 only: the meeting is no longer provisional, the
    adoption still is, and the release is still to be read again."""
    release = _release()
    [draft] = release.votes
    adopted = replace(draft, outcome="adopted", resolution="S/RES/2728 (2024)",
                      symbols=("S/2024/899",), tally=Tally(14, 0, 1),
                      named={"Y": (), "N": (), "A": ("USA",)})
    _press(db, replace(release, votes=[adopted, draft]))
    _table_2024(db)
    with Session(db) as session:
        assert provisional_releases(session) == [RELEASE_URL]


def test_a_provisional_meeting_whose_votes_were_not_stored_is_to_read_again(
        db: Engine) -> None:
    """A release before any table names its meeting, counting a vote without saying how it
    ended: its meeting is stored as provisional, its vote is not; the release is to be read
    again for its meeting alone."""
    release = _release()
    [draft] = release.votes
    _press(db, replace(release, votes=[replace(draft, outcome=None)]))
    assert _keys(db) == []
    with Session(db) as session:
        assert provisional_releases(session) == [RELEASE_URL]


def test_the_membership_derived_again_is_the_same_rows_and_one_no_longer_shown_is_removed(
        db: Engine) -> None:
    """Derived again from the same roll calls, the fifteen members of 2024 are unchanged; a
    year whose complete roll call is gone (here, 2024's record's votes made derived) loses
    its members."""
    _table_2024(db)
    _record(db, "S/PV.9591", [_vote(NAMED_9591, ("S/2024/255",))], url=RECORD_URL)
    with Session(db) as session:
        assert derive_membership(session) == Counts(new=15, changed=0, unchanged=0, deleted=0)
        assert derive_membership(session) == Counts(new=0, changed=0, unchanged=15, deleted=0)
        mv = table_of(MemberVote)
        session.execute(mv.update().values(derived="the membership"))
        assert derive_membership(session) == Counts(new=0, changed=0, unchanged=0, deleted=15)
        session.commit()
    with db.connect() as connection:
        assert connection.execute(select(table_of(CouncilMember).c.id)).all() == []
