"""Mandates: what the Council created, renewed, and let lapse, with the votes behind each step.

The events (established, extended, renewal failed, terminated...) are those the last
derivation stored; a mandate's status and expiry on a date (today by default) are the
Council's rule (``council.mandate_status``) applied to them. The rule is not the
derivation done again: it reads only the stored events and the date, and a status is a
matter of the date (the ``mandate.status`` column, stored for SQL readers, is as of the
derivation's day, and an expiry or an end date passed since makes it stale): a mandate
whose expiry passed with no extension adopted and no termination has lapsed on its
expiry date when a renewal failed in a vote (the evidence), and has otherwise expired
(no renewal found in the sources).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select

from council.mandate_status import COMPUTED, STATUSES, Event, mandate_status
from council.mandates import KINDS, load_registry
from db import tables
from reports import outcomes
from reports.names import find_mandate
from reports.outcomes import vetoed_by
from reports.vetoes import ReportError


def _events(engine: Engine) -> pd.DataFrame:
    """Return every stored event: those read from the sources, and the end (lapsed,
    expired) the last derivation computed for its day (the reports leave that one out and
    ask the rule for the date they show)."""
    with engine.connect() as connection:
        return pd.read_sql(select(tables.mandate_event), connection)


def _as_events(rows: list[dict[str, Any]], slug: str) -> list[Event]:
    events = [Event(slug, row["kind"], _date(row["date"]), row["reference"],
                    new_expiry=_date(row["new_expiry"]), note=row["note"]) for row in rows]
    return sorted(events, key=lambda e: (e.date or dt.date.min, e.kind))


def _by_mandate(events: pd.DataFrame) -> dict[int, list[dict[str, Any]]]:
    """Return the event rows grouped by mandate id, in one pass."""
    grouped: dict[int, list[dict[str, Any]]] = {}
    for row in events.to_dict(orient="records"):
        grouped.setdefault(int(row["mandate_id"]), []).append({str(k): v for k, v in row.items()})
    return grouped


def _date(value: Any) -> dt.date | None:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _open_ended() -> set[str]:
    """The mandates the registry says were established with no time limit."""
    return {e.slug for e in load_registry().entries if e.open_ended}


def mandates(engine: Engine, *, status: str | None = None, kind: str | None = None,
             expiring_within: int | None = None, as_of: dt.date | None = None) -> pd.DataFrame:
    """Return one line per mandate: slug, name, kind, established by, last action, expiry,
    status — as of a date."""
    as_of = as_of or dt.date.today()
    if status is not None and status not in STATUSES:
        raise ReportError(f"unknown status {status!r}; use one of {', '.join(STATUSES)}")
    if kind is not None and kind not in KINDS:
        raise ReportError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
    m = tables.mandate
    with engine.connect() as connection:
        rows = pd.read_sql(select(m.c.id, m.c.slug, m.c.name, m.c.kind, m.c.established_by)
                           .order_by(m.c.slug), connection)
    events = _by_mandate(_events(engine))
    open_ended = _open_ended()
    out = []
    for row in rows.to_dict(orient="records"):
        rows_of = events.get(int(row["id"]), [])
        timeline = _as_events([r for r in rows_of if r["kind"] not in COMPUTED], row["slug"])
        state, expiry, lapse = mandate_status(timeline, as_of,
                                              open_ended=row["slug"] in open_ended)
        past = [e for e in timeline if e.date is not None and e.date <= as_of]
        if lapse is not None:
            past.append(lapse)
        last = max(past, key=lambda e: e.date or dt.date.min) if past else None
        out.append({
            "slug": row["slug"], "name": row["name"], "kind": row["kind"],
            "established_by": row["established_by"],
            "last_action": f"{last.kind} {last.reference}" if last else None,
            "last_action_date": last.date if last else None,
            "expiry": expiry, "status": state})
    frame = pd.DataFrame(out, columns=["slug", "name", "kind", "established_by", "last_action",
                                       "last_action_date", "expiry", "status"])
    if status is not None:
        frame = frame[frame["status"] == status]
    if kind is not None:
        frame = frame[frame["kind"] == kind]
    if expiring_within is not None:
        until = as_of + dt.timedelta(days=expiring_within)
        due = [e is not None and as_of <= e <= until for e in frame["expiry"]]
        frame = frame[pd.Series(due, index=frame.index, dtype=bool)
                      & (frame["status"] == "active")]
        frame = frame.sort_values("expiry")
    return frame.reset_index(drop=True)


def _vote_details(engine: Engine, vote_event_ids: list[int], draft_ids: list[int]
                  ) -> tuple[dict[int, dict[str, Any]], dict[int, list[str]]]:
    e, v, mv, s = tables.vote_event, tables.veto, tables.member_vote, tables.sponsorship
    with engine.connect() as connection:
        tallies = {r["id"]: dict(r) for r in connection.execute(
            select(e.c.id, e.c.yes, e.c.no, e.c.abstain, e.c.outcome)
            .where(e.c.id.in_(vote_event_ids))).mappings()}
        vetoes = connection.execute(select(v.c.vote_event_id, v.c.member_code, v.c.source)
                                    .where(v.c.vote_event_id.in_(vote_event_ids))).all()
        votes = connection.execute(select(mv.c.vote_event_id, mv.c.member_code, mv.c.vote)
                                   .where(mv.c.vote_event_id.in_(vote_event_ids))).all()
        sponsors = connection.execute(select(s.c.draft_id, s.c.member_code)
                                      .where(s.c.draft_id.in_(draft_ids))).all()
    vetoing = vetoed_by(vetoes)
    for event_id, detail in tallies.items():
        detail["vetoed_by"] = list(vetoing.get(event_id, [])) or None
        cast = [(code, vote) for vid, code, vote in votes if vid == event_id]
        if cast:
            detail["abstained"] = ", ".join(sorted(c for c, v in cast if v == "A")) or "none"
        elif detail["abstain"]:
            detail["abstained"] = (f"{detail['abstain']} member(s), not known which "
                                   "(no source gives the roll call)")
        else:
            detail["abstained"] = "none" if detail["abstain"] == 0 else None
    by_draft: dict[int, list[str]] = {}
    for draft_id, code in sponsors:
        by_draft.setdefault(draft_id, []).append(code)
    return tallies, {k: sorted(v) for k, v in by_draft.items()}


def mandate_timeline(engine: Engine, slug: str, *, as_of: dt.date | None = None
                     ) -> dict[str, Any]:
    """Return a mandate and its timeline: establishment, renewals (resolution, date, tally,
    new expiry), failed renewals (draft, sponsors, tally, vetoing members), the end."""
    as_of = as_of or dt.date.today()
    slug = find_mandate(engine, slug)
    m, me, d = tables.mandate, tables.mandate_event, tables.draft
    with engine.connect() as connection:
        row = connection.execute(select(m).where(m.c.slug == slug)).mappings().first()
        if row is None:
            known = connection.execute(select(m.c.slug).order_by(m.c.slug)).scalars().all()
            raise ReportError(f"no mandate {slug!r}; try `tracker mandates` "
                              f"(e.g. {', '.join(known[:5])})")
        rows = [dict(r) for r in connection.execute(
            select(me, d.c.symbol.label("draft"))
            .outerjoin(d, d.c.id == me.c.draft_id)
            .where(me.c.mandate_id == row["id"])).mappings()]
    rows = [r for r in rows if r["kind"] not in COMPUTED]  # the end is the rule's, below
    state, expiry, lapse = mandate_status(_as_events(rows, slug), as_of,
                                          open_ended=slug in _open_ended())
    e = tables.vote_event
    resolution_ids = [r["resolution_id"] for r in rows if r["resolution_id"]]
    with engine.connect() as connection:
        by_resolution = {r["resolution_id"]: r["id"] for r in connection.execute(
            select(e.c.id, e.c.resolution_id).where(e.c.resolution_id.in_(resolution_ids))
        ).mappings()}
    for r in rows:
        if not r["vote_event_id"] and r["resolution_id"]:
            r["vote_event_id"] = by_resolution.get(r["resolution_id"])
    details, sponsors = _vote_details(engine, [r["vote_event_id"] for r in rows
                                               if r["vote_event_id"]],
                                      [r["draft_id"] for r in rows if r["draft_id"]])
    lines = []
    for r in sorted(rows, key=lambda x: (_date(x["date"]) or dt.date.min, x["kind"])):
        when = _date(r["date"])
        if when is not None and when > as_of:
            continue
        detail = details.get(r["vote_event_id"], {})
        tally = outcomes.tally(detail.get("yes"), detail.get("no"), detail.get("abstain"))
        lines.append({
            "date": when, "event": r["kind"], "reference": r["reference"],
            "tally": tally, "new_expiry": _date(r["new_expiry"]),
            "sponsors": list(sponsors.get(r["draft_id"], [])) or None,
            "vetoed_by": detail.get("vetoed_by"), "abstained": detail.get("abstained"),
            "note": r["note"], "source_url": r["source_url"]})
    if lapse is not None:
        lines.append({"date": lapse.date, "event": lapse.kind, "reference": lapse.reference,
                      "tally": None, "new_expiry": None, "sponsors": None, "vetoed_by": None,
                      "abstained": None, "note": lapse.note, "source_url": None})
    return {
        "mandate": {"slug": row["slug"], "name": row["name"], "kind": row["kind"],
                    "established_by": row["established_by"], "parent": row["parent_slug"],
                    "aliases": row["aliases"].split("; ") if row["aliases"] else [],
                    "status": state, "expiry": expiry, "as_of": as_of},
        "timeline": pd.DataFrame(lines, columns=["date", "event", "reference", "tally",
                                                 "new_expiry", "sponsors", "vetoed_by",
                                                 "abstained", "note", "source_url"]),
    }
