"""Roll calls: one vote's member votes, a member's record, the Council's composition.

Membership is a fact of each vote: a state that was not on the Council that day
did not "miss" the vote, so terms and composition are derived from roll calls.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select

from council.members import PERMANENT_CODES, PRC_SEATED, name_at, seat_name
from council.rules import FAILED_STATUSES
from db import tables
from reports.names import find_meeting, find_vote
from reports.outcomes import vetoed_by
from reports.vetoes import member_window

VOTE_KINDS = ("Y", "N", "A", "X")


def find_vote_event(engine: Engine, symbol: str) -> dict[str, Any]:
    """Return the vote event of a resolution, draft or meeting, named in any form people
    type (``2722``, ``S/RES/2722``, ``s/2022/431``: ``reports.names``)."""
    return find_vote(engine, symbol)


def votes(engine: Engine, symbol: str, *, explain: bool = False) -> pd.DataFrame:
    """Return the roll call of one resolution or draft: member, vote, permanent, and how the
    vote is known: ``named`` by its source, or ``derived`` (a press release named the
    others; ``derived`` says on what basis). With ``explain``, what each member's speaker
    said at that meeting (``statement``, the source's words; empty where none is stored)."""
    event = find_vote_event(engine, symbol)
    mv = tables.member_vote
    query = (select(mv.c.member_code, mv.c.name_at_time.label("name_as_printed"), mv.c.vote,
                    mv.c.derived, mv.c.source_url)
             .where(mv.c.vote_event_id == event["id"]))
    with engine.connect() as connection:
        frame = pd.read_sql(query, connection)
    frame["known"] = ["derived" if isinstance(d, str) and d else "named"
                      for d in frame["derived"]]
    # Named as every view names a member (council.members.name_at); the roll call's own
    # spelling ("REPUBLIC OF KOREA") is kept beside it.
    frame["member_name"] = [name_at(c, event["date"]) for c in frame["member_code"]]
    frame["permanent"] = frame["member_code"].isin(PERMANENT_CODES)
    frame = frame.sort_values(["permanent", "member_code"], ascending=[False, True])
    columns = ["member_code", "member_name", "vote", "permanent", "known", "derived",
               "name_as_printed", "source_url"]
    if explain:
        said = statements_at(engine, event.get("meeting_id"))
        joined = (said.groupby("member_code")["text"].agg("\n\n".join) if not said.empty
                  else pd.Series(dtype=object))
        frame["statement"] = [joined.get(c) for c in frame["member_code"]]
        columns.append("statement")
    return frame[columns].reset_index(drop=True)


STATEMENT_COLUMNS = ["position", "member_code", "member_name", "speaker", "after_vote", "text",
                     "source_url"]


def statements_at(engine: Engine, meeting_id: int | None) -> pd.DataFrame:
    """Return what each member's speaker said at a meeting, in the order of the source (a
    press release's summary of each statement: its words, attributed)."""
    s, m = tables.statement, tables.meeting
    if meeting_id is None:
        return pd.DataFrame(columns=STATEMENT_COLUMNS)
    query = (select(s.c.position, s.c.member_code, s.c.speaker, s.c.after_vote, s.c.text,
                    s.c.source_url, m.c.date)
             .join(m, m.c.id == s.c.meeting_id).where(s.c.meeting_id == meeting_id)
             .order_by(s.c.source, s.c.position))
    with engine.connect() as connection:
        frame = pd.read_sql(query, connection)
    frame["member_name"] = [name_at(c, d) for c, d in zip(frame["member_code"], frame["date"],
                                                           strict=True)]
    frame["after_vote"] = frame["after_vote"].astype(object).where(frame["after_vote"].notna(),
                                                                   None)
    return frame[STATEMENT_COLUMNS].reset_index(drop=True)


def statements(engine: Engine, name: str) -> tuple[str, pd.DataFrame]:
    """Return a meeting's record ("S/PV.9591") and its statements; the meeting is named by its
    record or by a vote taken at it (``S/2024/255``, ``pv 9591``: ``reports.names``)."""
    meeting_id, record = find_meeting(engine, name)
    return record, statements_at(engine, meeting_id)


def _member_votes(engine: Engine, code: str | None, since: dt.date | None,
                  until: dt.date | None) -> pd.DataFrame:
    mv, e, r = tables.member_vote, tables.vote_event, tables.resolution
    query = (select(mv.c.member_code, mv.c.vote, e.c.id.label("vote_event_id"), e.c.date,
                    e.c.key, e.c.outcome, r.c.title)
             .join(e, e.c.id == mv.c.vote_event_id)
             .outerjoin(r, r.c.id == e.c.resolution_id))
    if code is not None:
        query = query.where(mv.c.member_code == code)
    if since is not None:
        query = query.where(e.c.date >= since)
    if until is not None:
        query = query.where(e.c.date <= until)
    with engine.connect() as connection:
        frame = pd.read_sql(query, connection)
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def terms(frame: pd.DataFrame, code: str | None = None) -> pd.DataFrame:
    """Group a member's votes into terms: runs of consecutive years with votes, each named
    as the member was then; China's seat's run is cut where the People's Republic took it
    (the Republic of China's votes and the People's Republic's are kept apart)."""
    columns = ["first_year", "last_year", "first_vote", "last_vote", "votes", "member_name"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    dated = frame.dropna(subset=["date"])
    parts = [dated]
    if code == "CHN":
        cut = pd.Timestamp(PRC_SEATED)
        parts = [dated[dated["date"] < cut], dated[dated["date"] >= cut]]
    rows = []
    for part in parts:
        years = sorted(set(part["date"].dt.year.astype(int)))
        runs: list[list[int]] = []
        for year in years:
            if runs and year == runs[-1][-1] + 1:
                runs[-1].append(year)
            else:
                runs.append([year])
        for run in runs:
            inside = part[part["date"].dt.year.between(run[0], run[-1])]
            first = inside["date"].min().date()
            rows.append({"first_year": run[0], "last_year": run[-1], "first_vote": first,
                         "last_vote": inside["date"].max().date(), "votes": len(inside),
                         "member_name": name_at(code, first) if code else None})
    return pd.DataFrame(rows, columns=columns)


def member_record(engine: Engine, member: str, *, since: dt.date | None = None,
                  until: dt.date | None = None) -> dict[str, Any]:
    """Return a member's record: terms, votes by kind and year, vetoes cast, and the
    resolutions it voted against or abstained on. A name of one of China's governments
    ("Republic of China", "PRC") gives the days that government held the seat."""
    code, since, until = member_window(member, since, until)
    frame = _member_votes(engine, code, since, until)
    by_year = (frame.assign(year=frame["date"].dt.year)
               .pivot_table(index="year", columns="vote", values="vote_event_id",
                            aggfunc="count", fill_value=0)
               .reindex(columns=list(VOTE_KINDS), fill_value=0).reset_index())
    by_year.columns.name = None
    v, e = tables.veto, tables.vote_event
    veto_query = (select(e.c.id, e.c.date, e.c.key.label("draft"), e.c.agenda, v.c.source)
                  .join(e, e.c.id == v.c.vote_event_id)
                  .where(v.c.member_code == code).order_by(e.c.date, e.c.key))
    if since is not None:
        veto_query = veto_query.where(e.c.date >= since)
    if until is not None:
        veto_query = veto_query.where(e.c.date <= until)
    with engine.connect() as connection:
        vetoes = pd.read_sql(veto_query, connection)
        named = connection.execute(select(v.c.vote_event_id, v.c.member_code, v.c.source)
                                   .where(v.c.vote_event_id.in_(
                                       [int(i) for i in vetoes["id"].unique()]))).all()
    # The member's vetoes are the votes whose vetoing members, as every view takes them
    # (reports.outcomes.vetoed_by), include it.
    vetoing = vetoed_by(named)
    vetoes = vetoes[pd.Series([code in vetoing.get(int(i), []) for i in vetoes["id"]],
                              index=vetoes.index, dtype=bool)]
    vetoes = vetoes.drop(columns=["id"])
    if not vetoes.empty:
        vetoes = (vetoes.groupby(["date", "draft"], as_index=False)
                  .agg(agenda=("agenda", "first"),
                       sources=("source", lambda s: sorted(set(s)))))
    dissent = frame[frame["vote"].isin(["N", "A"])
                    & frame["outcome"].fillna("").str.startswith("adopted")]
    dissent = (dissent.sort_values(["date", "key"], kind="stable")
               .assign(date=lambda f: f["date"].dt.date)
               [["date", "key", "vote", "title"]].rename(columns={"key": "resolution"})
               .reset_index(drop=True))
    return {
        "member": {"member_code": code, "member_name": seat_name(code, since, until),
                   "permanent": code in PERMANENT_CODES, "votes": len(frame),
                   # the votes on drafts that failed (vetoed, or short of votes): their
                   # roll calls come from press releases and meeting records
                   "votes_on_failed_drafts": int(frame["outcome"].isin(FAILED_STATUSES).sum())},
        "terms": terms(frame, code),
        "votes_by_year": by_year,
        "vetoes": vetoes,
        "against_or_abstained": dissent,
    }


def membership(engine: Engine, year: int) -> pd.DataFrame:
    """Return the Council's composition in a year: the members the year's complete roll
    calls name (table ``council_member``, derived after each sync: ``roll_calls``, how many
    name it), with each member's votes that year. A member that voted that year in no
    complete roll call is listed too, with ``roll_calls`` 0 (the derivation of press
    releases' votes uses only a year whose complete roll calls name every seat)."""
    frame = _member_votes(engine, None, dt.date(year, 1, 1), dt.date(year, 12, 31))
    columns = ["member_code", "member_name", "permanent", "votes", "first_vote", "last_vote",
               "roll_calls"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    out = (frame.groupby("member_code", as_index=False)
           .agg(votes=("vote_event_id", "nunique"), first_vote=("date", "min"),
                last_vote=("date", "max")))
    cm = tables.council_member
    with engine.connect() as connection:
        counted = dict(connection.execute(select(cm.c.member_code, cm.c.roll_calls)
                                          .where(cm.c.year == year)).all())
    out["roll_calls"] = [int(counted.get(c, 0)) for c in out["member_code"]]
    out["member_name"] = [name_at(c, d.date()) for c, d in zip(
        out["member_code"], out["last_vote"], strict=True)]
    out["permanent"] = out["member_code"].isin(PERMANENT_CODES)
    out["first_vote"] = out["first_vote"].dt.date
    out["last_vote"] = out["last_vote"].dt.date
    return out.sort_values(["permanent", "member_code"], ascending=[False, True])[columns
                                                                                ].reset_index(
        drop=True)
