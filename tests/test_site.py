"""The static site (issue 17, item 2): every page kind from a small synced database, its
links, its accessibility, its escaping, and a regeneration that rewrites only what changed;
then the pages as a person sees them, in headless Chromium."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from lxml import html
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from db.engine import make_engine
from reports.files import OutputError
from reports.site import MANIFEST, build_site, missing_links, page_name, timeline_svg
from tests.conftest import sync_small_fixtures
from tracker.cli import app

TODAY = dt.date(2024, 3, 1)
runner = CliRunner()
# one page of each kind
PAGE_KINDS = ["index.html", "votes/S-2024-255.html", "votes/S-RES-2680-2023.html",
              "members/index.html", "members/RUS.html", "mandates/index.html",
              "mandates/dprk-panel-of-experts.html", "vetoes.html", "findings.html"]


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, str]]]:
    folder = tmp_path_factory.mktemp("site")
    engine, env = sync_small_fixtures(folder)
    engine.dispose()
    yield folder / "tracker.sqlite", env


@pytest.fixture
def engine(synced: tuple[Path, dict[str, str]], tmp_path: Path) -> Iterator[Engine]:
    """A copy of the synced database, for a test that changes it."""
    copy = tmp_path / "tracker.sqlite"
    shutil.copy(synced[0], copy)
    engine = make_engine(f"sqlite:///{copy}")
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def built(synced: tuple[Path, dict[str, str]], tmp_path_factory: pytest.TempPathFactory
          ) -> Path:
    engine = make_engine(f"sqlite:///{synced[0]}")
    out = tmp_path_factory.mktemp("built") / "site"
    build_site(engine, out, today=TODAY, mandate_chart=timeline_svg)
    engine.dispose()
    return out


def test_page_names_are_file_names() -> None:
    assert page_name("S/RES/2722 (2024)") == "S-RES-2722-2024.html"
    assert page_name("S/PV.49 (vetoed draft 2)") == "S-PV.49-vetoed-draft-2.html"
    assert page_name("S/18087/Rev.1") == "S-18087-Rev.1.html"


def test_every_page_kind_is_written_and_every_local_link_resolves(built: Path) -> None:
    pages = json.loads((built / MANIFEST).read_text())["files"]
    for page in [*PAGE_KINDS, "feed.xml", "style.css", "filter.js",
                 "mandates/dprk-panel-of-experts.svg"]:
        assert page in pages and (built / page).is_file(), page
    assert len([p for p in pages if p.startswith("votes/")]) == 24  # every vote stored
    assert missing_links(built, pages) == []


def test_a_vetoed_draft_s_page_names_the_veto_the_count_and_its_sources(built: Path) -> None:
    page = html.fromstring((built / "votes/S-2024-255.html").read_bytes())
    assert page.findtext(".//h1") == "S/2024/255"
    lede = page.find(".//p[@class='lede']").text_content()
    assert lede == ("vetoed — vetoed by Russian Federation, 13-1-1 (in favour–against–"
                    "abstaining), on 28 March 2024 at meeting S/PV.9591.")
    sources = [a.get("href") for a in page.findall(".//main//ul/li/a")]
    assert [s.split("/", 3)[-1] for s in sources if s.startswith("http")] == [
        "depts/dhl/resguide/scact2024_table_en.htm",
        "depts/dhl/resguide/scact2024_table_en.htm",
        "depts/dhl/resguide/scact_veto_table_en.html"]
    assert "No source stored names how each member voted; the count is 13-1-1." in (
        page.text_content())


def test_a_resolution_s_page_gives_its_roll_call_linked_to_each_member(built: Path) -> None:
    page = html.fromstring((built / "votes/S-RES-2680-2023.html").read_bytes())
    rows = page.findall(".//table/tbody/tr")
    cells = [(r.find("th").text_content(), r.findall("td")[0].text) for r in rows]
    # the permanent members first, then the others by code; each vote as the record says
    assert [c[0] for c in cells] == [
        "China", "France", "United Kingdom", "Russian Federation", "United States", "Albania",
        "United Arab Emirates", "Brazil", "Switzerland", "Ecuador", "Gabon", "Ghana", "Japan",
        "Malta", "Mozambique"]
    assert {c[1] for c in cells} == {"in favour"}
    assert rows[0].find("th/a").get("href") == "../members/CHN.html"
    record = [a.get("href") for a in page.findall(".//main//ul/li/a")]
    # The draft's sponsor, then the vote's source and its voting record: the same record.
    assert [urlsplit(r).path for r in record] == [
        "../members/USA.html", "/record/4007327", "/record/4007327"]


def test_the_home_page_gives_the_latest_votes_vetoes_by_decade_and_mandates_due(
        built: Path) -> None:
    page = html.fromstring((built / "index.html").read_bytes())
    latest, decades, due = page.findall(".//table")
    first = [c.text_content() for c in latest.findall("tbody/tr")[0]]
    assert first[:5] == ["2024-03-28", "S/2024/255", "vetoed", "13-1-1", "Russian Federation"]
    headers = [h.text_content() for h in decades.findall("thead/tr/th")]
    assert headers[0] == "decade" and headers[-2:] == ["vetoes", "vetoed drafts"]
    assert [r.find("th").text for r in decades.findall("tbody/tr")] == [
        "1940s", "1950s", "1980s", "2020s"]
    assert [c.text_content() for c in due.findall("tbody/tr")[0]][:2] == [
        "2024-04-30",
        "Panel of Experts established pursuant to resolution 1874 (2009) (DPRK)"]


@pytest.mark.parametrize("name", PAGE_KINDS)
def test_each_page_is_accessible(built: Path, name: str) -> None:
    source = (built / name).read_text("utf-8")
    page = html.fromstring(source.encode())
    assert source.startswith("<!DOCTYPE html>")
    assert page.get("lang") == "en"
    assert page.find(".//meta[@name='viewport']") is not None
    assert len(page.findall(".//h1")) == 1
    assert page.find(".//main[@id='main']") is not None
    for table in page.findall(".//table"):
        assert table.find("caption") is not None and table.find("caption").text_content()
        assert all(th.get("scope") in ("col", "row") for th in table.iter("th"))
    for image in page.findall(".//img"):
        assert image.get("alt")


def test_every_value_is_escaped(engine: Engine, tmp_path: Path) -> None:
    with engine.begin() as connection:
        connection.execute(text("UPDATE vote_event SET agenda = "
                                "'<script>alert(1)</script> & <b>' WHERE key = 'S/2024/255'"))
    build_site(engine, tmp_path / "site", today=TODAY)
    source = (tmp_path / "site/votes/S-2024-255.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;" in source
    assert "<script>alert" not in source


def test_regenerating_rewrites_only_what_changed_and_removes_what_is_gone(
        engine: Engine, tmp_path: Path) -> None:
    out = tmp_path / "site"
    first = build_site(engine, out, today=TODAY)
    assert first.written and first.unchanged == 0
    (out / "README.txt").write_text("mine")  # a file the site did not write
    again = build_site(engine, out, today=TODAY)
    assert (again.written, again.unchanged, again.removed) == ([], first.pages, [])
    with engine.begin() as connection:
        connection.execute(text("UPDATE vote_event SET agenda = 'Changed' "
                                "WHERE key = 'S/RES/2629 (2022)'"))
    changed = build_site(engine, out, today=TODAY)
    # the vote's own page, and the feed (the 50 newest votes), nothing else
    assert (changed.written, changed.removed) == (
        ["feed.xml", "votes/S-RES-2629-2022.html"], [])
    with engine.begin() as connection:
        gone = connection.execute(text("SELECT id FROM vote_event WHERE key = 'S/RES/15 (1946)'"
                                       )).scalar_one()
        for table in ("member_vote", "veto", "source_record"):
            connection.execute(text(f"DELETE FROM {table} WHERE vote_event_id = {gone}"))
        connection.execute(text("UPDATE mandate_event SET vote_event_id = NULL "
                                f"WHERE vote_event_id = {gone}"))
        connection.execute(text(f"DELETE FROM vote_event WHERE id = {gone}"))
    removed = build_site(engine, out, today=TODAY)
    # the gone vote's page removed; the pages that counted or linked it rewritten
    assert removed.removed == ["votes/S-RES-15-1946.html"]
    assert removed.written == ["feed.xml", "index.html",
                               "mandates/greek-question-commission.html"]
    assert not (out / "votes/S-RES-15-1946.html").exists()
    assert (out / "README.txt").read_text() == "mine"


def test_a_mandates_chart_is_drawn_again_only_when_its_timeline_changed(
        engine: Engine, tmp_path: Path) -> None:
    drawn: list[str] = []

    def chart(timeline: dict[str, object]) -> bytes | None:
        drawn.append(timeline["mandate"]["slug"])  # type: ignore[index]
        return timeline_svg(timeline)  # type: ignore[arg-type]

    out = tmp_path / "site"
    build_site(engine, out, today=TODAY, mandate_chart=chart)
    assert len(drawn) == 157 and (out / "mandates/dprk-panel-of-experts.svg").is_file()
    drawn.clear()
    build_site(engine, out, today=TODAY, mandate_chart=chart)
    assert drawn == []  # every chart's timeline the same: none drawn again
    with engine.begin() as connection:
        connection.execute(text("UPDATE mandate_event SET note = 'read again' WHERE kind = "
                                "'established' AND mandate_id = (SELECT id FROM mandate "
                                "WHERE slug = 'dprk-panel-of-experts')"))
    changed = build_site(engine, out, today=TODAY, mandate_chart=chart)
    assert drawn == ["dprk-panel-of-experts"]
    assert "mandates/dprk-panel-of-experts.html" in changed.written


def test_the_site_refuses_a_file_or_a_missing_parent(engine: Engine, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match="is a file; give a folder"):
        build_site(engine, tmp_path / "file", today=TODAY)
    with pytest.raises(OutputError, match="does not exist"):
        build_site(engine, tmp_path / "no" / "site", today=TODAY)


def test_tracker_site_says_what_it_wrote(synced: tuple[Path, dict[str, str]],
                                         tmp_path: Path) -> None:
    _, env = synced
    out = tmp_path / "site"
    first = runner.invoke(app, ["site", "--out", str(out), "--as-of", "2024-03-01"], env=env)
    assert first.exit_code == 0, first.output
    # the pages, and a timeline chart for each of the 72 mandates with a dated event
    assert f"wrote 281 of 281 files in {out} (0 unchanged, 0 removed" in first.output
    again = runner.invoke(app, ["site", "--out", str(out), "--as-of", "2024-03-01"], env=env)
    assert f"wrote 0 of 281 files in {out} (281 unchanged" in again.output


def _chromium() -> str | None:
    for candidate in ("/usr/bin/chromium", "/usr/bin/chromium-browser",
                      shutil.which("chromium") or ""):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless Chromium (Debian's chromium package) driven by Playwright. Skipped where
    there is none, except in CI (TRACKER_TEST_BROWSER=required), which installs it."""
    binary = _chromium()
    if binary is None:
        if os.environ.get("TRACKER_TEST_BROWSER") == "required":
            pytest.fail("no chromium binary, and CI requires the browser tests")
        pytest.skip("no chromium binary (apt install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=binary,
                                              args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.mark.parametrize("name", PAGE_KINDS)
def test_each_page_kind_loads_in_a_browser_without_errors(built: Path, browser: object,
                                                          name: str) -> None:
    page = browser.new_page(viewport={"width": 375, "height": 800})  # type: ignore[attr-defined]
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
            if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    page.goto((built / name).as_uri())
    page.wait_for_load_state("load")
    assert problems == []
    assert page.locator("h1").count() == 1
    # readable on a phone: the page itself never scrolls sideways (wide tables do, inside)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    # every image (a chart) is shown
    assert page.evaluate("Array.from(document.images).every(i => i.complete && "
                         "i.naturalWidth > 0)")
    page.close()


def test_the_veto_list_filters_by_member_and_decade(built: Path, browser: object) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto((built / "vetoes.html").as_uri())
    visible = "tbody tr:not([hidden])"
    total = page.locator("tbody tr").count()
    assert page.locator(visible).count() == total
    assert page.locator("output").inner_text() == f"{total} of {total} shown"
    page.select_option("select[name=member]", "USA")
    assert page.locator(f"{visible} td:nth-child(3)").all_inner_texts() == [
        "United States", "France, United Kingdom, United States", "United States"]
    page.select_option("select[name=decade]", "1980s")
    assert page.locator(visible).count() == 2
    page.select_option("select[name=member]", "")
    page.select_option("select[name=decade]", "2020s")
    assert page.locator(f"{visible} td:nth-child(2)").all_inner_texts() == [
        "S/2020/852", "S/2022/431", "S/2024/255"]
    page.close()


def test_a_database_with_no_veto_still_makes_a_site(engine: Engine, tmp_path: Path) -> None:
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM veto"))
    build_site(engine, tmp_path / "site", today=TODAY)
    page = html.fromstring((tmp_path / "site/index.html").read_bytes())
    decades = page.get_element_by_id("decades").getparent()
    assert decades.findtext("p") == "No veto is stored."
    vetoes = html.fromstring((tmp_path / "site/vetoes.html").read_bytes())
    assert vetoes.findall(".//tbody/tr") == []


def test_a_provisional_vote_says_so_on_its_page_and_the_home_page(engine: Engine,
                                                                   tmp_path: Path) -> None:
    with engine.begin() as connection:
        connection.execute(text(
            "UPDATE vote_event SET source_url = 'https://press.un.org/en/2024/sc15626.doc.htm'"
            " WHERE key = 'S/RES/2727 (2024)'"))
    build_site(engine, tmp_path / "site", today=TODAY)
    page = html.fromstring((tmp_path / "site/votes/S-RES-2727-2024.html").read_bytes())
    note = page.find(".//p[@class='provisional']")
    assert note.text_content() == (
        "Provisional: known only from press release SC/15626 until the meetings table or the "
        "Digital Library names it (press releases are not an official record).")
    assert note.find("a").get("href") == "https://press.un.org/en/2024/sc15626.doc.htm"
    home = html.fromstring((tmp_path / "site/index.html").read_bytes())
    second = home.findall(".//table")[0].findall("tbody/tr")[1]
    assert [c.text_content() for c in second.findall("td")[1:3]] == [
        "S/RES/2727 (2024)", "adopted (provisional)"]
    # a vote the Veto List names is not provisional, whatever its own provenance
    first = home.findall(".//table")[0].findall("tbody/tr")[0]
    assert first.findall("td")[2].text_content() == "vetoed"
