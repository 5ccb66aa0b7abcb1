"""Trust: a resolution link never creates a resolution; a decision printed twice is settled."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from db.engine import session_scope, upgrade
from db.models import Draft, Finding, Meeting, Resolution, VoteEvent
from db.store import store_documents, store_meetings_table, store_voting_records
from scrapers.dhl.parse import parse_meetings_table
from scrapers.undl.documents import parse_document_xml
from scrapers.undl.parse import parse_record_xml
from tests.conftest import Replay
from tests.test_sync import quiet_client, serve_fixtures
from tests.undl_replay import Document, Record, from_pcrc_csv
from tracker.settings import Settings
from tracker.sync import sync

T = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
TABLES = Path("un_org_dhl_html") / "scact_tables"
PCRC = Path("pcrc_unsc_dataset") / "undl_export_089_B02_security_council.csv"
RESGUIDE = "/depts/dhl/resguide"


def _marc(xml: str) -> bytes:
    return f'<collection xmlns="http://www.loc.gov/MARC21/slim">{xml}</collection>'.encode()


def _findings(engine: Engine, kind: str) -> list[tuple[str, str]]:
    with engine.connect() as c:
        return sorted(c.execute(select(Finding.record, Finding.message)  # type: ignore[call-overload]
                                .where(Finding.kind == kind)).all())


def _resolutions(engine: Engine) -> set[str]:
    with engine.connect() as c:
        return set(c.execute(select(Resolution.symbol)).scalars())  # type: ignore[call-overload]


# --- class 1: resolutions from a link alone ---------------------------------------------------


def test_a_link_to_an_unknown_resolution_creates_none_and_is_a_finding(
        engine: Engine, replay: Replay, settings: Settings) -> None:
    """A full sync must store no resolution that neither the tables nor the voting records name;
    a link to one is a finding, and a link to a known resolution is kept."""
    library = serve_fixtures(replay)
    library.documents.append(("S/2024/901", "9000901", Document(
        "9000901", "S/2024/901", resolution="S/RES/9001(2024)").xml().encode()))
    settings = settings.model_copy(update={"un_org_url": replay.url, "undl_url": replay.url,
                                           "press_url": replay.url, "docs_url": replay.url})
    assert sync(engine, settings, today=dt.date(2024, 6, 1), client=quiet_client()).ok
    assert "S/RES/9001 (2024)" not in _resolutions(engine)
    with engine.connect() as c:
        linked = c.execute(select(Draft.resolution_link, Draft.status)  # type: ignore[call-overload]
                           .where(Draft.symbol == "S/2024/901")).one()
        known = c.execute(select(Resolution.symbol, Draft.symbol).join(  # type: ignore[call-overload]
            Draft, Draft.id == Resolution.draft_id).where(Draft.symbol == "S/2023/215")).all()
    assert tuple(linked) == ("S/RES/9001 (2024)", None)
    assert known == [("S/RES/2680 (2023)", "S/2023/215")]
    assert _findings(engine, "draft_links_unknown_resolution") == [(
        "S/2024/901", "S/2024/901: its document record links it to S/RES/9001 (2024), a "
        "resolution that neither the meetings tables nor the voting records name; the link is "
        "not stored and no resolution is made of it; the draft is linked to no resolution")]


def test_the_librarys_cataloguing_errors_make_no_resolution_in_either_order(
        shared_data: Path, tmp_path: Path, replay: Replay, settings: Settings) -> None:
    """S/2015/134 is linked to "S/RES/220 (2015)" (it became 2205 (2015)), S/2019/880 to
    "S/RES/2498(2018)" (2498 (2019)): neither must become a resolution, whatever the order."""
    wanted = {"S/2015/134", "S/2019/880"}
    library = serve_fixtures(replay)
    library.documents = [(d.symbol, d.record_id, d.xml().encode())
                         for d in from_pcrc_csv(shared_data / PCRC) if d.symbol in wanted]
    assert len(library.documents) == 2
    for year in (2015, 2019):
        replay.pages[f"{RESGUIDE}/scact{year}_table_en.html"] = (
            shared_data / TABLES / f"scact{year}_table_en.html").read_bytes()
    settings = settings.model_copy(update={"un_org_url": replay.url, "undl_url": replay.url,
                                           "press_url": replay.url, "docs_url": replay.url})
    results = []
    for order in (["meetings", "documents"], ["documents", "meetings"]):
        engine = make_engine_at(tmp_path / f"{'-'.join(order)}.sqlite")
        local = settings.model_copy(update={"data_dir": tmp_path / "-".join(order)})
        for source in order:
            sync(engine, local, sources=[source], since=2015, until=2019,
                 today=dt.date(2019, 12, 31), client=quiet_client())
        resolutions = _resolutions(engine)
        assert {"S/RES/2205 (2015)", "S/RES/2498 (2019)"} <= resolutions
        assert not {"S/RES/220 (2015)", "S/RES/2498 (2018)"} & resolutions
        results.append((_findings(engine, "draft_links_unknown_resolution"),
                        sorted(r for r in resolutions)))
        engine.dispose()
    assert results[0] == results[1]
    assert [r for r, _ in results[0][0]] == ["S/2015/134", "S/2019/880"]
    assert results[0][0][1][1] == (
        "S/2019/880: its document record links it to S/RES/2498 (2018), a resolution that "
        "neither the meetings tables nor the voting records name; the link is not stored and "
        "no resolution is made of it; the draft is linked to no resolution")


def make_engine_at(path: Path) -> Engine:
    from db.engine import make_engine
    return make_engine(f"sqlite:///{path}")


def _vote_and_link(engine: Engine, vote: tuple[str, str, str], draft: str, *,
                   status: str | None = None) -> None:
    """Store a voting record (date, resolution, meeting) and a draft's document record that
    links that resolution (the draft with ``status`` if given), then settle the links."""
    from db.links import settle_resolution_links

    date, resolution, meeting = vote
    upgrade(engine)
    with session_scope(engine) as session:
        record = parse_record_xml(_marc(Record("1", date, resolution, "t", [], None,
                                         meeting=meeting).xml()), base_url="http://x")
        store_voting_records(session, [record], source="undl-votes", fetched_at=T)
        doc = parse_document_xml(_marc(Document("2", draft, resolution=resolution).xml()),
                                 base_url="http://x")
        assert doc is not None
        store_documents(session, [doc], source="undl-documents", fetched_at=T)
        if status is not None:
            session.execute(Draft.__table__.update()  # type: ignore[attr-defined]
                            .where(Draft.__table__.c.symbol == draft)  # type: ignore[attr-defined]
                            .values(status=status))
        settle_resolution_links(session, seen_at=T)


def test_a_link_to_a_resolution_adopted_before_the_draft_is_refused(engine: Engine) -> None:
    """A link to a known resolution adopted before the draft's year must be refused, named."""

    _vote_and_link(engine, ("2018-12-20", "S/RES/2450(2018)", "S/PV.8434"), "S/2019/880")
    with engine.connect() as c:
        assert c.execute(select(Resolution.draft_id)  # type: ignore[call-overload]
                         .where(Resolution.symbol == "S/RES/2450 (2018)")).scalar() is None
    assert _findings(engine, "draft_link_disagrees") == [(
        "S/2019/880", "S/2019/880: its document record links it to S/RES/2450 (2018), adopted on "
        "2018-12-20, before the draft was written (2019); the link is not stored; the draft is "
        "linked to no resolution")]


