"""The Council's rules have one home (``council.rules``), and the mandate derivation is a
pure function of the domain (``council.mandate_status``) that reports read back."""

from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path

import pytest
from sqlalchemy import Engine

from council.mandate_status import Decision, FailedDraft, derive
from council.mandates import load_registry
from council.members import PERMANENT_CODES
from council.records import Outcome, Tally
from council.rules import (
    FAILED_STATUSES,
    FAILED_WITHOUT_VETO,
    adoption_threshold,
    failed_outcome,
    format_tally,
    roll_call_outcome,
    vetoes_in_roll_call,
)
from scrapers.dhl.parse import parse_meetings_table

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("council", "scrapers", "db", "reports", "tracker")
COUNCIL_2024 = ("CHN", "FRA", "RUS", "GBR", "USA", "DZA", "ECU", "GUY", "JPN", "MLT", "MOZ",
                "KOR", "SLE", "SVN", "CHE")


def _roll_call(yes: int, against: tuple[str, ...], abstain: tuple[str, ...] = ()
               ) -> list[tuple[str, str]]:
    votes = [(c, "N") for c in against] + [(c, "A") for c in abstain]
    rest = [c for c in COUNCIL_2024 if c not in against and c not in abstain]
    return votes + [(c, "Y") for c in rest[:yes]] + [(c, "X") for c in rest[yes:]]


def test_the_veto_rule_is_the_charters() -> None:
    """A permanent member's "no" vetoes only a draft that had the votes to pass; an elected
    member's "no" never does; a draft short of votes fails for want of them."""
    # S/2024/255, 28 March 2024: 13-1-1, the Russian Federation against, China abstaining.
    dprk = _roll_call(13, ("RUS",), ("CHN",))
    assert vetoes_in_roll_call(dprk, yes=13, year=2024) == ["RUS"]
    assert roll_call_outcome(dprk, yes=13, year=2024) is Outcome.VETOED
    # Short of nine: the same "no" is no veto.
    short = _roll_call(8, ("RUS", "USA"))
    assert vetoes_in_roll_call(short, yes=8, year=2024) == []
    assert roll_call_outcome(short, yes=8, year=2024) is Outcome.INSUFFICIENT_VOTES
    # Nine in favour, only an elected member against: not adopted, and no veto named.
    elected = _roll_call(9, ("MLT",))
    assert roll_call_outcome(elected, yes=9, year=2024) is Outcome.NOT_ADOPTED
    # Seven of eleven passed before 1966; the USSR's seat counts as permanent.
    assert adoption_threshold(1965) == 7 and adoption_threshold(1966) == 9
    assert roll_call_outcome([("SUN", "N")], yes=7, year=1950) is Outcome.VETOED
    assert roll_call_outcome([("SUN", "N")], yes=7, year=1970) is Outcome.INSUFFICIENT_VOTES
    # No count known: the source does not say why it failed.
    assert roll_call_outcome([("RUS", "N")], yes=None, year=2024) is Outcome.NOT_ADOPTED
    # A roll call no source dates is held to the Council of fifteen.
    assert roll_call_outcome([("RUS", "N")], yes=8, year=None) is Outcome.INSUFFICIENT_VOTES
    assert failed_outcome(9, 2024, vetoed_by=["RUS"]) is Outcome.VETOED
    assert set(FAILED_WITHOUT_VETO) < set(FAILED_STATUSES)
    assert set(FAILED_STATUSES) - set(FAILED_WITHOUT_VETO) == {Outcome.VETOED.value}


def test_a_tally_is_written_one_way() -> None:
    assert format_tally(13, 1, 1) == "13-1-1"
    assert str(Tally(15, 0, 0, 0)) == "15-0-0"


def test_the_dhl_tables_are_held_to_the_councils_rule(shared_data: Path) -> None:
    """Every draft the real yearly tables print as not adopted, with a tally, must have the
    outcome the Charter's rule gives its count (the parser asks ``council.rules``)."""
    seen: dict[str, int] = {}
    for page in sorted((shared_data / "un_org_dhl_html" / "scact_tables").glob("scact*")):
        year = int(re.search(r"(\d{4})", page.name).group(1))  # type: ignore[union-attr]
        table = parse_meetings_table(page.read_bytes(), year=year, url=page.name)
        for meeting in table.meetings:
            for d in meeting.decisions:
                if d.kind != "draft" or d.outcome is Outcome.VETOED:
                    continue
                yes = d.tally.yes if d.tally else None
                assert d.outcome is failed_outcome(yes, year), (meeting.record, d.text)
                seen[d.outcome.value] = seen.get(d.outcome.value, 0) + 1
    # the real tables' failed drafts not printed as vetoed: 103 short of the votes, 5 with
    # enough votes in favour
    assert seen == {"insufficient_votes": 103, "not_adopted": 5}


