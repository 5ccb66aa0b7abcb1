"""The Digital Library as sources: its voting records and its documents of drafts.

Both are walked through the search, newest first (``tracker.sync`` walks it); the
documents are also asked for by symbol, once each, for the drafts no page covered.

With a token, every search goes through the API route (``/api/v1/search``), which pages
by a ``search_id`` rather than an offset: a walk asks for its pages in order, the first
starting a new search and each next one sending back the ``search_id`` of the page
before. Without a token, the public ``/search`` pages by ``jrec``.
"""

from __future__ import annotations

from abc import abstractmethod

from lxml import etree

from council.records import DocumentRecord, Finding, Severity, VotingRecord
from scrapers.http import FetchError, PoliteClient, Response
from scrapers.source import Lookup, LookupSource, SearchSource, SplitPage
from scrapers.undl import documents as undl_documents
from scrapers.undl import fetch as undl_fetch
from scrapers.undl import parse as undl_parse


class _LibrarySearch(SearchSource):
    """What the Digital Library's searches share: MARCXML pages, records at /record/{id};
    with a token, the API route, paged by ``search_id``."""

    _token: str | None
    collection: str
    query: str = ""
    # The API route's place in its search: the search_id of the last page split, and the
    # record (1-based) the next page starts at.
    _search_id: str | None = None
    _next_jrec: int = 1
    _asked_jrec: int = 1

    def fetch_page(self, client: PoliteClient, jrec: int) -> Response:
        if not self._token:
            return self._fetch_public_page(client, jrec)
        if jrec == 1:  # a new search
            self._search_id, self._next_jrec = None, 1
        elif jrec != self._next_jrec or self._search_id is None:
            url = f"{self.base_url.rstrip('/')}{undl_fetch.API_SEARCH}"
            why = ("the last page gave no search_id to ask for the next" if self._search_id
                   is None else f"the next page starts at record {self._next_jrec}")
            raise FetchError(url, f"the API search pages in order only: record {jrec} cannot "
                                  f"be asked for ({why})")
        self._asked_jrec = jrec
        return undl_fetch.fetch_api_page(client, self.base_url, token=self._token,
                                         query=self.query, search_id=self._search_id,
                                         collection=self.collection, rg=self.page_size)

    @abstractmethod
    def _fetch_public_page(self, client: PoliteClient, jrec: int) -> Response:
        """Fetch the page of the public search that starts at record ``jrec``."""

    def split(self, body: bytes, *, url: str) -> SplitPage:
        if not self._token:
            return undl_parse.split_search_page(body, source=self.archive_name, url=url)
        page, search_id = undl_parse.split_api_page(body, source=self.archive_name, url=url)
        self._search_id = search_id
        self._next_jrec = self._asked_jrec + len(page.records) + len(page.errors)
        return page

    def record_url(self, record_id: str) -> str:
        return undl_parse.record_url(self.base_url, record_id)

    @property
    def newest_first(self) -> bool:
        """The public search sorts newest first (``so=d``). The API route is asked the same,
        but no public code shows that it honours the sort (the Library's own tool reads
        every page): a walk through it reads every page, so that nothing new is missed."""
        return not self._token


class VotingRecordsSource(_LibrarySearch):
    """The Council's roll calls (the ``Voting Data`` collection)."""

    name = "voting-records"
    archive_name = undl_parse.SOURCE_VOTES
    label = "voting records"

    def __init__(self, base_url: str, *, page_size: int = undl_fetch.PAGE_SIZE,
                 token: str | None = None) -> None:
        self.base_url, self.page_size, self._token = base_url, page_size, token
        self.collection = undl_fetch.VOTING_DATA

    def _fetch_public_page(self, client: PoliteClient, jrec: int) -> Response:
        return undl_fetch.fetch_search_page(client, self.base_url, jrec, rg=self.page_size)

    def parse_record(self, raw: bytes, record_id: str,
                     element: etree._Element | None = None) -> VotingRecord:
        if element is not None:
            return undl_parse.parse_record(element, base_url=self.base_url, raw=raw)
        return undl_parse.parse_record_xml(raw, base_url=self.base_url, record=record_id)


class DocumentsSource(_LibrarySearch, LookupSource):
    """The document records of the Council's drafts (what the drafts query finds in a
    documents collection), and the drafts the tables and the Veto List know that no page
    covered, asked for by symbol."""

    name = "documents"
    archive_name = undl_documents.SOURCE_DOCUMENTS
    label = "documents"

    def __init__(self, base_url: str, *, collection: str,
                 query: str = undl_fetch.DRAFTS_QUERY, page_size: int = undl_fetch.PAGE_SIZE,
                 token: str | None = None) -> None:
        self.base_url, self.page_size, self._token = base_url, page_size, token
        self.collection, self.query = collection, query

    def _fetch_public_page(self, client: PoliteClient, jrec: int) -> Response:
        return undl_fetch.fetch_documents_page(client, self.base_url, jrec,
                                               collection=self.collection, query=self.query,
                                               rg=self.page_size)

    def parse_record(self, raw: bytes, record_id: str,
                     element: etree._Element | None = None) -> DocumentRecord | None:
        if element is not None:
            return undl_documents.parse_document(element, base_url=self.base_url, raw=raw)
        return undl_documents.parse_document_xml(raw, base_url=self.base_url, record=record_id)

    def look_up(self, client: PoliteClient, symbol: str) -> Response:
        return undl_fetch.fetch_by_symbol(client, self.base_url, symbol, token=self._token)

    def parse_lookup(self, body: bytes, *, url: str, symbol: str) -> Lookup:
        """The drafts of this symbol in the answer; if none, why (a record of this symbol
        that is not a draft's); the records the parser refused, raw, to be archived."""
        page = undl_documents.parse_document_page(body, url=url, base_url=self.base_url)
        matching = [r for r in page.records if r.symbol == symbol]
        findings = [] if matching else [
            Finding(self.archive_name, symbol, "not_a_draft_record", Severity.INFO,
                    f"{symbol}: the Digital Library's record for this symbol is not a draft "
                    f"resolution's ({why}); its sponsors and title are not read, the draft "
                    "keeps what the other sources say")
            for found, why in page.refused.items() if found == symbol]
        return Lookup(matching, page.errors, findings, page.unread)

    def ends_lookups(self, exc: FetchError) -> bool:
        return isinstance(exc, undl_fetch.BotWallError | undl_fetch.TokenRefused)
