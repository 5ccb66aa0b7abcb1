"""End to end on the real pages of ../shared/data, replayed at their un.org paths."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlmodel import Session
from typer.testing import CliRunner

from db.engine import make_engine
from db.models import Resolution, VoteEvent
from tests.conftest import Replay
from tests.test_sync import snapshot
from tracker.cli import app

runner = CliRunner()
DHL_ONLY = ("--source", "meetings", "--source", "veto-list")


@pytest.fixture
def real_env(shared_data: Path, replay: Replay, tmp_path: Path, database_url: str
             ) -> dict[str, str]:
    html = shared_data / "un_org_dhl_html"
    for path in [html / "scact_veto_table_en.html", *(html / "scact_tables").glob("*.html")]:
        replay.pages[f"/depts/dhl/resguide/{path.name}"] = path.read_bytes()
    return {"TRACKER_DATA_DIR": str(tmp_path / "data"), "TRACKER_UN_ORG_URL": replay.url,
            "TRACKER_DATABASE_URL": database_url, "TRACKER_REQUESTS_PER_SECOND": "0",
            "TRACKER_MAX_ATTEMPTS": "1"}


def test_real_pages_sync_vetoes_check_and_rebuild(real_env: dict[str, str]) -> None:
    """The foundation's acceptance: counts, resolutions once, S/2022/431 checked, idempotent."""
    result = runner.invoke(app, ["sync", *DHL_ONLY, "--until", "2022", "--format", "json"],
                           env=real_env)
    assert result.exit_code == 0, result.output

    rows = json.loads(runner.invoke(app, ["vetoes", "--by", "member", "--format", "json"],
                                    env=real_env).stdout)
    assert {r["member_code"]: r["vetoes"] for r in rows} == {
        "SUN": 90, "USA": 82, "GBR": 29, "RUS": 30, "CHN": 17, "FRA": 17}
    listed = json.loads(runner.invoke(app, ["vetoes", "--format", "json"], env=real_env).stdout)
    assert len(listed) == 213

    engine = make_engine(real_env["TRACKER_DATABASE_URL"])
    with Session(engine) as session:
        assert session.execute(select(func.count()).select_from(Resolution)).scalar_one() == 2638
        res = session.execute(select(VoteEvent).where(VoteEvent.key == "S/RES/1874 (2009)")
                              ).scalar_one()
        assert (res.yes, res.no, res.abstain) == (15, 0, 0)

    check = json.loads(runner.invoke(app, ["check", "--format", "json"], env=real_env).stdout)
    assert [(f["kind"], f["record"], f["message"]) for f in check
            if "S/2022/431" in f["message"]] == [
        ("veto_without_negative_vote", "S/PV.9048",
         "draft S/2022/431 printed as vetoed by CHN, RUS with tally 13-0-2, which has no "
         "negative vote; tally not stored")]

    again = json.loads(runner.invoke(app, ["sync", *DHL_ONLY, "--full", "--until", "2022",
                                           "--format", "json"], env=real_env).stdout)
    assert all(s["rows_new"] == 0 and s["rows_changed"] == 0 for s in again)

    before = snapshot(engine)
    rebuilt = runner.invoke(app, ["rebuild", "--format", "json"], env=real_env)
    assert rebuilt.exit_code == 0, rebuilt.output
    assert snapshot(engine) == before
    engine.dispose()
