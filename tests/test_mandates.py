"""Mandates: the title parser on real titles, the registry, and the DPRK Panel of Experts."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from council.mandates import RegistryError, load_registry, parse_mandate_title, parse_registry
from reports.mandates import mandate_timeline, mandates
from scrapers.http import PoliteClient
from tests.conftest import Replay
from tests.test_sync import serve_fixtures
from tests.undl_replay import Record, Vote
from tracker.cli import app
from tracker.settings import Settings
from tracker.sync import sync

runner = CliRunner()
SCRAPE = Path("undl_scrape_un_data") / "un_data_security_council_rows.csv"


@pytest.mark.parametrize(
    ("title", "action", "slug", "until"),
    [
        ("Security Council resolution 2680 (2023) [on extension of the mandate of the Panel of "
         "Experts established pursuant to resolution 1874 (2009) until 30 Apr. 2024]",
         "extended", "dprk-panel-of-experts", dt.date(2024, 4, 30)),
        ("Security Council resolution 2599 (2021) [on extension of the mandate of the UN Support "
         "Mission in Libya (UNSMIL) until 31 Jan. 2022]", "extended", "unsmil",
         dt.date(2022, 1, 31)),
        ("Security Council resolution 2600 (2021) [on extension of the mandate of the UN "
         "Integrated Office in Haiti (BINUH) until 15 July 2022]", "extended", "binuh",
         dt.date(2022, 7, 15)),
        ("Security Council resolution 2559 (2020) [on termination of the mandate of the AU/UN "
         "Hybrid Operation in Darfur (UNAMID) as of 31 Dec. 2020]", "terminated", "unamid",
         dt.date(2020, 12, 31)),
        ("Security Council resolution 2476 (2019) [on establishment of the United Nations "
         "Integrated Office in Haiti (BINUH)]", "established", "binuh", None),
    ],
)
def test_title_parser(title: str, action: str, slug: str, until: dt.date | None) -> None:
    parsed = parse_mandate_title(title)
    assert parsed is not None and parsed.action == action and not parsed.cut
    assert parsed.until == until
    entry = load_registry().match(parsed.body)
    assert entry is not None and entry.slug == slug


def test_a_cut_title_never_gets_a_guessed_date() -> None:
    parsed = parse_mandate_title(
        "Security Council resolution 2602 (2021) [on extension of the mandate of the UN Mission "
        "for the Referendum in Western Sahara (MINURSO) until 31 Oct. 20[...]")
    assert parsed is not None and parsed.cut and parsed.until is None
    assert load_registry().match(parsed.body).slug == "minurso"  # type: ignore[union-attr]


def test_corporate_subjects_match_the_registry() -> None:
    registry = load_registry()
    panel = "UN. Panel of Experts Established pursuant to Security Council Resolution 1874 (2009)"
    committee = ("UN. Security Council Committee Established pursuant to Resolution 1718 (2006) "
                 "concerning the Democratic People's Republic of Korea")
    assert registry.match(panel).slug == "dprk-panel-of-experts"  # type: ignore[union-attr]
    assert registry.match(committee).slug == "1718-committee"  # type: ignore[union-attr]
    assert registry.match("UN. Office of Legal Affairs") is None


def test_every_extension_title_in_the_real_data_gives_a_body_and_date_or_a_finding(
        shared_data: Path, engine: Engine) -> None:
    """Each "extension of the mandate" title yields a body and a date, or a finding."""
    from sqlalchemy import select
    from sqlmodel import Session

    from council.symbols import normalise_resolution_symbol, parse_resolution_symbol
    from db.engine import session_scope, upgrade
    from db.mandates import derive_mandates
    from db.models import Finding, MandateEvent, Resolution
    from db.upsert import upsert

    with (shared_data / SCRAPE).open(encoding="utf-8-sig") as handle:
        rows = [r for r in csv.DictReader(handle)
                if "[on extension of the mandate of" in r["Title"]]
    assert len(rows) > 300
    for row in rows:
        parsed = parse_mandate_title(row["Title"])
        assert parsed is not None and parsed.action == "extended" and parsed.body, row["Title"]
        # A cut title keeps only a date printed whole before the cut ("... 2017 and [...]").
        assert parsed.until is None or not parsed.cut or re.search(
            r"\d{4}[\s,;][^\[]*\[\.\.\.\]\s*$", row["Title"]), row["Title"]
    upgrade(engine)
    with session_scope(engine) as session:
        upsert(session, Resolution, [
            {"symbol": normalise_resolution_symbol(r["Resolution"]),
             "number": parse_resolution_symbol(r["Resolution"])[0],
             "year": parse_resolution_symbol(r["Resolution"])[1], "title": r["Title"],
             "date": dt.date.fromisoformat(r["Date"])} for r in rows], key="symbol")
        derive_mandates(session, load_registry(), today=dt.date(2022, 1, 1))
    with Session(engine) as session:
        flagged = set(session.execute(select(Finding.record).where(Finding.kind.in_(
            ["cut_title", "no_expiry_in_title", "unknown_mandate", "unmatched_cut_title"])))
            .scalars())
        dated = set(session.execute(select(MandateEvent.reference).where(
            MandateEvent.kind == "extended", MandateEvent.new_expiry.is_not(None))).scalars())
    for row in rows:
        symbol = normalise_resolution_symbol(row["Resolution"])
        assert symbol in dated or symbol in flagged, row["Title"]


def test_registry_refuses_bad_entries() -> None:
    with pytest.raises(RegistryError, match="kind"):
        parse_registry('[[mandate]]\nslug = "x"\nname = "X"\nkind = "club"\n')
    with pytest.raises(RegistryError, match="repeated"):
        parse_registry('[[mandate]]\nslug = "x"\nname = "X"\nkind = "committee"\n' * 2)


@pytest.fixture
def dprk(engine: Engine, replay: Replay, settings: Settings) -> Engine:
    """The 2022-2024 chain from the fixtures: 2627 and 2680 (2023), S/2022/431, S/2024/255."""
    serve_fixtures(replay)
    served = settings.model_copy(update={"un_org_url": replay.url, "undl_url": replay.url,
                                         "press_url": replay.url, "docs_url": replay.url})
    summary = sync(engine, served, today=dt.date(2026, 11, 28),
                   client=PoliteClient(requests_per_second=0))
    assert summary.ok, summary.problems
    return engine


def test_dprk_panel_of_experts_timeline(dprk: Engine) -> None:
    """Renewed to 30 April 2024 by 2680 (2023); S/2024/255 vetoed by Russia; lapsed."""
    result = mandate_timeline(dprk, "dprk-panel-of-experts")
    assert result["mandate"]["status"] == "lapsed"
    assert result["mandate"]["expiry"] == dt.date(2024, 4, 30)
    rows = result["timeline"].set_index("reference")
    assert rows.loc["S/RES/1874 (2009)", "event"] == "established"
    assert rows.loc["S/RES/2680 (2023)", "event"] == "extended"
    assert rows.loc["S/RES/2680 (2023)", "new_expiry"] == dt.date(2024, 4, 30)
    assert rows.loc["S/RES/2680 (2023)", "tally"] == "15-0-0"
    failed = rows.loc["S/2024/255"]
    assert failed["event"] == "renewal_failed" and failed["date"] == dt.date(2024, 3, 28)
    assert failed["sponsors"] == ["USA"] and failed["tally"] == "13-1-1"
    assert failed["vetoed_by"] == ["RUS"]
    assert "not known" in failed["abstained"]  # no source gives the roll call: never guessed
    assert rows.loc["S/2022/431", "event"] == "related_failed_draft"  # 2680 came after it
    lapsed = rows.loc["expiry 2024-04-30"]
    assert lapsed["event"] == "lapsed" and lapsed["date"] == dt.date(2024, 4, 30)
    committee = mandates(dprk).set_index("slug").loc["1718-committee"]
    # The committee has no expiry to read: "unknown", never "active" by the absence of an end.
    assert (committee["status"], committee["expiry"]) == ("unknown", None)


def test_abstainer_shows_once_a_source_gives_the_roll_call(
        dprk: Engine, replay: Replay, settings: Settings) -> None:
    library = serve_fixtures(replay)
    members = {"CHN": "A", "FRA": "Y", "RUS": "N", "GBR": "Y", "USA": "Y", "DZA": "Y",
               "ECU": "Y", "GUY": "Y", "JPN": "Y", "MLT": "Y", "MOZ": "Y", "KOR": "Y",
               "SLE": "Y", "SVN": "Y", "CHE": "Y"}
    library.items.append(("2024-03-28", "4041111", Record(
        "4041111", "2024-03-28", None, "Draft resolution S/2024/255",
        [Vote(c, v, c) for c, v in members.items()], (13, 1, 1, 0, 15),
        meeting="S/PV.9591", draft="S/2024/255").xml().encode()))
    served = settings.model_copy(update={"un_org_url": replay.url, "undl_url": replay.url,
                                         "press_url": replay.url, "docs_url": replay.url})
    assert sync(dprk, served, today=dt.date(2026, 11, 28), full=True,
                client=PoliteClient(requests_per_second=0)).ok
    rows = mandate_timeline(dprk, "dprk-panel-of-experts")["timeline"].set_index("reference")
    assert rows.loc["S/2024/255", "abstained"] == "CHN"


def test_expiring_within_as_of(dprk: Engine) -> None:
    due = mandates(dprk, expiring_within=60, as_of=dt.date(2024, 3, 15))
    assert "dprk-panel-of-experts" in set(due["slug"])
    assert due.set_index("slug").loc["dprk-panel-of-experts", "expiry"] == dt.date(2024, 4, 30)
    assert "dprk-panel-of-experts" not in set(
        mandates(dprk, expiring_within=30, as_of=dt.date(2024, 3, 15))["slug"])
    assert "dprk-panel-of-experts" in set(mandates(dprk, status="lapsed")["slug"])


def test_mandate_commands(dprk: Engine, database_url: str, tmp_path: Path) -> None:
    env = {"TRACKER_DATABASE_URL": database_url, "TRACKER_DATA_DIR": str(tmp_path)}
    listed = runner.invoke(app, ["mandates", "--expiring-within", "60", "--as-of", "2024-03-15",
                                 "--format", "json"], env=env)
    assert listed.exit_code == 0, listed.output
    assert "dprk-panel-of-experts" in {m["slug"] for m in json.loads(listed.stdout)}
    one = json.loads(runner.invoke(app, ["mandate", "dprk-panel-of-experts", "--format", "json"],
                                   env=env).stdout)
    events = [(e["event"], e["reference"]) for e in one["timeline"]]
    assert ("renewal_failed", "S/2024/255") in events and events[-1][0] == "lapsed"
    early = json.loads(runner.invoke(app, ["mandate", "dprk-panel-of-experts", "--as-of",
                                           "2024-03-15", "--format", "json"], env=env).stdout)
    assert early["mandate"]["status"] == "active"
    assert all(e["event"] not in ("renewal_failed", "lapsed") for e in early["timeline"])
    missing = runner.invoke(app, ["mandate", "nothing"], env=env)
    assert missing.exit_code == 1 and "no mandate 'nothing'" in missing.output


def test_a_modification_title_is_a_modified_event() -> None:
    parsed = parse_mandate_title("Security Council resolution 2100 (2023) [on modification of "
                                 "the mandate of the UN Mission in South Sudan (UNMISS)]")
    assert parsed is not None and parsed.action == "modified"
    assert load_registry().match(parsed.body).slug == "unmiss"  # type: ignore[union-attr]


def test_a_timeline_exports(dprk: Engine, database_url: str, tmp_path: Path) -> None:
    env = {"TRACKER_DATABASE_URL": database_url, "TRACKER_DATA_DIR": str(tmp_path)}
    out = tmp_path / "dprk.csv"
    result = runner.invoke(app, ["export", "mandate:dprk-panel-of-experts", "--out", str(out)],
                           env=env)
    assert result.exit_code == 0, result.output
    assert "renewal_failed,S/2024/255" in out.read_text()
    bad = runner.invoke(app, ["export", "mandate:nothing", "--out", str(tmp_path / "x.csv")],
                        env=env)
    assert bad.exit_code == 1 and "no mandate" in bad.output
