"""Benchmark: the whole history from a local replay, a no-op sync, rebuild, every report,
and (with --scale) a synthetic history many times larger.

Serves from a local server (no internet), built from ../shared/data:
- the Library's saved pages (the Veto List and 78 yearly tables);
- 2,618 voting records in the Digital Library's MARCXML (the real roll calls of
  ``undl_scrape_un_data`` and the real record of 2722 (2024));
- 3,627 document records of drafts (the Library's export in ``pcrc_unsc_dataset``), of
  which 190 (``--lookup-only``) are left out of the documents search pages and answered only
  to the query for their symbol, as on the live site, where the search pages never cover
  every draft the tables name (see ``tests/history_replay.py``).

Measures, in one run:
- the voting records alone (``--source voting-records``, full, into an empty database)
  against two floors, each storing, archiving and validating nothing:
  the tree-only floor fetches the same 14 search pages and builds their lxml trees, reading
  no record; the scraper floor, "a bare fetch-and-parse scraper", fetches the same pages and
  reads, with lxml, each record's id (001), resolution and draft symbols (791 $a, 993 $a),
  date (269 $a), totals (996 $b-$f) and every member's code and vote (967 $c, $d) into plain
  tuples;
- a full sync (wall time, requests, rows, process peak memory);
- a no-op sync right after (requests, rows written);
- a bare loop that only fetches the same responses and parses them (HTML with
  beautifulsoup4 over lxml, XML with lxml), storing nothing, the answers to the lookups
  by symbol included: the floor; and the same floor from the files, next to ``rebuild``;
  the pipeline's overhead over it, counting the CLI's start-up;
- every report on the full history, in this process; and the latency of each report
  command (``tracker vetoes``, ``votes``, ``mandates``, ``status``, ``check``, ...) run as a
  process of its own, from process start to exit, with its floors (Python alone; pandas and
  SQLAlchemy imported) run interleaved with them, best of four, wall and CPU time;
- with ``--scale N``: a synthetic history N times the voting records (new ids,
  symbols and dates), written to the raw archive; ``tracker rebuild`` and
  ``tracker agreement`` on it, each in a process of its own, with time and that
  process's peak memory.

Each overhead is given in wall time (the pipeline's time plus the CLI's start-up, measured
once as ``tracker --help``, over the floor's time, for every row alike) and in this process's
CPU time (no start-up on either side; the replay server's thread included on both sides;
waits for the disk are not CPU time). On a shared machine, ``--repeat 3`` reports the best of
three runs of each step.

Run by hand:
    python benchmarks/bench_full.py [--db URL] [--repeat 3] [--scale 100] [--lookup-only 190]
(the database given with --db is emptied first: point it at a scratch database).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from bs4 import BeautifulSoup  # noqa: E402
from lxml import etree  # noqa: E402
from sqlalchemy import Engine, func, select  # noqa: E402

from db.engine import drop_schema, make_engine  # noqa: E402
from db.models import MemberVote  # noqa: E402
from reports import agreement, drafts, findings, mandates, rollcalls, vetoes  # noqa: E402
from scrapers.archive import RecordArchive  # noqa: E402
from scrapers.http import PoliteClient  # noqa: E402
from tests.history_replay import (  # noqa: E402
    LookupLibrary,
    library_pages,
    press_releases,
    real_library,
)
from tests.undl_replay import Record, from_scrape_csv  # noqa: E402
from tracker.settings import Settings  # noqa: E402
from tracker.sync import rebuild, sync  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
HTML = SHARED / "un_org_dhl_html"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(work: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    result = work()
    return result, time.perf_counter() - start


def clocked(run: Run, step: str, work: Callable[[], Any]) -> Any:
    """Do the work; note its wall time and this process's CPU time (the replay server's
    thread included) under ``step``; return its result."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    setattr(run, step, time.perf_counter() - wall)
    run.cpu[step] = time.process_time() - cpu
    return result