_TALLY_FORMAT = re.compile(r"\{[^{}]*(?:yes|\by\b)[^{}]*\}-\{[^{}]*\}-\{[^{}]*\}")
_VETO_BY_HAND = re.compile(r"""["']N["'][^\n]{0,40}\bin PERMANENT_CODES""")
_P5_LITERAL = re.compile(r"""["']CHN["'],\s*["']FRA["'],\s*["']RUS["']""")


def _sources() -> list[Path]:
    return [p for package in PACKAGES for p in (ROOT / package).rglob("*.py")
            if "migrations" not in p.parts]


@pytest.mark.parametrize("rule", ["adoption_threshold", "council_size", "failed_outcome",
                                  "vetoes_in_roll_call", "format_tally"])
def test_each_rule_is_defined_once(rule: str) -> None:
    """A rule of the Council must be defined in ``council.rules`` and nowhere else."""
    homes = [str(p.relative_to(ROOT)) for p in _sources()
             for node in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
             if isinstance(node, ast.FunctionDef) and node.name == rule]
    assert homes == ["council/rules.py"]


def test_no_package_writes_its_own_tally_or_veto_rule() -> None:
    """No module but ``council.rules`` may format a tally, or apply the veto rule by hand
    (a permanent member's "no" against a threshold); the permanent codes are listed once."""
    tally_formats, veto_rules, p5_lists = [], [], []
    for path in _sources():
        name = str(path.relative_to(ROOT))
        source = path.read_text(encoding="utf-8")
        if name != "council/rules.py" and _TALLY_FORMAT.search(source):
            tally_formats.append(name)
        if name != "council/rules.py" and _VETO_BY_HAND.search(source):
            veto_rules.append(name)
        if name != "council/members.py" and _P5_LITERAL.search(source):
            p5_lists.append(name)
    assert (tally_formats, veto_rules, p5_lists) == ([], [], [])
    assert PERMANENT_CODES == ("CHN", "FRA", "RUS", "GBR", "USA", "SUN")