# --- class 2: a decision printed twice, at two meetings -----------------------------------------


def _held_at(engine: Engine, symbol: str) -> tuple[object, ...]:
    with engine.connect() as c:
        resolution = c.execute(select(Resolution.date, Meeting.record).join(  # type: ignore[call-overload]
            Meeting, Meeting.id == Resolution.meeting_id).where(Resolution.symbol == symbol)).one()
        event = c.execute(select(VoteEvent.date, Meeting.record).join(  # type: ignore[call-overload]
            Meeting, Meeting.id == VoteEvent.meeting_id).where(VoteEvent.key == symbol)).one()
    return (*resolution, *event)


@pytest.mark.parametrize("order", ["tables first", "voting record first"])
def test_a_resolution_printed_twice_keeps_the_meeting_its_voting_record_confirms(
        engine: Engine, shared_data: Path, order: str) -> None:
    """The 1991 table prints 701 (1991) at S/PV.2990 (30 May) and S/PV.2997 (31 July); the
    voting record says 31 July, S/PV.2997: that one must be kept, in either order, and flagged."""
    upgrade(engine)
    url = "http://x/depts/dhl/resguide/scact1991_table_en.html"
    table = parse_meetings_table((shared_data / TABLES / "scact1991_table_en.html").read_bytes(),
                                 year=1991, url=url)
    vote = parse_record_xml(_marc(Record("701", "1991-07-31", "S/RES/701(1991)", "UNIFIL", [],
                                         None, meeting="S/PV.2997").xml()), base_url="http://x")
    steps = [lambda s: store_meetings_table(s, table, url=url, fetched_at=T),
             lambda s: store_voting_records(s, [vote], source="undl-votes", fetched_at=T)]
    for step in (steps if order == "tables first" else steps[::-1]):
        with session_scope(engine) as session:
            step(session)
    with session_scope(engine) as session:  # the tables read again change nothing
        store_meetings_table(session, table, url=url, fetched_at=T)
    july = dt.date(1991, 7, 31)
    assert _held_at(engine, "S/RES/701 (1991)") == (july, "S/PV.2997", july, "S/PV.2997")
    assert ("S/PV.2990", "S/RES/701 (1991) is printed at two meetings, S/PV.2990 (1991-05-30) "
            "and S/PV.2997 (1991-07-31); the meeting a second source confirms (the voting "
            "record's meeting or date) is kept, else the first") in _findings(
                engine, "decision_printed_twice")


