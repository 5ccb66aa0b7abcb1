"""Settle which resolution a draft became, from the links its document record prints.

The Digital Library's document records link a draft to the resolution it became
(993), and the Library's cataloguing gets some of these wrong: ``S/2015/134`` is
linked to "S/RES/220 (2015)" (it became 2205 (2015)), ``S/2019/880`` to
"S/RES/2498(2018)" (2498 (2019)). So a link never creates a resolution. It is
accepted when it names a resolution that the meetings tables or the voting
records know (one with a date), whose voting record names no other draft, and
that was adopted no earlier than the draft was written (year and date), from a
draft whose own vote did not fail (S/3730/Rev.1, vetoed in 1956, is linked to
120 (1956), adopted at the same meeting on another text); else it is a finding,
and the draft keeps only the links the voting records give it.

Run after every sync (the links and the resolutions may come in any order), so
the result does not depend on the order of the sources.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from db.mandates import FAILED
from db.models import Draft, Resolution, SourceRecord, SymbolLookup, VoteEvent
from db.models import Finding as FindingRow
from db.store import page_of, store_findings_of
from db.upsert import Counts, table_of
from scrapers.records import Finding, Severity
from tracker.symbols import draft_preference

SOURCE = "draft-links"
DOCUMENTS = "undl-documents"
_DRAFT_YEAR = re.compile(r"^S/(\d{4})/\d")  # "S/2019/880"; not "S/2298/Rev.1"


def _link_findings(draft: Any, resolution: Any, named: list[str], names_other: str | None
                   ) -> Finding | None:
    """Return the finding that refuses a draft's link, or None if the link holds."""
    said = f"{draft.symbol}: its document record links it to {draft.resolution_link}"
    settled = (f"the voting record of {', '.join(named)} names this draft, which links it"
               if named else "the draft is linked to no resolution")
    if resolution is None or resolution.date is None:
        return Finding(SOURCE, draft.symbol, "draft_links_unknown_resolution", Severity.WARNING,
                       f"{said}, a resolution that neither the meetings tables nor the voting "
                       f"records name; the link is not stored and no resolution is made of "
                       f"it; {settled}")
    if draft.status in FAILED:  # its own vote failed: it became no resolution
        return Finding(SOURCE, draft.symbol, "draft_link_disagrees", Severity.WARNING,
                       f"{said}, but the draft was put to the vote and not adopted "
                       f"({draft.status.replace('_', ' ')}); the link is not stored; {settled}")
    if names_other is not None:
        return Finding(SOURCE, draft.symbol, "draft_link_disagrees", Severity.WARNING,
                       f"{said}, but {resolution.symbol} is the resolution of draft "
                       f"{names_other} (by its voting record, or an earlier link); that is kept")
    year = _DRAFT_YEAR.match(draft.symbol)
    if (year and int(year.group(1)) > resolution.year) or (
            draft.date is not None and draft.date > resolution.date):
        written = draft.date.isoformat() if draft.date else year.group(1) if year else "?"
        return Finding(SOURCE, draft.symbol, "draft_link_disagrees", Severity.WARNING,
                       f"{said}, adopted on {resolution.date.isoformat()}, before the draft "
                       f"was written ({written}); the link is not stored; {settled}")
    return None


def settle_resolution_links(session: Session, *, seen_at: dt.datetime) -> Counts:
    """Link each draft to the resolution its document record names, where that holds."""
    d, r, e = table_of(Draft), table_of(Resolution), table_of(VoteEvent)
    lookup, record = table_of(SymbolLookup), table_of(SourceRecord)
    drafts = sorted(session.execute(select(d.c.id, d.c.symbol, d.c.date, d.c.status,
                                           d.c.resolution_link)
                                    .where(d.c.resolution_link.is_not(None))),
                    key=lambda row: draft_preference(row.symbol))
    counts = Counts()
    links = sorted({row.resolution_link for row in drafts})
    resolutions: dict[str, Any] = {}
    for start in range(0, len(links), 500):
        for row in session.execute(select(r.c.id, r.c.symbol, r.c.year, r.c.date, r.c.draft_id)
                                   .where(r.c.symbol.in_(links[start:start + 500]))):
            resolutions[row.symbol] = row
    draft_symbols = {i: s for i, s in session.execute(select(d.c.id, d.c.symbol))}
    named_by: dict[int, list[str]] = {}
    for symbol, draft_id in session.execute(select(r.c.symbol, r.c.draft_id)
                                            .where(r.c.draft_id.is_not(None))):
        named_by.setdefault(draft_id, []).append(symbol)
    urls = {symbol: url for symbol, url in session.execute(
        select(lookup.c.symbol, record.c.source_url).select_from(lookup.join(
            record, (record.c.record_id == lookup.c.record_id)
            & (record.c.source == lookup.c.source)))
        .where(lookup.c.source == DOCUMENTS))}

    findings: dict[str, list[Finding]] = {}
    taken: dict[int, int] = {}
    for draft in drafts:
        resolution = resolutions.get(draft.resolution_link)
        # Two drafts linked to one resolution: the voting record's draft holds it; else, of a
        # draft and its revisions, the latest revision (the text put to the vote), before the
        # draft, its corrigenda and addenda; else the first by symbol. The others are findings.
        holder = (taken.get(resolution.id, resolution.draft_id)
                  if resolution is not None else None)
        other = holder if holder not in (None, draft.id) else None
        named = sorted(s for s in named_by.get(draft.id, []) if s != draft.resolution_link)
        finding = _link_findings(draft, resolution, named,
                                 draft_symbols.get(other) if other is not None else None)
        url = urls.get(draft.symbol) or draft.symbol
        findings.setdefault(url, [])
        if finding is not None or resolution is None:
            findings[url].extend([finding] if finding else [])
            continue
        taken[resolution.id] = draft.id
        if resolution.draft_id is None:
            session.execute(r.update().where(r.c.id == resolution.id, r.c.draft_id.is_(None))
                            .values(draft_id=draft.id))
            counts.changed += 1
        counts.changed += session.connection().execute(
            e.update().where(e.c.resolution_id == resolution.id, e.c.key == resolution.symbol,
                             e.c.draft_id.is_(None)).values(draft_id=draft.id)).rowcount or 0
        if draft.status is None:
            session.execute(d.update().where(d.c.id == draft.id).values(status="adopted"))
            counts.changed += 1
    # The drafts no longer linked (or since rid of their record) lose their findings too.
    f = table_of(FindingRow)
    pages = {page_of(url) for url in findings}
    gone = [i for i, page in session.execute(select(f.c.id, f.c.page).where(f.c.source == SOURCE))
            if page not in pages]
    for start in range(0, len(gone), 500):
        session.execute(f.delete().where(f.c.id.in_(gone[start:start + 500])))
    counts.deleted += len(gone)
    counts += store_findings_of(session, SOURCE,
                                {url: (found, seen_at) for url, found in findings.items()})
    return counts
