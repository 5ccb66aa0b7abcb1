"""Start-up: a report on a database whose schema is current loads no migration machinery."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

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
    upgrade,
)

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
