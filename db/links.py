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

from sqlalchemy import bindparam, select
from sqlmodel import Session

from council.records import Finding, Severity
from council.rules import FAILED_STATUSES
from council.sources import SOURCE_DOCUMENTS
from council.symbols import draft_preference
from db.models import Draft, Resolution, SourceRecord, SymbolLookup, VoteEvent
from db.models import Finding as FindingRow
from db.store import page_of, store_findings_of
from db.upsert import Counts, table_of

SOURCE = "draft-links"
BY_RECORD, BY_LINK = "voting-record", "draft-link"  # resolution.draft_named_by
_DRAFT_YEAR = re.compile(r"^S/(\d{4})/\d")  # "S/2019/880"; not "S/2298/Rev.1"


def _link_findings(draft: Any, resolution: Any, named: list[str]) -> Finding | None:
    """Return the finding that refuses a draft's link on its own, or None if it may hold."""
    said = f"{draft.symbol}: its document record links it to {draft.resolution_link}"
    settled = (f"the voting record of {', '.join(named)} names this draft, which links it"
               if named else "the draft is linked to no resolution")
    if resolution is None or resolution.date is None:
        return Finding(SOURCE, draft.symbol, "draft_links_unknown_resolution", Severity.WARNING,
                       f"{said}, a resolution that neither the meetings tables nor the voting "
                       f"records name; the link is not stored and no resolution is made of "
                       f"it; {settled}")
    if draft.status in FAILED_STATUSES:  # its own vote failed: it became no resolution
        return Finding(SOURCE, draft.symbol, "draft_link_disagrees", Severity.WARNING,
                       f"{said}, but the draft was put to the vote and not adopted "
                       f"({draft.status.replace('_', ' ')}); the link is not stored; {settled}")
    year = _DRAFT_YEAR.match(draft.symbol)
    if (year and int(year.group(1)) > resolution.year) or (
            draft.date is not None and draft.date > resolution.date):
        written = draft.date.isoformat() if draft.date else year.group(1) if year else "?"
        return Finding(SOURCE, draft.symbol, "draft_link_disagrees", Severity.WARNING,
                       f"{said}, adopted on {resolution.date.isoformat()}, before the draft "
                       f"was written ({written}); the link is not stored; {settled}")
    return None


def _held_elsewhere(draft: Any, resolution: Any, holder: str, by_record: bool) -> Finding:
    why = ("its voting record names that draft" if by_record else
           "of the drafts linked to it, that one is the later revision (the text put to the "
           "vote) or comes first by symbol")
    return Finding(SOURCE, draft.symbol, "draft_link_disagrees", Severity.WARNING,
                   f"{draft.symbol}: its document record links it to {draft.resolution_link}, "
                   f"but {resolution.symbol} is the resolution of draft {holder} ({why}); "
                   "that is kept")


