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
from sqlalchemy import Engine, func, select, text
from sqlmodel import Session

from council.records import VetoList, VotingRecord
from db.engine import make_engine, upgrade
from db.models import (
    Draft,
    Finding,
    Meeting,
    MemberVote,
    Resolution,
    SourceRecord,
    Sponsorship,
    SymbolLookup,
    Veto,
    VoteEvent,
)
from db.store import (
    drafts_to_look_up,
    ensure_members,
    store_documents,
    store_meetings_table,
    store_veto_list,
    store_voting_records,
)
from db.upsert import Counts, table_of, upsert
from scrapers.dhl.parse import parse_meetings_table, parse_veto_list
from tests.conftest import FIXTURES
from tests.test_mutants_store_r5 import (
    COUNCIL_2022,
    LIBRARY,
    LIST_URL,
    T1,
    T2,
    TABLE_URL,
    _adoption,
    _link,
    _table,
    _veto_list,
    _veto_row,
    _voting_record,
    document,
)
from tests.undl_replay import Record, Vote

DOCUMENTS = "undl-documents"
VOTES = "undl-votes"
_DRAFT, _MEETING_T, _EVENT, _VETO = (table_of(Draft), table_of(Meeting), table_of(VoteEvent),
                                     table_of(Veto))
_MEETING = (_MEETING_T.c.record, _MEETING_T.c.number, _MEETING_T.c.date,
            _MEETING_T.c.source_url, _MEETING_T.c.fetched_at)
_FINDING, _RECORD = table_of(Finding), table_of(SourceRecord)
_VOTE = (_EVENT.c.key, _EVENT.c.outcome, _EVENT.c.source_url, _EVENT.c.fetched_at)


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


# --- the Veto List ----------------------------------------------------------------------------

VETO_431 = ("26 May 2022",
            '<a target="_top" href="https://undocs.org/en/S/2022/431">S/2022/431</a>',
            '<a target="_top" href="https://undocs.org/en/S/PV.9048">S/PV.9048</a>',
            "China</br>Russian Federation")
VETO_431_REV_1 = ("26 May 2022",
                  '<a target="_top" href="https://undocs.org/en/S/2022/431/Rev.1">'
                  "S/2022/431/Rev.1</a>", *VETO_431[2:])
VETO_255 = ("28 March 2024",
            '<a target="_top" href="https://undocs.org/en/S/2024/255">S/2024/255</a>',
            '<a target="_top" href="https://undocs.org/en/S/PV.9591">S/PV.9591</a>',
            "Russian Federation")
LIST = "dhl-veto-list"
TABLE_431 = ("S/PV.9048", "26 May",
             "Draft resolution S/2022/431 vetoed by China, Russian Federation 13-2-0")


def _list_of(*rows: tuple[str, str, str, str]) -> VetoList:
    return parse_veto_list(_veto_list(*(_veto_row(*row) for row in rows)), url=LIST_URL)


def test_a_meeting_only_the_veto_list_names_yet_must_carry_the_lists_provenance(
        tracker: Engine) -> None:
    """The Veto List read before the year's table (a veto the tables do not print yet): the
    meeting it names and the vote are stored with the list's page and time (the meeting with
    its number and date); the table read later claims both."""
    with Session(tracker) as session:
        ensure_members(session)
        store_veto_list(session, _list_of(VETO_431), url=LIST_URL, fetched_at=T1)
        session.commit()
        alone = [*session.execute(select(*_MEETING)), *session.execute(select(*_VOTE))]
        store_meetings_table(session, parse_meetings_table(_table([TABLE_431]), year=2022,
                                                           url=TABLE_URL),
                             url=TABLE_URL, fetched_at=T2)
        session.commit()
        claimed = [*session.execute(select(*_MEETING)), *session.execute(select(*_VOTE))]
    assert [tuple(r) for r in alone] == [
        ("S/PV.9048", 9048, dt.date(2022, 5, 26), LIST_URL, T1),
        ("S/2022/431", "vetoed", LIST_URL, T1)]
    assert [tuple(r) for r in claimed] == [
        ("S/PV.9048", 9048, dt.date(2022, 5, 26), TABLE_URL, T2),
        ("S/2022/431", "vetoed", TABLE_URL, T2)]


def test_the_veto_list_must_leave_the_date_a_document_record_gave_a_draft(
        tracker: Engine) -> None:
    """S/2022/431 is dated 25 May by its document record (the day it was issued) and vetoed
    on 26 May: the Veto List only fills what is empty, its status, and leaves the date and
    the record's provenance."""
    with Session(tracker) as session:
        ensure_members(session)
        store_documents(session, [document("3975193", "S/2022/431", date="2022-05-25",
                                           sponsors=["USA"])],
                        source=DOCUMENTS, fetched_at=T1)
        store_veto_list(session, _list_of(VETO_431), url=LIST_URL, fetched_at=T2)
        session.commit()
        draft = session.execute(select(_DRAFT.c.symbol, _DRAFT.c.date, _DRAFT.c.status,
                                       _DRAFT.c.source_url, _DRAFT.c.fetched_at)).all()
    assert [tuple(r) for r in draft] == [
        ("S/2022/431", dt.date(2022, 5, 25), "vetoed", f"{LIBRARY}/3975193", T1)]


