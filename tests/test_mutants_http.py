"""Tests that kill the surviving mutants of the HTTP client, scrapers/http.py (issue 18,
mutation testing): each asserts what a caller sees (the response, the error and its
message, the waits asked of the sleep function), on a transport of its own.
"""

from __future__ import annotations

import datetime as dt
import errno
import gzip
import itertools
import time
import zlib
from collections.abc import Callable

import httpcore
import httpx
import pytest

from scrapers.http import (
    DECODE_PIECE,
    MAX_RETRY_AFTER,
    FetchError,
    HostUnreachable,
    NotFound,
    PoliteClient,
    TransientError,
    _causes,
    _Deadline,
    _DeadlineStream,
    _inflate,
    parse_retry_after,
)

URL = "https://library.example/page"


def answer(status: int, content: bytes = b"", headers: dict[str, str] | None = None
           ) -> httpx.Response:
    """A response whose body streams as a server's does (read once, raw)."""
    return httpx.Response(status, headers=headers, stream=httpx.ByteStream(content))


def client(handler: Callable[[httpx.Request], httpx.Response], **options: object
           ) -> tuple[PoliteClient, list[float]]:
    waits: list[float] = []
    options.setdefault("requests_per_second", 0)
    polite = PoliteClient(transport=httpx.MockTransport(handler), sleep=waits.append,
                          **options)  # type: ignore[arg-type]
    return polite, waits


def test_a_page_must_come_back_with_what_the_server_said() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answer(200, content=b"<p>ok</p>", headers={"ETag": '"1"'})

    polite, waits = client(handler, user_agent="tracker/1 (x@example.org)",
                           headers={"X-Token": "t"})
    with polite:
        before = dt.datetime.now(dt.UTC)
        response = polite.get(URL, params={"p": "1"}, headers={"If-None-Match": '"0"'})
    assert (response.url, response.status, response.body, response.final_url) == (
        URL + "?p=1", 200, b"<p>ok</p>", None)
    assert response.headers["etag"] == '"1"'
    assert before <= response.fetched_at <= dt.datetime.now(dt.UTC)
    assert seen[0].headers["User-Agent"] == "tracker/1 (x@example.org)"
    assert seen[0].headers["Accept-Encoding"] == "gzip, deflate"
    assert (seen[0].headers["X-Token"], seen[0].headers["If-None-Match"]) == ("t", '"0"')
    assert polite.requests == 1 and waits == []


def test_a_redirect_must_keep_the_url_asked_for_and_the_one_that_answered() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/page":
            return answer(301, headers={"Location": "https://library.example/new"})
        return answer(200, content=b"moved")

    polite, _ = client(handler)
    response = polite.get(URL)
    assert (response.url, response.final_url, response.body) == (
        URL, "https://library.example/new", b"moved")


def test_a_redirect_loop_must_be_a_fetch_error_naming_the_url() -> None:
    polite, _ = client(lambda request: answer(302, headers={"Location": URL}))
    with pytest.raises(FetchError) as caught:
        polite.get(URL)
    assert str(caught.value) == (f"{URL}: redirect loop: more than 5 redirects (the last to "
                                 f"{URL})")
    assert polite.requests == 1


@pytest.mark.parametrize(("status", "error", "message"), [
    (404, NotFound, "not found (404)"),
    (410, NotFound, "not found (410)"),
    (400, FetchError, "server refused the request (400)"),
    (403, FetchError, "server refused the request (403)"),
    (499, FetchError, "server refused the request (499)"),
])
def test_a_refusal_must_not_be_retried(status: int, error: type, message: str) -> None:
    polite, waits = client(lambda request: answer(status))
    with pytest.raises(FetchError) as caught:
        polite.get(URL)
    assert type(caught.value) is error
    assert (str(caught.value), caught.value.url, caught.value.status) == (
        f"{URL}: {message}", URL, status)
    assert (polite.requests, waits) == (1, [])


@pytest.mark.parametrize("status", [429, 500, 503, 599])
def test_a_transient_failure_must_be_retried_as_the_server_asks(status: int) -> None:
    polite, waits = client(lambda request: answer(status, headers={"Retry-After": "7"}),
                           max_attempts=3)
    with pytest.raises(TransientError) as caught:
        polite.get(URL)
    assert (str(caught.value), caught.value.status, caught.value.retry_after) == (
        f"{URL}: server answered {status}", status, 7.0)
    assert (polite.requests, waits) == (3, [7.0, 7.0])


def test_a_retry_after_must_be_capped_and_a_missing_one_backs_off() -> None:
    answers = iter([answer(503, headers={"Retry-After": "86400"}), answer(503),
                    answer(503), answer(200, content=b"at last")])
    polite, waits = client(lambda request: next(answers), backoff_initial=2.0,
                           backoff_max=5.0)
    assert polite.get(URL).body == b"at last"
    assert waits[0] == MAX_RETRY_AFTER == 300.0
    # exponential from 2 s (4 s at the second attempt, 8 capped at 5 s at the third), plus up
    # to 2 s of jitter
    assert 4.0 <= waits[1] <= 6.0 and 5.0 <= waits[2] <= 7.0
    assert polite.requests == 4


