"""Offline and interrupted syncs (issue 14, items 1 and 5).

A host that does not resolve or refuses connections must fail fast, once for the host, with
what to check and what else to do; what retrying can fix must still be retried; progress
must be visible when the output is not a terminal; an interrupted sync must be recorded,
shown by `status`, and completed by the next sync.
"""

from __future__ import annotations

import datetime as dt
import re
import socket
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from sqlalchemy import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner

import tracker.sync as pipeline
from db.engine import make_engine, run_lock
from db.models import SyncRun
from reports.status import last_syncs, status
from scrapers.http import HostUnreachable, PoliteClient, TransientError
from tests.conftest import Replay
from tests.undl_replay import DigitalLibrary
from tracker.cli import app

runner = CliRunner()
RESGUIDE = "/depts/dhl/resguide"


def closed_port() -> int:
    """Return a port of 127.0.0.1 that nothing listens on (bound, noted, closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def real_digital_library(shared_data: Path, replay: Replay) -> None:
    """Serve the Digital Library's real voting record of resolution 2722 (2024)."""
    body = (shared_data / "undl_records" /
            "record_4033397_S-RES-2722(2024)_vote.marcxml.xml").read_bytes()
    DigitalLibrary([("2024-01-10", "4033397", body)]).serve(replay)


@pytest.fixture
def clients(monkeypatch: pytest.MonkeyPatch) -> list[PoliteClient]:
    """The HTTP clients the syncs make (with the real settings), to count their requests."""
    made: list[PoliteClient] = []
    real = pipeline.polite_client

    def recording(settings: Any) -> PoliteClient:
        made.append(real(settings))
        return made[-1]

    monkeypatch.setattr(pipeline, "polite_client", recording)
    return made


def environment(tmp_path: Path, un_org: str, undl: str) -> dict[str, str]:
    """The settings of a newcomer's sync: the real pacing, timeout and retries."""
    return {"TRACKER_DATA_DIR": str(tmp_path / "data"), "TRACKER_UN_ORG_URL": un_org,
            "TRACKER_UNDL_URL": undl, "TRACKER_PRESS_URL": undl, "TRACKER_DOCS_URL": undl,
            "TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 'tracker.sqlite'}"}


def test_offline_first_sync_must_fail_within_seconds_once_per_host(
        tmp_path: Path, clients: list[PoliteClient]) -> None:
    """A first sync whose hosts do not resolve or refuse connections must exit 1 within
    seconds, asking each host once, naming each host and the setting that names it."""
    port = closed_port()
    env = environment(tmp_path, "http://nonexistent.invalid", f"http://127.0.0.1:{port}")
    began = time.monotonic()
    result = runner.invoke(app, ["sync"], env=env)
    elapsed = time.monotonic() - began
    assert result.exit_code == 1, result.output
    assert elapsed < 10
    assert [c.requests_by_host for c in clients] == [
        {"nonexistent.invalid": 1, f"127.0.0.1:{port}": 1}]
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        "error: cannot reach nonexistent.invalid (name does not resolve): nothing fetched "
        "from it (meetings, veto-list not synced)",
        f"error: cannot reach 127.0.0.1:{port} (connection refused): nothing fetched from it "
        # the press releases' feed is asked for on every sync (issue 16)
        "(voting-records, documents, press-releases not synced)"]
    hint = next(line for line in result.stderr.splitlines() if line.startswith("hint:"))
    assert hint == (
        "hint: check the network connection, and the settings TRACKER_UN_ORG_URL (now "
        "http://nonexistent.invalid) and TRACKER_UNDL_URL, TRACKER_PRESS_URL and "
        f"TRACKER_DOCS_URL (all now http://127.0.0.1:{port}). "
        "Without the network, the Council's votes can be loaded from the Digital Library's "
        "voting dataset, a file: `tracker import undl-dataset FILE` (see the README, "
        "\"When things go wrong\")")
    assert "problem(s)" not in result.stderr  # not a line per page


