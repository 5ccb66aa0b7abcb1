"""Fetch the Library's pages. I/O only: parsing lives in ``scrapers.dhl.parse``.

URL shapes (under ``TRACKER_UN_ORG_URL``):
- ``/depts/dhl/resguide/scact_veto_table_en.htm`` (the Veto List)
- ``/depts/dhl/resguide/scact{YEAR}_table_en.html`` (one page a year from 1946;
  some years end in ``.htm``, so the other extension is tried on 404)
- 2020 has a second page for the meetings held by videoconference and the
  votes taken by written procedure: ``scact2020_covid_table_en.html``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from scrapers.http import NotFound, PoliteClient, Response, conditional_headers

FIRST_YEAR = 1946
RESGUIDE = "/depts/dhl/resguide"
VETO_LIST_PAGE = "veto-list"
# Extra pages for a year, beside the yearly table.
EXTRA_PAGES: dict[int, tuple[str, ...]] = {2020: ("covid",)}


@dataclass(frozen=True)
class Page:
    """A page to fetch: its id in the raw archive and the file names to try in turn."""

    page_id: str
    names: tuple[str, ...]
    year: int | None = None


def veto_list_page() -> Page:
    return Page(VETO_LIST_PAGE, ("scact_veto_table_en.htm", "scact_veto_table_en.html"))


def meetings_pages(years: range) -> list[Page]:
    """Return the pages of the yearly meetings tables for these years, oldest first."""
    pages = []
    for year in years:
        pages.append(Page(str(year), (f"scact{year}_table_en.html", f"scact{year}_table_en.htm"),
                          year))
        for extra in EXTRA_PAGES.get(year, ()):
            pages.append(Page(f"{year}-{extra}", (f"scact{year}_{extra}_table_en.html",
                                                  f"scact{year}_{extra}_table_en.htm"), year))
    return pages


def fetch_page(client: PoliteClient, base_url: str, page: Page, *,
               known_url: str | None = None, validators: Mapping[str, str] | None = None
               ) -> Response:
    """Fetch a page, trying each of its names; raise NotFound if none exists.

    The name that answered last time (``known_url``) is tried first, as a
    conditional request when the archive holds its validators: an answer of 304
    means the archived copy is current.
    """
    urls = [f"{base_url.rstrip('/')}{RESGUIDE}/{name}" for name in page.names]
    if known_url in urls:
        urls.remove(known_url)
        urls.insert(0, known_url)
    missing: NotFound | None = None
    for url in urls:
        headers = conditional_headers(validators) if url == known_url and validators else None
        try:
            return client.get(url, headers=headers)
        except NotFound as exc:
            missing = exc
    assert missing is not None
    raise missing
