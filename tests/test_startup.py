"""Start-up: a report on a database whose schema is current loads no migration machinery."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from db.engine import (
    MIGRATIONS,
    alembic_config,
    head_revision,
    is_current,
    make_engine,
    schema_revision,
    session_scope,
    upgrade,
)
from tests.conftest import sync_small_fixtures

ROOT = Path(__file__).resolve().parent.parent


def test_the_head_revision_is_read_from_the_migrations_file_names(engine: Engine) -> None:
    """Every migration must be named after its revision (``0007_trust_links.py`` is "0007"),
    so that the newest one, read from the file names, is Alembic's head: a new migration
    named otherwise, or a second head, fails here."""
    for path in sorted((MIGRATIONS / "versions").glob("*.py")):
        revision = re.search(r"^revision: str = '(\w+)'", path.read_text(), re.M)
        assert revision is not None, path.name
        assert path.name.startswith(f"{revision[1]}_"), path.name
    script = ScriptDirectory.from_config(alembic_config(engine))
    assert head_revision() == script.get_current_head()


def test_schema_revision_reads_the_stamp(engine: Engine) -> None:
    """The database's revision must be read in one query: None before the schema exists,
    the head after an upgrade, and an older stamp must count as not current."""
    assert schema_revision(engine) is None
    upgrade(engine)
    assert schema_revision(engine) == head_revision()
    assert is_current(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0006'"))
    assert schema_revision(engine) == "0006"
    assert not is_current(engine)


# Runs a command in a fresh interpreter and prints the project's heavy packages it loaded.
LOADED = """
import sys
from tracker.cli import main
sys.argv = ["tracker", *sys.argv[1:]]
code = 0
try:
    main()
except SystemExit as exc:
    code = exc.code or 0
