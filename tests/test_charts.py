"""Charts: every kind drawn from a small synced database, read back as a person would see it
(valid SVG, its title, description, series, axis labels and caption; a PNG of sensible
size), the same bytes each time, and the reports' own errors."""

from __future__ import annotations

import datetime as dt
import struct
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from reports import charts
from tests.conftest import FullHistory, sync_small_fixtures
from tracker.cli import app

SVG = "{http://www.w3.org/2000/svg}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
runner = CliRunner()


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, dict[str, str]]]:
    """A database synced from the small pages and records of tests/fixtures ("today"
    2024-06-01: the DPRK panel's failed renewal S/2024/255 and its lapse are in it)."""
    engine, env = sync_small_fixtures(tmp_path_factory.mktemp("charts"))
    yield engine, env
    engine.dispose()


def _svg(body: bytes) -> ET.Element:
    """Parse an SVG as a careful reader does: no DOCTYPE (nothing fetched), then XML."""
    assert b"<!DOCTYPE" not in body
    root = ET.fromstring(body)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    return root


def _texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def _caption(texts: list[str]) -> str:
    """Return the caption: its lines, from the one naming the sources, joined again."""
    start = next(i for i, t in enumerate(texts) if t.startswith("Source"))
    return " ".join(texts[start:])


def _title_and_desc(root: ET.Element) -> tuple[str | None, str | None]:
    first, second = list(root)[:2]  # read first, as screen readers do
    assert (first.tag, second.tag) == (f"{SVG}title", f"{SVG}desc")
    return first.text, second.text


def _chart(env: dict[str, str], tmp_path: Path, name: str, *args: str) -> bytes:
    out = tmp_path / name
    result = runner.invoke(app, ["chart", *args, "--out", str(out)], env=env)
    assert result.exit_code == 0, result.output
    assert result.stderr == f"wrote {out}\n"
    return out.read_bytes()


def test_vetoes_by_year_names_each_member_as_cast(small: tuple[Engine, dict[str, str]],
                                                 tmp_path: Path) -> None:
    """The vetoes per year must be stacked by member, the USSR apart from the Russian
    Federation, legend by count; the caption must name the Veto List and its newest veto."""
    root = _svg(_chart(small[1], tmp_path, "vetoes.svg", "vetoes", "--by", "year"))
    texts = _texts(root)
    legend = texts[texts.index("Vetoes per year, by member") + 1:][:6]
    assert legend == ["SUN Union of Soviet Socialist Republics", "FRA France",
                      "USA United States", "GBR United Kingdom", "RUS Russian Federation",
                      "CHN China"]
    assert {"Year", "Vetoes (one per member and vetoed draft)"} <= set(texts)
    assert _caption(texts) == (
        "Source: Dag Hammarskjöld Library (un.org) Veto List; data to 2024-03-28. Counted as "
        "the Library's Veto List counts them (dhl-veto-list): one veto for each permanent "
        "member casting the negative vote on a draft. 15 vetoes on 10 drafts, 1946–2024.")
    title, desc = _title_and_desc(root)
    assert title == "Vetoes per year, by member"
    assert desc is not None and desc.startswith(
        "Stacked bars: vetoes per year from 1946 to 2024, by member (SUN, FRA, USA, GBR, RUS, "
        "CHN); 15 vetoes on 10 drafts. Source: Dag Hammarskjöld Library (un.org) Veto List")


def test_vetoes_merged_by_seat_count_the_ussr_with_russia(
        small: tuple[Engine, dict[str, str]], tmp_path: Path) -> None:
    """With --merge-successors the USSR's vetoes must count under the Russian Federation's
    seat, as `tracker vetoes --merge-successors` counts them, and the legend must say so."""
    texts = _texts(_svg(_chart(small[1], tmp_path, "merged.svg", "vetoes",
                               "--merge-successors")))
    title = "Vetoes per year, by member (the USSR counted with the Russian Federation)"
    legend = texts[texts.index(title) + 1:][:5]
    assert legend == ["RUS Russian Federation (with SUN, by seat)", "FRA France",
                      "USA United States", "GBR United Kingdom", "CHN China"]
    assert "SUN Union of Soviet Socialist Republics" not in texts


