"""Hostile servers and leaked secrets: limits hold before memory is spent, what is archived
is what was fetched, and no secret reaches a message.

Each attack is served from a local HTTP server. Memory is measured in a process of its
own (its peak resident size, VmHWM), since a test process's peak says nothing about one
request.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import subprocess
import sys
import time
import zlib
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from scrapers.archive import RawArchive
from scrapers.http import FetchError, PoliteClient, TransientError
from scrapers.undl.parse import MARC
from tests.conftest import ROOT, Replay
from tests.test_sync import RESGUIDE, serve_fixtures
from tracker.cli import app
from tracker.settings import Settings, mask_passwords
from tracker.sync import sync

VETO_LIST = f"{RESGUIDE}/scact_veto_table_en.html"
PEAK_BOUND_KB = 150_000

# Fetch one URL in a fresh process; print the outcome and the process's peak memory.
FETCH_SCRIPT = """
import json, sys
from scrapers.http import FetchError, PoliteClient
url, max_bytes = sys.argv[1], int(sys.argv[2])
outcome = {}
with PoliteClient(requests_per_second=0, max_attempts=1, max_bytes=max_bytes,
                  timeout=30, sleep=lambda _: None) as client:
    try:
        outcome["bytes"] = len(client.get(url).body)
    except FetchError as exc:
        outcome["error"] = str(exc)
for line in open("/proc/self/status"):
    if line.startswith("VmHWM:"):
        outcome["peak_kb"] = int(line.split()[1])
