"""Tests that kill the killable survivors of the first mutation run of scrapers/robots.py
(issue 18): what each answer to a robots.txt means (RFC 9309), what is archived and under
which id, with which status and history, the 24 h reuse, the crawl delay and its cap, and
the error's message. The other survivors are sorted, with their reasons, in the list of
accepted survivors. Each test asserts what a caller sees.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from types import SimpleNamespace

import pytest

from scrapers.archive import RawArchive
from scrapers.http import PoliteClient
from scrapers.robots import (
    AGENT,
    Disallowed,
    Robots,
    RobotsRules,
    origin_id,
    robots_url,
)
from tests.conftest import Replay
from tests.test_robots import DAY_ONE, FakeTime


def polite(time: FakeTime, archive: Path | None, *, agent: str = AGENT,
           advice: dict[str, str] | None = None) -> tuple[PoliteClient, Robots]:
    robots = Robots(RawArchive(archive) if archive is not None else None, agent=agent,
                    advice=advice, now=time.today)
    return PoliteClient(requests_per_second=0, max_attempts=2, sleep=time.sleep,
                        clock=time.clock, robots=robots), robots


def paths(replay: Replay) -> list[str]:
    return [path for path, _ in replay.requests]


def page_id(replay: Replay) -> str:
    return "http_127.0.0.1_" + replay.url.rsplit(":", 1)[1]


def answer(status: int, body: bytes = b"") -> Callable[[BaseHTTPRequestHandler], None]:
    def handler(request: BaseHTTPRequestHandler) -> None:
        request.send_response(status)
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)
    return handler


def kept(archive: Path, replay: Replay) -> tuple[object, ...]:
    found = RawArchive(archive).load("robots", page_id(replay))
    assert found is not None
    return (found.url, found.status, found.body, found.fetched_at, found.checked_at)


# --- the archive's page id, the robots.txt's address ----------------------------------------


@pytest.mark.parametrize(("url", "expected"), [
    # no port named: none in the id (origin_id__mutmut_6 wrote "_None", _7 "XXXX")
    ("https://digitallibrary.un.org/search?ln=en", "https_digitallibrary.un.org"),
    ("https://press.un.org:443/en/2024/sc15648.doc.htm", "https_press.un.org"),
    ("http://127.0.0.1:8080/a", "http_127.0.0.1_8080"),
    # an IPv6 replay: its colons are not safe in a file name (_15 kept them, _18 "XX_XX")
    ("http://[::1]:8080/a", "http__1_8080"),
    # a fully qualified name's final dot is stripped: the same host, the same id (_8)
    ("https://digitallibrary.un.org./search", "https_digitallibrary.un.org"),
    # an international name in its ASCII form: two hosts differing only in non-ASCII letters
    # keep apart (both were "https__.example")
    ("https://ü.example/a", "https_xn--tda.example"),
    ("https://ö.example/a", "https_xn--nda.example"),
])
def test_the_archive_id_of_an_origin_is_safe_and_names_its_port_only_when_given(
        url: str, expected: str) -> None:
    assert origin_id(url) == expected


def test_the_robots_txt_of_a_url_drops_its_path_query_and_fragment() -> None:
    """robots_url__mutmut_7 kept the fragment: ``/robots.txt#top``."""
    assert robots_url("https://press.un.org/en/2024/sc15648.doc.htm?x=1#top") == (
        "https://press.un.org/robots.txt")


# --- RobotsRules ----------------------------------------------------------------------------


def test_a_robots_txt_that_is_not_utf_8_is_still_read() -> None:
    """A Latin-1 comment in a robots.txt: its rules apply (__post_init____mutmut_7 raised
    UnicodeDecodeError, _10 and _11 LookupError)."""
    found = RobotsRules("https://h/robots.txt", 200,
                        b"# R\xe9pertoire\nUser-agent: *\nDisallow: /search\nCrawl-delay: 2\n")
    assert found.allows("https://h/search?p=1") is False
    assert found.allows("https://h/record/1") is True
    assert found.crawl_delay == 2.0


def test_the_body_of_an_answer_other_than_200_gives_no_rules() -> None:
    """RobotsRules with a 4xx: no rules, whatever its body (__post_init____mutmut_3 read it)."""
    found = RobotsRules("https://h/robots.txt", 404,
                        b"User-agent: *\nDisallow: /\nCrawl-delay: 9\n")
    assert found.allows("https://h/search") is True
    assert found.crawl_delay is None


