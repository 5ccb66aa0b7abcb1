"""Shared fixtures: settings in a temporary folder, databases, a local replay server."""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from db.engine import make_engine
from tracker.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture
def shared_data() -> Path:
    """The real UN pages and records in ../shared/data; skip when they are absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real UN data not found at {SHARED_DATA}")
    return SHARED_DATA


@dataclass
class Replay:
    """A local HTTP server answering from a dict of path -> body (or a callable for faults)."""

    url: str
    pages: dict[str, bytes | Callable[[BaseHTTPRequestHandler], None]]
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)


@pytest.fixture
def replay() -> Iterator[Replay]:
    with serve_replay() as state:
        yield state


@contextmanager
def serve_replay() -> Iterator[Replay]:
    """Run a local replay server until the block ends (``replay`` is one per test)."""
    pages: dict[str, bytes | Callable[[BaseHTTPRequestHandler], None]] = {}
    state = Replay("", pages)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests.append((self.path, dict(self.headers)))
            page = pages.get(self.path.split("?")[0])
            if page is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if callable(page):
                page(self)
                return
            etag = '"' + hashlib.sha256(page).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def _postgres_url() -> str | None:
    return os.environ.get("TRACKER_TEST_DATABASE_URL")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: SQLite in a temporary folder, and PostgreSQL when available."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tracker.sqlite'}"
        return
    url = _postgres_url()
    if not url:
        pytest.skip("TRACKER_TEST_DATABASE_URL is not set (bash .ci/run starts PostgreSQL)")
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    yield url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'tracker.sqlite'}")
    yield engine
    engine.dispose()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", un_org_url="http://127.0.0.1:9",
                    requests_per_second=0, max_attempts=2)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the developer's TRACKER_* settings out of the tests."""
    for name in list(os.environ):
        if name.startswith("TRACKER_") and name != "TRACKER_TEST_DATABASE_URL":
            monkeypatch.delenv(name)


@dataclass(frozen=True)
class FullHistory:
    """A SQLite database synced once per test run from the whole saved history of
    ../shared/data ("today" 2022-12-31), as benchmarks/bench_full.py makes it: read it, never
    write to it (the tests that use it share it)."""

    engine: Engine
    env: dict[str, str]  # TRACKER_DATABASE_URL and TRACKER_DATA_DIR, for the CLI


@pytest.fixture(scope="session")
def full_history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FullHistory]:
    import datetime as dt

    from tests.history_replay import serve_history
    from tracker.sync import sync

    if not SHARED_DATA.is_dir():
        pytest.skip(f"real UN data not found at {SHARED_DATA}")
    folder = tmp_path_factory.mktemp("full-history")
    url = f"sqlite:///{folder / 'tracker.sqlite'}"
    engine = make_engine(url)
    with serve_replay() as replay:
        serve_history(replay, SHARED_DATA)
        settings = Settings(data_dir=folder / "data", un_org_url=replay.url,
                            undl_url=replay.url, press_url=replay.url, docs_url=replay.url,
                            requests_per_second=0, max_attempts=1)
        summary = sync(engine, settings, today=dt.date(2022, 12, 31))
        assert summary.ok, summary.problems
    yield FullHistory(engine, {"TRACKER_DATABASE_URL": url,
                               "TRACKER_DATA_DIR": str(folder / "data")})
    engine.dispose()


def sync_small_fixtures(folder: Path) -> tuple[Engine, dict[str, str]]:
    """Sync a database in ``folder`` from the small pages and records of tests/fixtures
    (the Library's pages, the voting records, the document records), "today" 1 June 2024;
    return its engine and the CLI's environment for it."""
    import datetime as dt
    import re

    from tests.undl_replay import DigitalLibrary
    from tracker.sync import sync

    def field(body: bytes, tag: str) -> str:
        found = re.search(rb'tag="' + tag.encode() + rb'"[^>]*>\s*<subfield code="a">([^<]+)',
                          body)
        assert found is not None
        return found[1].decode()

    url = f"sqlite:///{folder / 'tracker.sqlite'}"
    with serve_replay() as replay:
        for path in (FIXTURES / "dhl").glob("*.htm*"):
            name = "scact_veto_table_en.html" if path.name == "veto_list.html" else path.name
            replay.pages[f"/depts/dhl/resguide/{name}"] = path.read_bytes()
        records = [(field(p.read_bytes(), "269"), p.name.split("_")[1], p.read_bytes())
                   for p in sorted((FIXTURES / "undl").glob("record_*.xml"))]
        documents = [(field(p.read_bytes(), "191"), p.name.split("_")[1], p.read_bytes())
                     for p in sorted((FIXTURES / "undl" / "documents").glob("document_*.xml"))]
        DigitalLibrary(records, documents).serve(replay)
        settings = Settings(data_dir=folder / "data", un_org_url=replay.url, undl_url=replay.url,
                            press_url=replay.url, docs_url=replay.url,
                            requests_per_second=0, max_attempts=1)
        engine = make_engine(url)
        summary = sync(engine, settings, today=dt.date(2024, 6, 1), until=2024)
        assert summary.ok, summary.problems
    return engine, {"TRACKER_DATA_DIR": str(folder / "data"), "TRACKER_DATABASE_URL": url}
