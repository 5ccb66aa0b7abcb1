# ruff: noqa: F811  (the history fixture, imported, is each test's argument)
"""The review of issue 14's command line: --limit in every format, every column left out
named, status's CSV, one pager per view, usage errors, one JSON writer, a vote with no roll
call, lists in JSON.

The views of real records use the database a full sync of ../shared/data makes (the
``history`` fixture of tests/test_output.py); the rules themselves are held on small frames.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tests.test_output import history  # noqa: F401  (a fixture: the full history, synced)
from tracker import output
from tracker.cli import app

runner = CliRunner()


def run(env: dict[str, str], *args: str, columns: int = 80) -> str:
    result = runner.invoke(app, list(args), env={**env, "COLUMNS": str(columns)})
    assert result.exit_code == 0, result.output
    return result.stdout


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


# --- 1: --limit in every format of every command -------------------------------------------


def test_limit_cuts_the_roll_call_and_both_sponsor_tables_in_json_and_csv(
        history: dict[str, str], shared_data: Path) -> None:
    vote = json.loads(run(history, "votes", "2722", "-n", "3", "--format", "json"))
    assert [r["member_code"] for r in vote["roll_call"]] == ["CHN", "FRA", "GBR"]
    assert len(csv_rows(run(history, "votes", "2722", "-n", "3", "--format", "csv"))) == 3
    both = json.loads(run(history, "sponsors", "--limit", "2", "--format", "json"))
    assert {k: len(v) for k, v in both.items()} == {"sponsors": 2, "vetoed_sponsors": 2}
    rows = csv_rows(run(history, "sponsors", "--limit", "2", "--format", "csv"))
    assert [(r["part"], r["member_code"] or r["vetoing_member"]) for r in rows] == [
        ("sponsors", "USA"), ("sponsors", "GBR"),
        ("vetoed_sponsors", "CHN"), ("vetoed_sponsors", "CHN")]


LIMITED = [["vetoes"], ["vetoes", "--by", "year"], ["check"], ["drafts"], ["mandates"],
           ["membership", "--year", "2021"], ["votes", "2722"],
           ["mandate", "dprk-panel-of-experts"]]


@pytest.mark.parametrize("fmt", ["csv", "json"])
@pytest.mark.parametrize("command", LIMITED, ids=" ".join)
def test_every_listing_keeps_only_the_first_rows_in_every_format(
        history: dict[str, str], shared_data: Path, command: list[str],
        fmt: str) -> None:
    text = run(history, *command, "--limit", "2", "--format", fmt)
    if fmt == "csv":
        assert len(csv_rows(text)) == 2
        return
    payload = json.loads(text)
    listed = payload if isinstance(payload, list) else (
        payload.get("roll_call") or payload.get("timeline"))
    assert len(listed) == 2


def test_the_limit_footer_says_how_to_get_every_row_in_any_format() -> None:
    df = pd.DataFrame({"symbol": [f"S/{i}" for i in range(5)]})
    assert output.table_part(df, limit=2, title=None)[-1] == (
        "(the first 2 of 5 rows: --limit 5, or no --limit, shows them all)")


# --- 2: a table names every column it leaves out -------------------------------------------


def test_a_table_names_the_columns_it_leaves_out_not_only_those_too_wide(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    df = pd.DataFrame({"date": ["2022-05-26"], "tally": [None], "not_stored": ["why"],
                       "source_url": ["http://x"]})
    lines = output.table_part(df, table_columns=["date", "tally"])
    assert lines[-1] == ("(2 more columns not shown: not_stored, source_url; --format csv "
                         "shows every column)")


def test_a_blank_fact_shows_the_finding_that_explains_it(
        history: dict[str, str], shared_data: Path) -> None:
    timeline = run(history, "mandate", "dprk-panel-of-experts", columns=200)
    header = next(line for line in timeline.splitlines() if line.startswith("date "))
    assert "note" in header.split() and "the title gives no new expiry" in timeline
    drafts = run(history, "drafts", "--since", "2022", columns=200)
    line = next(row for row in drafts.splitlines() if "S/2022/431" in row)
    assert "veto_without_negative_vote" in line
    vetoes = run(history, "vetoes", "--since", "2022", "--until", "2022", columns=200)
    assert "not_stored" in vetoes and "veto_without_negative_vote" in vetoes
    assert vetoes.splitlines()[-1] == (
        "(1 more column not shown: source_url; --format csv shows every column)")


# --- 3: status's CSV has what the table points to ------------------------------------------


def test_status_csv_has_every_field_of_each_last_sync(history: dict[str, str],
                                                      shared_data: Path) -> None:
    rows = csv_rows(run(history, "status", "--format", "csv"))
    veto_list = {r["name"]: r["value"] for r in rows if r["section"] == "source:veto-list"}
    assert (veto_list["state"], veto_list["pages_fetched"], veto_list["pages_failed"]) == (
        "finished", "1", "0")
    assert {"rows_new", "rows_changed", "started_at", "last_ok_sync"} <= set(veto_list)


# --- 4: one pager per view ---------------------------------------------------------------


@pytest.mark.parametrize("command", [["member", "CHN"], ["sponsors"], ["draft", "S/2022/431"],
                                     ["status"], ["mandate", "dprk-panel-of-experts"]],
                         ids=" ".join)
def test_a_view_of_several_parts_opens_the_pager_once(
        history: dict[str, str], shared_data: Path, command: list[str],
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import click

    paged: list[str] = []
    monkeypatch.setattr(click, "echo_via_pager", lambda text: paged.append(text))
    for name, value in {**history, "COLUMNS": "100", "LINES": "8"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    with pytest.raises(SystemExit) as done:
        app(command)
    assert done.value.code == 0
    assert len(paged) == 1, [p[:60] for p in paged]
    assert capsys.readouterr().out == ""  # every line went through the one pager


# --- 5 and 6: usage errors ------------------------------------------------------------------


BAD_VALUES = [
    (["vetoes", "--since", "abc"], "error: --since: got 'abc', expected a date (YYYY-MM-DD) "
     "or a year (YYYY)"),
    (["vetoes", "--until", "2024-13-01"], "error: --until: got '2024-13-01', expected a real "
     "date, a date (YYYY-MM-DD) or a year (YYYY) (month must be in 1..12)"),
    (["vetoes", "--by", "century"], "error: --by: got 'century', expected one of member, "
     "year, decade, agenda"),
    (["vetoes", "--convention", "bogus"], "error: --convention: got 'bogus', expected one of "
     "dhl-veto-list, dhl-meetings"),
    (["vetoes", "--format", "xml"], "error: --format / -f: got 'xml', expected one of "
     "table, csv, json"),
    (["vetoes", "--limit", "0"], "error: --limit: got 0, expected a whole number of rows, 1 "
     "or more"),
    (["check", "-n", "abc"], "error: --limit: got 'abc', expected a whole number of rows, 1 "
     "or more"),
    (["check", "--severity", "bad"], "error: --severity: got 'bad', expected one of error, "
     "warning, info"),
    (["mandates", "--as-of", "2024-3-15"], "error: --as-of: got '2024-3-15', expected a date "
     "(YYYY-MM-DD)"),
    (["mandates", "--kind", "bogus"], None),
    (["mandates", "--status", "gone"], None),
    (["mandates", "--expiring-within", "-5"], "error: --expiring-within: got -5, expected a "
     "whole number of days, 0 or more"),
    (["mandate", "dprk-panel-of-experts", "--as-of", "soon"], None),
    (["member", "CHN", "--since", "1946-02-30"], None),
    (["agreement", "--min-shared", "x"], "error: --min-shared: got 'x', expected a whole "
     "number of votes, 0 or more"),
    (["membership", "--year", "1900"], None),
    (["membership", "--year", "abc"], None),
    (["drafts", "--status", "lost"], None),
    (["drafts", "--until", "20x4"], None),
    (["sponsors", "--since", "x"], None),
    (["sync", "--since", "abc"], None),
    (["sync", "--source", "bogus"], "error: --source: got 'bogus', expected a source: "
     "meetings, veto-list, voting-records, documents, press-releases, meeting-records"),
    (["export", "vetoes", "--out", "-", "--format", "xml"], None),
    (["status", "--format", "yaml"], None),
]


@pytest.mark.parametrize(("args", "message"), BAD_VALUES, ids=[" ".join(a) for a, _ in BAD_VALUES])
def test_a_bad_value_is_one_line_naming_the_option_and_exits_2(
        tmp_path: Path, args: list[str], message: str | None) -> None:
    result = runner.invoke(app, args, env={"TRACKER_DATA_DIR": str(tmp_path), "NO_COLOR": "1"},
                           color=True)
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)  # no traceback
    lines = result.stderr.splitlines()
    assert len(lines) == 2, result.stderr
    option = {"-n": "--limit"}.get(args[-2], args[-2])
    assert lines[0].startswith(f"error: {option}"), lines[0]
    assert "got " in lines[0] and "expected " in lines[0]
    assert message is None or lines[0] == message
    assert lines[1] == (f"usage: tracker {args[0]} [OPTIONS]"
                        + {"mandate": " {slug}", "member": " {code}...", "export": " {name}"}
                        .get(args[0], "") + f" (`tracker {args[0]} --help` explains every "
                        "option)")
    for raw in ("Input should", "Value error", "╭", "\x1b["):
        assert raw not in result.output
    assert result.stdout == ""


def test_a_check_source_no_finding_comes_from_is_a_usage_error(
        history: dict[str, str], shared_data: Path) -> None:
    result = runner.invoke(app, ["check", "--source", "bogus"], env=history)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        "error: --source: got 'bogus', expected a source findings come from: check, "
        "documents, draft-links, mandates, meeting-records, meetings, press-releases, "
        "undl-dataset, veto-list, voting-records")


def test_the_choices_written_out_are_the_libraries() -> None:
    from council.mandates import KINDS
    from reports.findings import SEVERITIES
    from reports.vetoes import CONVENTIONS
    from tracker.cli import Convention, MandateKind, Severity

    assert tuple(MandateKind) == KINDS
    assert tuple(Convention) == CONVENTIONS
    assert tuple(Severity) == SEVERITIES


# --- 7 and 9: one JSON writer, lists as lists ----------------------------------------------


def test_json_escapes_controls_and_keeps_list_fields_lists() -> None:
    text = output.json_for_terminal({"draft": {"title": "a\u202eb\x9bc", "vetoed_by": None,
                                               "sponsors": ["USA"]},
                                     "timeline": [{"abstained": "none", "sponsors": None},
                                                  {"abstained": "CHN, RUS", "tally": None},
                                                  {"abstained": None, "tally": None},
                                                  {"abstained": "2 member(s), not known which"}
                                                  ]})
    assert "\\u202e" in text and "\\u009b" in text
    assert json.loads(text) == {
        "draft": {"title": "a\u202eb\x9bc", "vetoed_by": [], "sponsors": ["USA"]},
        # sponsors not looked up are not known: null, never "no sponsors"
        "timeline": [{"abstained": [], "sponsors": None},
                     {"abstained": ["CHN", "RUS"], "tally": None},
                     # not known is not none: never a list made up from absence
                     {"abstained": None, "tally": None},
                     {"abstained": "2 member(s), not known which"}]}


def test_every_view_writes_lists_as_lists(history: dict[str, str],
                                          shared_data: Path) -> None:
    draft = json.loads(run(history, "draft", "S/RES/2722", "--format", "json"))
    assert draft["draft"]["vetoed_by"] == [] and draft["votes"][0]["vetoed_by"] == []
    drafts = json.loads(run(history, "drafts", "--since", "2022", "-n", "1", "-f", "json"))
    assert drafts[0]["vetoed_by"] == []
    vote = json.loads(run(history, "votes", "2722", "--format", "json"))
    assert vote["vetoed_by"] == []
    timeline = json.loads(run(history, "mandate", "dprk-panel-of-experts", "--as-of",
                              "2022-12-31", "-f", "json"))["timeline"]
    assert timeline[0]["sponsors"] is None and timeline[0]["vetoed_by"] == []
    assert timeline[0]["abstained"] == []
    failed = next(r for r in timeline if r["event"] == "related_failed_draft")
    assert (failed["sponsors"], failed["vetoed_by"]) == (["USA"], ["CHN", "RUS"])


# --- 8: a vote with no roll call says why, on stdout ----------------------------------------


def test_a_vote_without_a_roll_call_shows_the_vote_and_why(
        history: dict[str, str], shared_data: Path) -> None:
    out = run(history, "votes", "S/5134", columns=300)
    assert out == ("S/5134 (1962-06-22): vetoed by SUN, 7-2-2\n"
                   "no roll call is stored for this vote (no source gives one yet)\n")


def test_a_roll_call_named_in_part_says_so(history: dict[str, str], shared_data: Path) -> None:
    """S/2022/431: the release names China and Russia against; 2022's membership is not
    known in full in the replay, so nobody else's vote is derived, and the view says so."""
    out = run(history, "votes", "S/2022/431", columns=300).splitlines()
    assert out[0] == (
        "S/2022/431 (2022-05-26): vetoed by CHN, RUS, tally not stored "
        "(veto_without_negative_vote: draft S/2022/431 printed as vetoed by CHN, RUS with "
        "tally 13-0-2, which has no negative vote; tally not stored)")
    assert [line.split()[0] for line in out[3:5]] == ["CHN", "RUS"]
    assert out[-1] == ("the roll call names 2 of the 15 members; the others' votes are not "
                       "known (`tracker check` says why)")


