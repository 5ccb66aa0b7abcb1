"""Faults and hostile input: each ends in a retry or a clear error naming the URL, and
nothing partial or wrong is stored."""

from __future__ import annotations

import contextlib
import datetime as dt
import socket
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from typer.testing import CliRunner

from council.records import ParseError
from db.upsert import Counts
from scrapers.dhl.parse import parse_meetings_table, parse_veto_list
from scrapers.http import PoliteClient
from scrapers.undl.dataset import parse_dataset
from scrapers.undl.documents import parse_document_page
from scrapers.undl.parse import parse_record_xml, parse_search_page
from tests.conftest import FIXTURES, SHARED_DATA, Replay
from tests.test_sync import RESGUIDE, serve_fixtures, snapshot
from tracker.cli import app
from tracker.settings import Settings
from tracker.sync import sync

VETO_LIST = f"{RESGUIDE}/scact_veto_table_en.html"


def client() -> PoliteClient:
    return PoliteClient(requests_per_second=0, max_attempts=3, timeout=1.0,
                        sleep=lambda _: None)


def run(engine: Engine, settings: Settings) -> object:
    return sync(engine, settings, sources=["veto-list"], today=dt.date(2024, 6, 1),
                client=client())


@pytest.fixture
def served(replay: Replay, settings: Settings) -> Settings:
    serve_fixtures(replay)
    return settings.model_copy(update={"un_org_url": replay.url, "undl_url": replay.url,
                                       "press_url": replay.url, "docs_url": replay.url})


def _flaky(replay: Replay, path: str, faults: list) -> None:
    """Answer with each fault in turn, then with the real page."""
    good = replay.pages[path]
    assert isinstance(good, bytes)

    def answer(handler) -> None:
        if faults:
            faults.pop(0)(handler, good)
            return
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(good)))
        handler.end_headers()
        handler.wfile.write(good)

    replay.pages[path] = answer


def status(code: int, retry_after: str | None = None):
    def fault(handler, _good: bytes) -> None:
        handler.send_response(code)
        if retry_after is not None:
            handler.send_header("Retry-After", retry_after)
        handler.send_header("Content-Length", "0")
        handler.end_headers()
    return fault