heavy = ("alembic", "filelock", "sqlmodel", "pandas")
print("\\nLOADED", sorted(m for m in heavy if m in sys.modules), "EXIT", code)
"""


def _loaded(*args: str) -> str:
    done = subprocess.run([sys.executable, "-c", LOADED, *args], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    return done.stdout.strip().splitlines()[-1]


def test_a_report_on_a_current_schema_loads_no_migration_machinery(tmp_path: Path) -> None:
    """A report on a database at the newest migration must not import Alembic (about a
    tenth of a second of every command's start-up) nor the lock files only writers take;
    an upgrade of an older schema still runs the migrations, under the schema's lock."""
    url = f"sqlite:///{tmp_path / 'tracker.sqlite'}"
    engine = make_engine(url)
    upgrade(engine)
    with engine.begin() as connection:  # one record: a report on an empty one says so
        connection.execute(text("INSERT INTO meeting (record, written_procedure) "
                                "VALUES ('S/PV.9591', 0)"))
    assert _loaded("--db", url, "vetoes", "--format", "csv") == "LOADED ['pandas'] EXIT 0"
    assert _loaded("--db", url, "status", "--format", "json") == "LOADED ['pandas'] EXIT 0"
    older = make_engine(f"sqlite:///{tmp_path / 'older.sqlite'}")
    with older.begin() as connection:
        config = alembic_config(older)
        config.attributes["connection"] = connection
        command.upgrade(config, "0006")
        connection.execute(text("INSERT INTO meeting (record, written_procedure) "
                                "VALUES ('S/PV.9591', 0)"))
    assert _loaded("--db", str(older.url), "vetoes", "--format", "csv") == (
        "LOADED ['alembic', 'filelock', 'pandas', 'sqlmodel'] EXIT 0")
    assert schema_revision(older) == head_revision()


def test_a_database_written_by_a_newer_tracker_must_be_refused_plainly(tmp_path: Path) -> None:
    """A schema stamped with a migration this tracker does not know: one message saying so
    and what to do, exit 1, no traceback, nothing changed."""
    database = tmp_path / "newer.sqlite"
    engine = make_engine(f"sqlite:///{database}")
    upgrade(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    done = subprocess.run([sys.executable, "-m", "tracker", "--db", f"sqlite:///{database}",
                           "status"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert ("error: the database's schema is at revision 9999, newer than this tracker knows "
            f"(its newest is {head_revision()})") in done.stderr
    assert "hint: upgrade the tracker" in done.stderr
    assert schema_revision(make_engine(f"sqlite:///{database}")) == "9999"


# --- what a report loads (issue 14, "Start-up") ------------------------------------------

# Runs one command in a fresh interpreter, as `tracker` does, and prints what it loaded of
# the project, which of the heavy packages it must do without, and the collector's state.
PROBE = """
import gc, json, sys
from tracker.cli import main
sys.argv = ["tracker", *sys.argv[1:]]
code = 0
try:
    main()
except SystemExit as exc:
    code = exc.code or 0
unused = ("alembic", "rich", "typer.rich_utils", "sqlmodel", "sqlalchemy.orm", "filelock",
          "db.models", "db.upsert", "tracker.sync", "scrapers", "httpx", "lxml", "matplotlib")
print("\\nPROBE", json.dumps({
    "reports": sorted(m for m in sys.modules if m.split(".")[0] == "reports"),
    "unused_loaded": sorted(m for m in unused if m in sys.modules),
    "collector": [gc.isenabled(), gc.get_freeze_count() > 0], "exit": code}))
"""

# Each report command, and the report modules it needs: its own and those it calls.
REPORT_MODULES = {
    ("vetoes",): ["formats", "outcomes", "vetoes"],
    ("vetoes", "--by", "member"): ["outcomes", "vetoes"],
    ("votes", "S/RES/2627 (2022)"): ["formats", "names", "outcomes", "profiles", "rollcalls",
                                     "vetoes"],
    ("member", "USA"): ["formats", "names", "outcomes", "profiles", "rollcalls", "vetoes"],
    ("mandates",): ["mandates", "names", "outcomes", "vetoes"],
    ("status",): ["formats", "status"],
    ("check",): ["check", "findings", "outcomes", "vetoes"],
    ("agreement",): ["agreement", "outcomes", "vetoes"],
    ("drafts",): ["drafts", "formats", "names", "outcomes", "rollcalls", "vetoes"],
}


@pytest.fixture(scope="module")
def small_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A database synced from the small pages and records of tests/fixtures (once)."""
    engine, env = sync_small_fixtures(tmp_path_factory.mktemp("startup"))
    yield env
    engine.dispose()


def _probe(env: dict[str, str], *args: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=ROOT, capture_output=True,
                          text=True, check=True, env={**os.environ, **env})
    result: dict[str, Any] = json.loads(done.stdout.rsplit("PROBE ", 1)[1])
    return result


@pytest.mark.parametrize("command", list(REPORT_MODULES), ids=" ".join)
def test_a_report_must_load_only_what_it_uses(small_database: dict[str, str],
                                              command: tuple[str, ...]) -> None:
    """A report must read through the Core tables generated from the models (no sqlmodel,
    pydantic models or ORM: about 0.1 s), load no rich (typer's help and progress bars), no
    Alembic, no sync machinery, no plotting library (only `tracker chart` draws) and no
    report module it does not call; and Python's collector
    must not have walked the imports (paused while they load, then set aside by
    ``gc.freeze``), yet collect again for the command's own work."""
    loaded = _probe(small_database, *command)
    assert loaded == {"reports": ["reports", *(f"reports.{m}" for m in REPORT_MODULES[command])],
                      "unused_loaded": [], "collector": [True, True], "exit": 0}


def test_a_report_error_must_load_no_sync_machinery(small_database: dict[str, str]) -> None:
    """A report's error (an unknown member) must be told without loading the sync
    machinery (httpx, lxml, rich's progress bars), which only a sync's faults come from."""
    loaded = _probe(small_database, "member", "Atlantis")
    assert loaded == {"reports": ["reports", *(f"reports.{m}" for m in [
        "formats", "names", "outcomes", "profiles", "rollcalls", "vetoes"])],
        "unused_loaded": [], "collector": [True, True], "exit": 1}


def test_help_is_still_drawn_by_rich_and_honours_no_color() -> None:
    """Help (typer's rich layer, now loaded only to draw help) must keep its layout and
    carry no escape sequence when NO_COLOR is set; and a command that ends before opening
    the database must leave the collector running, nothing set aside."""
    done = subprocess.run([sys.executable, "-c", PROBE, "vetoes", "--help"], cwd=ROOT,
                          capture_output=True, text=True, check=True,
                          env={**os.environ, "NO_COLOR": "1", "COLUMNS": "100"})
    assert "\x1b" not in done.stdout
    assert "Usage: tracker vetoes [OPTIONS]" in done.stdout
    probed = json.loads(done.stdout.rsplit("PROBE ", 1)[1])
    assert "typer.rich_utils" in probed["unused_loaded"]
    # A command that ends before it opens the database gives the collector back as it was.
    assert probed["collector"] == [True, False]


def test_the_core_tables_are_generated_from_the_models() -> None:
    """``db/tables.py`` must be what ``python -m db.generate_tables`` writes from the models
    as they are now: run it after changing a model."""
    from db.generate_tables import TABLES_FILE, models_source

    assert TABLES_FILE.read_text(encoding="utf-8") == models_source(), (
        "db/tables.py is out of date: run `python -m db.generate_tables`")


def test_the_core_tables_equal_the_models_tables(tmp_path: Path) -> None:
    """The generated tables must be the models' tables: the same tables and columns in the
    same order, the same DDL (columns, types, keys, constraints, indexes) on SQLite and
    PostgreSQL, the same column types and defaults; and a row written through the models
    must read back the same through either (aware datetimes in UTC, dates, booleans)."""
    import datetime as dt

    from sqlalchemy import select
    from sqlalchemy.dialects import postgresql, sqlite
    from sqlalchemy.schema import CreateIndex, CreateTable
    from sqlmodel import SQLModel

    from db import tables
    from db.models import SyncRun

    models = SQLModel.metadata
    assert list(tables.metadata.tables) == list(models.tables)
    for name, model_table in models.tables.items():
        table = tables.metadata.tables[name]
        assert [c.name for c in table.columns] == [c.name for c in model_table.columns]
        for column, model_column in zip(table.columns, model_table.columns, strict=True):
            assert type(column.type).__name__ == type(model_column.type).__name__, column
            assert repr(column.type) == repr(model_column.type), column
            assert (column.default.arg if column.default is not None else None) == (
                model_column.default.arg if model_column.default is not None else None)
        for dialect in (sqlite.dialect(), postgresql.dialect()):
            assert str(CreateTable(table).compile(dialect=dialect)) == str(
                CreateTable(model_table).compile(dialect=dialect)), name
            assert sorted(str(CreateIndex(i).compile(dialect=dialect)) for i in table.indexes
                          ) == sorted(str(CreateIndex(i).compile(dialect=dialect))
                                      for i in model_table.indexes), name
    engine = make_engine(f"sqlite:///{tmp_path / 'tracker.sqlite'}")
    upgrade(engine)
    started = dt.datetime(2024, 6, 1, 12, 30, tzinfo=dt.UTC)
    with session_scope(engine) as session:
        session.add(SyncRun(source="veto-list", started_at=started, ok=True))
    with engine.connect() as connection:
        core = connection.execute(select(tables.sync_run)).one()._asdict()
        orm = connection.execute(select(SyncRun.__table__)).one()._asdict()  # type: ignore[attr-defined]
    assert core == orm
    assert core["started_at"] == started and core["started_at"].tzinfo is dt.UTC
    assert core["ok"] is True and core["rows_new"] == 0
