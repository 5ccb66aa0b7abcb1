"""Agreement between members: the share of identical votes over the votes both cast.

Only votes cast (Y, N, A) count; non-voting (X) and votes before or after a
member's time on the Council do not. A pair with fewer shared votes than the
minimum is left blank, not zero.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, Engine, func, select

from council.rules import FAILED_STATUSES
from db import tables
from reports.vetoes import resolve_member

CAST = ("Y", "N", "A")
EVENTS_PER_CHUNK = 5_000  # vote events read at a time: memory stays flat as history grows


def agreement(engine: Engine, *, since: dt.date | None = None, until: dt.date | None = None,
              members: list[str] | None = None, min_shared: int = 1,
              include_failed: bool = False) -> pd.DataFrame:
    """Return the agreement matrix: one row per member, one column per member (0 to 1).

    The votes are those on adopted resolutions; ``include_failed`` adds the votes on drafts
    that failed (vetoed or short of votes), whose roll calls come from press releases and
    meeting records (some derived: ``member_vote.derived``).

    The votes are read a range of vote events at a time and only pair counts are
    kept (members x members), so memory does not grow with the history.
    """
    # A member named twice ("USA,United States") is one row and one column.
    codes = list(dict.fromkeys(resolve_member(m) for m in members)) if members else None
    mv, e = tables.member_vote, tables.vote_event
    joined = mv.join(e, e.c.id == mv.c.vote_event_id)
    conditions: list[ColumnElement[bool]] = [mv.c.vote.in_(CAST)]
    if not include_failed:
        conditions.append(e.c.outcome.not_in(FAILED_STATUSES) | e.c.outcome.is_(None))
    if since is not None:
        conditions.append(e.c.date >= since)
    if until is not None:
        conditions.append(e.c.date <= until)
    if codes:
        conditions.append(mv.c.member_code.in_(codes))
    with engine.connect() as connection:
        low, high = connection.execute(
            select(func.min(mv.c.vote_event_id), func.max(mv.c.vote_event_id))
            .select_from(joined).where(*conditions)).one()
        if low is None:
            return pd.DataFrame(columns=["member"])
        people = codes or sorted(connection.execute(
            select(mv.c.member_code).distinct().select_from(joined).where(*conditions)).scalars())
        index = {code: i for i, code in enumerate(people)}
        n = len(people)
        shared = np.zeros(n * n, dtype=np.int64)
        agree = np.zeros(n * n, dtype=np.int64)
        query = select(mv.c.vote_event_id, mv.c.member_code, mv.c.vote).select_from(joined)
        for start in range(int(low), int(high) + 1, EVENTS_PER_CHUNK):
            rows = connection.execute(query.where(
                *conditions, mv.c.vote_event_id >= start,
                mv.c.vote_event_id < start + EVENTS_PER_CHUNK)).all()
            if rows:
                _count_pairs(rows, index, shared, agree)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(shared >= max(min_shared, 1), agree / shared, np.nan).reshape(n, n)
    matrix = pd.DataFrame(np.round(share, 3), index=people, columns=people)
    matrix.index.name = "member"
    return matrix.reset_index()


def _count_pairs(rows: Sequence[Any], index: dict[str, int], shared: np.ndarray,
                 agree: np.ndarray) -> None:
    """Add, for every ordered pair of members, the votes both cast and those that were the
    same, over the (vote event, member, vote) rows given: whole events only."""
    count = len(rows)
    n = int(np.sqrt(shared.size))
    events = np.fromiter((r[0] for r in rows), dtype=np.int64, count=count)
    order = np.argsort(events, kind="stable")
    events = events[order]
    people = np.fromiter((index[r[1]] for r in rows), dtype=np.int64, count=count)[order]
    votes = np.fromiter((CAST.index(r[2]) for r in rows), dtype=np.int8, count=count)[order]
    starts = np.flatnonzero(np.r_[True, events[1:] != events[:-1]])
    sizes = np.diff(np.r_[starts, count])
    size_of_row = np.repeat(sizes, sizes)
    # Each row pairs with every row of its event (itself included: the diagonal).
    left = np.repeat(np.arange(count), size_of_row)
    block = np.repeat(np.cumsum(size_of_row) - size_of_row, size_of_row)
    right = np.repeat(np.repeat(starts, sizes), size_of_row) + (np.arange(left.size) - block)
    pair = people[left] * n + people[right]
    shared += np.bincount(pair, minlength=n * n)
    agree += np.bincount(pair[votes[left] == votes[right]], minlength=n * n)