def truncated(handler, good: bytes) -> None:
    handler.send_response(200)
    handler.send_header("Content-Length", str(len(good)))
    handler.end_headers()
    handler.wfile.write(good[: len(good) // 2])
    handler.wfile.flush()
    handler.connection.shutdown(socket.SHUT_RDWR)


def reset(handler, _good: bytes) -> None:
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00"
                                  b"\x00\x00\x00\x00")
    handler.connection.close()


def slow(handler, good: bytes) -> None:
    time.sleep(1.5)  # longer than the client's timeout
    handler.send_response(200)
    handler.send_header("Content-Length", str(len(good)))
    handler.end_headers()
    handler.wfile.write(good)


@pytest.mark.parametrize(
    "faults",
    [[status(503, "1")], [status(429, "2"), status(503)], [truncated], [reset], [slow]],
    ids=["503-retry-after", "429-then-503", "truncated-body", "connection-reset", "timeout"],
)
def test_transient_faults_are_retried(engine: Engine, served: Settings, replay: Replay,
                                      faults: list) -> None:
    _flaky(replay, VETO_LIST, faults)
    summary = run(engine, served)
    assert summary.ok, summary.problems
    # the fixture list's 41 vetoes, all stored despite the fault
    assert summary.sources["veto-list"].counts == Counts(new=41)


@pytest.mark.parametrize(
    ("faults", "message"),
    [([status(503)] * 3, "503"), ([truncated] * 3, "connection failed"),
     ([slow] * 3, "timed out")],
    ids=["503", "truncated", "timeout"],
)
def test_lasting_faults_fail_with_the_url_and_store_nothing(
        engine: Engine, served: Settings, replay: Replay, faults: list, message: str) -> None:
    _flaky(replay, VETO_LIST, list(faults))
    summary = run(engine, served)
    assert not summary.ok
    assert "scact_veto_table_en.htm" in summary.problems[0] and message in summary.problems[0]
    assert snapshot(engine)["veto"] == []


def test_oversized_response_is_refused(engine: Engine, served: Settings, replay: Replay) -> None:
    replay.pages[VETO_LIST] = b"<html>" + b"x" * 5000 + b"</html>"
    summary = sync(engine, served, sources=["veto-list"], today=dt.date(2024, 6, 1),
                   client=PoliteClient(requests_per_second=0, max_bytes=1000,
                                       sleep=lambda _: None))
    assert not summary.ok and "cap" in summary.problems[0]


def test_cli_filters_are_bound_parameters(served: Settings, tmp_path: Path,
                                          database_url: str) -> None:
    """Text from the command line reaches SQL only as a value, never as SQL."""
    runner = CliRunner()
    env = {"TRACKER_DATA_DIR": str(tmp_path), "TRACKER_DATABASE_URL": database_url,
           "TRACKER_UN_ORG_URL": served.un_org_url, "TRACKER_UNDL_URL": served.undl_url,
           "TRACKER_PRESS_URL": served.press_url, "TRACKER_DOCS_URL": served.docs_url,
           "TRACKER_REQUESTS_PER_SECOND": "0", "TRACKER_MAX_ATTEMPTS": "1"}
    assert runner.invoke(app, ["sync", "--until", "2024"], env=env).exit_code == 0
    hostile = "x'; DROP TABLE veto; --"
    assert runner.invoke(app, ["drafts", "--agenda", hostile], env=env).exit_code == 0
    assert runner.invoke(app, ["votes", hostile], env=env).exit_code == 1
    assert runner.invoke(app, ["draft", hostile], env=env).exit_code == 1
    assert runner.invoke(app, ["mandate", hostile], env=env).exit_code == 1
    rows = runner.invoke(app, ["vetoes", "--by", "member", "--format", "json"], env=env)
    assert rows.exit_code == 0 and "SUN" in rows.stdout  # the table is still there


# --- fuzzing: parsers raise only the project's own ParseError -------------------------------

PAGES = {
    "veto": (FIXTURES / "dhl" / "veto_list.html").read_bytes(),
    "meetings": (FIXTURES / "dhl" / "scact2022_table_en.html").read_bytes(),
    "covid": (FIXTURES / "dhl" / "scact2020_covid_table_en.html").read_bytes(),
    "record": (FIXTURES / "undl" / "record_4007327_S-RES-2680(2023).xml").read_bytes(),
    "document": (FIXTURES / "undl" / "documents" / "document_4043907_S-2024-255.xml"
                 ).read_bytes(),
}


@st.composite
def mutated(draw: st.DrawFn, name: str, pages: dict[str, bytes] = PAGES) -> bytes:
    page = bytearray(pages[name])
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["flip", "cut", "insert", "delete"]))
        position = draw(st.integers(0, max(len(page) - 1, 0)))
        if kind == "flip" and page:
            page[position] = draw(st.integers(0, 255))
        elif kind == "cut":
            del page[position:]
        elif kind == "insert":
            page[position:position] = draw(st.binary(min_size=1, max_size=40))
        elif page:
            del page[position: position + draw(st.integers(1, 200))]
    return bytes(page)


