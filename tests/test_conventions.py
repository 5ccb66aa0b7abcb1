"""A newcomer's first hour: settings errors, conventions of a command line, nothing silent.

Each test states the requirement with "must"; each guards a class of problem, over every
setting, every command or every source, not one named case.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from db.engine import make_engine
from scrapers.archive import RawArchive
from tests.conftest import Replay
from tracker import __version__
from tracker.cli import app
from tracker.settings import Settings
from tracker.sources import REGISTRY
from tracker.sync import open_database

runner = CliRunner()
GROUP = get_command(app)
COMMANDS = sorted(GROUP.commands)  # type: ignore[attr-defined]
RESGUIDE = "/depts/dhl/resguide"
EXCERPT = Path("undl_sc_voting_official_excerpt") / "2026_02_06_sc_voting.EXCERPT.csv"


# --- item 6: no tracebacks, no raw validation errors -------------------------------------

# A value each setting cannot take, and how the message must quote it.
BAD_SETTINGS: dict[str, tuple[str, str]] = {
    "un_org_url": ("www.un.org", "'www.un.org'"),
    "undl_url": ("digitallibrary", "'digitallibrary'"),
    "press_url": ("ftp://press.un.org", "'ftp://press.un.org'"),
    "docs_url": ("documents.un.org", "'documents.un.org'"),
    "data_dir": ("/etc/hostname", "'/etc/hostname'"),
    "database_url": ("notaurl", "'notaurl'"),
    "undl_token": ("two words", "a value that is not shown (a secret)"),
    "requests_per_second": ("abc", "'abc'"),
    "timeout_seconds": ("0", "'0'"),
    "max_attempts": ("many", "'many'"),
    "undl_page_size": ("500", "'500'"),
    "undl_documents_collection": ("", "''"),
    "undl_drafts_query": ("", "''"),
    "max_response_bytes": ("-1", "'-1'"),
}


def test_every_setting_is_tried_with_a_bad_value() -> None:
    """A new setting must come with a bad value in BAD_SETTINGS, so its message is tested."""
    assert set(BAD_SETTINGS) == set(Settings.model_fields)


@pytest.mark.parametrize("field", sorted(BAD_SETTINGS))
def test_a_bad_setting_names_the_variable_what_it_got_and_what_it_takes(
        tmp_path: Path, field: str) -> None:
    """A setting the tracker cannot use must be one line naming its variable, the value it
    got and what it takes, exit 2, and never a traceback or pydantic's raw text."""
    value, shown = BAD_SETTINGS[field]
    env = {"TRACKER_DATA_DIR": str(tmp_path / "data"), f"TRACKER_{field.upper()}": value}
    result = runner.invoke(app, ["status"], env=env)
    expected = Settings.model_fields[field].description
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert result.output.startswith(
        f"error: bad setting: TRACKER_{field.upper()}: got {shown}, expected {expected}")
    assert result.output.count("\n") == 1
    assert "Traceback" not in result.output and "pydantic" not in result.output
    assert "Input should be" not in result.output


def test_requests_per_second_message_in_full(tmp_path: Path) -> None:
    """The issue's own case must read as the issue asks."""
    result = runner.invoke(app, ["status"], env={"TRACKER_DATA_DIR": str(tmp_path),
                                                 "TRACKER_REQUESTS_PER_SECOND": "abc"})
    assert result.output == ("error: bad setting: TRACKER_REQUESTS_PER_SECOND: got 'abc', "
                             "expected a number of requests per second such as 1 (0: no "
                             "pause)\n")
    assert result.exit_code == 2


URL_EXPECTED = ("expected a database URL such as sqlite:////home/me/tracker.sqlite or "
                "postgresql+psycopg://me@127.0.0.1/unsc")