print(json.dumps(outcome))
"""


def fetch_in_subprocess(url: str, max_bytes: int = 50_000_000) -> dict:
    """Fetch a URL in a process of its own; return its outcome and peak RSS (kB)."""
    result = subprocess.run([sys.executable, "-c", FETCH_SCRIPT, url, str(max_bytes)],
                            cwd=ROOT, capture_output=True, text=True, timeout=300,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


@functools.cache
def stacked_gzip_bomb() -> bytes:
    """1 GiB of zeros, gzipped twice: about 2 kB on the wire."""
    inner = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(1 << 20)
    layer = b"".join(inner.compress(zeros) for _ in range(1024)) + inner.flush()
    outer = zlib.compressobj(9, zlib.DEFLATED, 31)
    return outer.compress(layer) + outer.flush()


def serve_bomb(handler: BaseHTTPRequestHandler) -> None:
    body = stacked_gzip_bomb()
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.send_header("Content-Encoding", "gzip, gzip")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


# --- class 3: limits hold before memory is spent ----------------------------------------


def test_stacked_gzip_bomb_must_be_refused_before_it_expands(replay: Replay) -> None:
    """The cap must count decoded bytes as they stream: ``gzip, gzip`` of 2 kB must not
    expand to a gigabyte in memory (it did: the inner layer was inflated whole)."""
    replay.pages["/bomb"] = serve_bomb
    assert len(stacked_gzip_bomb()) < 4000
    outcome = fetch_in_subprocess(f"{replay.url}/bomb")
    assert outcome["error"] == (f"{replay.url}/bomb: response is over the cap of 50000000 bytes "
                                "once decoded (TRACKER_MAX_RESPONSE_BYTES)")
    assert outcome["peak_kb"] < PEAK_BOUND_KB, outcome


def test_stacked_encodings_within_the_cap_decode_whole(replay: Replay) -> None:
    """A page gzipped twice, or deflated, within the cap must read as the page itself."""
    page = b"<html>" + b"the Council " * 10_000 + b"</html>"

    def serve(coding: str, body: bytes):
        def answer(handler: BaseHTTPRequestHandler) -> None:
            handler.send_response(200)
            handler.send_header("Content-Encoding", coding)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
        return answer

    def gzip(data: bytes) -> bytes:
        c = zlib.compressobj(9, zlib.DEFLATED, 31)
        return c.compress(data) + c.flush()

    replay.pages["/gzip2"] = serve("gzip, gzip", gzip(gzip(page)))
    replay.pages["/deflate"] = serve("deflate", zlib.compress(page))
    replay.pages["/members"] = serve("gzip", gzip(page[:1000]) + gzip(page[1000:]))
    replay.pages["/br"] = serve("br", b"\x00" * 10)
    with PoliteClient(requests_per_second=0, max_attempts=1, sleep=lambda _: None) as client:
        for path in ("/gzip2", "/deflate", "/members"):
            assert client.get(f"{replay.url}{path}").body == page, path
        with pytest.raises(FetchError) as refused:
            client.get(f"{replay.url}/br")
    assert str(refused.value) == (f"{replay.url}/br: the server sent an encoding the tracker "
                                  "did not ask for: Content-Encoding 'br'")


def trickle_body(handler: BaseHTTPRequestHandler) -> None:
    """Headers at once, then one byte every 0.1 s, for at most 60 bytes (6 s)."""
    handler.send_response(200)
    handler.send_header("Content-Length", "100000")
    handler.end_headers()
    for _ in range(60):
        handler.wfile.write(b"x")
        handler.wfile.flush()
        time.sleep(0.1)


def trickle_headers(handler: BaseHTTPRequestHandler) -> None:
    """The status line and headers, one byte every 0.1 s (6 s in all)."""
    head = b"HTTP/1.1 200 OK\r\nX-Slow: " + b"y" * 40 + b"\r\nContent-Length: 2\r\n\r\nok"
    for byte in head:
        try:
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
        except OSError:
            return
        time.sleep(0.1)


@pytest.mark.parametrize("fault", [trickle_body, trickle_headers], ids=["body", "headers"])
def test_timeout_must_bound_the_whole_request(replay: Replay, fault) -> None:
    """A server trickling a byte at a time must not hold a request past its timeout: the
    per-read timeout never fired, since every read got its byte."""
    replay.pages["/trickle"] = fault
    started = time.monotonic()
    with PoliteClient(requests_per_second=0, max_attempts=2, timeout=1.0,
                      sleep=lambda _: None) as client, pytest.raises(TransientError) as failed:
        client.get(f"{replay.url}/trickle")
    elapsed = time.monotonic() - started
    assert elapsed < 3.5, elapsed  # two attempts of at most 1 s each
    assert str(failed.value) == (f"{replay.url}/trickle: timed out: no whole answer within 1 s "
                                 "(TRACKER_TIMEOUT_SECONDS; ReadTimeout)")


def redirect(to: str):
    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(302)
        handler.send_header("Location", to)
        handler.send_header("Content-Length", "0")
        handler.end_headers()
    return answer


def test_redirect_loop_is_a_fetch_error_naming_the_url(
        sqlite_engine: Engine, settings: Settings, replay: Replay, tmp_path: Path) -> None:
    """A redirect loop must end in a FetchError naming the URL (it escaped as httpx's own
    TooManyRedirects, a traceback), and a sync must go on, name it and exit 1."""
    serve_fixtures(replay)
    replay.pages[VETO_LIST] = redirect(VETO_LIST)
    with PoliteClient(requests_per_second=0, max_attempts=3, sleep=lambda _: None) as client:
        with pytest.raises(FetchError) as failed:
            client.get(f"{replay.url}{VETO_LIST}")
        assert client.requests == 1  # not retried
    assert str(failed.value) == (f"{replay.url}{VETO_LIST}: redirect loop: more than 5 "
                                 f"redirects (the last to {replay.url}{VETO_LIST})")

    env = {"TRACKER_DATA_DIR": str(tmp_path / "data"), "TRACKER_UN_ORG_URL": replay.url,
           "TRACKER_REQUESTS_PER_SECOND": "0", "TRACKER_MAX_ATTEMPTS": "1"}
    result = CliRunner().invoke(app, ["sync", "--source", "veto-list", "--source", "meetings",
                                      "--since", "2024", "--until", "2024"], env=env)
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"{replay.url}{VETO_LIST}: redirect loop" in result.output
    assert "Traceback" not in result.output


def million_empty_records(handler: BaseHTTPRequestHandler) -> None:
    body = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
            b"<!-- Search-Engine-Total-Number-Of-Results: 1000000 -->\n"
            b'<collection xmlns="' + MARC.encode() + b'">' + b"<record/>" * 1_000_000
            + b"</collection>")
    handler.send_response(200)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


SYNC_SCRIPT = """
import datetime as dt, json, sys
from db.engine import make_engine
from scrapers.http import PoliteClient
from tracker.settings import Settings
from tracker.sync import open_database, sync
settings = Settings(data_dir=sys.argv[2], undl_url=sys.argv[1], requests_per_second=0,
                    max_attempts=1)
