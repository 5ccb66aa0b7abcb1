"""Tests that kill the surviving mutants of the HTTP client, scrapers/http.py (issue 18,
mutation testing): each asserts what a caller sees (the response, the error and its
message, the waits asked of the sleep function), on a transport of its own.
"""

from __future__ import annotations

import datetime as dt
import errno
import gzip
import itertools
import socket
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
    _DeadlineBackend,
    _DeadlineStream,
    _environment_proxies,
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


def test_the_clients_defaults_must_be_polite() -> None:
    """Two requests a second, 30 s for a whole attempt, five attempts, 50 MB, waits doubling
    from 1 s (plus up to 1 s of jitter) to a minute."""
    polite = PoliteClient(transport=httpx.MockTransport(lambda request: answer(200)))
    assert (polite.min_interval, polite.timeout, polite.max_attempts, polite.max_bytes) == (
        0.5, 30.0, 5, 50_000_000)
    assert PoliteClient(requests_per_second=0.5).min_interval == 2.0
    seen: list[httpx.Request] = []

    def busy(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answer(503)

    waits: list[float] = []
    polite = PoliteClient(transport=httpx.MockTransport(busy), sleep=waits.append,
                          requests_per_second=0, max_attempts=8)
    with pytest.raises(TransientError):
        polite.get(URL)
    assert len(waits) == 7
    for wait, low in zip(waits, [1, 2, 4, 8, 16, 32, 60], strict=True):
        assert low <= wait < low + 1
    assert seen[0].extensions["timeout"] == {"connect": 30.0, "read": 30.0, "write": 30.0,
                                             "pool": 30.0}


def test_each_request_must_carry_the_clients_timeout() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answer(200)

    polite, _ = client(handler, timeout=12.5)
    polite.get(URL)
    assert seen[0].extensions["timeout"] == {"connect": 12.5, "read": 12.5, "write": 12.5,
                                             "pool": 12.5}


def test_a_redirect_loop_must_stop_after_five_redirects() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return answer(302, headers={"Location": f"https://library.example/{len(seen)}"})

    polite, _ = client(handler)
    with pytest.raises(FetchError) as caught:
        polite.get(URL)
    assert str(caught.value) == (f"{URL}: redirect loop: more than 5 redirects (the last to "
                                 "https://library.example/6)")
    assert seen == [URL] + [f"https://library.example/{n}" for n in range(1, 6)]


def test_the_jitter_must_be_up_to_the_first_wait() -> None:
    """Backing off from 2 s (capped at 2 s): each wait is 2 s plus a jitter from 0 to 2 s."""
    polite, waits = client(lambda request: answer(503), max_attempts=41,
                           backoff_initial=2.0, backoff_max=2.0)
    with pytest.raises(TransientError):
        polite.get(URL)
    jitters = [w - 2.0 for w in waits]
    assert len(jitters) == 40 and all(0.0 <= j <= 2.0 for j in jitters)
    # forty draws: some below 1 s, some above (each one-sided with odds of 2**-40)
    assert min(jitters) < 1.0 < max(jitters)


def test_a_deadline_not_yet_passed_must_leave_what_remains() -> None:
    deadline = _Deadline()
    deadline.at = time.monotonic() + 0.5
    left = deadline.left(5.0)
    assert left is not None and 0.0 < left <= 0.5


def test_a_host_in_no_proxy_must_keep_the_clients_own_transport(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Through a proxy httpx mounts a transport per pattern; a host excepted by NO_PROXY
    is mounted with none, so the client's own (with the attempt's deadline) serves it."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY",
                 "http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    assert _environment_proxies() is None
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "library.example")
    mounts = _environment_proxies()
    assert mounts is not None and sorted(mounts) == ["all://*library.example", "https://"]
    assert mounts["all://*library.example"] is None
    assert isinstance(mounts["https://"], httpx.HTTPTransport)


