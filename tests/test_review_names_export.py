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


# --- China's seat: the Republic of China and the People's Republic kept apart as cast ---

def test_the_names_of_chinas_governments_give_the_days_each_held_the_seat() -> None:
    import datetime as dt

    from council.members import government_of_china, seat_name
    from reports.vetoes import member_window, resolve_member

    roc = (None, dt.date(1971, 10, 24))
    prc = (dt.date(1971, 10, 25), None)
    for name in ("ROC", "Republic of China", "china (republic of china)"):
        assert government_of_china(name) == roc
        assert resolve_member(name) == "CHN"
    for name in ("PRC", "People's Republic of China", "People\u2019s Republic of China"):
        assert government_of_china(name) == prc
    assert government_of_china("China") is None
    assert member_window("Republic of China", None, None) == ("CHN", None, dt.date(1971, 10, 24))
    assert member_window("Republic of China", dt.date(1950, 1, 1), dt.date(1980, 1, 1)) == (
        "CHN", dt.date(1950, 1, 1), dt.date(1971, 10, 24))
    assert member_window("PRC", None, dt.date(1975, 12, 31)) == (
        "CHN", dt.date(1971, 10, 25), dt.date(1975, 12, 31))
    assert member_window("CHN", None, dt.date(1960, 1, 1)) == ("CHN", None, dt.date(1960, 1, 1))
    assert seat_name("CHN", None, dt.date(1971, 10, 24)) == "China (Republic of China)"
    assert seat_name("CHN", dt.date(1971, 10, 25), None) == "China"
    assert seat_name("CHN", None, None) == ("China (the Republic of China until 1971-10-24, "
                                            "then the People's Republic of China)")
    assert seat_name("FRA", None, None) == "France"


def test_chinas_terms_are_cut_where_the_peoples_republic_took_the_seat() -> None:
    import pandas as pd

    from reports.rollcalls import terms

    frame = pd.DataFrame({"date": pd.to_datetime(
        ["1970-05-01", "1971-10-20", "1971-11-24", "1972-03-01"]), "vote_event_id": [1, 2, 3, 4]})
    assert terms(frame, "CHN").to_dict("records") == [
        {"first_year": 1970, "last_year": 1971, "first_vote": pd.Timestamp("1970-05-01").date(),
         "last_vote": pd.Timestamp("1971-10-20").date(), "votes": 2,
         "member_name": "China (Republic of China)"},
        {"first_year": 1971, "last_year": 1972, "first_vote": pd.Timestamp("1971-11-24").date(),
         "last_vote": pd.Timestamp("1972-03-01").date(), "votes": 2, "member_name": "China"}]
    assert len(terms(frame, "FRA")) == 1
