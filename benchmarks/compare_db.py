"""Compare two SQLite databases of the tracker table by table, as content.

Ignored: the timestamps every run sets anew (``fetched_at``, ``first_seen``, ``checked_at``,
a sync run's ``started_at``/``finished_at``) and the ids of ``sync_run`` rows; the local
replay server's address (``http://127.0.0.1:PORT``) is read as one address. Every other
column counts, ids included: a rebuild stores the archive in record order, so the same
archive gives the same ids.

Run by hand:  python benchmarks/compare_db.py /tmp/baseline.sqlite /tmp/bench-after.sqlite
Prints, per table, the rows only in the first and only in the second; exits 1 on a difference.
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import sys
from collections import Counter
from typing import Any

TIMES = {"fetched_at", "first_seen", "checked_at", "started_at", "finished_at"}
LOCAL = re.compile(r"http://127\.0\.0\.1:\d+")


def rows_of(connection: sqlite3.Connection, table: str) -> Counter[tuple[Any, ...]]:
    """Return the table's rows as a multiset, without the columns that every run sets."""
    columns = [c[1] for c in connection.execute(f'PRAGMA table_info("{table}")')]
    kept = [c for c in columns if c not in TIMES and not (table == "sync_run" and c == "id")]
    select = ", ".join(f'"{c}"' for c in kept)
    return Counter(tuple(LOCAL.sub("http://replay", v) if isinstance(v, str) else v
                         for v in row)
                   for row in connection.execute(f'SELECT {select} FROM "{table}"'))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--show", type=int, default=3, help="rows to print per difference")
    args = parser.parse_args()
    before, after = sqlite3.connect(args.before), sqlite3.connect(args.after)
    tables = sorted({t for (t,) in before.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'")} | {t for (t,) in after.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")})
    differ = False
    print("| table | rows before | rows after | only before | only after |")
    print("|---|---:|---:|---:|---:|")
    shown: list[str] = []
    for table in tables:
        old, new = rows_of(before, table), rows_of(after, table)
        gone, came = old - new, new - old
        differ |= bool(gone or came)
        print(f"| {table} | {sum(old.values()):,} | {sum(new.values()):,} | "
              f"{sum(gone.values()):,} | {sum(came.values()):,} |")
        shown += [f"{table} only before: {r}" for r in list(gone)[:args.show]]
        shown += [f"{table} only after:  {r}" for r in list(came)[:args.show]]
    print("\n".join(shown))
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