engine = make_engine(f"sqlite:///{sys.argv[2]}/tracker.sqlite")
open_database(engine)
summary = sync(engine, settings, sources=["voting-records"], today=dt.date(2024, 6, 1))
peak = [int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:")][0]
print(json.dumps({"ok": summary.ok, "problems": summary.problems[:5],
                  "failed": summary.sources["voting-records"].pages_failed[:5],
                  "peak_kb": peak}))
"""


def test_a_page_of_a_million_empty_records_is_refused_before_parsing(
        replay: Replay, tmp_path: Path) -> None:
    """A search page holding more records than the page size asked for must be refused
    before it is parsed: a million empty records (9 MB) took 1.7 GB as parsed records and
    a million errors, and printed a million problems."""
    replay.pages["/search"] = million_empty_records
    result = subprocess.run([sys.executable, "-c", SYNC_SCRIPT, replay.url, str(tmp_path)],
                            cwd=ROOT, capture_output=True, text=True, timeout=300,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr[-2000:]
    outcome = json.loads(result.stdout)
    url = (f"{replay.url}/search?ln=en&cc=Voting+Data&c=Voting+Data&fct__2=Security+Council"
           "&of=xm&rg=200&jrec=1&so=d")
    assert outcome["ok"] is False
    assert outcome["failed"] == ["jrec=1"]
    assert outcome["problems"] == [f"{url}: the answer holds more than 200 record(s), the most "
                                   "that was asked for: refused before parsing"]
    assert outcome["peak_kb"] < PEAK_BOUND_KB, outcome


# --- class 9a: what is archived is what was fetched --------------------------------------


def test_a_redirected_page_keeps_the_url_that_answered(
        sqlite_engine: Engine, settings: Settings, replay: Replay) -> None:
    """A page reached through a redirect must be archived with the URL that answered as well
    as the URL asked for; the next sync must ask again, conditionally, and change nothing."""
    serve_fixtures(replay)
    replay.pages["/moved/veto.html"] = replay.pages[VETO_LIST]
    replay.pages[VETO_LIST] = redirect("/moved/veto.html")
    served = settings.model_copy(update={"un_org_url": replay.url})
    client = PoliteClient(requests_per_second=0, max_attempts=1, sleep=lambda _: None)

    first = sync(sqlite_engine, served, sources=["veto-list"], today=dt.date(2024, 6, 1),
                 client=client)
    assert first.ok, first.problems
    page = RawArchive(served.raw_dir).load("dhl-veto-list", "veto-list")
    assert page is not None
    assert page.url == f"{replay.url}{VETO_LIST}"
    assert page.final_url == f"{replay.url}/moved/veto.html"
    meta = json.loads((served.raw_dir / "dhl-veto-list" / "veto-list.json").read_text())
    assert (meta["url"], meta["final_url"]) == (page.url, page.final_url)

    replay.requests.clear()
    second = sync(sqlite_engine, served, sources=["veto-list"], today=dt.date(2024, 6, 1),
                  client=client)
    assert second.ok, second.problems
    summary = second.sources["veto-list"]
    assert (summary.pages_not_modified, summary.counts.new, summary.counts.changed) == (1, 0, 0)
    assert [path for path, _ in replay.requests] == [VETO_LIST, "/moved/veto.html"]
    assert replay.requests[1][1]["If-None-Match"]  # the validators went with the redirect


# --- class 7: secrets never reach a message ---------------------------------------------


SECRET = "s3cr3t-T0KEN-abc"


def test_a_token_read_from_a_windows_file_is_stripped_and_sent(
        settings: Settings, replay: Replay, tmp_path: Path) -> None:
    """A token ending in a carriage return must be stripped at start-up and sent as
    ``Token <key>`` (it failed as an invalid header, quoted in full in the error)."""
    library = serve_fixtures(replay)
    assert library is not None
    library.api_token = SECRET  # the API search refuses any other
    env = {"TRACKER_DATA_DIR": str(tmp_path / "data"), "TRACKER_UNDL_URL": replay.url,
           "TRACKER_REQUESTS_PER_SECOND": "0", "TRACKER_UNDL_TOKEN": SECRET + "\r\n"}
    result = CliRunner().invoke(app, ["sync", "--source", "voting-records"], env=env)
    assert result.exit_code == 0, result.output
    assert SECRET not in result.output
    assert {headers.get("Authorization") for path, headers in replay.requests
            if path != "/robots.txt"} == {f"Token {SECRET}"}
    # robots.txt, asked first, is public: the token goes only with the Library's requests
    assert [headers.get("Authorization") for path, headers in replay.requests
            if path == "/robots.txt"] == [None]


@pytest.mark.parametrize("token", [f"{SECRET} more", f"{SECRET}\r\nX-Evil: 1", f"{SECRET}\x1b"],
                         ids=["space-inside", "header-injection", "control-character"])
def test_a_token_that_cannot_be_sent_is_refused_without_quoting_it(
        tmp_path: Path, token: str) -> None:
    """A token with whitespace or control characters inside must be refused at start-up,
    naming TRACKER_UNDL_TOKEN and never echoing its value."""
    env = {"TRACKER_DATA_DIR": str(tmp_path / "data"), "TRACKER_UNDL_TOKEN": token}
    result = CliRunner().invoke(app, ["sync", "--source", "voting-records"], env=env)
    assert result.exit_code == 2
    assert result.output == (
        "error: bad setting: TRACKER_UNDL_TOKEN: got a value that is not shown (a secret), "
        "expected the Digital Library API token: one word of printable ASCII characters (the "
        "Digital Library API token must be one word of printable ASCII characters, with no "
        "space or line break inside (its value is not shown))\n")
    assert "s3cr3t" not in result.output


def test_an_invalid_header_is_not_quoted(replay: Replay) -> None:
    """Whatever header httpx refuses, its value (perhaps a secret) must not be quoted."""
    replay.pages["/page"] = b"ok"
    with PoliteClient(requests_per_second=0, max_attempts=3, sleep=lambda _: None) as client:
        with pytest.raises(FetchError) as failed:
            client.get(f"{replay.url}/page", headers={"Authorization": f"Token {SECRET}\r"})
        assert client.requests == 1
    assert SECRET not in str(failed.value)
    assert str(failed.value).startswith(f"{replay.url}/page: the request could not be sent")


@pytest.mark.parametrize("url", [
    "nosuchdriver://tracker:hunter2-pw@db.example/unsc",
    "postgresql+nosuchdriver://tracker:hunter2-pw@db.example/unsc",
    "postgresql://tracker:hunter2-pw@127.0.0.1:1/unsc",
], ids=["unknown-dialect", "unknown-driver", "unreachable"])
def test_a_database_password_never_reaches_a_message(tmp_path: Path, url: str) -> None:
    """A database URL's password must be masked in every message (it was printed in full
    when the driver was unknown)."""
    masked = url.replace("hunter2-pw", "***")
    result = CliRunner().invoke(app, ["--db", url, "status"],
                                env={"TRACKER_DATA_DIR": str(tmp_path)})
    # A URL the tracker cannot use is a usage error (2); a server that does not answer, 1.
    assert result.exit_code == (1 if "127.0.0.1" in url else 2)
    assert "hunter2" not in result.output
    assert result.output.startswith("error: ")
    if "127.0.0.1" not in url:
        assert masked in result.output


def test_a_page_url_with_a_password_is_masked_in_the_sync_summary(
        settings: Settings, replay: Replay, tmp_path: Path) -> None:
    """A mirror's URL with credentials must be masked in the problems a sync lists."""
    host = replay.url.removeprefix("http://")
    env = {"TRACKER_DATA_DIR": str(tmp_path / "data"),
           "TRACKER_UN_ORG_URL": f"http://mirror:hunter2-pw@{host}",
           "TRACKER_REQUESTS_PER_SECOND": "0", "TRACKER_MAX_ATTEMPTS": "1"}
    result = CliRunner().invoke(app, ["sync", "--source", "veto-list"], env=env)
    assert result.exit_code == 1
    assert "hunter2" not in result.output
    assert f"http://mirror:***@{host}{RESGUIDE}/scact_veto_table_en.htm" in result.output