# Runs the CLI and reports its own peak memory on stderr's last line, in KB: VmHWM, the
# high-water mark of this program alone (ru_maxrss would carry the parent's size over
# fork and exec).
MEASURED_CLI = """
import re, resource, runpy, sys
sys.argv = ["tracker", *sys.argv[1:]]
try:
    runpy.run_module("tracker", run_name="__main__")
finally:
    try:
        with open("/proc/self/status") as status:
            peak = re.search(r"VmHWM:\\s*(\\d+)", status.read()).group(1)
    except OSError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(peak, file=sys.stderr)
"""


def cli_run(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run ``tracker ARGS`` in a process of its own; return (seconds, its peak RSS in MB)."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", MEASURED_CLI, *args], cwd=ROOT,
                          env={**os.environ, **env}, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"tracker {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return seconds, int(done.stderr.strip().splitlines()[-1]) / 1024


class Site:
    """The Library's pages and the Digital Library, served from memory on one port."""

    def __init__(self, library: LookupLibrary) -> None:
        self.library = library
        self.pages = {**library_pages(SHARED), **press_releases(SHARED)}
        self.requests = 0
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site.requests += 1
                path = self.path.split("?")[0]
                if path == "/search":
                    site.library.search(self)
                    return
                body = site.pages.get(path)
                if body is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                etag = f'"{hash(body) & 0xFFFFFFFF:x}"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


MARC_RECORD = "{http://www.loc.gov/MARC21/slim}record"


def _floor_search(client: httpx.Client, url: str, collection: str) -> int:
    """Fetch every page of a search and parse it; return the records parsed."""
    parsed, jrec = 0, 1
    while True:
        body = client.get(url + "/search", params={
            "cc": collection, "rg": 200, "jrec": jrec, "of": "xm"}).content
        records = etree.fromstring(body).findall(MARC_RECORD)
        parsed += len(records)
        if len(records) < 200:
            return parsed
        jrec += 200


def floor_voting_records(site: Site) -> int:
    """Fetch the voting records' search pages and build their trees, reading no record."""
    with httpx.Client() as client:
        return _floor_search(client, site.url, "Voting Data")


MARC_CONTROL = "{http://www.loc.gov/MARC21/slim}controlfield"
MARC_FIELD = "{http://www.loc.gov/MARC21/slim}datafield"
MARC_SUBFIELD = "{http://www.loc.gov/MARC21/slim}subfield"
RollCall = tuple[str | None, str | None, str | None, str | None, tuple[str | None, ...],
                 list[tuple[str | None, str | None]]]


def _first_texts(datafield: Any) -> dict[str | None, str | None]:
    """Return a data field's subfields as {code: text}, the first of each code."""
    texts: dict[str | None, str | None] = {}
    for sub in datafield.iterchildren(MARC_SUBFIELD):
        texts.setdefault(sub.get("code"), sub.text)
    return texts


def scrape_roll_calls(body: bytes) -> list[RollCall]:
    """Read a search page's records as a bare scraper would: (id, resolution, draft, date,
    totals, [(member, vote)]) per record, each text as the page gives it; nothing checked."""
    roll_calls: list[RollCall] = []
    for record in etree.fromstring(body).iterchildren(MARC_RECORD):
        record_id = resolution = draft = date = None
        totals: tuple[str | None, ...] = ()
        votes: list[tuple[str | None, str | None]] = []
        for element in record.iterchildren(MARC_CONTROL, MARC_FIELD):
            tag = element.get("tag")
            if element.tag == MARC_CONTROL:
                if tag == "001":
                    record_id = element.text
            elif tag == "967":
                texts = _first_texts(element)
                votes.append((texts.get("c"), texts.get("d")))
            elif tag in ("269", "791", "993", "996"):
                texts = _first_texts(element)
                if tag == "269":
                    date = texts.get("a")
                elif tag == "791":
                    resolution = texts.get("a")
                elif tag == "993":
                    draft = texts.get("a")
                else:
                    totals = tuple(texts.get(code) for code in "bcdef")
        roll_calls.append((record_id, resolution, draft, date, totals, votes))
    return roll_calls


