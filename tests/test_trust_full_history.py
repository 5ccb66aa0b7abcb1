"""Acceptance on the whole saved history: nothing stated without a source that states it.

One full sync of everything in ../shared/data (the Library's pages, 2,618 voting records,
the document records of drafts), served by a local replay, as of 31 December 2022.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from council.symbols import normalise_resolution_symbol
from reports.findings import FINDING_KINDS
from scrapers.dhl.parse import parse_meetings_table
from tests.conftest import SHARED_DATA, FullHistory
from tests.history_replay import library_pages, real_library
from tests.readme_tables import readme_finding_severities
from tracker.cli import app

TODAY = dt.date(2022, 12, 31)


@pytest.fixture(scope="module")
def history(full_history: FullHistory) -> tuple[Engine, dict[str, str]]:
    """A database synced from the whole saved history (once for the test run)."""
    return full_history.engine, full_history.env


def _named_resolutions() -> set[str]:
    """Return every resolution the meetings tables or the voting records name, read
    straight from the saved files (not from what the tracker stored)."""
    named: set[str] = set()
    for path, body in library_pages(SHARED_DATA).items():
        year = re.search(r"scact(\d{4})", path)
        if year is None:
            continue
        table = parse_meetings_table(body, year=int(year[1]), url=path)
        named |= {d.symbol for m in table.meetings for d in m.decisions
                  if d.kind == "resolution" and d.symbol}
    library = real_library(SHARED_DATA)
    for item in library.items:
        match = re.search(rb'<datafield tag="791"[^>]*>\s*<subfield code="a">([^<]+)<',
                          item[2])
        if match:
            named.add(normalise_resolution_symbol(match[1].decode()))
    return named


def test_no_resolution_is_stored_that_neither_the_tables_nor_the_voting_records_name(
        history: tuple[Engine, dict[str, str]]) -> None:
    """A link from a document record never creates a resolution (S/2015/134 links
    "S/RES/220 (2015)", S/2019/880 links "S/RES/2498(2018)": neither exists)."""
    engine, _ = history
    with engine.connect() as connection:
        stored = set(connection.execute(text("select symbol from resolution")).scalars())
    unnamed = stored - _named_resolutions()
    assert unnamed == set()
    assert {"S/RES/220 (2015)", "S/RES/2498 (2018)"}.isdisjoint(stored)


def test_every_kind_of_finding_recorded_is_explained(
        history: tuple[Engine, dict[str, str]]) -> None:
    _, env = history
    result = CliRunner().invoke(app, ["check", "--explain", "--format", "json"], env=env)
    assert result.exit_code == 0, result.output
    kinds = json.loads(result.stdout)
    assert kinds, "a full history without findings: the check found nothing"
    assert {k["kind"] for k in kinds} <= set(FINDING_KINDS)
    assert all(k["rule"] == FINDING_KINDS[k["kind"]] for k in kinds)
    # The README's table gives each kind's severity as the tracker records it.
    severities = readme_finding_severities()
    assert [(k["kind"], k["severity"]) for k in kinds
            if severities[k["kind"]] != k["severity"]] == []



def test_no_mandate_is_lapsed_without_evidence(history: tuple[Engine, dict[str, str]]) -> None:
    """"Lapsed" needs a failed renewal vote before the expiry; an expiry passed with no
    renewal read is "expired", with a finding that says what was read."""
    engine, _ = history
    with engine.connect() as connection:
        lapsed = connection.execute(text(
            "select m.slug, m.expiry from mandate m where m.status = 'lapsed'")).all()
        evidence = {slug for (slug,) in connection.execute(text(
            "select distinct m.slug from mandate m join mandate_event e on e.mandate_id = m.id "
            "where e.kind = 'renewal_failed'"))}
        expired = set(connection.execute(text(
            "select slug from mandate where status = 'expired'")).scalars())
        explained = set(connection.execute(text(
            "select record from finding where kind = 'no_renewal_found'")).scalars())
    assert [slug for slug, _ in lapsed if slug not in evidence] == []
    # The missions the baseline called lapsed because their renewals' titles carry only the
    # agenda item: each is expired, and a finding says so.
    assert {"unifil", "unmiss", "unficyp", "unama"} <= expired
    assert expired and all(any(slug in record for record in explained) for slug in expired)


def test_the_failed_drafts_since_1994_get_their_roll_calls_from_the_releases(
        history: tuple[Engine, dict[str, str]]) -> None:
    """Against the replay of press releases for the failed drafts since 1994 (written from
    the DPPA roll calls at the tables' release numbers), the sync stores their roll calls:
    the counts the README gives, and each disagreement found is a finding."""
    _, env = history
    status = json.loads(CliRunner().invoke(app, ["status", "--format", "json"], env=env).stdout)
    counted = {r["roll_call"]: r["failed_votes"] for r in status["roll_calls_of_failed_votes"]}
    assert counted == {"meeting record": 0, "press release": 0,
                       "press release, the rest derived": 46, "press release, in part": 4,
                       "another source's record": 0, "none stored": 270}
    found = json.loads(CliRunner().invoke(app, ["check", "--source", "press-releases",
                                                "--format", "json"], env=env).stdout)
    assert sorted((f["kind"], f["record"]) for f in found) == [
        ("press_name_unknown", "SC/13362"), ("press_tally_mismatch", "SC/14066"),
        ("press_tally_mismatch", "SC/6659"), ("press_vote_unmatched", "SC/13288"),
        ("press_votes_not_derived", "SC/13362"), ("press_votes_not_derived", "SC/14838"),
        ("press_votes_not_derived", "SC/14911"), ("press_votes_not_derived", "SC/7040")]
