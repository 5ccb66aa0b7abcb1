"""Benchmark: ``tracker site`` on a full-history database: the first build into an empty
folder, a rebuild with nothing changed (every file read and compared, none written), and
the site's size.

Run by hand (not in the tests), on a database a full sync made, for instance the one
``benchmarks/bench_full.py --db sqlite:////tmp/full.sqlite`` leaves:

    python benchmarks/bench_site.py --db sqlite:////tmp/full.sqlite [--repeat 3]

The database is only read. Times are wall-clock and CPU (user + system) of this process,
best of the runs; memory is the process's peak resident size.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine  # noqa: E402

from db.engine import make_engine  # noqa: E402
from reports.site import SiteSummary, build_site, charts_available, timeline_svg  # noqa: E402


def timed_build(engine: Engine, folder: Path, today: dt.date) -> tuple[float, float, SiteSummary]:
    wall, cpu = time.perf_counter(), time.process_time()
    # as `tracker site` does: the mandates' charts when matplotlib is installed
    result = build_site(engine, folder, today=today,
                        mandate_chart=timeline_svg if charts_available() else None)
    return time.perf_counter() - wall, time.process_time() - cpu, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", required=True, help="the database URL of a full history")
    parser.add_argument("--repeat", type=int, default=1, help="runs, best kept (default 1)")
    parser.add_argument("--as-of", default="2022-12-31", help="the site's today")
    options = parser.parse_args()
    engine = make_engine(options.db)
    today = dt.date.fromisoformat(options.as_of)
    first, again = [], []
    for _ in range(options.repeat):
        folder = Path(tempfile.mkdtemp()) / "site"
        wall, cpu, summary = timed_build(engine, folder, today)
        first.append((wall, cpu))
        wall, cpu, unchanged = timed_build(engine, folder, today)
        again.append((wall, cpu))
        assert not unchanged.written, unchanged.written
        shutil.rmtree(folder.parent)
    pages, size = summary.pages, summary.bytes
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    best = min(first)
    best_again = min(again)
    print("| step | result |")
    print("|---|---|")
    print(f"| `tracker site`, first build | {best[0]:.1f} s (CPU {best[1]:.1f} s), "
          f"{pages:,} files, {size / 1e6:.1f} MB |")
    print(f"| `tracker site`, nothing changed | {best_again[0]:.1f} s (CPU {best_again[1]:.1f}"
          " s), 0 files written |")
    print(f"| peak RSS | {peak:.0f} MB |")
    runs = "; ".join(f"{a[0]:.1f} / {b[0]:.1f} s" for a, b in zip(first, again, strict=True))
    print(f"| runs (first / again) | {runs} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