# --- what each answer means and how it is archived ------------------------------------------


def test_a_200_is_archived_with_no_status_and_reused_for_a_day(
        replay: Replay, tmp_path: Path) -> None:
    """The rules of a 200 are archived as content (no status: _keep__mutmut_19 and _22 wrote
    200), the robots.txt asked is listed once (_read__mutmut_19 listed None), and a second run
    the same day reads the archived copy, naming its address (_read__mutmut_9 named None)."""
    rules = b"User-agent: *\nDisallow: /search\n"
    replay.pages.update({"/robots.txt": rules, "/a": b"a", "/search": b"s"})
    time = FakeTime()
    http, robots = polite(time, tmp_path)
    with http:
        assert http.get(f"{replay.url}/a").body == b"a"
    assert robots.fetched == [f"{replay.url}/robots.txt"]
    assert kept(tmp_path, replay) == (f"{replay.url}/robots.txt", None, rules, DAY_ONE, DAY_ONE)
    meta = json.loads((tmp_path / "robots" / f"{page_id(replay)}.json").read_text())
    assert "status" not in meta
    time.date = DAY_ONE + dt.timedelta(hours=1)
    http, robots = polite(time, tmp_path)
    with http, pytest.raises(Disallowed) as refused:
        http.get(f"{replay.url}/search")
    assert robots.fetched == []
    assert paths(replay) == ["/robots.txt", "/a"]
    assert str(refused.value) == (
        f"{replay.url}/search: not fetched: {replay.url}/robots.txt disallows this path for "
        "unsc-tracker")
    assert refused.value.url == f"{replay.url}/search"


def test_the_day_of_reuse_counts_from_when_the_robots_txt_was_last_asked_for(
        replay: Replay, tmp_path: Path) -> None:
    """Asked on day one and, unchanged, 25 h later: 26 h after day one it is 1 h old, not
    asked again (_read__mutmut_7 counted from the first fetch and asked)."""
    replay.pages.update({"/robots.txt": b"User-agent: *\nCrawl-delay: 5\n", "/a": b"a"})
    time = FakeTime()
    for hours in (0, 25, 26):
        time.date = DAY_ONE + dt.timedelta(hours=hours)
        http, _ = polite(time, tmp_path)
        with http:
            http.get(f"{replay.url}/a")
    assert paths(replay) == ["/robots.txt", "/a", "/robots.txt", "/a", "/a"]
    assert kept(tmp_path, replay) == (f"{replay.url}/robots.txt", None,
                                      b"User-agent: *\nCrawl-delay: 5\n", DAY_ONE,
                                      DAY_ONE + dt.timedelta(hours=25))


def test_a_changed_robots_txt_keeps_its_earlier_version_in_the_history(
        replay: Replay, tmp_path: Path) -> None:
    """_keep__mutmut_18 (history=False) and _7 (history=None) lost the earlier rules."""
    replay.pages.update({"/robots.txt": b"User-agent: *\nCrawl-delay: 5\n", "/a": b"a"})
    time = FakeTime()
    http, _ = polite(time, tmp_path)
    with http:
        http.get(f"{replay.url}/a")
    replay.pages["/robots.txt"] = b"User-agent: *\nCrawl-delay: 2\n"
    time.date = DAY_ONE + dt.timedelta(days=2)
    http, _ = polite(time, tmp_path)
    with http:
        http.get(f"{replay.url}/a")
    history = tmp_path / "robots" / "history"
    assert sorted(p.name for p in history.iterdir()) == [
        f"{page_id(replay)}.20260301T090000.body", f"{page_id(replay)}.20260301T090000.json"]
    assert (history / f"{page_id(replay)}.20260301T090000.body").read_bytes() == (
        b"User-agent: *\nCrawl-delay: 5\n")
    assert kept(tmp_path, replay) == (f"{replay.url}/robots.txt", None,
                                      b"User-agent: *\nCrawl-delay: 2\n",
                                      DAY_ONE + dt.timedelta(days=2),
                                      DAY_ONE + dt.timedelta(days=2))


