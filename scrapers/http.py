"""One polite HTTP layer for every scraper.

A User-Agent naming the project, a pause between requests to the same host,
timeouts, retries with backoff that honour ``Retry-After`` on 429 and 503, no
retry on 404, and a cap on the size of a response. The sleep and clock are
parameters, so throttling and backoff are testable without waiting.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)

from tracker import PROJECT_URL, __version__

USER_AGENT = f"unsc-tracker/{__version__} (+{PROJECT_URL})"
MAX_RETRY_AFTER = 300.0


class FetchError(Exception):
    """A page that could not be fetched; the message names the URL and what to do."""

    def __init__(self, url: str, message: str, status: int | None = None) -> None:
        super().__init__(f"{url}: {message}")
        self.url = url
        self.status = status


class NotFound(FetchError):
    """The server says the page does not exist (404)."""


class TransientError(FetchError):
    """A failure worth retrying: 429, 5xx, a dropped connection, a timeout, a cut body."""

    def __init__(self, url: str, message: str, status: int | None = None,
                 retry_after: float | None = None) -> None:
        super().__init__(url, message, status)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Response:
    url: str
    status: int
    body: bytes
    headers: Mapping[str, str]
    fetched_at: dt.datetime


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
    ) -> None:
        self.min_interval = 1.0 / requests_per_second if requests_per_second > 0 else 0.0
        self.max_attempts = max_attempts
        self.max_bytes = max_bytes
        self.sleep = sleep
        self.clock = clock
        self.requests = 0
        self._last: dict[str, float] = {}
        self._wait = _WaitRetryAfter(backoff_initial, backoff_max)
        self._client = httpx.Client(
            headers={"User-Agent": USER_AGENT, **(headers or {})},
            timeout=httpx.Timeout(timeout),
            follow_redirects=True,
            transport=transport,
        )

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def _pace(self, host: str) -> None:
        last = self._last.get(host)
        if last is not None:
            wait = self.min_interval - (self.clock() - last)
            if wait > 0:
                self.sleep(wait)
        self._last[host] = self.clock()

    def get(self, url: str, *, params: Mapping[str, Any] | None = None,
            headers: Mapping[str, str] | None = None) -> Response:
        """GET a URL; retry what is worth retrying; raise FetchError on failure."""
        retrying = Retrying(
            stop=stop_after_attempt(self.max_attempts),
            wait=self._wait,
            retry=retry_if_exception_type(TransientError),
            sleep=self.sleep,
            reraise=True,
        )
        return retrying(self._get_once, url, params, headers)

    def _get_once(self, url: str, params: Mapping[str, Any] | None,
                  headers: Mapping[str, str] | None) -> Response:
        request = self._client.build_request("GET", url, params=params, headers=headers)
        shown = str(request.url)
        self._pace(request.url.host)
        self.requests += 1
        try:
            response = self._client.send(request, stream=True)
            try:
                body = self._read_capped(response, shown)
            finally:
                response.close()
        except httpx.TimeoutException as exc:
            raise TransientError(shown, f"timed out ({type(exc).__name__})") from exc
        except (httpx.TransportError, httpx.DecodingError) as exc:
            raise TransientError(shown, f"connection failed: {exc}") from exc
        status = response.status_code
        if status == 404 or status == 410:
            raise NotFound(shown, f"not found ({status})", status)
        if status == 429 or status >= 500:
            raise TransientError(shown, f"server answered {status}", status,
                                 parse_retry_after(response.headers.get("Retry-After")))
        if status >= 400:
            raise FetchError(shown, f"server refused the request ({status})", status)
        return Response(shown, status, body, dict(response.headers), dt.datetime.now(dt.UTC))

    def _read_capped(self, response: httpx.Response, url: str) -> bytes:
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchError(url, f"response of {declared} bytes is over the cap of "
                                  f"{self.max_bytes} (TRACKER_MAX_RESPONSE_BYTES)")
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchError(url, f"response is over the cap of {self.max_bytes} bytes "
                                      "(TRACKER_MAX_RESPONSE_BYTES)")
            chunks.append(chunk)
        return b"".join(chunks)