FUZZ = hypothesis_settings(max_examples=150, deadline=None,
                           suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(mutated("veto"))
def test_fuzzed_veto_list(body: bytes) -> None:
    with contextlib.suppress(ParseError):
        parse_veto_list(body)


@FUZZ
@given(st.one_of(mutated("meetings"), mutated("covid")))
def test_fuzzed_meetings_tables(body: bytes) -> None:
    with contextlib.suppress(ParseError):
        parse_meetings_table(body, year=2022, url="u")


def _page(record: bytes) -> bytes:
    return b"<!-- Search-Engine-Total-Number-Of-Results: 1 -->\n" + record


@FUZZ
@given(mutated("record"))
def test_fuzzed_voting_records(body: bytes) -> None:
    with contextlib.suppress(ParseError):
        parse_search_page(_page(body), url="u")


@FUZZ
@given(mutated("document"))
def test_fuzzed_document_records(body: bytes) -> None:
    with contextlib.suppress(ParseError):
        parse_document_page(_page(body), url="u")


@FUZZ
@given(st.binary(max_size=400))
def test_fuzzed_dataset(body: bytes) -> None:
    header = (b"undl_id,ms_code,ms_name,permanent_member,ms_vote,date,resolution,draft,meeting,"
              b"description,agenda,subjects,vote_note,total_yes,total_no,total_abstentions,"
              b"total_non_voting,total_ms,modality,undl_link\n")
    with contextlib.suppress(ParseError):
        parse_dataset(header + body)


# The same on the real pages and records of ../shared/data (skipped when absent).
REAL = {
    "veto": "un_org_dhl_html/scact_veto_table_en.html",
    "meetings": "un_org_dhl_html/scact_tables/scact2022_table_en.html",
    "covid": "un_org_dhl_html/scact_tables/scact2020_covid_table_en.html",
    "early": "un_org_dhl_html/scact_tables/scact1961_table_en.html",
    "record": "undl_records/record_4033397_S-RES-2722(2024)_vote.marcxml.xml",
}
REAL_PAGES = {name: (SHARED_DATA / path).read_bytes() for name, path in REAL.items()
              if (SHARED_DATA / path).is_file()}
needs_real = pytest.mark.skipif(len(REAL_PAGES) < len(REAL),
                                reason=f"real UN data not found at {SHARED_DATA}")
REAL_FUZZ = hypothesis_settings(max_examples=25, deadline=None,
                                suppress_health_check=[HealthCheck.too_slow])


@needs_real
@REAL_FUZZ
@given(mutated("veto", REAL_PAGES) if "veto" in REAL_PAGES else st.just(b""))
def test_fuzzed_real_veto_list(body: bytes) -> None:
    with contextlib.suppress(ParseError):
        parse_veto_list(body)


@needs_real
@REAL_FUZZ
@given(st.one_of(*(mutated(n, REAL_PAGES) for n in ("meetings", "covid", "early")
                   if n in REAL_PAGES)) if REAL_PAGES else st.just(b""))
def test_fuzzed_real_meetings_tables(body: bytes) -> None:
    with contextlib.suppress(ParseError):
        parse_meetings_table(body, year=2022, url="u")


@needs_real
@REAL_FUZZ
@given(mutated("record", REAL_PAGES) if "record" in REAL_PAGES else st.just(b""))
def test_fuzzed_real_voting_record(body: bytes) -> None:
    with contextlib.suppress(ParseError):
        parse_record_xml(body, base_url="https://digitallibrary.un.org", record="4033397")


@needs_real
def test_the_real_pages_fuzzed_above_parse_unmutated() -> None:
    """So the fuzzing starts from pages that parse, not only from the error path."""
    assert parse_veto_list(REAL_PAGES["veto"])
    for name, year in (("meetings", 2022), ("covid", 2020), ("early", 1961)):
        assert parse_meetings_table(REAL_PAGES[name], year=year, url="u").meetings
    record = parse_record_xml(REAL_PAGES["record"], base_url="https://digitallibrary.un.org",
                              record="4033397")
    assert record is not None and len(record.votes) == 15


def test_a_sync_killed_mid_way_leaves_a_consistent_database(
        served: Settings, replay: Replay, tmp_path: Path) -> None:
    """SIGKILL while a page is being fetched: the next sync completes, and the result
    equals an uninterrupted sync."""
    import os
    import signal
    import subprocess
    import sys
    import threading

    from db.engine import make_engine

    reached = threading.Event()
    page = f"{RESGUIDE}/scact2022_table_en.html"
    good = replay.pages[page]
    assert isinstance(good, bytes)

    def stall(handler) -> None:
        reached.set()
        time.sleep(30)

    replay.pages[page] = stall
    env = {**os.environ, "TRACKER_DATA_DIR": str(tmp_path / "killed"),
           "TRACKER_UN_ORG_URL": served.un_org_url, "TRACKER_UNDL_URL": served.undl_url,
           "TRACKER_PRESS_URL": served.press_url, "TRACKER_DOCS_URL": served.docs_url,
           "TRACKER_REQUESTS_PER_SECOND": "0", "TRACKER_MAX_ATTEMPTS": "1"}
    env.pop("TRACKER_DATABASE_URL", None)
    process = subprocess.Popen([sys.executable, "-m", "tracker", "sync", "--until", "2024"],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert reached.wait(60), "the sync never reached the stalled page"
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    finally:
        if process.poll() is None:
            process.kill()
    replay.pages[page] = good
    again = subprocess.run([sys.executable, "-m", "tracker", "sync", "--until", "2024"],
                           env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    killed = make_engine(f"sqlite:///{tmp_path / 'killed' / 'tracker.sqlite'}")
    clean = make_engine(f"sqlite:///{tmp_path / 'clean.sqlite'}")
    assert sync(clean, served.model_copy(update={"data_dir": tmp_path / "clean"}),
                today=dt.date.today(), until=2024, client=client()).ok
    assert snapshot(killed, fetch_times=False) == snapshot(clean, fetch_times=False)
