"""The whole saved history of ../shared/data as one local replay: the Library's pages at
their un.org paths, and a Digital Library of its voting and document records.

Used by the full-history tests and by ``benchmarks/bench_full.py``.
"""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Replay
from tests.undl_replay import DigitalLibrary, from_pcrc_csv, from_scrape_csv

RESGUIDE = "/depts/dhl/resguide"


def library_pages(shared: Path) -> dict[str, bytes]:
    """Return the Library's saved pages (the Veto List, the yearly tables) by un.org path."""
    html = shared / "un_org_dhl_html"
    return {f"{RESGUIDE}/{p.name}": p.read_bytes()
            for p in [html / "scact_veto_table_en.html", *(html / "scact_tables").glob("*.html")]}


def real_library(shared: Path) -> DigitalLibrary:
    """Return a Digital Library of 2,618 voting records (the roll calls of
    ``undl_scrape_un_data`` and the real record of 2722 (2024)) and the document records of
    drafts of the Library's export in ``pcrc_unsc_dataset``."""
    records = from_scrape_csv(shared / "undl_scrape_un_data" / "un_data_security_council_rows.csv")
    real_2722 = shared / "undl_records" / "record_4033397_S-RES-2722(2024)_vote.marcxml.xml"
    return DigitalLibrary(
        [*records, ("2024-01-10", "4033397", real_2722.read_bytes())],
        from_pcrc_csv(shared / "pcrc_unsc_dataset" / "undl_export_089_B02_security_council.csv"))


def serve_history(replay: Replay, shared: Path) -> DigitalLibrary:
    """Serve the whole saved history from ``replay``; return its Digital Library."""
    replay.pages.update(library_pages(shared))
    library = real_library(shared)
    library.serve(replay)
    return library
