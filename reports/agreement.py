"""Agreement between members: the share of identical votes over the votes both cast.

Only votes cast (Y, N, A) count; non-voting (X) and votes before or after a
member's time on the Council do not. A pair with fewer shared votes than the
minimum is left blank, not zero.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select

from db.models import MemberVote, VoteEvent
from db.upsert import table_of
from reports.vetoes import resolve_member

CAST = ("Y", "N", "A")


def agreement(engine: Engine, *, since: dt.date | None = None, until: dt.date | None = None,
              members: list[str] | None = None, min_shared: int = 1) -> pd.DataFrame:
    """Return the agreement matrix: one row per member, one column per member (0 to 1)."""
    codes = [resolve_member(m) for m in members] if members else None
    mv, e = table_of(MemberVote), table_of(VoteEvent)
    query = (select(mv.c.vote_event_id, mv.c.member_code, mv.c.vote)
             .join(e, e.c.id == mv.c.vote_event_id).where(mv.c.vote.in_(CAST)))
    if since is not None:
        query = query.where(e.c.date >= since)
    if until is not None:
        query = query.where(e.c.date <= until)
    if codes:
        query = query.where(mv.c.member_code.in_(codes))
    with engine.connect() as connection:
        frame = pd.read_sql(query, connection)
    if frame.empty:
        return pd.DataFrame(columns=["member"])
    events = pd.Categorical(frame["vote_event_id"])
    people = pd.Categorical(frame["member_code"], categories=codes or sorted(
        frame["member_code"].unique()))
    n_events, n_people = len(events.categories), len(people.categories)
    # Events x members indicator matrices; float32 counts are exact below 2**24 votes.
    present = np.zeros((n_events, n_people), dtype=np.float32)
    present[events.codes, people.codes] = 1
    shared = present.T @ present
    agree = np.zeros((n_people, n_people), dtype=np.float32)
    for kind in CAST:
        mask = (frame["vote"] == kind).to_numpy()
        same = np.zeros((n_events, n_people), dtype=np.float32)
        same[events.codes[mask], people.codes[mask]] = 1
        agree += same.T @ same
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(shared >= max(min_shared, 1), agree / shared, np.nan)
    matrix = pd.DataFrame(np.round(share.astype(np.float64), 3), index=list(people.categories),
                          columns=list(people.categories))
    matrix.index.name = "member"
    return matrix.reset_index()