@pytest.mark.parametrize(("url", "code", "message"), [
    ("notaurl", 2, f"error: bad setting: --db: got 'notaurl', {URL_EXPECTED} (not a database "
     "URL)\n"),
    ("foo://x", 2, f"error: bad setting: --db: got 'foo://x', {URL_EXPECTED} (SQLAlchemy knows "
     "no database or driver called 'foo')\n"),
    ("mysql://me:pw-secret@db.example/x", 2, "error: bad setting: --db: got "
     f"'mysql://me:***@db.example/x', {URL_EXPECTED} (the driver of 'mysql' is not installed "
     "(MySQLdb); install it, or use SQLite)\n"),
    ("postgresql+psycopg://me@127.0.0.1:1/unsc", 1, "error: cannot open the database "
     "postgresql+psycopg://me@127.0.0.1:1/unsc (from --db): connection failed:"),
], ids=["not-a-url", "unknown-dialect", "missing-driver", "closed-port"])
@pytest.mark.parametrize("command", ["status", "vetoes", "sync"])
def test_a_bad_database_url_is_one_message_for_every_command(
        tmp_path: Path, url: str, code: int, message: str, command: str) -> None:
    """--db with a URL that is not one, names an unknown database or driver, or points at a
    server that does not answer must give one message and its exit code, no traceback."""
    result = runner.invoke(app, ["--db", url, command, "--format", "json"],
                           env={"TRACKER_DATA_DIR": str(tmp_path / "data")})
    assert result.exit_code == code, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output and "pw-secret" not in result.output
    assert result.output.startswith(message) if code == 1 else result.output == message


def test_the_environment_url_is_named_as_the_environment_variable(tmp_path: Path) -> None:
    """A bad TRACKER_DATABASE_URL must be named as that variable, not as --db."""
    result = runner.invoke(app, ["vetoes"], env={"TRACKER_DATA_DIR": str(tmp_path),
                                                 "TRACKER_DATABASE_URL": "notaurl"})
    assert result.output == (f"error: bad setting: TRACKER_DATABASE_URL: got 'notaurl', "
                             f"{URL_EXPECTED} (not a database URL)\n")


# --- item 7: conventions ----------------------------------------------------------------

def _every_command() -> list[list[str]]:
    paths: list[list[str]] = [[]]
    for name, command in GROUP.commands.items():  # type: ignore[attr-defined]
        paths.append([name])
        paths.extend([name, sub] for sub in getattr(command, "commands", {}))
    return paths


@pytest.mark.parametrize("path", _every_command(), ids=lambda p: " ".join(p) or "tracker")
def test_every_command_takes_dash_h_and_reads_well_at_80_columns(path: list[str]) -> None:
    """-h must work as --help does, on every command; the help must fit 80 columns, show no
    type for a flag (<bool>) and keep no line break of a docstring inside a paragraph."""
    short = runner.invoke(app, [*path, "-h"], env={"COLUMNS": "80"})
    long = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "80"})
    assert short.exit_code == 0, short.output
    assert short.output == long.output
    assert "<bool>" not in short.output
    assert not [line for line in short.output.splitlines() if "--verbose" in line
                and "<int>" in line]  # a count flag takes no value either
    assert max(len(line) for line in short.output.splitlines()) <= 80
    command = GROUP
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    for paragraph in (command.help or "").split("\n\n"):
        assert "\n" not in paragraph, paragraph


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version(flag: str) -> None:
    """--version and -V must print the version and exit 0."""
    result = runner.invoke(app, [flag])
    assert (result.exit_code, result.output) == (0, f"unsc-tracker {__version__}\n")


def test_no_color_is_honoured_by_errors(tmp_path: Path) -> None:
    """With NO_COLOR set, an error must carry no terminal escape, even where colour would
    be shown; without it, the error is red."""
    args = ["check", "--severity", "bogus"]
    env = {"TRACKER_DATA_DIR": str(tmp_path)}
    coloured = runner.invoke(app, args, env=env, color=True)
    plain = runner.invoke(app, args, env={**env, "NO_COLOR": "1"}, color=True)
    assert "\x1b[31m" in coloured.output
    assert plain.output == ("error: --severity: got 'bogus', expected one of error, warning, "
                            "info\nusage: tracker check [OPTIONS] (`tracker check --help` "
                            "explains every option)\n")
    assert plain.exit_code == 2
    setting = runner.invoke(app, ["status"], env={**env, "NO_COLOR": "1",
                                                  "TRACKER_MAX_ATTEMPTS": "x"}, color=True)
    assert "\x1b" not in setting.output and setting.exit_code == 2


