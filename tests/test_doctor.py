"""`tracker doctor`: why a sync fails, one request to each source, and what to do."""

from __future__ import annotations

import json
import socket
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from typer.testing import CliRunner

from db.engine import head_revision, make_engine
from tests.conftest import Replay
from tracker.cli import app
from tracker.doctor import Check, diagnose
from tracker.settings import Settings
from tracker.sync import open_database

runner = CliRunner()
RESGUIDE = "/depts/dhl/resguide"
SEARCH_PAGE = ("/search?ln=en&cc=Voting+Data&c=Voting+Data&fct__2=Security+Council&of=xm"
               "&rg=1&jrec=1&so=d")
TOKEN = "k3y-n0t-t0-b3-sh0wn"
# A search page in the shape of the Library's (one MARCXML record).
MARCXML = (b'<?xml version="1.0" encoding="UTF-8"?>\n<!-- Search-Engine-Total-Number-Of-Results:'
           b' 1 -->\n<collection xmlns="http://www.loc.gov/MARC21/slim"><record>'
           b'<controlfield tag="001">4033397</controlfield></record></collection>')
CHALLENGE = (b"<!DOCTYPE html><html><head><title>Just a moment...</title></head>"
             b"<body>Checking your browser</body></html>")


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def answer(status: int, body: bytes = b""):
    def send(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
    return send


def healthy(replay: Replay) -> None:
    """Every source's first request answered as the live sites answer it."""
    replay.pages.update({
        f"{RESGUIDE}/scact_veto_table_en.htm": b"<html><table><tr><td>S/2022/431</td></tr>"
                                               b"</table></html>",
        "/search": MARCXML,
        "/en/rss.xml": b'<?xml version="1.0"?><rss><channel><title>SC</title></channel></rss>',
        "/api/symbol/access": b"%PDF-1.7 S/PV.9591",
    })


def token_gate(handler: BaseHTTPRequestHandler) -> None:
    """The API route: 200 for the right token, 401 for any other."""
    ok = handler.headers.get("Authorization") == f"Token {TOKEN}"
    answer(200 if ok else 401, b"<response><total>1</total><search_id>abc</search_id>"
                               b"<collection/></response>" if ok else b"")(handler)


def settings_for(url: str, tmp_path: Path, **more: object) -> Settings:
    return Settings(un_org_url=url, undl_url=url, press_url=url, docs_url=url,
                    data_dir=tmp_path / "data", requests_per_second=0, **more)


def by_check(checks: list[Check]) -> dict[str, Check]:
    return {found.check: found for found in checks}


def test_a_healthy_setup_must_pass_every_check(replay: Replay, tmp_path: Path) -> None:
    healthy(replay)
    checks = diagnose(settings_for(replay.url, tmp_path))
    assert [(c.check, c.ok, c.status, c.bot_wall, c.token, c.robots, c.problem)
            for c in checks] == [
        ("TRACKER_UN_ORG_URL", True, 200, None, None,
         "no robots.txt (404): no rules", None),
        ("TRACKER_UNDL_URL", True, 200, False, "not set",
         "no robots.txt (404): no rules", None),
        ("TRACKER_PRESS_URL", True, 200, None, None,
         "no robots.txt (404): no rules", None),
        ("TRACKER_DOCS_URL", True, 200, None, None,
         "no robots.txt (404): no rules", None),
        ("database", True, None, None, None, None, None),
        ("TRACKER_DATA_DIR", True, None, None, None, None, None),
    ]
    assert all(isinstance(c.latency_ms, int) and c.latency_ms >= 0 for c in checks[:4])
    assert [c.target for c in checks] == [
        f"{replay.url}{RESGUIDE}/scact_veto_table_en.htm", f"{replay.url}{SEARCH_PAGE}",
        f"{replay.url}/en/rss.xml",
        f"{replay.url}/api/symbol/access?s=S%2FPV.9591&l=en&t=pdf",
        f"sqlite:///{tmp_path}/data/tracker.sqlite (not made yet: the first sync makes it)",
        f"{tmp_path}/data (not made yet: the first sync makes it)"]
    # one robots.txt for the one host, then one request per source
    assert [path for path, _ in replay.requests] == [
        "/robots.txt", f"{RESGUIDE}/scact_veto_table_en.htm", SEARCH_PAGE, "/en/rss.xml",
        "/api/symbol/access?s=S%2FPV.9591&l=en&t=pdf"]


def test_the_real_veto_list_and_record_must_pass(shared_data: Path, replay: Replay,
                                                 tmp_path: Path) -> None:
    """The saved Veto List (served as .html: the doctor asks .htm, then .html, as the sync
    does) and the real record of resolution 2722 (2024) on the search page."""
    healthy(replay)
    del replay.pages[f"{RESGUIDE}/scact_veto_table_en.htm"]
    replay.pages[f"{RESGUIDE}/scact_veto_table_en.html"] = (
        shared_data / "un_org_dhl_html" / "scact_veto_table_en.html").read_bytes()
    replay.pages["/search"] = (shared_data / "undl_records" /
                               "record_4033397_S-RES-2722(2024)_vote.marcxml.xml").read_bytes()
    checks = by_check(diagnose(settings_for(replay.url, tmp_path)))
    assert checks["TRACKER_UN_ORG_URL"].target == (
        f"{replay.url}{RESGUIDE}/scact_veto_table_en.html")
    assert all(c.ok for c in checks.values())


@pytest.mark.parametrize(("wall", "status", "problem"), [
    (answer(202), 202, "bot wall: answered 202"),
    (answer(403, b"Forbidden"), 403, "bot wall: answered 403"),
    (answer(200, CHALLENGE), None, "bot wall: answered an HTML challenge page, not MARCXML"),
])
def test_the_library_s_bot_wall_must_be_named_with_what_to_do(
        replay: Replay, tmp_path: Path, wall, status: int | None, problem: str) -> None:
    healthy(replay)
    replay.pages["/search"] = wall
    checks = by_check(diagnose(settings_for(replay.url, tmp_path)))
    library = checks["TRACKER_UNDL_URL"]
    assert (library.ok, library.status, library.bot_wall, library.problem, library.advice) == (
        False, status, True, problem,
        "the Digital Library refuses the tracker: set TRACKER_UNDL_TOKEN to an API token of "
        "the Library, or import its voting dataset: tracker import undl-dataset FILE "
        "(record 4055387)")
    assert [c.check for c in checks.values() if not c.ok] == [library.check]


def test_a_refused_token_must_be_said_and_never_shown(replay: Replay, tmp_path: Path) -> None:
    healthy(replay)
    replay.pages["/api/v1/search"] = token_gate
    env = {"TRACKER_UN_ORG_URL": replay.url, "TRACKER_UNDL_URL": replay.url,
           "TRACKER_PRESS_URL": replay.url, "TRACKER_DOCS_URL": replay.url,
           "TRACKER_DATA_DIR": str(tmp_path / "data"), "TRACKER_REQUESTS_PER_SECOND": "0",
           "TRACKER_UNDL_TOKEN": "wrong-" + TOKEN}
    result = runner.invoke(app, ["doctor", "--format", "json"], env=env)
    assert result.exit_code == 1
    assert TOKEN not in result.output
    token = json.loads(result.stdout)[2]
    assert token == {
        "check": "TRACKER_UNDL_TOKEN",
        "target": f"{replay.url}/api/v1/search?p=191__a%3A%22S%2FRES%2F1874%282009%29%22"
                  "&format=xml",
        "ok": False, "sources": ["voting-records", "documents"], "status": 401,
        "latency_ms": token["latency_ms"], "bot_wall": None,
        "token": "refused", "robots": "no robots.txt (404): no rules", "crawl_delay": None,
        "problem": "the API route refused the token (401)",
        "advice": "the Digital Library does not accept TRACKER_UNDL_TOKEN: check it (copied "
                  "whole, not expired), or unset it and import the Library's voting dataset: "
                  "tracker import undl-dataset FILE"}
    (sent,) = [headers for path, headers in replay.requests if path.startswith("/api/v1/")]
    assert sent["Authorization"] == f"Token wrong-{TOKEN}"
    # the right token is accepted: no problem at all
    result = runner.invoke(app, ["doctor", "--format", "json"],
                           env={**env, "TRACKER_UNDL_TOKEN": TOKEN})
    assert result.exit_code == 0, result.output
    assert [(c["token"], c["ok"]) for c in json.loads(result.stdout)[1:3]] == [
        (None, True), ("accepted", True)]


def test_no_network_must_name_each_host_and_what_to_check(tmp_path: Path) -> None:
    """Every source on a closed port: each is unreachable, at once, with what to check."""
    port = closed_port()
    checks = diagnose(settings_for(f"http://127.0.0.1:{port}", tmp_path))
    assert [(c.ok, c.status, c.latency_ms, c.problem) for c in checks[:4]] == [
        (False, None, None, f"cannot reach 127.0.0.1:{port} (connection refused)")] * 4
    assert checks[0].advice == (
        "check the network connection and TRACKER_UN_ORG_URL; offline, the votes can be "
        "loaded from the Library's voting dataset: tracker import undl-dataset FILE")
    assert [c.ok for c in checks[4:]] == [True, True]


def test_json_output_must_parse_back_with_exact_fields(replay: Replay, tmp_path: Path) -> None:
    """--format json: a list of objects, one per check, every field named, exit 0 when
    healthy; the database's schema is named when the database exists."""
    healthy(replay)
    replay.pages["/robots.txt"] = b"User-agent: *\nDisallow: /private/\n"
    database = tmp_path / "tracker.sqlite"
    open_database(make_engine(f"sqlite:///{database}"))
    env = {"TRACKER_UN_ORG_URL": replay.url, "TRACKER_UNDL_URL": replay.url,
           "TRACKER_PRESS_URL": replay.url, "TRACKER_DOCS_URL": replay.url,
           "TRACKER_DATA_DIR": str(tmp_path / "data"), "TRACKER_REQUESTS_PER_SECOND": "0",
           "TRACKER_DATABASE_URL": f"sqlite:///{database}"}
    result = runner.invoke(app, ["doctor", "--format", "json"], env=env)
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert [list(c) for c in shown] == [[
        "check", "target", "ok", "sources", "status", "latency_ms", "bot_wall", "token", "robots",
        "crawl_delay", "problem", "advice"]] * 6
    assert shown[1] | {"latency_ms": 0} == {
        "check": "TRACKER_UNDL_URL", "target": f"{replay.url}{SEARCH_PAGE}", "ok": True,
        "sources": ["voting-records", "documents"], "status": 200, "latency_ms": 0,
        "bot_wall": False, "token": "not set", "robots": "allowed", "crawl_delay": None,
        "problem": None, "advice": None}
    assert shown[4] == {
        "check": "database", "target": f"sqlite:///{database} (schema current: "
                                       f"{head_revision()})",
        "ok": True, "sources": [], "status": None, "latency_ms": None, "bot_wall": None,
        "token": None,
        "robots": None, "crawl_delay": None, "problem": None, "advice": None}


def test_a_disallowed_path_and_a_crawl_delay_must_be_reported(replay: Replay,
                                                             tmp_path: Path) -> None:
    """robots.txt disallowing the Library's search: not asked, and the two ways around it
    said; its crawl delay shown where the path is allowed."""
    healthy(replay)
    replay.pages["/robots.txt"] = b"User-agent: *\nDisallow: /search\nCrawl-delay: 5\n"
    slept: list[float] = []
    from scrapers.http import PoliteClient

    with PoliteClient(requests_per_second=0, max_attempts=1, sleep=slept.append) as client:
        checks = by_check(diagnose(settings_for(replay.url, tmp_path), client=client))
    library = checks["TRACKER_UNDL_URL"]
    assert (library.ok, library.status, library.robots, library.crawl_delay, library.problem,
            library.advice) == (
        False, None, "disallowed", 5.0,
        f"{replay.url}/robots.txt disallows {replay.url}{SEARCH_PAGE} for unsc-tracker",
        "set TRACKER_UNDL_TOKEN to use the Digital Library's API route, or import the "
        "Library's voting dataset: tracker import undl-dataset FILE (record 4055387)")
    press = checks["TRACKER_PRESS_URL"]
    assert (press.ok, press.robots, press.crawl_delay) == (True, "allowed, crawl delay 5 s", 5.0)
    assert SEARCH_PAGE not in [path for path, _ in replay.requests]


def test_the_table_must_end_with_what_to_do_and_exit_1(tmp_path: Path) -> None:
    port = closed_port()
    url = f"http://127.0.0.1:{port}"
    env = {"TRACKER_UN_ORG_URL": url, "TRACKER_UNDL_URL": url, "TRACKER_PRESS_URL": url,
           "TRACKER_DOCS_URL": url, "TRACKER_DATA_DIR": str(tmp_path / "data"),
           "COLUMNS": "200"}
    result = runner.invoke(app, ["doctor"], env=env)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-4:] == [
        f"- {setting}: check the network connection and {setting}; offline, the votes can "
        "be loaded from the Library's voting dataset: tracker import undl-dataset FILE"
        for setting in ["TRACKER_UN_ORG_URL", "TRACKER_UNDL_URL", "TRACKER_PRESS_URL",
                        "TRACKER_DOCS_URL"]]
    assert result.stderr.splitlines()[-1] == "4 problem(s)"


def test_a_failed_sync_must_end_with_run_tracker_doctor(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    env = {"TRACKER_UN_ORG_URL": url, "TRACKER_UNDL_URL": url, "TRACKER_PRESS_URL": url,
           "TRACKER_DOCS_URL": url, "TRACKER_DATA_DIR": str(tmp_path / "data")}
    result = runner.invoke(app, ["sync", "--source", "veto-list"], env=env)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        "hint: to see why (each source asked once, the database checked), run "
        "`tracker doctor`")
