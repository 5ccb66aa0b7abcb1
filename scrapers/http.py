"""One polite HTTP layer for every scraper.

A User-Agent naming the project, a pause between requests to the same host,
timeouts, retries with backoff that honour ``Retry-After`` on 429 and 503, no
retry on 404, and a cap on the size of a response. The sleep and clock are
parameters, so throttling and backoff are testable without waiting.

Limits hold before memory is spent: the size cap counts the *decoded* bytes as
they stream (each ``Content-Encoding`` layer is inflated a bounded piece at a
time, so ``gzip, gzip`` of a few kilobytes cannot expand to gigabytes); the
timeout bounds a whole attempt (connecting, the headers and the whole body), not
each read, so a server trickling a byte a second cannot hold a sync; a redirect
loop is a fetch error naming the URL. A response keeps the URL asked for and the
URL that answered after redirects.

Retries are for what retrying can fix (a timeout, 429, 5xx, a connection dropped
mid-answer, a temporary failure of the name server). A host that has not answered
in this run and whose name does not resolve, or that refuses the connection or cannot
be routed to, is unreachable: the client says so at once (``HostUnreachable``),
remembers it, and refuses every later request to that host without sending it, so a
sync offline fails in seconds, once per host. A host that has not answered in the run
and could not be connected to on any attempt of a page (a network that drops packets,
a name server that never answers) is unreachable too, after that one page's attempts.
A host that has answered once is never given up: its connection failures are retried.

Given a ``robots`` policy (``scrapers.robots.Robots``; the sync's client has one), the
client reads each host's robots.txt before its first page, through itself, refuses a path
the rules disallow, and never asks a host faster than its rules say, whatever
``requests_per_second`` says: the slower of the two wins.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import errno
import socket
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import httpcore
import httpx
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)

from council.errors import TrackerError

# The User-Agent when the caller names none; the tracker names its version and address.
USER_AGENT = "unsc-tracker"
MAX_RETRY_AFTER = 300.0
MAX_REDIRECTS = 5
# The largest piece a decoder inflates at a time: the memory one step may take.
DECODE_PIECE = 64 * 1024


class FetchError(TrackerError):
    """A page that could not be fetched; the message names the URL and what to do."""

    def __init__(self, url: str, message: str, status: int | None = None) -> None:
        super().__init__(f"{url}: {message}")
        self.url = url
        self.reason = message
        self.status = status


class NotFound(FetchError):
    """The server says the page does not exist (404)."""


class TransientError(FetchError):
    """A failure worth retrying: 429, 5xx, a dropped connection, a timeout, a cut body."""

    def __init__(self, url: str, message: str, status: int | None = None,
                 retry_after: float | None = None, *, connecting: bool = False,
                 name_server_silent: bool = False) -> None:
        super().__init__(url, message, status)
        self.retry_after = retry_after
        self.connecting = connecting  # no connection could be made within the timeout
        self.name_server_silent = name_server_silent  # no name server answered


class HostUnreachable(FetchError):
    """A host that cannot be reached at all (its name does not resolve, it refuses the
    connection, no route leads to it): retrying cannot help, and no other page of that
    host is asked for in this run."""

    def __init__(self, url: str, host: str, why: str) -> None:
        super().__init__(url, f"cannot reach {host} ({why})")
        self.host = host
        self.why = why

    def __str__(self) -> str:
        return f"cannot reach {self.host} ({self.why})"


# The reasons a connection could not even be made that retrying does not fix.
_UNREACHABLE = {errno.ECONNREFUSED: "connection refused",
                errno.ENETUNREACH: "network unreachable",
                errno.EHOSTUNREACH: "no route to host",
                errno.EADDRNOTAVAIL: "address not available"}


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        yield cause
        cause = cause.__cause__ or cause.__context__


def name_server_silent(exc: BaseException) -> bool:
    """Whether a connection failed because no name server answered ("temporary failure in
    name resolution"): worth retrying, and, on every attempt, the sign of a machine
    offline."""
    return any(isinstance(c, socket.gaierror) and c.errno == socket.EAI_AGAIN
               for c in _causes(exc))


def unreachable_reason(exc: BaseException) -> str | None:
    """Return why a connection error means the host cannot be reached at all (its name does
    not resolve, it refuses connections), or None for a failure worth retrying."""
    for cause in _causes(exc):
        if isinstance(cause, socket.gaierror):
            if cause.errno == socket.EAI_AGAIN:  # "temporary failure": worth retrying
                return None
            return "name does not resolve"
        if isinstance(cause, OSError) and cause.errno in _UNREACHABLE:
            return _UNREACHABLE[cause.errno]
    return None


# Told before a retry: the error, the seconds until the next attempt, the attempt that failed.
RetryListener = Callable[["TransientError", float, int], None]


class RobotsPolicy(Protocol):
    """What a host's robots.txt allows (``scrapers.robots.Robots``)."""

    def check(self, client: PoliteClient, url: str) -> float | None:
        """Raise a FetchError if ``url`` may not be fetched; return the seconds its host
        asks between two requests, or None."""


@dataclass(frozen=True)
class Response:
    url: str  # the URL asked for
    status: int
    body: bytes
    headers: Mapping[str, str]
    fetched_at: dt.datetime
    final_url: str | None = None  # the URL that answered, when a redirect led elsewhere


def parse_retry_after(value: str | None, *, now: dt.datetime | None = None) -> float | None:
    """Return the seconds a ``Retry-After`` header asks for (seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    now = now or dt.datetime.now(dt.UTC)
    return max(0.0, (when - now).total_seconds())


class _WaitRetryAfter:
    """Wait what the server asked for, else back off exponentially with jitter."""

    def __init__(self, initial: float, maximum: float) -> None:
        self.backoff = wait_exponential(multiplier=initial, max=maximum) + wait_random(0, initial)

    def __call__(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, TransientError) and exc.retry_after is not None:
            return min(exc.retry_after, MAX_RETRY_AFTER)
        return float(self.backoff(state))


class _Deadline:
    """The moment the current attempt must be over (``time.monotonic``), shared with
    the sockets, which never wait past it."""

    def __init__(self) -> None:
        self.at: float | None = None

    def left(self, timeout: float | None) -> float | None:
        """The timeout of one socket operation: its own, cut to what remains."""
        if self.at is None:
            return timeout
        remaining = self.at - time.monotonic()
        if remaining <= 0:
            raise httpcore.ReadTimeout("the whole request took longer than its timeout")
        return remaining if timeout is None else min(timeout, remaining)


class _DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose every read and write ends by the attempt's deadline."""

    def __init__(self, stream: httpcore.NetworkStream, deadline: _Deadline) -> None:
        self._stream = stream
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._deadline.left(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._deadline.left(timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname,
                                                      self._deadline.left(timeout)),
                               self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.SyncBackend):
    def __init__(self, deadline: _Deadline) -> None:
        self._deadline = deadline

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Any = None) -> httpcore.NetworkStream:
        stream = super().connect_tcp(host, port, self._deadline.left(timeout), local_address,
                                     socket_options)
        return _DeadlineStream(stream, self._deadline)