def test_a_members_votes_per_year(small: tuple[Engine, dict[str, str]], tmp_path: Path) -> None:
    """A member's chart must stack yes, no, abstain and non-voting per year and date its
    data by the member's newest vote."""
    texts = _texts(_svg(_chart(small[1], tmp_path, "rus.svg", "member", "Russian",
                               "Federation")))
    title = "Votes of Russian Federation (RUS) per year"
    assert texts[texts.index(title) + 1:][:4] == ["Yes (Y)", "No (N)", "Abstain (A)",
                                                  "Non-voting (X)"]
    assert {"Year", "Votes", "2022", "2023"} <= set(texts)
    assert "2022.5" not in texts  # years are whole
    assert _caption(texts) == (
        "Source: UN Digital Library voting records (adopted resolutions); data to 2023-03-23. "
        "2 votes; a year with no vote of it stored has no bar.")


def test_the_agreement_heatmap(small: tuple[Engine, dict[str, str]], tmp_path: Path) -> None:
    """The heatmap must show each pair's share (the five permanent members agreed on both
    votes of the fixtures), ordered, labelled and captioned."""
    root = _svg(_chart(small[1], tmp_path, "p5.svg", "agreement", "--members",
                       "USA,RUS,CHN,FRA,GBR", "--min-shared", "1"))
    texts = _texts(root)
    order = ["CHN", "FRA", "GBR", "RUS", "USA"]
    assert texts[:12] == [*order, "Member", *order, "Member"]
    assert texts.count("1.00") == 25 + 1  # each cell, and the colour bar's top
    assert "0.90" in texts  # the colour bar starts at the tenth below the lowest share
    assert {"Member", "Share of identical votes (yes, no, abstain) over the votes both cast",
            "Agreement between members"} <= set(texts)
    assert _caption(texts) == (
        "Source: UN Digital Library voting records (adopted resolutions); data to 2023-03-23. "
        "Members ordered by similarity: the one that agreed least with the others first, then "
        "each next to the one it agreed with most among those left. A blank cell: the two "
        "shared fewer than 1 votes. Votes on adopted resolutions only.")


def test_the_similarity_order_puts_alike_members_side_by_side() -> None:
    """The order must start from the member that agreed least with the others, then follow
    each member with the one left it agreed with most; a pair never seen together counts
    as 0; ties go alphabetically."""
    shares = {("A", "B"): 0.9, ("A", "C"): 0.3, ("A", "D"): 0.4, ("B", "C"): 0.5,
              ("B", "D"): None, ("C", "D"): 0.95, ("A", "E"): 0.2, ("B", "E"): 0.2,
              ("C", "E"): 0.2, ("D", "E"): 0.2}
    codes = ["A", "B", "C", "D", "E"]
    frame = pd.DataFrame(1.0, index=codes, columns=codes)
    for (a, b), share in shares.items():
        frame.loc[a, b] = frame.loc[b, a] = float("nan") if share is None else share
    matrix = frame.rename_axis("member").reset_index()
    assert charts.similarity_order(matrix) == ["E", "A", "B", "C", "D"]


