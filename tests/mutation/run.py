"""Mutation testing, run by hand (not in CI): mutmut, one module group at a time.

    tests/mutation/run.sh                  # every group, in order
    tests/mutation/run.sh council parsers  # some groups
    tests/mutation/run.sh --report         # only print the scores of the groups already run

Each group works in its own folder, .mutation/<group>/ (git-ignored): a pyproject.toml made
from the project's own, whose [tool.mutmut] table gets the group's modules (only_mutate) and
the group's test subset (pytest_add_cli_args_test_selection), and links to the packages and
tests. mutmut keeps its results there, so a group stopped half-way (Ctrl-C, or its time
budget) resumes where it stopped; delete .mutation/<group>/ to start that group again.
One mutant at a time by default (--max-children 1, the machine is shared); --children 2 on a
quiet 2-core machine.

At the end of each group it prints the score per module (a Markdown table to paste into the
README) and writes the survivors, with the diff of each, to .mutation/<group>/survivors.txt.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORK = ROOT / ".mutation"
PACKAGES = ["council", "scrapers", "db", "tracker", "reports"]


@dataclass(frozen=True)
class Group:
    modules: list[str]  # only_mutate patterns, relative to the project root
    tests: list[str]  # the test subset (pytest arguments): the tests that exercise these modules
    # the group stops (resumably) after this many seconds; on this machine (2 cores shared
    # with other work) mutmut checks 0.3 to 1 mutant a second, so a budget covers a group
    # whole only when run alone
    budget_s: int


GROUPS: dict[str, Group] = {
    "council": Group(
        modules=["council/*.py"],
        tests=[
            "tests/test_council_rules.py",
            "tests/test_rules_bite.py",
            "tests/test_symbols.py",
            "tests/test_members.py",
            "tests/test_mandates.py",
            "tests/test_mandate_trust.py",
            "tests/test_mandate_evidence.py",
            "tests/test_dhl_parse.py",
            "tests/test_undl_parse.py",
            "tests/test_mutants_council.py",
            "tests/test_mutants_council_names.py",
            # the survivors of the run of 2026-11-30, killed one by one
            "tests/test_mutants_council_survivors.py",
            "tests/test_roll_calls.py",
            # the names of votes and members, the outcome every view takes (issue 14)
            "tests/test_names.py",
            # the survivors of the fifth round, killed (council, upsert, http)
            "tests/test_mutants_core_r5.py",
            # seconds each, per mutant: they read source files or every real table; the
            # rules they hold are asserted value by value in test_rules_bite.py
            "--deselect=tests/test_council_rules.py::test_each_rule_is_defined_once",
            "--deselect=tests/test_council_rules.py::test_the_dhl_tables_are_held_to_the_councils_rule",
            "--deselect=tests/test_dhl_parse.py::test_real_meetings_tables_all_parse",
        ],
        budget_s=3600,
    ),
    "parsers": Group(
        modules=[
            "scrapers/dhl/parse.py",
            "scrapers/undl/parse.py",
            "scrapers/undl/documents.py",
            "scrapers/undl/dataset.py",
            "scrapers/press/parse.py",
            "scrapers/verbatim/parse.py",
            "scrapers/text.py",
            "scrapers/press/feed.py",
        ],
        tests=[
            "tests/test_dhl_parse.py",
            "tests/test_undl_parse.py",
            "tests/test_undl_dataset.py",
            "tests/test_hostile_parse.py",
            "tests/test_parse_paths.py",
            "tests/test_text_and_sponsors.py",
            "tests/test_mutants_parsers.py",
            "tests/test_mutants_dhl_parse.py",
            "tests/test_press_parse.py",
            "tests/test_verbatim_parse.py",
            "tests/test_mutants_press_verbatim.py",
            # the API route's answers, the drafts query, the press feed (issue 16)
            "tests/test_undl_api.py",
            "tests/test_drafts_query.py",
            "tests/test_press_feed.py",
            # the survivors of the run of 2026-11-30 (the API's answers, the releases)
            "tests/test_mutants_parsers_r5.py",
            "tests/test_mutants_feed_r5.py",
        ],
        budget_s=7200,
    ),
    "upsert": Group(
        modules=["db/upsert.py"],
        tests=[
            "tests/test_upsert_bulk.py",
            "tests/test_db.py",
            "tests/test_store_fast_paths.py",
            "tests/test_mutants_db.py",
            "tests/test_mutants_core_r5.py",
        ],
        budget_s=1200,
    ),
    "store": Group(
        modules=["db/store.py", "db/roll_calls.py"],
        tests=[
            "tests/test_db.py",
            "tests/test_store_fast_paths.py",
            "tests/test_hostile_storage.py",
            "tests/test_findings_bite.py",
            "tests/test_findings_identity.py",
            "tests/test_trust_votes.py",
            "tests/test_trust_links.py",
            "tests/test_promises_bite.py",
            "tests/test_mutants_db.py",
            "tests/test_press_sync.py",
            # the provisional votes of a release and their removal (issue 16)
            "tests/test_provisional_cleanup.py",
            "tests/test_press_feed.py",
            # seconds each, per surviving mutant (other processes, killed and started
            # again): the locks and the rebuild's swap, which live in db/engine.py and
            # tracker/; a mutant only they would kill counts as a survivor
            "--deselect=tests/test_hostile_storage.py::test_two_users_syncing_into_one_database_take_turns",
            "--deselect=tests/test_hostile_storage.py::test_two_processes_creating_one_schema_both_succeed",
            "--deselect=tests/test_hostile_storage.py::test_a_rebuild_killed_midway_leaves_the_old_database",
            # the survivors of the fifth round, killed
            "tests/test_mutants_roll_calls_r5.py",
            "tests/test_mutants_store_r5.py",
            # the survivors of the store group's first whole run (2026-11-30), killed
            "tests/test_mutants_roll_calls_r6.py",
            "tests/test_mutants_store_r6.py",
        ],
        budget_s=12600,  # about 3 h whole, two mutants at a time
    ),
    "http": Group(
        modules=["scrapers/http.py", "scrapers/robots.py"],
        tests=[
            "tests/test_http.py",
            # robots.txt's pace and rules, through the client (issue 16)
            "tests/test_robots.py",
            "tests/test_hostile_http.py",
            "tests/test_offline.py",
            "tests/test_promises_bite.py",
            "tests/test_mutants_http.py",
            "tests/test_mutants_core_r5.py",
            "tests/test_mutants_robots_r5.py",
        ],
        budget_s=1800,
    ),
}


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value)
    return repr(value)


def group_pyproject(group: Group) -> str:
    """The project's pyproject.toml with its [tool.mutmut] table narrowed to the group."""
    text = (ROOT / "pyproject.toml").read_text()
    settings = dict(tomllib.loads(text)["tool"]["mutmut"])
    settings["only_mutate"] = group.modules
    settings["pytest_add_cli_args_test_selection"] = [
        t for t in group.tests if t.startswith("-") or (ROOT / t).exists()
    ]  # a file not written yet is left out (pytest refuses a missing file)
    table = "[tool.mutmut]\n" + "".join(f"{k} = {_toml_value(v)}\n" for k, v in settings.items())
    return re.sub(r"(?ms)^\[tool\.mutmut\]\n.*?(?=^\[|\Z)", lambda _: table + "\n", text)


