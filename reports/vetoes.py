"""Vetoes: listed, or counted by member, year, decade or agenda item.

A veto count is a convention. The default is the Library's Veto List
(``dhl-veto-list``): one veto per vetoed draft for every permanent member that
cast the negative vote. ``dhl-meetings`` counts what the yearly meetings tables
print as "vetoed by".
"""

from __future__ import annotations

import datetime as dt
import difflib
from typing import Literal

import pandas as pd
from sqlalchemy import Engine, select

from council.errors import TrackerError
from council.members import (
    code_for_name,
    government_of_china,
    known_members,
    name_at,
    seat_of,
    split_permanent_members,
)
from council.members import member as lookup_member
from council.sources import SOURCE_VETO_LIST
from db import tables
from reports.outcomes import VETO_PRECEDENCE, abstaining, not_stored, tally

CONVENTIONS = VETO_PRECEDENCE[:2]  # ("dhl-veto-list", "dhl-meetings")
Grouping = Literal["member", "year", "decade", "agenda"]


class ReportError(TrackerError, ValueError):
    """A report asked for something that cannot be (unknown member, bad option)."""


def resolve_member(text: str) -> str:
    """Return the code of a member given by code ("RUS", "SUN") or name ("Russian
    Federation"); the names of China's two governments ("Republic of China", "PRC") give
    China's seat, CHN (``member_window`` gives their days)."""
    candidate = text.strip()
    if government_of_china(candidate) is not None:
        return "CHN"
    if len(candidate) == 3 and candidate.isalpha():
        try:
            return lookup_member(candidate).code
        except ValueError:
            pass
    try:
        codes = split_permanent_members(candidate)
    except ValueError:
        codes = []
    if len(codes) == 1:
        return codes[0]
    try:
        return code_for_name(candidate)
    except ValueError:
        pass
    error = ReportError(f"unknown member {text!r}: give a three-letter code (RUS, SUN, DZA) or "
                        "a name (Russian Federation, Algeria)")
    close = _close_members(candidate)
    if close:
        error.hint = f"did you mean {' or '.join(close)}?"
    raise error


def member_window(text: str, since: dt.date | None, until: dt.date | None
                  ) -> tuple[str, dt.date | None, dt.date | None]:
    """Return a member's code and the days asked for, narrowed to the days its name covers:
    "Republic of China" is China's seat until 24 October 1971, "People's Republic of China"
    from 25 October 1971 (DOMAIN: the two are kept apart as cast, merged by seat as CHN)."""
    code = resolve_member(text)
    held = government_of_china(text.strip())
    if held is not None:
        first, last = held
        if first is not None and (since is None or since < first):
            since = first
        if last is not None and (until is None or until > last):
            until = last
    return code, since, until


def _close_members(text: str, *, limit: int = 5) -> list[str]:
    """Return the known members whose code or name is close to ``text`` ("Rusia" ->
    "RUS (Russian Federation)"): names containing it first, then the most alike."""
    wanted = text.lower()
    if not wanted:
        return []
    known = known_members()
    labels = {code: f"{code} ({m.name})" for code, m in known.items()}
    by_key = {m.name.lower(): code for code, m in known.items()}
    by_key.update({code.lower(): code for code in known})
    within = [code for key, code in by_key.items() if len(wanted) > 2 and wanted in key]
    alike = [by_key[k] for k in difflib.get_close_matches(wanted, list(by_key), n=limit,
                                                         cutoff=0.75)]
    return [labels[c] for c in dict.fromkeys([*alike, *sorted(within)])][:limit]


def _veto_rows(engine: Engine, convention: str, since: dt.date | None, until: dt.date | None
               ) -> pd.DataFrame:
    if convention not in CONVENTIONS:
        raise ReportError(f"unknown convention {convention!r}; known: {', '.join(CONVENTIONS)}")
    v, e, d, m, mb = (tables.veto, tables.vote_event, tables.draft, tables.meeting,
                      tables.member)
    query = (
        select(e.c.id.label("vote_event_id"), e.c.date, e.c.key, d.c.symbol.label("draft"),
               m.c.record.label("meeting_record"), e.c.agenda, m.c.topic,
               e.c.yes, e.c.no, e.c.abstain, v.c.member_code, mb.c.name.label("member_name"),
               v.c.source_url)
        .select_from(v.join(e, v.c.vote_event_id == e.c.id)
                     .join(mb, mb.c.code == v.c.member_code)
                     .outerjoin(d, d.c.id == e.c.draft_id)
                     .outerjoin(m, m.c.id == e.c.meeting_id))
        .where(v.c.source == convention)
    )
    if since is not None:
        query = query.where(e.c.date >= since)
    if until is not None:
        query = query.where(e.c.date <= until)
    with engine.connect() as connection:
        frame = pd.read_sql(query, connection)
    frame["date"] = pd.to_datetime(frame["date"]).dt.date
    return frame


