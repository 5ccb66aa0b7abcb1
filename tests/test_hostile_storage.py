"""Hostile storage (issue 12, classes 2, 5 and 8): a rebuild killed or failing part-way, two
users syncing into one database, damaged files, a full disk, a read-only folder, hostile
export paths and out-of-range numbers. Each must end in the old data or the new, never a
half database, and in a message, never a traceback."""

from __future__ import annotations

import errno
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session
from typer.testing import CliRunner

from db.models import Meeting, Member
from reports.vetoes import vetoes
from tests.conftest import Replay
from tests.test_sync import RESGUIDE, run, serve_fixtures, snapshot
from tracker.cli import app
from tracker.settings import Settings
from tracker.sync import SyncLocked, rebuild, sync

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent
BY_MEMBER = {"SUN": 4, "USA": 3, "FRA": 3, "GBR": 2, "RUS": 2, "CHN": 1}


def by_member(engine: Engine) -> dict[str, int]:
    return vetoes(engine, by="member").set_index("member_code")["vetoes"].to_dict()


def python(code: str, *args: str, **kwargs) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    return subprocess.Popen([sys.executable, "-c", code, *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


# --- class 2: rebuild never leaves a half database ----------------------------------------

STALLED_REBUILD = """
import sys, time
from db.engine import make_engine
from tracker.settings import Settings
from tracker.sync import rebuild

class Stall:
    seen = 0
    def start(self, total): pass
    def advance(self, label):
        self.seen += 1
        if self.seen == 3:  # three pages stored, the rest to come
            print("midway", flush=True)
            time.sleep(120)

rebuild(make_engine(sys.argv[1]), Settings(data_dir=sys.argv[2]), reporter=Stall())
"""


def test_a_rebuild_killed_midway_leaves_the_old_database(
        engine: Engine, database_url: str, served: Settings) -> None:
    """A report run while a rebuild is half done must see the old data, and a SIGKILL then
    must leave the old database whole; the next rebuild must complete."""
    assert run(engine, served).ok
    before = snapshot(engine)
    process = python(STALLED_REBUILD, database_url, str(served.data_dir))
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "midway", process.stderr
        assert by_member(engine) == BY_MEMBER  # a reader meanwhile sees the old data
        assert snapshot(engine) == before
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    finally:
        if process.poll() is None:
            process.kill()
    engine.dispose()
    assert snapshot(engine) == before
    for _ in range(50):  # PostgreSQL frees the killed process's lock when it notices
        try:
            summary = rebuild(engine, served)
            break
        except SyncLocked:
            time.sleep(0.1)
    assert summary.ok
    assert snapshot(engine) == before and by_member(engine) == BY_MEMBER
    assert not list(served.data_dir.glob("*.rebuild*"))


def test_a_rebuild_with_a_failing_page_keeps_the_old_database(
        engine: Engine, served: Settings) -> None:
    """A page that fails in a rebuild must leave the old database as it was (not the other
    pages without it), name the page, and say the database was kept."""
    assert run(engine, served).ok
    before = snapshot(engine)
    (served.raw_dir / "dhl-meetings" / "2022.body").write_bytes(b"<html>bit rot</html>")
    summary = rebuild(engine, served)
    assert not summary.ok
    assert summary.sources["meetings"].pages_failed == ["2022"]
    assert summary.notes == ["the database was left as it was: a rebuild is swapped in only "
                             "when every archived page was read and stored (rows or records a "
                             "parser refuses do not count), and these were not: 2022; "
                             "`tracker sync --full` fetches them again"]
    assert snapshot(engine) == before
    assert not list(served.data_dir.glob("*.rebuild*"))


def test_a_rebuild_into_an_empty_database_swaps_in_despite_a_failed_page(
        engine: Engine, served: Settings, tmp_path: Path) -> None:
    """The recovery for a damaged database (move it away, then rebuild) must give a database
    even when an archived page cannot be read: an empty one has nothing to lose."""
    from db.engine import make_engine

    assert run(engine, served).ok
    (served.raw_dir / "dhl-meetings" / "2022.body").write_bytes(b"<html>bit rot</html>")
    fresh = make_engine(f"sqlite:///{tmp_path / 'fresh.sqlite'}")
    summary = rebuild(fresh, served)
    assert not summary.ok and summary.sources["meetings"].pages_failed == ["2022"]
    assert summary.notes == []
    with Session(fresh) as session:
        years = set(session.execute(select(Meeting.date)).scalars())
    fresh.dispose()
    assert {d.year for d in years} >= {1946, 2024}


def test_a_rebuild_swaps_in_when_only_rows_were_refused(
        sqlite_engine: Engine, replay: Replay, settings: Settings) -> None:
    """A page with one unreadable row is archived whole and its other rows stored; a rebuild
    must store the same and be swapped in (the row is named, exit 1), not be refused for
    ever because of a row that the UN's page will always have."""
    import datetime as dt

    from tests.test_hostile_parse import MEETINGS_2024, quiet_client

    replay.pages[f"{RESGUIDE}/scact2024_table_en.htm"] = MEETINGS_2024
    settings = settings.model_copy(update={"un_org_url": replay.url})
    synced = sync(sqlite_engine, settings, sources=["meetings"], since=2024,
                  client=quiet_client(), today=dt.date(2024, 6, 1))
    assert synced.sources["meetings"].records_refused and not synced.ok
    before = snapshot(sqlite_engine)
    with sqlite_engine.begin() as connection:  # what a rebuild must put right
        connection.execute(Meeting.__table__.update().values(  # type: ignore[attr-defined]
            topic="tampered"))
    summary = rebuild(sqlite_engine, settings)
    assert not summary.ok and summary.notes == []
    assert summary.sources["meetings"].pages_failed == []
    assert summary.sources["meetings"].records_refused == (
        synced.sources["meetings"].records_refused)
    assert snapshot(sqlite_engine) == before


def test_a_rebuild_that_raises_keeps_the_old_database(
        engine: Engine, served: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """An error part-way (here a full disk while the voting records are replayed) must leave
    the old database untouched."""
    assert run(engine, served).ok
    before = snapshot(engine)

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("tracker.sync._replay_records", full)
    with pytest.raises(OSError, match="No space"):
        rebuild(engine, served)
    assert snapshot(engine) == before


# --- class 5: two syncs on one database -----------------------------------------------------

CLI = "import sys; from tracker.cli import app; sys.argv[0] = 'tracker'; app()"


def cli_env(database_url: str, data_dir: Path, url: str) -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")},
            "TRACKER_DATABASE_URL": database_url, "TRACKER_DATA_DIR": str(data_dir),
            "TRACKER_UN_ORG_URL": url, "TRACKER_UNDL_URL": url, "TRACKER_PRESS_URL": url,
            "TRACKER_DOCS_URL": url,
            "TRACKER_REQUESTS_PER_SECOND": "0", "TRACKER_MAX_ATTEMPTS": "1"}


def test_two_users_syncing_into_one_database_take_turns(
        database_url: str, replay: Replay, tmp_path: Path) -> None:
    """Two users, each with a data folder of their own, sync into one database: the second
    must be refused with exit 2 while the first runs, and the first must complete."""
    serve_fixtures(replay)
    page = f"{RESGUIDE}/scact_veto_table_en.html"
    good = replay.pages[page]
    assert isinstance(good, bytes)
    reached, release = threading.Event(), threading.Event()

    def stall(handler) -> None:
        reached.set()
        release.wait(30)
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(good)))
        handler.end_headers()
        handler.wfile.write(good)

    replay.pages[page] = stall
    first = subprocess.Popen([sys.executable, "-c", CLI, "sync", "--source", "veto-list"],
                             cwd=ROOT, env=cli_env(database_url, tmp_path / "ana", replay.url),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert reached.wait(60), "the first sync never asked for the Veto List"
        second = subprocess.run([sys.executable, "-c", CLI, "sync", "--source", "veto-list"],
                                cwd=ROOT, env=cli_env(database_url, tmp_path / "ben",
                                                      replay.url),
                                capture_output=True, text=True, timeout=60)
    finally:
        release.set()
        _, err = first.communicate(timeout=120)
    assert second.returncode == 2, second.stderr
    assert "another sync or rebuild is running on the database" in second.stderr
    assert "Traceback" not in second.stderr
    assert first.returncode == 0, err


RACE = """
import sys, time
from db.engine import make_engine
from tracker.sync import open_database
start = float(sys.argv[2])
time.sleep(max(0.0, start - time.time()))
open_database(make_engine(sys.argv[1]))
"""


def test_two_processes_creating_one_schema_both_succeed(
        engine: Engine, database_url: str) -> None:
    """Processes opening one new database at the same instant must all end with one schema
    and one set of members, none with 'table already exists' or a UNIQUE failure."""
    start = str(time.time() + 2)
    processes = [python(RACE, database_url, start) for _ in range(4)]
    errors = [p.communicate(timeout=120)[1] for p in processes]
    assert [p.returncode for p in processes] == [0, 0, 0, 0], errors
    with Session(engine) as session:
        members = session.execute(select(func.count()).select_from(Member)).scalar_one()
    from council.members import known_members

    assert members == len(known_members())


# --- class 8: storage faults end in a message -------------------------------------------------


@pytest.fixture
def env(tmp_path: Path, replay: Replay) -> dict[str, str]:
    serve_fixtures(replay)
    return {"TRACKER_DATA_DIR": str(tmp_path / "data"), "TRACKER_UN_ORG_URL": replay.url,
            "TRACKER_UNDL_URL": replay.url, "TRACKER_PRESS_URL": replay.url,
            "TRACKER_DOCS_URL": replay.url,
            "TRACKER_REQUESTS_PER_SECOND": "0",
            "TRACKER_MAX_ATTEMPTS": "1"}


def invoke(env: dict[str, str], *args: str):
    return runner.invoke(app, list(args), env=env)


def no_traceback(result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)


def checkpointed(path: Path) -> None:
    """Fold the write-ahead log into the file, so the file alone holds the data."""
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()


def test_a_truncated_database_is_a_message(env: dict[str, str], tmp_path: Path) -> None:
    """A database file cut short must give one message naming it and the way back
    (move it away, `tracker rebuild`), exit 1."""
    assert invoke(env, "sync", "--until", "2024").exit_code == 0
    path = tmp_path / "data" / "tracker.sqlite"
    checkpointed(path)
    with path.open("r+b") as file:
        file.truncate(path.stat().st_size // 3)
    result = invoke(env, "vetoes", "--by", "member")
    no_traceback(result)
    assert result.exit_code == 1
    assert result.output.startswith(f"error: the database {path}: ")
    assert f"mv {path} {path}.damaged" in result.output and "`tracker rebuild`" in result.output


def test_a_truncated_record_archive_is_a_message(env: dict[str, str], tmp_path: Path) -> None:
    """A record archive cut short must give a message naming the file and how to fetch its
    records again; the rebuild it stopped must leave the database as it was."""
    assert invoke(env, "sync", "--until", "2024").exit_code == 0
    before = invoke(env, "vetoes", "--by", "member", "--format", "json").stdout
    archive = tmp_path / "data" / "raw" / "undl-votes.sqlite"
    archive.write_bytes(archive.read_bytes()[:1000])
    result = invoke(env, "rebuild")
    no_traceback(result)
    assert result.exit_code == 1
    assert f"error: the record archive {archive}: " in result.output
    assert f"mv {archive} {archive}.damaged" in result.output
    assert "`tracker sync --source voting-records --full`" in result.output
    assert invoke(env, "vetoes", "--by", "member", "--format", "json").stdout == before


@pytest.mark.parametrize(("code", "failing", "said"), [
    (errno.ENOSPC, "data/raw/dhl-veto-list/veto-list.body",
     "No space left on device; the disk is full: free some space"),
    (errno.EROFS, "data/raw", "Read-only file system; it cannot be written"),
])
def test_a_full_disk_or_a_read_only_folder_is_a_message(
        env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        code: int, failing: str, said: str) -> None:
    """ENOSPC (a full disk) or EROFS (a data folder that cannot be written) while the raw
    archive is written must say what failed and what to do, in one line, and exit 1."""
    target = tmp_path / failing

    def fault(*args: object, **kwargs: object) -> None:
        raise OSError(code, os.strerror(code), str(target))

    monkeypatch.setattr("scrapers.archive.RawArchive.save", fault)
    result = invoke(env, "sync", "--source", "veto-list")
    no_traceback(result)
    assert result.exit_code == 1
    # Piped, the sync first says what it fetches (issue 14); then the one message.
    assert result.output.removeprefix("veto-list: fetching 1 page…\n").startswith(
        f"error: {target}: {said}")
    if code == errno.EROFS:
        assert "TRACKER_DATA_DIR" in result.output


def test_a_read_only_database_is_a_message(env: dict[str, str], tmp_path: Path) -> None:
    """A database SQLite may only read must give a message, not a traceback, exit 1."""
    assert invoke(env, "sync", "--source", "veto-list").exit_code == 0
    path = tmp_path / "data" / "tracker.sqlite"
    read_only = {**env, "TRACKER_DATABASE_URL": f"sqlite:///file:{path}?mode=ro&uri=true"}
    result = invoke(read_only, "sync", "--source", "veto-list", "--full")
    no_traceback(result)
    assert result.exit_code == 1
    assert "readonly database; it cannot be written" in result.output


def test_export_overwrite_cut_short_keeps_the_old_file(
        env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`export --overwrite` cut short by a full disk must leave the old file whole and no
    temporary file behind."""
    assert invoke(env, "sync", "--source", "veto-list").exit_code == 0
    out = tmp_path / "vetoes.csv"
    out.write_text("the export of yesterday\n")

    def half_then_full(self: pd.DataFrame, path: object, **kwargs: object) -> None:
        Path(str(path)).write_text("date,dra")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", half_then_full)
    result = invoke(env, "export", "vetoes", "--out", str(out), "--overwrite")
    no_traceback(result)
    assert result.exit_code == 1 and "No space left on device" in result.output
    assert out.read_text() == "the export of yesterday\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "vetoes.csv"]


def test_export_overwrite_replaces_the_file(env: dict[str, str], tmp_path: Path) -> None:
    assert invoke(env, "sync", "--source", "veto-list").exit_code == 0
    out = tmp_path / "vetoes.csv"
    out.write_text("old\n")
    assert invoke(env, "export", "vetoes", "--out", str(out), "--overwrite").exit_code == 0
    assert out.read_text().startswith("date,")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "vetoes.csv"]


def test_export_refuses_a_dangling_symlink(env: dict[str, str], tmp_path: Path) -> None:
    """A symbolic link whose target does not exist must not be followed."""
    assert invoke(env, "sync", "--source", "veto-list").exit_code == 0
    elsewhere = tmp_path / "elsewhere" / "planted.csv"
    elsewhere.parent.mkdir()
    out = tmp_path / "vetoes.csv"
    out.symlink_to(elsewhere)
    result = invoke(env, "export", "vetoes", "--out", str(out))
    no_traceback(result)
    assert result.exit_code == 1
    assert f"{out} is a symbolic link to {elsewhere}, which does not exist" in result.output
    assert not elsewhere.exists()


@pytest.mark.parametrize("args", [
    ("sync", "--since", "99999"), ("sync", "--until", "0"), ("membership", "--year", "0"),
    ("agreement", "--min-shared", "-1"), ("mandates", "--expiring-within", "-5"),
])
def test_out_of_range_numbers_are_usage_errors(env: dict[str, str], args: tuple[str, ...]
                                               ) -> None:
    result = invoke(env, *args)
    no_traceback(result)
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"error: {args[1]}: got ")  # one line (issue 14's review)


def test_year_zero_as_a_date_is_a_message(env: dict[str, str]) -> None:
    assert invoke(env, "sync", "--source", "veto-list").exit_code == 0
    result = invoke(env, "vetoes", "--since", "0000")
    no_traceback(result)
    assert result.exit_code == 2 and "--since: got '0000', expected a date" in result.output


@pytest.fixture
def served(replay: Replay, settings: Settings) -> Settings:
    serve_fixtures(replay)
    return settings.model_copy(update={"un_org_url": replay.url, "undl_url": replay.url,
                                       "press_url": replay.url, "docs_url": replay.url})


def test_meetings_survive_in_the_old_database(engine: Engine, served: Settings) -> None:
    """The kept database is the whole old one: its meetings are all there."""
    assert run(engine, served).ok
    with Session(engine) as session:
        meetings = session.execute(select(func.count()).select_from(Meeting)).scalar_one()
    (served.raw_dir / "dhl-meetings" / "2024.body").write_bytes(b"<html>bit rot</html>")
    assert not rebuild(engine, served).ok
    with Session(engine) as session:
        assert session.execute(select(func.count()).select_from(Meeting)).scalar_one() \
            == meetings


def test_a_busy_database_is_not_called_damaged() -> None:
    """A database another process holds (locked) must not be reported as damaged with advice
    to move it away; a lost PostgreSQL connection is a message too, not a traceback."""
    import psycopg
    from sqlalchemy.exc import OperationalError

    from tracker.cli import _state, _storage_fault

    _state.clear()  # no settings of an earlier command in this process
    locked = _storage_fault(OperationalError("INSERT", {}, sqlite3.OperationalError(
        "database is locked")))
    assert locked is not None and "another process holds it" in locked
    assert "mv " not in locked
    malformed = _storage_fault(OperationalError("SELECT", {}, sqlite3.DatabaseError(
        "database disk image is malformed")))
    assert malformed is not None and "damaged" in malformed and "mv " in malformed
    lost = _storage_fault(OperationalError("SELECT", {}, psycopg.OperationalError(
        "server closed the connection unexpectedly")))
    assert lost is not None and "the connection failed or was lost" in lost
