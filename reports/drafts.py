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
from sqlalchemy import Engine, select

from council.members import PERMANENT_CODES, name_at
from council.rules import FAILED_WITHOUT_VETO, draft_status
from db import tables
from reports.names import find_draft
from reports.outcomes import abstaining, not_stored, vote_facts
from reports.rollcalls import votes as roll_call
from reports.vetoes import ReportError, resolve_member

STATUSES = ("adopted", "vetoed", "failed")


Frames = tuple[pd.DataFrame, pd.DataFrame]


def _frames(engine: Engine, draft_ids: list[int] | None = None) -> Frames:
    """Return the drafts (all, or those given) with the facts of their deciding vote
    (``reports.outcomes.vote_facts``: vetoed_by, outcome, tally, not_stored), and their
    sponsors.

    A draft's deciding vote is the vote on the draft itself; when the only vote recorded
    is on a preliminary question (S/PV.49 (vetoed draft 2)), that vote.
    """
    d, e, r, m = tables.draft, tables.vote_event, tables.resolution, tables.meeting
    s = tables.sponsorship
    drafts_query = (
        select(d.c.id, d.c.symbol, d.c.date, d.c.title, d.c.status, d.c.sponsors_text,
               d.c.bodies, d.c.source_url, r.c.symbol.label("resolution"))
        .select_from(d.outerjoin(r, r.c.draft_id == d.c.id)))
    events_query = (select(e.c.id.label("vote_event_id"), e.c.draft_id, e.c.question,
                           e.c.date.label("vote_date"), e.c.agenda,
                           m.c.record.label("meeting_record"), m.c.topic)
                    .outerjoin(m, m.c.id == e.c.meeting_id).where(e.c.draft_id.is_not(None)))
    sponsors_query = select(s.c.draft_id, s.c.member_code)
    if draft_ids is not None:
        drafts_query = drafts_query.where(d.c.id.in_(draft_ids))
        events_query = events_query.where(e.c.draft_id.in_(draft_ids))
        sponsors_query = sponsors_query.where(s.c.draft_id.in_(draft_ids))
    with engine.connect() as connection:
        drafts = pd.read_sql(drafts_query, connection).drop_duplicates("id")
        events = pd.read_sql(events_query, connection)
        sponsors = pd.read_sql(sponsors_query, connection)
        printed = set(connection.execute(select(e.c.printed_as).where(
            e.c.printed_as.is_not(None))).scalars())
    deciding = (events.assign(preliminary=events["question"].notna())
                .sort_values(["draft_id", "preliminary", "vote_event_id"])
                .drop_duplicates("draft_id"))
    drafts = drafts.merge(deciding.drop(columns=["question", "preliminary"]), how="left",
                          left_on="id", right_on="draft_id").drop(columns=["draft_id"])
    ids = [int(i) for i in deciding["vote_event_id"]]
    facts = vote_facts(engine, ids if draft_ids is not None else None)
    drafts = drafts.merge(facts[["vote_event_id", "vetoed_by", "outcome", "tally",
                                 "not_stored"]], how="left", on="vote_event_id")
    unvoted = drafts["vote_event_id"].isna()
    if unvoted.any():  # a finding may name a draft no vote is stored for
        findings = not_stored(engine)
        drafts.loc[unvoted, "not_stored"] = [
            "; ".join(findings[symbol]) if symbol in findings else None
            for symbol in drafts.loc[unvoted, "symbol"]]
    # A symbol the Veto List prints for a vote the tables record under another draft is
    # that same vote: listed once, under the draft put to the vote.
    drafts = drafts[~drafts["symbol"].isin(printed)]
    # Who abstained on the deciding vote, where its roll call is stored (None: not known)
    abstained = abstaining(engine, ids)
    drafts["abstaining"] = pd.Series(
        [abstained.get(int(i)) if pd.notna(i) else None for i in drafts["vote_event_id"]],
        index=drafts.index, dtype=object)
    return drafts, sponsors


def drafts(engine: Engine, *, sponsor: str | None = None, status: str | None = None,
           since: dt.date | None = None, until: dt.date | None = None,
           agenda: str | None = None) -> pd.DataFrame:
    """Return the drafts, oldest first: sponsors, status, vetoing members, resolution, tally."""
    if status is not None and status not in STATUSES:
        raise ReportError(f"unknown status {status!r}; use one of {', '.join(STATUSES)}")
    return _listed(_frames(engine), sponsor=sponsor, status=status, since=since, until=until,
                   agenda=agenda)


def _listed(frames: Frames, *,
            sponsor: str | None = None, status: str | None = None,
            since: dt.date | None = None, until: dt.date | None = None,
            agenda: str | None = None) -> pd.DataFrame:
    frame, sponsors = frames
    frame = frame.copy()
    columns = ["date", "symbol", "title", "status", "sponsors", "vetoed_by", "resolution",
               "meeting_record", "tally", "abstaining", "not_stored", "agenda", "source_url"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    frame["date"] = pd.to_datetime(frame["date"].fillna(frame["vote_date"])).dt.date
    # Adopted if it became a resolution; otherwise as its deciding vote ended, every
    # source heard (the vote's facts); as stored when no vote is.
    voted = [draft_status(o) if pd.notna(i) else None
             for i, o in zip(frame["vote_event_id"], frame["outcome"], strict=True)]
    frame["status"] = pd.Series(voted, index=frame.index, dtype=object).fillna(
        frame["status"]).fillna("no_vote_recorded").where(frame["resolution"].isna(), "adopted")
    by_draft: dict[int, list[str]] = {}
    for draft_id, code in zip(sponsors["draft_id"], sponsors["member_code"], strict=True):
        by_draft.setdefault(int(draft_id), []).append(code)
    frame["sponsors"] = pd.Series([sorted(by_draft[i]) if i in by_draft else None
                                   for i in frame["id"]], index=frame.index, dtype=object)
    frame["agenda"] = frame["agenda"].fillna(frame["topic"])
    for fact in ("vetoed_by", "tally", "not_stored"):  # a fact not known is None, not NaN
        frame[fact] = frame[fact].astype(object).where(frame[fact].notna(), None)
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
    frame, links = frames
    links = links.merge(frame[["id", "symbol"]], left_on="draft_id", right_on="id")
    links = links.merge(listed[["symbol", "status", "vetoed_by"]], on="symbol")
    names = {code: name_at(code) for code in {*links["member_code"], *PERMANENT_CODES}}
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
        mask = vetoed_links["vetoed_by"].apply(lambda codes, c=p5: c in codes)
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
    d, e, v, s = tables.draft, tables.vote_event, tables.veto, tables.sponsorship
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
    # The listing's own function, for this one draft: the profile and the listing agree.
    summary = _listed(_frames(engine, [int(row["id"])])).iloc[0].to_dict()
    facts = vote_facts(engine, [int(x["id"]) for x in events]).set_index("vote_event_id")
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
            "tally": summary["tally"], "not_stored": summary["not_stored"],
            "agenda": summary["agenda"],
            "bodies": row["bodies"].split("; ") if row["bodies"] else [],
            "subjects": row["subjects"].split("; ") if row["subjects"] else [],
            "sources": sources,
        },
        "votes": [
            {"key": x["key"], "date": x["date"], "question": x["question"],
             "outcome": facts.at[x["id"], "outcome"], "tally": facts.at[x["id"], "tally"],
             "vetoed_by": facts.at[x["id"], "vetoed_by"]}
            for x in events],
        "vetoes": vetoes.drop(columns=["vote_event_id"]),
        "roll_call": roll,
    }