def vetoes(
    engine: Engine,
    *,
    member: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    by: Grouping | None = None,
    merge_successors: bool = False,
    convention: str = SOURCE_VETO_LIST,
) -> pd.DataFrame:
    """Return the vetoes, one row per vetoed draft, or counted ``by`` a grouping.

    Members are reported as cast (the USSR as SUN); ``merge_successors`` counts
    them by seat (the USSR with the Russian Federation).
    """
    rows = _veto_rows(engine, convention, since, until)
    if merge_successors and not rows.empty:
        rows["member_code"] = rows["member_code"].map(seat_of)
        names = {c: name_at(c) for c in rows["member_code"].unique()}
        rows["member_name"] = rows["member_code"].map(names)
    if member is not None:
        code = resolve_member(member)
        if merge_successors:
            code = seat_of(code)
        drafts_of_member = rows.loc[rows["member_code"] == code, "vote_event_id"]
        if by is None:
            # Listed: the drafts the member vetoed, with every member that joined it.
            rows = rows[rows["vote_event_id"].isin(drafts_of_member)]
        else:
            # Counted: the member's own vetoes only.
            rows = rows[rows["member_code"] == code]
    if by is None:
        return _listed(rows, not_stored(engine),
                       abstaining(engine, rows["vote_event_id"]) if not rows.empty else {})
    if by == "member":
        counted = (rows.drop_duplicates(["vote_event_id", "member_code"])
                   .groupby(["member_code", "member_name"], as_index=False)
                   .agg(vetoes=("vote_event_id", "nunique"),
                        first=("date", "min"), last=("date", "max")))
        return counted.sort_values(["vetoes", "member_code"], ascending=[False, True],
                                   ignore_index=True)
    if by in ("year", "decade", "agenda"):
        per_draft = rows.drop_duplicates(["vote_event_id", "member_code"])
        if per_draft.empty:  # nothing to count: the columns every count has, no row
            return pd.DataFrame(columns=[by, "vetoed_drafts", "vetoes"])
        if by == "agenda":
            group = per_draft["agenda"].fillna(per_draft["topic"]).fillna("(unknown)")
        else:
            years = pd.Series([d.year for d in per_draft["date"]], index=per_draft.index)
            group = (years // 10 * 10).astype(str) + "s" if by == "decade" else years
        per_draft = per_draft.assign(group=group)
        counted = per_draft.groupby("group", as_index=False).agg(
            vetoed_drafts=("vote_event_id", "nunique"), vetoes=("member_code", "size"))
        by_member = (per_draft.groupby(["group", "member_code"]).size().unstack(fill_value=0))
        counted = counted.merge(by_member, left_on="group", right_index=True, how="left")
        counted = counted.rename(columns={"group": by})
        if by == "agenda":
            return counted.sort_values(["vetoed_drafts", "agenda"], ascending=[False, True],
                                       ignore_index=True)
        return counted.sort_values(by, ignore_index=True)
    raise ReportError(f"cannot count vetoes by {by!r}: use member, year, decade or agenda")


def _listed(rows: pd.DataFrame, unstored: dict[str, list[str]] | None = None,
            abstained: dict[int, list[str]] | None = None) -> pd.DataFrame:
    columns = ["date", "draft", "meeting_record", "agenda", "members", "member_names", "tally",
               "abstaining", "not_stored", "source_url"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    rows = rows.sort_values(["date", "vote_event_id", "member_code"])
    # The list names each member as every view does, at the time of the vote
    # (council.members.name_at: the Republic of China held China's seat until
    # PRC_SEATED); counts stay by code, as the Library's.
    rows = rows.assign(member_name=[name_at(c, d) for c, d in zip(
        rows["member_code"], rows["date"], strict=True)])
    listed = rows.groupby("vote_event_id", sort=False).agg(
        date=("date", "first"), draft=("key", "first"), meeting_record=("meeting_record", "first"),
        agenda=("agenda", "first"), topic=("topic", "first"),
        members=("member_code", lambda s: list(dict.fromkeys(s))),
        member_names=("member_name", lambda s: list(dict.fromkeys(s))),
        yes=("yes", "first"), no=("no", "first"), abstain=("abstain", "first"),
        source_url=("source_url", "first"),
    )
    listed["agenda"] = listed["agenda"].fillna(listed["topic"])
    listed["tally"] = [tally(y, n, a) for y, n, a in zip(listed["yes"], listed["no"],
                                                         listed["abstain"], strict=True)]
    # A tally left blank because a finding refused it names that finding, as `drafts` does.
    unstored = unstored or {}
    listed["not_stored"] = pd.Series([
        "; ".join(unstored.get(key, [])) or None for key in listed["draft"]],
        index=listed.index, dtype=object)
    abstained = abstained or {}
    # Who abstained, where a roll call is stored (None: not known)
    listed["abstaining"] = pd.Series([abstained.get(int(i)) for i in listed.index],
                                     index=listed.index, dtype=object)
    return listed.reset_index(drop=True)[columns]
