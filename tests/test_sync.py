"""The sync pipeline against a local replay of the Library's pages (never the internet)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from filelock import FileLock
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from db.models import (
    Draft,
    Finding,
    Meeting,
    MemberVote,
    Resolution,
    SourceRecord,
    SyncRun,
    Veto,
    VoteEvent,
)
from reports.vetoes import vetoes
from scrapers.http import PoliteClient
from tests.conftest import FIXTURES, Replay
from tests.undl_replay import DigitalLibrary
from tracker.settings import Settings
from tracker.sync import SyncLocked, rebuild, sync

DHL = FIXTURES / "dhl"
RESGUIDE = "/depts/dhl/resguide"
TODAY = dt.date(2024, 6, 1)


def serve_fixtures(replay: Replay) -> DigitalLibrary:
    """Serve the small Library pages and Digital Library records of tests/fixtures."""
    replay.pages[f"{RESGUIDE}/scact_veto_table_en.html"] = (DHL / "veto_list.html").read_bytes()
    for path in DHL.glob("scact*"):
        replay.pages[f"{RESGUIDE}/{path.name}"] = path.read_bytes()
    records = []
    for path in sorted((FIXTURES / "undl").glob("record_*.xml")):
        body = path.read_bytes()
        date = re.search(rb'tag="269"[^>]*>\s*<subfield code="a">([\d-]+)', body)
        assert date is not None
        records.append((date.group(1).decode(), path.name.split("_")[1], body))
    documents = []
    for path in sorted((FIXTURES / "undl" / "documents").glob("document_*.xml")):
        body = path.read_bytes()
        symbol = re.search(rb'tag="191"[^>]*>\s*<subfield code="a">([^<]+)', body)
        assert symbol is not None
        documents.append((symbol.group(1).decode(), path.name.split("_")[1], body))
    library = DigitalLibrary(records, documents)
    library.serve(replay)
    return library


def quiet_client() -> PoliteClient:
    return PoliteClient(requests_per_second=0, max_attempts=2, sleep=lambda _: None)


def run(engine: Engine, settings: Settings, **kwargs) -> object:
    kwargs.setdefault("today", TODAY)
    kwargs.setdefault("client", quiet_client())
    return sync(engine, settings, **kwargs)


def count(engine: Engine, model: type) -> int:
    with Session(engine) as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def snapshot(engine: Engine, *, fetch_times: bool = True) -> dict[str, list[tuple]]:
    """Every fact row, without surrogate ids, to compare two databases (and without the
    fetch times, to compare two databases synced at different times)."""
    out = {}
    skipped = {"id", "first_seen"} | (set() if fetch_times else {"fetched_at"})
    with engine.connect() as connection:
        for model in (Meeting, Draft, Resolution, VoteEvent, Veto, Finding, MemberVote,
                      SourceRecord):
            table = model.__table__
            columns = [c for c in table.c if c.name not in skipped and
                       not c.name.endswith("_id")]
            out[table.name] = sorted(map(repr, connection.execute(select(*columns))))
    return out


@pytest.fixture
def served(replay: Replay, settings: Settings) -> Settings:
    serve_fixtures(replay)
    return settings.model_copy(update={"un_org_url": replay.url, "undl_url": replay.url,
                                       "press_url": replay.url, "docs_url": replay.url})


def test_first_sync_fetches_everything_and_stores_vetoes(engine: Engine, served: Settings) -> None:
    summary = run(engine, served)
    assert summary.ok
    meetings = summary.sources["meetings"]
    # Years 1946-2024 are asked for; the replay holds 1946, 2020 (covid), 2022, 2024.
    assert meetings.pages_fetched == 4
    assert "2023" in meetings.pages_missing  # a year not found is noted, not a failure
    by_member = vetoes(engine, by="member").set_index("member_code")["vetoes"].to_dict()
    assert by_member == {"SUN": 4, "USA": 3, "FRA": 3, "GBR": 2, "RUS": 2, "CHN": 1}
    listed = vetoes(engine)
    row = listed[listed["draft"] == "S/2024/255"].iloc[0]
    assert row["members"] == ["RUS"] and row["meeting_record"] == "S/PV.9591"
    assert row["tally"] == "13-1-1"  # from the meetings table
    assert "Korea" in row["agenda"]  # from the Veto List


def test_each_resolution_is_stored_once_with_its_tally(engine: Engine, served: Settings) -> None:
    run(engine, served)
    with Session(engine) as session:
        symbols = session.execute(select(Resolution.symbol)).scalars().all()
        assert len(symbols) == len(set(symbols))
        event = session.execute(select(VoteEvent).where(VoteEvent.key == "S/RES/2627 (2022)")
                                ).scalar_one()
        assert (event.yes, event.no, event.abstain, event.non_voting) == (15, 0, 0, 0)
        assert event.source_url and event.source_url.endswith("scact2022_table_en.html")
        assert event.fetched_at is not None


def test_contradiction_is_a_finding_not_a_fact(engine: Engine, served: Settings) -> None:
    run(engine, served)
    with Session(engine) as session:
        event = session.execute(select(VoteEvent).where(VoteEvent.key == "S/2022/431")
                                ).scalar_one()
        assert event.outcome == "vetoed" and event.yes is None  # 13-0-2 is not stored
        kinds = session.execute(select(Finding.kind).where(Finding.record == "S/PV.9048")
                                ).scalars().all()
    assert "veto_without_negative_vote" in kinds


def test_second_sync_changes_nothing(engine: Engine, served: Settings) -> None:
    run(engine, served)
    before = snapshot(engine)
    summary = run(engine, served)
    totals = summary.totals()
    assert (totals.new, totals.changed, totals.deleted) == (0, 0, 0)
    assert snapshot(engine) == before


def test_default_sync_after_the_first_fetches_only_recent_years(
        engine: Engine, served: Settings, replay: Replay) -> None:
    run(engine, served)
    replay.requests.clear()
    run(engine, served)
    paths = sorted({p.split("/")[-1] for p, _ in replay.requests if p.startswith(RESGUIDE)})
    # Last year's table (never found: both names), this year's and the Veto List (the names
    # that answered last time, and only those).
    assert paths == ["scact2023_table_en.htm", "scact2023_table_en.html",
                     "scact2024_table_en.htm", "scact_veto_table_en.html"]


def test_rebuild_gives_the_same_database(engine: Engine, served: Settings) -> None:
    run(engine, served)
    before = snapshot(engine)
    summary = rebuild(engine, served)
    assert summary.ok
    assert snapshot(engine) == before


def test_a_failing_page_fails_the_sync_and_keeps_the_rest(
        engine: Engine, served: Settings, replay: Replay) -> None:
    def broken(handler) -> None:
        handler.send_response(500)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    good = replay.pages[f"{RESGUIDE}/scact2022_table_en.html"]
    replay.pages[f"{RESGUIDE}/scact2022_table_en.html"] = broken
    summary = run(engine, served)
    assert not summary.ok
    assert summary.sources["meetings"].pages_failed == ["2022"]
    assert summary.problems == [
        f"{replay.url}{RESGUIDE}/scact2022_table_en.html: server answered 500"]
    assert count(engine, Resolution) > 0  # the other pages are stored
    # Fixed: the next sync completes (the first run never succeeded, so it is full again).
    replay.pages[f"{RESGUIDE}/scact2022_table_en.html"] = good
    assert run(engine, served).ok
    with Session(engine) as session:
        assert session.execute(select(Resolution).where(Resolution.symbol == "S/RES/2627 (2022)")
                               ).scalar_one()


def test_a_malformed_page_stores_nothing_and_keeps_what_was_stored(
        engine: Engine, served: Settings, replay: Replay) -> None:
    run(engine, served)
    before = snapshot(engine)
    replay.pages[f"{RESGUIDE}/scact2024_table_en.htm"] = b"<html><p>We are updating</p></html>"
    summary = run(engine, served)
    assert not summary.ok and summary.sources["meetings"].pages_failed == ["2024"]
    assert "scact2024_table_en.htm" in summary.problems[0]
    assert snapshot(engine) == before


def test_two_syncs_at_once_the_second_refuses(engine: Engine, served: Settings) -> None:
    served.data_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(str(served.data_dir / "sync.lock")), pytest.raises(SyncLocked, match="another"):
        run(engine, served)


def test_sync_of_one_source_with_years(engine: Engine, served: Settings, replay: Replay) -> None:
    summary = run(engine, served, sources=["meetings"], since=2022, until=2022)
    assert list(summary.sources) == ["meetings", "mandates"]  # mandates follow every sync
    assert summary.sources["meetings"].pages_fetched == 1
    assert count(engine, Veto) == 3  # S/2022/431 (CHN, RUS) and S/2022/155 (RUS), as printed


def test_rebuild_reports_a_damaged_archived_page(engine: Engine, served: Settings) -> None:
    """A body that no longer matches its digest is named, not silently left out."""
    run(engine, served)
    (served.raw_dir / "dhl-meetings" / "2022.body").write_bytes(b"<html>bit rot</html>")
    summary = rebuild(engine, served)
    assert not summary.ok
    assert summary.sources["meetings"].pages_failed == ["2022"]
    (problem,) = summary.problems
    assert "dhl-meetings/2022" in problem and "damaged" in problem
    assert count(engine, Meeting) > 0  # the other pages are rebuilt


def test_raw_archive_holds_every_page(engine: Engine, served: Settings) -> None:
    run(engine, served)
    raw = served.raw_dir
    assert (raw / "dhl-veto-list" / "veto-list.body").exists()
    assert sorted(p.stem for p in (raw / "dhl-meetings").glob("*.body")) == [
        "1946", "2020-covid", "2022", "2024"]


def test_sqlite_default_lives_in_the_data_folder(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    assert settings.resolved_database_url == f"sqlite:///{tmp_path / 'tracker.sqlite'}"


def test_provenance_names_the_page_that_states_the_fact(engine: Engine, served: Settings) -> None:
    """The tally of S/2024/255 comes from the 2024 table; its vetoes from the Veto List."""
    run(engine, served)
    with Session(engine) as session:
        event = session.execute(select(VoteEvent).where(VoteEvent.key == "S/2024/255")
                                ).scalar_one()
        assert event.source_url.endswith("scact2024_table_en.htm")
        assert event.agenda and "Korea" in event.agenda  # added by the Veto List
        sources = dict(session.execute(
            select(Veto.source, Veto.source_url).where(Veto.vote_event_id == event.id)).all())
    assert sources["dhl-veto-list"].endswith("scact_veto_table_en.html")
    assert sources["dhl-meetings"].endswith("scact2024_table_en.htm")


def test_voting_records_join_the_tables_rows_by_symbol(engine: Engine, served: Settings) -> None:
    """The record of 2627 (2022) links to the table's resolution and meeting: one row each."""
    summary = run(engine, served)
    assert summary.ok, summary.problems
    with Session(engine) as session:
        resolution = session.execute(select(Resolution).where(
            Resolution.symbol == "S/RES/2627 (2022)")).scalar_one()
        assert resolution.title and "Panel of Experts" in resolution.title
        assert resolution.source_url.endswith("scact2022_table_en.html")  # the table states it
        draft = session.get(Draft, resolution.draft_id)
        assert draft is not None and draft.symbol == "S/2022/245"
        meeting = session.get(Meeting, resolution.meeting_id)
        assert meeting is not None and meeting.record == "S/PV.8980"
        event = session.execute(select(VoteEvent).where(VoteEvent.key == "S/RES/2627 (2022)")
                                ).scalar_one()
        assert event.resolution_id == resolution.id and event.draft_id == draft.id
        assert session.execute(select(func.count()).select_from(MemberVote).where(
            MemberVote.vote_event_id == event.id)).scalar_one() == 15
        # 2680 (2023) has no table in the fixtures: the record states it alone.
        res2680 = session.execute(select(Resolution).where(
            Resolution.symbol == "S/RES/2680 (2023)")).scalar_one()
        assert res2680.source_url.endswith("/record/4007327")