def test_the_veto_list_read_again_must_find_the_vote_it_was_made_one_with_unchanged(
        tracker: Engine) -> None:
    """The table's S/2022/431 and the list's S/2022/431/Rev.1 are one vote (see
    reconcile_same_votes). Read again, the list finds its draft printed on the tables' vote
    and states that vote again: nothing new, nothing changed, nothing deleted, and the one
    vote stays as it was."""
    with Session(tracker) as session:
        ensure_members(session)
        store_meetings_table(session, parse_meetings_table(_table([TABLE_431]), year=2022,
                                                           url=TABLE_URL),
                             url=TABLE_URL, fetched_at=T1)
        store_veto_list(session, _list_of(VETO_431_REV_1), url=LIST_URL, fetched_at=T1)
        session.commit()
        before = _one_vote(session)
        again = store_veto_list(session, _list_of(VETO_431_REV_1), url=LIST_URL, fetched_at=T2)
        session.commit()
        after = _one_vote(session)
        found = _findings(session)
    # the meeting, the vote, the list's two vetoes and its finding
    assert again == Counts(unchanged=5)
    # first seen when the list made the two one vote
    assert found == [(LIST, "S/2022/431/Rev.1", "same_vote_two_symbols", T1)]
    assert after == before == [
        ("S/2022/431", "S/2022/431/Rev.1", "vetoed",
         ["CHN dhl-meetings", "CHN dhl-veto-list", "RUS dhl-meetings", "RUS dhl-veto-list"]),
        ("S/2022/431", "vetoed"), ("S/2022/431/Rev.1", None)]


def _one_vote(session: Session) -> list[tuple[object, ...]]:
    """The vetoed votes (key, symbol printed, outcome, vetoes), then the drafts' statuses."""
    votes: list[tuple[object, ...]] = [
        (key, printed, outcome, sorted(f"{c} {s}" for i, c, s in session.execute(
            select(_VETO.c.vote_event_id, _VETO.c.member_code, _VETO.c.source)) if i == e_id))
        for e_id, key, printed, outcome in session.execute(
            select(_EVENT.c.id, _EVENT.c.key, _EVENT.c.printed_as, _EVENT.c.outcome)
            .order_by(_EVENT.c.key))]
    return votes + [tuple(r) for r in session.execute(
        select(_DRAFT.c.symbol, _DRAFT.c.status).order_by(_DRAFT.c.symbol))]


def _findings(session: Session) -> list[tuple[object, ...]]:
    return [tuple(r) for r in session.execute(
        select(_FINDING.c.source, _FINDING.c.record, _FINDING.c.kind, _FINDING.c.first_seen)
        .order_by(_FINDING.c.source, _FINDING.c.record))]


def test_the_veto_list_read_whole_again_without_a_row_must_lose_that_rows_vetoes(
        tracker: Engine) -> None:
    """A row gone from the list (its draft symbol corrected, say) takes its vetoes with it
    when the list is read whole again; the vote and the draft the list stated stay."""
    with Session(tracker) as session:
        ensure_members(session)
        store_veto_list(session, _list_of(VETO_431, VETO_255), url=LIST_URL, fetched_at=T1)
        again = store_veto_list(session, _list_of(VETO_431), url=LIST_URL, fetched_at=T2)
        session.commit()
        vetoes = session.execute(select(_EVENT.c.key, _VETO.c.member_code).join(
            _EVENT, _EVENT.c.id == _VETO.c.vote_event_id).order_by(
            _EVENT.c.key, _VETO.c.member_code)).all()
    # S/2022/431's meeting, draft, vote and two vetoes as stated; S/2024/255's veto deleted
    assert again == Counts(unchanged=5, deleted=1)
    assert [tuple(v) for v in vetoes] == [("S/2022/431", "CHN"), ("S/2022/431", "RUS")]


def test_the_veto_lists_own_findings_must_be_first_seen_when_read_and_go_with_the_row(
        tracker: Engine) -> None:
    """A row printed twice is a finding of the list, first seen when the list was read; read
    again without the repeat, the finding goes."""
    with Session(tracker) as session:
        ensure_members(session)
        first = store_veto_list(session, _list_of(VETO_431, VETO_431), url=LIST_URL,
                                fetched_at=T1)
        session.commit()
        found = _findings(session)
        again = store_veto_list(session, _list_of(VETO_431), url=LIST_URL, fetched_at=T2)
        session.commit()
        left = _findings(session)
    # the meeting, the draft, the vote, two vetoes and the finding
    assert first == Counts(new=6)
    assert found == [(LIST, "row 2 (S/2022/431)", "repeated_row", T1)]
    assert again == Counts(unchanged=5, deleted=1)
    assert left == []