def floor_voting_scraper(site: Site) -> int:
    """Fetch the voting records' search pages and read every roll call into tuples, storing
    nothing: a bare per-page fetch-and-parse scraper. Return the records read."""
    read, jrec = 0, 1
    with httpx.Client() as client:
        while True:
            body = client.get(site.url + "/search", params={
                "cc": "Voting Data", "rg": 200, "jrec": jrec, "of": "xm"}).content
            records = scrape_roll_calls(body)
            read += len(records)
            if len(records) < 200:
                return read
            jrec += 200


def floor_from_network(site: Site, lookups: list[dict[str, str]]) -> int:
    """Fetch the same responses and parse them, storing nothing: the Library's pages,
    every search page, and the answers to the same lookups by symbol the sync sent."""
    parsed = 0
    with httpx.Client() as client:
        for path in site.pages:
            BeautifulSoup(client.get(site.url + path).content, "lxml")
            parsed += 1
        for collection in ("Voting Data", "Documents and Publications"):
            parsed += _floor_search(client, site.url, collection)
        for query in lookups:
            body = client.get(site.url + "/search", params=query).content
            etree.fromstring(body).findall(MARC_RECORD)
            parsed += 1
    return parsed


def floor_from_files(raw: Path) -> int:
    """Read the raw archive and parse every page and record, storing nothing."""
    parsed = 0
    for path in raw.rglob("*.body"):
        if path.parent.name in ("dhl-meetings", "dhl-veto-list"):
            BeautifulSoup(path.read_bytes(), "lxml")
            parsed += 1
    for source in ("undl-votes", "undl-documents"):
        with RecordArchive(raw, source) as records:
            for record in records.latest():
                etree.fromstring(record.body)
                parsed += 1
    return parsed


def _shift(symbol: str | None, pattern: str, template: str, by: int) -> str | None:
    """Return the symbol with the number ``pattern`` captures moved by ``by``."""
    if symbol is None:
        return None
    return re.sub(pattern, lambda m: template.format(int(m[1]) + by), symbol, count=1)


def synthetic(records: list[Record], scale: int) -> Iterator[Record]:
    """Yield the voting records repeated ``scale - 1`` more times with new ids, symbols and
    dates (one at a time: the benchmark's own memory stays out of the figures)."""
    for copy in range(1, scale):
        for r in records:
            number = int(r.resolution.split("/")[2].split("(")[0]) if r.resolution else 0
            # Dates stay within four-digit years (copies past the 79th reuse a century);
            # the resolution numbers keep every copy distinct.
            year = int(r.date[:4]) + 100 * (1 + (copy - 1) % 79)
            # Every identifier moves with the copy (a failed draft's too), so no copy's
            # vote merges into another's.
            draft = _shift(r.draft, r"^S/\d{4}/(\d+)", f"S/{year}/{{}}", 10_000 * copy)
            meeting = _shift(r.meeting, r"(\d+)", "{}", 100_000 * copy)
            yield Record(
                record_id=str(10_000_000 * copy + int(r.record_id)),
                date=f"{year:04d}{r.date[4:8]}{min(int(r.date[8:10]), 28):02d}",
                resolution=(f"S/RES/{number + 10_000 * copy}({year})" if r.resolution
                            else None),
                title=r.title, votes=r.votes, totals=r.totals, meeting=meeting,
                draft=draft, agenda=r.agenda, note=r.note)


# The report commands whose latency is measured, each in a process of its own from process
# start to exit, printing its default table (what a user waits for).
LATENCY_COMMANDS = (["vetoes"], ["vetoes", "--by", "member"], ["votes", "S/RES/2722 (2024)"],
                    ["mandates"], ["status"], ["check"], ["agreement"], ["drafts"])
# What a report's latency is read against, timed in the same runs: Python alone, and Python
# with pandas and SQLAlchemy imported, which every report needs before it reads anything;
# that import again with the garbage collector paused, as the tracker imports (tracker.cli).
LATENCY_FLOORS = (("python -c pass", "pass"),
                  ("python -c 'import pandas, sqlalchemy'", "import pandas, sqlalchemy"),
                  ("the same, the collector paused", "import gc; gc.disable(); "
                   "import pandas, sqlalchemy"))