def test_a_mandates_timeline_shows_the_failed_renewal_and_the_lapse(
        small: tuple[Engine, dict[str, str]], tmp_path: Path) -> None:
    """The DPRK panel's timeline must show each renewal to its expiry, the failed renewal
    S/2024/255 with its tally and vetoing member, and the lapse on 30 April 2024; an event
    with no date stored must be named in the caption, not drawn at a guessed date."""
    texts = _texts(_svg(_chart(small[1], tmp_path, "dprk.svg", "mandate",
                               "dprk-panel-of-experts", "--as-of", "2024-06-01")))
    assert {"extended S/RES/2627 (2022)", "related failed draft S/2022/431",
            "extended S/RES/2680 (2023)", "renewal failed S/2024/255",
            "lapsed expiry 2024-04-30"} <= set(texts)
    assert {"2022-03-25, 15-0-0, until 2023-04-30", "2022-05-26, vetoed by CHN, RUS",
            "2023-03-23, 15-0-0, until 2024-04-30", "2024-03-28, 13-1-1, vetoed by RUS",
            "2024-04-30"} <= set(texts)
    assert _caption(texts) == (
        "Sources: Dag Hammarskjöld Library (un.org) meetings and outcomes tables; UN Digital "
        "Library; data to 2024-03-28. Status as of 2024-06-01: lapsed, expiry 2024-04-30. A "
        "bar runs from a renewal to the expiry it set. Not drawn, no date stored: established "
        "S/RES/1874 (2009) (the resolution is not in the database yet).")


def test_draft_outcomes_per_year(small: tuple[Engine, dict[str, str]], tmp_path: Path) -> None:
    """The drafts' chart must stack the four outcomes per year as the drafts report gives
    them, and count in its description what it drew."""
    root = _svg(_chart(small[1], tmp_path, "drafts.svg", "drafts", "--by", "year"))
    texts = _texts(root)
    title = "Draft resolutions per year, by outcome"
    assert texts[texts.index(title) + 1:][:4] == ["Adopted", "Vetoed", "Insufficient votes",
                                                  "Not adopted"]
    assert {"Year", "Drafts"} <= set(texts)
    _, desc = _title_and_desc(root)
    assert desc is not None and desc.startswith(
        "Stacked bars: drafts per year, 1946–2024, by outcome: 2 adopted, 13 vetoed, "
        "1 insufficient votes, 0 not adopted. Sources: Dag Hammarskjöld Library (un.org) Veto "
        "List; Dag Hammarskjöld Library (un.org) meetings and outcomes tables; UN Digital "
        "Library; data to 2024-03-28.")


@pytest.mark.parametrize("kind", ["vetoes", "member", "agreement", "mandate", "drafts"])
def test_every_chart_is_the_same_bytes_each_time_and_a_png_too(
        small: tuple[Engine, dict[str, str]], kind: str) -> None:
    """Drawing the same data twice must give the same bytes (the site rewrites only what
    changed): no random ids, no date in the metadata; and each kind must draw as a PNG of
    sensible size."""
    engine = small[0]
    draw = {
        "vetoes": lambda: charts.vetoes_chart(engine),
        "member": lambda: charts.member_chart(engine, "USA"),
        "agreement": lambda: charts.agreement_heatmap(engine),
        "mandate": lambda: charts.mandate_chart(engine, "dprk-panel-of-experts",
                                                as_of=dt.date(2024, 6, 1)),
        "drafts": lambda: charts.drafts_chart(engine),
    }[kind]
    first, second = charts.render(draw(), "svg"), charts.render(draw(), "svg")
    assert first == second
    assert b"<dc:date>" not in first
    png = charts.render(draw(), "png")
    assert png == charts.render(draw(), "png")
    assert png[:8] == PNG_SIGNATURE and png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    assert 600 <= width <= 2500 and 200 <= height <= 2500, (width, height)


def test_a_png_is_written_by_its_suffix(small: tuple[Engine, dict[str, str]],
                                        tmp_path: Path) -> None:
    body = _chart(small[1], tmp_path, "vetoes.PNG", "vetoes")
    assert body[:8] == PNG_SIGNATURE


def test_another_suffix_is_refused_before_the_database_is_read(
        small: tuple[Engine, dict[str, str]], tmp_path: Path) -> None:
    result = runner.invoke(app, ["chart", "drafts", "--out", str(tmp_path / "drafts.pdf")],
                           env=small[1])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        f"error: --out: got '{tmp_path / 'drafts.pdf'}', expected a file name ending in .svg "
        "or .png")
    assert not (tmp_path / "drafts.pdf").exists()


