"""Status: the database in use, row counts, and the last sync of each source.

A sync records its runs when it begins and fills in ``finished_at`` when it ends. A run
with none is running while a sync holds the database's run lock, and was interrupted
otherwise (Ctrl-C, or a process killed mid-sync): it is shown so, never as running.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

import pandas as pd
from sqlalchemy import Engine, func, inspect, select

from council.rules import FAILED_STATUSES, council_size, format_tally
from council.sources import SOURCE_PRESS, SOURCE_RECORDS, SOURCE_VETO_LIST, SOURCE_VOTES
from db import tables
from db.engine import DatabaseLocked, run_lock
from db.provisional import provisional_events
from reports.formats import jsonable

COUNTED = ("member", "meeting", "draft", "resolution", "presidential_statement", "vote_event",
           "member_vote", "veto", "sponsorship", "mandate", "mandate_event", "finding",
           "source_record")


def row_counts(engine: Engine) -> pd.DataFrame:
    """Return the number of rows in each table of the schema."""
    schema = tables.metadata.tables
    present = set(inspect(engine).get_table_names())
    rows = []
    with engine.connect() as connection:
        for name in COUNTED:
            count = (connection.execute(select(func.count()).select_from(schema[name])).scalar_one()
                     if name in present else 0)
            rows.append({"table": name, "rows": count})
    return pd.DataFrame(rows)


def sync_running(engine: Engine) -> bool:
    """Whether a sync, rebuild or import holds the database's run lock right now."""
    try:
        with run_lock(engine):
            return False
    except DatabaseLocked:
        return True


def last_syncs(engine: Engine, *, running: bool | None = None) -> pd.DataFrame:
    """Return the last sync of each source (``state``: finished, running or interrupted),
    and the last one that succeeded. ``running``: whether a sync holds the lock (asked
    of the database when not given)."""
    if not inspect(engine).has_table("sync_run"):
        return pd.DataFrame(columns=["source", "state", "started_at", "last_sync",
                                     "last_ok_sync", "pages_fetched", "pages_failed",
                                     "rows_new", "rows_changed"])
    t = tables.sync_run
    with engine.connect() as connection:
        runs = pd.read_sql(select(t).order_by(t.c.id), connection)
    unfinished = runs["finished_at"].isna()
    if unfinished.any() and running is None:
        running = sync_running(engine)
    rows = []
    for source, group in runs.groupby("source", sort=True):
        last = group.iloc[-1]
        ok = group[group["ok"].astype(bool)]
        state = ("finished" if not pd.isna(last["finished_at"])
                 else "running" if running else "interrupted")
        rows.append({"source": source, "state": state, "started_at": last["started_at"],
                     "last_sync": None if pd.isna(last["finished_at"]) else last["finished_at"],
                     "last_ok_sync": ok.iloc[-1]["finished_at"] if len(ok) else None,
                     "pages_fetched": int(last["pages_fetched"]),
                     "pages_failed": int(last["pages_failed"]),
                     "rows_new": int(last["rows_new"]), "rows_changed": int(last["rows_changed"])})
    return pd.DataFrame(rows)


def interrupted_note(sources: list[dict[str, Any]]) -> str | None:
    """Return the line that says the last sync was interrupted, or None."""
    cut = [r for r in sources if r.get("state") == "interrupted"]
    if not cut:
        return None
    started = min(pd.Timestamp(r["started_at"]) for r in cut)
    return (f"last sync interrupted (started at {started:%Y-%m-%d %H:%M:%S} UTC, did not "
            f"finish: {', '.join(r['source'] for r in cut)}); what it stored is kept; run "
            "`tracker sync` to complete it")


def failed_roll_calls(engine: Engine) -> pd.DataFrame:
    """Return how many failed votes (vetoed, or short of votes) have a roll call, and from
    which source: named by a meeting record, by a press release (in full, or in part with
    the rest derived, or in part only), from another source's record, or none stored."""
    e, mv = tables.vote_event, tables.member_vote
    with engine.connect() as connection:
        events = connection.execute(select(e.c.id).where(
            e.c.outcome.in_(FAILED_STATUSES))).scalars().all()
        votes = connection.execute(
            select(mv.c.vote_event_id, mv.c.derived, mv.c.source_url)
            .join(e, e.c.id == mv.c.vote_event_id)
            .where(e.c.outcome.in_(FAILED_STATUSES))).all()
        seats = {int(i): council_size(d.year) if d is not None else 15
                 for i, d in connection.execute(select(e.c.id, e.c.date).where(
                     e.c.outcome.in_(FAILED_STATUSES)))}
    by_event: dict[int, list[tuple[str | None, str]]] = {}
    for event_id, derived, url in votes:
        by_event.setdefault(int(event_id), []).append((derived, url or ""))
    counted: dict[str, int] = dict.fromkeys(ROLL_CALL_SOURCES, 0)
    for event_id in events:
        rows = by_event.get(int(event_id))
        if not rows:
            counted["none stored"] += 1
        elif any("/api/symbol/access" in url for _, url in rows):
            counted["meeting record"] += 1
        elif any(url.endswith(".doc.htm") for _, url in rows):
            counted["press release, the rest derived" if any(d for d, _ in rows)
                    else "press release" if len(rows) >= seats[int(event_id)]
                    else "press release, in part"] += 1
        else:
            counted["another source's record"] += 1
    return pd.DataFrame({"roll_call": list(counted), "failed_votes": list(counted.values())})