def test_no_color_is_honoured_by_usage_errors_in_a_terminal(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """typer's own usage error, drawn as a terminal would get it, must carry no escape
    (colour, bold or dim) when NO_COLOR is set, and does without it."""
    import typer.rich_utils

    monkeypatch.setattr(typer.rich_utils, "FORCE_TERMINAL", True)
    plain = runner.invoke(app, ["vetoes", "--bogus"], env={"NO_COLOR": "1"}, color=True)
    styled = runner.invoke(app, ["vetoes", "--bogus"], env={"NO_COLOR": ""}, color=True)
    assert plain.exit_code == styled.exit_code == 2
    assert "No such option: --bogus" in plain.output and "\x1b" not in plain.output
    assert "\x1b[31m" in styled.output  # one red line, as every error (issue 14's review)


@pytest.fixture
def imported(shared_data: Path, tmp_path: Path) -> dict[str, str]:
    """A database holding the real excerpt of the Library's voting dataset."""
    env = {"TRACKER_DATA_DIR": str(tmp_path / "data"),
           "TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 'tracker.sqlite'}"}
    result = runner.invoke(app, ["import", "undl-dataset", str(shared_data / EXCERPT)], env=env)
    assert result.exit_code == 0, result.output
    return env


def test_quiet_prints_only_errors_and_the_result(imported: dict[str, str]) -> None:
    """--quiet must leave out what a command says on the way (export's "wrote ..."), and keep
    the result and the errors."""
    loud = runner.invoke(app, ["export", "resolution", "--out", "-"], env=imported)
    quiet = runner.invoke(app, ["--quiet", "export", "resolution", "--out", "-"], env=imported)
    assert loud.stderr == "wrote 7 rows of resolution to standard output\n"
    assert quiet.stderr == ""
    assert quiet.stdout == loud.stdout and quiet.stdout.startswith("source_url,fetched_at,id,")
    error = runner.invoke(app, ["-q", "check", "--severity", "bogus"], env=imported)
    assert error.exit_code == 2 and error.stderr.startswith("error: --severity: got 'bogus'")
    both = runner.invoke(app, ["-q", "-v", "status"], env=imported)
    assert both.exit_code == 2


@pytest.fixture
def _restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.getLogger("alembic").setLevel(logging.NOTSET)


@pytest.mark.usefixtures("_restore_logging")
def test_verbose_says_what_is_fetched(shared_data: Path, tmp_path: Path,
                                      replay: Replay) -> None:
    """--verbose must show each request (logging at INFO); without it, none is shown."""
    replay.pages[f"{RESGUIDE}/scact_veto_table_en.html"] = (
        shared_data / "un_org_dhl_html" / "scact_veto_table_en.html").read_bytes()
    env = {"TRACKER_UN_ORG_URL": replay.url, "TRACKER_REQUESTS_PER_SECOND": "0"}
    quiet = runner.invoke(app, ["sync", "--source", "veto-list"],
                          env={**env, "TRACKER_DATA_DIR": str(tmp_path / "quiet")})
    loud = runner.invoke(app, ["--verbose", "sync", "--source", "veto-list"],
                         env={**env, "TRACKER_DATA_DIR": str(tmp_path / "loud")})
    page = f"{replay.url}{RESGUIDE}/scact_veto_table_en.html"
    assert quiet.exit_code == 0 and page not in quiet.stderr
    assert loud.exit_code == 0, loud.output
    assert f"INFO httpx: HTTP Request: GET {page} \"HTTP/1.0 200 OK\"" in loud.stderr
    assert "INFO tracker: opening the database sqlite:///" in loud.stderr


# --- item 5: nothing silent, nothing surprising -----------------------------------------

# Every command that reports on what is stored, with the arguments it needs.
REPORTS: dict[str, list[str]] = {
    "vetoes": [], "check": [], "votes": ["S/2024/255"], "member": ["USA"], "agreement": [],
    "membership": ["--year", "2024"], "drafts": [], "sponsors": [], "draft": ["S/2024/255"],
    "mandates": [], "mandate": ["dprk-panel-of-experts"], "export": ["vetoes", "--out", "-"],
    "statements": ["S/PV.9591"], "feed": ["--out", "feed.xml"], "site": ["--out", "site"],
    "chart": ["vetoes", "--out", "vetoes.svg"],  # refused before anything is drawn
}
# commands that write to the database, read no record, or only describe it
WRITERS = {"sync", "rebuild", "import", "status", "doctor", "datasette-metadata"}


def test_every_report_is_tried_on_an_empty_database() -> None:
    """A new report command must be added to REPORTS."""
    assert set(COMMANDS) == set(REPORTS) | WRITERS


@pytest.mark.parametrize("state", ["none", "empty-file", "schema-only"])
@pytest.mark.parametrize("command", sorted(REPORTS))
def test_a_report_on_an_empty_database_says_nothing_is_stored_yet(
        tmp_path: Path, command: str, state: str) -> None:
    """Every report on a database that does not exist, is empty, or holds the schema and no
    record must say "nothing stored yet: run `tracker sync`" and exit 1: never an empty
    table, never a different message per command."""
    path = tmp_path / "tracker.sqlite"
    if state == "empty-file":
        path.touch()
    elif state == "schema-only":
        engine = make_engine(f"sqlite:///{path}")
        open_database(engine)
        engine.dispose()
    result = runner.invoke(app, [command, *REPORTS[command]],
                           env={"TRACKER_DATA_DIR": str(tmp_path / "data"),
                                "TRACKER_DATABASE_URL": f"sqlite:///{path}"})
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    first, hint = result.stderr.splitlines()
    assert first == ("error: nothing stored yet: run `tracker sync` (or `tracker import "
                     "undl-dataset FILE`)")
    why = {"none": f"no database at {path}", "empty-file": f"the database sqlite:///{path} is "
           "empty", "schema-only": f"the database sqlite:///{path} holds no meeting, vote or "
           "draft"}[state]
    assert hint == (f"hint: {why}; `--db URL` or TRACKER_DATABASE_URL picks another database")


def test_the_source_names_of_findings_are_the_registrys() -> None:
    """Every source's findings must be shown under the name `sync --source` takes."""
    from reports.findings import SOURCE_NAMES

    assert {r.kind.archive_name: name for name, r in REGISTRY.items()} == SOURCE_NAMES


@pytest.fixture
def meetings_2022(shared_data: Path, tmp_path: Path, replay: Replay) -> dict[str, str]:
    """A database synced from the real 2022 meetings table and the real Veto List."""
    tables = shared_data / "un_org_dhl_html"
    replay.pages[f"{RESGUIDE}/scact_veto_table_en.html"] = (
        tables / "scact_veto_table_en.html").read_bytes()
    replay.pages[f"{RESGUIDE}/scact2022_table_en.html"] = (
        tables / "scact_tables" / "scact2022_table_en.html").read_bytes()
    env = {"TRACKER_DATA_DIR": str(tmp_path / "data"), "TRACKER_UN_ORG_URL": replay.url,
           "TRACKER_REQUESTS_PER_SECOND": "0"}
    result = runner.invoke(app, ["sync", "--source", "meetings", "--source", "veto-list",
                                 "--since", "2022", "--until", "2022"], env=env)
    assert result.exit_code == 0, result.output
    return env


def test_check_takes_and_shows_the_registrys_source_names(meetings_2022: dict[str, str],
                                                          replay: Replay) -> None:
    """`check --source meetings` must find the meetings tables' findings (S/2022/431's
    impossible "vetoed ... 13-0-2" on the real 2022 page) and show them as "meetings"; the
    old name must find the same; an unknown name must be refused, not show nothing."""
    from reports.findings import SOURCE_NAMES

    result = runner.invoke(app, ["check", "--source", "meetings", "--format", "json"],
                           env=meetings_2022)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert {r["source"] for r in rows} == {"meetings"}
    assert {"severity": "error", "kind": "veto_without_negative_vote", "source": "meetings",
            "record": "S/PV.9048", "message": "draft S/2022/431 printed as vetoed by CHN, RUS "
            "with tally 13-0-2, which has no negative vote; tally not stored",
            "url": f"{replay.url}{RESGUIDE}/scact2022_table_en.html"} in rows
    old = runner.invoke(app, ["check", "--source", "dhl-meetings", "--format", "json"],
                        env=meetings_2022)
    assert json.loads(old.stdout) == rows
    every = json.loads(runner.invoke(app, ["check", "--format", "json"],
                                     env=meetings_2022).stdout)
    assert not {r["source"] for r in every} & set(SOURCE_NAMES)
    unknown = runner.invoke(app, ["check", "--source", "bogus"], env=meetings_2022)
    assert unknown.exit_code == 2  # a usage error (issue 14's review, item 5)
    assert unknown.output.startswith("error: --source: got 'bogus', expected a source "
                                     "findings come from: check, documents, ")


def test_sync_takes_the_old_source_names_too(meetings_2022: dict[str, str]) -> None:
    """`sync --source dhl-veto-list` (the name findings used) must sync the Veto List."""
    result = runner.invoke(app, ["sync", "--source", "dhl-veto-list", "--format", "json"],
                           env=meetings_2022)
    assert result.exit_code == 0, result.output
    assert [s["source"] for s in json.loads(result.stdout)] == ["veto-list", "mandates"]


def test_export_to_standard_output_and_never_into_a_missing_folder(
        imported: dict[str, str], tmp_path: Path) -> None:
    """--out - must write to standard output (no file named "-"); a missing folder must be
    refused, not made."""
    result = runner.invoke(app, ["export", "resolution", "--out", "-", "--format", "json"],
                           env=imported)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["symbol"] for r in rows] == [
        "S/RES/504 (1982)", "S/RES/511 (1982)", "S/RES/518 (1982)", "S/RES/528 (1982)",
        "S/RES/2644 (2022)", "S/RES/2659 (2022)", "S/RES/2805 (2025)"]
    assert not Path("-").exists()
    missing = tmp_path / "no" / "such" / "x.csv"
    refused = runner.invoke(app, ["export", "resolution", "--out", str(missing)], env=imported)
    assert refused.exit_code == 1
    assert refused.output == (f"error: cannot write {missing}: the folder {missing.parent} "
                              "does not exist; create it first, or give another file name\n")
    assert not (tmp_path / "no").exists()