# --- 7: every command's JSON escapes control and bidirectional-override characters ---------


HOSTILE = "Aa\u202eZ\x9b31m"  # a right-to-left override and an 8-bit escape, as a source might


@pytest.mark.parametrize("command", [["member", "CHN"], ["sponsors"], ["draft", "S/2022/431"],
                                     ["mandate", "dprk-panel-of-experts"], ["status"]],
                         ids=" ".join)
def test_every_view_writes_json_that_escapes_controls(
        history: dict[str, str], shared_data: Path, command: list[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    import reports.drafts
    import reports.profiles
    import reports.status

    def hostile(function):  # the same view, with a hostile text where a source's text goes
        def call(*args, **kwargs):
            result = function(*args, **kwargs)
            if isinstance(result, dict):  # sponsors: its tables
                return {k: v.assign(member_name=HOSTILE) for k, v in result.items()}
            if hasattr(result, "member"):
                result.member["member_name"] = HOSTILE
            if hasattr(result, "mandate"):
                result.mandate["name"] = HOSTILE
            if hasattr(result, "draft"):
                result.draft["title"] = HOSTILE
            if hasattr(result, "database"):
                return type(result)(database=HOSTILE, tables=result.tables,
                                    sources=result.sources)
            return result
        return call

    for module, name in [(reports.profiles, "member_profile"), (reports.drafts, "sponsors"),
                         (reports.profiles, "draft_profile"),
                         (reports.profiles, "mandate_profile"),
                         (reports.status, "database_status")]:
        monkeypatch.setattr(module, name, hostile(getattr(module, name)))
    text = run(history, *command, "--format", "json")
    assert "\u202e" not in text and "\x9b" not in text
    assert "Aa\\u202eZ\\u009b31m" in text
    assert HOSTILE in json.dumps(json.loads(text), ensure_ascii=False)  # the same data