def test_the_tables_own_a_meetings_date_and_a_votes_meeting_and_date(tracker: Engine) -> None:
    """The tables put the veto of S/2022/431 at S/PV.9048 on 26 May and resolution 2636 at
    S/PV.9050 on 27 May. A Veto List putting the veto at S/PV.9050 on 28 May, and a voting
    record dating S/PV.9050 a day later, add to them and move nothing: the tables' meetings
    and vote keep their dates and meeting."""
    page = parse_meetings_table(_table([TABLE_431, ("S/PV.9050", "27 May",
                                                    f"{_link(2636)} 15-0-0")]),
                                year=2022, url=TABLE_URL)
    elsewhere = ("28 May 2022", VETO_431[1],
                 '<a target="_top" href="https://undocs.org/en/S/PV.9050">S/PV.9050</a>',
                 VETO_431[3])
    with Session(tracker) as session:
        ensure_members(session)
        store_meetings_table(session, page, url=TABLE_URL, fetched_at=T1)
        store_veto_list(session, _list_of(elsewhere), url=LIST_URL, fetched_at=T2)
        store_voting_records(session, [_adoption("3975000", 2636, "2022-05-28", "S/PV.9050")],
                             source="undl-votes", fetched_at=T2)
        session.commit()
        meetings = session.execute(select(_MEETING_T.c.record, _MEETING_T.c.date,
                                          _MEETING_T.c.source_url)
                                   .order_by(_MEETING_T.c.record)).all()
        vote = session.execute(select(_EVENT.c.key, _MEETING_T.c.record, _EVENT.c.date).join(
            _MEETING_T, _MEETING_T.c.id == _EVENT.c.meeting_id)
            .where(_EVENT.c.key == "S/2022/431")).all()
    assert [tuple(m) for m in meetings] == [
        ("S/PV.9048", dt.date(2022, 5, 26), TABLE_URL),
        ("S/PV.9050", dt.date(2022, 5, 27), TABLE_URL)]
    assert [tuple(v) for v in vote] == [("S/2022/431", "S/PV.9048", dt.date(2022, 5, 26))]


def test_a_batch_of_voting_records_must_leave_a_resolution_printed_twice_it_does_not_hold(
        tracker: Engine) -> None:
    """The table prints resolution 2632 at S/PV.9050 and S/PV.9052 (and keeps it at the
    first, S/PV.9050, until a second source confirms one). A batch of records without 2632's
    leaves it there; the batch with its record naming S/PV.9052 moves it."""
    page = parse_meetings_table(_table([
        ("S/PV.9052", "31 May", f"{_link(2632)} 15-0-0"),
        ("S/PV.9050", "27 May", f"{_link(2631)} 15-0-0<br/>{_link(2632)} 15-0-0")]),
        year=2022, url=TABLE_URL)

    def held(session: Session) -> list[tuple[object, ...]]:
        r = table_of(Resolution)
        return [tuple(row) for row in session.execute(
            select(r.c.symbol, _MEETING_T.c.record).join(
                _MEETING_T, _MEETING_T.c.id == r.c.meeting_id).order_by(r.c.symbol))]

    with Session(tracker) as session:
        ensure_members(session)
        store_meetings_table(session, page, url=TABLE_URL, fetched_at=T1)
        before = held(session)
        first = store_voting_records(session, [_adoption("1", 2631, "2022-05-27", "S/PV.9050")],
                                     source=VOTES, fetched_at=T1)
        between = held(session)
        store_voting_records(session, [_adoption("2", 2632, "2022-05-31", "S/PV.9052")],
                             source=VOTES, fetched_at=T1)
        after = held(session)
    # 15 member votes and a source record new; 2631 given its title; its meeting and vote
    assert first == Counts(new=16, changed=1, unchanged=2)
    assert before == between == [("S/RES/2631 (2022)", "S/PV.9050"),
                                 ("S/RES/2632 (2022)", "S/PV.9050")]
    assert after == [("S/RES/2631 (2022)", "S/PV.9050"), ("S/RES/2632 (2022)", "S/PV.9052")]


# --- two records of one source giving one vote ------------------------------------------------


def _held(session: Session) -> list[tuple[object, ...]]:
    """Each record stored: its id, last-change stamp, the vote it holds, when it was read."""
    return [tuple(r) for r in session.execute(
        select(_RECORD.c.record_id, _RECORD.c.modified, _EVENT.c.key, _RECORD.c.fetched_at)
        .select_from(_RECORD.outerjoin(_EVENT, _EVENT.c.id == _RECORD.c.vote_event_id))
        .order_by(_RECORD.c.record_id))]


def test_two_votes_each_given_by_two_records_in_one_batch_must_each_name_the_second(
        tracker: Engine) -> None:
    """Resolutions 2634 and 2636 each given by two records in one batch, each record read at
    its own time: each second record is stored without its vote, with its stamp and time, and
    named in a finding first seen when it was read; the counts are every row's. Read again,
    nothing changes."""
    batch = [_adoption("3975100", 2636, "2022-05-27", "S/PV.9050"),
             _adoption("3975000", 2636, "2022-05-27", "S/PV.9050"),
             _adoption("3974100", 2634, "2022-05-26", "S/PV.9047"),
             _adoption("3974000", 2634, "2022-05-26", "S/PV.9047")]
    read = {"3975100": T2, "3975000": T1, "3974100": T1, "3974000": T2}
    with Session(tracker) as session:
        ensure_members(session)
        first = store_voting_records(session, batch, source=VOTES, fetched_at=read)
        session.commit()
        held, found = _held(session), _findings(session)
        again = store_voting_records(session, batch, source=VOTES, fetched_at=read)
        session.commit()
    # 2 findings and 2 source records of the second records; of the first: 2 meetings,
    # 2 resolutions, 2 votes, 30 member votes, 2 source records
    assert first == Counts(new=42)
    assert again == Counts(unchanged=42)
    stamp = "20240101000000.0"
    assert held == [("3974000", stamp, "S/RES/2634 (2022)", T2), ("3974100", stamp, None, T1),
                    ("3975000", stamp, "S/RES/2636 (2022)", T1), ("3975100", stamp, None, T2)]
    assert found == [(VOTES, "S/RES/2634 (2022)", "vote_claimed_by_two_records", T1),
                     (VOTES, "S/RES/2636 (2022)", "vote_claimed_by_two_records", T2)]


