"""Trust: one vote counted once, and an outcome never stored with a tally that contradicts it.

Issue 11, classes 5 (a draft and its revision that are the same vote) and 6 (an
adoption without a vote carries no tally and no roll call).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session

from council.records import VotingRecord
from db.engine import upgrade
from db.models import Finding, MemberVote, VoteEvent
from db.store import ensure_members, store_meetings_table, store_voting_records
from scrapers.dhl.parse import parse_meetings_table
from scrapers.undl.parse import parse_record_xml
from tests.undl_replay import Record, Vote, _strip_declaration, from_scrape_csv


@pytest.fixture
def db(sqlite_engine: Engine) -> Engine:
    upgrade(sqlite_engine)
    return sqlite_engine


WHEN = dt.datetime(2022, 12, 31, tzinfo=dt.UTC)
MARC = b'<collection xmlns="http://www.loc.gov/MARC21/slim">%s</collection>'
TABLE_URL = "https://www.un.org/depts/dhl/resguide/scact1995_table_en.html"
MEMBERS_1995 = ["ARG", "BWA", "CHN", "CZE", "DEU", "FRA", "GBR", "HND", "IDN", "ITA", "NGA",
                "OMN", "RUS", "RWA", "USA"]


def _table(outcome: str) -> bytes:
    """A 1995 meetings table in the real page's shape, with one adoption."""
    return (
        "<html><body><table>"
        "<tr><th>Meeting Record</th><th>Date</th><th>Topic</th><th>Security Council "
        "Outcome / Vote</th></tr>"
        '<tr><td><a href="https://undocs.org/en/S/PV.3590">S/PV.3590</a></td>'
        "<td>7 November</td><td>ICJ &mdash; Election</td>"
        '<td><a href="https://undocs.org/en/S/RES/1018(1995)">S/RES/1018 (1995)</a><br />'
        f"{outcome}</td></tr></table></body></html>").encode()


def _record(vote: str | None, totals: tuple[int, int, int, int, int]) -> VotingRecord:
    """A Digital Library voting record of resolution 1018 (1995): every member votes
    ``vote`` (None: the 967 fields carry no vote at all)."""
    record = Record(record_id="284386", date="1995-11-07", resolution="S/RES/1018(1995)",
                    title="Security Council resolution 1018 (1995) [on election]",
                    votes=[Vote(c, vote or "X", c) for c in MEMBERS_1995], totals=totals,
                    meeting="S/PV.3590")
    return parse_record_xml(MARC % _strip_declaration(record.xml().encode()),
                            base_url="https://digitallibrary.un.org")


def _store_both(engine: Engine, table: bytes, record: VotingRecord, *, tables_first: bool
                ) -> None:
    page = parse_meetings_table(table, year=1995, url=TABLE_URL)
    steps: list[Callable[[Session], object]] = [
        lambda s: store_meetings_table(s, page, url=TABLE_URL, fetched_at=WHEN),
        lambda s: store_voting_records(s, [record], source="undl-votes", fetched_at=WHEN)]
    for step in steps if tables_first else reversed(steps):
        with Session(engine) as session:
            ensure_members(session)
            step(session)
            session.commit()


def _state(engine: Engine) -> tuple[tuple[object, ...], int, list[tuple[str, str, str]]]:
    with Session(engine) as session:
        event = session.execute(select(VoteEvent.outcome, VoteEvent.yes, VoteEvent.no,
                                       VoteEvent.abstain, VoteEvent.non_voting)
                                .where(VoteEvent.key == "S/RES/1018 (1995)")).one()
        votes = len(session.execute(select(MemberVote.id)).all())
        found = [tuple(f) for f in session.execute(
            select(Finding.kind, Finding.source, Finding.message)
            .where(Finding.record == "S/RES/1018 (1995)"))]
        # Every finding knows when it was first seen, whichever store recorded it.
        assert session.execute(select(Finding.id).where(  # type: ignore[call-overload]
            Finding.first_seen.is_(None))).first() is None  # type: ignore[union-attr]
    return tuple(event), votes, found  # type: ignore[return-value]


def test_a_record_whose_every_vote_is_empty_is_an_adoption_without_a_vote() -> None:
    """A voting record that gives no member's vote and counts no vote must be read as an
    adoption without a vote (not as fifteen members not voting), whatever 590 says."""
    record = _record(None, (0, 0, 0, 15, 15))
    assert record.without_vote is True
    assert record.findings == []
    assert _record("Y", (15, 0, 0, 0, 15)).without_vote is False


