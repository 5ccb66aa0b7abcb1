"""Fetch Security Council voting records from the UN Digital Library. I/O only.

Two routes to the same MARCXML records:

- The public search (no token), newest first: ``GET {TRACKER_UNDL_URL}/search`` with
  ``ln=en``, ``cc=Voting Data``, ``c=Voting Data``, ``fct__2=Security Council``,
  ``of=xm``, ``rg`` (at most 200), ``jrec`` (1-based offset), ``so=d``. The drafts: the
  same search in the documents collection (``TRACKER_UNDL_DOCUMENTS_COLLECTION``) with the
  drafts query ``p`` (``TRACKER_UNDL_DRAFTS_QUERY``, ``089__b:B02``); one document by
  symbol: ``p=191__a:"S/2009/301"``.
- The API search, when ``TRACKER_UNDL_TOKEN`` is set: ``GET {TRACKER_UNDL_URL}/api/v1/search``
  with ``Authorization: Token <key>``, ``format=xml``, ``p`` and ``search_id`` (empty for
  a new search), and the same collection, Council facet, ``rg`` and ``so`` as the public
  search. The answer is ``<response>`` with ``<total>``, ``<search_id>`` and a
  ``<collection>`` of MARCXML records; the next page is asked for by sending the
  ``search_id`` back (with an empty ``p``), until a page comes back empty. This is how the
  Library's own sync tool calls it (``dag-hammarskjold-library/dlx-dl``,
  ``dlx_dl/scripts/sync.py`` and ``find_undeleted.py``). A 429 means waiting: the polite
  client retries it, honouring ``Retry-After``; a refused token (401, 403) is an error
  that says to check the token or to unset it.

The live site sits behind a bot wall: it answers 202 with an empty body, or
403. That is a fetch error that says what to do, never "no new records". The token is
sent in a header only to the API; it never appears in URLs, messages or the raw archive.

A page holding more records than were asked for (``rg``; one for a record, a
page's worth for a symbol) is refused before it is parsed: parsing holds every
record of a page at once, and a page of a million empty records would take
gigabytes. The records are counted by their start tags, a scan that allocates
nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from itertools import islice

from scrapers.http import FetchError, PoliteClient, Response, TransientError

PAGE_SIZE = 200
# A record's start tag, with or without a namespace prefix (<record>, <marc:record ...>).
_RECORD_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?record[\s/>]")
VOTING_DATA = "Voting Data"
COUNCIL = "Security Council"
API_SEARCH = "/api/v1/search"
# The drafts: record type (089 $b) B02, "Draft Resolutions and Decisions" (see the README).
DRAFTS_QUERY = "089__b:B02"

BOT_WALL_HELP = (
    "the UN Digital Library refused the request with its bot wall. Either set "
    "TRACKER_UNDL_TOKEN to an API token of the Digital Library (sent as "
    "'Authorization: Token ...'), or import the Library's voting dataset instead: "
    "tracker import undl-dataset PATH_OR_URL (record 4055387)"
)


API_WALL_HELP = (
    "the UN Digital Library's API answered without the data. Try again later, or import "
    "the Library's voting dataset instead: tracker import undl-dataset PATH_OR_URL "
    "(record 4055387)")
TOKEN_REFUSED_HELP = (
    "the UN Digital Library's API refused the token. Check TRACKER_UNDL_TOKEN (an API "
    "token of the Digital Library, sent as 'Authorization: Token ...'), or unset it to use "
    "the public search instead")
RATE_LIMIT_HELP = (
    "the UN Digital Library's API limits how often it is asked (its own sync tool waits "
    "five minutes when told 'Max 100 requests per 5 minutes'). Wait five minutes and sync "
    "again (the sync resumes), or lower TRACKER_REQUESTS_PER_SECOND (0.3 keeps under that "
    "limit)")


class BotWallError(FetchError):
    """The Digital Library's bot wall answered instead of the data."""


class TokenRefused(FetchError):
    """The Digital Library's API refused the token (401 or 403)."""


def search_params(jrec: int, rg: int = PAGE_SIZE, collection: str = VOTING_DATA,
                  query: str = "") -> dict[str, str | int]:
    """Return the query of one page of Security Council records, newest first (``query``,
    the search pattern ``p``, when there is one)."""
    if not 1 <= rg <= PAGE_SIZE:
        raise ValueError(f"rg must be between 1 and {PAGE_SIZE}")
    params: dict[str, str | int] = {"ln": "en", "cc": collection, "c": collection,
                                    "fct__2": COUNCIL, "of": "xm", "rg": rg, "jrec": jrec,
                                    "so": "d"}
    if query:
        params["p"] = query
    return params


def api_params(*, query: str, search_id: str | None, collection: str | None = None,
               rg: int = PAGE_SIZE) -> dict[str, str | int]:
    """Return the query of one page of the API search: a new search (``search_id`` None),
    or the next page of one (its ``search_id`` sent back, with an empty pattern, as the
    Library's own tool asks)."""
    if not 1 <= rg <= PAGE_SIZE:
        raise ValueError(f"rg must be between 1 and {PAGE_SIZE}")
    params: dict[str, str | int] = {"ln": "en", "format": "xml",
                                    "search_id": search_id or "",
                                    "p": "" if search_id else query}
    if collection is not None:
        params.update({"cc": collection, "c": collection, "fct__2": COUNCIL, "rg": rg,
                       "so": "d"})
    return params


