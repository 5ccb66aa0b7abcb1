"""The polite HTTP layer: User-Agent, pacing, retries that honour Retry-After, no retry on 404."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
import respx

from scrapers.http import (
    FetchError,
    NotFound,
    PoliteClient,
    TransientError,
    parse_retry_after,
)

URL = "https://un.example/page"


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


def client(time: FakeTime, **kwargs) -> PoliteClient:
    options = {"requests_per_second": 0, "max_attempts": 3, "backoff_initial": 0.5}
    options.update(kwargs)
    return PoliteClient(sleep=time.sleep, clock=time.clock, **options)


@respx.mock
def test_user_agent_names_the_project(tmp_path) -> None:
    """The sync's client names the project, its version and its address in every request
    (scrapers take the User-Agent from tracker; they do not import it)."""
    from tracker import PROJECT_URL, __version__
    from tracker.settings import Settings
    from tracker.sync import polite_client

    with respx.mock(assert_all_called=True) as router:
        robots = router.get("https://example.org/robots.txt").respond(404)
        route = router.get("https://example.org/x").respond(200, text="ok")
        with polite_client(Settings(requests_per_second=0, data_dir=tmp_path)) as http:
            http.get("https://example.org/x")
    assert route.calls[0].request.headers["User-Agent"] == (
        f"unsc-tracker/{__version__} (+{PROJECT_URL})")
    # robots.txt is asked for through the same client, naming the tracker too
    assert robots.calls[0].request.headers["User-Agent"] == (
        f"unsc-tracker/{__version__} (+{PROJECT_URL})")


@respx.mock
def test_404_must_not_be_retried() -> None:
    route = respx.get(URL).mock(return_value=httpx.Response(404))
    time = FakeTime()
    with client(time) as http, pytest.raises(NotFound):
        http.get(URL)
    assert route.call_count == 1 and time.sleeps == []


@respx.mock
def test_503_with_retry_after_waits_what_the_server_asks() -> None:
    route = respx.get(URL).mock(side_effect=[
        httpx.Response(503, headers={"Retry-After": "7"}),
        httpx.Response(429, headers={"Retry-After": "3"}),
        httpx.Response(200, content=b"ok"),
    ])
    time = FakeTime()
    with client(time) as http:
        assert http.get(URL).body == b"ok"
    assert route.call_count == 3
    assert time.sleeps == [7.0, 3.0]


@respx.mock
def test_failures_without_retry_after_back_off_then_raise_naming_the_url() -> None:
    respx.get(URL).mock(side_effect=httpx.ConnectError("connection reset"))
    time = FakeTime()
    with client(time) as http, pytest.raises(TransientError) as raised:
        http.get(URL)
    assert URL in str(raised.value)
    assert len(time.sleeps) == 2 and all(s > 0 for s in time.sleeps)


@respx.mock
def test_timeouts_are_retried() -> None:
    route = respx.get(URL).mock(side_effect=[httpx.ReadTimeout("slow"),
                                             httpx.Response(200, content=b"ok")])
    with client(FakeTime()) as http:
        assert http.get(URL).body == b"ok"
    assert route.call_count == 2


@respx.mock
def test_403_is_an_error_without_retry() -> None:
    route = respx.get(URL).mock(return_value=httpx.Response(403))
    with client(FakeTime()) as http, pytest.raises(FetchError, match="403"):
        http.get(URL)
    assert route.call_count == 1


@respx.mock
def test_oversized_responses_are_capped() -> None:
    respx.get(URL).mock(return_value=httpx.Response(200, content=b"x" * 2000))
    with client(FakeTime(), max_bytes=1000) as http, pytest.raises(FetchError, match="cap"):
        http.get(URL)


@respx.mock
def test_requests_to_one_host_are_paced() -> None:
    respx.get(URL).mock(return_value=httpx.Response(200, content=b"ok"))
    time = FakeTime()
    with client(time, requests_per_second=2) as http:
        http.get(URL)
        http.get(URL)
    assert time.sleeps == [0.5]


def test_parse_retry_after_reads_seconds_and_dates() -> None:
    now = dt.datetime(2024, 3, 28, 12, 0, tzinfo=dt.UTC)
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Thu, 28 Mar 2024 12:00:30 GMT", now=now) == 30.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
