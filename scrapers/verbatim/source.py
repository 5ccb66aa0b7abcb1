"""The meeting records (``S/PV.9591``) as a source: one PDF per record asked for.

The pipeline asks for the records of the votes that no press release settles (before 1994
that is every one) and of those whose release it cross-checks; each is fetched from the
UN's documents service, ``{TRACKER_DOCS_URL}/api/symbol/access?s=S%2FPV.9591&l=en&t=pdf``.
The service answers 200 with an empty body for a record not yet published: the parser
says so (``NotPublished``), and a later sync asks again.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from urllib.parse import quote

from scrapers.archive import ArchivedPage
from scrapers.http import PoliteClient, Response, conditional_headers
from scrapers.source import Page, PageSource, Plan, SyncState
from scrapers.verbatim.parse import SOURCE_RECORDS, MeetingRecordVotes, parse_meeting_record

_RECORD = re.compile(r"^S/PV\.(\d{1,5})(?:\s*\(.*\))?$")
_ESCAPE = re.compile(r"[^A-Za-z0-9.-]")
_ESCAPED = re.compile(r"_([0-9A-F]{2})")


def page_id(symbol: str) -> str:
    """The raw archive's id of a record (a file name that reads back as the symbol): every
    character but letters, digits, "." and "-" written as "_" and its hex code, so
    "S/PV.2970 (Part I)" is "S_2FPV.2970_20_28Part_20I_29"."""
    return _ESCAPE.sub(lambda m: "".join(f"_{b:02X}" for b in m.group(0).encode()), symbol)


def symbol_of(page: str) -> str:
    """The symbol a page id was made from (``page_id`` read back)."""
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), page)


def record_url(base_url: str, symbol: str) -> str:
    return (f"{base_url.rstrip('/')}/api/symbol/access?s={quote(symbol, safe='')}"
            "&l=en&t=pdf")


class MeetingRecordsSource(PageSource):
    """The meeting records the pipeline asks for, in the order of their numbers."""

    name = "meeting-records"
    archive_name = SOURCE_RECORDS

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    @staticmethod
    def _page(symbol: str) -> Page:
        return Page(page_id(symbol), f"meeting record {symbol}", symbol)

    @staticmethod
    def _number(symbol: str) -> int:
        match = _RECORD.match(symbol)
        return int(match.group(1)) if match else 0

    def plan(self, state: SyncState, *, since: int | None, until: int | None,
             today: dt.date) -> Plan:
        symbols = sorted({symbol for symbol, year in state.wanted if _RECORD.match(symbol)
                          and (since is None or year >= since)
                          and (until is None or year <= until)}, key=self._number)
        return Plan([self._page(s) for s in symbols],
                    complete=since is None and (until is None or until >= today.year))

    def archived(self, page_ids: Sequence[str]) -> list[Page]:
        symbols = [symbol_of(p) for p in page_ids if _RECORD.match(symbol_of(p))]
        return [self._page(s) for s in sorted(symbols, key=self._number)]

    def fetch(self, client: PoliteClient, page: Page, archived: ArchivedPage | None
              ) -> Response:
        headers = (conditional_headers(archived.validators)
                   if archived is not None and archived.validators else None)
        return client.get(record_url(self.base_url, page.detail), headers=headers)

    def parse(self, body: bytes, *, url: str, page: Page) -> MeetingRecordVotes:
        return parse_meeting_record(body, record=page.detail)