def test_a_record_holding_a_vote_read_again_with_one_made_before_it_must_let_it_go(
        tracker: Engine) -> None:
    """Record 3975100 stored alone holds resolution 2636's vote; read again in a batch with
    3975000, made first, it holds no vote any more."""
    with Session(tracker) as session:
        ensure_members(session)
        store_voting_records(session, [_adoption("3975100", 2636, "2022-05-27", "S/PV.9050")],
                             source=VOTES, fetched_at=T1)
        store_voting_records(session, [_adoption("3975000", 2636, "2022-05-27", "S/PV.9050"),
                                       _adoption("3975100", 2636, "2022-05-27", "S/PV.9050")],
                             source=VOTES, fetched_at=T2)
        session.commit()
        held = _held(session)
    assert held == [("3975000", "20240101000000.0", "S/RES/2636 (2022)", T2),
                    ("3975100", "20240101000000.0", None, T2)]


def test_a_batch_that_displaces_a_stored_record_and_names_a_second_one_must_count_both(
        tracker: Engine) -> None:
    """Record 3975100 stored alone holds resolution 2636's vote. A batch of 3975000 (made
    before it: it takes the vote) and of two records of resolution 2634: the displaced record
    and the second record of 2634 are both named, and every row is counted."""
    with Session(tracker) as session:
        ensure_members(session)
        store_voting_records(session, [_adoption("3975100", 2636, "2022-05-27", "S/PV.9050")],
                             source=VOTES, fetched_at=T1)
        counts = store_voting_records(session, [
            _adoption("3975000", 2636, "2022-05-27", "S/PV.9050"),
            _adoption("3974000", 2634, "2022-05-26", "S/PV.9047"),
            _adoption("3974100", 2634, "2022-05-26", "S/PV.9047")], source=VOTES, fetched_at=T2)
        session.commit()
        found = _findings(session)
    assert found == [(VOTES, "S/RES/2634 (2022)", "vote_claimed_by_two_records", T2),
                     (VOTES, "S/RES/2636 (2022)", "vote_claimed_by_two_records", T2)]
    # new: 2 findings, 3974100's and 3975000's source records, 2634's meeting, resolution,
    # vote, 15 member votes and 3974000's source record; changed: 2636's 15 member votes (the
    # record's URL); unchanged: 2636's meeting, resolution and vote (moved to the record's URL
    # with the displaced one)
    assert counts == Counts(new=23, changed=15, unchanged=3)


# --- what voting records add to drafts and resolutions ---------------------------------------

def _failed_431() -> VotingRecord:
    """The record of S/2022/431's vote, 26 May 2022: China and Russia against, 13-2-0."""
    return _voting_record(Record(
        record_id="3974999", date="2022-05-26", resolution=None, draft="S/2022/431",
        title="Draft resolution S/2022/431", meeting="S/PV.9048",
        votes=[Vote(c, "N" if c in ("CHN", "RUS") else "Y", c) for c in COUNCIL_2022],
        totals=(13, 2, 0, 0, 15)))


def test_voting_records_must_give_drafts_and_resolutions_only_they_state_their_date_and_meeting(
        tracker: Engine) -> None:
    """No table read yet: the record of S/2022/431's vote gives the draft its status, and
    leaves the date its document record gave (25 May); the record of resolution 2636 naming
    its draft S/2022/440 gives the draft its date and status, and the resolution its meeting,
    date and draft."""
    adoption = _voting_record(Record(
        record_id="3975000", date="2022-05-27", resolution="S/RES/2636(2022)",
        draft="S/2022/440", title="Security Council resolution 2636 (2022)",
        votes=[Vote(c, "Y", c) for c in COUNCIL_2022], totals=(15, 0, 0, 0, 15),
        meeting="S/PV.9050"))
    with Session(tracker) as session:
        ensure_members(session)
        store_documents(session, [document("3975193", "S/2022/431", date="2022-05-25",
                                           sponsors=[])], source=DOCUMENTS, fetched_at=T1)
        counts = store_voting_records(session, [_failed_431(), adoption], source=VOTES,
                                      fetched_at=T2)
        session.commit()
        drafts = session.execute(select(_DRAFT.c.symbol, _DRAFT.c.date, _DRAFT.c.status,
                                        _DRAFT.c.source_url).order_by(_DRAFT.c.symbol)).all()
        r = table_of(Resolution)
        resolutions = session.execute(
            select(r.c.symbol, _MEETING_T.c.record, r.c.date, _DRAFT.c.symbol)
            .join(_MEETING_T, _MEETING_T.c.id == r.c.meeting_id)
            .join(_DRAFT, _DRAFT.c.id == r.c.draft_id)).all()
    # new: 2 meetings, S/2022/440, the resolution, 2 votes, 30 member votes, the roll call's 2
    # vetoes, 2 source records; changed: S/2022/431's status, the resolution's draft named
    assert counts == Counts(new=40, changed=2)
    assert [tuple(d) for d in drafts] == [
        ("S/2022/431", dt.date(2022, 5, 25), "vetoed", f"{LIBRARY}/3975193"),
        ("S/2022/440", dt.date(2022, 5, 27), "adopted", f"{LIBRARY}/3975000")]
    assert [tuple(r) for r in resolutions] == [
        ("S/RES/2636 (2022)", "S/PV.9050", dt.date(2022, 5, 27), "S/2022/440")]


