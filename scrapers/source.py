"""What a UN source is to the pipeline: one ``Source`` per source, all alike.

A source says what to fetch for a given state, how to fetch it (I/O), how to parse it
(pure) and under which name its raw responses are archived. It never touches the
database: the pipeline (``tracker.sync``) reads the state a sync plans from, hands it
over as plain data (``SyncState``), archives every response before it is parsed, and
stores what the parser returns with the writer the registry (``tracker.sources``) wires
to the source.

Two kinds of source:

- ``PageSource``: a few whole pages (the Library's yearly tables, the Veto List), each
  fetched with its validators, archived, parsed and stored in one transaction.
- ``SearchSource``: the Digital Library's search, newest first, record by record. A page
  is archived, split into its records (id and change stamp, ``split_search_page``),
  every new or changed record archived on its own, and only then parsed: a record the
  parser refuses stays archived, and ``tracker rebuild`` stores it once the parser
  accepts it.
"""

from __future__ import annotations

import datetime as dt
import re
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from council.records import ParseError
from scrapers.archive import ArchivedPage
from scrapers.http import FetchError, NotFound, PoliteClient, Response


class Unpublished(ParseError):
    """The source has nothing for this page yet (the documents service answers a record not
    yet published with an empty body): noted like a page not found, asked again later."""


@dataclass(frozen=True)
class SyncState:
    """What the database says about one source, read by the pipeline before a sync."""

    everything: bool = True  # fetch the whole history (first sync, ``--full``, or never complete)
    last_ok: dt.datetime | None = None  # when the source last synced cleanly
    known: Mapping[str, str | None] = field(default_factory=dict)  # record id: change stamp
    drafts_to_look_up: Sequence[str] = ()  # symbols no record covers yet (documents)
    # the documents a page source is asked for, each with the year it belongs to: the press
    # releases (SC/15648, 2024) and meeting records (S/PV.9591, 2024) of votes without a
    # roll call
    wanted: Sequence[tuple[str, int]] = ()


@dataclass(frozen=True)
class Page:
    """A page to fetch: its id in the raw archive, what to call it, and source details."""

    page_id: str
    label: str
    detail: Any = None  # what the source needs to fetch and parse it (e.g. the year)


@dataclass(frozen=True)
class Plan:
    """The pages a sync fetches from a page source, and whether they cover its history."""

    pages: list[Page]
    complete: bool


class PageSource(ABC):
    """A source of whole pages, fetched, archived, parsed and stored one at a time."""

    name: str  # the ``--source`` name
    archive_name: str  # the folder of its pages in the raw archive

    @abstractmethod
    def plan(self, state: SyncState, *, since: int | None, until: int | None,
             today: dt.date) -> Plan:
        """Return the pages to fetch for this state, in the order they are stored."""

    @abstractmethod
    def archived(self, page_ids: Sequence[str]) -> list[Page]:
        """Return the archived pages (by id) in the order a sync stores them."""

    @abstractmethod
    def fetch(self, client: PoliteClient, page: Page, archived: ArchivedPage | None
              ) -> Response:
        """Fetch a page (conditionally, when the archived copy has validators)."""

    @abstractmethod
    def parse(self, body: bytes, *, url: str, page: Page) -> Any:
        """Parse a page's body (pure); the result has ``errors``: the rows it refused."""

    def missing(self, exc: NotFound) -> FetchError | None:
        """What a page that does not exist (404) means: None, a missing page that is
        noted and not a failure; or the failure to report instead."""
        return None


@dataclass(frozen=True)
class RawRecord:
    """One record of a search page as the source wrote it, before it is parsed."""

    record_id: str
    modified: str | None  # the record's last-change stamp (005)
    raw: bytes
    # The record as the splitter read it, so that the parser need not read ``raw`` again.
    element: Any = field(default=None, compare=False, repr=False)


@dataclass
class SplitPage:
    """A search page split into its records: the total hits and each record's raw XML."""

    total: int
    records: list[RawRecord]
    errors: list[ParseError]  # records without a readable id: named, not archived


class SearchSource(ABC):
    """A record-by-record source: the Digital Library's search, walked newest first."""

    name: str  # the ``--source`` name
    archive_name: str  # its records' archive (``raw/{archive_name}.sqlite``)
    label: str  # what its records are called in messages ("voting records")
    page_size: int
    base_url: str

    @property
    def pages_archive_name(self) -> str:
        """The folder of its search pages in the raw archive."""
        return f"{self.archive_name}-search"

    @property
    def newest_first(self) -> bool:
        """Whether its pages are known to come newest first, so that a normal sync may stop
        at the first page with nothing new; a source whose order is not known is read
        whole every time."""
        return True

    @abstractmethod
    def fetch_page(self, client: PoliteClient, jrec: int) -> Response:
        """Fetch the search page that starts at record ``jrec`` (1-based)."""

    @abstractmethod
    def split(self, body: bytes, *, url: str) -> SplitPage:
        """Split a search page into its records: id, change stamp, raw XML (pure)."""

    @abstractmethod
    def record_url(self, record_id: str) -> str:
        """The address of one record (its provenance, and its name in the record archive)."""

    @abstractmethod
    def parse_record(self, raw: bytes, record_id: str, element: Any = None) -> Any:
        """Parse one archived record (pure); None if it is not one of this source's
        records (skipped); raise ParseError if it cannot be read. ``element`` is the
        record as the splitter read it from ``raw``'s page, when there is one."""


@dataclass
class Lookup:
    """The answer to a lookup by symbol, parsed: the records that match, and if none, the
    findings that say why; the records the parser refused, as the source wrote them (the
    pipeline archives them with the records found, so a rebuild reads them once the parser
    does)."""

    records: list[Any]
    errors: list[ParseError]
    findings: list[Any]
    refused: list[RawRecord] = field(default_factory=list)


class LookupSource(SearchSource):
    """A search source that can also be asked for one symbol at a time."""

    @property
    def lookups_archive_name(self) -> str:
        """The folder of its lookup answers in the raw archive."""
        return f"{self.archive_name}-lookup"

    @abstractmethod
    def look_up(self, client: PoliteClient, symbol: str) -> Response:
        """Ask for the record of one symbol."""

    @abstractmethod
    def parse_lookup(self, body: bytes, *, url: str, symbol: str) -> Lookup:
        """Parse the answer to a lookup (pure)."""

    def ends_lookups(self, exc: FetchError) -> bool:
        """Whether a failed lookup means the others would fail too (stop asking)."""
        return False


def lookup_page_id(symbol: str) -> str:
    """Return a raw-archive page id for a symbol (``S/2009/301`` -> ``S_2009_301``)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", symbol).strip("._") or "symbol"
