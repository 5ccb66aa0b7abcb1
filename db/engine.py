"""Engines and the schema's migrations (SQLite by default, PostgreSQL for teams)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url

from council.errors import TrackerError

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlmodel import Session

MIGRATIONS = Path(__file__).parent / "migrations"
# Every migration's file is named after its revision: ``0007_trust_links.py`` is "0007".
MIGRATION_FILES = "[0-9][0-9][0-9][0-9]_*.py"
# PostgreSQL advisory lock keys (one per database): one sync or rebuild at a time, and
# one process at a time creating or upgrading the schema.
RUN_LOCK_KEY = 7_504_221_301
SCHEMA_LOCK_KEY = 7_504_221_302
# Where ``rebuild`` builds the new database before it is swapped in.
STAGING_SCHEMA = "tracker_rebuild"


class DatabaseLocked(TrackerError, RuntimeError):
    """Another process holds the database's run lock (a sync, rebuild or import)."""

    exit_code = 2


def sqlite_path(url: str) -> Path | None:
    """Return the file of a SQLite URL (None for other databases and in-memory SQLite)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or \
            parsed.database == ":memory:":
        return None
    database = parsed.database
    if parsed.query.get("uri") == "true" and database.startswith("file:"):
        database = database.removeprefix("file:").split("?", 1)[0]  # an SQLite URI filename
    return Path(database).expanduser()


def make_engine(url: str, *, create: bool = True, schema: str | None = None) -> Engine:
    """Create an engine for a SQLAlchemy URL; SQLite gets WAL, foreign keys and (with
    ``create``) its folder; on PostgreSQL, ``schema`` becomes the only schema searched."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_path(url)
        if create and path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 60})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    if schema is not None:
        return create_engine(url, pool_pre_ping=True,
                             connect_args={"options": f"-c search_path={schema}"})
    return create_engine(url, pool_pre_ping=True)


def describe(engine: Engine) -> str:
    """Return the engine's URL with its password masked, for messages."""
    return engine.url.render_as_string(hide_password=True)


def _sqlite_file(engine: Engine) -> Path | None:
    return sqlite_path(engine.url.render_as_string(hide_password=False))


def _lock_file(path: Path, suffix: str) -> Path:
    return path.with_name(f"{path.name}.{suffix}")


@contextmanager
def _advisory_lock(engine: Engine, key: int, *, wait: bool) -> Iterator[bool]:
    """Take a PostgreSQL advisory lock on a connection of its own (waiting for it, or
    trying once), hold it until the block ends, and say whether it is held."""
    connection = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    try:
        take = "pg_advisory_lock" if wait else "pg_try_advisory_lock"
        held = connection.execute(text(f"SELECT {take}(:key)"), {"key": key}).scalar()
        held = True if wait else bool(held)
        try:
            yield held
        finally:
            if held:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
    finally:
        connection.close()


@contextmanager
def run_lock(engine: Engine) -> Iterator[None]:
    """Hold the database's run lock for a sync, rebuild or import, or raise
    ``DatabaseLocked`` at once: a PostgreSQL advisory lock on a connection of its own,
    held until the block ends (the server frees it if the process dies); on SQLite, a
    lock file beside the database file (``tracker.sqlite.lock``)."""
    if engine.dialect.name == "postgresql":
        with _advisory_lock(engine, RUN_LOCK_KEY, wait=False) as held:
            if not held:
                raise DatabaseLocked(f"another sync or rebuild is running on the database "
                                     f"{describe(engine)} (it holds the tracker's PostgreSQL "
                                     "advisory lock); wait for it to finish")
            yield
        return
    path = _sqlite_file(engine)
    if path is None:  # in-memory SQLite: no other process can reach it
        yield
        return
    from filelock import FileLock, Timeout  # only writers take locks: reports start sooner

    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(_lock_file(path, "lock")))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise DatabaseLocked(f"another sync or rebuild is running on the database {path} "
                             f"(lock file {_lock_file(path, 'lock').name}); wait for it to "
                             "finish") from None
    try:
        yield
    finally:
        lock.release()


_schema_locks_held: dict[int, int] = {}
_schema_locks_guard = threading.Lock()


@contextmanager
def schema_lock(engine: Engine) -> Iterator[None]:
    """Wait for, then hold, the lock under which the schema is created, upgraded and seeded,
    so that two processes starting on one new database do not both create it. Re-entrant
    for the same engine."""
    with _schema_locks_guard:
        depth = _schema_locks_held.get(id(engine), 0)
        _schema_locks_held[id(engine)] = depth + 1
    try:
        if depth:
            yield
        elif engine.dialect.name == "postgresql":
            with _advisory_lock(engine, SCHEMA_LOCK_KEY, wait=True):
                yield
        elif (path := _sqlite_file(engine)) is not None:
            from filelock import FileLock

            path.parent.mkdir(parents=True, exist_ok=True)
            with FileLock(str(_lock_file(path, "schema.lock")), timeout=600):
                yield
        else:
            yield
    finally:
        with _schema_locks_guard:
            _schema_locks_held[id(engine)] -= 1
            if not _schema_locks_held[id(engine)]:
                del _schema_locks_held[id(engine)]


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    """Return the newest migration's revision, read from the migrations' file names (each
    file is named after its revision, which a test checks), without loading Alembic."""
    return max(path.name.split("_", 1)[0] for path in (MIGRATIONS / "versions").glob(
        MIGRATION_FILES))