BAD_DATASET = b"not,a,dataset\n1,2,3\n"


@pytest.mark.parametrize("refusal", ["not-the-dataset", "no-row-read"])
def test_a_refused_dataset_is_not_archived(shared_data: Path, tmp_path: Path,
                                           refusal: str) -> None:
    """A dataset file refused whole (not the dataset; the dataset's header with not one row
    readable) must not be kept in the raw archive."""
    bad = tmp_path / "bad.csv"
    if refusal == "not-the-dataset":
        bad.write_bytes(BAD_DATASET)
    else:  # the real header, and its rows with an undl_id that is not a number
        header, *rows = (shared_data / EXCERPT).read_text(encoding="utf-8-sig").splitlines()
        column = header.split(",").index("undl_id")
        assert column == 0
        bad.write_text("\n".join([header, *("x" + row[row.index(","):] for row in rows[:3])]))
    env = {"TRACKER_DATA_DIR": str(tmp_path / "data")}
    result = runner.invoke(app, ["import", "undl-dataset", str(bad)], env=env)
    assert result.exit_code == 1
    assert list(RawArchive(tmp_path / "data" / "raw").page_ids("undl-dataset")) == []


def test_rebuild_names_and_skips_a_refused_dataset_already_archived(
        imported: dict[str, str], tmp_path: Path) -> None:
    """A refused file an older version archived must be named and skipped by rebuild, which
    then swaps in the rebuilt database: it must not fail every rebuild."""
    RawArchive(tmp_path / "data" / "raw").save(
        "undl-dataset", "bad.csv", "file:///tmp/bad.csv", BAD_DATASET,
        dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    result = runner.invoke(app, ["rebuild", "--format", "json"], env=imported)
    assert result.exit_code == 0, result.output
    note = [line for line in result.stderr.splitlines() if "bad.csv" in line]
    assert len(note) == 1
    assert note[0].startswith("Note: skipped the archived dataset file bad.csv: it was "
                              "refused (undl-dataset: header: not the Library's voting "
                              "dataset: missing columns ['agenda', ")
    assert note[0].endswith("nothing of it is stored (remove it from the archive to silence "
                            "this note)")
    rows = json.loads(runner.invoke(app, ["export", "resolution", "--out", "-", "--format",
                                          "json"], env=imported).stdout)
    assert len(rows) == 7
