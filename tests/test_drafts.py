"""Drafts and sponsors: document records from a replay of the Library's real export."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from reports.drafts import draft, drafts, sponsors
from scrapers.undl.documents import parse_document_xml, sponsors_of
from tests.conftest import FIXTURES, Replay
from tests.test_sync import serve_fixtures
from tests.undl_replay import DigitalLibrary, Document, from_pcrc_csv
from tracker.cli import app
from tracker.settings import Settings

PCRC = Path("pcrc_unsc_dataset") / "undl_export_089_B02_security_council.csv"
runner = CliRunner()


@pytest.mark.parametrize(
    ("text", "codes", "unknown"),
    [
        ("France, Japan, Republic of Korea, United Kingdom of Great Britain and Northern Ireland"
         " and United States of America", ["FRA", "JPN", "KOR", "GBR", "USA"], []),
        ("Bosnia and Herzegovina, Trinidad and Tobago and Saint Vincent and the Grenadines",
         ["BIH", "TTO", "VCT"], []),
        ("submitted by the representative of the Union of Soviet Socialist Republics",
         ["SUN"], []),
        ("Argentina at the 427th meeting, 16 June 1949", ["ARG"], []),
        ("Côte d’Ivoire, Zaire and Upper Volta", ["CIV", "COD", "BFA"], []),
        ("Ausralia and Canada", ["CAN"], ["Ausralia"]),
    ],
)
def test_sponsor_names_map_to_codes_and_unknown_names_are_kept(
        text: str, codes: list[str], unknown: list[str]) -> None:
    """Official long names with "and" inside them are one member; a typo is not guessed."""
    assert sponsors_of(text) == (codes, unknown)


def test_document_fixture_of_s_2024_255() -> None:
    body = (FIXTURES / "undl" / "documents" / "document_4043907_S-2024-255.xml").read_bytes()
    record = parse_document_xml(body)
    assert record is not None and record.symbol == "S/2024/255"
    assert record.sponsors == ["USA"] and record.resolution is None
    assert record.bodies == [
        "UN. Security Council Committee Established pursuant to Resolution 1718 (2006) "
        "concerning the Democratic People's Republic of Korea",
        "UN. Panel of Experts Established pursuant to Security Council Resolution 1874 (2009)"]


def test_non_drafts_are_skipped() -> None:
    body = ('<collection xmlns="http://www.loc.gov/MARC21/slim">'
            + Document("1", "S/2009/10", title="Summary statement /").xml()
            + "</collection>").encode()
    assert parse_document_xml(body) is None


@pytest.fixture
def pcrc(shared_data: Path, replay: Replay, settings: Settings) -> tuple[DigitalLibrary, Settings]:
    library = serve_fixtures(replay)
    # The year of S/2009/301: a link is accepted only for a resolution the tables know.
    replay.pages["/depts/dhl/resguide/scact2009_table_en.html"] = (
        shared_data / "un_org_dhl_html" / "scact_tables" / "scact2009_table_en.html").read_bytes()
    library.documents = [(d.symbol, d.record_id, d.xml().encode())
                         for d in from_pcrc_csv(shared_data / PCRC)]
    return library, settings.model_copy(update={"un_org_url": replay.url,
                                                "undl_url": replay.url, "press_url": replay.url,
                                                "docs_url": replay.url})


def test_drafts_from_the_real_export(engine: Engine, pcrc) -> None:
    """S/2009/301 became 1874 (2009); S/2022/431 was the United States' and was vetoed."""
    from scrapers.http import PoliteClient
    from tracker.sync import sync

    library, settings = pcrc
    summary = sync(engine, settings, today=dt.date(2024, 6, 1),
                   client=PoliteClient(requests_per_second=0))
    assert summary.ok, summary.problems[:5]
    # Bulk pages cover the export; the drafts only the tables know are asked for once each.
    by_symbol = [q for q in library.searches if q.get("p", "").startswith("191__a:")]
    pages = [q for q in library.searches
             if q not in by_symbol and q.get("cc") != "Voting Data"]
    assert len(pages) == -(-len(library.documents) // 200)

    s2009 = draft(engine, "S/2009/301")["draft"]
    assert s2009["sponsors"] == ["FRA", "GBR", "JPN", "KOR", "USA"]
    assert s2009["resolution"] == "S/RES/1874 (2009)" and s2009["status"] == "adopted"
    s2022 = draft(engine, "S/2022/431")
    assert s2022["draft"]["sponsors"] == ["USA"]
    assert s2022["draft"]["vetoed_by"] == ["CHN", "RUS"] and s2022["draft"]["status"] == "vetoed"
    assert s2022["draft"]["bodies"] == [
        "UN. Security Council Committee Established pursuant to Resolution 1718 (2006) "
        "concerning the Democratic People's Republic of Korea",
        "UN. Panel of Experts Established pursuant to Security Council Resolution 1874 (2009)"]

    vetoed = drafts(engine, status="vetoed")
    assert "S/2022/431" in set(vetoed["symbol"])
    assert vetoed.loc[vetoed["symbol"] == "S/2022/431", "sponsors"].iloc[0] == ["USA"]

    result = sponsors(engine)  # its speed is benchmarks/bench_full.py's to measure, not a test's
    usa = result["sponsors"].set_index("member_code").loc["USA"]
    assert usa["sponsored"] > 100 and usa["vetoed"] >= 1

    # A second sync asks no document again, misses included.
    library.searches.clear()
    again = sync(engine, settings, today=dt.date(2024, 6, 1),
                 client=PoliteClient(requests_per_second=0))
    assert again.ok and not [q for q in library.searches
                             if q.get("p", "").startswith("191__a:")]
    # The first one asked, once each, for the drafts the export lacks: two the voting
    # records link (2022, 2023), one of the 2024 table, one of the Veto List (1947).
    assert sorted(q["p"] for q in by_symbol) == [
        '191__a:"S/2022/245"', '191__a:"S/2023/215"', '191__a:"S/2024/255"', '191__a:"S/552"']


def test_cli_drafts_and_draft(pcrc, database_url: str, tmp_path: Path) -> None:
    _, settings = pcrc
    env = {"TRACKER_DATA_DIR": str(tmp_path / "d"), "TRACKER_DATABASE_URL": database_url,
           "TRACKER_UN_ORG_URL": settings.un_org_url, "TRACKER_UNDL_URL": settings.undl_url,
           "TRACKER_PRESS_URL": settings.press_url, "TRACKER_DOCS_URL": settings.docs_url,
           "TRACKER_REQUESTS_PER_SECOND": "0", "TRACKER_MAX_ATTEMPTS": "1"}
    assert runner.invoke(app, ["sync", "--until", "2024"], env=env).exit_code == 0
    csv_out = runner.invoke(app, ["drafts", "--status", "vetoed", "--format", "csv"], env=env)
    assert csv_out.exit_code == 0
    lines = csv_out.stdout.splitlines()
    assert lines[0].startswith("date,symbol,title,status,sponsors,vetoed_by")
    row = next(line for line in lines if ",S/2022/431," in line)
    assert ",USA," in row and "CHN, RUS" in row
    one = json.loads(runner.invoke(app, ["draft", "S/2009/301", "--format", "json"],
                                   env=env).stdout)
    assert one["draft"]["resolution"] == "S/RES/1874 (2009)"
    assert one["draft"]["sponsors"] == ["FRA", "GBR", "JPN", "KOR", "USA"]
    by_sponsor = json.loads(runner.invoke(app, ["drafts", "--sponsor", "JPN", "--agenda", "Korea",
                                                "--format", "json"], env=env).stdout)
    assert "S/2009/301" in {d["symbol"] for d in by_sponsor}
    table = runner.invoke(app, ["sponsors"], env=env)
    assert table.exit_code == 0 and "Whose drafts" in table.stdout
    missing = runner.invoke(app, ["draft", "S/1999/99999"], env=env)
    assert missing.exit_code == 1 and "no draft" in missing.output
