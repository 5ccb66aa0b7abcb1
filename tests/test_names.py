"""One way to name a vote (issue 14, item 2): every form people type, in every command that
takes a symbol or a slug; candidates when a name matches several records, close matches
when it matches none, `tracker sync` when nothing is stored."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from council.symbols import SymbolError, VoteName, read_vote_name
from db.engine import make_engine
from tests.conftest import sync_small_fixtures
from tracker.cli import app
from tracker.sync import open_database

RESGUIDE = "/depts/dhl/resguide"
runner = CliRunner()


@pytest.mark.parametrize(("typed", "kind", "symbol", "number"), [
    ("S/RES/2722 (2024)", "resolution", "S/RES/2722 (2024)", 2722),
    ("S/RES/2722(2024)", "resolution", "S/RES/2722 (2024)", 2722),
    ("s/res/2722 ( 2024 )", "resolution", "S/RES/2722 (2024)", 2722),
    ("S/RES/2722", "resolution", None, 2722),
    ("s/res/2722", "resolution", None, 2722),
    ("res 2722", "resolution", None, 2722),
    ("Res. 2722", "resolution", None, 2722),
    ("resolution 2722 (2024)", "resolution", "S/RES/2722 (2024)", 2722),
    ("2722", "resolution", None, 2722),
    ("2722 (2024)", "resolution", "S/RES/2722 (2024)", 2722),
    (" 2722  ", "resolution", None, 2722),
    ("S/2022/431", "draft", "S/2022/431", None),
    ("s/2022/431", "draft", "S/2022/431", None),
    ("S / 2022 / 431", "draft", "S/2022/431", None),
    ("S/4378", "draft", "S/4378", None),
    ("s/18087/rev.1", "draft", "S/18087/Rev.1", None),
    ("s/10541/REV.1/corr.1", "draft", "S/10541/Rev.1/Corr.1", None),
    ("s/pv.49 (Vetoed draft 2)", "draft", "S/PV.49 (vetoed draft 2)", None),
    ("S/PV.131 (draft not adopted 1)", "draft", "S/PV.131 (draft not adopted 1)", None),
    ("S/5134 (1962)", "draft", "S/5134", None),  # the year typed beside a draft's symbol
    ("S/18087/rev1", "draft", "S/18087/Rev.1", None),
    ("S/PV.9537", "meeting", "S/PV.9537", 9537),
    ("s/pv.9537", "meeting", "S/PV.9537", 9537),
    ("PV 9537", "meeting", "S/PV.9537", 9537),
    ("S/PV.2970 (Part I)", "meeting", "S/PV.2970 (Part I)", 2970),
    ("s/pv.3336 (resumption 2)", "meeting", "S/PV.3336 (Resumption 2)", 3336),
])
def test_a_name_must_be_read_in_every_form_people_type(typed: str, kind: str,
                                                       symbol: str | None,
                                                       number: int | None) -> None:
    """A bare number is a resolution's (as in "resolution 1718"), never a meeting's."""
    assert read_vote_name(typed) == VoteName(kind, symbol, number,  # type: ignore[arg-type]
                                             " ".join(typed.split()))


@pytest.mark.parametrize("typed", ["", "   ", "hello", "S/", "S//1", "A/RES/1 (1946)",
                                   "S/PRST/2009/35", "S/RES/٢٧٢٢",
                                   # a resolution's symbol mistyped is no draft's symbol
                                   "S/RES/2722 (2024", "S/RES/2722 (0000)", "S/RES/x",
                                   "s/res 2722)"])
def test_a_name_that_is_no_vote_must_be_refused(typed: str) -> None:
    with pytest.raises(SymbolError):
        read_vote_name(typed)


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, dict[str, str]]]:
    """A database synced from the small pages and records of tests/fixtures, plus one
    resolution number stored for two years (to be ambiguous)."""
    engine, env = sync_small_fixtures(tmp_path_factory.mktemp("names"))
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO resolution (symbol, number, year) "
                                "VALUES ('S/RES/15 (1947)', 15, 1947)"))
    yield engine, env
    engine.dispose()


def _heading(env: dict[str, str], *args: str) -> str:
    shown = runner.invoke(app, [*args, "--format", "csv"], env=env)
    assert shown.exit_code == 0, shown.output
    return shown.stdout


@pytest.mark.parametrize("typed", [
    ["S/RES/2680 (2023)"], ["S/RES/2680(2023)"], ["s/res/2680 (2023)"], ["S/RES/2680"],
    ["2680"], ["res", "2680"], ["S/RES/2680", "(2023)"], ["resolution", "2680", "(2023)"]])
def test_votes_must_accept_every_form_of_a_resolution(
        small: tuple[Engine, dict[str, str]], typed: list[str]) -> None:
    """`tracker votes S/RES/2680`, `votes 2680` and unquoted `votes S/RES/2680 (2023)` must
    all show the roll call of S/RES/2680 (2023)."""
    _, env = small
    shown = runner.invoke(app, ["votes", *typed, "--format", "json"], env=env)
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.count('"member_code"') == 15  # the roll call of S/RES/2680 (2023)
    table = runner.invoke(app, ["votes", *typed], env=env)
    assert table.exit_code == 0, table.output
    assert "S/RES/2680 (2023) (2023-03-23): adopted_with_vote, 15-0-0" in " ".join(
        table.stdout.split())


@pytest.mark.parametrize("typed", [["S/2022/431"], ["s/2022/431"], ["S/PV.9048"],
                                   ["s/pv.9048"]])
def test_draft_and_votes_must_accept_every_form_of_a_draft(
        small: tuple[Engine, dict[str, str]], typed: list[str]) -> None:
    """`tracker draft s/2022/431` (lower case), and the meeting it was voted at, must find
    S/2022/431 in both commands."""
    _, env = small
    draft = runner.invoke(app, ["draft", *typed, "--format", "json"], env=env)
    assert draft.exit_code == 0, draft.output
    assert '"symbol": "S/2022/431"' in draft.stdout
    votes = runner.invoke(app, ["votes", *typed], env=env)
    assert votes.exit_code == 0, votes.output
    assert " ".join(votes.stdout.split()).startswith("S/2022/431 (2022-05-26): vetoed by CHN, "
                                                     "RUS")


def test_draft_must_accept_the_resolution_it_became(
        small: tuple[Engine, dict[str, str]]) -> None:
    _, env = small
    for typed in (["2680"], ["S/RES/2680", "(2023)"]):
        shown = runner.invoke(app, ["draft", *typed, "--format", "json"], env=env)
        assert shown.exit_code == 0, shown.output
        assert '"symbol": "S/2023/215"' in shown.stdout


@pytest.mark.parametrize(("args", "error", "hint"), [
    (["votes", "S/PV.49"], "error: 'S/PV.49' names 3 stored records: "
     "S/PV.49 (vetoed draft 1), S/PV.49 (vetoed draft 2), S/RES/7 (1946)",
     "hint: give one of them"),
    (["draft", "S/PV.49"], "error: 'S/PV.49' names 2 stored records: "
     "S/PV.49 (vetoed draft 1), S/PV.49 (vetoed draft 2)", "hint: give one of them"),
    (["votes", "15"], "error: '15' names 2 stored records: S/RES/15 (1946), S/RES/15 (1947)",
     "hint: give one of them"),
    (["votes", "S/RES/2727", "(2023)"], "error: no vote on 'S/RES/2727 (2023)' is stored",
     "hint: did you mean S/RES/2727 (2024)?"),
    (["votes", "9999"], "error: no vote on '9999' (read as resolution 9999 (any year)) is "
     "stored", "hint: the newest vote stored is of 2024-03-28: `tracker sync` fetches newer "
     "ones; names look like S/RES/2722 (2024), S/RES/2722, 2722, S/2024/255, S/PV.9591"),
    (["draft", "s/1999/9"], "error: no draft 's/1999/9' (read as draft S/1999/9) is stored",
     "hint: the newest vote stored is of 2024-03-28: `tracker sync` fetches newer ones; names "
     "look like S/RES/2722 (2024), S/RES/2722, 2722, S/2024/255, S/PV.9591"),
    (["votes", "S/PRST/2009/35"], "error: 'S/PRST/2009/35' is a presidential statement: a "
     "decision without a vote, so it has no roll call or draft",
     "hint: names look like S/RES/2722 (2024), S/RES/2722, 2722, S/2024/255, S/PV.9591"),
    (["draft", "S/2022/43"], "error: no draft 'S/2022/43' is stored",
     "hint: did you mean S/2022/431?"),
    (["votes", "s/2022/4310"], "error: no vote on 's/2022/4310' (read as draft S/2022/4310) "
     "is stored", "hint: did you mean S/2022/431?"),
    (["mandate", "dprk-panel"], "error: no mandate 'dprk-panel'",
     "hint: did you mean dprk-panel-of-experts?"),
    (["export", "mandate:dprk-panel", "--out", "x.csv"], "error: no mandate 'dprk-panel'",
     "hint: did you mean dprk-panel-of-experts?"),
    (["member", "Frnce"], "error: unknown member 'Frnce': give a three-letter code (RUS, SUN, "
     "DZA) or a name (Russian Federation, Algeria)", "hint: did you mean FRA (France)?"),
    (["drafts", "--sponsor", "Frnce"], "error: unknown member 'Frnce': give a three-letter "
     "code (RUS, SUN, DZA) or a name (Russian Federation, Algeria)",
     "hint: did you mean FRA (France)?"),
])
def test_a_name_that_matches_several_or_none_must_say_so_and_suggest(
        small: tuple[Engine, dict[str, str]], args: list[str], error: str, hint: str) -> None:
    _, env = small
    shown = runner.invoke(app, args, env=env)
    assert shown.exit_code == 1
    assert shown.stderr.splitlines() == [error, hint]


def test_member_must_accept_a_name_of_several_words(
        small: tuple[Engine, dict[str, str]]) -> None:
    _, env = small
    shown = runner.invoke(app, ["member", "Russian", "Federation", "--format", "json"], env=env)
    assert shown.exit_code == 0, shown.output
    assert '"member_code": "RUS"' in shown.stdout


def test_a_name_in_an_empty_database_must_say_to_sync(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    engine = make_engine(url)
    open_database(engine)
    engine.dispose()
    env = {"TRACKER_DATA_DIR": str(tmp_path / "data"), "TRACKER_DATABASE_URL": url}
    for args in (["votes", "2722"], ["draft", "S/2022/431"], ["mandate", "dprk-panel"]):
        shown = runner.invoke(app, args, env=env)
        assert shown.exit_code == 1
        assert shown.stderr.splitlines()[0] == ("error: nothing stored yet: run `tracker sync` "
                                                "(or `tracker import undl-dataset FILE`)"), args


def test_a_mandate_slug_must_be_found_in_any_case(small: tuple[Engine, dict[str, str]]) -> None:
    _, env = small
    shown = runner.invoke(app, ["mandate", "DPRK-Panel-Of-Experts", "--format", "json"], env=env)
    assert shown.exit_code == 0, shown.output
    assert "dprk-panel-of-experts" in shown.stdout
