"""Text from a source is data, never markup, terminal escapes or spreadsheet formulas.

A hostile (or careless) page is served from a local server and synced; the reports are
then run through the command line as a user would, in every format.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tests.conftest import FIXTURES, Replay
from tests.undl_replay import DigitalLibrary, from_pcrc_csv
from tracker.cli import app

runner = CliRunner()
VETO_LIST = "/depts/dhl/resguide/scact_veto_table_en.html"
REAL_AGENDA = "Non-proliferation - Democratic People's Republic of Korea"
# What a hostile Veto List prints as the agenda item of S/2024/255: rich markup (a closing
# tag that crashes rich, a link), terminal escapes (an OSC 8 hyperlink, a screen clear, a
# window title), and a spreadsheet formula.
HOSTILE_AGENDA = ("=HYPERLINK(\"https://evil.example\",\"Korea\") [/bold] "
                  "[link=https://evil.example]Korea[/link] "
                  "\x1b]8;;https://evil.example\x1b\\DPRK\x1b]8;;\x1b\\ \x1b[2J\x1b]0;pwned\x07end")


def _env(tmp_path: Path, replay: Replay) -> dict[str, str]:
    return {"TRACKER_DATA_DIR": str(tmp_path / "data"), "TRACKER_UN_ORG_URL": replay.url,
            "TRACKER_UNDL_URL": replay.url,
            "TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 'tracker.sqlite'}",
            "TRACKER_REQUESTS_PER_SECOND": "0", "TRACKER_MAX_ATTEMPTS": "1",
            "COLUMNS": "400"}  # a wide terminal: rich folds nothing


@pytest.fixture
def hostile(tmp_path: Path, replay: Replay) -> dict[str, str]:
    """A database synced from a Veto List whose agenda item of S/2024/255 is hostile."""
    page = (FIXTURES / "dhl" / "veto_list.html").read_text(encoding="utf-8")
    assert page.count(REAL_AGENDA) >= 1
    first = page.index(REAL_AGENDA)  # the row of S/2024/255, the first on the page
    page = page[:first] + HOSTILE_AGENDA + page[first + len(REAL_AGENDA):]
    replay.pages[VETO_LIST] = page.encode("utf-8")
    env = _env(tmp_path, replay)
    result = runner.invoke(app, ["sync", "--source", "veto-list"], env=env)
    assert result.exit_code == 0, result.output
    return env


def test_a_table_shows_markup_and_escapes_as_plain_text(hostile: dict[str, str]) -> None:
    """A table must show a source's brackets as printed, must not crash on "[/bold]", must
    make no link, and must let no escape sequence or control character reach the terminal."""
    result = runner.invoke(app, ["vetoes", "--since", "2024"], env=hostile)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "[link=https://evil.example]Korea[/link]" in out
    assert "[/bold]" in out
    assert "DPRK end" in out  # the escapes are gone, the text between them kept
    assert not any(c in out for c in "\x1b\x07\x9b")
    assert "S/2024/255" in out


def test_json_keeps_the_text_as_stored_with_controls_escaped(hostile: dict[str, str]) -> None:
    """JSON must give the source's text whole (it is data), with its controls escaped."""
    result = runner.invoke(app, ["vetoes", "--since", "2024", "--format", "json"], env=hostile)
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout
    rows = json.loads(result.stdout)
    assert [r["agenda"] for r in rows] == [HOSTILE_AGENDA]


def test_csv_cells_cannot_run_as_formulas(hostile: dict[str, str], tmp_path: Path) -> None:
    """A CSV cell beginning with = must be written with a leading quote, on stdout and in
    an export; the rest of the text is kept; numbers stay numbers."""
    result = runner.invoke(app, ["vetoes", "--since", "2024", "--format", "csv"], env=hostile)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["agenda"] for r in rows] == ["'" + HOSTILE_AGENDA]
    out = tmp_path / "vetoes.csv"
    result = runner.invoke(app, ["export", "vetoes", "--out", str(out)], env=hostile)
    assert result.exit_code == 0, result.output
    exported = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    agenda = {r["draft"]: r["agenda"] for r in exported}
    assert agenda["S/2024/255"] == "'" + HOSTILE_AGENDA
    assert agenda["S/2022/431"] == REAL_AGENDA  # untouched


def test_spreadsheet_safe_quotes_text_cells_only() -> None:
    """Every formula start (= + - @ tab, carriage return) must be quoted in a text cell; a
    number, or a text cell that is a plain number, must stay as it is."""
    from reports.export import spreadsheet_safe

    df = pd.DataFrame({"text": ["=1+2", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", "\rx",
                                "-1", "S/RES/1874 (2009)", None],
                       "number": [-1, 2, -3, 4, 5, 6, 7, 8, 9]})
    safe = spreadsheet_safe(df)
    assert safe["text"].tolist()[:8] == ["'=1+2", "'+cmd|' /C calc'!A0", "'-2+3", "'@SUM(A1)",
                                         "'\tx", "'\rx", "-1", "S/RES/1874 (2009)"]
    assert pd.isna(safe["text"][8])
    assert safe["number"].tolist() == [-1, 2, -3, 4, 5, 6, 7, 8, 9]
    assert df["text"][0] == "=1+2"  # the frame given is not changed


def test_terminal_safe_removes_sequences_and_controls() -> None:
    from tracker.cli import terminal_safe

    assert terminal_safe("a\x1b[31mred\x1b[0m b") == "ared b"
    assert terminal_safe("x\x1b]8;;https://e\x1b\\link\x1b]8;;\x1b\\y") == "xlinky"
    assert terminal_safe("ti\x07tle\x9b2J!") == "title!"
    assert terminal_safe("right-to-left \u202egnp.exe") == "right-to-left gnp.exe"
    assert terminal_safe("Draft resolution [on ...]") == "Draft resolution [on ...]"


def test_a_real_bracketed_title_is_shown_whole(shared_data: Path, tmp_path: Path,
                                                replay: Replay) -> None:
    """`tracker draft S/2009/301` must show its real title whole: the Library's titles put
    their subject in brackets, which rich read as markup and dropped."""
    documents = [d for d in from_pcrc_csv(shared_data / "pcrc_unsc_dataset"
                                          / "undl_export_089_B02_security_council.csv")
                 if d.symbol == "S/2009/301"]
    assert len(documents) == 1
    DigitalLibrary([], documents).serve(replay)
    env = _env(tmp_path, replay)
    result = runner.invoke(app, ["sync", "--source", "documents"], env=env)
    assert result.exit_code == 0, result.output
    title = ("Draft resolution [on measures against the Democratic People's Republic of Korea "
             "in connection with its nuclear weapon tests]")
    result = runner.invoke(app, ["draft", "S/2009/301"], env=env)
    assert result.exit_code == 0, result.output
    assert title in result.stdout
    result = runner.invoke(app, ["draft", "S/2009/301", "--format", "json"], env=env)
    shown = json.loads(result.stdout)
    assert title in json.dumps(shown, ensure_ascii=False)