def test_a_connection_must_be_made_as_asked_and_keep_the_deadline() -> None:
    """The socket is opened with the caller's timeout, local address and options; its
    stream is the deadline's and gives the socket back."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        deadline = _Deadline()
        stream = _DeadlineBackend(deadline).connect_tcp(
            "127.0.0.1", port, 5.0, "127.0.0.2",
            [(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)])
        assert isinstance(stream, _DeadlineStream)
        sock = stream.get_extra_info("socket")
        assert (sock.getsockname()[0], sock.gettimeout(),
                sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE)) == ("127.0.0.2", 5.0, 1)
        stream.close()
        deadline.at = time.monotonic() - 1
        with pytest.raises(httpcore.ReadTimeout):
            _DeadlineBackend(deadline).connect_tcp("127.0.0.1", port, 5.0)


def test_a_request_must_carry_exactly_the_headers_asked_for() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answer(200)

    polite, _ = client(handler, user_agent="tracker/1")
    polite.get(URL)
    assert dict(seen[0].headers) == {
        "host": "library.example", "accept": "*/*", "accept-encoding": "gzip, deflate",
        "connection": "keep-alive", "user-agent": "tracker/1"}


def test_a_given_transport_must_serve_every_request_whatever_the_proxies(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("ALL_PROXY", "http://127.0.0.1:9")
    polite, _ = client(lambda request: answer(200, content=b"mock"), max_attempts=1)
    assert polite.get(URL).body == b"mock"


@pytest.mark.parametrize(("error", "message"), [
    (httpx.LocalProtocolError("Illegal header value b'a\\nb'"),
     "the request could not be sent: one of its headers is not valid HTTP (a line break or "
     "space in a setting such as TRACKER_UNDL_TOKEN?)"),
    (httpx.UnsupportedProtocol("Request URL has an unsupported protocol 'ftp://'."),
     "redirected to a URL the tracker cannot fetch: Request URL has an unsupported protocol "
     "'ftp://'."),
])
def test_a_request_that_cannot_be_sent_must_be_refused_by_its_url(
        error: Exception, message: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise error

    polite, _ = client(handler)
    with pytest.raises(FetchError) as caught:
        polite.get(URL)
    assert type(caught.value) is FetchError
    assert (caught.value.url, caught.value.reason) == (URL, message)


def test_a_host_given_up_must_be_named_with_each_url_asked_for() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("slow", request=request)

    polite, _ = client(handler, max_attempts=2, backoff_initial=0.0, backoff_max=0.0)
    with pytest.raises(HostUnreachable) as caught:
        polite.get(URL)
    assert (caught.value.url, caught.value.reason) == (
        URL, "cannot reach library.example (no connection within 30 s on 2 attempts)")
    with pytest.raises(HostUnreachable) as caught:
        polite.get(URL + "/2")
    assert (caught.value.url, str(caught.value)) == (
        URL + "/2", "cannot reach library.example (no connection within 30 s on 2 attempts)")
    assert polite.requests == 2


def test_a_refused_connection_that_names_no_request_must_blame_the_host_asked_for() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        try:
            raise ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused")
        except OSError as exc:
            raise httpx.ConnectError("refused") from exc

    polite, _ = client(handler)
    with pytest.raises(HostUnreachable) as caught:
        polite.get(URL)
    assert (caught.value.url, caught.value.host) == (URL, "library.example")
    assert list(polite.unreachable) == ["library.example"]


def test_an_archived_responses_validators_are_asked_with_exactly_their_headers() -> None:
    """A page archived with its ETag and Last-Modified is asked again with both, under the
    names HTTP gives them; a validator not kept is not sent."""
    from scrapers.http import conditional_headers

    both = conditional_headers({"etag": '"v1"', "last_modified": "Wed, 21 Oct 2015 07:28:00 GMT"})
    assert both == {"If-None-Match": '"v1"', "If-Modified-Since": "Wed, 21 Oct 2015 07:28:00 GMT"}
    assert list(both) == ["If-None-Match", "If-Modified-Since"]
    assert conditional_headers({"last_modified": "Wed, 21 Oct 2015 07:28:00 GMT"}) == {
        "If-Modified-Since": "Wed, 21 Oct 2015 07:28:00 GMT"}
    assert conditional_headers({"etag": "", "last_modified": ""}) == {}