def test_a_resolution_printed_twice_without_a_second_source_keeps_the_first(
        engine: Engine, shared_data: Path) -> None:
    """Without a second source the first printing must be kept, and flagged."""
    upgrade(engine)
    url = "http://x/depts/dhl/resguide/scact1991_table_en.html"
    table = parse_meetings_table((shared_data / TABLES / "scact1991_table_en.html").read_bytes(),
                                 year=1991, url=url)
    with session_scope(engine) as session:
        store_meetings_table(session, table, url=url, fetched_at=T)
    may = dt.date(1991, 5, 30)
    assert _held_at(engine, "S/RES/701 (1991)") == (may, "S/PV.2990", may, "S/PV.2990")
    assert [r for r, _ in _findings(engine, "decision_printed_twice")] == [
        "S/PV.2974", "S/PV.2990"]


def test_of_a_draft_and_its_revision_the_revision_holds_the_resolution(engine: Engine) -> None:
    """The Library links both S/4056 and S/4056/Rev.1 (and a corrigendum) to 129 (1958): the
    latest revision is the text put to the vote, so it must hold the resolution, whatever the
    order of the symbols; the others are findings."""
    from db.links import settle_resolution_links

    upgrade(engine)
    with session_scope(engine) as session:
        vote = parse_record_xml(_marc(Record("1", "1958-08-07", "S/RES/129(1958)", "t", [], None,
                                       meeting="S/PV.838").xml()), base_url="http://x")
        store_voting_records(session, [vote], source="undl-votes", fetched_at=T)
        docs = [parse_document_xml(_marc(Document(str(i), symbol, resolution="S/RES/129(1958)")
                                          .xml()), base_url="http://x")
                for i, symbol in enumerate(["S/4056", "S/4056/Corr.1", "S/4056/Rev.1"], 2)]
        store_documents(session, [d for d in docs if d is not None], source="undl-documents",
                        fetched_at=T)
        settle_resolution_links(session, seen_at=T)
    with engine.connect() as c:
        holder = c.execute(select(Draft.symbol).join(  # type: ignore[call-overload]
            Resolution, Resolution.draft_id == Draft.id)
            .where(Resolution.symbol == "S/RES/129 (1958)")).scalar()
    assert holder == "S/4056/Rev.1"
    assert [r for r, _ in _findings(engine, "draft_link_disagrees")] == ["S/4056",
                                                                         "S/4056/Corr.1"]


def test_draft_preference_orders_revisions_first() -> None:
    from council.symbols import draft_preference

    symbols = ["S/3468", "S/4056/Corr.1", "S/4056", "S/4056/Rev.2", "S/4056/Rev.1", "S/3470"]
    assert sorted(symbols, key=draft_preference) == [
        "S/3468", "S/3470", "S/4056/Rev.2", "S/4056/Rev.1", "S/4056", "S/4056/Corr.1"]


def test_a_link_from_a_draft_whose_vote_failed_is_refused(engine: Engine) -> None:
    """S/3730/Rev.1 was vetoed on 4 November 1956; its record links it to 120 (1956), adopted
    at the same meeting on another text. A failed draft must become no resolution."""

    # The draft's status as the tables and the Veto List store it.
    _vote_and_link(engine, ("1956-11-04", "S/RES/120(1956)", "S/PV.754"), "S/3730/Rev.1",
                   status="vetoed")
    with engine.connect() as c:
        assert c.execute(select(Resolution.draft_id)  # type: ignore[call-overload]
                         .where(Resolution.symbol == "S/RES/120 (1956)")).scalar() is None
    assert _findings(engine, "draft_link_disagrees") == [(
        "S/3730/Rev.1", "S/3730/Rev.1: its document record links it to S/RES/120 (1956), but the "
        "draft was put to the vote and not adopted (vetoed); the link is not stored; the draft "
        "is linked to no resolution")]