# What each source gives that has a date, and how to find the newest of it: (its name,
# its date), from the rows that source stated.
def _newest_queries() -> dict[str, Any]:
    m, ve, vt, sr, d = (tables.meeting, tables.vote_event, tables.veto, tables.source_record,
                        tables.draft)
    return {
        "meetings": select(m.c.record, m.c.date).where(m.c.source_url.like("%scact%")),
        "veto-list": select(ve.c.key, ve.c.date).join(vt, vt.c.vote_event_id == ve.c.id)
        .where(vt.c.source == SOURCE_VETO_LIST),
        "voting-records": select(ve.c.key, ve.c.date).join(sr, sr.c.vote_event_id == ve.c.id)
        .where(sr.c.source == SOURCE_VOTES),
        "documents": select(d.c.symbol, d.c.date).where(d.c.source_url.like("%/record/%")),
        "press-releases": select(sr.c.record_id, m.c.date)
        .join(m, m.c.press_release == sr.c.record_id).where(sr.c.source == SOURCE_PRESS),
        "meeting-records": select(m.c.record, m.c.date).join(sr, sr.c.record_id == m.c.record)
        .where(sr.c.source == SOURCE_RECORDS),
    }


def freshness(engine: Engine) -> pd.DataFrame:
    """Return how fresh each source is: the newest meeting, vote or draft it gave (its date,
    ``newest``, and what it is, ``newest_item``) and when it was last fetched (the start of
    its last sync that fetched a page). Press releases appear the day of the meeting, the
    meetings tables and the Digital Library days later."""
    present = set(inspect(engine).get_table_names())
    runs = tables.sync_run
    rows = []
    with engine.connect() as connection:
        for source, query in _newest_queries().items():
            newest = (connection.execute(
                query.where(query.selected_columns[1].is_not(None))
                .order_by(query.selected_columns[1].desc(), query.selected_columns[0].desc())
                .limit(1)).first() if "source_record" in present else None)
            fetched = (connection.execute(select(func.max(runs.c.started_at)).where(
                runs.c.source == source, runs.c.pages_fetched > 0)).scalar()
                if "sync_run" in present else None)
            rows.append({"source": source, "newest": newest[1] if newest else None,
                         "newest_item": newest[0] if newest else None,
                         "last_fetched": fetched})
    return pd.DataFrame(rows, columns=["source", "newest", "newest_item", "last_fetched"],
                        dtype=object)  # a source never fetched: None, not NaT


def latest_votes(engine: Engine, *, limit: int = 5) -> pd.DataFrame:
    """Return the latest votes stored (newest first): the vote, its date, outcome and
    tally, and whether it is provisional (known only from a press release: no meetings
    table nor Digital Library record gives it yet, ``db.provisional``)."""
    ve = tables.vote_event
    columns = ["vote", "date", "outcome", "tally", "provisional"]
    if not inspect(engine).has_table("vote_event"):
        return pd.DataFrame(columns=columns)
    with engine.connect() as connection:
        found = connection.execute(
            select(ve.c.id, ve.c.key, ve.c.date, ve.c.outcome, ve.c.yes, ve.c.no,
                   ve.c.abstain).where(ve.c.date.is_not(None))
            .order_by(ve.c.date.desc(), ve.c.id.desc()).limit(limit)).all()
        provisional = set(connection.execute(provisional_events().where(
            ve.c.id.in_([f.id for f in found]))).scalars())
    return pd.DataFrame([
        {"vote": f.key, "date": f.date, "outcome": f.outcome,
         "tally": format_tally(f.yes, f.no or 0, f.abstain or 0) if f.yes is not None
         else None, "provisional": f.id in provisional} for f in found], columns=columns)


ROLL_CALL_SOURCES = ("meeting record", "press release", "press release, the rest derived",
                     "press release, in part", "another source's record", "none stored")