def test_the_reachable_host_must_still_be_synced(
        tmp_path: Path, shared_data: Path, replay: Replay, clients: list[PoliteClient]) -> None:
    """un.org unreachable, the Digital Library reachable: its records must be fetched and
    stored, and the one unreachable host named once."""
    real_digital_library(shared_data, replay)
    env = environment(tmp_path, "http://nonexistent.invalid", replay.url)
    result = runner.invoke(app, ["sync", "--source", "meetings", "--source", "veto-list",
                                 "--source", "voting-records"], env=env)
    assert result.exit_code == 1, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == ["error: cannot reach nonexistent.invalid (name does not resolve): "
                      "nothing fetched from it (meetings, veto-list not synced)"]
    assert "What was fetched from the other hosts was stored (voting-records)." in result.stderr
    # the replay: its robots.txt (none: no rules), then the one search page
    assert clients[0].requests_by_host == {"nonexistent.invalid": 1,
                                           replay.url.removeprefix("http://"): 2}
    engine = make_engine(env["TRACKER_DATABASE_URL"])
    rolls = {r["source"]: (r["state"], r["pages_fetched"], r["pages_failed"])
             for r in last_syncs(engine).to_dict(orient="records")}
    assert rolls["voting-records"] == ("finished", 1, 0)
    years = dt.date.today().year - 1946 + 1
    assert rolls["meetings"] == ("finished", 0, years + 1)  # and 2020's covid table
    assert rolls["veto-list"] == ("finished", 0, 1)


def test_a_host_lost_mid_sync_must_say_what_was_stored(tmp_path: Path) -> None:
    """A host that stops answering part-way must not be said to have given nothing."""
    summary = pipeline.SyncSummary(sources={
        "meetings": pipeline.SourceSummary("meetings", pages_fetched=40,
                                           unreachable={"www.un.org"}),
        "veto-list": pipeline.SourceSummary("veto-list", unreachable={"www.un.org"}),
        "voting-records": pipeline.SourceSummary("voting-records", pages_fetched=14)})
    lost = HostUnreachable("https://www.un.org/x", "www.un.org", "name does not resolve")
    error = pipeline.Unreachable({"www.un.org": lost}, summary,
                                 pipeline.Settings(data_dir=tmp_path))
    assert str(error) == ("cannot reach www.un.org (name does not resolve) after 40 pages: "
                          "those were stored, not the rest (meetings, veto-list incomplete)")
    assert error.hint is not None
    assert error.hint.startswith(
        "check the network connection, and the setting TRACKER_UN_ORG_URL (now "
        "https://www.un.org). What was fetched from the other hosts was stored "
        "(voting-records). ")
    assert error.exit_code == 1


@respx.mock
def test_what_retrying_can_fix_must_still_be_retried() -> None:
    """503, 429, timeouts and a connection reset must be retried (and told to a listener);
    only a name that does not resolve or a refused connection is final, asked once."""
    respx.get("http://www.un.org/page").mock(side_effect=[
        httpx.ConnectTimeout("slow"), httpx.Response(503, headers={"Retry-After": "8"}),
        httpx.ReadError("reset mid-response"), httpx.Response(429),
        httpx.Response(200, content=b"ok")])
    slept: list[float] = []
    told: list[tuple[str, float, int]] = []
    client = PoliteClient(requests_per_second=0, max_attempts=5, sleep=slept.append)
    client.on_retry = lambda exc, wait, attempt: told.append((exc.reason[:19], wait, attempt))
    assert client.get("http://www.un.org/page").body == b"ok"
    assert client.requests_by_host == {"www.un.org": 5}
    assert len(slept) == 4 and slept[1] == 8.0
    assert [(reason, attempt) for reason, _, attempt in told] == [
        ("timed out: no whole", 1), ("server answered 503", 2), ("connection failed: ", 3),
        ("server answered 429", 4)]
    assert [wait for _, wait, _ in told] == slept

    port = closed_port()
    respx.route(host="127.0.0.1").pass_through()
    client = PoliteClient(requests_per_second=0, max_attempts=5, sleep=slept.append)
    for page in ("a", "b", "c"):
        with pytest.raises(HostUnreachable, match=rf"^cannot reach 127\.0\.0\.1:{port} "
                                                  r"\(connection refused\)$"):
            client.get(f"http://127.0.0.1:{port}/{page}")
    assert client.requests_by_host == {f"127.0.0.1:{port}": 1}
    reset = httpx.ConnectError("reset while connecting")
    reset.__cause__ = ConnectionResetError(104, "Connection reset by peer")
    respx.get("http://digitallibrary.un.org/reset").mock(side_effect=reset)
    client = PoliteClient(requests_per_second=0, max_attempts=3, sleep=lambda _: None)
    with pytest.raises(TransientError):
        client.get("http://digitallibrary.un.org/reset")
    assert client.requests_by_host == {"digitallibrary.un.org": 3}


