"""The thin command line: one check for `tracker check` and `tracker export check`, every
expected error turned into a message in one place, and the shaping of status, member,
draft and mandate done in `reports`, where Python callers get it too."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from council.errors import TrackerError
from db.engine import make_engine
from reports import rollcalls
from reports.check import findings_report, kinds_report
from reports.export import ExportError
from reports.findings import findings
from reports.profiles import draft_profile, mandate_profile, member_profile
from reports.status import database_status
from reports.vetoes import ReportError
from tests.conftest import serve_replay, sync_small_fixtures
from tests.history_replay import library_pages
from tracker.cli import app
from tracker.output import lists_as_lists
from tracker.settings import Settings
from tracker.sync import sync

RESGUIDE = "/depts/dhl/resguide"
runner = CliRunner()


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, dict[str, str]]]:
    """A database synced from the small pages and records of tests/fixtures (once)."""
    engine, env = sync_small_fixtures(tmp_path_factory.mktemp("thin-cli"))
    yield engine, env
    engine.dispose()


def _check_and_export(env: dict[str, str], out: Path, fmt: str) -> tuple[str, str]:
    shown = runner.invoke(app, ["check", "--format", fmt], env=env)
    assert shown.exit_code == 0, shown.output
    exported = runner.invoke(app, ["export", "check", "--out", str(out), "--format", fmt],
                             env=env)
    assert exported.exit_code == 0, exported.output
    return shown.stdout, out.read_text(encoding="utf-8")


def test_check_and_export_check_must_give_the_same_rows(
        synced: tuple[Engine, dict[str, str]], tmp_path: Path) -> None:
    """`tracker export check` must hold every finding `tracker check` shows: the computed
    ones too (the resolution numbers no source has given yet were missing from export)."""
    _, env = synced
    shown, exported = _check_and_export(env, tmp_path / "check.csv", "csv")
    assert exported == shown
    shown, exported = _check_and_export(env, tmp_path / "check.json", "json")
    assert json.loads(exported) == json.loads(shown)
    kinds = Counter(row["kind"] for row in json.loads(exported))
    assert kinds == {"resolution_missing": 2712, "veto_sources_disagree": 10,
                     "tally_exceeds_council": 1, "veto_without_negative_vote": 1}


def test_check_and_export_check_must_agree_on_the_real_tables(
        shared_data: Path, tmp_path: Path) -> None:
    """On the Library's real pages (the yearly tables 1946-2022 and the Veto List), export
    must list the two resolution numbers none of them gives, as `tracker check` does."""
    url = f"sqlite:///{tmp_path / 'tracker.sqlite'}"
    with serve_replay() as replay:
        replay.pages.update(library_pages(shared_data))
        settings = Settings(data_dir=tmp_path / "data", un_org_url=replay.url,
                            undl_url=replay.url, press_url=replay.url, docs_url=replay.url,
                            requests_per_second=0, max_attempts=1)
        engine = make_engine(url)
        summary = sync(engine, settings, sources=["meetings", "veto-list"],
                       today=dt.date(2022, 12, 31))
        assert summary.ok, summary.problems
    env = {"TRACKER_DATA_DIR": str(tmp_path / "data"), "TRACKER_DATABASE_URL": url}
    shown, exported = _check_and_export(env, tmp_path / "check.csv", "csv")
    assert exported == shown
    rows = json.loads(_check_and_export(env, tmp_path / "check.json", "json")[1])
    assert len(rows) == 152
    assert [r["record"] for r in rows if r["kind"] == "resolution_missing"] == [
        "resolution 666", "resolution 695"]
    engine.dispose()


def test_findings_report_must_filter_stored_and_computed_findings_alike(
        synced: tuple[Engine, dict[str, str]]) -> None:
    engine, _ = synced
    every = findings_report(engine)
    assert len(every) == 2724
    assert list(every.columns) == ["severity", "kind", "source", "record", "message", "url"]
    # A source other than "check" gives the stored findings of that source, nothing computed.
    stored = findings_report(engine, source="dhl-meetings")
    assert stored.equals(findings(engine, source="dhl-meetings"))
    assert stored["kind"].tolist() == ["tally_exceeds_council", "veto_without_negative_vote"]
    # "check" and a severity: the computed findings at least that severe.
    warned = findings_report(engine, source="check", severity="warning")
    assert warned["record"].tolist() == [
        "S/16077/Rev.1", "S/17769/Rev.1", "S/2022/155", "S/3710", "S/552",
        "S/552 (preliminary question)", "S/PV.23 (vetoed draft 1)", "S/PV.49 (vetoed draft 1)",
        "S/PV.57 (vetoed draft 1)", "S/PV.57 (vetoed draft 2)"]
    assert set(warned["kind"]) == {"veto_sources_disagree"}
    assert findings_report(engine, severity="error")["kind"].tolist() == [
        "tally_exceeds_council", "veto_without_negative_vote"]
    explained = kinds_report(engine, severity="warning")
    assert explained[["kind", "severity", "findings"]].values.tolist() == [
        ["tally_exceeds_council", "error", 1], ["veto_without_negative_vote", "error", 1],
        ["veto_sources_disagree", "warning", 10]]
    with pytest.raises(ReportError, match=r"^unknown severity 'loud'; use one of error, "
                                          r"warning, info$"):
        findings_report(engine, severity="loud")


class _Held(TrackerError):
    """An error of a kind the CLI has never heard of, with its own exit code and hint."""

    exit_code = 2
    hint = "wait for the other process to finish"


def test_any_tracker_error_must_become_one_message_with_its_exit_code(
        synced: tuple[Engine, dict[str, str]], monkeypatch: pytest.MonkeyPatch) -> None:
    """A TrackerError raised in any command (here `membership`, which caught nothing) must be
    shown as `error: ...` with its hint and exit code, passwords masked, no traceback."""
    _, env = synced

    def held(engine: Engine, year: int) -> None:
        raise _Held("postgresql://me:s3cret@db.example/unsc is held by another process")

    monkeypatch.setattr(rollcalls, "membership", held)
    result = runner.invoke(app, ["membership", "--year", "2022"], env=env)
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.output.splitlines() == [
        "error: postgresql://me:***@db.example/unsc is held by another process",
        "hint: wait for the other process to finish"]


@pytest.mark.parametrize(("error", "code"), [(ReportError, 1), (ExportError, 1)])
def test_report_and_export_errors_must_be_tracker_errors(error: type[Exception],
                                                          code: int) -> None:
    assert issubclass(error, TrackerError) and issubclass(error, ValueError)
    assert error("x").exit_code == code  # type: ignore[attr-defined]


def test_a_report_error_must_keep_its_message_and_exit_code(
        synced: tuple[Engine, dict[str, str]]) -> None:
    _, env = synced
    result = runner.invoke(app, ["draft", "S/1999/99999"], env=env)
    assert result.exit_code == 1
    assert result.output.startswith("error: no draft 'S/1999/99999' is stored\n"
                                    "hint: the newest vote stored is of ")
    assert result.output.endswith(": `tracker sync` fetches newer ones; names look like "
                                  "S/RES/2722 (2024), S/RES/2722, 2722, S/2024/255, "
                                  "S/PV.9591\n")


def test_status_of_a_database_not_created_yet_must_say_so() -> None:
    status = database_status(None, database="sqlite:////nowhere/tracker.sqlite")
    assert status.heading == ("Database: sqlite:////nowhere/tracker.sqlite (not created yet: "
                              "run `tracker sync`)")
    assert status.as_json() == {"database": "sqlite:////nowhere/tracker.sqlite", "tables": [],
                                "sources": [], "roll_calls_of_failed_votes": [],
                                "note": "not created yet: run `tracker sync`"}
    assert status.as_table().values.tolist() == [
        ["database", "url", "sqlite:////nowhere/tracker.sqlite"]]


def test_status_must_give_the_rows_and_last_syncs_in_every_shape(
        synced: tuple[Engine, dict[str, str]]) -> None:
    engine, env = synced
    status = database_status(engine, database="ignored: the engine names it")
    assert status.heading == f"Database: {env['TRACKER_DATABASE_URL']}"
    table = status.as_table()
    assert table[table["section"] == "rows"][["name", "value"]].values.tolist() == [
        ["member", 254], ["meeting", 21], ["draft", 16], ["resolution", 9],
        ["presidential_statement", 2], ["vote_event", 24], ["member_vote", 30], ["veto", 25],
        ["sponsorship", 4], ["mandate", 157], ["mandate_event", 232], ["finding", 2],
        ["source_record", 6]]
    assert table[table["section"] == "last_sync"]["name"].tolist() == [
        "documents", "mandates", "meeting-records", "meetings", "press-releases", "veto-list",
        "voting-records"]
    assert list(status.parts()) == ["Rows", "Last sync per source", "Roll calls of failed votes",
                                    "Freshness of each source", "Latest votes"]  # issue 16
    shown = json.loads(runner.invoke(app, ["status", "--format", "json"], env=env).stdout)
    assert shown == json.loads(json.dumps(status.as_json()))
    assert "note" not in shown


def test_member_profile_must_give_the_heading_parts_and_one_table(
        synced: tuple[Engine, dict[str, str]]) -> None:
    engine, env = synced
    profile = member_profile(engine, "Russian Federation")
    assert profile.heading == "RUS Russian Federation (permanent member): 2 votes"
    assert list(profile.titled_parts()) == ["Terms", "Votes by year", "Vetoes",
                                            "Against or abstained"]
    table = profile.as_table()
    assert table.columns[0] == "part"
    assert table["part"].tolist() == ["terms", "votes_by_year", "votes_by_year", "vetoes",
                                      "vetoes", "vetoes"]
    assert table["draft"].dropna().tolist() == ["S/2022/155", "S/2022/431", "S/2024/255"]
    shown = runner.invoke(app, ["member", "RUS", "--format", "json"], env=env)
    assert json.loads(shown.stdout) == profile.as_json()
    assert member_profile(engine, "DZA").as_table().empty


def test_draft_profile_must_give_its_fields_votes_and_sources(
        synced: tuple[Engine, dict[str, str]]) -> None:
    engine, env = synced
    profile = draft_profile(engine, "S/2022/431")
    assert profile.title == "Draft S/2022/431"
    fields = dict(profile.fields().values.tolist())
    assert fields["sponsors"] == "USA" and fields["vetoed_by"] == "CHN, RUS"
    assert fields["date"] == "2022-05-26" and pd.isna(fields["tally"])
    assert fields["subjects"] == "NUCLEAR WEAPON TESTS, BALLISTIC MISSILES, SANCTIONS"
    assert profile.votes_table().values.tolist() == [
        ["S/2022/431", dt.date(2022, 5, 26), None, "vetoed", None, ["CHN", "RUS"]]]
    payload = profile.as_json()
    assert payload["draft"]["sponsors"] == ["USA"] and payload["draft"]["date"] == "2022-05-26"
    assert payload["votes"] == [{"key": "S/2022/431", "date": "2022-05-26", "question": None,
                                 "outcome": "vetoed", "tally": None, "vetoed_by": ["CHN", "RUS"]}]
    shown = runner.invoke(app, ["draft", "S/2022/431", "--format", "json"], env=env)
    assert json.loads(shown.stdout) == lists_as_lists(payload)  # a list field is a list


def test_mandate_profile_must_give_its_heading_and_timeline(
        synced: tuple[Engine, dict[str, str]]) -> None:
    engine, env = synced
    profile = mandate_profile(engine, "dprk-panel-of-experts", as_of=dt.date(2024, 3, 15))
    assert profile.heading == ("Panel of Experts established pursuant to resolution 1874 "
                               "(2009) (DPRK) (panel_of_experts): active as of 2024-03-15, "
                               "expiry 2024-04-30")
    assert profile.title == "Timeline of dprk-panel-of-experts"
    assert profile.timeline[["event", "reference"]].values.tolist() == [
        ["established", "S/RES/1874 (2009)"], ["extended", "S/RES/2627 (2022)"],
        ["related_failed_draft", "S/2022/431"], ["extended", "S/RES/2680 (2023)"]]
    payload = profile.as_json()
    assert payload["mandate"]["expiry"] == "2024-04-30"
    shown = runner.invoke(app, ["mandate", "dprk-panel-of-experts", "--as-of", "2024-03-15",
                                "--format", "json"], env=env)
    assert json.loads(shown.stdout) == lists_as_lists(payload)  # a list field is a list


def test_every_expected_error_is_a_tracker_error_with_its_exit_code() -> None:
    """The CLI turns errors into messages in one place, by catching TrackerError: every
    error the tracker raises on purpose must derive from it, with its own exit code."""
    from council.errors import TrackerError
    from council.mandates import RegistryError
    from council.members import UnknownMemberError
    from council.records import PageShapeError, ParseError
    from council.symbols import SymbolError
    from db.engine import DatabaseLocked
    from reports.export import ExportError
    from reports.vetoes import ReportError
    from scrapers.http import FetchError, NotFound, TransientError
    from tracker.sync import DatasetMissing, EmptyArchive, StorageFault, SyncLocked

    codes = {cls.__name__: cls.exit_code for cls in (
        RegistryError, UnknownMemberError, ParseError, PageShapeError, SymbolError,
        DatabaseLocked, ExportError, ReportError, FetchError, NotFound, TransientError,
        EmptyArchive, StorageFault, SyncLocked, DatasetMissing)
        if issubclass(cls, TrackerError)}
    assert codes == {"RegistryError": 1, "UnknownMemberError": 1, "ParseError": 1,
                     "PageShapeError": 1, "SymbolError": 1, "DatabaseLocked": 2,
                     "ExportError": 1, "ReportError": 1, "FetchError": 1, "NotFound": 1,
                     "TransientError": 1, "EmptyArchive": 1, "StorageFault": 1,
                     "SyncLocked": 2, "DatasetMissing": 1}


def test_sync_help_names_the_registered_sources() -> None:
    """`tracker sync --help` lists the sources the registry holds, in its order."""

    from typer.testing import CliRunner

    from tracker.cli import app
    from tracker.sources import SOURCES

    result = CliRunner().invoke(app, ["sync", "--help"], env={"COLUMNS": "300"})
    listed = re.search(r"Only this source \(repeatable\):\s*([a-z, -]+)\.", result.output)
    assert listed is not None, result.output
    assert tuple(n.strip() for n in listed.group(1).split(",")) == SOURCES


def test_rollcall_profile_must_give_the_heading_and_say_when_no_roll_call_is_stored(
        synced: tuple[Engine, dict[str, str]]) -> None:
    """`tracker votes` shows what reports.profiles.rollcall_profile gives: a vetoed draft
    whose tally no fixture source gives, and no roll call."""
    from reports.profiles import rollcall_profile

    engine, env = synced
    profile = rollcall_profile(engine, "S/2022/431")
    # The blank tally names the finding that explains it (issue 14, item 9).
    blank = ("tally not stored (veto_without_negative_vote: draft S/2022/431 printed as "
             "vetoed by CHN, RUS with tally 13-0-2, which has no negative vote; tally not "
             "stored)")
    assert profile.heading == f"S/2022/431 (2022-05-26): vetoed by CHN, RUS, {blank}"
    assert profile.missing == (f"S/2022/431: vetoed, {blank}; no roll call is stored "
                               "for this vote (no source gives one yet)")
    shown = runner.invoke(app, ["votes", "S/2022/431"], env=env)
    # The vote and why it has no roll call, on stdout (issue 14's review, item 8).
    assert shown.exit_code == 0
    shown_text = "".join(shown.stdout.split())  # the heading is wrapped to 80 columns
    assert shown_text == "".join(f"{profile.heading}{profile.no_roll_call}".split())
    assert shown.stdout.endswith(f"\n{profile.no_roll_call}\n")
