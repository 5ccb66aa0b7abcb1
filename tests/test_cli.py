"""The command line: every command has help with an example; formats; errors are one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from tests.conftest import Replay
from tests.test_sync import serve_fixtures
from tracker.cli import app

runner = CliRunner()
COMMANDS = sorted(get_command(app).commands)  # type: ignore[attr-defined]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example:" in result.output


def test_the_commands_are_there() -> None:
    assert {"sync", "rebuild", "vetoes", "export", "status", "check"} <= set(COMMANDS)


@pytest.fixture
def env(tmp_path: Path, replay: Replay, database_url: str) -> dict[str, str]:
    serve_fixtures(replay)
    return {"TRACKER_DATA_DIR": str(tmp_path / "data"), "TRACKER_UN_ORG_URL": replay.url,
            "TRACKER_UNDL_URL": replay.url, "TRACKER_PRESS_URL": replay.url,
            "TRACKER_DOCS_URL": replay.url,
            "TRACKER_DATABASE_URL": database_url, "TRACKER_REQUESTS_PER_SECOND": "0",
            "TRACKER_MAX_ATTEMPTS": "1"}


def invoke(env: dict[str, str], *args: str):
    return runner.invoke(app, list(args), env=env)


def test_sync_then_vetoes_by_member_as_json(env: dict[str, str]) -> None:
    result = invoke(env, "sync", "--until", "2024", "--format", "json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert {s["source"] for s in summary} == {"meetings", "veto-list", "voting-records",
                                              "documents", "press-releases", "meeting-records",
                                              "mandates"}
    result = invoke(env, "vetoes", "--by", "member", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert {r["member_code"]: r["vetoes"] for r in rows}["SUN"] == 4
    assert set(rows[0]) >= {"member_code", "member_name", "vetoes"}


def test_vetoes_filters_and_csv(env: dict[str, str]) -> None:
    invoke(env, "sync", "--until", "2024")
    result = invoke(env, "vetoes", "--member", "Russian Federation", "--since", "2023",
                    "--format", "csv")
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("date,draft,meeting_record,agenda,members")
    assert len(lines) == 2 and "S/2024/255" in lines[1]
    merged = json.loads(invoke(env, "vetoes", "--by", "member", "--merge-successors",
                               "--format", "json").stdout)
    assert {r["member_code"]: r["vetoes"] for r in merged}["RUS"] == 6  # USSR 4 + RF 2
    decades = json.loads(invoke(env, "vetoes", "--by", "decade", "--format", "json").stdout)
    assert decades[0]["decade"] == "1940s" and decades[0]["vetoed_drafts"] == 4


def test_unknown_member_is_a_clear_error(env: dict[str, str]) -> None:
    invoke(env, "sync", "--until", "2024")
    result = invoke(env, "vetoes", "--member", "Atlantis")
    assert result.exit_code == 1
    assert "unknown member 'Atlantis'" in result.output


def test_check_lists_the_contradiction(env: dict[str, str]) -> None:
    invoke(env, "sync", "--until", "2024")
    result = invoke(env, "check", "--format", "json")
    assert result.exit_code == 0
    findings = json.loads(result.stdout)
    assert [(f["kind"], f["record"], f["message"]) for f in findings
            if "S/2022/431" in f["message"]] == [
        ("veto_without_negative_vote", "S/PV.9048",
         "draft S/2022/431 printed as vetoed by CHN, RUS with tally 13-0-2, which has no "
         "negative vote; tally not stored")]
    # The fixtures' meetings tables and Veto List agree on S/PV.49 (vetoed draft 2),
    # S/2020/852, S/2022/431 and S/2024/255 only.
    assert sorted(f["record"] for f in findings if f["kind"] == "veto_sources_disagree") == [
        "S/16077/Rev.1", "S/17769/Rev.1", "S/2022/155", "S/3710", "S/552",
        "S/552 (preliminary question)", "S/PV.23 (vetoed draft 1)", "S/PV.49 (vetoed draft 1)",
        "S/PV.57 (vetoed draft 1)", "S/PV.57 (vetoed draft 2)"]


def test_status_is_one_object(env: dict[str, str]) -> None:
    invoke(env, "sync", "--until", "2024")
    status = json.loads(invoke(env, "status", "--format", "json").stdout)
    rows = {t["table"]: t["rows"] for t in status["tables"]}
    assert (rows["meeting"], rows["vote_event"], rows["veto"]) == (21, 24, 25)
    assert {s["source"] for s in status["sources"]} == {
        "meetings", "veto-list", "voting-records", "documents", "press-releases",
        "meeting-records", "mandates"}


def test_export_writes_and_refuses_to_overwrite(env: dict[str, str], tmp_path: Path) -> None:
    invoke(env, "sync", "--until", "2024")
    out = tmp_path / "vetoes.csv"
    assert invoke(env, "export", "vetoes", "--out", str(out)).exit_code == 0
    assert out.read_text().startswith("date,draft")
    again = invoke(env, "export", "vetoes", "--out", str(out))
    assert again.exit_code == 1 and "--overwrite" in again.output
    assert invoke(env, "export", "vetoes", "--out", str(out), "--overwrite").exit_code == 0
    table = tmp_path / "res.json"
    assert invoke(env, "export", "resolution", "--out", str(table), "--format", "json"
                  ).exit_code == 0
    assert json.loads(table.read_text())[0]["symbol"].startswith("S/RES/")
    parquet = tmp_path / "veto.parquet"
    assert invoke(env, "export", "veto", "--out", str(parquet), "--format", "parquet"
                  ).exit_code == 0
    bad = invoke(env, "export", "nothing", "--out", str(tmp_path / "x.csv"))
    assert bad.exit_code == 1 and "nothing called 'nothing'" in bad.output


def test_reports_on_an_empty_database_say_to_sync_first(env: dict[str, str]) -> None:
    result = invoke(env, "vetoes")
    assert result.exit_code == 1 and "tracker sync" in result.output


def test_a_failed_page_gives_a_non_zero_exit(env: dict[str, str], replay: Replay) -> None:
    replay.pages["/depts/dhl/resguide/scact2022_table_en.html"] = b"<html>maintenance</html>"
    result = invoke(env, "sync", "--until", "2024")
    assert result.exit_code == 1
    assert "scact2022_table_en.html" in result.output


def test_bad_database_url_is_a_clear_error(env: dict[str, str]) -> None:
    result = invoke({**env, "TRACKER_DATABASE_URL": "nonsense://"}, "status")
    assert result.exit_code == 2 and "TRACKER_DATABASE_URL: got 'nonsense://'" in result.output


def test_member_filter_counts_only_that_members_vetoes(env: dict[str, str]) -> None:
    """--member with --by counts the member's own vetoes, not its co-vetoers'."""
    invoke(env, "sync", "--until", "2024")
    rows = json.loads(invoke(env, "vetoes", "--member", "China", "--by", "year",
                             "--format", "json").stdout)
    assert sum(r["vetoes"] for r in rows) == 1  # S/2022/431
    assert all(r.get("RUS", 0) == 0 for r in rows)
    listed = json.loads(invoke(env, "vetoes", "--member", "China", "--format", "json").stdout)
    assert listed[0]["members"] == ["CHN", "RUS"]  # the list shows who joined the veto


def test_member_by_any_name(env: dict[str, str]) -> None:
    invoke(env, "sync", "--until", "2024")
    result = invoke(env, "member", "Algeria", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["member"]["member_code"] == "DZA"


def test_status_json_has_nulls_not_strings(env: dict[str, str], replay: Replay) -> None:
    replay.pages["/depts/dhl/resguide/scact_veto_table_en.html"] = b"<html>down</html>"
    invoke(env, "sync", "--source", "veto-list")  # fails: no clean sync yet
    status = json.loads(invoke(env, "status", "--format", "json").stdout)
    (veto_list,) = [s for s in status["sources"] if s["source"] == "veto-list"]
    assert veto_list["last_ok_sync"] is None


def test_status_never_creates_a_database(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "x.sqlite"
    result = runner.invoke(app, ["--db", f"sqlite:///{target}", "status", "--format", "json"],
                           env={"TRACKER_DATA_DIR": str(tmp_path)})
    assert result.exit_code == 0 and "not created yet" in result.stdout
    assert not target.parent.exists()
    report = runner.invoke(app, ["--db", f"sqlite:///{target}", "vetoes"],
                           env={"TRACKER_DATA_DIR": str(tmp_path)})
    assert report.exit_code == 1 and "no database" in report.output


def test_database_without_a_driver_is_a_clear_error(env: dict[str, str]) -> None:
    result = invoke({**env, "TRACKER_DATABASE_URL": "mysql://x@localhost/y"}, "vetoes")
    assert result.exit_code == 2 and "driver" in result.output


def test_export_errors_are_messages(env: dict[str, str], tmp_path: Path) -> None:
    invoke(env, "sync", "--until", "2024")
    folder = invoke(env, "export", "vetoes", "--out", str(tmp_path), "--overwrite")
    assert folder.exit_code == 1 and "is a folder" in folder.output
    blocked = tmp_path / "file"
    blocked.write_text("x")
    unwritable = invoke(env, "export", "vetoes", "--out", str(blocked / "v.csv"))
    assert unwritable.exit_code == 1 and "cannot write" in unwritable.output


def test_export_json_has_plain_dates_and_integers(env: dict[str, str], tmp_path: Path) -> None:
    invoke(env, "sync", "--until", "2024")
    out = tmp_path / "events.json"
    assert invoke(env, "export", "vote_event", "--out", str(out), "--format", "json"
                  ).exit_code == 0
    rows = json.loads(out.read_text())
    dated = next(r for r in rows if r["date"])
    assert len(dated["date"]) == 10  # 2022-05-26, not a timestamp
    # The vote events that made no resolution: the vetoed and failed drafts of the fixtures.
    assert sorted(r["key"] for r in rows if r["resolution_id"] is None) == [
        "S/16077/Rev.1", "S/17769/Rev.1", "S/2020/852", "S/2022/155", "S/2022/231",
        "S/2022/431", "S/2024/255", "S/3710", "S/552", "S/552 (preliminary question)",
        "S/PV.23 (vetoed draft 1)", "S/PV.49 (vetoed draft 1)", "S/PV.49 (vetoed draft 2)",
        "S/PV.57 (vetoed draft 1)", "S/PV.57 (vetoed draft 2)"]
    assert all(isinstance(r["yes"], int) for r in rows if r["yes"] is not None)
    csv_out = tmp_path / "events.csv"
    invoke(env, "export", "vote_event", "--out", str(csv_out))
    assert ".0," not in csv_out.read_text()


def test_bad_dates_and_ranges_are_explained(env: dict[str, str]) -> None:
    invoke(env, "sync", "--until", "2024")
    bad = invoke(env, "vetoes", "--since", "2022-02-30")
    # Usage errors (exit 2), as the README's exit codes say (issue 14's review, item 5).
    assert bad.exit_code == 2 and "expected a real date" in bad.output
    backwards = invoke(env, "vetoes", "--since", "2020", "--until", "2010")
    assert backwards.exit_code == 2 and "after" in backwards.output
    sync_backwards = invoke(env, "sync", "--since", "2020", "--until", "2010")
    assert sync_backwards.exit_code == 2 and "after" in sync_backwards.output


def test_rebuild_of_an_empty_archive_is_refused(env: dict[str, str], tmp_path: Path) -> None:
    invoke(env, "sync", "--until", "2024")
    result = invoke({**env, "TRACKER_DATA_DIR": str(tmp_path / "empty")}, "rebuild")
    assert result.exit_code == 1 and "holds no pages" in result.output
    assert json.loads(invoke(env, "vetoes", "--by", "member", "--format", "json").stdout)