def test_roll_call_of_a_failed_draft_gives_vetoes_checked_against_the_veto_list(
        engine: Engine, served: Settings, replay: Replay) -> None:
    """A permanent member's "no" on a draft that had the votes is a veto; check compares."""
    from reports.findings import veto_disagreements
    from tests.undl_replay import Record, Vote

    members = {"CHN": "A", "FRA": "Y", "RUS": "N", "GBR": "Y", "USA": "Y", "DZA": "Y",
               "ECU": "Y", "GUY": "Y", "JPN": "Y", "MLT": "Y", "MOZ": "Y", "KOR": "Y",
               "SLE": "Y", "SVN": "Y", "CHE": "Y"}
    library = serve_fixtures(replay)
    library.items.append(("2024-03-28", "4041111", Record(
        "4041111", "2024-03-28", None, "Draft resolution S/2024/255",
        [Vote(c, v, c) for c, v in members.items()], (13, 1, 1, 0, 15),
        meeting="S/PV.9591", draft="S/2024/255").xml().encode()))
    assert run(engine, served).ok
    with Session(engine) as session:
        sources = set(session.execute(select(Veto.source).join(
            VoteEvent, VoteEvent.id == Veto.vote_event_id).where(
            VoteEvent.key == "S/2024/255")).scalars())
    assert sources == {"dhl-veto-list", "dhl-meetings", "roll-call"}
    assert "S/2024/255" not in set(veto_disagreements(engine)["record"])
    # The Veto List's fixture says RUS alone for S/2024/255; if the roll call had CHN "no" too:
    members["CHN"] = "N"
    library.items[-1] = ("2024-03-28", "4041111", Record(
        "4041111", "2024-03-28", None, "Draft resolution S/2024/255",
        [Vote(c, v, c) for c, v in members.items()], (13, 2, 0, 0, 15),
        meeting="S/PV.9591", draft="S/2024/255", modified="20240401000000.0").xml().encode())
    assert run(engine, served).ok
    disagreements = veto_disagreements(engine)
    row = disagreements[disagreements["record"] == "S/2024/255"].iloc[0]
    assert "roll-call: CHN, RUS" in row["message"] and "dhl-veto-list: RUS" in row["message"]


