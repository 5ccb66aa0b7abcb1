"""The whole saved history of ../shared/data as one local replay: the Library's pages at
their un.org paths, and a Digital Library of its voting and document records.

On the live site the search pages of the Council's documents never cover every draft: some
drafts are found only when asked for by symbol (``p=191__a:"S/2009/310"``). With
``lookup_only`` the replay does the same: that many drafts the meetings tables name (and so
the tracker knows before it walks the documents) are left out of the documents search pages
and answered only to a query for their symbol.

Used by the full-history tests and by ``benchmarks/bench_full.py``.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from scrapers.dhl.parse import parse_meetings_table
from tests.conftest import Replay
from tests.undl_replay import (
    DigitalLibrary,
    Document,
    Record,
    _strip_declaration,
    from_pcrc_csv,
    from_scrape_csv,
    send,
)

RESGUIDE = "/depts/dhl/resguide"


def library_pages(shared: Path) -> dict[str, bytes]:
    """Return the Library's saved pages (the Veto List, the yearly tables) by un.org path."""
    html = shared / "un_org_dhl_html"
    return {f"{RESGUIDE}/{p.name}": p.read_bytes()
            for p in [html / "scact_veto_table_en.html", *(html / "scact_tables").glob("*.html")]}


class LookupLibrary(DigitalLibrary):
    """A Digital Library whose documents search pages leave out the records of some
    symbols: those are answered only to a query for their symbol (``p=191__a:"..."``)."""

    def __init__(self, records: Sequence[Record | tuple[str, str, bytes]],
                 documents: Sequence[Document], lookup_only: Collection[str] = ()) -> None:
        hidden = set(lookup_only)
        super().__init__(records, [d for d in documents if d.symbol not in hidden])
        self.by_symbol_only: list[tuple[str, str, bytes]] = [
            (d.symbol, d.record_id, d.xml().encode()) for d in documents if d.symbol in hidden]

    def search(self, handler: BaseHTTPRequestHandler) -> None:
        query = {k: v[0] for k, v in parse_qs(urlparse(handler.path).query).items()}
        if not query.get("p", "").startswith("191__a:") or not self.by_symbol_only:
            super().search(handler)
            return
        self.searches.append(query)
        symbol = query["p"].split(":", 1)[1].strip('"')
        found = [d for d in [*self.documents, *self.by_symbol_only] if d[0] == symbol]
        send(handler, b'<?xml version="1.0" encoding="UTF-8"?>\n'
             + f"<!-- Search-Engine-Total-Number-Of-Results: {len(found)} -->\n".encode()
             + b'<collection xmlns="http://www.loc.gov/MARC21/slim">\n'
             + b"\n".join(_strip_declaration(x) for _, _, x in found) + b"\n</collection>\n")

    def serve(self, replay: Replay) -> None:
        super().serve(replay)
        for _, rid, _ in self.by_symbol_only:
            replay.pages[f"/record/{rid}/export/xm"] = self.record

    def record(self, handler: BaseHTTPRequestHandler) -> None:
        record_id = urlparse(handler.path).path.split("/")[2]
        hidden = next((x for _, rid, x in self.by_symbol_only if rid == record_id), None)
        if hidden is None:
            super().record(handler)
            return
        send(handler, b'<collection xmlns="http://www.loc.gov/MARC21/slim">'
             + _strip_declaration(hidden) + b"</collection>")


def drafts_the_tables_name(shared: Path) -> set[str]:
    """Return the drafts the yearly meetings tables print with an outcome (a vetoed or
    failed draft), read with the tracker's own parser: drafts a sync knows before it walks
    the documents search, so it asks for each by symbol if no search page covers it."""
    named: set[str] = set()
    for path in (shared / "un_org_dhl_html" / "scact_tables").glob("*.html"):
        year = re.search(r"scact(\d{4})", path.name)
        if year is None:
            continue
        table = parse_meetings_table(path.read_bytes(), year=int(year[1]), url=path.name)
        named |= {d.symbol for m in table.meetings for d in m.decisions
                  if d.kind == "draft" and d.symbol and d.outcome}
    return named