def test_a_voting_record_naming_no_draft_must_leave_the_draft_a_link_gave_its_resolution(
        tracker: Engine) -> None:
    """Resolution 2636, stated by the table, linked to draft S/2022/440 (as ``db.links``
    accepts a document record's link); its voting record names no draft (as records before
    1998 do not): the link stays."""
    page = parse_meetings_table(_table([("S/PV.9050", "27 May", f"{_link(2636)} 15-0-0")]),
                                year=2022, url=TABLE_URL)
    with Session(tracker) as session:
        ensure_members(session)
        store_meetings_table(session, page, url=TABLE_URL, fetched_at=T1)
        draft_ids, _ = upsert(session, Draft, [{"symbol": "S/2022/440"}], key="symbol")
        upsert(session, Resolution, [{"symbol": "S/RES/2636 (2022)", "number": 2636,
                                      "year": 2022, "draft_id": draft_ids["S/2022/440"],
                                      "draft_named_by": "draft-link"}], key="symbol")
        store_voting_records(session, [_adoption("3975000", 2636, "2022-05-27", "S/PV.9050")],
                             source=VOTES, fetched_at=T2)
        session.commit()
        r = table_of(Resolution)
        named = session.execute(select(r.c.symbol, _DRAFT.c.symbol, r.c.draft_named_by)
                                .join(_DRAFT, _DRAFT.c.id == r.c.draft_id)).all()
    assert [tuple(n) for n in named] == [("S/RES/2636 (2022)", "S/2022/440", "draft-link")]


# --- roll calls -------------------------------------------------------------------------------

def _without_vote(record_id: str, number: int) -> VotingRecord:
    """The record of resolution ``number`` (2022), adopted without a vote on 31 May: no
    member's vote, no totals (a finding of the record's own)."""
    return _voting_record(Record(
        record_id=record_id, date="2022-05-31", resolution=f"S/RES/{number}(2022)",
        title=f"Security Council resolution {number} (2022)", note="Adopted without vote",
        votes=[Vote(c, "X", c) for c in COUNCIL_2022], totals=None, meeting="S/PV.9052"))


def _votes(session: Session) -> list[tuple[object, ...]]:
    """Each vote: its key, outcome, draft and how many member votes it holds."""
    mv = table_of(MemberVote)
    held = dict(session.execute(select(mv.c.vote_event_id, func.count(mv.c.id))
                                .group_by(mv.c.vote_event_id)).all())
    return [(key, outcome, draft, held.get(e_id, 0)) for e_id, key, outcome, draft in
            session.execute(select(_EVENT.c.id, _EVENT.c.key, _EVENT.c.outcome, _DRAFT.c.symbol)
                            .select_from(_EVENT.outerjoin(_DRAFT, _DRAFT.c.id == _EVENT.c.draft_id))
                            .order_by(_EVENT.c.key))]


def test_a_batch_must_store_each_records_roll_call_after_an_adoption_without_a_vote(
        tracker: Engine) -> None:
    """No table read yet: resolution 2637's record (adopted without a vote, first in the
    batch) and S/2022/431's. The adoption is stored without a vote and no roll call, with the
    record's finding first seen when read; the draft's vote holds its draft and its fifteen
    member votes. Read again, nothing changes."""
    batch = [_without_vote("3975300", 2637), _failed_431()]
    with Session(tracker) as session:
        ensure_members(session)
        store_voting_records(session, batch, source=VOTES, fetched_at=T1)
        session.commit()
        votes, found = _votes(session), _findings(session)
        again = store_voting_records(session, batch, source=VOTES, fetched_at=T2)
        session.commit()
    assert votes == [("S/2022/431", "vetoed", "S/2022/431", 15),
                     ("S/RES/2637 (2022)", "adopted_without_vote", None, 0)]
    assert found == [(VOTES, "record 3975300", "no_totals", T1)]
    # 2 meetings, the draft, the resolution, 2 votes, 15 member votes, 2 vetoes, the finding,
    # 2 source records
    assert again == Counts(unchanged=26)