def test_the_order_of_sources_does_not_change_the_result(
        tmp_path: Path, served: Settings) -> None:
    """Veto List first or meetings first: the same rows, the same provenance."""
    from db.engine import make_engine

    results = []
    for order in (["meetings", "veto-list"], ["veto-list", "meetings"]):
        engine = make_engine(f"sqlite:///{tmp_path / ('-'.join(order) + '.sqlite')}")
        for source in order:
            assert run(engine, served, sources=[source]).ok
        results.append(snapshot(engine))
    assert results[0] == results[1]


def test_a_missing_veto_list_is_a_failure(engine: Engine, served: Settings,
                                          replay: Replay) -> None:
    del replay.pages[f"{RESGUIDE}/scact_veto_table_en.html"]
    summary = run(engine, served, sources=["veto-list"])
    assert not summary.ok and "Veto List was not found" in summary.problems[0]


def test_a_restricted_first_sync_is_not_the_full_one(engine: Engine, served: Settings,
                                                     replay: Replay) -> None:
    assert run(engine, served, sources=["meetings"], since=2022, until=2022).ok
    replay.requests.clear()
    assert run(engine, served, sources=["meetings"]).ok
    asked = {p.split("/")[-1] for p, _ in replay.requests}
    assert "scact1946_table_en.html" in asked  # the history is still fetched once