class _DeadlineTransport(httpx.HTTPTransport):
    """httpx's own transport, over sockets that keep the attempt's deadline."""

    def __init__(self, deadline: _Deadline) -> None:
        super().__init__()
        # httpx builds the same pool; only the network backend differs.
        self._pool = httpcore.ConnectionPool(ssl_context=httpx.create_ssl_context(),
                                             network_backend=_DeadlineBackend(deadline))


def _environment_proxies() -> dict[str, httpx.BaseTransport | None] | None:
    """Return the proxies of the environment (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, NO_PROXY)
    as httpx would mount them: a client given its own transport does not read them itself.
    Through a proxy, httpx's own timeouts apply to each read, not the attempt's deadline."""
    from httpx._utils import get_environment_proxies  # what httpx reads with trust_env

    proxies = get_environment_proxies()
    if not proxies:
        return None
    return {pattern: (httpx.HTTPTransport(proxy=url) if url else None)
            for pattern, url in proxies.items()}


class _Layer:
    """One content-coding layer (gzip or deflate), inflated a bounded piece at a time."""

    def __init__(self, coding: str) -> None:
        self.coding = coding
        self._raw_deflate = False
        self._decoder = self._new()

    def _new(self) -> Any:
        if self.coding == "gzip":
            return zlib.decompressobj(zlib.MAX_WBITS | 16)
        return zlib.decompressobj(-zlib.MAX_WBITS if self._raw_deflate else zlib.MAX_WBITS)

    def feed(self, data: bytes) -> Iterator[bytes]:
        """Yield what ``data`` inflates to, in pieces of at most DECODE_PIECE bytes."""
        while data:
            try:
                piece = self._decoder.decompress(data, DECODE_PIECE)
            except zlib.error:
                if self.coding == "deflate" and not self._raw_deflate:
                    # Some servers send raw deflate without the zlib header (as httpx allows).
                    self._raw_deflate = True
                    self._decoder = self._new()
                    piece = self._decoder.decompress(data, DECODE_PIECE)
                else:
                    raise
            if piece:
                yield piece
            if self._decoder.eof:  # a gzip stream of several members: the next begins
                data = self._decoder.unused_data
                if data:
                    self._decoder = self._new()
            else:
                data = self._decoder.unconsumed_tail

    def flush(self) -> Iterator[bytes]:
        data = self._decoder.flush(DECODE_PIECE)
        if data:
            yield data


