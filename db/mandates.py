"""Read the rows the mandate derivation needs and write what it derives.

The derivation itself is the domain's (``council.mandate_status``): given the registry,
the stored decisions and failed drafts as plain records and a date, it returns the
mandates, their events and statuses, with findings. This module streams the resolutions
and failed drafts out of the database and writes the result (bulk, idempotent) after
every sync, rebuild and import.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from sqlalchemy import select
from sqlmodel import Session

from council.mandate_status import (
    RECORD_URL,
    SOURCE,
    Decision,
    Derivation,
    FailedDraft,
    derive,
)
from council.mandates import Registry
from council.rules import FAILED_STATUSES
from db.models import Draft, Mandate, MandateEvent, Resolution, VoteEvent
from db.store import store_findings
from db.upsert import Counts, table_of, upsert


def _decisions(session: Session) -> Iterator[Decision]:
    """Stream the stored resolutions: titles, days, the bodies their drafts concern."""
    r, e, d = table_of(Resolution), table_of(VoteEvent), table_of(Draft)
    rows = session.execute(
        select(r.c.id, r.c.symbol, r.c.title, r.c.date, r.c.source_url,
               e.c.date.label("vote_date"), d.c.bodies.label("draft_bodies"))
        .outerjoin(e, e.c.resolution_id == r.c.id)
        .outerjoin(d, d.c.id == r.c.draft_id)
        .execution_options(yield_per=5_000)).mappings()
    for x in rows:
        yield Decision(x["id"], x["symbol"], x["title"], x["date"], x["source_url"],
                       x["vote_date"], x["draft_bodies"])


def _failed_drafts(session: Session) -> list[FailedDraft]:
    """Return the drafts whose own vote (not a preliminary question) failed."""
    e, d = table_of(VoteEvent), table_of(Draft)
    return [FailedDraft(x["id"], x["symbol"], x["title"], x["bodies"], x["source_url"],
                        x["vote_event_id"], x["vote_date"]) for x in session.execute(
        select(d.c.id, d.c.symbol, d.c.title, d.c.bodies, d.c.source_url,
               e.c.id.label("vote_event_id"), e.c.date.label("vote_date"))
        .join(e, (e.c.draft_id == d.c.id) & e.c.question.is_(None))
        .where(d.c.status.in_(FAILED_STATUSES))).mappings()]


def derive_mandates(session: Session, registry: Registry, *, today: dt.date) -> Counts:
    """Write the mandates and their events from the registry and the stored decisions."""
    failed_drafts = _failed_drafts(session)
    derived = derive(registry, decisions=_decisions(session), failed_drafts=failed_drafts,
                     today=today)
    return _write(session, derived, today=today)


def _write(session: Session, derived: Derivation, *, today: dt.date) -> Counts:
    """Make the mandate tables exactly what the derivation gives (upserts, then deletes)."""
    counts = Counts()
    mandate_rows = [{
        "slug": m.entry.slug, "name": m.entry.name, "kind": m.entry.kind,
        "established_by": m.entry.established_by, "established_by_id": m.established_by_id,
        "aliases": "; ".join(m.entry.aliases) or None, "parent_slug": m.entry.parent,
        "expiry": m.expiry, "status": m.status, "source_url": RECORD_URL}
        for m in derived.mandates]
    ids, c = upsert(session, Mandate, mandate_rows, key="slug")
    counts += c
    event_rows = [{
        "mandate_id": ids[e.slug], "kind": e.kind, "date": e.date, "reference": e.reference,
        "resolution_id": e.resolution_id, "draft_id": e.draft_id,
        "vote_event_id": e.vote_event_id, "new_expiry": e.new_expiry, "note": e.note,
        "source_url": e.source_url} for timeline in derived.events.values() for e in timeline]
    _, c = upsert(session, MandateEvent, event_rows, key=("mandate_id", "kind", "reference"))
    counts += c
    stated = {(r["mandate_id"], r["kind"], r["reference"]) for r in event_rows}
    me = table_of(MandateEvent)
    stale = [i for i, m, k, ref in session.execute(
        select(me.c.id, me.c.mandate_id, me.c.kind, me.c.reference)) if (m, k, ref) not in stated]
    if stale:
        session.execute(me.delete().where(me.c.id.in_(stale)))
        counts.deleted += len(stale)
    m = table_of(Mandate)
    slugs = [x.entry.slug for x in derived.mandates]
    gone = session.execute(select(m.c.id).where(m.c.slug.not_in(slugs))).scalars().all()
    if gone:  # mandates an older derivation made from a title's phrase
        session.execute(m.delete().where(m.c.id.in_(gone)))
        counts.deleted += len(gone)
    counts += store_findings(session, SOURCE, RECORD_URL, derived.findings,
                             seen_at=dt.datetime.combine(today, dt.time(), dt.UTC))
    return counts