def test_a_dropped_connection_must_be_retried_then_named() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    polite, waits = client(handler, max_attempts=2, backoff_initial=1.0, backoff_max=1.0)
    with pytest.raises(TransientError) as caught:
        polite.get(URL)
    assert str(caught.value) == f"{URL}: connection failed: refused"
    assert polite.requests == 2 and len(waits) == 1 and 1.0 <= waits[0] <= 2.0


def test_a_timeout_must_be_named_with_its_setting() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    polite, _ = client(handler, max_attempts=1, timeout=2.5)
    with pytest.raises(TransientError) as caught:
        polite.get(URL)
    assert str(caught.value) == (f"{URL}: timed out: no whole answer within 2.5 s "
                                 "(TRACKER_TIMEOUT_SECONDS; ReadTimeout)")


def test_requests_to_one_host_must_be_paced() -> None:
    now = [100.0]
    polite, waits = client(lambda request: answer(200), requests_per_second=2,
                           clock=lambda: now[0])
    assert polite.min_interval == 0.5
    polite.get(URL)
    now[0] += 0.125
    polite.get(URL)
    polite.get("https://other.example/")
    now[0] += 0.5
    polite.get(URL)
    assert waits == [0.375]
    assert PoliteClient(requests_per_second=0).min_interval == 0.0


@pytest.mark.parametrize(("coding", "encode"), [
    ("gzip", gzip.compress),
    ("x-gzip", gzip.compress),
    ("deflate", zlib.compress),
    ("deflate", lambda body: zlib.compress(body)[2:-4]),  # raw deflate, no zlib header
    ("identity", lambda body: body),
    ("gzip, identity, gzip", lambda body: gzip.compress(gzip.compress(body))),
    ("gzip", lambda body: gzip.compress(body[:1000]) + gzip.compress(body[1000:])),
])
def test_an_encoded_body_must_be_decoded(coding: str, encode: Callable[[bytes], bytes]) -> None:
    body = bytes(range(256)) * 700  # more than one piece of 64 KiB
    polite, _ = client(lambda request: answer(
        200, content=encode(body), headers={"Content-Encoding": coding}))
    assert polite.get(URL).body == body


def test_a_body_over_the_cap_must_be_refused_before_it_is_read_whole() -> None:
    polite, _ = client(lambda request: answer(200, content=b"x" * 11,
                                              headers={"Content-Length": "11"}), max_bytes=10)
    with pytest.raises(FetchError) as caught:
        polite.get(URL)
    assert str(caught.value) == (f"{URL}: response of 11 bytes is over the cap of 10 "
                                 "(TRACKER_MAX_RESPONSE_BYTES)")
    polite, _ = client(lambda request: answer(200, content=b"x" * 10,
                                              headers={"Content-Length": "10"}), max_bytes=10)
    assert polite.get(URL).body == b"x" * 10
    polite, _ = client(lambda request: answer(200, content=b"x" * 11,
                                              headers={"Content-Length": "a lot"}), max_bytes=10)
    with pytest.raises(FetchError) as caught:
        polite.get(URL)
    assert str(caught.value) == (f"{URL}: response is over the cap of 10 bytes once decoded "
                                 "(TRACKER_MAX_RESPONSE_BYTES)")
    polite, _ = client(lambda request: answer(
        200, content=gzip.compress(b"x" * 100_000), headers={"Content-Encoding": "gzip"}),
        max_bytes=99_999)
    with pytest.raises(FetchError) as caught:
        polite.get(URL)
    assert str(caught.value) == (f"{URL}: response is over the cap of 99999 bytes once "
                                 "decoded (TRACKER_MAX_RESPONSE_BYTES)")


def test_an_encoding_not_asked_for_or_broken_must_be_named() -> None:
    polite, _ = client(lambda request: answer(
        200, content=b"x", headers={"Content-Encoding": "br"}))
    with pytest.raises(FetchError) as caught:
        polite.get(URL)
    assert str(caught.value) == (f"{URL}: the server sent an encoding the tracker did not ask "
                                 "for: Content-Encoding 'br'")
    polite, _ = client(lambda request: answer(
        200, content=b"not gzip at all", headers={"Content-Encoding": "gzip"}), max_attempts=1)
    with pytest.raises(TransientError) as caught:
        polite.get(URL)
    assert str(caught.value).startswith(
        f"{URL}: connection failed: the body could not be decoded (Error -3 ")


