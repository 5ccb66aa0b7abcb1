"""The facts of a vote, one function each: who vetoed it, how it ended, its tally, and
the findings that say why a fact is not stored.

Every view of a vote or a draft (``drafts``, ``draft``, ``votes``, ``sponsors``, a
mandate's timeline, the ``drafts`` export) asks these functions, so that no two views of
one fact can disagree. The rules themselves (the veto, the outcome, how a tally is
written) are ``council.rules``'.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select

from council.rules import council_size, decided_outcome, format_tally
from council.sources import SOURCE_MEETINGS, SOURCE_VETO_LIST, VETO_FROM_ROLL_CALL
from db import tables

# Whose vetoes a view shows when sources differ: the Library's Veto List, then the meetings
# tables, then those read from a roll call. The first two are the vetoes report's
# conventions (``reports.vetoes.CONVENTIONS``).
VETO_PRECEDENCE = (SOURCE_VETO_LIST, SOURCE_MEETINGS, VETO_FROM_ROLL_CALL)
# A document symbol a finding's message names: "S/2022/431", "S/RES/120 (1956)",
# "S/PV.49 (vetoed draft 2)".
_NAMED_SYMBOL = re.compile(r"S/[A-Za-z0-9./-]*[A-Za-z0-9](?: \((?:[0-9]{4}|vetoed draft [0-9]+|"
                           r"draft not adopted [0-9]+)\))?")
# The kinds of findings whose rule leaves a fact of a vote or a draft unstored, and the
# fact: a view that shows the fact blank names the finding.
UNSTORED_BY_FINDING = {
    "veto_without_negative_vote": "tally", "veto_tally_mismatch": "tally",
    "tally_exceeds_council": "tally", "draft_link_disagrees": "resolution",
    "draft_links_unknown_resolution": "resolution"}
COLUMNS = ["vote_event_id", "key", "draft", "vetoed_by", "outcome", "tally", "not_stored"]


def vetoed_by(rows: Iterable[tuple[int, str, str]]) -> dict[int, list[str]]:
    """Return, per vote event, the members that vetoed it as the most authoritative source
    names them (``VETO_PRECEDENCE``: the Veto List, then the meetings tables, then a roll
    call), from ``(vote event id, member code, source)`` rows."""
    by_source: dict[int, dict[str, set[str]]] = {}
    for event_id, code, source in rows:
        by_source.setdefault(int(event_id), {}).setdefault(source, set()).add(code)
    return {event_id: sorted(next(named[s] for s in VETO_PRECEDENCE if s in named))
            for event_id, named in by_source.items()
            if any(s in named for s in VETO_PRECEDENCE)}


def abstaining(engine: Engine, vote_event_ids: Iterable[int]) -> dict[int, list[str]]:
    """Return, per vote event whose roll call is stored whole (every seat), the members
    that abstained (an empty list: none did); a vote without a roll call, or with one named
    only in part, is left out: not known."""
    mv, e = tables.member_vote, tables.vote_event
    ids = sorted({int(i) for i in vote_event_ids})
    found: dict[int, list[str]] = {}
    rows: dict[int, int] = {}
    seats: dict[int, int] = {}
    with engine.connect() as connection:
        for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
            for event_id, code, vote, day in connection.execute(
                    select(mv.c.vote_event_id, mv.c.member_code, mv.c.vote, e.c.date)
                    .join(e, e.c.id == mv.c.vote_event_id)
                    .where(mv.c.vote_event_id.in_(chunk)).order_by(mv.c.member_code)):
                key = int(event_id)
                codes = found.setdefault(key, [])
                rows[key] = rows.get(key, 0) + 1
                seats[key] = council_size(day.year) if day is not None else 15
                if vote == "A":
                    codes.append(code)
    return {key: codes for key, codes in found.items() if rows[key] >= seats[key]}


def tally(yes: Any, no: Any, abstain: Any) -> str | None:
    """Return a stored tally as the Council writes it, or None when none is stored."""
    if yes is None or pd.isna(yes):
        return None
    return format_tally(yes, no, abstain)


def not_stored(engine: Engine) -> dict[str, list[str]]:
    """Return, per document symbol, the findings that left a fact of it unstored (a tally,
    a link: ``UNSTORED_BY_FINDING``) as ``kind: message``, as a view shows them where the
    fact is blank. A finding is about the first symbol its message names."""
    f = tables.finding
    with engine.connect() as connection:
        rows = connection.execute(select(f.c.kind, f.c.message)
                                  .where(f.c.kind.in_(list(UNSTORED_BY_FINDING)))
                                  .order_by(f.c.id)).all()
    out: dict[str, list[str]] = {}
    for kind, message in rows:
        subject = _NAMED_SYMBOL.search(message)
        if subject is not None:
            out.setdefault(subject[0], []).append(f"{kind}: {message}")
    return out


def vote_facts(engine: Engine, vote_event_ids: Sequence[int] | None = None) -> pd.DataFrame:
    """Return the facts of each vote (all, or those given): its key, its draft, who vetoed
    it, how it ended (``council.rules.decided_outcome``), its tally, and the findings
    that say why a fact of it is not stored (None when none does)."""
    e, d, v = tables.vote_event, tables.draft, tables.veto
    events = (select(e.c.id, e.c.key, e.c.date, e.c.outcome, e.c.yes, e.c.no, e.c.abstain,
                     e.c.printed_as, d.c.symbol.label("draft"))
              .outerjoin(d, d.c.id == e.c.draft_id))
    vetoes = select(v.c.vote_event_id, v.c.member_code, v.c.source)
    if vote_event_ids is not None:
        ids = [int(i) for i in vote_event_ids]
        events = events.where(e.c.id.in_(ids))
        vetoes = vetoes.where(v.c.vote_event_id.in_(ids))
    with engine.connect() as connection:
        event_rows = connection.execute(events.order_by(e.c.id)).mappings().all()
        vetoing = vetoed_by(connection.execute(vetoes).all())
    findings = not_stored(engine)
    rows = []
    for row in event_rows:
        members = vetoing.get(row["id"], [])
        year = row["date"].year if row["date"] is not None else None
        named = [*findings.get(row["key"], []),
                 *(findings.get(row["draft"], []) if row["draft"] != row["key"] else []),
                 *(findings.get(row["printed_as"], []) if row["printed_as"] else [])]
        rows.append({
            "vote_event_id": row["id"], "key": row["key"], "draft": row["draft"],
            "vetoed_by": list(members) or None,
            "outcome": decided_outcome(row["outcome"], yes=row["yes"], year=year,
                                       vetoed_by=members),
            "tally": tally(row["yes"], row["no"], row["abstain"]),
            "not_stored": "; ".join(dict.fromkeys(named)) or None})
    return pd.DataFrame(rows, columns=COLUMNS)
