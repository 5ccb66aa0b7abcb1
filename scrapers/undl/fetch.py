"""Fetch Security Council voting records from the UN Digital Library. I/O only.

- Search, newest first, as MARCXML: ``GET {TRACKER_UNDL_URL}/search`` with
  ``ln=en``, ``cc=Voting Data``, ``c=Voting Data``, ``fct__2=Security Council``,
  ``of=xm``, ``rg`` (at most 200), ``jrec`` (1-based offset), ``so=d``.
- One record: ``GET {TRACKER_UNDL_URL}/record/{id}/export/xm``.
- Document records of drafts: the same search in a documents collection
  (``TRACKER_UNDL_DOCUMENTS_COLLECTION``), and one document by symbol:
  ``GET {TRACKER_UNDL_URL}/search?ln=en&of=xm&p=191__a:"S/2009/301"``.

The live site sits behind a bot wall: it answers 202 with an empty body, or
403. That is a fetch error that says what to do, never "no new records". With
``TRACKER_UNDL_TOKEN`` set, requests carry ``Authorization: Token ...`` (the
API-token route); the token never appears in messages or in the raw archive.

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

from scrapers.http import FetchError, PoliteClient, Response

PAGE_SIZE = 200
# A record's start tag, with or without a namespace prefix (<record>, <marc:record ...>).
_RECORD_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?record[\s/>]")
VOTING_DATA = "Voting Data"

BOT_WALL_HELP = (
    "the UN Digital Library refused the request with its bot wall. Either set "
    "TRACKER_UNDL_TOKEN to an API token of the Digital Library (sent as "
    "'Authorization: Token ...'), or import the Library's voting dataset instead: "
    "tracker import undl-dataset PATH_OR_URL (record 4055387)"
)


class BotWallError(FetchError):
    """The Digital Library's bot wall answered instead of the data."""


def search_params(jrec: int, rg: int = PAGE_SIZE, collection: str = VOTING_DATA
                  ) -> dict[str, str | int]:
    """Return the query of one page of Security Council records, newest first."""
    if not 1 <= rg <= PAGE_SIZE:
        raise ValueError(f"rg must be between 1 and {PAGE_SIZE}")
    return {"ln": "en", "cc": collection, "c": collection, "fct__2": "Security Council",
            "of": "xm", "rg": rg, "jrec": jrec, "so": "d"}


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
    if response.status == 202 or not response.body.strip():
        raise BotWallError(response.url, f"answered {response.status} with an empty body: "
                                         f"{BOT_WALL_HELP}", response.status)
    if _at_most(response.body, most):
        return response
    found = sum(1 for _ in islice(_RECORD_TAG.finditer(response.body), most + 1))
    if found > most:
        raise FetchError(response.url, f"the answer holds more than {most} record(s), the most "
                                       "that was asked for: refused before parsing")
    return response


def fetch_search_page(client: PoliteClient, base_url: str, jrec: int, *, rg: int = PAGE_SIZE,
                      token: str | None = None) -> Response:
    """Fetch one page of voting records (MARCXML), newest first."""
    return _checked(client, f"{base_url.rstrip('/')}/search", search_params(jrec, rg), token,
                    most=rg)


def fetch_documents_page(client: PoliteClient, base_url: str, jrec: int, *, collection: str,
                         rg: int = PAGE_SIZE, token: str | None = None) -> Response:
    """Fetch one page of the Security Council's document records (MARCXML), newest first."""
    return _checked(client, f"{base_url.rstrip('/')}/search",
                    search_params(jrec, rg, collection), token, most=rg)


def fetch_by_symbol(client: PoliteClient, base_url: str, symbol: str, *,
                    token: str | None = None) -> Response:
    """Ask for the record of one document by its symbol (191 $a)."""
    params = {"ln": "en", "of": "xm", "p": f'191__a:"{symbol}"'}
    return _checked(client, f"{base_url.rstrip('/')}/search", params, token, most=PAGE_SIZE)


def fetch_record(client: PoliteClient, base_url: str, record_id: str, *,
                 token: str | None = None) -> Response:
    """Fetch one record's MARCXML."""
    return _checked(client, f"{base_url.rstrip('/')}/record/{record_id}/export/xm", None, token,
                    most=1)
