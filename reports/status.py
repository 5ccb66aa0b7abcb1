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

from council.rules import FAILED_STATUSES, council_size
from db import tables
from db.engine import DatabaseLocked, run_lock
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

    @property
    def heading(self) -> str:
        """Return the line naming the database (and the note, if any)."""
        return f"Database: {self.database}" + (f" ({self.note})" if self.note else "")

    def parts(self) -> dict[str, pd.DataFrame]:
        """Return the row counts and the last syncs as two tables, by title."""
        return {"Rows": pd.DataFrame(self.tables),
                "Last sync per source": pd.DataFrame(self.sources),
                "Roll calls of failed votes": pd.DataFrame(self.roll_calls)}

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
        return pd.DataFrame(rows)

    def as_json(self) -> dict[str, Any]:
        """Return the status as one JSON-ready object (the note only when there is one)."""
        payload: dict[str, Any] = {
            "database": self.database,
            "tables": [{c: jsonable(v) for c, v in r.items()} for r in self.tables],
            "sources": [{c: jsonable(v) for c, v in r.items()} for r in self.sources],
            "roll_calls_of_failed_votes": self.roll_calls}
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
                          roll_calls=result["roll_calls_of_failed_votes"], note=result["note"])