def status(engine: Engine) -> dict[str, Any]:
    """Return the database in use, its row counts and the last sync per source (a note
    when the last sync was interrupted)."""
    sources = cast(list[dict[str, Any]], last_syncs(engine).to_dict(orient="records"))
    return {
        "database": engine.url.render_as_string(hide_password=True),
        "tables": row_counts(engine).to_dict(orient="records"),
        "sources": sources,
        "roll_calls_of_failed_votes": failed_roll_calls(engine).to_dict(orient="records"),
        "freshness": freshness(engine).to_dict(orient="records"),
        "latest_votes": latest_votes(engine).to_dict(orient="records"),
        "note": interrupted_note(sources),
    }


@dataclass(frozen=True)
class DatabaseStatus:
    """The database in use (its URL, passwords hidden), its rows per table, the last sync
    of each source, and a note when there is nothing to read yet."""

    database: str
    tables: list[dict[str, Any]] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)
    roll_calls: list[dict[str, Any]] = field(default_factory=list)  # of failed votes
    note: str | None = None
    freshness: list[dict[str, Any]] = field(default_factory=list)  # of each source
    latest_votes: list[dict[str, Any]] = field(default_factory=list)  # provisional or not

    @property
    def heading(self) -> str:
        """Return the line naming the database (and the note, if any)."""
        return f"Database: {self.database}" + (f" ({self.note})" if self.note else "")

    def parts(self) -> dict[str, pd.DataFrame]:
        """Return the row counts and the last syncs as two tables, by title."""
        return {"Rows": pd.DataFrame(self.tables),
                "Last sync per source": pd.DataFrame(self.sources),
                "Roll calls of failed votes": pd.DataFrame(self.roll_calls),
                "Freshness of each source": pd.DataFrame(
                    self.freshness, columns=["source", "newest", "newest_item",
                                             "last_fetched"]),
                "Latest votes": pd.DataFrame(
                    self.latest_votes,
                    columns=["vote", "date", "outcome", "tally", "provisional"])}

    def as_table(self) -> pd.DataFrame:
        """Return the row counts and the last syncs as one table (section, name, value)."""
        rows: list[dict[str, Any]] = [{"section": "database", "name": "url",
                                       "value": self.database}]
        rows += [{"section": "rows", "name": r["table"], "value": r["rows"]}
                 for r in self.tables]
        rows += [{"section": "last_sync", "name": r["source"],
                  "value": jsonable(r["last_sync"]) if r.get("state", "finished") == "finished"
                  else r["state"]}
                 for r in self.sources]
        rows += [{"section": "roll_calls_of_failed_votes", "name": r["roll_call"],
                  "value": r["failed_votes"]} for r in self.roll_calls]
        rows += [{"section": "newest", "name": r["source"],
                  "value": f"{jsonable(r['newest'])} {r['newest_item']}"
                  if r["newest"] is not None else None} for r in self.freshness]
        rows += [{"section": "last_fetched", "name": r["source"],
                  "value": jsonable(r["last_fetched"])} for r in self.freshness]
        rows += [{"section": "latest_votes", "name": r["vote"],
                  "value": f"{jsonable(r['date'])} {r['outcome']} {r['tally'] or ''}".rstrip()
                  + (" (provisional)" if r["provisional"] else "")}
                 for r in self.latest_votes]
        return pd.DataFrame(rows)

    def as_json(self) -> dict[str, Any]:
        """Return the status as one JSON-ready object (the note only when there is one)."""
        payload: dict[str, Any] = {
            "database": self.database,
            "tables": [{c: jsonable(v) for c, v in r.items()} for r in self.tables],
            "sources": [{c: jsonable(v) for c, v in r.items()} for r in self.sources],
            "roll_calls_of_failed_votes": self.roll_calls}
        if self.freshness:  # a database that exists (one not created yet has no sources)
            payload["freshness"] = [{c: jsonable(v) for c, v in r.items()}
                                    for r in self.freshness]
            payload["latest_votes"] = [{c: jsonable(v) for c, v in r.items()}
                                       for r in self.latest_votes]
        if self.note is not None:
            payload["note"] = self.note
        return payload


def database_status(engine: Engine | None, *, database: str) -> DatabaseStatus:
    """Return the status of a database; ``engine`` None when it is not created yet (a
    SQLite file that does not exist), named by ``database`` (its URL, passwords hidden)."""
    if engine is None:
        return DatabaseStatus(database=database, note="not created yet: run `tracker sync`")
    result = status(engine)
    return DatabaseStatus(database=result["database"], tables=result["tables"],
                          sources=result["sources"],
                          roll_calls=result["roll_calls_of_failed_votes"], note=result["note"],
                          freshness=result["freshness"], latest_votes=result["latest_votes"])