def _inflate(raw: Iterable[bytes], codings: list[str]) -> Iterator[bytes]:
    """Decode the raw body through each coding layer, outermost first, a piece at a time.

    No step holds more than DECODE_PIECE bytes of one layer's output, so a caller
    counting the pieces stops a bomb of stacked encodings before it expands.
    """
    layers = [_Layer(coding) for coding in reversed(codings)]

    def through(pieces: Iterable[bytes], depth: int) -> Iterator[bytes]:
        if depth == len(layers):
            yield from pieces
            return
        layer = layers[depth]

        def fed() -> Iterator[bytes]:
            for piece in pieces:
                yield from layer.feed(piece)
            yield from layer.flush()

        yield from through(fed(), depth + 1)

    yield from through(raw, 0)


def _codings(response: httpx.Response, url: str) -> list[str]:
    """The content codings of a response, in the order they were applied."""
    value = response.headers.get("Content-Encoding", "")
    codings = [c.strip().lower() for c in value.split(",") if c.strip()]
    codings = [c for c in codings if c != "identity"]
    unknown = [c for c in codings if c not in ("gzip", "deflate", "x-gzip")]
    if unknown:
        raise FetchError(url, f"the server sent an encoding the tracker did not ask for: "
                              f"Content-Encoding {value!r}")
    return ["gzip" if c == "x-gzip" else c for c in codings]


def _netloc(url: httpx.URL) -> str:
    """Return a URL's host, with its port when it names one (``127.0.0.1:8080``)."""
    return url.netloc.decode("ascii", "replace") or url.host