def auth_headers(token: str | None) -> Mapping[str, str]:
    return {"Authorization": f"Token {token}"} if token else {}


def _at_most(body: bytes, most: int) -> bool:
    """Whether a body surely holds no more than ``most`` record start tags: each one holds
    ``<record`` or ``:record``, which bytes.count finds without the regular expression."""
    return body.count(b"<record") + body.count(b":record") <= most


def _checked(client: PoliteClient, url: str, params: Mapping[str, str | int] | None,
             token: str | None, *, most: int) -> Response:
    try:
        response = client.get(url, params=params, headers=auth_headers(token))
    except FetchError as exc:
        if exc.status in (401, 403):
            raise BotWallError(exc.url, f"answered {exc.status}: {BOT_WALL_HELP}",
                               exc.status) from None
        raise
    return _walled_or_bounded(response, most, BOT_WALL_HELP)


def _walled_or_bounded(response: Response, most: int, wall_help: str) -> Response:
    """An empty answer (or a 202) is the bot wall (``wall_help`` says what to do); an answer
    holding more records than were asked for is refused before it is parsed."""
    if response.status == 202 or not response.body.strip():
        raise BotWallError(response.url, f"answered {response.status} with an empty body: "
                                         f"{wall_help}", response.status)
    if _at_most(response.body, most):
        return response
    found = sum(1 for _ in islice(_RECORD_TAG.finditer(response.body), most + 1))
    if found > most:
        raise FetchError(response.url, f"the answer holds more than {most} record(s), the most "
                                       "that was asked for: refused before parsing")
    return response


def _checked_api(client: PoliteClient, url: str, params: Mapping[str, str | int], token: str,
                 *, most: int) -> Response:
    """Ask the API search; a refused token, a limit still hit after the client's waits, an
    answer without the data are errors that say what to do (never quoting the token)."""
    try:
        response = client.get(url, params=params, headers=auth_headers(token))
    except TransientError as exc:
        if exc.status == 429:
            raise FetchError(exc.url, f"answered 429 (too many requests) on every attempt: "
                                      f"{RATE_LIMIT_HELP}", 429) from None
        raise
    except FetchError as exc:
        if exc.status in (401, 403):
            raise TokenRefused(exc.url, f"answered {exc.status}: {TOKEN_REFUSED_HELP}",
                               exc.status) from None
        raise
    return _walled_or_bounded(response, most, API_WALL_HELP)


def fetch_api_page(client: PoliteClient, base_url: str, *, token: str, query: str,
                   search_id: str | None, collection: str | None = None,
                   rg: int = PAGE_SIZE) -> Response:
    """Fetch one page of the API search (MARCXML records in ``<response>``): the first page of
    a new search, or, given its ``search_id``, the next page of one."""
    return _checked_api(client, f"{base_url.rstrip('/')}{API_SEARCH}",
                        api_params(query=query, search_id=search_id, collection=collection,
                                   rg=rg), token, most=rg if collection is not None else
                        PAGE_SIZE)


def fetch_search_page(client: PoliteClient, base_url: str, jrec: int, *, rg: int = PAGE_SIZE,
                      token: str | None = None) -> Response:
    """Fetch one page of voting records (MARCXML), newest first."""
    return _checked(client, f"{base_url.rstrip('/')}/search", search_params(jrec, rg), token,
                    most=rg)


def fetch_documents_page(client: PoliteClient, base_url: str, jrec: int, *, collection: str,
                         query: str = "", rg: int = PAGE_SIZE, token: str | None = None
                         ) -> Response:
    """Fetch one page of the Security Council's document records (MARCXML), newest first:
    those of the collection that the drafts ``query`` finds."""
    return _checked(client, f"{base_url.rstrip('/')}/search",
                    search_params(jrec, rg, collection, query), token, most=rg)


def fetch_by_symbol(client: PoliteClient, base_url: str, symbol: str, *,
                    token: str | None = None) -> Response:
    """Ask for the record of one document by its symbol (191 $a): through the API search when
    there is a token, else the public search."""
    if token:
        return fetch_api_page(client, base_url, token=token, query=symbol_query(symbol),
                              search_id=None)
    params = {"ln": "en", "of": "xm", "p": symbol_query(symbol)}
    return _checked(client, f"{base_url.rstrip('/')}/search", params, token, most=PAGE_SIZE)


def symbol_query(symbol: str) -> str:
    """Return the search pattern that finds a document by its symbol (191 $a)."""
    return f'191__a:"{symbol}"'


def fetch_record(client: PoliteClient, base_url: str, record_id: str, *,
                 token: str | None = None) -> Response:
    """Fetch one record's MARCXML."""
    return _checked(client, f"{base_url.rstrip('/')}/record/{record_id}/export/xm", None, token,
                    most=1)