@pytest.mark.parametrize(("chart", "report"), [
    (["member", "Atlantis"], ["member", "Atlantis"]),
    (["mandate", "dprk-panel"], ["mandate", "dprk-panel"]),
])
def test_an_unknown_member_or_mandate_gives_the_reports_error(
        small: tuple[Engine, dict[str, str]], tmp_path: Path, chart: list[str],
        report: list[str]) -> None:
    """A chart of an unknown member or mandate must say what its report says, and write
    nothing."""
    out = tmp_path / "x.svg"
    drawn = runner.invoke(app, ["chart", *chart, "--out", str(out)], env=small[1])
    shown = runner.invoke(app, report, env=small[1])
    assert (drawn.exit_code, shown.exit_code) == (1, 1)
    assert drawn.stderr == shown.stderr and drawn.stderr.startswith("error: ")
    assert not out.exists()


def test_an_existing_file_is_kept_unless_overwrite_and_unchanged_is_said(
        small: tuple[Engine, dict[str, str]], tmp_path: Path) -> None:
    out = tmp_path / "vetoes.svg"
    _chart(small[1], tmp_path, "vetoes.svg", "vetoes")
    again = runner.invoke(app, ["chart", "vetoes", "--out", str(out)], env=small[1])
    assert (again.exit_code, again.stderr) == (0, f"{out} is unchanged (the same chart)\n")
    merged = runner.invoke(app, ["chart", "vetoes", "--merge-successors", "--out", str(out)],
                           env=small[1])
    assert merged.exit_code == 1
    assert merged.stderr == f"error: {out} exists; pass --overwrite to replace it\n"
    replaced = runner.invoke(app, ["chart", "vetoes", "--merge-successors", "--overwrite",
                                   "--out", str(out)], env=small[1])
    assert replaced.exit_code == 0 and b"with SUN, by seat" in out.read_bytes()


def test_without_matplotlib_the_chart_names_the_extra(small: tuple[Engine, dict[str, str]],
                                                      tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A wheel installed without the charts extra must say which extra to install."""
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    result = runner.invoke(app, ["chart", "vetoes", "--out", str(tmp_path / "v.svg")],
                           env=small[1])
    assert result.exit_code == 1
    assert result.stderr == ("error: charts need matplotlib, which is not installed: pip "
                             "install 'unsc-tracker[charts]'\n")


@pytest.mark.realdata
def test_the_real_history_dprk_panel_and_veto_list(full_history: FullHistory) -> None:
    """On the whole saved history (to 2022; "today" 2022-12-31) the DPRK panel's chart must
    show its establishment by 1874 (2009), its renewals to 2569 (2021) and the failed draft
    S/2022/431 vetoed by China and Russia; the vetoes chart must count the Veto List's 265
    vetoes on 213 drafts, the USSR's 90 apart."""
    engine = full_history.engine
    chart = charts.mandate_chart(engine, "dprk-panel-of-experts", as_of=dt.date(2022, 12, 31))
    texts = _texts(_svg(charts.render(chart)))
    assert texts[texts.index("Date") + 1:][:3] == [
        "established S/RES/1874 (2009)", "extended S/RES/1928 (2010)",
        "extended S/RES/1985 (2011)"]
    # The saved titles were cut short: an extension's new expiry is not known, and said so.
    assert {"2009-06-12, 15-0-0", "2011-06-10, 15-0-0, new expiry not known",
            "extended S/RES/2569 (2021)",
            "related failed draft S/2022/431", "2022-05-26, vetoed by CHN, RUS"} <= set(texts)
    assert _caption(texts).startswith(
        "Source: Dag Hammarskjöld Library (un.org) meetings and outcomes tables; data to "
        "2022-05-26. Status as of 2022-12-31: unknown.")
    vetoes = charts.vetoes_chart(engine)
    assert "265 vetoes on 213 drafts, 1946–2022" in vetoes.description
    assert "SUN Union of Soviet Socialist Republics" in _texts(_svg(charts.render(vetoes)))