@pytest.mark.parametrize("tables_first", [True, False])
def test_an_adoption_without_a_vote_keeps_no_tally_and_no_roll_call(
        db: Engine, tables_first: bool) -> None:
    """The tables' "without vote" must win over a record's all-"Y" roll call, in either
    order: no tally, no member votes, and one finding naming both sources."""
    _store_both(db, _table("without vote"), _record("Y", (15, 0, 0, 0, 15)),
                tables_first=tables_first)
    event, votes, found = _state(db)
    assert event == ("adopted_without_vote", None, None, None, None)
    assert votes == 0
    assert found == [(
        "roll_call_on_adoption_without_vote", "undl-votes",
        "S/RES/1018 (1995): the meetings table says adopted without a vote; the Digital "
        "Library's voting record 284386 gives a roll call of 15-0-0 (0 not voting). Kept: "
        "adopted without a vote, with no tally and no roll call (the tables own outcomes and "
        "tallies; the Library codes adoptions without a vote as all in favour)")]


@pytest.mark.parametrize("tables_first", [True, False])
def test_a_tally_on_a_record_without_a_vote_is_a_finding_not_fifteen_non_votes(
        db: Engine, tables_first: bool) -> None:
    """A record with no vote given against a table's 15-0-0 must keep the table's tally, store
    no roll call (not fifteen "X"), and say so in a finding, in either order."""
    _store_both(db, _table("15-0-0"), _record(None, (0, 0, 0, 15, 15)),
                tables_first=tables_first)
    event, votes, found = _state(db)
    assert event == ("adopted_with_vote", 15, 0, 0, 0)
    assert votes == 0
    assert found == [(
        "tally_on_adoption_without_vote", "undl-votes",
        "S/RES/1018 (1995): the Digital Library's voting record 284386 gives no member's vote "
        "and no votes counted (an adoption without a vote); the meetings table prints a vote "
        "of 15-0-0. Kept: the table's 15-0-0 (the tables own outcomes and tallies), with no "
        "roll call")]


def test_real_adoptions_without_a_vote(shared_data: Path, db: Engine) -> None:
    """On the real pages: 1018 (1995) is "without vote" on the 1995 table and all "Y" in the
    scrape; 726 (1992) is 15-0-0 on the 1992 table and has no vote in its record. Neither
    may store both facts."""
    tables = shared_data / "un_org_dhl_html" / "scact_tables"
    scrape = from_scrape_csv(shared_data / "undl_scrape_un_data"
                             / "un_data_security_council_rows.csv")
    wanted = {"S/RES/1018(1995)", "S/RES/726(1992)"}
    records = [parse_record_xml(MARC % _strip_declaration(r.xml().encode()))
               for r in scrape if r.resolution in wanted]
    assert {r.resolution: r.without_vote for r in records} == {
        "S/RES/1018 (1995)": False, "S/RES/726 (1992)": True}
    with Session(db) as session:
        ensure_members(session)
        for year in (1992, 1995):
            url = f"https://www.un.org/depts/dhl/resguide/scact{year}_table_en.html"
            page = parse_meetings_table((tables / f"scact{year}_table_en.html").read_bytes(),
                                        year=year, url=url)
            store_meetings_table(session, page, url=url, fetched_at=WHEN)
        store_voting_records(session, records, source="undl-votes", fetched_at=WHEN)
        session.commit()
        rows = {key: (outcome, yes) for key, outcome, yes in session.execute(
            select(VoteEvent.key, VoteEvent.outcome, VoteEvent.yes).where(
                VoteEvent.key.in_(["S/RES/1018 (1995)", "S/RES/726 (1992)"])))}
        votes = session.execute(select(MemberVote.id).join(
            VoteEvent, VoteEvent.id == MemberVote.vote_event_id).where(
                VoteEvent.key.in_(["S/RES/1018 (1995)", "S/RES/726 (1992)"]))).all()
        kinds = sorted(session.execute(select(Finding.record, Finding.kind).where(
            Finding.kind.in_(["roll_call_on_adoption_without_vote",
                              "tally_on_adoption_without_vote"]))).all())
    assert rows == {"S/RES/1018 (1995)": ("adopted_without_vote", None),
                    "S/RES/726 (1992)": ("adopted_with_vote", 15)}
    assert votes == []
    assert kinds == [("S/RES/1018 (1995)", "roll_call_on_adoption_without_vote"),
                     ("S/RES/726 (1992)", "tally_on_adoption_without_vote")]