def test_retry_after_must_be_read_as_seconds_or_a_date() -> None:
    now = dt.datetime(2024, 1, 1, 12, 0, 0, tzinfo=dt.UTC)
    assert parse_retry_after(" 120 ") == 120.0
    assert parse_retry_after("Mon, 01 Jan 2024 12:01:30 GMT", now=now) == 90.0
    assert parse_retry_after("Mon, 01 Jan 2024 11:00:00 GMT", now=now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after("") is None
    assert parse_retry_after(None) is None
    later = parse_retry_after("Fri, 01 Jan 2100 00:00:00 GMT")
    assert later is not None and later > 365 * 24 * 3600


def test_a_deadline_must_cut_each_wait_to_what_remains() -> None:
    deadline = _Deadline()
    assert deadline.left(5.0) == 5.0 and deadline.left(None) is None
    deadline.at = time.monotonic() + 100
    left = deadline.left(None)
    assert left is not None and 99 < left <= 100
    assert deadline.left(5.0) == 5.0
    deadline.at = time.monotonic() - 1
    with pytest.raises(httpcore.ReadTimeout) as caught:
        deadline.left(5.0)
    assert str(caught.value) == "the whole request took longer than its timeout"


@pytest.mark.parametrize(("codings", "encode"), [
    (["gzip"], gzip.compress),
    (["deflate"], zlib.compress),
    (["deflate"], lambda body: zlib.compress(body)[2:-4]),  # raw deflate, no zlib header
    (["gzip", "gzip"], lambda body: gzip.compress(gzip.compress(body))),
])
def test_each_layer_must_inflate_a_bounded_piece_at_a_time(
        codings: list[str], encode: Callable[[bytes], bytes]) -> None:
    """A bomb is counted as it expands: no piece larger than DECODE_PIECE (64 KiB)."""
    body = b"x" * (5 * DECODE_PIECE + 123)
    pieces = list(_inflate([encode(body)], codings))
    assert b"".join(pieces) == body
    assert max(len(p) for p in pieces) == DECODE_PIECE


def test_a_refused_connection_must_make_the_host_unreachable_by_name() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        try:
            raise ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused")
        except OSError as exc:
            raise httpx.ConnectError("refused", request=request) from exc

    polite, waits = client(handler)
    with pytest.raises(HostUnreachable) as caught:
        polite.get(URL)
    lost = caught.value
    assert (lost.url, lost.host, lost.why, lost.reason, str(lost)) == (
        URL, "library.example", "connection refused",
        "cannot reach library.example (connection refused)",
        "cannot reach library.example (connection refused)")
    assert polite.requests == 1 and waits == []


def test_a_connection_dropped_before_any_answer_must_stay_worth_retrying() -> None:
    """A server that closes the connection without answering was reached: after the page's
    attempts it is a TransientError, and the host is not given up."""
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.RemoteProtocolError("Server disconnected without sending a response.",
                                        request=request)

    polite, _ = client(handler, max_attempts=2, backoff_initial=0.0, backoff_max=0.0)
    with pytest.raises(TransientError) as caught:
        polite.get(URL)
    assert type(caught.value) is TransientError
    assert str(caught.value) == (
        f"{URL}: connection failed: Server disconnected without sending a response.")
    assert (caught.value.connecting, caught.value.name_server_silent) == (False, False)
    assert polite.unreachable == {} and polite.requests == 2


def test_the_causes_of_an_error_must_be_walked_once_each_even_in_a_cycle() -> None:
    first, second = OSError("first"), OSError("second")
    first.__context__, second.__context__ = second, first
    assert list(itertools.islice(_causes(first), 5)) == [first, second]


class _Socket(httpcore.NetworkStream):
    """A socket stream that records the timeouts it is given."""

    def __init__(self) -> None:
        self.calls: list[tuple[object, ...]] = []

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        self.calls.append(("read", max_bytes, timeout))
        return b"data"

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.calls.append(("write", buffer, timeout))

    def close(self) -> None:
        self.calls.append(("close",))

    def start_tls(self, ssl_context: object, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        self.calls.append(("start_tls", ssl_context, server_hostname, timeout))
        self.tls = _Socket()
        return self.tls


def test_every_socket_operation_must_end_by_the_attempts_deadline() -> None:
    """Reads, writes and the TLS handshake get their own timeout cut to what remains of the
    attempt, and the TLS stream keeps the deadline."""
    deadline = _Deadline()
    plain = _Socket()
    stream = _DeadlineStream(plain, deadline)
    deadline.at = time.monotonic() + 100
    assert stream.read(10, 5.0) == b"data"
    stream.write(b"GET", 5.0)
    tls = stream.start_tls("context", "library.example", 5.0)
    assert plain.calls == [("read", 10, 5.0), ("write", b"GET", 5.0),
                           ("start_tls", "context", "library.example", 5.0)]
    assert isinstance(tls, _DeadlineStream)
    tls.read(7, 5.0)
    assert plain.tls.calls == [("read", 7, 5.0)]
    deadline.at = time.monotonic() - 1
    for late in (lambda: tls.read(7, 5.0), lambda: tls.write(b"x", 5.0),
                 lambda: stream.start_tls("context", "library.example", 5.0)):
        with pytest.raises(httpcore.ReadTimeout):
            late()
    deadline.at = None
    stream.read(1, None)
    stream.close()
    assert plain.calls[-2:] == [("read", 1, None), ("close",)]
