"""Benchmark: full sync, no-op sync, rebuild and reports on the real Library pages.

Serves ../shared/data/un_org_dhl_html at its un.org paths from a local HTTP
server (no internet), then measures, in one run:

- a full sync (wall time, requests, rows written, peak memory);
- a no-op sync right after (requests, rows written);
- ``rebuild`` from the raw archive;
- a bare loop that only parses the same pages with beautifulsoup4 over lxml,
  storing nothing: the floor the pipeline is compared with;
- each report on the full history.

Run by hand (not in the tests):

    python benchmarks/bench_sync.py                       # SQLite in a temporary folder
    python benchmarks/bench_sync.py --db postgresql+psycopg://user@127.0.0.1/scratch

The database given with --db is emptied first: point it at a scratch database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import re
import resource
import sys
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bs4 import BeautifulSoup  # noqa: E402

from db.engine import drop_schema, make_engine  # noqa: E402
from reports.findings import findings, veto_disagreements  # noqa: E402
from reports.vetoes import vetoes  # noqa: E402
from scrapers.http import PoliteClient  # noqa: E402
from tracker.settings import Settings  # noqa: E402
from tracker.sync import rebuild, sync  # noqa: E402

HTML = ROOT.parent / "shared" / "data" / "un_org_dhl_html"


def serve(folder: Path) -> tuple[str, Callable[[], None]]:
    """Serve every page of the Library's saved copy under /depts/dhl/resguide/."""
    site = Path(tempfile.mkdtemp(prefix="bench-site-"))
    resguide = site / "depts" / "dhl" / "resguide"
    resguide.mkdir(parents=True)
    for page in [folder / "scact_veto_table_en.html", *(folder / "scact_tables").glob("*.html")]:
        (resguide / page.name).symlink_to(page)

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", server.shutdown


TRACE_MEMORY = False


def measure(label: str, work: Callable[[], Any]) -> tuple[Any, dict[str, Any]]:
    """Time a step; with --trace-memory, also its peak of Python allocations (slower)."""
    if TRACE_MEMORY:
        tracemalloc.start()
    start = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - start
    peak = ""
    if TRACE_MEMORY:
        peak = str(round(tracemalloc.get_traced_memory()[1] / 2**20, 1))
        tracemalloc.stop()
    return result, {"step": label, "seconds": round(seconds, 3), "python_peak_mb": peak}


def bare_parse(folder: Path) -> int:
    """Parse every page with beautifulsoup4 over lxml and count the rows: the floor."""
    rows = 0
    for page in [folder / "scact_veto_table_en.html", *(folder / "scact_tables").glob("*.html")]:
        rows += len(BeautifulSoup(page.read_bytes(), "lxml").find_all("tr"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database URL (default: SQLite in a temporary folder)")
    parser.add_argument("--data", type=Path, default=HTML, help="the saved un_org_dhl_html folder")
    parser.add_argument("--trace-memory", action="store_true",
                        help="measure each step's peak Python allocations (slows every step)")
    args = parser.parse_args()
    global TRACE_MEMORY
    TRACE_MEMORY = args.trace_memory
    if not args.data.is_dir():
        sys.exit(f"no saved pages at {args.data}")
    url, stop = serve(args.data)
    data_dir = Path(tempfile.mkdtemp(prefix="bench-data-"))
    settings = Settings(data_dir=data_dir, un_org_url=url, requests_per_second=0,
                        database_url=args.db)
    engine = make_engine(settings.resolved_database_url)
    # A benchmark starts from an empty database: the tracker's tables are dropped.
    drop_schema(engine)
    results = []
    last_year = max(int(m.group(1)) for p in (args.data / "scact_tables").glob("*.html")
                    if (m := re.search(r"scact(\d{4})", p.name)))

    def run_sync() -> Any:
        with PoliteClient(requests_per_second=0) as client:
            # The Library's pages only (the Digital Library is bench_voting's and
            # bench_full's), as of the end of the newest saved year.
            summary = sync(engine, settings, sources=["meetings", "veto-list"],
                           today=dt.date(last_year, 12, 31), client=client)
            return summary, client.requests

    (summary, requests), row = measure("full sync", run_sync)
    totals = summary.totals()
    results.append({**row, "requests": requests, "rows_written": totals.new + totals.changed})
    (summary, requests), row = measure("no-op sync", run_sync)
    totals = summary.totals()
    results.append({**row, "requests": requests, "rows_written": totals.new + totals.changed})
    _, row = measure("rebuild (from the raw archive)", lambda: rebuild(engine, settings))
    results.append(row)
    _, row = measure("bare parse, no store (floor)", lambda: bare_parse(args.data))
    results.append(row)
    for label, report in [
        ("report: vetoes", lambda: vetoes(engine)),
        ("report: vetoes --by member", lambda: vetoes(engine, by="member")),
        ("report: vetoes --by year", lambda: vetoes(engine, by="year")),
        ("report: vetoes --by agenda", lambda: vetoes(engine, by="agenda")),
        ("report: check", lambda: (findings(engine), veto_disagreements(engine))),
    ]:
        _, row = measure(label, report)
        results.append(row)
    stop()
    print(f"database: {engine.url.render_as_string(hide_password=True)}")
    print(f"process peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    print("| step | seconds | Python peak MB | requests | rows written |")
    print("|---|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['step']} | {r['seconds']} | {r['python_peak_mb']} | "
              f"{r.get('requests', '')} | {r.get('rows_written', '')} |")


if __name__ == "__main__":
    main()
