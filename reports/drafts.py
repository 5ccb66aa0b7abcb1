"""Drafts and sponsors: every draft's path from submission to adoption or failure.

A draft's status: ``adopted``, ``vetoed``, ``insufficient_votes`` (too few
votes in favour), ``not_adopted`` (failed; the source does not say why), or
``no_vote_recorded`` (no source gives a vote on it: withdrawn, never put to a
vote, or not yet known). Vetoing members follow the Library's Veto List,
then the meetings tables, then roll calls.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import Engine, and_, select

from council.members import PERMANENT_CODES
from council.rules import FAILED_WITHOUT_VETO, format_tally
from db.models import Draft, Meeting, Member, Resolution, Sponsorship, Veto, VoteEvent
from db.upsert import table_of
from reports.names import find_draft
from reports.rollcalls import votes as roll_call
from reports.vetoes import VETO_PRECEDENCE, ReportError, resolve_member

STATUSES = ("adopted", "vetoed", "failed")


def _frames(engine: Engine) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    d, e, r, m = table_of(Draft), table_of(VoteEvent), table_of(Resolution), table_of(Meeting)
    s, v = table_of(Sponsorship), table_of(Veto)
    drafts_query = (
        select(d.c.id, d.c.symbol, d.c.date, d.c.title, d.c.status, d.c.sponsors_text,
               d.c.bodies, d.c.source_url, e.c.id.label("vote_event_id"),
               e.c.date.label("vote_date"), e.c.outcome, e.c.yes, e.c.no, e.c.abstain,
               e.c.agenda, m.c.record.label("meeting_record"), m.c.topic,
               r.c.symbol.label("resolution"))
        .select_from(d.outerjoin(e, and_(e.c.draft_id == d.c.id, e.c.question.is_(None)))
                     .outerjoin(m, m.c.id == e.c.meeting_id)
                     .outerjoin(r, r.c.draft_id == d.c.id))
    )
    with engine.connect() as connection:
        drafts = pd.read_sql(drafts_query, connection)
        sponsors = pd.read_sql(select(s.c.draft_id, s.c.member_code), connection)
        vetoes = pd.read_sql(select(v.c.vote_event_id, v.c.member_code, v.c.source), connection)
        printed = set(connection.execute(select(e.c.printed_as).where(
            e.c.printed_as.is_not(None))).scalars())
    # A symbol the Veto List prints for a vote the tables record under another draft is
    # that same vote: listed once, under the draft put to the vote.
    drafts = drafts[~drafts["symbol"].isin(printed)]
    return drafts.drop_duplicates("id"), sponsors, vetoes


def _vetoed_by(vetoes: pd.DataFrame) -> dict[int, str]:
    """Return, per vote event, the vetoing members as the most authoritative source names them."""
    by_source: dict[tuple[str, int], set[str]] = {}
    for event_id, code, source in zip(vetoes["vote_event_id"], vetoes["member_code"],
                                      vetoes["source"], strict=True):
        by_source.setdefault((source, int(event_id)), set()).add(code)
    out: dict[int, str] = {}
    for source in reversed(VETO_PRECEDENCE):  # later assignments win: the Veto List last
        for (named_by, event_id), codes in by_source.items():
            if named_by == source:
                out[event_id] = ", ".join(sorted(codes))
    return out


def _status(frame: pd.DataFrame) -> pd.Series:
    """Return each draft's status: adopted if it became a resolution, else as stored."""
    adopted = frame["resolution"].notna() | (frame["status"] == "adopted")
    return frame["status"].where(~adopted, "adopted").fillna("no_vote_recorded")


def drafts(engine: Engine, *, sponsor: str | None = None, status: str | None = None,
           since: dt.date | None = None, until: dt.date | None = None,
           agenda: str | None = None) -> pd.DataFrame:
    """Return the drafts, oldest first: sponsors, status, vetoing members, resolution, tally."""
    if status is not None and status not in STATUSES:
        raise ReportError(f"unknown status {status!r}; use one of {', '.join(STATUSES)}")
    return _listed(_frames(engine), sponsor=sponsor, status=status, since=since, until=until,
                   agenda=agenda)


