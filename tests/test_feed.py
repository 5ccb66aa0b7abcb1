"""The Atom feed (issue 17, item 3): the newest votes, vetoes marked, and the mandates that
expire soon; parsed back as Atom, ids the same in every run, a file rewritten only when an
entry changed."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import feedparser
import pytest
from lxml import etree
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from db.engine import make_engine
from reports.feed import atom, entry_id, feed_entries, latest_votes
from tests.conftest import sync_small_fixtures
from tracker.cli import app

ATOM = "{http://www.w3.org/2005/Atom}"
runner = CliRunner()


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, dict[str, str]]]:
    engine, env = sync_small_fixtures(tmp_path_factory.mktemp("feed"))
    yield engine, env
    engine.dispose()


def test_the_newest_votes_come_first_with_the_facts_every_view_gives(
        small: tuple[Engine, dict[str, str]]) -> None:
    engine, _ = small
    votes = latest_votes(engine, limit=3)
    assert votes[["key", "date", "outcome", "tally", "meeting"]].values.tolist() == [
        ["S/2024/255", dt.date(2024, 3, 28), "vetoed", "13-1-1", "S/PV.9591"],
        ["S/RES/2727 (2024)", dt.date(2024, 3, 15), "adopted_with_vote", "14-0-1",
         "S/PV.9573"],
        ["S/RES/2680 (2023)", dt.date(2023, 3, 23), "adopted_with_vote", "15-0-0",
         "S/PV.9292"],
    ]
    assert votes.loc[0, "vetoed_by"] == ["RUS"]


def test_a_veto_and_an_expiring_mandate_are_entries_in_date_order(
        small: tuple[Engine, dict[str, str]]) -> None:
    engine, _ = small
    entries = feed_entries(engine, today=dt.date(2024, 3, 1), limit=3, expiring_within=90)
    assert entries[["kind", "title", "categories"]].values.tolist() == [
        ["vote", "S/2024/255 vetoed by Russian Federation, 13-1-1", ["vetoed", "veto"]],
        ["vote", "S/RES/2727 (2024) adopted, 14-0-1", ["adopted_with_vote"]],
        ["mandate", "Panel of Experts established pursuant to resolution 1874 (2009) (DPRK) "
                    "expires on 30 April 2024", ["mandate-expiring"]],
        ["vote", "S/RES/2680 (2023) adopted, 15-0-0 (draft S/2023/215)",
         ["adopted_with_vote"]],
    ]
    panel = entries.iloc[2]
    # news from the day the expiry came within 90 days; linked to the renewal that set it
    assert panel["updated"] == panel["published"] == dt.datetime(2024, 1, 31, tzinfo=dt.UTC)
    assert panel["link"].endswith("/record/4007327")
    assert "last action: extended S/RES/2680 (2023)" in panel["summary"]
    assert entries.iloc[0]["summary"].startswith(
        "Vote of 28 March 2024 at meeting S/PV.9591.")


def test_a_mandate_enters_the_feed_when_its_expiry_comes_within_the_window(
        small: tuple[Engine, dict[str, str]]) -> None:
    engine, _ = small
    def mandates_in(today: dt.date, days: int) -> list[str]:
        entries = feed_entries(engine, today=today, limit=1, expiring_within=days)
        return entries.loc[entries["kind"] == "mandate", "subject"].tolist()
    assert mandates_in(dt.date(2024, 1, 30), 90) == []  # 91 days before 30 April
    assert mandates_in(dt.date(2024, 1, 31), 90) == ["dprk-panel-of-experts"]
    assert mandates_in(dt.date(2024, 4, 30), 0) == ["dprk-panel-of-experts"]
    assert mandates_in(dt.date(2024, 5, 1), 90) == []  # expired: no longer active


def test_entry_ids_are_made_from_what_an_entry_is_about() -> None:
    """The scheme is fixed: a feed written by another version or machine gives a reader
    the same id for the same vote."""
    assert entry_id("vote", "S/2024/255") == "urn:uuid:3d49c04b-1de0-5ebf-9380-73b809cbf562"
    assert entry_id("vote", "S/2024/255") != entry_id("vote", "S/2024/256")
    assert entry_id("mandate-expiry", "dprk-panel-of-experts", dt.date(2024, 4, 30)) != (
        entry_id("mandate-expiry", "dprk-panel-of-experts", dt.date(2025, 4, 30)))


def test_the_feed_is_atom_and_the_same_bytes_every_time(
        small: tuple[Engine, dict[str, str]]) -> None:
    engine, _ = small
    entries = feed_entries(engine, today=dt.date(2024, 3, 1), limit=5, expiring_within=90)
    body = atom(entries, self_url="https://example.org/feed.xml")
    assert body == atom(feed_entries(engine, today=dt.date(2024, 3, 1), limit=5,
                                     expiring_within=90), self_url="https://example.org/feed.xml")
    parsed = feedparser.parse(body)
    assert (parsed.bozo, parsed.version) == (0, "atom10")
    assert parsed.feed.title == "UN Security Council: votes, vetoes and expiring mandates"
    # the feed's time is its newest entry's: when the tracker last read a vote's facts
    assert parsed.feed.updated == max(entries["updated"]).isoformat()
    assert parsed.entries[0].published == "2024-03-28T00:00:00+00:00"  # the vote's day
    assert [e.id for e in parsed.entries] == entries["id"].tolist()
    assert [e.title for e in parsed.entries] == entries["title"].tolist()
    assert [t.term for t in parsed.entries[0].tags] == ["vetoed", "veto"]
    assert parsed.entries[0].link.endswith("/depts/dhl/resguide/scact2024_table_en.htm")
    # RFC 4287: the feed and every entry have an id, a title and an updated time; the feed
    # an author; an entry without content would need an alternate link
    root = etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True))
    assert root.tag == f"{ATOM}feed"
    assert root.find(f"{ATOM}author/{ATOM}name").text == "unsc-tracker"
    assert root.find(f"{ATOM}link[@rel='self']").get("href") == "https://example.org/feed.xml"
    for entry in root.iter(f"{ATOM}entry"):
        assert [entry.find(f"{ATOM}{tag}") is not None
                for tag in ("id", "title", "updated", "content")] == [True] * 4


def test_tracker_feed_writes_the_file_only_when_an_entry_changed(
        small: tuple[Engine, dict[str, str]], tmp_path: Path) -> None:
    _, env = small
    out = tmp_path / "feed.xml"
    args = ["feed", "--out", str(out), "--as-of", "2024-03-01", "--limit", "3"]
    first = runner.invoke(app, args, env=env)
    assert first.exit_code == 0, first.output
    assert f"wrote {out}: 3 votes (1 vetoed), 1 mandates expiring within 90 days" in first.output
    os.utime(out, (0, 0))
    again = runner.invoke(app, args, env=env)
    assert again.exit_code == 0 and f"unchanged: {out}" in again.output
    assert out.stat().st_mtime == 0  # not rewritten
    assert out.stat().st_mode & 0o044 == 0o044  # readable by a web server, not owner-only
    more = runner.invoke(app, [*args[:-1], "4"], env=env)
    assert more.exit_code == 0 and f"wrote {out}: 4 votes" in more.output
    assert len(feedparser.parse(out.read_bytes()).entries) == 5


def test_tracker_feed_refuses_what_it_cannot_do(small: tuple[Engine, dict[str, str]],
                                                tmp_path: Path) -> None:
    _, env = small
    missing = runner.invoke(app, ["feed", "--out", str(tmp_path / "no" / "feed.xml")], env=env)
    assert missing.exit_code == 1
    assert f"the folder {tmp_path / 'no'} does not exist" in missing.output
    bad_date = runner.invoke(app, ["feed", "--out", str(tmp_path / "f.xml"), "--as-of",
                                   "2024-13-01"], env=env)
    assert bad_date.exit_code == 2 and "--as-of" in bad_date.output
    none = runner.invoke(app, ["feed", "--out", str(tmp_path / "f.xml"), "--limit", "0"],
                         env=env)
    assert none.exit_code == 2 and "--limit" in none.output


@pytest.fixture
def copy(small: tuple[Engine, dict[str, str]], tmp_path: Path) -> Iterator[Engine]:
    """A copy of the synced database, for a test that changes it."""
    source = small[0].url.database
    assert source is not None
    with sqlite3.connect(source) as live, sqlite3.connect(tmp_path / "copy.sqlite") as kept:
        live.backup(kept)  # the write-ahead log's pages too
    engine = make_engine(f"sqlite:///{tmp_path / 'copy.sqlite'}")
    yield engine
    engine.dispose()


def test_a_provisional_vote_says_so_and_its_correction_is_an_update(copy: Engine) -> None:
    """A vote known only from a press release says so in its title; when a later source
    rewrites its facts, the entry keeps its id and its published day, and its updated time
    moves, so a feed reader shows the correction."""
    def adoption(engine: Engine) -> dict[str, object]:
        entries = feed_entries(engine, today=dt.date(2024, 3, 1), limit=2, expiring_within=0)
        return entries[entries["subject"] == "S/RES/2727 (2024)"].iloc[0].to_dict()

    before = adoption(copy)
    with copy.begin() as connection:
        connection.execute(text(
            "UPDATE vote_event SET source_url = 'https://press.un.org/en/2024/sc15626.doc.htm',"
            " fetched_at = '2030-01-02 03:04:05.678' WHERE key = 'S/RES/2727 (2024)'"))
    after = adoption(copy)
    assert after["title"] == ("S/RES/2727 (2024) adopted, 14-0-1 "
                              "(provisional: press release SC/15626)")
    assert "Provisional: known only from press release SC/15626" in str(after["summary"])
    assert after["id"] == before["id"]
    assert after["published"] == before["published"]
    assert after["updated"] == dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=dt.UTC)


def test_a_link_that_is_not_a_web_page_is_not_published(copy: Engine) -> None:
    with copy.begin() as connection:
        connection.execute(text("UPDATE vote_event SET source_url = 'javascript:alert(1)' "
                                "WHERE key = 'S/2024/255'"))
    entries = feed_entries(copy, today=dt.date(2024, 3, 1), limit=1, expiring_within=0)
    assert entries.loc[0, "link"] is None
    body = atom(entries)
    assert b"javascript:" not in body