@respx.mock
def test_a_host_never_connected_within_the_timeout_must_be_unreachable_after_one_page() -> None:
    """A host that never answered and timed out connecting on every attempt of a page (a
    network that drops packets) must not be asked for its other pages; a host that has
    answered before keeps its retries page by page."""
    respx.get(url__startswith="http://www.un.org/").mock(
        side_effect=httpx.ConnectTimeout("no answer"))
    client = PoliteClient(requests_per_second=0, max_attempts=3, timeout=30,
                          sleep=lambda _: None)
    with pytest.raises(HostUnreachable) as raised:
        client.get("http://www.un.org/a")
    assert str(raised.value) == ("cannot reach www.un.org (no connection within 30 s on "
                                 "3 attempts)")
    with pytest.raises(HostUnreachable):
        client.get("http://www.un.org/b")
    assert client.requests_by_host == {"www.un.org": 3}
    respx.get("http://digitallibrary.un.org/first").mock(
        return_value=httpx.Response(200, content=b"ok"))
    respx.get("http://digitallibrary.un.org/second").mock(
        side_effect=httpx.ConnectTimeout("no answer"))
    assert client.get("http://digitallibrary.un.org/first").body == b"ok"
    with pytest.raises(TransientError) as transient:
        client.get("http://digitallibrary.un.org/second")
    assert not isinstance(transient.value, HostUnreachable)
    assert client.requests_by_host["digitallibrary.un.org"] == 4


def test_progress_must_be_one_line_per_source_and_phase_when_not_a_terminal(
        tmp_path: Path, shared_data: Path, replay: Replay) -> None:
    """Piped, the sync must say on stderr what each source is fetching and what it got."""
    replay.pages[f"{RESGUIDE}/scact_veto_table_en.htm"] = (
        shared_data / "un_org_dhl_html" / "scact_veto_table_en.html").read_bytes()
    real_digital_library(shared_data, replay)
    env = environment(tmp_path, replay.url, replay.url) | {"TRACKER_REQUESTS_PER_SECOND": "0"}
    result = runner.invoke(app, ["sync", "--source", "veto-list", "--source",
                                 "voting-records"], env=env)
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stderr.splitlines() if not line.startswith("Note:")]
    assert lines[:5] == [
        "veto-list: fetching 1 page…",
        "veto-list: 1 page, 870 rows written",
        "voting-records: fetching search pages…",
        "voting-records: 1 page, 1 record, 21 rows written",
        "deriving the resolution links and the mandates…"]