def test_records_of_failed_drafts_stored_in_two_batches_must_each_keep_their_vetoes(
        tracker: Engine) -> None:
    """The roll calls of S/2022/431 (China and Russia against) and S/2022/720 (Russia
    against), stored in two batches: the second batch's vetoes are added to the first's."""
    s720 = _voting_record(Record(
        record_id="3990000", date="2022-09-30", resolution=None, draft="S/2022/720",
        title="Draft resolution S/2022/720", meeting="S/PV.9143",
        votes=[Vote(c, {"RUS": "N", "CHN": "A", "GAB": "A", "IND": "A", "BRA": "A"}.get(c, "Y"),
                    c) for c in COUNCIL_2022], totals=(10, 1, 4, 0, 15)))
    with Session(tracker) as session:
        ensure_members(session)
        store_voting_records(session, [_failed_431()], source=VOTES, fetched_at=T1)
        store_voting_records(session, [s720], source=VOTES, fetched_at=T2)
        session.commit()
        vetoes = session.execute(select(_EVENT.c.key, _VETO.c.member_code, _VETO.c.source).join(
            _EVENT, _EVENT.c.id == _VETO.c.vote_event_id).order_by(
            _EVENT.c.key, _VETO.c.member_code)).all()
    assert [tuple(v) for v in vetoes] == [("S/2022/431", "CHN", "roll-call"),
                                          ("S/2022/431", "RUS", "roll-call"),
                                          ("S/2022/720", "RUS", "roll-call")]


def test_a_batch_must_count_a_second_records_old_finding_and_a_vote_no_longer_given_deleted(
        tracker: Engine) -> None:
    """Records 3975000 and 3975100 of resolution 2636, read again: 3975000 no longer gives
    the United States' vote, and 3975100 (the second record, set aside) now counts the United
    Arab Emirates abstaining. Its old finding and the vote no longer given are both counted
    deleted."""
    def adoption(record_id: str, changes: dict[str, str]) -> VotingRecord:
        votes = [Vote(c, changes.get(c, "Y"), c) for c in COUNCIL_2022
                 if changes.get(c) != "-"]
        counted = [v.vote for v in votes]
        return _voting_record(Record(
            record_id=record_id, date="2022-05-27", resolution="S/RES/2636(2022)",
            title="Security Council resolution 2636 (2022)", votes=votes, meeting="S/PV.9050",
            totals=(counted.count("Y"), 0, counted.count("A"), 0, 15)))

    with Session(tracker) as session:
        ensure_members(session)
        store_voting_records(session, [adoption("3975000", {}), adoption("3975100", {})],
                             source=VOTES, fetched_at=T1)
        again = store_voting_records(session, [adoption("3975000", {"USA": "-"}),
                                               adoption("3975100", {"ARE": "A"})],
                                     source=VOTES, fetched_at=T2)
        session.commit()
        found = _findings(session)
    # new: 3975100's finding (a roll call of 14-0-1) and 3975000's (its roll call of 14 members
    # against its totals of 15); changed: the vote's tally; unchanged: the meeting, the
    # resolution, 14 member votes, 2 source records; deleted: 3975100's old finding and the
    # United States' vote
    assert again == Counts(new=2, changed=1, unchanged=18, deleted=2)
    assert found == [(VOTES, "S/RES/2636 (2022)", "vote_claimed_by_two_records", T2),
                     (VOTES, "record 3975000", "roll_call_disagrees_with_totals", T2)]


def test_a_record_must_not_be_set_aside_for_another_sources_record_of_the_vote(
        tracker: Engine) -> None:
    """The Library's dataset holds resolution 2636's vote under record 3975000; the scraped
    records give it under 3975100 (the Library has two records of the vote): one record of
    each source, neither set aside, no finding."""
    with Session(tracker) as session:
        ensure_members(session)
        store_voting_records(session, [_adoption("3975000", 2636, "2022-05-27", "S/PV.9050")],
                             source="undl-dataset", fetched_at=T1)
        store_voting_records(session, [_adoption("3975100", 2636, "2022-05-27", "S/PV.9050")],
                             source=VOTES, fetched_at=T2)
        session.commit()
        held = session.execute(select(_RECORD.c.source, _RECORD.c.record_id, _EVENT.c.key)
                               .select_from(_RECORD.outerjoin(
                                   _EVENT, _EVENT.c.id == _RECORD.c.vote_event_id))
                               .order_by(_RECORD.c.source)).all()
        found = _findings(session)
    assert [tuple(h) for h in held] == [("undl-dataset", "3975000", "S/RES/2636 (2022)"),
                                        (VOTES, "3975100", "S/RES/2636 (2022)")]
    assert found == []


def test_the_record_made_first_must_keep_the_vote_by_number_not_by_text(
        tracker: Engine) -> None:
    """Records 574090 (an old record) and 4002210 (made decades later) both give resolution
    2636: the one made first is the lower number, 574090, though "4002210" < "574090" as
    text."""
    with Session(tracker) as session:
        ensure_members(session)
        store_voting_records(session, [_adoption("4002210", 2636, "2022-05-27", "S/PV.9050"),
                                       _adoption("574090", 2636, "2022-05-27", "S/PV.9050")],
                             source=VOTES, fetched_at=T1)
        session.commit()
        held = _held(session)
    assert held == [("4002210", "20240101000000.0", None, T1),
                    ("574090", "20240101000000.0", "S/RES/2636 (2022)", T1)]


