"""robots.txt: what each host asks of crawlers, read once per host per run.

The rules are read by Protego (Scrapy's robots.txt parser, RFC 9309): the longest
matching rule wins, ``Allow`` wins a tie, ``*`` and ``$`` in paths are understood, and
``Crawl-delay`` and ``Request-rate`` are read (fractions of a second too). The standard
library's ``urllib.robotparser`` was dropped for it: it ignores ``*`` and ``$`` and
takes the first rule that matches, so ``Allow: /`` before ``Disallow: /search`` let it
fetch what the host forbids.

What an answer means follows RFC 9309 (the Robots Exclusion Protocol):

- 200: the rules it gives. Each path the rules disallow for the tracker is not
  fetched (``Disallowed``, naming the host's setting and what to do instead); the
  pause between two requests to the host is the larger of the settings' and the
  one the rules ask for (``Crawl-delay``, or ``Request-rate`` n/s as s/n seconds).
- 4xx other than 429 (404, 410, a 403 from a host with no robots.txt): no rules
  (RFC 9309 2.3.1.3, "unavailable"). Local replays, which serve no robots.txt, stay
  as fast as the settings say.
- 429 or 5xx after the client's retries: "unreachable" (2.3.1.4): the last copy
  archived, however old, else nothing is fetched from that host in this run
  (``RobotsUnavailable``: the RFC's "complete disallow"); the next run asks again.
- a host that cannot be reached at all: the client's own ``HostUnreachable``, as for
  any page.

Every answer is kept in the raw archive (``raw/robots/{scheme}_{host}_{port}``), with
its status and when it was last asked for, and reused for 24 hours after that
(RFC 9309 2.4: "SHOULD NOT use the cached version for more than 24 hours"), so a
second sync the same day asks no robots.txt again. Within a run, each host's rules
are read once.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import httpx
from protego import Protego

from scrapers.archive import ArchivedPage, RawArchive
from scrapers.http import FetchError, NotFound, PoliteClient, TransientError

ARCHIVE_SOURCE = "robots"  # the raw archive's folder of robots.txt answers
FRESH_FOR = dt.timedelta(hours=24)
# A crawl delay longer than this is not waited out: the page fails and says why (a sync of
# the Library's ~50 pages at 5 s takes four minutes; at an hour, two days).
MOST_CRAWL_DELAY = 60
# The agent the rules are read for: the first word of the tracker's User-Agent.
AGENT = "unsc-tracker"


class Disallowed(FetchError):
    """A URL the host's robots.txt disallows for the tracker: it was not fetched."""


class RobotsUnavailable(FetchError):
    """A host whose robots.txt could not be read (5xx, 429) and of which no copy is
    archived: nothing of it is fetched in this run (RFC 9309 2.3.1.4)."""


def robots_url(url: str) -> str:
    """Return the address of the robots.txt that governs a URL."""
    parsed = httpx.URL(url)
    return str(parsed.copy_with(path="/robots.txt", query=None, fragment=None))


def origin_id(url: str) -> str:
    """Return a raw-archive page id for a URL's origin (``https_digitallibrary.un.org``). An
    international host name is taken in its ASCII (IDNA) form, so that two hosts differing
    only in non-ASCII letters keep apart (``https_xn--tda.example``)."""
    parsed = httpx.URL(url)
    host = parsed.raw_host.decode("ascii")
    origin = f"{parsed.scheme}_{host}" + (f"_{parsed.port}" if parsed.port else "")
    return re.sub(r"[^A-Za-z0-9._-]+", "_", origin).strip("._")


@dataclass(frozen=True)
class RobotsRules:
    """One host's robots.txt, read for one agent: what it allows and how often."""

    url: str  # the robots.txt's address
    status: int  # 200: rules; a 4xx: none
    body: bytes
    agent: str = AGENT

    def __post_init__(self) -> None:
        # no robots.txt (a 4xx): every path is allowed, at any pace
        text = self.body.decode("utf-8", "replace") if self.status == 200 else ""
        object.__setattr__(self, "_parser", Protego.parse(text))

    @property
    def parser(self) -> Protego:
        found: Protego = self.__dict__["_parser"]
        return found

    def allows(self, url: str) -> bool:
        """Whether the rules let the agent fetch a URL of this host."""
        return bool(self.parser.can_fetch(url, self.agent))

    @property
    def crawl_delay(self) -> float | None:
        """The seconds the rules ask between two requests (Crawl-delay, or Request-rate
        n/s as s/n), the larger if both are given; None when they ask nothing."""
        delays: list[float] = []
        delay = self.parser.crawl_delay(self.agent)
        if delay is not None:
            delays.append(float(delay))
        rate = self.parser.request_rate(self.agent)
        if rate is not None and rate.requests > 0:
            delays.append(rate.seconds / rate.requests)
        return max(delays) if delays else None


