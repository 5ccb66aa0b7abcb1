"""Output: tables fitted to the terminal, CSV and JSON that keep their types (issue 14,
items 3 and 4)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tests.conftest import FullHistory
from tracker.cli import app

runner = CliRunner()

# The listings, with a symbol or date each must show whole on one line.
LISTINGS: list[tuple[list[str], list[str]]] = [
    (["vetoes"], ["S/2022/431", "2022-05-26", "S/PV.9048"]),
    (["vetoes", "--by", "member"], ["SUN"]),
    (["drafts", "--since", "2022"], ["S/2022/431", "2022-05-26"]),
    (["sponsors"], ["USA"]),
    (["check"], ["S/2022/431"]),
    (["check", "--explain"], ["veto_without_negative_vote"]),
    (["status"], ["voting-records"]),
    (["mandates"], ["dprk-panel-of-experts"]),
    (["mandate", "dprk-panel-of-experts"], ["S/RES/1874 (2009)"]),
    (["membership", "--year", "2021"], ["VCT", "2021-12-30"]),
    (["member", "SUN"], ["1946-06-26"]),
    (["votes", "S/RES/2577 (2021)"], ["RUS", "2021-05-28"]),
    (["draft", "S/2022/431"], ["S/2022/431", "S/PV.9048"]),
    (["agreement", "--since", "2020"], ["USA"]),
]


@pytest.fixture(scope="module")
def history(full_history: FullHistory) -> dict[str, str]:
    """The environment of a database synced from the whole saved history (once for the
    test run)."""
    return full_history.env


def run(env: dict[str, str], *args: str, columns: int = 80) -> str:
    result = runner.invoke(app, list(args), env={**env, "COLUMNS": str(columns)})
    assert result.exit_code == 0, result.output
    return result.stdout


# --- item 3: readable at 80 columns ---------------------------------------------------


@pytest.mark.parametrize("columns", [80, 200])
@pytest.mark.parametrize(("command", "whole"), LISTINGS, ids=[" ".join(c) for c, _ in LISTINGS])
def test_every_listing_must_fit_the_terminal_and_keep_symbols_whole(
        history: dict[str, str], shared_data: Path, command: list[str], whole: list[str],
        columns: int) -> None:
    """Every line of every listing must fit the width; a symbol or date must be on one line."""
    out = run(history, *command, columns=columns)
    too_long = [line for line in out.splitlines() if len(line) > columns]
    assert too_long == []
    for token in whole:
        assert token in out, token
    assert not re.search(r"\d{2}:\d{2}:\d{2}\.\d", out)  # timestamps to the second


def test_a_header_word_must_never_be_split(history: dict[str, str], shared_data: Path) -> None:
    """A header wraps after an underscore (meeting_ / record), never inside a word."""
    lines = run(history, "vetoes", columns=80).splitlines()
    header = lines[1:3]
    assert header[0].split()[:3] == ["date", "draft", "members"]
    assert "meeting_" in header[0] and "record" in header[1]
    assert "meeting_rec" not in "\n".join(lines)


def test_status_shows_timestamps_to_the_second(history: dict[str, str],
                                               shared_data: Path) -> None:
    out = run(history, "status", columns=200)
    assert re.search(r"voting-records\s+finished\s+\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\s", out)
    assert "+00:00" not in out


def test_agreement_uses_codes_and_two_decimals_and_says_how_to_get_the_rest(
        history: dict[str, str], shared_data: Path) -> None:
    wide = run(history, "agreement", "--since", "2020", "--members", "USA,GBR,FRA,RUS,CHN",
               columns=200).splitlines()
    assert wide[1].split() == ["member", "USA", "GBR", "FRA", "RUS", "CHN"]
    assert wide[3].split() == ["USA", "1.00", "1.00", "0.99", "0.83", "0.89"]
    narrow = run(history, "agreement", "--since", "2020", columns=80)
    assert re.search(r"^member  BEL   CHE  CHN ", narrow, re.MULTILINE)
    assert "(17 more columns not shown at 80 columns: IRL, JPN, KEN, KOR, MEX, MLT, ... ZAF;" \
        in narrow.replace("\n", " ")
    assert "--members USA,RUS,CHN" in narrow and "--format csv" in narrow
    # CSV and JSON keep the whole matrix and its precision.
    csv_lines = run(history, "agreement", "--since", "2020", "--format", "csv").splitlines()
    assert len(csv_lines[0].split(",")) == 1 + 30


def test_columns_that_do_not_fit_are_named(history: dict[str, str], shared_data: Path) -> None:
    out = run(history, "status", columns=80)
    assert "(2 more columns not shown at 80 columns: rows_new, rows_changed; --format csv" in out


def test_limit_keeps_the_first_rows_in_every_format(history: dict[str, str],
                                                    shared_data: Path) -> None:
    table = run(history, "vetoes", "--limit", "2")
    assert "(the first 2 of 213 rows: --limit 213, or no --limit, shows them all)" in table
    assert "S/PV.45" in table and "S/PV.49" not in table
    assert len(json.loads(run(history, "check", "--limit", "3", "--format", "json"))) == 3
    assert len(run(history, "drafts", "--limit", "5", "--format", "csv").splitlines()) == 6
    assert "(the first 1 of 157 rows" in run(history, "mandates", "-n", "1")
    member = json.loads(run(history, "member", "SUN", "-n", "2", "--format", "json"))
    assert [len(member[part]) for part in ("terms", "votes_by_year", "vetoes")] == [1, 2, 2]
    assert member["vetoes"][1]["sources"] == ["dhl-meetings", "dhl-veto-list"]


def test_a_long_listing_pages_only_in_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import click

    from tracker import output

    paged: list[str] = []
    monkeypatch.setattr(click, "echo_via_pager", lambda text: paged.append(text))
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    output.emit([f"line {i}" for i in range(200)])
    assert len(paged) == 1 and paged[0].startswith("line 0\nline 1\n")
    monkeypatch.setattr("sys.stdout.isatty", lambda: False)
    output.emit([f"line {i}" for i in range(200)])
    assert len(paged) == 1


def test_a_table_wraps_at_spaces_and_drops_the_last_columns_that_cannot_fit() -> None:
    """A cell wraps at its spaces; the last columns go first, named with the hint."""
    from tracker.output import table_lines

    frame = pd.DataFrame([{"date": dt.date(2022, 5, 26), "meeting_record": "S/PV.9048",
                           "draft": "S/2022/431 (vetoed draft 1)",
                           "agenda": "Non-proliferation - Democratic People's Republic of Korea",
                           "source_url": "https://www.un.org/" + "x" * 60}])
    assert table_lines(frame, title="Vetoes", width=40) == [
        "Vetoes",
        "date        meeting_      draft",
        "            record",
        "──────────  ────────────  ──────────────",
        "2022-05-26  S/PV.9048     S/2022/431",
        "                          (vetoed draft",
        "                          1)",
        "(2 more columns not shown at 40 columns:",
        "agenda, source_url; --format csv)"]


def test_list_cells_are_joined_and_timestamps_cut_to_the_second() -> None:
    from tracker.output import table_lines

    frame = pd.DataFrame({"members": [["CHN", "RUS"]], "year": pd.array([1946], dtype="Int64"),
                          "at": ["2026-11-30T01:52:45.485493+00:00"],
                          "share": [0.8264]})
    assert table_lines(frame, width=80, decimals=2) == [
        "members   year  at                   share",
        "────────  ────  ───────────────────  ─────",
        "CHN, RUS  1946  2026-11-30 01:52:45  0.83"]


# --- item 4: formats that keep their types ---------------------------------------------


def test_member_csv_must_write_integers_as_integers(history: dict[str, str],
                                                    shared_data: Path) -> None:
    lines = run(history, "member", "SUN", "--format", "csv").splitlines()
    assert lines[1] == ("terms,1946,1991,1946-01-30,1991-12-31,714,Union of Soviet Socialist "
                        "Republics,,,,,,,,,,,,")
    assert lines[2] == "votes_by_year,,,,,,,1946,10,0,2,2,,,,,,,"
    assert not [line for line in lines if re.search(r"(^|,)\d+\.0(,|$)", line)]


def test_json_keeps_lists_as_lists(history: dict[str, str], shared_data: Path) -> None:
    vetoes = json.loads(run(history, "vetoes", "--since", "2022", "--format", "json"))
    assert [(v["draft"], v["members"], v["member_names"]) for v in vetoes] == [
        ("S/2022/155", ["RUS"], ["Russian Federation"]),
        ("S/2022/431", ["CHN", "RUS"], ["China", "Russian Federation"])]
    drafts = {d["symbol"]: d for d in json.loads(run(
        history, "drafts", "--since", "2022-05-26", "--until", "2022-05-26", "--format", "json"))}
    assert drafts["S/2022/431"]["vetoed_by"] == ["CHN", "RUS"]
    assert drafts["S/2022/431"]["sponsors"] == ["USA"]
    # Table and CSV join them with ", ".
    csv_text = run(history, "vetoes", "--since", "2022", "--format", "csv")
    assert ',"CHN, RUS","China, Russian Federation",' in csv_text


def test_one_vote_as_json_is_the_vote_and_its_roll_call(history: dict[str, str],
                                                        shared_data: Path) -> None:
    vote = json.loads(run(history, "votes", "S/RES/2577 (2021)", "--format", "json"))
    assert {k: vote[k] for k in ("vote", "date", "outcome", "tally", "meeting", "draft",
                                 "vetoed_by", "no_roll_call")} == {
        "vote": "S/RES/2577 (2021)", "date": "2021-05-28",
        "outcome": "adopted_by_written_procedure", "tally": "13-0-2",
        "meeting": "S/2021/515", "draft": "S/2021/509", "vetoed_by": [],
        "no_roll_call": None}
    assert len(vote["roll_call"]) == 15
    assert vote["roll_call"][0] == {
        "member_code": "CHN", "member_name": "China", "vote": "Y", "permanent": True,
        "known": "named", "derived": None, "name_as_printed": "CHINA",
        "source_url": vote["roll_call"][0]["source_url"]}
    unstored = json.loads(run(history, "votes", "S/2022/431", "--format", "json"))
    assert ([(v["member_code"], v["vote"], v["known"]) for v in unstored["roll_call"]],
            unstored["vetoed_by"], unstored["tally"], unstored["no_roll_call"]) == (
        [("CHN", "N", "named"), ("RUS", "N", "named")], ["CHN", "RUS"], None, None)
    older = json.loads(run(history, "votes", "S/5134", "--format", "json"))
    assert (older["roll_call"], older["vetoed_by"]) == ([], ["SUN"])
    assert older["no_roll_call"] == ("no roll call is stored for this vote (no source "
                                     "gives one yet)")
    without = json.loads(run(history, "votes", "S/RES/1 (1946)", "--format", "json"))
    assert (without["roll_call"], without["no_roll_call"]) == (
        [], "adopted without vote: there was no roll call")


def test_a_member_has_one_name_in_every_view(history: dict[str, str],
                                             shared_data: Path) -> None:
    """The name at the time of the vote, from council.members, whatever the source spelt."""
    vote = json.loads(run(history, "votes", "S/RES/2577 (2021)", "--format", "json"))
    roll = {r["member_code"]: r["member_name"] for r in vote["roll_call"]}
    council = {r["member_code"]: r["member_name"] for r in json.loads(
        run(history, "membership", "--year", "2021", "--format", "json"))}
    assert roll == council
    assert council["GBR"] == "United Kingdom" and council["IRL"] == "Ireland"
    assert {r["name_as_printed"] for r in vote["roll_call"] if r["member_code"] == "GBR"} == {
        "UNITED KINGDOM"}  # the source's spelling, kept beside the name
    old = json.loads(run(history, "votes", "S/RES/4 (1946)", "--format", "json"))
    assert {r["member_code"]: r["member_name"] for r in old["roll_call"]}["CHN"] == \
        "China (Republic of China)"
