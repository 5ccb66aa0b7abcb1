"""The Library's voting dataset: imported into the same rows as the scraper gives."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session
from typer.testing import CliRunner

from db.engine import make_engine
from db.models import Member, MemberVote, Resolution, VoteEvent
from scrapers.http import PoliteClient
from tests.conftest import Replay
from tests.undl_replay import DigitalLibrary, from_dataset_csv
from tracker.cli import app
from tracker.settings import Settings
from tracker.sync import import_undl_dataset, sync

EXCERPT = Path("undl_sc_voting_official_excerpt") / "2026_02_06_sc_voting.EXCERPT.csv"
runner = CliRunner()


def rows(engine: Engine) -> dict[str, list]:
    """The facts both paths store, without ids and provenance."""
    with Session(engine) as session:
        return {
            "votes": sorted(session.execute(
                select(VoteEvent.key, MemberVote.member_code, MemberVote.vote,
                       MemberVote.name_at_time)
                .join(VoteEvent, VoteEvent.id == MemberVote.vote_event_id)).all()),
            "events": sorted(session.execute(
                select(VoteEvent.key, VoteEvent.date, VoteEvent.outcome, VoteEvent.yes,
                       VoteEvent.no, VoteEvent.abstain, VoteEvent.non_voting,
                       VoteEvent.agenda)).all()),
            "resolutions": sorted(session.execute(
                select(Resolution.symbol, Resolution.number, Resolution.year, Resolution.title,
                       Resolution.date)).all()),
        }


def test_dataset_import_and_scraper_give_identical_rows(
        shared_data: Path, replay: Replay, settings: Settings, tmp_path: Path) -> None:
    body = (shared_data / EXCERPT).read_bytes()
    DigitalLibrary(from_dataset_csv(body)).serve(replay)
    scraped = make_engine(f"sqlite:///{tmp_path / 'scraped.sqlite'}")
    summary = sync(scraped, settings.model_copy(update={"undl_url": replay.url,
                                                        "press_url": replay.url,
                                                        "docs_url": replay.url,
                                                        "data_dir": tmp_path / "a"}),
                   sources=["voting-records"], today=dt.date(2026, 3, 1),
                   client=PoliteClient(requests_per_second=0))
    assert summary.ok, summary.problems
    imported = make_engine(f"sqlite:///{tmp_path / 'imported.sqlite'}")
    result = import_undl_dataset(imported, settings.model_copy(update={"data_dir": tmp_path / "b"}),
                                 str(shared_data / EXCERPT))
    assert result.ok, result.problems
    a, b = rows(scraped), rows(imported)
    assert len(a["votes"]) == 105 and len(a["events"]) == 7
    assert a == b


def test_import_is_idempotent_and_keeps_the_file(shared_data: Path, engine: Engine,
                                                 settings: Settings) -> None:
    first = import_undl_dataset(engine, settings, str(shared_data / EXCERPT))
    assert first.ok and first.totals().new > 0
    again = import_undl_dataset(engine, settings, str(shared_data / EXCERPT))
    totals = again.totals()
    assert (totals.new, totals.changed, totals.deleted) == (0, 0, 0)
    assert (settings.raw_dir / "undl-dataset" / "2026_02_06_sc_voting.EXCERPT.csv.body").exists()


def test_adoption_without_a_vote_stores_no_invented_votes(engine: Engine, settings: Settings,
                                                          tmp_path: Path) -> None:
    header = ("undl_id,ms_code,ms_name,permanent_member,ms_vote,date,resolution,draft,meeting,"
              "description,agenda,subjects,vote_note,total_yes,total_no,total_abstentions,"
              "total_non_voting,total_ms,modality,undl_link\n")
    members = ["CHN", "FRA", "SUN", "GBR", "USA", "BRA", "JPN", "IND", "KEN", "MEX", "NOR",
               "IRL", "GAB", "GHA", "ARE"]
    body = header + "".join(
        f"9,{c},{c},False,Y,1990-01-01,S/RES/640(1990),,S/PV.1,d,,,,15,0,0,0,15,"
        f"Without vote,https://digitallibrary.un.org/record/9\n" for c in members)
    path = tmp_path / "without.csv"
    path.write_text(body)
    assert import_undl_dataset(engine, settings, str(path)).ok
    with Session(engine) as session:
        event = session.execute(select(VoteEvent)).scalar_one()
        assert event.outcome == "adopted_without_vote" and event.yes is None
        assert session.execute(select(MemberVote)).first() is None
        assert session.execute(select(Member).where(Member.code == "SUN")).scalar_one()


def test_cli_import_then_reports(shared_data: Path, tmp_path: Path, database_url: str) -> None:
    env = {"TRACKER_DATA_DIR": str(tmp_path / "data"), "TRACKER_DATABASE_URL": database_url}
    result = runner.invoke(app, ["import", "undl-dataset", str(shared_data / EXCERPT),
                                 "--format", "json"], env=env)
    assert result.exit_code == 0, result.output
    roll_call = json.loads(runner.invoke(app, ["votes", "S/RES/2659(2022)", "--format", "json"],
                                         env=env).stdout)["roll_call"]
    assert {r["member_code"] for r in roll_call if r["vote"] == "A"} == {"CHN", "GAB", "RUS"}
    assert len(roll_call) == 15
    council = json.loads(runner.invoke(app, ["membership", "--year", "1982", "--format", "json"],
                                       env=env).stdout)
    assert {"SUN", "POL", "USA"} <= {m["member_code"] for m in council}
    record = json.loads(runner.invoke(app, ["member", "SUN", "--format", "json"], env=env).stdout)
    assert record["member"]["permanent"] is True
    assert [r["resolution"] for r in record["against_or_abstained"]] == ["S/RES/511 (1982)"]
    matrix = json.loads(runner.invoke(app, ["agreement", "--members", "USA,SUN,POL",
                                            "--min-shared", "1", "--format", "json"],
                                      env=env).stdout)
    by_member = {row["member"]: row for row in matrix}
    assert by_member["USA"]["USA"] == 1.0
    assert by_member["SUN"]["POL"] == 1.0  # both abstained on 511, both voted yes otherwise
    assert by_member["USA"]["SUN"] == pytest.approx(3 / 4)
    blank = json.loads(runner.invoke(app, ["agreement", "--members", "USA,SUN",
                                           "--min-shared", "5", "--format", "json"],
                                     env=env).stdout)
    assert {row["member"]: row for row in blank}["USA"]["SUN"] is None  # blank, not zero
    missing = runner.invoke(app, ["votes", "S/RES/9999 (2030)"], env=env)
    assert missing.exit_code == 1 and "no vote on" in missing.output


def test_import_of_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    env = {"TRACKER_DATA_DIR": str(tmp_path / "data")}
    result = runner.invoke(app, ["import", "undl-dataset", str(tmp_path / "nope.csv")], env=env)
    assert result.exit_code == 1 and "no dataset file" in result.output
