"""Benchmark: a full sync of ~2,700 Digital Library voting records, and the dataset import.

Builds MARCXML records from the real roll calls of ``../shared/data``
(``undl_scrape_un_data``, 2,617 resolutions, and the real record of resolution
2722 (2024)), serves them as search pages from a local server (no internet),
and measures in one run:

- a full sync of the voting records (wall time, requests, rows, peak memory);
- a no-op sync right after (requests, rows written);
- the import of the same roll calls written as the Library's voting dataset
  (one CSV row per member and resolution, about 39,000 rows), into a fresh database.

Run by hand (not in the tests):

    python benchmarks/bench_voting.py [--db URL]   # the database is emptied first
"""

from __future__ import annotations

import argparse
import csv
import io
import resource
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine  # noqa: E402

from db.engine import drop_schema, make_engine  # noqa: E402
from scrapers.http import PoliteClient  # noqa: E402
from tests.undl_replay import P5, DigitalLibrary, Record, from_scrape_csv  # noqa: E402
from tracker.settings import Settings  # noqa: E402
from tracker.sync import import_undl_dataset, sync  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
SCRAPE = SHARED / "undl_scrape_un_data" / "un_data_security_council_rows.csv"
REAL_2722 = SHARED / "undl_records" / "record_4033397_S-RES-2722(2024)_vote.marcxml.xml"


def serve(library: DigitalLibrary) -> tuple[str, ThreadingHTTPServer]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            if path == "/search":
                library.search(self)
            else:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", server


def as_dataset(records: list[Record]) -> bytes:
    """Write records as the Library's voting dataset (record 4055387)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["undl_id", "ms_code", "ms_name", "permanent_member", "ms_vote", "date",
                     "resolution", "draft", "meeting", "description", "agenda", "subjects",
                     "vote_note", "total_yes", "total_no", "total_abstentions",
                     "total_non_voting", "total_ms", "modality", "undl_link"])
    for r in records:
        y, n, a, x, t = r.totals or (0, 0, 0, 0, 0)
        for v in r.votes:
            writer.writerow([r.record_id, v.code, v.name, v.code in P5, v.vote, r.date,
                             r.resolution, r.draft or "", r.meeting or "", r.title, "", "", "",
                             y, n, a, x, t, "Vote",
                             f"https://digitallibrary.un.org/record/{r.record_id}"])
    return out.getvalue().encode()


def fresh(url: str) -> Engine:
    """Open a database and empty it: a benchmark starts from nothing."""
    engine = make_engine(url)
    drop_schema(engine)
    return engine


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database URL (default: SQLite in a temporary folder)")
    args = parser.parse_args()
    if not SCRAPE.exists():
        sys.exit(f"no saved roll calls at {SCRAPE}")
    records = from_scrape_csv(SCRAPE)
    library = DigitalLibrary([*records, ("2024-01-10", "4033397", REAL_2722.read_bytes())])
    url, server = serve(library)
    work = Path(tempfile.mkdtemp(prefix="bench-voting-"))
    db_url = args.db or f"sqlite:///{work / 'sync.sqlite'}"
    settings = Settings(data_dir=work / "data", undl_url=url, requests_per_second=0,
                        database_url=db_url)
    engine = fresh(db_url)
    results = []
    for label in ("full sync", "no-op sync"):
        library.searches.clear()
        start = time.perf_counter()
        with PoliteClient(requests_per_second=0) as client:
            summary = sync(engine, settings, sources=["voting-records"], client=client)
        seconds = time.perf_counter() - start
        totals = summary.totals()
        results.append((label, seconds, len(library.searches), totals.new + totals.changed,
                        rss_mb()))
    server.shutdown()

    dataset = work / "sc_voting.csv"
    dataset.write_bytes(as_dataset(records))
    rows = dataset.read_text().count("\n") - 1
    import_url = args.db or f"sqlite:///{work / 'import.sqlite'}"
    engine = fresh(import_url)
    start = time.perf_counter()
    summary = import_undl_dataset(engine, settings.model_copy(
        update={"data_dir": work / "import-data", "database_url": import_url}), str(dataset))
    seconds = time.perf_counter() - start
    totals = summary.totals()
    results.append((f"dataset import ({rows:,} rows)", seconds, 0, totals.new + totals.changed,
                    rss_mb()))

    print(f"database: {make_engine(db_url).url.render_as_string(hide_password=True)}")
    print(f"records served: {len(library.items):,}")
    print("| step | seconds | requests | rows written | process peak RSS MB |")
    print("|---|---:|---:|---:|---:|")
    for label, secs, requests, written, peak in results:
        print(f"| {label} | {secs:.2f} | {requests} | {written:,} | {peak:.0f} |")


if __name__ == "__main__":
    main()
