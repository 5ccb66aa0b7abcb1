"""Data-quality findings: what the sources say that cannot be right, or was not read."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, case, select

from db.models import Finding, Veto, VoteEvent
from db.upsert import table_of

SEVERITIES = ("error", "warning", "info")


def findings(engine: Engine, *, source: str | None = None, severity: str | None = None,
             kind: str | None = None) -> pd.DataFrame:
    """Return the findings, most severe first; filter by source, least severity, or kind."""
    t = table_of(Finding)
    rank = case({"error": 0, "warning": 1, "info": 2}, value=t.c.severity, else_=3)
    query = select(t.c.severity, t.c.kind, t.c.source, t.c.record, t.c.message, t.c.url).order_by(
        rank, t.c.source, t.c.record, t.c.kind)
    if source:
        query = query.where(t.c.source == source)
    if severity:
        if severity not in SEVERITIES:
            raise ValueError(f"unknown severity {severity!r}; use one of {', '.join(SEVERITIES)}")
        allowed = SEVERITIES[: SEVERITIES.index(severity) + 1]
        query = query.where(t.c.severity.in_(allowed))
    if kind:
        query = query.where(t.c.kind == kind)
    with engine.connect() as connection:
        return pd.read_sql(query, connection)


def veto_disagreements(engine: Engine) -> pd.DataFrame:
    """Compare the vetoes each convention records for the same vote; list every disagreement."""
    v, e = table_of(Veto), table_of(VoteEvent)
    query = select(e.c.key, e.c.date, v.c.member_code, v.c.source).select_from(
        v.join(e, v.c.vote_event_id == e.c.id))
    with engine.connect() as connection:
        rows = pd.read_sql(query, connection)
    out = []
    sets = rows.groupby(["key", "source"])["member_code"].agg(lambda s: sorted(set(s)))
    keys = sorted(set(rows["key"]))
    sources = sorted(set(rows["source"]))
    for key in keys:
        present = {s: sets.get((key, s)) for s in sources}
        known = {s: m for s, m in present.items() if m is not None}
        if len(known) == len(sources) and len({tuple(m) for m in known.values()}) == 1:
            continue
        described = "; ".join(
            f"{s}: {', '.join(m) if m is not None else 'no veto'}" for s, m in present.items())
        out.append({"severity": "warning", "kind": "veto_sources_disagree", "source": "check",
                    "record": key, "message": f"the sources disagree on the veto of {key}: "
                    f"{described}", "url": None})
    return pd.DataFrame(out, columns=["severity", "kind", "source", "record", "message", "url"])