def test_a_record_taking_a_vote_from_a_stored_one_must_take_only_that_votes_rows(
        tracker: Engine) -> None:
    """Records 3975100 (resolution 2636) and 3974000 (2634) stored; then a batch of 3975000
    (made before 3975100: it takes 2636's vote) and 3973000 (2633). The displaced record
    alone lets its vote go, and 2636's vote and resolution alone pass to 3975000's page;
    every other record keeps its vote and every other row its page."""
    with Session(tracker) as session:
        ensure_members(session)
        store_voting_records(session, [_adoption("3975100", 2636, "2022-05-27", "S/PV.9050"),
                                       _adoption("3974000", 2634, "2022-05-26", "S/PV.9047")],
                             source=VOTES, fetched_at=T1)
        store_voting_records(session, [_adoption("3975000", 2636, "2022-05-27", "S/PV.9050"),
                                       _adoption("3973000", 2633, "2022-05-25", "S/PV.9046")],
                             source=VOTES, fetched_at=T2)
        session.commit()
        held = [(record_id, key) for record_id, _, key, _ in _held(session)]
        r = table_of(Resolution)
        pages = [tuple(row) for row in session.execute(
            select(_EVENT.c.key, _EVENT.c.source_url, r.c.source_url)
            .join(r, r.c.id == _EVENT.c.resolution_id).order_by(_EVENT.c.key))]
        found = _findings(session)
    assert held == [("3973000", "S/RES/2633 (2022)"), ("3974000", "S/RES/2634 (2022)"),
                    ("3975000", "S/RES/2636 (2022)"), ("3975100", None)]
    assert pages == [
        ("S/RES/2633 (2022)", f"{LIBRARY}/3973000", f"{LIBRARY}/3973000"),
        ("S/RES/2634 (2022)", f"{LIBRARY}/3974000", f"{LIBRARY}/3974000"),
        ("S/RES/2636 (2022)", f"{LIBRARY}/3975000", f"{LIBRARY}/3975000")]
    assert found == [(VOTES, "S/RES/2636 (2022)", "vote_claimed_by_two_records", T2)]


def test_a_record_giving_no_vote_must_not_be_held_to_a_tally_the_tables_do_not_print(
        tracker: Engine) -> None:
    """S/RES/15 (1946), "adopted unanimously" with no tally in the table; its voting record,
    read after the table, gives no vote: there is no tally to hold it to, so no finding, and
    the vote keeps no count."""
    members = ("AUS", "BRA", "CHN", "EGY", "FRA", "MEX", "NLD", "POL", "SUN", "GBR", "USA")
    record = _voting_record(Record(
        record_id="111000", date="1946-12-19", resolution="S/RES/15(1946)",
        title="Security Council resolution 15 (1946)", votes=[Vote(c, "X", c) for c in members],
        totals=(0, 0, 0, 11, 11), meeting="S/PV.87"))
    table_url = "https://www.un.org/depts/dhl/resguide/scact1946_table_en.html"
    page = parse_meetings_table((FIXTURES / "dhl" / "scact1946_table_en.html").read_bytes(),
                                year=1946, url=table_url)
    with Session(tracker) as session:
        ensure_members(session)
        store_meetings_table(session, page, url=table_url, fetched_at=T1)
        store_voting_records(session, [record], source=VOTES, fetched_at=T1)
        session.commit()
        event = session.execute(select(_EVENT.c.outcome, _EVENT.c.yes, _EVENT.c.no,
                                       _EVENT.c.abstain)
                                .where(_EVENT.c.key == "S/RES/15 (1946)")).one()
        found = session.execute(select(_FINDING.c.kind).where(
            _FINDING.c.record == "S/RES/15 (1946)")).scalars().all()
    assert tuple(event) == ("adopted_with_vote", None, None, None)
    assert found == []


def test_a_table_must_give_its_meetings_their_topic_and_outcome_as_printed(
        tracker: Engine) -> None:
    with Session(tracker) as session:
        ensure_members(session)
        store_meetings_table(session, parse_meetings_table(_table([TABLE_431]), year=2022,
                                                           url=TABLE_URL),
                             url=TABLE_URL, fetched_at=T1)
        session.commit()
        meetings = session.execute(select(_MEETING_T.c.record, _MEETING_T.c.topic,
                                          _MEETING_T.c.outcome_text)).all()
    assert [tuple(m) for m in meetings] == [(
        "S/PV.9048", "Topic",
        "Draft resolution S/2022/431 vetoed by China, Russian Federation 13-2-0")]


def test_a_table_must_give_a_vote_the_question_it_names(shared_data: Path,
                                                         tracker: Engine) -> None:
    """The real 1947 table: S/552 vetoed at S/PV.202 on the preliminary question."""
    url = "https://www.un.org/depts/dhl/resguide/scact1947_table_en.html"
    page = parse_meetings_table((shared_data / "un_org_dhl_html" / "scact_tables"
                                 / "scact1947_table_en.html").read_bytes(), year=1947, url=url)
    with Session(tracker) as session:
        ensure_members(session)
        store_meetings_table(session, page, url=url, fetched_at=T1)
        session.commit()
        asked = session.execute(select(_EVENT.c.key, _EVENT.c.question, _EVENT.c.outcome)
                                .where(_EVENT.c.question.is_not(None))).all()
    assert [tuple(a) for a in asked] == [
        ("S/552 (preliminary question)", "preliminary question", "vetoed")]


