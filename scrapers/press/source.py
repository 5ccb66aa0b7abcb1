"""The press releases (meetings coverage) as a source: one page per release asked for.

The Library's meetings tables give each meeting's press release (``SC/15648``); the
pipeline asks for the releases of the votes without a roll call (a normal sync: those not
fetched yet; ``--full``: all of them), and this source fetches each from
``{TRACKER_PRESS_URL}/en/{YEAR}/sc{NUMBER}.doc.htm``. A release that does not exist (404)
is noted, not a failure, as for a year's table. The tables also link releases under
``/press/en/...`` on un.org, which redirect to the same pages (the client follows).

The releases appear the same day, the tables and the Library days later: each sync of this
source also reads the feed (``{TRACKER_PRESS_URL}/en/rss.xml``, ``scrapers.press.feed``)
and fetches the Council's releases it lists that are not archived yet (all it lists with
``--full``; not those its dates put before the last sync: a feed's dates are not the order
its items appear in). The feed is archived as
the page ``feed`` (each version kept); a rebuild does not read it (the releases it led to
are archived on their own).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Sequence

from council.sources import PRESS_RELEASE_PATH
from scrapers.archive import ArchivedPage
from scrapers.http import PoliteClient, Response, conditional_headers
from scrapers.press.feed import FeedItem, PressFeed, parse_press_feed
from scrapers.press.parse import SOURCE_PRESS, PressRelease, parse_press_release
from scrapers.source import Page, PageSource, Plan, SyncState

_SYMBOL = re.compile(r"^SC/(\d{1,6})$")
_PAGE_ID = re.compile(r"^(\d{4})-sc(\d{1,6})$")
FEED_PAGE = "feed"  # the feed's id in the raw archive


def page_id(symbol: str, year: int) -> str | None:
    """The raw archive's id of a release's page ("2024-sc15648"), or None for a symbol that
    is no Council press release (the tables also cite SG/ releases)."""
    match = _SYMBOL.match(symbol.strip())
    return f"{year}-sc{int(match.group(1))}" if match else None


def release_page_id(url: str) -> str | None:
    """The raw archive's id of the release at an address ("2024-sc15648"), or None."""
    match = PRESS_RELEASE_PATH.search(url)
    return f"{match.group(1)}-sc{int(match.group(2))}" if match else None


def release_url(base_url: str, page: str) -> str:
    match = _PAGE_ID.match(page)
    if match is None:
        raise ValueError(f"not a press release page id: {page!r}")
    return f"{base_url.rstrip('/')}/en/{match.group(1)}/sc{match.group(2)}.doc.htm"


class PressReleasesSource(PageSource):
    """The press releases of the votes the pipeline asks for, oldest first."""

    name = "press-releases"
    archive_name = SOURCE_PRESS

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    @staticmethod
    def _page(page: str) -> Page:
        year, number = _PAGE_ID.match(page).groups()  # type: ignore[union-attr]
        return Page(page, f"press release SC/{number} ({year})", int(year))

    def plan(self, state: SyncState, *, since: int | None, until: int | None,
             today: dt.date) -> Plan:
        pages = sorted({p for symbol, year in state.wanted
                        if (since is None or year >= since) and (until is None or year <= until)
                        and (p := page_id(symbol, year)) is not None},
                       key=lambda p: (int(p[:4]), int(p[7:])))
        return Plan([self._page(p) for p in pages],
                    complete=since is None and (until is None or until >= today.year))

    def archived(self, page_ids: Sequence[str]) -> list[Page]:
        return [self._page(p) for p in sorted(
            (p for p in page_ids if _PAGE_ID.match(p)), key=lambda p: (int(p[:4]), int(p[7:])))]

    def fetch(self, client: PoliteClient, page: Page, archived: ArchivedPage | None
              ) -> Response:
        url = release_url(self.base_url, page.page_id)
        headers = (conditional_headers(archived.validators)
                   if archived is not None and archived.validators else None)
        return client.get(url, headers=headers)

    def parse(self, body: bytes, *, url: str, page: Page) -> PressRelease:
        return parse_press_release(body, url=url)

    def feed_url(self) -> str:
        return f"{self.base_url.rstrip('/')}/en/rss.xml"

    def fetch_feed(self, client: PoliteClient, archived: ArchivedPage | None) -> Response:
        """Fetch the feed (conditionally, when the archived copy has validators)."""
        headers = (conditional_headers(archived.validators)
                   if archived is not None and archived.validators else None)
        return client.get(self.feed_url(), headers=headers)

    def parse_feed(self, body: bytes, *, url: str) -> PressFeed:
        return parse_press_feed(body, url=url)

    @staticmethod
    def news(feed: PressFeed, *, archived: Collection[str]) -> list[FeedItem]:
        """The Council's releases the feed lists whose pages are not in the raw archive yet
        (``archived``: its page ids; empty to take them all). Not the feed's dates: an item
        can appear after a sync began with an earlier ``pubDate`` (a cached feed; a release
        dated when it was written, listed when it was published), and the feed holds about
        ten items, so asking for each one not read yet misses none and costs little."""
        return [item for item in feed.items
                if page_id(item.symbol, item.year) not in archived]