def _holder(engine: Engine, resolution: str) -> tuple[str | None, str | None]:
    """Return the draft that holds a resolution, and the draft of its vote of adoption."""
    with engine.connect() as c:
        held = c.execute(select(Draft.symbol).join(  # type: ignore[call-overload]
            Resolution, Resolution.draft_id == Draft.id)
            .where(Resolution.symbol == resolution)).scalar()
        voted = c.execute(select(Draft.symbol).join(  # type: ignore[call-overload]
            VoteEvent, VoteEvent.draft_id == Draft.id).where(VoteEvent.key == resolution)).scalar()
    return held, voted


@pytest.mark.parametrize("order", [["S/4056", "S/4056/Rev.1"], ["S/4056/Rev.1", "S/4056"]])
def test_the_revision_holds_the_resolution_whatever_the_order_of_the_syncs(
        engine: Engine, order: list[str]) -> None:
    """Links are settled from scratch at each sync: the draft and its revision, read in two
    syncs in either order, must end with the revision holding 129 (1958), and a second
    settle must change nothing."""
    from db.links import settle_resolution_links

    upgrade(engine)
    with session_scope(engine) as session:
        vote = parse_record_xml(_marc(Record("1", "1958-08-07", "S/RES/129(1958)", "t", [], None,
                                       meeting="S/PV.838").xml()), base_url="http://x")
        store_voting_records(session, [vote], source="undl-votes", fetched_at=T)
    for i, symbol in enumerate(order, 2):
        with session_scope(engine) as session:
            doc = parse_document_xml(_marc(Document(str(i), symbol, resolution="S/RES/129(1958)")
                                           .xml()), base_url="http://x")
            assert doc is not None
            store_documents(session, [doc], source="undl-documents", fetched_at=T)
            settle_resolution_links(session, seen_at=T)
    assert _holder(engine, "S/RES/129 (1958)") == ("S/4056/Rev.1", "S/4056/Rev.1")
    assert [r for r, _ in _findings(engine, "draft_link_disagrees")] == ["S/4056"]
    with engine.connect() as c:
        statuses = dict(c.execute(select(Draft.symbol, Draft.status)).all())  # type: ignore[call-overload]
    assert statuses == {"S/4056": None, "S/4056/Rev.1": "adopted"}
    with session_scope(engine) as session:
        again = settle_resolution_links(session, seen_at=T)
    assert (again.new, again.changed, again.deleted) == (0, 0, 0)


@pytest.mark.parametrize("first", ["voting record", "document record"])
def test_the_voting_records_draft_holds_over_a_link_whatever_came_first(
        engine: Engine, first: str) -> None:
    """The Library links S/2004/930 to 1557 (2004); 1557's voting record names S/2004/637. The
    voting record must hold the resolution and its vote, and the link be a finding, in both
    orders of the syncs (a link accepted first must not stay)."""
    from db.links import settle_resolution_links

    upgrade(engine)
    vote = parse_record_xml(_marc(Record("1557", "2004-08-12", "S/RES/1557(2004)", "t", [], None,
                                         draft="S/2004/637").xml()), base_url="http://x")
    doc = parse_document_xml(_marc(Document("9", "S/2004/930", resolution="S/RES/1557(2004)")
                                   .xml()), base_url="http://x")
    assert doc is not None
    steps = [lambda s: store_voting_records(s, [vote], source="undl-votes", fetched_at=T),
             lambda s: store_documents(s, [doc], source="undl-documents", fetched_at=T)]
    for step in steps if first == "voting record" else steps[::-1]:
        with session_scope(engine) as session:
            step(session)
            settle_resolution_links(session, seen_at=T)
    assert _holder(engine, "S/RES/1557 (2004)") == ("S/2004/637", "S/2004/637")
    assert _findings(engine, "draft_link_disagrees") == [(
        "S/2004/930", "S/2004/930: its document record links it to S/RES/1557 (2004), but "
        "S/RES/1557 (2004) is the resolution of draft S/2004/637 (its voting record names that "
        "draft); that is kept")]
    with engine.connect() as c:
        status = c.execute(select(Draft.status).where(  # type: ignore[call-overload]
            Draft.symbol == "S/2004/930")).scalar()
    assert status is None