@pytest.mark.parametrize("status", [400, 401, 403, 410])
def test_a_4xx_robots_txt_means_no_rules_and_is_archived_with_its_status(
        replay: Replay, tmp_path: Path, status: int) -> None:
    """RFC 9309 2.3.1.3: a 4xx other than 429 is "unavailable": no rules. Kept as an empty
    body with its status (_read__mutmut_63 to _73 on the 401/403 line; _59 and _60 raised on
    a 400; _33 archived a 410 as 404), and a second run the same day asks no robots.txt."""
    replay.pages.update({"/robots.txt": answer(status, b"User-agent: *\nDisallow: /\n"),
                         "/a": b"a"})
    time = FakeTime()
    for _ in range(2):
        http, _robots = polite(time, tmp_path)
        with http:
            assert http.get(f"{replay.url}/a").body == b"a"
            assert http.get(f"{replay.url}/a").body == b"a"
    assert paths(replay) == ["/robots.txt", "/a", "/a", "/a", "/a"]
    assert time.sleeps == []
    assert kept(tmp_path, replay) == (f"{replay.url}/robots.txt", status, b"", DAY_ONE, DAY_ONE)


def test_a_202_robots_txt_gives_no_rules_and_is_archived_empty_with_its_status(
        replay: Replay, tmp_path: Path) -> None:
    """A bot wall's 202: its body is not rules; kept empty with status 202
    (_read__mutmut_76 to _86)."""
    replay.pages.update({"/robots.txt": answer(202, b"User-agent: *\nDisallow: /\n"),
                         "/a": b"a"})
    time = FakeTime()
    for _ in range(2):
        http, _robots = polite(time, tmp_path)
        with http:
            assert http.get(f"{replay.url}/a").body == b"a"
    assert paths(replay) == ["/robots.txt", "/a", "/a"]
    assert kept(tmp_path, replay) == (f"{replay.url}/robots.txt", 202, b"", DAY_ONE, DAY_ONE)


def test_a_503_with_an_old_copy_names_the_copys_address(
        replay: Replay, tmp_path: Path) -> None:
    """The last copy, however old, applies; the refusal names its robots.txt
    (_read__mutmut_36 named None)."""
    replay.pages.update({"/robots.txt": answer(503), "/search": b"s"})
    RawArchive(tmp_path).save("robots", page_id(replay), f"{replay.url}/robots.txt",
                              b"User-agent: *\nDisallow: /search\n",
                              DAY_ONE - dt.timedelta(days=40),
                              checked_at=DAY_ONE - dt.timedelta(days=40))
    time = FakeTime()
    http, _ = polite(time, tmp_path)
    with http, pytest.raises(Disallowed) as refused:
        http.get(f"{replay.url}/search")
    assert str(refused.value) == (
        f"{replay.url}/search: not fetched: {replay.url}/robots.txt disallows this path for "
        "unsc-tracker")
    assert paths(replay) == ["/robots.txt", "/robots.txt"]


def test_with_no_archive_the_robots_txt_is_read_and_nothing_is_kept(
        replay: Replay, tmp_path: Path) -> None:
    """The doctor's Robots(None): read afresh each time (_archived__mutmut_2 called
    None.load)."""
    replay.pages.update({"/robots.txt": b"User-agent: *\nCrawl-delay: 3\n", "/a": b"a"})
    time = FakeTime()
    for _ in range(2):
        http, robots = polite(time, None)
        with http:
            assert robots.check(http, f"{replay.url}/a") == 3.0
        assert robots.fetched == [f"{replay.url}/robots.txt"]
    assert paths(replay) == ["/robots.txt", "/robots.txt"]
    assert list(tmp_path.iterdir()) == []


def test_the_rules_are_read_for_the_robots_agent_fresh_archived_or_kept_through_a_503(
        replay: Replay, tmp_path: Path) -> None:
    """Robots(agent=...): its own group of rules, whether just fetched (_keep__mutmut_30),
    archived within the day (_read__mutmut_16) or the old copy kept through a 503 (_43)."""
    rules = b"User-agent: otherbot\nDisallow: /\n\nUser-agent: *\nAllow: /\n"
    replay.pages.update({"/robots.txt": rules, "/a": b"a"})
    time = FakeTime()
    message = (f"{replay.url}/a: not fetched: {replay.url}/robots.txt disallows this path "
               "for otherbot")
    for date in (DAY_ONE, DAY_ONE + dt.timedelta(hours=1), DAY_ONE + dt.timedelta(days=3)):
        if date > DAY_ONE + dt.timedelta(days=1):
            replay.pages["/robots.txt"] = answer(503)
        time.date = date
        http, _ = polite(time, tmp_path, agent="otherbot")
        with http, pytest.raises(Disallowed) as refused:
            http.get(f"{replay.url}/a")
        assert str(refused.value) == message
    assert paths(replay) == ["/robots.txt", "/robots.txt", "/robots.txt"]