def _stop_after(pages: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Press Ctrl-C while the meetings source fetches its page number ``pages + 1``."""
    from scrapers.dhl.source import MeetingsSource

    fetched = []
    real = MeetingsSource.fetch

    def fetch(self: Any, client: Any, page: Any, archived: Any) -> Any:
        if len(fetched) == pages:
            raise KeyboardInterrupt
        fetched.append(page.page_id)
        return real(self, client, page, archived)

    monkeypatch.setattr(MeetingsSource, "fetch", fetch)


def test_ctrl_c_must_say_what_was_kept_record_it_and_the_next_sync_complete_it(
        tmp_path: Path, shared_data: Path, replay: Replay,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C must exit 130 saying what was stored and that the next sync completes it;
    `status` must show the sync interrupted; the next sync must fetch the whole history."""
    tables = shared_data / "un_org_dhl_html" / "scact_tables"
    for path in tables.glob("scact194[6-9]*"):
        replay.pages[f"{RESGUIDE}/{path.name}"] = path.read_bytes()
    env = environment(tmp_path, replay.url, replay.url) | {"TRACKER_REQUESTS_PER_SECOND": "0"}
    args = ["sync", "--source", "meetings", "--since", "1946", "--until", "1949"]
    _stop_after(2, monkeypatch)
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == 130, result.output
    error = next(line for line in result.stderr.splitlines() if line.startswith("error:"))
    assert re.fullmatch(r"error: sync interrupted: kept what was stored: meetings 2 pages; "
                        r"[\d,]+ rows new, 0 changed \(whatever was being read when "
                        r"interrupted was not stored\)",
                        error), error
    assert "hint: run `tracker sync` again: it completes what this one did not fetch" \
        in result.stderr
    engine = make_engine(env["TRACKER_DATABASE_URL"])
    with Session(engine) as session:
        run = session.exec(select(SyncRun)).one()
    assert (run.finished_at, run.pages_fetched, run.ok, run.complete) == (None, 2, False, False)
    shown = runner.invoke(app, ["status"], env=env)
    assert shown.exit_code == 0, shown.output
    assert re.search(r"last sync interrupted \(started at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC, "
                     r"did not finish: meetings\); what it stored is kept; run `tracker sync` "
                     r"to complete it", " ".join(shown.stdout.split()))
    monkeypatch.undo()
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == 0, result.output
    assert {r["source"]: (r["state"], r["pages_fetched"]) for r in
            last_syncs(engine).to_dict(orient="records")} == {
        "meetings": ("finished", 4), "mandates": ("finished", 0)}
    assert status(engine)["note"] is None


def test_ctrl_c_during_a_rebuild_must_keep_the_old_database_and_say_so(
        tmp_path: Path, shared_data: Path, replay: Replay,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C during `rebuild` must exit 130, say the database was left as it was, and
    leave it so."""
    replay.pages[f"{RESGUIDE}/scact_veto_table_en.htm"] = (
        shared_data / "un_org_dhl_html" / "scact_veto_table_en.html").read_bytes()
    env = environment(tmp_path, replay.url, replay.url) | {"TRACKER_REQUESTS_PER_SECOND": "0"}
    assert runner.invoke(app, ["sync", "--source", "veto-list"], env=env).exit_code == 0
    before = runner.invoke(app, ["vetoes", "--by", "member", "--format", "csv"], env=env).stdout

    def interrupted(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "_run_pages", interrupted)
    result = runner.invoke(app, ["rebuild"], env=env)
    assert result.exit_code == 130, result.output
    assert result.stderr.splitlines()[-2:] == [
        "error: rebuild interrupted: the database was left as it was (a rebuild is swapped "
        "in only once it is complete)",
        "hint: run `tracker rebuild` again (it needs no network)"]
    after = runner.invoke(app, ["vetoes", "--by", "member", "--format", "csv"], env=env)
    assert after.stdout == before
    assert "SUN,Union of Soviet Socialist Republics,90," in before


def test_a_killed_sync_must_show_as_interrupted_once_the_lock_is_free(engine: Engine) -> None:
    """A run left unfinished by a killed process must be "interrupted", not "running" —
    unless a sync holds the lock right now (SQLite's lock file, PostgreSQL's advisory lock)."""
    pipeline.open_database(engine)
    with Session(engine) as session:
        started = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
        session.add(SyncRun(source="meetings", started_at=started, finished_at=None))
        session.commit()
    assert last_syncs(engine)["state"].tolist() == ["interrupted"]
    assert status(engine)["note"] == (
        "last sync interrupted (started at 2026-01-02 03:04:05 UTC, did not finish: "
        "meetings); what it stored is kept; run `tracker sync` to complete it")
    with run_lock(engine):
        assert last_syncs(engine)["state"].tolist() == ["running"]
        assert status(engine)["note"] is None


def _dns_silent() -> httpx.ConnectError:
    error = httpx.ConnectError("[Errno -3] Temporary failure in name resolution")
    error.__cause__ = socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
    return error


def _refused() -> httpx.ConnectError:
    error = httpx.ConnectError("[Errno 111] Connection refused")
    error.__cause__ = ConnectionRefusedError(111, "Connection refused")
    return error


def _client(answers: dict[str, list[Any]], max_attempts: int = 3) -> PoliteClient:
    """A client whose transport gives each path its answers in turn (an exception is raised,
    fresh, with its cause, as httpx's own transport raises it); the last answer repeats."""
    def handle(request: httpx.Request) -> httpx.Response:
        queue = answers[request.url.path]
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if callable(answer):
            raise answer()
        return httpx.Response(200, stream=httpx.ByteStream(answer))

    return PoliteClient(requests_per_second=0, max_attempts=max_attempts, sleep=lambda _: None,
                        transport=httpx.MockTransport(handle))


def test_one_silent_name_server_must_not_give_a_host_up() -> None:
    """A name server that fails to answer once is a blip: the page must be retried and got,
    and the host's later pages asked for; silent on every attempt of a page (offline), the
    host is unreachable after that page, and said so."""
    client = _client({"/a": [_dns_silent, b"a"], "/b": [b"b"]})
    assert client.get("http://www.un.org/a").body == b"a"
    assert client.get("http://www.un.org/b").body == b"b"
    assert client.unreachable == {}
    assert client.requests_by_host == {"www.un.org": 3}

    client = _client({"/x": [_dns_silent], "/y": [b"y"]})
    with pytest.raises(HostUnreachable) as raised:
        client.get("http://digitallibrary.un.org/x")
    assert str(raised.value) == ("cannot reach digitallibrary.un.org (name does not resolve: "
                                 "no name server answered on 3 attempts; offline?)")
    with pytest.raises(HostUnreachable):
        client.get("http://digitallibrary.un.org/y")
    assert client.requests_by_host == {"digitallibrary.un.org": 3}


def test_a_host_that_answered_must_not_be_given_up_for_a_refused_connection() -> None:
    """A server restarting refuses connections for a moment: a host that has answered in
    this run keeps its retries, and its later pages are asked for."""
    client = _client({"/first": [b"1"], "/second": [_refused, _refused, b"2"],
                      "/third": [_refused], "/fourth": [b"4"]})
    assert client.get("http://www.un.org/first").body == b"1"
    assert client.get("http://www.un.org/second").body == b"2"
    with pytest.raises(TransientError) as raised:
        client.get("http://www.un.org/third")
    assert not isinstance(raised.value, HostUnreachable)
    assert client.get("http://www.un.org/fourth").body == b"4"
    assert client.unreachable == {}
    assert client.requests_by_host == {"www.un.org": 8}

    client = _client({"/first": [_refused], "/second": [b"2"]})  # never answered: given up
    with pytest.raises(HostUnreachable, match=r"^cannot reach www\.un\.org \(connection "
                                              r"refused\)$"):
        client.get("http://www.un.org/first")
    with pytest.raises(HostUnreachable):
        client.get("http://www.un.org/second")
    assert client.requests_by_host == {"www.un.org": 1}


def test_read_timeouts_then_one_connect_timeout_must_not_be_called_unreachable() -> None:
    """Only a page whose every attempt failed to connect gives a silent host up: read
    timeouts mean the host answered the connection."""
    client = _client({"/a": [lambda: httpx.ReadTimeout("slow"), lambda: httpx.ReadTimeout("slow"),
                             lambda: httpx.ConnectTimeout("none")], "/b": [b"next"]})
    with pytest.raises(TransientError) as raised:
        client.get("http://www.un.org/a")
    assert not isinstance(raised.value, HostUnreachable)
    assert client.get("http://www.un.org/b").body == b"next"
