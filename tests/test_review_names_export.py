"""Review of issue 14: what `export --out -` writes, and every source `check --source` takes."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from tests.test_names import small  # noqa: F401  (a fixture: a small synced database)
from tracker.cli import app

runner = CliRunner()


def test_export_to_standard_output_joins_lists_as_a_file_does(
        small: tuple[Engine, dict[str, str]], tmp_path: pytest.TempPathFactory) -> None:  # noqa: F811
    """`export vetoes --out -` must write the same CSV as `--out FILE`: lists joined
    ("CHN, RUS"), never Python's text of a list ("['CHN', 'RUS']")."""
    _, env = small
    piped = runner.invoke(app, ["-q", "export", "vetoes", "--out", "-"], env=env)
    assert piped.exit_code == 0, piped.output
    out = tmp_path / "vetoes.csv"  # type: ignore[operator]
    written = runner.invoke(app, ["export", "vetoes", "--out", str(out)], env=env)
    assert written.exit_code == 0, written.output
    assert piped.stdout == out.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(piped.stdout)))
    assert "[" not in piped.stdout
    vetoed_2022 = [r for r in rows if r["draft"] == "S/2022/431"]
    assert [r["members"] for r in vetoed_2022] == ["CHN, RUS"]
    as_json = runner.invoke(app, ["-q", "export", "vetoes", "--out", "-", "--format", "json"],
                            env=env)
    assert [r["members"] for r in json.loads(as_json.stdout)
            if r["draft"] == "S/2022/431"] == [["CHN", "RUS"]]


@pytest.mark.parametrize("source", ["undl-dataset", "draft-links", "mandates", "check"])
def test_check_takes_every_source_findings_come_from(
        small: tuple[Engine, dict[str, str]], source: str) -> None:  # noqa: F811
    """The sources no sync page gives (the dataset import, the links, the mandates, the
    report's own checks) must be taken by `check --source` even where none has a finding."""
    _, env = small
    shown = runner.invoke(app, ["check", "--source", source, "--format", "json"], env=env)
    assert shown.exit_code == 0, shown.output
    assert {r["source"] for r in json.loads(shown.stdout)} <= {source}


def test_the_other_sources_are_the_names_their_modules_record() -> None:
    from council.mandate_status import SOURCE as MANDATES
    from db.links import SOURCE as LINKS
    from reports.check import COMPUTED_SOURCE
    from reports.findings import OTHER_SOURCES
    from scrapers.undl.dataset import SOURCE_DATASET

    assert OTHER_SOURCES == (SOURCE_DATASET, LINKS, MANDATES, COMPUTED_SOURCE)