def schema_revision(engine: Engine) -> str | None:
    """Return the revision the database's schema is stamped with (None for a database
    without the tracker's schema), in one query, without loading Alembic."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        revisions = connection.execute(text("SELECT version_num FROM alembic_version")
                                       ).scalars().all()
    return revisions[0] if len(revisions) == 1 else None


class SchemaTooNew(TrackerError):
    """The database was written by a newer tracker: its schema has a migration this one
    does not know, so neither reading nor writing it is safe."""

    def __init__(self, revision: str, head: str) -> None:
        super().__init__(f"the database's schema is at revision {revision}, newer than this "
                         f"tracker knows (its newest is {head})")
        self.hint = ("upgrade the tracker (pip install -U unsc-tracker), or point "
                     "TRACKER_DATABASE_URL at another database")


def upgrade(engine: Engine) -> None:
    """Create or upgrade the schema to the newest migration (one process at a time); a
    schema already at the newest migration is left alone without loading Alembic."""
    with schema_lock(engine):
        revision, head = schema_revision(engine), head_revision()
        if revision == head:
            return
        if revision is not None and revision not in known_revisions():
            raise SchemaTooNew(revision, head)
        _run_migrations(engine)


def known_revisions() -> set[str]:
    """Return the revisions of this tracker's migrations (from their file names)."""
    return {path.name.split("_", 1)[0] for path in (MIGRATIONS / "versions").glob(
        MIGRATION_FILES)}


def _run_migrations(engine: Engine) -> None:
    from alembic import command

    with engine.begin() as connection:
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


# --- rebuilding into a staging database, then swapping it in ------------------------------


def _tracker_tables() -> list[str]:
    from sqlmodel import SQLModel

    import db.models  # noqa: F401  (registers the tables)

    return [t.name for t in SQLModel.metadata.sorted_tables]


def _remove_sqlite_files(path: Path) -> None:
    for leftover in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal",
                                                                    ".schema.lock"))):
        leftover.unlink(missing_ok=True)


def staging_engine(engine: Engine) -> Engine | None:
    """Return an empty database beside the engine's, to build a new database in: a file
    ``tracker.sqlite.rebuild`` next to a SQLite file, a schema ``tracker_rebuild`` on
    PostgreSQL (what a killed rebuild left there is removed first). None for in-memory
    SQLite, which has nothing to protect."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {STAGING_SCHEMA} CASCADE"))
            connection.execute(text(f"CREATE SCHEMA {STAGING_SCHEMA}"))
        return make_engine(engine.url.render_as_string(hide_password=False),
                           schema=STAGING_SCHEMA)
    path = _sqlite_file(engine)
    if path is None:
        return None
    staged = _lock_file(path, "rebuild")
    _remove_sqlite_files(staged)
    return make_engine(f"sqlite:///{staged}")


def holds_data(engine: Engine) -> bool:
    """Whether the database holds any record of the Council (meetings, resolutions, votes):
    a new, emptied or unreadable database has nothing a rebuild could lose."""
    from sqlalchemy import inspect

    try:
        with engine.connect() as connection:
            names = set(inspect(connection).get_table_names())
            return any(connection.execute(text(f'SELECT 1 FROM "{table}" LIMIT 1')).first()
                       for table in ("meeting", "resolution", "vote_event") if table in names)
    except Exception:  # damaged or unreachable: the rebuild is what repairs it
        return False


def discard_staging(staged: Engine) -> None:
    """Remove a staging database that is not to be swapped in."""
    staged.dispose()
    if staged.dialect.name == "postgresql":
        with staged.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {STAGING_SCHEMA} CASCADE"))
        staged.dispose()
        return
    path = _sqlite_file(staged)
    if path is not None:
        _remove_sqlite_files(path)


def swap_in(engine: Engine, staged: Engine) -> None:
    """Replace the tracker's tables in the engine's database with the staged ones, in one
    transaction: a reader sees the old database or the new one, never a part of either.

    On PostgreSQL the old tables are dropped and the staged ones moved into their schema;
    on SQLite the staged file is copied in with SQLite's backup API, which writes the
    whole copy in one transaction of the live file (a rename would leave readers and the
    write-ahead log of the old file behind)."""
    staged.dispose()
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            live = connection.execute(text("SELECT current_schema()")).scalar_one()
            for table in ("alembic_version", *reversed(_tracker_tables())):
                connection.execute(text(f'DROP TABLE IF EXISTS "{live}"."{table}" CASCADE'))
            moved = connection.execute(text(
                "SELECT tablename FROM pg_tables WHERE schemaname = :schema"),
                {"schema": STAGING_SCHEMA}).scalars().all()
            for table in moved:
                connection.execute(text(
                    f'ALTER TABLE "{STAGING_SCHEMA}"."{table}" SET SCHEMA "{live}"'))
            connection.execute(text(f"DROP SCHEMA {STAGING_SCHEMA} CASCADE"))
        engine.dispose()
        return
    source_path, target_path = _sqlite_file(staged), _sqlite_file(engine)
    assert source_path is not None and target_path is not None
    engine.dispose()
    source = sqlite3.connect(source_path)
    target = sqlite3.connect(target_path, timeout=60)
    try:
        source.backup(target)  # all pages in one step: one write transaction on the target
    finally:
        target.close()
        source.close()
    _remove_sqlite_files(source_path)


def drop_schema(engine: Engine) -> None:
    """Drop the tracker's tables and its migration stamp (for rebuild and benchmarks)."""
    from sqlmodel import SQLModel

    import db.models  # noqa: F401  (registers the tables)

    SQLModel.metadata.drop_all(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")


def is_initialised(engine: Engine) -> bool:
    return inspect(engine).has_table("alembic_version")


def is_current(engine: Engine) -> bool:
    """Return whether the schema is at the newest migration."""
    return schema_revision(engine) == head_revision()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """Open a session in one transaction: committed on success, rolled back on error."""
    from sqlmodel import Session

    with Session(engine) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