class Robots:
    """The robots.txt of every host a client asks, read once per host per run, kept in the
    raw archive and reused from it for ``fresh_for``.

    ``advice`` says, per host (``host`` or ``host:port``), what to do instead of a path its
    rules disallow; ``now`` is the clock of the archive's dates (testable).
    """

    def __init__(self, archive: RawArchive | None, *, agent: str = AGENT,
                 advice: Mapping[str, str] | None = None,
                 fresh_for: dt.timedelta = FRESH_FOR,
                 now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)) -> None:
        self.archive = archive
        self.agent = agent
        self.advice = dict(advice or {})
        self.fresh_for = fresh_for
        self.now = now
        self.fetched: list[str] = []  # the robots.txt asked for in this run, in order
        self._rules: dict[str, RobotsRules | RobotsUnavailable] = {}

    def rules(self, client: PoliteClient, url: str) -> RobotsRules:
        """Return the rules of a URL's host: read in this run, else archived within
        ``fresh_for``, else fetched through ``client``. Raise ``RobotsUnavailable`` when
        they cannot be read and no copy is kept."""
        page_id = origin_id(url)
        known = self._rules.get(page_id)
        if known is None:
            known = self._rules[page_id] = self._read(client, robots_url(url), page_id)
        if isinstance(known, RobotsUnavailable):
            raise known
        return known

    def check(self, client: PoliteClient, url: str) -> float | None:
        """Raise ``Disallowed`` if a URL may not be fetched; return the pause its host's
        rules ask between two requests (seconds), or None."""
        found = self.rules(client, url)
        if not found.allows(url):
            raise Disallowed(url, f"not fetched: {found.url} disallows this path for "
                                  f"{self.agent}" + self._instead(url))
        delay = found.crawl_delay
        if delay is not None and delay > MOST_CRAWL_DELAY:
            # obeyed, a sync of the host would take days: say so rather than sleep
            raise Disallowed(url, f"not fetched: {found.url} asks {delay:g} s between two "
                                  f"requests (more than {MOST_CRAWL_DELAY} s), too slow to "
                                  "sync" + self._instead(url))
        return delay

    def _instead(self, url: str) -> str:
        """What to do instead of fetching a URL of this host ("; ..."), if anything is known."""
        instead = self.advice.get(_host(url)) or self.advice.get(httpx.URL(url).host)
        return f"; {instead}" if instead else ""

    def _archived(self, page_id: str) -> ArchivedPage | None:
        return self.archive.load(ARCHIVE_SOURCE, page_id) if self.archive else None

    def _read(self, client: PoliteClient, url: str, page_id: str
              ) -> RobotsRules | RobotsUnavailable:
        kept = self._archived(page_id)
        now = self.now()
        if kept is not None and (kept.checked_at or kept.fetched_at) + self.fresh_for > now:
            return RobotsRules(kept.url, kept.status or 200, kept.body, self.agent)
        self.fetched.append(url)
        try:
            response = client.get(url)
        except NotFound as exc:
            return self._keep(page_id, url, b"", exc.status or 404, now)
        except TransientError as exc:  # 429 or 5xx after the retries (RFC 9309 2.3.1.4)
            if kept is not None:  # the last copy, however old, rather than nothing
                return RobotsRules(kept.url, kept.status or 200, kept.body, self.agent)
            return RobotsUnavailable(url, f"could not be read ({exc.reason}) and no copy is "
                                          "archived: nothing is fetched from this host until "
                                          "it can be (RFC 9309: a robots.txt that cannot be "
                                          "read disallows everything); try again later")
        except FetchError as exc:
            if exc.status is not None and 400 <= exc.status < 500:  # 401, 403: no rules
                return self._keep(page_id, url, b"", exc.status, now)
            raise  # the host cannot be reached, or answers what no page could be
        if response.status != 200:  # 202 (a bot wall's empty answer), 204: no rules given
            return self._keep(page_id, url, b"", response.status, now)
        return self._keep(page_id, url, response.body, 200, now)

    def _keep(self, page_id: str, url: str, body: bytes, status: int, now: dt.datetime
              ) -> RobotsRules:
        if self.archive is not None:
            self.archive.save(ARCHIVE_SOURCE, page_id, url, body, now, history=True,
                              status=None if status == 200 else status, checked_at=now)
        return RobotsRules(url, status, body, self.agent)


def _host(url: str) -> str:
    parsed = httpx.URL(url)
    return parsed.netloc.decode("ascii", "replace") or parsed.host