def _listed(frames: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame], *,
            sponsor: str | None = None, status: str | None = None,
            since: dt.date | None = None, until: dt.date | None = None,
            agenda: str | None = None) -> pd.DataFrame:
    frame, sponsors, vetoes = frames
    frame = frame.copy()
    columns = ["date", "symbol", "title", "status", "sponsors", "vetoed_by", "resolution",
               "meeting_record", "tally", "agenda", "source_url"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    frame["date"] = pd.to_datetime(frame["date"].fillna(frame["vote_date"])).dt.date
    frame["status"] = _status(frame)
    by_draft: dict[int, list[str]] = {}
    for draft_id, code in zip(sponsors["draft_id"], sponsors["member_code"], strict=True):
        by_draft.setdefault(int(draft_id), []).append(code)
    frame["sponsors"] = [", ".join(sorted(by_draft[i])) if i in by_draft else None
                         for i in frame["id"]]
    vetoed = _vetoed_by(vetoes)
    frame["vetoed_by"] = [vetoed.get(int(i)) if pd.notna(i) else None
                          for i in frame["vote_event_id"]]
    frame["tally"] = [format_tally(y, n, a) if pd.notna(y) else None
                      for y, n, a in zip(frame["yes"], frame["no"], frame["abstain"], strict=True)]
    frame["agenda"] = frame["agenda"].fillna(frame["topic"])
    if sponsor is not None:
        code = resolve_member(sponsor)
        frame = frame[frame["id"].isin(sponsors.loc[sponsors["member_code"] == code, "draft_id"])]
    if status == "failed":
        frame = frame[frame["status"].isin(FAILED_WITHOUT_VETO)]
    elif status is not None:
        frame = frame[frame["status"] == status]
    if since is not None:
        frame = frame[frame["date"].notna() & (frame["date"] >= since)]
    if until is not None:
        frame = frame[frame["date"].notna() & (frame["date"] <= until)]
    if agenda:
        text = frame["agenda"].fillna("") + " " + frame["title"].fillna("")
        frame = frame[text.str.contains(agenda, case=False, regex=False)]
    return frame.sort_values(["date", "symbol"], na_position="first")[columns].reset_index(
        drop=True)


def sponsors(engine: Engine, *, since: dt.date | None = None,
             until: dt.date | None = None) -> dict[str, pd.DataFrame]:
    """Return, per member, the drafts it sponsored, adopted, vetoed and failed; and, for
    each permanent member, whose drafts it vetoed most."""
    frames = _frames(engine)
    listed = _listed(frames, since=since, until=until)
    frame, links, _ = frames
    links = links.merge(frame[["id", "symbol"]], left_on="draft_id", right_on="id")
    links = links.merge(listed[["symbol", "status", "vetoed_by"]], on="symbol")
    m = table_of(Member)
    with engine.connect() as connection:
        names = dict(connection.execute(select(m.c.code, m.c.name)).all())
    per_member = (links.assign(adopted=links["status"] == "adopted",
                               vetoed=links["status"] == "vetoed",
                               failed=links["status"].isin(FAILED_WITHOUT_VETO))
                  .groupby("member_code", as_index=False)
                  .agg(sponsored=("symbol", "nunique"), adopted=("adopted", "sum"),
                       vetoed=("vetoed", "sum"), failed=("failed", "sum")))
    per_member.insert(1, "member_name", per_member["member_code"].map(names))
    per_member = per_member.sort_values(["sponsored", "member_code"], ascending=[False, True],
                                        ignore_index=True)
    rows: list[dict[str, Any]] = []
    vetoed_links = links[links["vetoed_by"].notna()]
    for p5 in PERMANENT_CODES:
        mask = vetoed_links["vetoed_by"].str.split(", ").apply(lambda codes, c=p5: c in codes)
        counted = vetoed_links[mask].groupby("member_code")["symbol"].nunique()
        for sponsor_code, n in counted.sort_values(ascending=False).head(5).items():
            rows.append({"vetoing_member": p5, "sponsor": sponsor_code,
                         "sponsor_name": names.get(str(sponsor_code)), "drafts_vetoed": int(n)})
    return {"sponsors": per_member,
            "vetoed_sponsors": pd.DataFrame(rows, columns=["vetoing_member", "sponsor",
                                                           "sponsor_name", "drafts_vetoed"])}


def draft(engine: Engine, symbol: str) -> dict[str, Any]:
    """Return everything about one draft: sponsors, meeting, tally, roll call, vetoes,
    the resolution it became, the bodies it concerns, and the sources."""
    d, e, v, s = table_of(Draft), table_of(VoteEvent), table_of(Veto), table_of(Sponsorship)
    key = find_draft(engine, symbol)
    with engine.connect() as connection:
        voted = connection.execute(select(d.c.symbol).join(e, e.c.draft_id == d.c.id).where(
            e.c.printed_as == key)).scalar()
        printed_as = key if voted else connection.execute(select(e.c.printed_as).join(
            d, e.c.draft_id == d.c.id).where(d.c.symbol == key, e.c.printed_as.is_not(None))
        ).scalar()
        key = voted or key  # the Veto List's symbol of the vote finds the draft put to it
        row = connection.execute(select(d).where(d.c.symbol == key)).mappings().first()
        if row is None:
            raise ReportError(f"no draft {symbol!r} is stored (symbols look like S/2024/255)")
        events = connection.execute(select(e).where(e.c.draft_id == row["id"]).order_by(e.c.id)
                                    ).mappings().all()
        sponsor_rows = connection.execute(select(s.c.member_code, s.c.source_url).where(
            s.c.draft_id == row["id"]).order_by(s.c.member_code)).all()
        veto_rows = connection.execute(select(v.c.vote_event_id, v.c.member_code, v.c.source,
                                              v.c.source_url)
                                       .where(v.c.vote_event_id.in_([x["id"] for x in events]))
                                       ).all()
    listed = drafts(engine)
    summary = listed[listed["symbol"] == key].iloc[0].to_dict()
    roll = roll_call(engine, key) if events else pd.DataFrame()
    vetoes = pd.DataFrame(veto_rows, columns=["vote_event_id", "member_code", "source",
                                              "source_url"])
    sources = sorted({u for u in [row["source_url"], *(x["source_url"] for x in events),
                                  *(u for _, u in sponsor_rows), *vetoes["source_url"]] if u})
    return {
        "draft": {
            "symbol": row["symbol"], "printed_as": printed_as,
            "date": summary["date"], "title": row["title"],
            "status": summary["status"], "sponsors": [c for c, _ in sponsor_rows],
            "sponsors_as_printed": row["sponsors_text"], "vetoed_by": summary["vetoed_by"],
            "resolution": summary["resolution"], "meeting_record": summary["meeting_record"],
            "tally": summary["tally"], "agenda": summary["agenda"],
            "bodies": row["bodies"].split("; ") if row["bodies"] else [],
            "subjects": row["subjects"].split("; ") if row["subjects"] else [],
            "sources": sources,
        },
        "votes": [
            {"key": x["key"], "date": x["date"], "question": x["question"],
             "outcome": x["outcome"],
             "tally": format_tally(x["yes"], x["no"], x["abstain"])
             if x["yes"] is not None else None}
            for x in events],
        "vetoes": vetoes.drop(columns=["vote_event_id"]),
        "roll_call": roll,
    }