def test_the_tables_stored_after_the_list_must_date_the_one_vote_finding_when_read(
        tracker: Engine) -> None:
    """The list's S/2022/431/Rev.1 stored first, then the table's S/2022/431: the table's
    store makes them one vote, its finding first seen when the table was read."""
    with Session(tracker) as session:
        ensure_members(session)
        store_veto_list(session, _list_of(VETO_431_REV_1), url=LIST_URL, fetched_at=T1)
        store_meetings_table(session, parse_meetings_table(_table([TABLE_431]), year=2022,
                                                           url=TABLE_URL),
                             url=TABLE_URL, fetched_at=T2)
        session.commit()
        found = _findings(session)
    assert found == [(LIST, "S/2022/431/Rev.1", "same_vote_two_symbols", T2)]


def test_a_resolution_a_record_dated_must_be_held_at_the_printed_meeting_of_that_date(
        tracker: Engine) -> None:
    """Resolution 2632's record, naming no meeting, dates it 31 May; the table read later
    prints it at S/PV.9050 (27 May) and S/PV.9052 (31 May): it is held at S/PV.9052, and the
    table's finding is first seen when the table was read."""
    page = parse_meetings_table(_table([
        ("S/PV.9052", "31 May", f"{_link(2632)} 15-0-0"),
        ("S/PV.9050", "27 May", f"{_link(2631)} 15-0-0<br/>{_link(2632)} 15-0-0")]),
        year=2022, url=TABLE_URL)
    with Session(tracker) as session:
        ensure_members(session)
        store_voting_records(session, [_adoption("2", 2632, "2022-05-31", None)],
                             source=VOTES, fetched_at=T1)
        store_meetings_table(session, page, url=TABLE_URL, fetched_at=T2)
        session.commit()
        r = table_of(Resolution)
        held = session.execute(select(r.c.symbol, _MEETING_T.c.record).join(
            _MEETING_T, _MEETING_T.c.id == r.c.meeting_id).order_by(r.c.symbol)).all()
        found = _findings(session)
    assert [tuple(h) for h in held] == [("S/RES/2631 (2022)", "S/PV.9050"),
                                        ("S/RES/2632 (2022)", "S/PV.9052")]
    assert [(s, k, t) for s, _, k, t in found] == [
        ("dhl-meetings", "decision_printed_twice", T2)]


def test_a_draft_the_real_1974_table_prints_twice_must_be_named_with_the_first_kept(
        shared_data: Path, tracker: Engine) -> None:
    """The real 1974 table prints S/11400 at S/PV.1788 and S/PV.1808: a draft's first printing
    is kept (a resolution's is settled by a second source)."""
    url = "https://www.un.org/depts/dhl/resguide/scact1974_table_en.html"
    page = parse_meetings_table((shared_data / "un_org_dhl_html" / "scact_tables"
                                 / "scact1974_table_en.html").read_bytes(), year=1974, url=url)
    with Session(tracker) as session:
        ensure_members(session)
        store_meetings_table(session, page, url=url, fetched_at=T1)
        session.commit()
        found = session.execute(select(_FINDING.c.record, _FINDING.c.message).where(
            _FINDING.c.kind == "decision_printed_twice")).all()
    assert [tuple(f) for f in found] == [(
        "S/PV.1788", "S/11400 is printed at two meetings, S/PV.1788 (1974-07-31) and S/PV.1808 "
        "(1974-10-30); the first is kept")]


def test_the_findings_the_tables_settle_about_records_stored_before_must_name_their_pages(
        tracker: Engine) -> None:
    """Records stored before the tables: 3975000 gives 2631 a roll call the table calls
    adopted without a vote, and 3975300 gives 2637 no vote where the table prints 15-0-0.
    Each finding is of its record's page, with its URL."""
    page = parse_meetings_table(_table([
        ("S/PV.9050", "27 May", f"{_link(2631)} without vote"),
        ("S/PV.9052", "31 May", f"{_link(2637)} 15-0-0")]), year=2022, url=TABLE_URL)
    with Session(tracker) as session:
        ensure_members(session)
        store_voting_records(session, [_adoption("3975000", 2631, "2022-05-27", "S/PV.9050"),
                                       _without_vote("3975300", 2637)],
                             source=VOTES, fetched_at=T1)
        store_meetings_table(session, page, url=TABLE_URL, fetched_at=T2)
        # read again later: the tally finding is settled again, and keeps when it was first seen
        store_meetings_table(session, page, url=TABLE_URL,
                             fetched_at=dt.datetime(2024, 3, 4, tzinfo=dt.UTC))
        session.commit()
        found = session.execute(select(_FINDING.c.page, _FINDING.c.record, _FINDING.c.kind,
                                       _FINDING.c.url, _FINDING.c.first_seen)
                                .where(_FINDING.c.source == VOTES)
                                .order_by(_FINDING.c.page, _FINDING.c.kind)).all()
    assert [tuple(f) for f in found] == [
        ("record/3975000", "S/RES/2631 (2022)", "roll_call_on_adoption_without_vote",
         f"{LIBRARY}/3975000", T2),
        ("record/3975300", "record 3975300", "no_totals", f"{LIBRARY}/3975300", T1),
        ("record/3975300", "S/RES/2637 (2022)", "tally_on_adoption_without_vote",
         f"{LIBRARY}/3975300", T2)]
