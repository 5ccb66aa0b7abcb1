"""robots.txt: read once per host, obeyed (its pace and its disallowed paths), archived and
reused for a day; 404 means no rules, 5xx means nothing fetched (RFC 9309)."""

from __future__ import annotations

import datetime as dt
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from sqlalchemy import Engine

from scrapers.archive import RawArchive
from scrapers.http import PoliteClient
from scrapers.robots import Disallowed, Robots, RobotsRules, RobotsUnavailable
from tests.conftest import Replay
from tracker.settings import Settings
from tracker.sync import polite_client, sync

DAY_ONE = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


class FakeTime:
    """The client's pause and clock, and the archive's date: no real waiting."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []
        self.date = DAY_ONE

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now

    def today(self) -> dt.datetime:
        return self.date


def client(time: FakeTime, archive: Path, *, requests_per_second: float = 0,
           advice: dict[str, str] | None = None) -> PoliteClient:
    robots = Robots(RawArchive(archive), advice=advice, now=time.today)
    return PoliteClient(requests_per_second=requests_per_second, max_attempts=2,
                        sleep=time.sleep, clock=time.clock, robots=robots)


def paths(replay: Replay) -> list[str]:
    return [path for path, _ in replay.requests]


def test_crawl_delay_must_pace_the_client_even_when_the_settings_say_no_pause(
        replay: Replay, tmp_path: Path) -> None:
    """Crawl-delay: 5 must put 5 s between two requests to the host, with
    requests_per_second=0; robots.txt is asked once, before the first page."""
    replay.pages.update({"/robots.txt": b"User-agent: *\nCrawl-delay: 5\n",
                         "/a": b"a", "/b": b"b"})
    time = FakeTime()
    with client(time, tmp_path) as http:
        assert http.get(f"{replay.url}/a").body == b"a"
        assert http.get(f"{replay.url}/b").body == b"b"
    assert paths(replay) == ["/robots.txt", "/a", "/b"]
    assert time.sleeps == [5.0, 5.0]


@pytest.mark.parametrize(("rules", "requests_per_second", "pause"), [
    (b"User-agent: *\nRequest-rate: 1/10\n", 0, 10.0),  # Request-rate n/s: s/n seconds
    (b"User-agent: *\nCrawl-delay: 5\n", 1.0, 5.0),  # robots.txt slower than the settings
    (b"User-agent: *\nCrawl-delay: 5\n", 0.1, 10.0),  # the settings slower: theirs wins
    (b"User-agent: otherbot\nCrawl-delay: 60\n\nUser-agent: unsc-tracker\nCrawl-delay: 3\n",
     0, 3.0),  # the group naming the tracker, not another agent's
])
def test_the_slower_of_robots_txt_and_the_settings_must_win(
        replay: Replay, tmp_path: Path, rules: bytes, requests_per_second: float,
        pause: float) -> None:
    replay.pages.update({"/robots.txt": rules, "/a": b"a", "/b": b"b"})
    time = FakeTime()
    with client(time, tmp_path, requests_per_second=requests_per_second) as http:
        http.get(f"{replay.url}/a")
        http.get(f"{replay.url}/b")
    assert time.sleeps == [pause, pause]


def test_a_disallowed_path_must_not_be_fetched_and_the_error_must_say_what_to_do(
        replay: Replay, tmp_path: Path) -> None:
    replay.pages.update({"/robots.txt": b"User-agent: *\nDisallow: /search\n",
                         "/search": b"<collection/>", "/record/1": b"r"})
    host = replay.url.removeprefix("http://")
    time = FakeTime()
    with client(time, tmp_path, advice={host: "import the dataset instead"}) as http:
        with pytest.raises(Disallowed) as raised:
            http.get(f"{replay.url}/search", params={"p": "x"})
        assert http.get(f"{replay.url}/record/1").body == b"r"  # what it allows is fetched
    assert str(raised.value) == (
        f"{replay.url}/search?p=x: not fetched: {replay.url}/robots.txt disallows this path "
        "for unsc-tracker; import the dataset instead")
    assert paths(replay) == ["/robots.txt", "/record/1"]


def test_a_sync_must_name_the_sources_and_the_token_route_when_the_library_disallows_search(
        replay: Replay, settings: Settings, sqlite_engine: Engine) -> None:
    """The sync's own client obeys robots.txt: the Digital Library's /search disallowed, the
    voting records are not fetched, and the problem names the sources, the setting and the
    two ways around it (the token's API route, the dataset import)."""
    replay.pages.update({"/robots.txt": b"User-agent: *\nDisallow: /search\n",
                         "/search": b"<collection/>"})
    settings = settings.model_copy(update={"undl_url": replay.url})
    summary = sync(sqlite_engine, settings, sources=["voting-records"])
    assert not summary.ok
    assert summary.problems == [
        f"{replay.url}/search?ln=en&cc=Voting+Data&c=Voting+Data&fct__2=Security+Council"
        "&of=xm&rg=200&jrec=1&so=d: not fetched: "
        f"{replay.url}/robots.txt disallows this path for unsc-tracker; the sources "
        "voting-records, documents (TRACKER_UNDL_URL) cannot use it; set TRACKER_UNDL_TOKEN "
        "to use the Digital Library's API route (/api/v1/search), or import the Library's "
        "voting dataset instead: `tracker import undl-dataset FILE` (record 4055387)"]
    assert paths(replay) == ["/robots.txt"]


def test_no_robots_txt_must_mean_no_rules_and_no_pause(replay: Replay, tmp_path: Path) -> None:
    """A replay that serves no robots.txt (404) stays as fast as the settings say, and the
    404 is archived as such (an empty body, status 404)."""
    replay.pages.update({"/a": b"a", "/b": b"b"})
    time = FakeTime()
    with client(time, tmp_path) as http:
        http.get(f"{replay.url}/a")
        http.get(f"{replay.url}/b")
    assert paths(replay) == ["/robots.txt", "/a", "/b"]
    assert time.sleeps == []
    kept = RawArchive(tmp_path).load("robots", "http_127.0.0.1_" + replay.url.split(":")[-1])
    assert kept is not None
    assert (kept.url, kept.status, kept.body, kept.checked_at) == (
        f"{replay.url}/robots.txt", 404, b"", DAY_ONE)


def test_the_sync_client_reads_robots_txt_once_per_host_per_run(
        replay: Replay, settings: Settings) -> None:
    replay.pages.update({"/a": b"a", "/b": b"b"})
    with polite_client(settings) as http:
        http.get(f"{replay.url}/a")
        http.get(f"{replay.url}/b")
        http.get(f"{replay.url}/a")
    assert paths(replay) == ["/robots.txt", "/a", "/b", "/a"]
    assert [p.name for p in sorted((settings.raw_dir / "robots").iterdir())] == [
        f"http_127.0.0.1_{replay.url.split(':')[-1]}.body",
        f"http_127.0.0.1_{replay.url.split(':')[-1]}.json"]


def test_an_archived_robots_txt_must_be_reused_for_a_day_then_asked_again(
        replay: Replay, tmp_path: Path) -> None:
    """A second run the same day asks no robots.txt and keeps its pace; a day after it was
    last asked for, it is asked again (RFC 9309 2.4)."""
    replay.pages.update({"/robots.txt": b"User-agent: *\nCrawl-delay: 5\n", "/a": b"a"})
    time = FakeTime()
    for _ in range(2):
        with client(time, tmp_path) as http:
            http.get(f"{replay.url}/a")
            http.get(f"{replay.url}/a")
    assert paths(replay) == ["/robots.txt", "/a", "/a", "/a", "/a"]
    assert time.sleeps == [5.0, 5.0, 5.0]  # the second run paced by the archived copy
    time.date = DAY_ONE + dt.timedelta(hours=23, minutes=59)
    with client(time, tmp_path) as http:
        http.get(f"{replay.url}/a")
    assert paths(replay)[5:] == ["/a"]
    time.date = DAY_ONE + dt.timedelta(hours=24)
    with client(time, tmp_path) as http:
        http.get(f"{replay.url}/a")
    assert paths(replay)[6:] == ["/robots.txt", "/a"]


def _unavailable(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(503)
    handler.send_header("Content-Length", "0")
    handler.end_headers()


def test_a_robots_txt_answering_503_must_stop_the_host_unless_a_copy_is_archived(
        replay: Replay, tmp_path: Path) -> None:
    """RFC 9309 2.3.1.4: a robots.txt that cannot be read (5xx) disallows everything: no
    page of the host is fetched, and robots.txt is not asked again in the run; with an
    archived copy, however old, that copy's rules apply."""
    replay.pages.update({"/robots.txt": _unavailable, "/a": b"a"})
    time = FakeTime()
    with client(time, tmp_path) as http:
        for _ in range(2):
            with pytest.raises(RobotsUnavailable) as raised:
                http.get(f"{replay.url}/a")
    assert paths(replay) == ["/robots.txt", "/robots.txt"]  # its own two attempts, once
    assert str(raised.value) == (
        f"{replay.url}/robots.txt: could not be read (server answered 503) and no copy is "
        "archived: nothing is fetched from this host until it can be (RFC 9309: a "
        "robots.txt that cannot be read disallows everything); try again later")
    page_id = "http_127.0.0.1_" + replay.url.split(":")[-1]
    RawArchive(tmp_path).save("robots", page_id, f"{replay.url}/robots.txt",
                              b"User-agent: *\nCrawl-delay: 7\n", DAY_ONE - dt.timedelta(days=40),
                              checked_at=DAY_ONE - dt.timedelta(days=40))
    with client(time, tmp_path) as http:
        http.get(f"{replay.url}/a")
        http.get(f"{replay.url}/a")
    assert paths(replay)[2:] == ["/robots.txt", "/robots.txt", "/a", "/a"]
    assert time.sleeps[-1] == 7.0


def test_the_advice_must_fit_each_host_and_the_token(settings: Settings) -> None:
    """Per host, the sources and settings it serves; for the Library, the token route only
    when no token is set (a token does not lift a robots.txt rule)."""
    from pydantic import SecretStr

    from tracker.sync import robots_advice

    settings = settings.model_copy(update={"undl_url": "https://digitallibrary.un.org",
                                           "press_url": "https://press.un.org",
                                           "docs_url": "https://documents.un.org"})
    assert robots_advice(settings) == {
        "127.0.0.1:9": "the sources meetings, veto-list (TRACKER_UN_ORG_URL) cannot use it; "
                       "point the setting at a mirror that allows it, or sync the other sources",
        "digitallibrary.un.org": "the sources voting-records, documents (TRACKER_UNDL_URL) "
                                 "cannot use it; set TRACKER_UNDL_TOKEN to use the Digital "
                                 "Library's API route (/api/v1/search), or import the "
                                 "Library's voting dataset instead: `tracker import "
                                 "undl-dataset FILE` (record 4055387)",
        "press.un.org": "the sources press-releases (TRACKER_PRESS_URL) cannot use it; point "
                        "the setting at a mirror that allows it, or sync the other sources",
        "documents.un.org": "the sources meeting-records (TRACKER_DOCS_URL) cannot use it; "
                            "point the setting at a mirror that allows it, or sync the other "
                            "sources"}
    with_token = settings.model_copy(update={"undl_token": SecretStr("k")})
    assert robots_advice(with_token)["digitallibrary.un.org"] == (
        "the sources voting-records, documents (TRACKER_UNDL_URL) cannot use it; a token does "
        "not lift it: import the Library's voting dataset instead: `tracker import "
        "undl-dataset FILE` (record 4055387)")


@pytest.mark.parametrize(("rules", "url", "allowed"), [
    # the longest matching rule wins, whatever the order (RFC 9309 2.2.2)
    ("Allow: /\nDisallow: /search\n", "https://h/search?p=x", False),
    ("Disallow: /search\nAllow: /search/public\n", "https://h/search/public?p=x", True),
    # "*" matches any run of characters, "$" the end of the path
    ("Disallow: /*?ln=\n", "https://h/search?ln=en", False),
    ("Disallow: /record/*/export\n", "https://h/record/123/export/xm", False),
    ("Disallow: /record/*/export\n", "https://h/record/123/files/x.csv", True),
    ("Disallow: /*.htm$\n", "https://h/en/2024/sc15648.doc.htm", False),
    ("Disallow: /*.htm$\n", "https://h/en/2024/sc15648.doc.html", True),
    # a tie between Allow and Disallow goes to Allow
    ("Disallow: /en/\nAllow: /en/\n", "https://h/en/rss.xml", True),
])
def test_the_rules_are_matched_as_rfc_9309_says(rules: str, url: str, allowed: bool) -> None:
    found = RobotsRules("https://h/robots.txt", 200, f"User-agent: *\n{rules}".encode())
    assert found.allows(url) is allowed


def test_a_fraction_of_a_second_and_a_request_rate_are_read() -> None:
    half = RobotsRules("https://h/robots.txt", 200, b"User-agent: *\nCrawl-delay: 0.5\n")
    assert half.crawl_delay == 0.5
    rate = RobotsRules("https://h/robots.txt", 200,
                       b"User-agent: *\nCrawl-delay: 2\nRequest-rate: 1/10s\n")
    assert rate.crawl_delay == 10.0  # the larger of the two


def test_a_crawl_delay_of_hours_is_refused_not_slept(replay: Replay, tmp_path: Path) -> None:
    replay.pages["/robots.txt"] = b"User-agent: *\nCrawl-delay: 3600\n"
    replay.pages["/page"] = b"ok"
    time = FakeTime()
    advice = {f"127.0.0.1:{replay.url.rsplit(':', 1)[1]}": "import the dataset instead"}
    with client(time, tmp_path, advice=advice) as polite, \
            pytest.raises(Disallowed) as refused:
        polite.get(replay.url + "/page")
    assert str(refused.value).endswith(
        "robots.txt asks 3600 s between two requests (more than 60 s), too slow to sync; "
        "import the dataset instead")
    assert paths(replay) == ["/robots.txt"] and time.sleeps == []