# --- Robots.check: the refusals and their advice --------------------------------------------


def test_a_disallowed_path_with_advice_for_the_bare_host_names_it(
        replay: Replay, tmp_path: Path) -> None:
    """Advice given per host, without the port the URL names: still found
    (check__mutmut_13); with no advice the message ends at the agent (_14, _21, _22)."""
    replay.pages.update({"/robots.txt": b"User-agent: *\nDisallow: /search\n"})
    time = FakeTime()
    http, _ = polite(time, tmp_path, advice={"127.0.0.1": "import the dataset instead"})
    with http, pytest.raises(Disallowed) as refused:
        http.get(f"{replay.url}/search")
    assert str(refused.value) == (
        f"{replay.url}/search: not fetched: {replay.url}/robots.txt disallows this path for "
        "unsc-tracker; import the dataset instead")
    http, _ = polite(time, tmp_path, advice={"example.org": "not this one"})
    with http, pytest.raises(Disallowed) as refused:
        http.get(f"{replay.url}/search")
    assert str(refused.value) == (
        f"{replay.url}/search: not fetched: {replay.url}/robots.txt disallows this path for "
        "unsc-tracker")


def test_a_crawl_delay_of_60_s_is_obeyed(replay: Replay, tmp_path: Path) -> None:
    """The cap is "more than 60 s" (check__mutmut_26 refused 60)."""
    replay.pages.update({"/robots.txt": b"User-agent: *\nCrawl-delay: 60\n", "/a": b"a"})
    time = FakeTime()
    http, _ = polite(time, tmp_path)
    with http:
        http.get(f"{replay.url}/a")
        http.get(f"{replay.url}/a")
    assert paths(replay) == ["/robots.txt", "/a", "/a"]
    assert time.sleeps == [60.0, 60.0]  # after the robots.txt, then after the first page


def test_a_crawl_delay_over_the_cap_is_refused_naming_the_url_and_the_advice(
        replay: Replay, tmp_path: Path) -> None:
    """The refusal names the page (check__mutmut_33 named None); advice for the bare host is
    found (_31); with none, the message ends at "sync" (_32, _41, _42)."""
    replay.pages.update({"/robots.txt": b"User-agent: *\nCrawl-delay: 61\n", "/a": b"a"})
    time = FakeTime()
    slow = (f"{replay.url}/a: not fetched: {replay.url}/robots.txt asks 61 s between two "
            "requests (more than 60 s), too slow to sync")
    http, _ = polite(time, tmp_path, advice={"127.0.0.1": "sync the other sources"})
    with http, pytest.raises(Disallowed) as refused:
        http.get(f"{replay.url}/a")
    assert str(refused.value) == slow + "; sync the other sources"
    assert refused.value.url == f"{replay.url}/a"
    http, _ = polite(time, tmp_path)
    with http, pytest.raises(Disallowed) as refused:
        http.get(f"{replay.url}/a")
    assert str(refused.value) == slow
    assert paths(replay) == ["/robots.txt"] and time.sleeps == []


def test_two_hosts_differing_only_in_non_ascii_letters_each_have_their_own_rules() -> None:
    """ü.example forbids everything, ö.example nothing: each host's robots.txt is asked for,
    and ö.example is not judged by ü.example's rules (one archive id for both did that)."""
    asked: list[str] = []

    class Client:
        def get(self, url: str) -> SimpleNamespace:
            asked.append(url)
            body = (b"User-agent: *\nDisallow: /\n" if "xn--tda" in url
                    else b"User-agent: *\nAllow: /\n")
            return SimpleNamespace(status=200, body=body)

    robots = Robots(None)
    with pytest.raises(Disallowed):
        robots.check(Client(), "https://ü.example/a")  # type: ignore[arg-type]
    robots.check(Client(), "https://ö.example/a")  # type: ignore[arg-type]
    assert asked == ["https://xn--tda.example/robots.txt", "https://xn--nda.example/robots.txt"]