def test_a_normal_sync_covers_the_years_since_the_last_one(engine: Engine, served: Settings,
                                                           replay: Replay) -> None:
    assert sync(engine, served, sources=["meetings"], today=dt.date(2022, 6, 1),
                client=quiet_client()).ok
    with engine.begin() as connection:  # the last clean sync was in 2022
        connection.execute(SyncRun.__table__.update().values(
            started_at=dt.datetime(2022, 6, 1, tzinfo=dt.UTC)))
    replay.requests.clear()
    assert sync(engine, served, sources=["meetings"], today=dt.date(2024, 6, 1),
                client=quiet_client()).ok
    years = {p.split("scact")[1][:4] for p, _ in replay.requests if "scact" in p}
    assert years == {"2022", "2023", "2024"}


def test_rebuild_refuses_an_empty_archive_and_keeps_the_database(
        engine: Engine, served: Settings, tmp_path: Path) -> None:
    from tracker.sync import EmptyArchive

    run(engine, served)
    before = snapshot(engine)
    with pytest.raises(EmptyArchive, match="holds no pages"):
        rebuild(engine, served.model_copy(update={"data_dir": tmp_path / "empty"}))
    assert snapshot(engine) == before


def test_written_procedure_letters_create_no_meetings(engine: Engine, served: Settings) -> None:
    assert run(engine, served, sources=["veto-list"]).ok
    with Session(engine) as session:
        records = set(session.execute(select(Meeting.record)).scalars())
        event = session.execute(select(VoteEvent).where(VoteEvent.key == "S/2020/852")
                                ).scalar_one()
    assert not {"S/2020/870", "S/2020/865"} & records and event.meeting_id is None
    assert run(engine, served, sources=["meetings"]).ok
    with Session(engine) as session:
        event = session.execute(select(VoteEvent).where(VoteEvent.key == "S/2020/852")
                                ).scalar_one()
        meeting = session.get(Meeting, event.meeting_id)
    assert meeting is not None and meeting.record == "S/2020/870" and meeting.written_procedure


def test_a_no_op_sync_asks_cheaply(engine: Engine, served: Settings, replay: Replay) -> None:
    """Right after a sync: one request per listing that can change, answered 304 where the
    server allows, and no row written."""
    run(engine, served)
    replay.requests.clear()
    summary = run(engine, served)
    totals = summary.totals()
    assert (totals.new, totals.changed, totals.deleted) == (0, 0, 0)
    # six listings, and the press release feed (issue 16)
    assert len(replay.requests) <= 7, [p for p, _ in replay.requests]
    assert summary.sources["veto-list"].pages_not_modified == 1
    assert summary.sources["meetings"].pages_not_modified >= 1
    (veto_list,) = [h for p, h in replay.requests if p.endswith("scact_veto_table_en.html")]
    assert "If-None-Match" in veto_list  # the name that answered last time, asked conditionally