def _store_veto_pages(db: Engine, shared_data: Path, *, list_first: bool) -> None:
    from db.store import store_veto_list
    from scrapers.dhl.parse import parse_veto_list

    pages = shared_data / "un_org_dhl_html"
    list_url = "https://www.un.org/depts/dhl/resguide/scact_veto_table_en.htm"
    table_url = "https://www.un.org/depts/dhl/resguide/scact1986_table_en.html"
    veto_list = parse_veto_list((pages / "scact_veto_table_en.html").read_bytes(), url=list_url)
    table = parse_meetings_table((pages / "scact_tables" / "scact1986_table_en.html").read_bytes(),
                                 year=1986, url=table_url)
    steps: list[Callable[[Session], object]] = [
        lambda s: store_veto_list(s, veto_list, url=list_url, fetched_at=WHEN),
        lambda s: store_meetings_table(s, table, url=table_url, fetched_at=WHEN)]
    for step in [*steps, *steps] if list_first else [*reversed(steps), *reversed(steps)]:
        with Session(db) as session:
            ensure_members(session)
            step(session)
            session.commit()


@pytest.mark.parametrize("list_first", [True, False])
def test_a_draft_and_its_revision_voted_once_are_one_vote(
        shared_data: Path, db: Engine, list_first: bool) -> None:
    """S/18087 (1986 table) and S/18087/Rev.1 (Veto List), both at S/PV.2686, both vetoed by
    the UK and the USA, must be one vote, in either order: one vote event, the Veto List's
    symbol kept on it and searchable, counted once by every report."""
    from db.models import Veto
    from reports.drafts import draft, drafts
    from reports.findings import veto_disagreements
    from reports.rollcalls import find_vote_event
    from reports.vetoes import vetoes

    _store_veto_pages(db, shared_data, list_first=list_first)
    with Session(db) as session:
        events = session.execute(select(VoteEvent.key, VoteEvent.printed_as, VoteEvent.id).where(
            VoteEvent.key.in_(["S/18087", "S/18087/Rev.1"]))).all()
        assert [(k, p) for k, p, _ in events] == [("S/18087", "S/18087/Rev.1")]
        named = sorted(session.execute(select(Veto.source, Veto.member_code).where(
            Veto.vote_event_id == events[0][2])).all())
        found = session.execute(select(Finding.kind, Finding.message).where(
            Finding.record == "S/18087/Rev.1")).all()
    assert named == [("dhl-meetings", "GBR"), ("dhl-meetings", "USA"),
                     ("dhl-veto-list", "GBR"), ("dhl-veto-list", "USA")]
    assert [tuple(f) for f in found] == [(
        "same_vote_two_symbols",
        "S/18087/Rev.1 (the Veto List) and S/18087 (the meetings table) are one vote at "
        "S/PV.2686, vetoed by GBR, USA: counted once, as the vote on S/18087; S/18087/Rev.1 "
        "is kept as the symbol the Veto List prints for it")]
    by_member = vetoes(db, by="member").set_index("member_code")["vetoes"].to_dict()
    assert by_member == {"SUN": 90, "USA": 82, "RUS": 30, "GBR": 29, "CHN": 17, "FRA": 17}
    assert vetoes(db, by="member", convention="dhl-meetings", since=dt.date(1986, 5, 23),
                  until=dt.date(1986, 5, 23)).set_index("member_code")["vetoes"].to_dict() == {
        "GBR": 1, "USA": 1}
    assert not veto_disagreements(db)["record"].str.startswith("S/18087").any()
    vetoed = drafts(db, status="vetoed", since=dt.date(1986, 5, 23), until=dt.date(1986, 5, 23))
    assert vetoed["symbol"].tolist() == ["S/18087"]
    assert vetoed["vetoed_by"].tolist() == [["GBR", "USA"]]
    for symbol in ("S/18087", "S/18087/Rev.1"):
        shown = draft(db, symbol)["draft"]
        assert (shown["symbol"], shown["printed_as"], shown["tally"]) == (
            "S/18087", "S/18087/Rev.1", "12-2-1")
        assert find_vote_event(db, symbol)["key"] == "S/18087"