def prepare(name: str, group: Group) -> Path:
    folder = WORK / name
    folder.mkdir(parents=True, exist_ok=True)
    for entry in [*PACKAGES, "tests", "benchmarks", "alembic.ini"]:
        link = folder / entry
        if not link.is_symlink():
            link.symlink_to(ROOT / entry)
    # tests/conftest.py finds the real data at <project>/../shared/data; in mutants/ that is
    # .mutation/<group>/shared/data
    shared = folder / "shared"
    if not shared.is_symlink() and (ROOT.parent / "shared").is_dir():
        shared.symlink_to(ROOT.parent / "shared")
    pyproject = folder / "pyproject.toml"
    new = group_pyproject(group)
    if not pyproject.exists() or pyproject.read_text() != new:
        pyproject.write_text(new)
    return folder


def mutmut(folder: Path, *args: str, budget_s: int | None = None) -> int:
    command = [sys.executable, "-m", "mutmut", *args]
    with open(folder / "mutmut.log", "a") as log:
        process = subprocess.Popen(
            command, cwd=folder, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            return process.wait(timeout=budget_s)
        except subprocess.TimeoutExpired:
            # mutmut keeps each result as it comes: stopping it loses the mutant under test only
            os.killpg(process.pid, signal.SIGTERM)
            try:
                return process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                return process.wait()


KILLED = {1, 3}
TIMEOUT = {36, 24, -24, 152, 255}


def scores(folder: Path) -> list[dict[str, object]]:
    rows = []
    for meta in sorted((folder / "mutants").rglob("*.py.meta")):
        module = str(meta.relative_to(folder / "mutants"))[: -len(".meta")]
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        survivors = sorted(k for k, c in codes.items()
                           if c is not None and c not in KILLED | TIMEOUT)
        rows.append(
            {
                "module": module,
                "total": len(codes),
                "killed": sum(c in KILLED for c in codes.values()),
                "timeout": sum(c in TIMEOUT for c in codes.values()),
                "not_checked": sum(c is None for c in codes.values()),
                "survivors": survivors,
            }
        )
    return rows


_DIFFS = """
import sys
from mutmut.mutation.diff_apply import get_diff_for_mutant
for line in sys.stdin:
    path, mutant = line.split()
    diff = get_diff_for_mutant(mutant, path=path).splitlines()[2:]
    changed = [d for d in diff if d[:1] in "+-"]
    print(f"{mutant}\\n" + "\\n".join(changed) + "\\n")
"""


def _cell(row: dict[str, object]) -> str:
    killed = int(row["killed"])  # type: ignore[call-overload]
    checked = int(row["total"]) - int(row["not_checked"])  # type: ignore[call-overload]
    return f"{killed} / {checked} ({100 * killed / checked:.0f}%)" if checked else "-"


def report(name: str, folder: Path) -> list[dict[str, object]]:
    """Print the score per module (killed / mutants checked; a timeout is not a kill), with
    the score before --retest-survivors if there was one, and write the survivors' diffs."""
    rows = [r for r in scores(folder) if r["total"]]
    before_file = folder / "before.json"
    before = ({r["module"]: r for r in json.loads(before_file.read_text())}
              if before_file.exists() else {})
    print(f"\n{name} ({time.strftime('%Y-%m-%d')})\n")
    print("| module | mutants | before: killed / checked | killed / checked | timeouts "
          "| survivors | not run |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        was = before.get(str(r["module"]))
        print(f"| {r['module']} | {r['total']} | {_cell(was) if was else '-'} | {_cell(r)} "
              f"| {r['timeout']} | {len(r['survivors'])} | {r['not_checked']} |")  # type: ignore[arg-type]
    survivors = "".join(f"{r['module']} {s}\n" for r in rows for s in r["survivors"])  # type: ignore[attr-defined]
    diffs = subprocess.run([sys.executable, "-c", _DIFFS], cwd=folder, input=survivors,
                           capture_output=True, text=True)
    (folder / "survivors.txt").write_text(diffs.stdout + diffs.stderr)
    print(f"\nsurvivors ({survivors.count(chr(10))}): {folder / 'survivors.txt'}")
    listed = sorted_survivors((ROOT / "tests" / "mutation" / "SURVIVORS.md").read_text())
    left = [f"{r['module']} {s}" for r in rows for s in r["survivors"]  # type: ignore[attr-defined]
            if s.rpartition(".")[2] not in listed.get(str(r["module"]), set())]
    if left:
        print(f"not sorted in tests/mutation/SURVIVORS.md ({len(left)}):")
        print("".join(f"  {name}\n" for name in left), end="")
    return rows


def sorted_survivors(text: str) -> dict[str, set[str]]:
    """The mutants SURVIVORS.md lists per module (its `### path.py` headings) as equivalent
    or accepted: full names, `_N` for the previous name's function with another number, and
    ranges "`a` to `_N`". Those under a reason that begins "Killed" are not survivors."""
    listed: dict[str, set[str]] = {}
    names: set[str] = set()
    killed = False
    previous = prefix = ""
    for line in text.splitlines():
        if line.startswith("### "):
            names = listed.setdefault(line[4:].strip(), set())
        elif not previous.strip() and line[:1] not in ("", "-", " "):  # a reason begins
            killed = line.startswith("Killed")
        if not line.startswith((" ", "-")):
            prefix = ""  # `_N` continues a list across its lines, not past it
        previous = line
        if killed or line.startswith("#"):
            continue
        for token, until in re.findall(r"`([^`]+)`(?:\s+to\s+`_(\d+)`)?", line):
            if re.fullmatch(r"_\d+", token) and prefix:
                token = prefix + token[1:]
            match = re.fullmatch(r"(.+__mutmut_)(\d+)", token)
            if not match:
                continue
            prefix = match.group(1)
            last = int(until) if until else int(match.group(2))
            names.update(f"{prefix}{n}" for n in range(int(match.group(2)), last + 1))
    return listed


def retest_survivors(folder: Path) -> int:
    """Forget the verdict of every mutant not killed, so that the next run tests it again
    (after new tests were written); the other verdicts stand."""
    count = 0
    for meta in (folder / "mutants").rglob("*.py.meta"):
        data = json.loads(meta.read_text())
        codes = data["exit_code_by_key"]
        for key, code in codes.items():
            if code is not None and code not in KILLED | TIMEOUT:
                codes[key] = None
                count += 1
        meta.write_text(json.dumps(data, indent=4))
    return count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("groups", nargs="*", metavar="GROUP",
                        help=f"module groups, in this order by default: {', '.join(GROUPS)}")
    parser.add_argument("--report", action="store_true", help="only print the scores")
    parser.add_argument("--budget", type=int, help="seconds per group (default: the group's)")
    parser.add_argument("--children", type=int, default=1,
                        help="mutants tested at once (default 1: the machine is shared; 2 on "
                             "a quiet 2-core machine halves the time)")
    parser.add_argument("--retest-survivors", action="store_true",
                        help="test again every mutant not killed (after new tests were written);"
                             " the score before is kept in .mutation/GROUP/before.json")
    options = parser.parse_args()
    unknown = [g for g in options.groups if g not in GROUPS]
    if unknown:
        parser.error(f"unknown group(s) {unknown}: choose from {', '.join(GROUPS)}")
    for name in options.groups or list(GROUPS):
        group = GROUPS[name]
        folder = prepare(name, group)
        if options.retest_survivors and (folder / "mutants").is_dir():
            before = folder / "before.json"
            if not before.exists():
                before.write_text(json.dumps(scores(folder), indent=1))
            print(f"{name}: {retest_survivors(folder)} survivors to test again")
        if not options.report:
            started = time.monotonic()
            budget = options.budget or group.budget_s
            print(f"{name}: mutmut run (budget {budget} s, log {folder / 'mutmut.log'})")
            rc = mutmut(folder, "run", "--max-children", str(options.children), budget_s=budget)
            print(f"{name}: exit {rc} after {time.monotonic() - started:.0f} s")
        report(name, folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