def test_mask_passwords() -> None:
    """Every URL's password must be masked, whatever it holds; nothing else changes."""
    assert mask_passwords("postgresql://bob:p@ss:w/rd@db:5432/x and https://a:b@c/d") == (
        "postgresql://bob:***@db:5432/x and https://a:***@c/d")
    assert mask_passwords("'mysql://u:pw@h/db': no driver") == "'mysql://u:***@h/db': no driver"
    for unchanged in ("sqlite:////tmp/x.sqlite", "postgresql://bob@db/x",
                      "https://host/path@x", "no URL here: a:b@c"):
        assert mask_passwords(unchanged) == unchanged



def test_the_environments_proxy_is_used(replay: Replay, monkeypatch: pytest.MonkeyPatch) -> None:
    """Behind a proxy (HTTP_PROXY), the tracker must go through it: a client with a transport
    of its own does not read the environment unless told."""
    from scrapers.http import PoliteClient

    replay.pages["http://un-org.invalid/x"] = b"<html>via proxy</html>"
    monkeypatch.setenv("HTTP_PROXY", replay.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    with PoliteClient(requests_per_second=0, max_attempts=1) as client:
        assert client.get("http://un-org.invalid/x").body == b"<html>via proxy</html>"
    assert replay.requests[-1][0] == "http://un-org.invalid/x"


def test_passwords_in_queries_and_in_drivers_messages_are_masked() -> None:
    from tracker.settings import mask_passwords

    assert mask_passwords("bad database URL 'postgresql+nodriver://alice@db.example/unsc?"
                          "sslmode=require&password=hunter2'") == (
        "bad database URL 'postgresql+nodriver://alice@db.example/unsc?sslmode=require&"
        "password=***'")
    # A password with an unencoded "@" reaches the driver cut at it.
    assert mask_passwords("failed to resolve host 'ter2@127.0.0.1'", "hun@ter2") == (
        "failed to resolve host '***@127.0.0.1'")