def real_library(shared: Path, *, lookup_only: int = 0) -> LookupLibrary:
    """Return a Digital Library of 2,618 voting records (the roll calls of
    ``undl_scrape_un_data`` and the real record of 2722 (2024)) and the document records of
    drafts of the Library's export in ``pcrc_unsc_dataset``.

    With ``lookup_only=N``, the records of N drafts the meetings tables name (the first N
    by record id, each the only record of its symbol) are left out of the search pages and
    answered only to a query for their symbol."""
    records = from_scrape_csv(shared / "undl_scrape_un_data" / "un_data_security_council_rows.csv")
    real_2722 = shared / "undl_records" / "record_4033397_S-RES-2722(2024)_vote.marcxml.xml"
    documents = from_pcrc_csv(
        shared / "pcrc_unsc_dataset" / "undl_export_089_B02_security_council.csv")
    hidden: list[str] = []
    if lookup_only:
        named = drafts_the_tables_name(shared)
        per_symbol: dict[str, int] = {}
        for d in documents:
            per_symbol[d.symbol] = per_symbol.get(d.symbol, 0) + 1
        candidates = sorted((d for d in documents
                             if d.symbol in named and per_symbol[d.symbol] == 1),
                            key=lambda d: int(d.record_id))
        if len(candidates) < lookup_only:
            raise ValueError(f"only {len(candidates)} drafts can be served by lookup alone")
        hidden = [d.symbol for d in candidates[:lookup_only]]
    return LookupLibrary([*records, ("2024-01-10", "4033397", real_2722.read_bytes())],
                         documents, hidden)


def serve_history(replay: Replay, shared: Path, *, lookup_only: int = 0) -> LookupLibrary:
    """Serve the whole saved history from ``replay``; return its Digital Library."""
    replay.pages.update(library_pages(shared))
    replay.pages.update(press_releases(shared))
    library = real_library(shared, lookup_only=lookup_only)
    library.serve(replay)
    return library


DPPA = Path("sc_votes_dppa_xlsx") / "sc_voting_1994_2025.csv"
_SIDE = {"Yes": "Y", "No": "N", "Abstain": "A"}


def _counted(names: list[str], one: str, many: str) -> str:
    """ "3 abstentions (Congo, Indonesia, Qatar)", "1 against (Russian Federation)", "no
    abstentions" """
    if not names:
        return f"no {many}" if many != "against" else "none against"
    return f"{len(names)} {one if len(names) == 1 else many} ({', '.join(names)})"


def press_releases(shared: Path) -> dict[str, bytes]:
    """Return press releases for the failed drafts since 1994, at the paths the meetings
    tables' press-release numbers give (``/en/{YEAR}/sc{N}.doc.htm``), written in the shape
    of the real releases (no real one is saved) from the roll calls of ``sc_votes_dppa_xlsx``
    (unofficial; its names as it spells them, "Ethipia" too): one vote sentence per draft,
    naming the members against and abstaining, as the releases do."""
    import csv

    votes: dict[str, dict[str, str]] = {}
    with (shared / DPPA).open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["Outcome results"].startswith("Not adopted") and row["Vote"] in _SIDE:
                votes.setdefault(row["Draft"], {})[row["Member State"]] = _SIDE[row["Vote"]]
    releases: dict[tuple[str, int, str], list[str]] = {}
    for path in sorted((shared / "un_org_dhl_html" / "scact_tables").glob("*.html")):
        year = re.search(r"scact(\d{4})", path.name)
        if year is None or int(year[1]) < 1994:
            continue
        table = parse_meetings_table(path.read_bytes(), year=int(year[1]), url=path.name)
        for meeting in table.meetings:
            release = meeting.press_release or ""
            if not re.fullmatch(r"SC/\d+", release):
                continue
            for decision in meeting.decisions:
                if decision.kind == "draft" and decision.symbol in votes:
                    drafts = releases.setdefault((release, meeting.date.year, meeting.record), [])
                    if decision.symbol not in drafts:
                        drafts.append(decision.symbol)
    pages: dict[str, bytes] = {}
    for (release, year, record), drafts in releases.items():
        number = re.sub(r"\D", "", record.split()[0])
        body = [f"<p>{number}th Meeting (AM)</p>", f"<p>{release}</p>"]
        for draft in drafts:
            cast = votes[draft]
            sides = {s: sorted(n for n, v in cast.items() if v == s) for s in "YNA"}
            body.append(
                f"<p>By a vote of {len(sides['Y'])} in favour to "
                f"{_counted(sides['N'], 'against', 'against')}, with "
                f"{_counted(sides['A'], 'abstention', 'abstentions')}, the Council rejected "
                f"the draft resolution (document {draft}).</p>")
        html = ("<html><head><title>Security Council</title></head><body><main>"
                + "".join(body) + "</main></body></html>")
        pages[f"/en/{year}/sc{release.split('/')[1]}.doc.htm"] = html.encode()
    return pages
