"""Status: the database in use, row counts, and the last sync of each source."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Engine, func, inspect, select
from sqlmodel import SQLModel

from db.models import SyncRun
from db.upsert import table_of
from reports.export import jsonable

COUNTED = ("member", "meeting", "draft", "resolution", "presidential_statement", "vote_event",
           "member_vote", "veto", "sponsorship", "mandate", "mandate_event", "finding",
           "source_record")


def row_counts(engine: Engine) -> pd.DataFrame:
    """Return the number of rows in each table of the schema."""
    tables = SQLModel.metadata.tables
    present = set(inspect(engine).get_table_names())
    rows = []
    with engine.connect() as connection:
        for name in COUNTED:
            count = (connection.execute(select(func.count()).select_from(tables[name])).scalar_one()
                     if name in present else 0)
            rows.append({"table": name, "rows": count})
    return pd.DataFrame(rows)


def last_syncs(engine: Engine) -> pd.DataFrame:
    """Return the last sync of each source, and the last one that succeeded."""
    if not inspect(engine).has_table("sync_run"):
        return pd.DataFrame(columns=["source", "last_sync", "last_ok_sync", "pages_fetched",
                                     "pages_failed", "rows_new", "rows_changed"])
    t = table_of(SyncRun)
    with engine.connect() as connection:
        runs = pd.read_sql(select(t).order_by(t.c.id), connection)
    rows = []
    for source, group in runs.groupby("source", sort=True):
        last = group.iloc[-1]
        ok = group[group["ok"].astype(bool)]
        rows.append({"source": source, "last_sync": last["finished_at"],
                     "last_ok_sync": ok.iloc[-1]["finished_at"] if len(ok) else None,
                     "pages_fetched": int(last["pages_fetched"]),
                     "pages_failed": int(last["pages_failed"]),
                     "rows_new": int(last["rows_new"]), "rows_changed": int(last["rows_changed"])})
    return pd.DataFrame(rows)


def status(engine: Engine) -> dict[str, Any]:
    """Return the database in use, its row counts and the last sync per source."""
    return {
        "database": engine.url.render_as_string(hide_password=True),
        "tables": row_counts(engine).to_dict(orient="records"),
        "sources": last_syncs(engine).to_dict(orient="records"),
    }


@dataclass(frozen=True)
class DatabaseStatus:
    """The database in use (its URL, passwords hidden), its rows per table, the last sync
    of each source, and a note when there is nothing to read yet."""

    database: str
    tables: list[dict[str, Any]] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)
    note: str | None = None

    @property
    def heading(self) -> str:
        """Return the line naming the database (and the note, if any)."""
        return f"Database: {self.database}" + (f" ({self.note})" if self.note else "")

    def parts(self) -> dict[str, pd.DataFrame]:
        """Return the row counts and the last syncs as two tables, by title."""
        return {"Rows": pd.DataFrame(self.tables),
                "Last sync per source": pd.DataFrame(self.sources)}

    def as_table(self) -> pd.DataFrame:
        """Return the row counts and the last syncs as one table (section, name, value)."""
        rows: list[dict[str, Any]] = [{"section": "database", "name": "url",
                                       "value": self.database}]
        rows += [{"section": "rows", "name": r["table"], "value": r["rows"]}
                 for r in self.tables]
        rows += [{"section": "last_sync", "name": r["source"], "value": jsonable(r["last_sync"])}
                 for r in self.sources]
        return pd.DataFrame(rows)

    def as_json(self) -> dict[str, Any]:
        """Return the status as one JSON-ready object (the note only when there is one)."""
        payload: dict[str, Any] = {
            "database": self.database,
            "tables": [{c: jsonable(v) for c, v in r.items()} for r in self.tables],
            "sources": [{c: jsonable(v) for c, v in r.items()} for r in self.sources]}
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
                          sources=result["sources"])