class PoliteClient:
    """Fetch pages politely. Use as a context manager."""

    def __init__(
        self,
        *,
        requests_per_second: float = 2.0,
        timeout: float = 30.0,
        max_attempts: int = 5,
        max_bytes: int = 50_000_000,
        headers: Mapping[str, str] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        backoff_initial: float = 1.0,
        backoff_max: float = 60.0,
        transport: httpx.BaseTransport | None = None,
        user_agent: str = USER_AGENT,
        robots: RobotsPolicy | None = None,
    ) -> None:
        self.min_interval = 1.0 / requests_per_second if requests_per_second > 0 else 0.0
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.max_bytes = max_bytes
        self.sleep = sleep
        self.clock = clock
        self.requests = 0
        self.requests_by_host: dict[str, int] = {}  # attempts sent, per host
        self.unreachable: dict[str, HostUnreachable] = {}  # hosts found unreachable
        self._answered: set[str] = set()  # hosts that answered at least once
        self.on_retry: RetryListener | None = None
        self._last: dict[str, float] = {}
        self.robots = robots
        self._host_interval: dict[str, float] = {}  # a host's robots.txt pause, when longer
        self._wait = _WaitRetryAfter(backoff_initial, backoff_max)
        self._deadline = _Deadline()
        self._client = httpx.Client(
            headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate",
                     **(headers or {})},
            timeout=httpx.Timeout(timeout),
            follow_redirects=True,
            max_redirects=MAX_REDIRECTS,
            transport=transport or _DeadlineTransport(self._deadline),
            mounts=None if transport else _environment_proxies(),
        )

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def interval(self, host: str) -> float:
        """The seconds between two requests to a host: the settings' pause, or its
        robots.txt's when that is longer."""
        return max(self.min_interval, self._host_interval.get(host, 0.0))

    def _pace(self, host: str) -> None:
        last = self._last.get(host)
        if last is not None:
            wait = self.interval(host) - (self.clock() - last)
            if wait > 0:
                self.sleep(wait)
        self._last[host] = self.clock()

    def get(self, url: str, *, params: Mapping[str, Any] | None = None,
            headers: Mapping[str, str] | None = None) -> Response:
        """GET a URL; retry what is worth retrying; raise FetchError on failure."""
        if self.robots is not None:
            target = self._client.build_request("GET", url, params=params).url
            if target.path != "/robots.txt":
                delay = self.robots.check(self, str(target))
                if delay:
                    self._host_interval[target.host] = float(delay)
        retrying = Retrying(
            stop=stop_after_attempt(self.max_attempts),
            wait=self._wait,
            retry=retry_if_exception_type(TransientError),
            sleep=self.sleep,
            before_sleep=self._tell_retry,
            reraise=True,
        )
        connecting_only = True  # every attempt of this page failed before any answer

        def attempt() -> Response:
            nonlocal connecting_only
            try:
                return self._get_once(url, params, headers)
            except TransientError as exc:
                connecting_only = connecting_only and exc.connecting
                raise

        try:
            return retrying(attempt)
        except TransientError as exc:
            host = _netloc(httpx.URL(exc.url))
            if not connecting_only or host in self._answered:
                raise
            why = (f"name does not resolve: no name server answered on {self.max_attempts} "
                   "attempts; offline?" if exc.name_server_silent else
                   f"no connection within {self.timeout:g} s on {self.max_attempts} attempts")
            self.unreachable[host] = HostUnreachable(exc.url, host, why)
            raise self.unreachable[host] from exc

    def _tell_retry(self, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0.0
        if self.on_retry is not None and isinstance(exc, TransientError):
            self.on_retry(exc, float(wait), state.attempt_number)

    def _get_once(self, url: str, params: Mapping[str, Any] | None,
                  headers: Mapping[str, str] | None) -> Response:
        request = self._client.build_request("GET", url, params=params, headers=headers)
        shown = str(request.url)
        host = _netloc(request.url)  # a host and its port: one server
        if host in self.unreachable:  # known unreachable: not asked again in this run
            raise HostUnreachable(shown, host, self.unreachable[host].why)
        self._pace(request.url.host)
        self.requests += 1
        self.requests_by_host[host] = self.requests_by_host.get(host, 0) + 1
        self._deadline.at = time.monotonic() + self.timeout
        try:
            response = self._client.send(request, stream=True)
            self._answered.add(host)
            try:
                body = self._read_capped(response, shown)
            finally:
                response.close()
        except httpx.TimeoutException as exc:
            raise TransientError(shown, f"timed out: no whole answer within {self.timeout:g} s "
                                        f"(TRACKER_TIMEOUT_SECONDS; {type(exc).__name__})",
                                 connecting=isinstance(exc, httpx.ConnectTimeout)) from exc
        except httpx.TooManyRedirects as exc:
            raise FetchError(shown, f"redirect loop: more than {MAX_REDIRECTS} redirects "
                                    f"(the last to {exc.request.url})") from None
        except httpx.LocalProtocolError:
            # httpx quotes the offending header, which may be a secret (an API token).
            raise FetchError(shown, "the request could not be sent: one of its headers is not "
                                    "valid HTTP (a line break or space in a setting such as "
                                    "TRACKER_UNDL_TOKEN?)") from None
        except httpx.UnsupportedProtocol as exc:
            raise FetchError(shown, f"redirected to a URL the tracker cannot fetch: {exc}"
                             ) from None
        except httpx.ConnectError as exc:
            try:  # a redirect may have led to another host: that one failed
                failed_host = _netloc(exc.request.url)
            except RuntimeError:
                failed_host = host
            why = unreachable_reason(exc)
            silent = name_server_silent(exc)
            if why is None or failed_host in self._answered:
                # A temporary DNS failure, a reset, or a host that has answered in this run
                # (a server restarting): worth retrying; the host is given up only when every
                # attempt of a page failed to connect and it never answered (get()).
                raise TransientError(shown, f"connection failed: {exc}",
                                     connecting=silent or why is not None,
                                     name_server_silent=silent) from exc
            self.unreachable[failed_host] = HostUnreachable(shown, failed_host, why)
            raise self.unreachable[failed_host] from None
        except (httpx.TransportError, httpx.DecodingError) as exc:
            raise TransientError(shown, f"connection failed: {exc}") from exc
        finally:
            self._deadline.at = None
        status = response.status_code
        if status == 404 or status == 410:
            raise NotFound(shown, f"not found ({status})", status)
        if status == 429 or status >= 500:
            raise TransientError(shown, f"server answered {status}", status,
                                 parse_retry_after(response.headers.get("Retry-After")))
        if status >= 400:
            raise FetchError(shown, f"server refused the request ({status})", status)
        final = str(response.url)
        return Response(shown, status, body, dict(response.headers), dt.datetime.now(dt.UTC),
                        final if final != shown else None)

    def _read_capped(self, response: httpx.Response, url: str) -> bytes:
        """Read the body, decoded, refusing it as soon as it passes the cap."""
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchError(url, f"response of {declared} bytes is over the cap of "
                                  f"{self.max_bytes} (TRACKER_MAX_RESPONSE_BYTES)")
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in _inflate(response.iter_raw(), _codings(response, url)):
                size += len(chunk)
                if size > self.max_bytes:
                    raise FetchError(url, f"response is over the cap of {self.max_bytes} bytes "
                                          "once decoded (TRACKER_MAX_RESPONSE_BYTES)")
                chunks.append(chunk)
        except zlib.error as exc:
            raise TransientError(url, f"connection failed: the body could not be decoded "
                                      f"({exc})") from None
        return b"".join(chunks)


def conditional_headers(validators: Mapping[str, str]) -> dict[str, str]:
    """Return If-None-Match / If-Modified-Since for an archived response's validators."""
    headers = {}
    if validators.get("etag"):
        headers["If-None-Match"] = validators["etag"]
    if validators.get("last_modified"):
        headers["If-Modified-Since"] = validators["last_modified"]
    return headers