def settle_resolution_links(session: Session, *, seen_at: dt.datetime) -> Counts:
    """Link each draft to the resolution its document record names, where that holds.

    Settled from scratch each time, from what is stored: a resolution whose voting record
    names its draft keeps that draft ("voting-record"); else, of the drafts whose links
    hold, the latest revision (``draft_preference``) holds it ("draft-link"), whatever
    the order in which the records came. The adoption's vote event follows.
    """
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
        for row in session.execute(select(r.c.id, r.c.symbol, r.c.year, r.c.date, r.c.draft_id,
                                          r.c.draft_named_by)
                                   .where(r.c.symbol.in_(links[start:start + 500]))):
            resolutions[row.symbol] = row
    draft_symbols = {i: s for i, s in session.execute(select(d.c.id, d.c.symbol))}
    # A draft_id of unknown origin (stored before 0.2.0) is kept like a voting record's.
    fixed = r.c.draft_named_by.is_(None) | (r.c.draft_named_by == BY_RECORD)
    named_by: dict[int, list[str]] = {}
    for symbol, draft_id in session.execute(select(r.c.symbol, r.c.draft_id)
                                            .where(r.c.draft_id.is_not(None), fixed)):
        named_by.setdefault(draft_id, []).append(symbol)
    urls = {symbol: url for symbol, url in session.execute(
        select(lookup.c.symbol, record.c.source_url).select_from(lookup.join(
            record, (record.c.record_id == lookup.c.record_id)
            & (record.c.source == lookup.c.source)))
        .where(lookup.c.source == SOURCE_DOCUMENTS))}

    findings: dict[str, list[Finding]] = {}
    candidates: dict[str, list[Any]] = {}  # resolution symbol -> drafts whose link may hold
    for draft in drafts:
        resolution = resolutions.get(draft.resolution_link)
        named = sorted(s for s in named_by.get(draft.id, []) if s != draft.resolution_link)
        finding = _link_findings(draft, resolution, named)
        findings.setdefault(urls.get(draft.symbol) or draft.symbol, []).extend(
            [finding] if finding else [])
        if finding is None and resolution is not None:
            candidates.setdefault(resolution.symbol, []).append(draft)

    holders: dict[int, int | None] = {}  # resolution id -> the draft that holds it
    for symbol, linked in candidates.items():
        resolution = resolutions[symbol]
        by_record = resolution.draft_id is not None and resolution.draft_named_by != BY_LINK
        holder = resolution.draft_id if by_record else linked[0].id
        for draft in linked:
            if draft.id != holder:
                findings[urls.get(draft.symbol) or draft.symbol].append(_held_elsewhere(
                    draft, resolution, draft_symbols.get(holder, "?"), by_record))
        if not by_record:
            holders[resolution.id] = holder
    # Resolutions a link held before and no link holds now let their draft go.
    for (res_id,) in session.execute(select(r.c.id).where(r.c.draft_named_by == BY_LINK)):
        holders.setdefault(res_id, None)
    current = {i: (draft_id, by) for i, draft_id, by in session.execute(
        select(r.c.id, r.c.draft_id, r.c.draft_named_by).where(r.c.id.in_(list(holders))))
    } if holders else {}
    changed = [{"b_id": res_id, "b_draft": holder,
                "b_by": BY_LINK if holder is not None else None}
               for res_id, holder in holders.items()
               if current.get(res_id) != (holder, BY_LINK if holder is not None else None)]
    if changed:
        session.execute(r.update().where(r.c.id == bindparam("b_id")).values(
            draft_id=bindparam("b_draft"), draft_named_by=bindparam("b_by")), changed)
        counts.changed += len(changed)
    # The vote of adoption names the draft its resolution came from.
    mismatched = [{"b_id": event_id, "b_draft": draft_id} for event_id, draft_id in
                  session.execute(select(e.c.id, r.c.draft_id).select_from(
                      e.join(r, (e.c.resolution_id == r.c.id) & (e.c.key == r.c.symbol)))
                      .where(r.c.draft_id.is_not(None),
                             (e.c.draft_id.is_(None)) | (e.c.draft_id != r.c.draft_id)))]
    if mismatched:
        session.execute(e.update().where(e.c.id == bindparam("b_id")).values(
            draft_id=bindparam("b_draft")), mismatched)
        counts.changed += len(mismatched)
    loose = session.execute(select(e.c.id).select_from(
        e.join(r, (e.c.resolution_id == r.c.id) & (e.c.key == r.c.symbol)))
        .where(r.c.draft_id.is_(None), e.c.draft_id.is_not(None),
               e.c.draft_id.in_(select(d.c.id).where(d.c.resolution_link.is_not(None)))
               )).scalars().all()
    if loose:
        session.execute(e.update().where(e.c.id.in_(loose)).values(draft_id=None))
        counts.changed += len(loose)
    # "Adopted" comes with a resolution: a linked draft that holds none is not adopted by it.
    holding = select(r.c.draft_id).where(r.c.draft_id.is_not(None))
    counts.changed += session.connection().execute(
        d.update().where(d.c.resolution_link.is_not(None), d.c.status.is_(None),
                         d.c.id.in_(holding)).values(status="adopted")).rowcount or 0
    counts.changed += session.connection().execute(
        d.update().where(d.c.resolution_link.is_not(None), d.c.status == "adopted",
                         d.c.id.not_in(holding)).values(status=None)).rowcount or 0
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