def test_alembic_environment_does_not_import_the_tracker() -> None:
    """``db`` must not import ``tracker``, the Alembic environment included."""
    tree = ast.parse((ROOT / "db" / "migrations" / "env.py").read_text(encoding="utf-8"))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)} | {
        a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not {m for m in imported if m and m.split(".")[0] == "tracker"}


def test_alembic_migrates_the_database_its_config_names(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The URL set on the Alembic config must be the database migrated (the environment
    variable is the command line's fallback)."""
    from alembic import command
    from alembic.config import Config

    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{tmp_path / 'from-env.sqlite'}")
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "db" / "migrations"))
    config.set_main_option("sqlalchemy.url", f"sqlite:///{tmp_path / 'named.sqlite'}")
    command.upgrade(config, "head")
    assert (tmp_path / "named.sqlite").exists()
    assert not (tmp_path / "from-env.sqlite").exists()


DPRK_PANEL = "Panel of Experts established pursuant to resolution 1874 (2009)"


def _dprk_records() -> tuple[list[Decision], list[FailedDraft]]:
    decisions = [
        Decision(1, "S/RES/1874 (2009)", "Security Council resolution 1874 (2009) [on measures "
                 "against the Democratic People's Republic of Korea]", dt.date(2009, 6, 12)),
        Decision(2, "S/RES/2680 (2023)", "Security Council resolution 2680 (2023) [on extension "
                 f"of the mandate of the {DPRK_PANEL} until 30 Apr. 2024]", dt.date(2023, 3, 23),
                 source_url="https://digitallibrary.un.org/record/4006669"),
    ]
    failed = [FailedDraft(7, "S/2024/255", None, DPRK_PANEL, "https://www.un.org/t", 70,
                          dt.date(2024, 3, 28))]
    return decisions, failed


def test_mandates_are_derived_from_plain_records() -> None:
    """The derivation needs no database: registry, decisions, failed drafts and a date in;
    statuses, events and findings out."""
    decisions, failed = _dprk_records()
    derived = derive(load_registry(), decisions=decisions, failed_drafts=failed,
                     today=dt.date(2024, 5, 1))
    panel = next(m for m in derived.mandates if m.entry.slug == "dprk-panel-of-experts")
    assert (panel.status, panel.expiry, panel.established_by_id) == (
        "lapsed", dt.date(2024, 4, 30), 1)
    assert [(e.kind, e.date, e.reference) for e in derived.events["dprk-panel-of-experts"]] == [
        ("established", dt.date(2009, 6, 12), "S/RES/1874 (2009)"),
        ("extended", dt.date(2023, 3, 23), "S/RES/2680 (2023)"),
        ("renewal_failed", dt.date(2024, 3, 28), "S/2024/255"),
        ("lapsed", dt.date(2024, 4, 30), "expiry 2024-04-30")]
    before = derive(load_registry(), decisions=decisions, failed_drafts=failed,
                    today=dt.date(2024, 3, 15))
    assert next(m for m in before.mandates if m.entry.slug == "dprk-panel-of-experts"
                ).status == "active"


def test_reports_apply_the_status_rule_to_the_stored_events(engine: Engine) -> None:
    """A report shows the Council's rule applied to the stored events for its date (today
    by default), not the status stored as of the derivation's day, which an expiry passed
    since makes stale."""
    from sqlalchemy import select

    from db.engine import session_scope, upgrade
    from db.mandates import derive_mandates
    from db.models import Draft, Mandate, Resolution, VoteEvent
    from db.upsert import table_of, upsert
    from reports.mandates import mandate_timeline, mandates

    upgrade(engine)
    decisions, _ = _dprk_records()
    with session_scope(engine) as session:
        upsert(session, Resolution, [{"symbol": d.symbol, "number": int(d.symbol[6:10]),
                                      "year": d.date.year if d.date else 0, "title": d.title,
                                      "date": d.date} for d in decisions], key="symbol")
        ids, _ = upsert(session, Draft, [{"symbol": "S/2024/255", "status": "vetoed",
                                          "bodies": DPRK_PANEL}], key="symbol")
        upsert(session, VoteEvent, [{"key": "S/2024/255", "draft_id": ids["S/2024/255"],
                                     "date": dt.date(2024, 3, 28), "outcome": "vetoed",
                                     "yes": 13, "no": 1, "abstain": 1}], key="key")
        derive_mandates(session, load_registry(), today=dt.date(2024, 3, 15))
    # Derived on 15 March 2024: stored as active until 30 April 2024. That expiry has
    # passed since, so the stored status is stale: the reports apply the Council's rule
    # to the stored events for the date they show (today by default).
    m = table_of(Mandate)
    with engine.connect() as connection:
        stored = connection.execute(select(m.c.status, m.c.expiry).where(
            m.c.slug == "dprk-panel-of-experts")).one()
    assert tuple(stored) == ("active", dt.date(2024, 4, 30))
    row = mandates(engine).set_index("slug").loc["dprk-panel-of-experts"]
    assert (row["status"], row["expiry"]) == ("lapsed", dt.date(2024, 4, 30))
    asked = mandates(engine, as_of=dt.date(2024, 5, 1)).set_index("slug").loc[
        "dprk-panel-of-experts"]
    assert (asked["status"], asked["last_action"]) == ("lapsed", "lapsed expiry 2024-04-30")
    asked = mandates(engine, as_of=dt.date(2024, 3, 20)).set_index("slug").loc[
        "dprk-panel-of-experts"]
    assert (asked["status"], asked["expiry"]) == ("active", dt.date(2024, 4, 30))
    assert mandate_timeline(engine, "dprk-panel-of-experts",
                            as_of=dt.date(2024, 3, 20))["mandate"]["status"] == "active"
    with session_scope(engine) as session:
        derive_mandates(session, load_registry(), today=dt.date(2024, 5, 1))
    timeline = mandate_timeline(engine, "dprk-panel-of-experts")
    assert timeline["mandate"]["status"] == "lapsed"
    assert list(timeline["timeline"]["event"]) == [
        "established", "extended", "renewal_failed", "lapsed"]
    assert timeline["timeline"]["tally"].tolist()[2] == "13-1-1"