def latency_rows(env: dict[str, str], repeat: int = 4) -> list[tuple[str, str]]:
    """Time each report command in a process of its own, from start to exit, and the floors:
    runs interleaved (a busy moment of a shared machine slows them all alike), best of
    ``repeat``, wall-clock time and CPU time (user + system) of each process."""
    jobs = [(label, ["-c", code]) for label, code in LATENCY_FLOORS]
    jobs += [(f"tracker {' '.join(args_)}", ["-c", MEASURED_CLI, *args_])
             for args_ in LATENCY_COMMANDS]
    best: dict[str, tuple[float, float]] = {}
    for _ in range(repeat):
        for label, argv in jobs:
            start = time.perf_counter()
            process = subprocess.Popen([sys.executable, *argv], cwd=ROOT,
                                       env={**os.environ, **env}, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL)
            _, status, usage = os.wait4(process.pid, 0)
            wall = time.perf_counter() - start
            if os.waitstatus_to_exitcode(status) != 0:
                sys.exit(f"{label} failed (run it by hand to see why)")
            cpu = usage.ru_utime + usage.ru_stime
            previous = best.get(label, (wall, cpu))
            best[label] = (min(previous[0], wall), min(previous[1], cpu))
    return [(f"latency: {label}", f"{wall:.2f} s (CPU {cpu:.2f} s)")
            for label, (wall, cpu) in best.items()]


@dataclass
class Run:
    """The timings of one run of the measured steps, from an empty database."""

    voting: float = 0.0
    voting_floor: float = 0.0
    voting_scraper: float = 0.0
    sync: float = 0.0
    noop: float = 0.0
    floor: float = 0.0
    rebuild: float = 0.0
    floor_files: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)  # CPU time by step
    notes: dict[str, str] = field(default_factory=dict)


