"""The press releases and meeting records as sources (issue 15): what a sync would ask for,
the addresses, the archive's page ids read back, and the fetch against a local server."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from scrapers.http import NotFound, PoliteClient
from scrapers.press.source import PressReleasesSource, page_id, release_url
from scrapers.source import SyncState
from scrapers.verbatim.parse import NotPublished
from scrapers.verbatim.source import MeetingRecordsSource, record_url
from tests.conftest import Replay

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "press"
TODAY = dt.date(2026, 11, 30)


def polite() -> PoliteClient:
    return PoliteClient(requests_per_second=0, max_attempts=1)


def test_a_release_symbol_becomes_its_page_and_address() -> None:
    assert page_id("SC/15648", 2024) == "2024-sc15648"
    assert page_id("SG/SM/1234", 2024) is None  # the tables also cite the Secretary-General's
    assert release_url("https://press.un.org/", "2024-sc15648") == (
        "https://press.un.org/en/2024/sc15648.doc.htm")
    with pytest.raises(ValueError, match="not a press release page id"):
        release_url("https://press.un.org", "veto-list")


def test_the_releases_asked_for_oldest_first_within_the_years_asked() -> None:
    source = PressReleasesSource("https://press.un.org")
    state = SyncState(wanted=[("SC/15648", 2024), ("SC/8939", 2007), ("SC/15648", 2024),
                              ("SG/SM/1", 2024), ("SC/13493", 2018)])
    plan = source.plan(state, since=None, until=None, today=TODAY)
    assert [(p.page_id, p.label) for p in plan.pages] == [
        ("2007-sc8939", "press release SC/8939 (2007)"),
        ("2018-sc13493", "press release SC/13493 (2018)"),
        ("2024-sc15648", "press release SC/15648 (2024)"),
    ]
    assert plan.complete
    later = source.plan(state, since=2010, until=None, today=TODAY)
    assert ([p.page_id for p in later.pages], later.complete) == (
        ["2018-sc13493", "2024-sc15648"], False)
    assert [p.page_id for p in source.archived(["2024-sc15648", "veto-list", "2007-sc8939"])
            ] == ["2007-sc8939", "2024-sc15648"]


def test_a_release_is_fetched_and_read_and_a_missing_one_is_not_found(replay: Replay) -> None:
    replay.pages["/en/2024/sc15648.doc.htm"] = (FIXTURES / "sc15648.htm").read_bytes()
    source = PressReleasesSource(replay.url)
    [page] = source.archived(["2024-sc15648"])
    with polite() as client:
        response = source.fetch(client, page, None)
        release = source.parse(response.body, url=response.url, page=page)
        assert (release.symbol, release.meeting, len(release.votes)) == (
            "SC/15648", "S/PV.9591", 1)
        [missing] = source.archived(["2024-sc1"])
        with pytest.raises(NotFound):
            source.fetch(client, missing, None)
    assert source.missing(NotFound("u", "gone", 404)) is None  # noted, not a failure


def test_the_meeting_records_asked_for_and_their_archive_ids_read_back() -> None:
    source = MeetingRecordsSource("https://documents.un.org")
    state = SyncState(wanted=[("S/PV.9591", 2024), ("S/PV.2970 (Part I)", 1990),
                              ("SC/15648", 2024), ("S/PV.49", 1946)])
    pages = source.plan(state, since=None, until=None, today=TODAY).pages
    assert [p.detail for p in pages] == ["S/PV.49", "S/PV.2970 (Part I)", "S/PV.9591"]
    assert [p.page_id for p in pages] == [
        "S_2FPV.49", "S_2FPV.2970_20_28Part_20I_29", "S_2FPV.9591"]
    assert [p.detail for p in source.archived([p.page_id for p in pages])] == [
        "S/PV.49", "S/PV.2970 (Part I)", "S/PV.9591"]
    assert record_url("https://documents.un.org/", "S/PV.9591") == (
        "https://documents.un.org/api/symbol/access?s=S%2FPV.9591&l=en&t=pdf")


def test_a_record_not_yet_published_is_said_so(replay: Replay) -> None:
    replay.pages["/api/symbol/access"] = b""
    source = MeetingRecordsSource(replay.url)
    [page] = source.archived(["S_2FPV.9999"])
    with polite() as client:
        response = source.fetch(client, page, None)
    assert response.status == 200 and response.body == b""
    assert replay.requests[0][0] == "/api/symbol/access?s=S%2FPV.9999&l=en&t=pdf"
    with pytest.raises(NotPublished, match=r"S/PV\.9999"):
        source.parse(response.body, url=response.url, page=page)
