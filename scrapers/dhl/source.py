"""The Library's pages as sources: the yearly meetings tables and the Veto List."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from council.records import MeetingsTable, VetoList
from scrapers.archive import ArchivedPage
from scrapers.dhl import fetch as dhl_fetch
from scrapers.dhl import parse as dhl_parse
from scrapers.http import FetchError, NotFound, PoliteClient, Response
from scrapers.source import Page, PageSource, Plan, SyncState


def _year_of(page_id: str) -> int:
    return int(page_id.split("-")[0])


class _LibraryPages(PageSource):
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def fetch(self, client: PoliteClient, page: Page, archived: ArchivedPage | None
              ) -> Response:
        return dhl_fetch.fetch_page(
            client, self.base_url, page.detail, known_url=archived.url if archived else None,
            validators=archived.validators if archived else None)


class MeetingsSource(_LibraryPages):
    """The yearly tables of meetings: a normal sync reads the years since the last clean
    sync (at least last year's and this year's); a year without a table (404) is noted."""

    name = "meetings"
    archive_name = dhl_parse.SOURCE_MEETINGS

    @staticmethod
    def _page(page: dhl_fetch.Page) -> Page:
        return Page(page.page_id, f"meetings {page.page_id}", page)

    def plan(self, state: SyncState, *, since: int | None, until: int | None,
             today: dt.date) -> Plan:
        last = until if until is not None else today.year
        if since is not None:
            first = since
        elif state.everything:
            first = dhl_fetch.FIRST_YEAR
        else:  # the years since the last clean sync, and at least last year's table
            first = min(last - 1, state.last_ok.year if state.last_ok else last - 1)
        first = max(first, dhl_fetch.FIRST_YEAR)
        pages = dhl_fetch.meetings_pages(range(first, last + 1))
        return Plan([self._page(p) for p in pages],
                    complete=first == dhl_fetch.FIRST_YEAR and last >= today.year)

    def archived(self, page_ids: Sequence[str]) -> list[Page]:
        return [self._page(dhl_fetch.Page(page_id, (), _year_of(page_id)))
                for page_id in sorted(page_ids, key=lambda i: (_year_of(i), i))]

    def parse(self, body: bytes, *, url: str, page: Page) -> MeetingsTable:
        return dhl_parse.parse_meetings_table(body, year=_year_of(page.page_id), url=url)


class VetoListSource(_LibraryPages):
    """The Veto List: one page, read whole every sync; its absence is a failure."""

    name = "veto-list"
    archive_name = dhl_parse.SOURCE_VETO_LIST

    @staticmethod
    def _page() -> Page:
        page = dhl_fetch.veto_list_page()
        return Page(page.page_id, "Veto List", page)

    def plan(self, state: SyncState, *, since: int | None, until: int | None,
             today: dt.date) -> Plan:
        return Plan([self._page()], complete=True)

    def archived(self, page_ids: Sequence[str]) -> list[Page]:
        return [self._page() for _ in sorted(page_ids)]

    def parse(self, body: bytes, *, url: str, page: Page) -> VetoList:
        return dhl_parse.parse_veto_list(body, url=url)

    def missing(self, exc: NotFound) -> FetchError | None:
        return FetchError(exc.url, "the Veto List was not found (404): check "
                          "TRACKER_UN_ORG_URL", exc.status)