def measure(site: Site, library: LookupLibrary, engine: Engine, settings: Settings,
            work: Path) -> Run:
    """Time every step once, each sync from an empty database and data folder."""
    today = dt.date(2022, 12, 31)
    run = Run()
    drop_schema(engine)
    # The voting records alone, into an empty database and a data folder of their own.
    voting_settings = settings.model_copy(update={"data_dir": work / "voting-data"})

    def run_voting() -> Any:
        with PoliteClient(requests_per_second=0) as client:
            return sync(engine, voting_settings, sources=["voting-records"], full=True,
                        today=today, client=client)

    summary = clocked(run, "voting", run_voting)
    totals = summary.totals()
    run.notes["voting"] = (f"{summary.sources['voting-records'].pages_fetched} requests, "
                           f"{totals.new + totals.changed:,} rows written, ok={summary.ok}")
    parsed = clocked(run, "voting_floor", lambda: floor_voting_records(site))
    run.notes["voting_floor"] = f"{parsed:,} records"
    parsed = clocked(run, "voting_scraper", lambda: floor_voting_scraper(site))
    run.notes["voting_scraper"] = f"{parsed:,} roll calls"
    drop_schema(engine)

    def run_sync() -> Any:
        with PoliteClient(requests_per_second=0) as client:
            return sync(engine, settings, today=today, client=client)

    site.requests = 0
    library.searches.clear()
    summary = clocked(run, "sync", run_sync)
    totals = summary.totals()
    lookups = [q for q in library.searches if "p" in q]
    run.notes["sync"] = (f"{site.requests} requests ({len(lookups)} lookups by symbol), "
                         f"{totals.new + totals.changed:,} rows written, ok={summary.ok}, "
                         f"peak RSS {peak_mb():.0f} MB (the process, the replay server's data "
                         "too)")
    asked = {q["p"].split(":", 1)[1].strip('"') for q in lookups}
    hidden = {symbol for symbol, _, _ in library.by_symbol_only}
    if hidden - asked:
        sys.exit(f"the sync never asked for {len(hidden - asked)} lookup-only drafts: "
                 + ", ".join(sorted(hidden - asked)[:10]))
    run.notes["lookups"] = f"{len(hidden)}, each asked for once"
    site.requests = 0
    summary = clocked(run, "noop", run_sync)
    totals = summary.totals()
    run.notes["noop"] = (f"{site.requests} requests "
                         f"({sum(s.pages_not_modified for s in summary.sources.values())} "
                         f"answered 304), {totals.new + totals.changed} rows written")
    parsed = clocked(run, "floor", lambda: floor_from_network(site, lookups))
    run.notes["floor"] = f"{parsed:,} documents"
    clocked(run, "rebuild", lambda: rebuild(engine, settings))
    clocked(run, "floor_files", lambda: floor_from_files(settings.raw_dir))
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database URL (default: SQLite in a temporary folder)")
    parser.add_argument("--scale", type=int, default=1,
                        help="also rebuild a synthetic history this many times larger")
    parser.add_argument("--lookup-only", type=int, default=190,
                        help="drafts left out of the documents search pages, found only by "
                             "the lookup by symbol (default 190)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="run the timed steps this many times, each from an empty "
                             "database, and report the best time of each (a shared "
                             "machine's load varies from second to second)")
    args = parser.parse_args()
    if not HTML.is_dir():
        sys.exit(f"no saved pages at {HTML}")
    records = from_scrape_csv(SHARED / "undl_scrape_un_data" / "un_data_security_council_rows.csv")
    library = real_library(SHARED, lookup_only=args.lookup_only)
    site = Site(library)
    work = Path(tempfile.mkdtemp(prefix="bench-full-"))
    db_url = args.db or f"sqlite:///{work / 'tracker.sqlite'}"
    engine = make_engine(db_url)
    startup = min(timed(lambda: subprocess.run(
        [sys.executable, "-m", "tracker", "--help"], capture_output=True, check=True))[1]
        for _ in range(3))
    runs = []
    for attempt in range(max(1, args.repeat)):
        settings = Settings(data_dir=work / f"data-{attempt}", un_org_url=site.url,
                            undl_url=site.url, press_url=site.url, docs_url=site.url,
                            requests_per_second=0, database_url=db_url)
        runs.append(measure(site, library, engine, settings, work / f"run-{attempt}"))
    steps = ("voting", "voting_floor", "voting_scraper", "sync", "noop", "floor", "rebuild",
             "floor_files")
    best = Run(**{name: min(getattr(r, name) for r in runs) for name in steps},
               cpu={name: min(r.cpu[name] for r in runs) for name in steps},
               notes=runs[-1].notes)
    cpu = best.cpu
    rows: list[tuple[str, str]] = [
        ("voting records alone (--source voting-records --full)",
         f"{best.voting:.2f} s, {best.notes['voting']}"),
        ("floor: fetch + build the voting records' pages' trees, no record read",
         f"{best.voting_floor:.2f} s ({best.notes['voting_floor']})"),
        ("voting records' overhead over the tree-only floor",
         f"{(best.voting + startup) / best.voting_floor:.1f}x (CPU time: "
         f"{cpu['voting']:.2f} s / {cpu['voting_floor']:.2f} s = "
         f"{cpu['voting'] / cpu['voting_floor']:.1f}x)"),
        ("floor: a bare scraper (fetch + read every roll call into tuples), no store",
         f"{best.voting_scraper:.2f} s ({best.notes['voting_scraper']})"),
        ("voting records' overhead over the scraper floor",
         f"{(best.voting + startup) / best.voting_scraper:.1f}x (CPU time: "
         f"{cpu['voting']:.2f} s / {cpu['voting_scraper']:.2f} s = "
         f"{cpu['voting'] / cpu['voting_scraper']:.1f}x)"),
        ("full sync", f"{best.sync:.1f} s, {best.notes['sync']}"),
        ("drafts found only by lookup", best.notes["lookups"]),
        ("no-op sync", f"{best.noop:.2f} s, {best.notes['noop']}"),
        ("floor: fetch + parse, no store", f"{best.floor:.1f} s ({best.notes['floor']})"),
        ("CLI start-up (tracker --help)", f"{startup:.2f} s"),
        ("sync overhead over the floor", f"{(best.sync + startup) / best.floor:.1f}x (CPU "
         f"time: {cpu['sync']:.1f} s / {cpu['floor']:.1f} s = {cpu['sync'] / cpu['floor']:.1f}x)"),
        ("rebuild from the raw archive", f"{best.rebuild:.1f} s"),
        ("floor: read + parse the archive", f"{best.floor_files:.1f} s"),
        ("rebuild overhead over the floor",
         f"{(best.rebuild + startup) / best.floor_files:.1f}x (CPU time: {cpu['rebuild']:.1f} s "
         f"/ {cpu['floor_files']:.1f} s = {cpu['rebuild'] / cpu['floor_files']:.1f}x)"),
    ]
    if len(runs) > 1:
        rows.append((f"best of {len(runs)} runs; every run (sync / floor / rebuild / floor)",
                     "; ".join(f"{r.sync:.1f} / {r.floor:.1f} / {r.rebuild:.1f} / "
                               f"{r.floor_files:.1f} s" for r in runs)))
    reports: list[tuple[str, Callable[[], Any]]] = [
        ("vetoes", lambda: vetoes.vetoes(engine)),
        ("vetoes --by member", lambda: vetoes.vetoes(engine, by="member")),
        ("vetoes --by agenda", lambda: vetoes.vetoes(engine, by="agenda")),
        ("votes S/RES/2722 (2024)", lambda: rollcalls.votes(engine, "S/RES/2722 (2024)")),
        ("member USA", lambda: rollcalls.member_record(engine, "USA")),
        ("membership --year 1990", lambda: rollcalls.membership(engine, 1990)),
        ("agreement", lambda: agreement.agreement(engine)),
        ("drafts", lambda: drafts.drafts(engine)),
        ("sponsors", lambda: drafts.sponsors(engine)),
        ("draft S/2009/301", lambda: drafts.draft(engine, "S/2009/301")),
        ("mandates", lambda: mandates.mandates(engine)),
        ("mandate dprk-panel-of-experts",
         lambda: mandates.mandate_timeline(engine, "dprk-panel-of-experts")),
        ("check", lambda: (findings.findings(engine), findings.veto_disagreements(engine),
                           findings.tally_disagreements(engine))),
    ]
    for label, report in reports:
        report()  # warm: first use of pandas and the connection pool
        fastest = min(timed(report)[1] for _ in range(3))
        rows.append((f"report: {label}", f"{fastest * 1000:.0f} ms"))
    rows.append(("process peak RSS so far", f"{peak_mb():.0f} MB"))
    env = {"TRACKER_DATA_DIR": str(settings.data_dir), "TRACKER_DATABASE_URL": db_url}
    rows += latency_rows(env)

    if args.scale > 1:
        when = dt.datetime.now(dt.UTC)
        with RecordArchive(settings.raw_dir, "undl-votes") as archive:
            batch: list[tuple[str, str, bytes]] = []
            for r in synthetic(records, args.scale):
                batch.append((r.record_id, f"{site.url}/record/{r.record_id}",
                              f'<collection xmlns="http://www.loc.gov/MARC21/slim">{r.xml()}'
                              "</collection>".encode()))
                if len(batch) == 5000:
                    archive.save_many(batch, when)
                    batch.clear()
            archive.save_many(batch, when)
        seconds, peak = cli_run(["rebuild"], env)
        with engine.connect() as connection:
            votes = connection.execute(select(func.count()).select_from(MemberVote)).scalar()
        rows.append((f"scale x{args.scale}: tracker rebuild", f"{seconds:.0f} s, {votes:,} "
                     f"member votes, peak RSS {peak:.0f} MB"))
        seconds, peak = cli_run(["agreement", "--format", "csv"], env)
        rows.append((f"scale x{args.scale}: tracker agreement", f"{seconds:.1f} s, "
                     f"peak RSS {peak:.0f} MB"))
    site.server.shutdown()
    print(f"database: {engine.url.render_as_string(hide_password=True)}")
    print("| step | result |\n|---|---|")
    for label, value in rows:
        print(f"| {label} | {value} |")


if __name__ == "__main__":
    main()
