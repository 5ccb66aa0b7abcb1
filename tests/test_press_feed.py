"""Fresh within the hour (issue 16): the press release feed, and the votes it leads to,
stored as provisional until the meetings tables or the Digital Library confirm them.

The feed's shape is the live one as a public reader saved it (boostedchaos/Pythia,
tests/fixtures/un_press.xml): RSS 2.0 with ``xml:base``, the Council's releases beside the
Secretary-General's and a live blog of the same meeting (``/en/blog/sc16444``)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from council.records import ParseError
from db.engine import make_engine
from db.models import Draft, Finding, Meeting, MemberVote, VoteEvent
from db.provisional import provisional_events
from db.upsert import table_of
from reports.profiles import rollcall_profile
from reports.status import database_status
from scrapers.archive import RawArchive
from scrapers.press.feed import FeedItem, parse_press_feed
from scrapers.press.parse import parse_press_release
from scrapers.press.source import PressReleasesSource
from tests.conftest import Replay
from tests.undl_replay import DigitalLibrary
from tracker.settings import Settings
from tracker.sync import SyncSummary, rebuild, sync

FIXTURES = Path(__file__).resolve().parent / "fixtures"
FEED = (FIXTURES / "press" / "rss.xml").read_bytes()
FAILED = (FIXTURES / "press" / "sc15648.htm").read_bytes()  # S/2024/255, vetoed 13-1-1
ADOPTED = (FIXTURES / "press" / "sc15626.htm").read_bytes()  # S/RES/2727 (2024), 14-0-1
REAL_2722 = Path("undl_records") / "record_4033397_S-RES-2722(2024)_vote.marcxml.xml"
SEEN = dt.datetime(2024, 3, 29, tzinfo=dt.UTC)


def release_2722(sentence: str) -> bytes:
    """A release of S/PV.9527 (10 January 2024) in the real ones' shape, counting a vote."""
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Security Council Demands Houthis Cease Attacks | Meetings Coverage and Press Releases</title>
</head><body><main role="main">
<div class="field field--name-field-display-date"><time>10 January 2024</time></div>
<div class="field field--name-field-meeting-number">9527th Meeting (PM)</div>
<div class="field field--name-field-symbol">SC/15561</div>
<h1 class="page-header"><span>Security Council Demands That Houthis Cease Attacks</span></h1>
<div class="field field--name-body"><p>{sentence}</p>
<p>For information media. Not an official record.</p></div></main></body></html>""".encode()


# --- the feed, parsed -------------------------------------------------------------------


def test_the_feed_gives_the_councils_releases_once_and_nothing_else() -> None:
    """The parser must keep the Council's releases (sc{N}.doc.htm), each once, with the
    year of its address and its date in UTC; the live blog of the same meeting and the
    Secretary-General's statement are not Council releases."""
    feed = parse_press_feed(FEED, url="http://127.0.0.1/en/rss.xml")
    assert [(i.symbol, i.year, i.url, i.published) for i in feed.items] == [
        ("SC/15648", 2024, "https://press.un.org/en/2024/sc15648.doc.htm",
         dt.datetime(2024, 3, 28, 17, 2, 11, tzinfo=dt.UTC)),
        ("SC/15626", 2024, "https://press.un.org/en/2024/sc15626.doc.htm",
         dt.datetime(2024, 3, 15, 15, 20, 40, tzinfo=dt.UTC))]
    assert feed.other_items == 2


def test_relative_links_are_read_against_the_feeds_base() -> None:
    """A link written relative to the feed's ``xml:base`` must resolve against it."""
    body = FEED.replace(b"<link>https://press.un.org/en/2024/sc15626.doc.htm</link>",
                        b"<link>2024/sc15626.doc.htm</link>")
    feed = parse_press_feed(body, url="http://127.0.0.1/en/rss.xml")
    assert feed.items[1].url == "https://press.un.org/en/2024/sc15626.doc.htm"


def test_the_feed_is_read_without_expanding_entities() -> None:
    """An entity the feed declares must not be expanded (no file, no network is read)."""
    body = (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<rss version="2.0"><channel><item><title>&x;</title>'
            b"<link>https://press.un.org/en/2024/sc1.doc.htm</link></item></channel></rss>")
    feed = parse_press_feed(body, url="u")
    assert [(i.symbol, i.title) for i in feed.items] == [("SC/1", None)]


@pytest.mark.parametrize(("body", "says"), [
    (b"<html><body>Access denied</body></html>", "no RSS 2.0 feed"),
    (b'<rss version="2.0"><channel><title>t</title></channel></rss>', "lists no item"),
    (b"", "not XML"),
])
def test_a_feed_that_is_no_feed_is_a_parse_error(body: bytes, says: str) -> None:
    """An empty or foreign answer must be an error, never "nothing new"."""
    with pytest.raises(ParseError, match=says):
        parse_press_feed(body, url="u")


def test_the_feed_gives_what_is_not_archived_yet() -> None:
    """The releases the feed lists that are not archived yet are new, whatever their
    dates; with nothing archived (or ``--full``), all of them."""
    feed = parse_press_feed(FEED, url="u")
    assert [i.symbol for i in PressReleasesSource.news(feed, archived={"2024-sc15626"})] == [
        "SC/15648"]
    assert [i.symbol for i in PressReleasesSource.news(feed, archived=set())] == [
        "SC/15648", "SC/15626"]
    feed.items.append(FeedItem("SC/1", 2024, "u", None, None))
    assert "SC/1" in [i.symbol for i in PressReleasesSource.news(feed, archived={"2024-sc15626"})]


def test_a_release_names_the_resolution_it_adopted() -> None:
    """The vote sentence of an adoption must give the resolution it adopted."""
    release = parse_press_release(ADOPTED, url="u")
    (vote,) = release.votes
    assert (vote.outcome, vote.resolution, str(vote.tally), vote.named) == (
        "adopted", "S/RES/2727 (2024)", "14-0-1", {"A": ("RUS",)})
    (vote,) = parse_press_release(release_2722(
        "Adopting resolution 2722 (2024) by 11 votes in favour to none against, with 4 "
        "abstentions (Algeria, China, Mozambique, Russian Federation), the Council demanded "
        "that the Houthis cease all attacks."), url="u").votes
    assert (vote.outcome, vote.resolution, str(vote.tally)) == (
        "adopted", "S/RES/2722 (2024)", "11-0-4")


# --- the feed in a sync -----------------------------------------------------------------


def serve(replay: Replay, *, adopted: bytes = ADOPTED, feed: bytes = FEED) -> None:
    replay.pages["/en/rss.xml"] = feed
    replay.pages["/en/2024/sc15648.doc.htm"] = FAILED
    replay.pages["/en/2024/sc15626.doc.htm"] = adopted
    replay.pages["/depts/dhl/resguide/scact2024_table_en.htm"] = (
        FIXTURES / "dhl" / "scact2024_table_en.htm").read_bytes()


def run(replay: Replay, tmp_path: Path, *sources: str,
        url: str | None = None) -> tuple[Engine, SyncSummary]:
    settings = Settings(data_dir=tmp_path / "data", un_org_url=replay.url, undl_url=replay.url,
                        press_url=replay.url, docs_url=replay.url, requests_per_second=0,
                        max_attempts=1)
    engine = make_engine(url or f"sqlite:///{tmp_path / 'tracker.sqlite'}")
    summary = sync(engine, settings, today=dt.date(2024, 6, 1), since=2024, until=2024,
                   sources=sources)
    assert summary.ok, summary.problems
    return engine, summary


def provisional(engine: Engine) -> dict[str, tuple[str | None, str | None]]:
    """{vote key: (outcome, tally)} of the provisional votes."""
    ve = table_of(VoteEvent)
    with engine.connect() as c:
        return {k: (o, f"{y}-{n}-{a}") for k, o, y, n, a in c.execute(
            select(ve.c.key, ve.c.outcome, ve.c.yes, ve.c.no, ve.c.abstain)
            .where(ve.c.id.in_(provisional_events())))}


def votes_on(engine: Engine, key: str) -> dict[str, str]:
    mv, ve = table_of(MemberVote), table_of(VoteEvent)
    with engine.connect() as c:
        return dict(c.execute(select(mv.c.member_code, mv.c.vote)
                              .join(ve, ve.c.id == mv.c.vote_event_id).where(ve.c.key == key)
                              ).all())


def findings(engine: Engine, source: str = "press-releases") -> list[tuple[str, str]]:
    f = table_of(Finding)
    with engine.connect() as c:
        return sorted(c.execute(select(f.c.kind, f.c.message).where(f.c.source == source)))


def test_the_feed_stores_the_councils_votes_as_provisional(replay: Replay,
                                                           tmp_path: Path) -> None:
    """A press sync must read the feed, fetch the Council's releases it lists (not the
    blog, not the Secretary-General's), archive the feed, and store each vote the release
    counts as provisional: meeting, draft or resolution, outcome and count, and the members
    it names; a second sync must change nothing."""
    serve(replay)
    engine, _ = run(replay, tmp_path, "press-releases")
    asked = [path for path, _ in replay.requests]
    # the host's robots.txt first (none: no rules), once
    assert asked == ["/robots.txt", "/en/rss.xml", "/en/2024/sc15626.doc.htm",
                     "/en/2024/sc15648.doc.htm"]
    assert provisional(engine) == {"S/2024/255": ("vetoed", "13-1-1"),
                                   "S/RES/2727 (2024)": ("adopted_with_vote", "14-0-1")}
    assert votes_on(engine, "S/2024/255") == {"RUS": "N", "CHN": "A"}
    assert votes_on(engine, "S/RES/2727 (2024)") == {}  # an adoption's roll call: the Library's
    m, d = table_of(Meeting), table_of(Draft)
    with engine.connect() as c:
        assert sorted(c.execute(select(m.c.record, m.c.date, m.c.press_release))) == [
            ("S/PV.9573", dt.date(2024, 3, 15), "SC/15626"),
            ("S/PV.9591", dt.date(2024, 3, 28), "SC/15648")]
        assert c.execute(select(d.c.symbol, d.c.status)).all() == [("S/2024/255", "vetoed")]
    assert findings(engine) == [(
        "press_votes_not_derived",
        "the release names 2 of the members on S/2024/255; the others' votes were not "
        "derived: the Council's membership that year is not known")]
    archive = RawArchive(tmp_path / "data" / "raw")
    feed = archive.load("press-releases", "feed")
    assert feed is not None and feed.body == FEED

    replay.requests.clear()
    _, again = run(replay, tmp_path, "press-releases")
    totals = again.totals()
    assert (totals.new, totals.changed, totals.deleted) == (0, 0, 0)
    # nothing new since; the host's robots.txt (a 404: no rules) is kept for the day
    assert [path for path, _ in replay.requests] == ["/en/rss.xml"]

    # the raw archive gives the same provisional votes, with no network
    settings = Settings(data_dir=tmp_path / "data", press_url="http://127.0.0.1:9")
    assert rebuild(engine, settings).ok
    assert provisional(engine) == {"S/2024/255": ("vetoed", "13-1-1"),
                                   "S/RES/2727 (2024)": ("adopted_with_vote", "14-0-1")}


def test_the_meetings_table_confirms_the_provisional_votes(replay: Replay,
                                                          tmp_path: Path) -> None:
    """When the meetings table names the meetings, the votes must no longer be provisional
    (the table now states them), the release's roll call must stay, and nothing disagrees."""
    serve(replay)
    engine, _ = run(replay, tmp_path, "press-releases")
    run(replay, tmp_path, "meetings")
    assert provisional(engine) == {}
    assert votes_on(engine, "S/2024/255") == {"RUS": "N", "CHN": "A"}
    assert findings(engine) == [(
        "press_votes_not_derived",
        "the release names 2 of the members on S/2024/255; the others' votes were not "
        "derived: the Council's membership that year is not known")]
    profile = rollcall_profile(engine, "S/2024/255")
    assert profile.heading == "S/2024/255 (2024-03-28): vetoed by RUS, 13-1-1"


def test_a_table_that_counts_otherwise_gives_a_finding(replay: Replay, tmp_path: Path) -> None:
    """A release whose count the meetings table contradicts must give a finding once the
    table arrives, and the table's tally must be the one kept."""
    serve(replay, adopted=ADOPTED.replace(b"14 in favour", b"13 in favour").replace(
        b"with 1 abstention (Russian Federation)",
        b"with 2 abstentions (China, Russian Federation)"))
    engine, _ = run(replay, tmp_path, "press-releases")
    assert provisional(engine)["S/RES/2727 (2024)"] == ("adopted_with_vote", "13-0-2")
    run(replay, tmp_path, "meetings")
    assert provisional(engine) == {}
    assert ("press_tally_mismatch",
            "the release counts the adoption of S/RES/2727 (2024) 13-0-2, the stored tally is "
            "14-0-1; the stored tally was kept") in findings(engine)
    assert rollcall_profile(engine, "S/RES/2727 (2024)").tally == "14-0-1"


@pytest.mark.parametrize(("sentence", "disagrees"), [
    ("The Council adopted resolution 2722 (2024) by a vote of 11 in favour to none against, "
     "with 4 abstentions (Algeria, China, Mozambique, Russian Federation).", None),
    ("The Council adopted resolution 2722 (2024) by a vote of 12 in favour to none against, "
     "with 3 abstentions (China, Mozambique, Russian Federation).",
     "the release's roll call on S/RES/2722 (2024) disagrees with the stored one (it counts "
     "11-0-4 there, 12-0-3 here); the stored one was kept"),
])
def test_the_voting_record_confirms_a_provisional_adoption(
        replay: Replay, tmp_path: Path, shared_data: Path, sentence: str,
        disagrees: str | None) -> None:
    """The Digital Library's voting record (the real one of S/RES/2722 (2024)) must lift the
    provisional mark of the adoption a release stored, and a release that counts the vote
    otherwise than the record's roll call must give a finding."""
    record = (shared_data / REAL_2722).read_bytes()
    serve(replay)
    replay.pages["/en/rss.xml"] = FEED.replace(b"sc15626", b"sc15561")
    replay.pages["/en/2024/sc15561.doc.htm"] = release_2722(sentence)
    DigitalLibrary([("2024-01-10", "4033397", record)]).serve(replay)
    engine, _ = run(replay, tmp_path, "press-releases")
    assert provisional(engine)["S/RES/2722 (2024)"][1] == (
        "11-0-4" if disagrees is None else "12-0-3")
    run(replay, tmp_path, "voting-records")
    assert "S/RES/2722 (2024)" not in provisional(engine)
    assert sorted(votes_on(engine, "S/RES/2722 (2024)").items())[:2] == [
        ("CHE", "Y"), ("CHN", "A")]
    kinds = [f for f in findings(engine) if f[0] == "press_roll_call_disagrees"]
    assert kinds == ([] if disagrees is None else [("press_roll_call_disagrees", disagrees)])


def test_reports_say_a_vote_is_provisional(replay: Replay, tmp_path: Path) -> None:
    """`tracker votes` and `tracker status` must say a vote is known only from a press
    release; `status` must say how fresh each source is."""
    serve(replay)
    engine, _ = run(replay, tmp_path, "press-releases")
    profile = rollcall_profile(engine, "S/2024/255")
    assert profile.heading == ("S/2024/255 (2024-03-28): vetoed by RUS, 13-1-1 (provisional: "
                               "known only from press release SC/15648)")
    assert profile.as_json()["provisional"] is True
    status = database_status(engine, database="test")
    latest = status.parts()["Latest votes"]
    assert latest[["vote", "date", "outcome", "tally", "provisional"]].values.tolist() == [
        ["S/2024/255", dt.date(2024, 3, 28), "vetoed", "13-1-1", True],
        ["S/RES/2727 (2024)", dt.date(2024, 3, 15), "adopted_with_vote", "14-0-1", True]]
    fresh = {r["source"]: r for r in status.freshness}
    assert fresh["press-releases"]["newest"] == dt.date(2024, 3, 28)
    assert fresh["press-releases"]["newest_item"] == "SC/15648"
    assert fresh["press-releases"]["last_fetched"] is not None
    assert fresh["meetings"]["newest"] is None and fresh["meetings"]["last_fetched"] is None

    run(replay, tmp_path, "meetings")
    status = database_status(engine, database="test")
    latest = status.parts()["Latest votes"]
    assert latest["provisional"].tolist() == [False, False]
    fresh = {r["source"]: r for r in status.freshness}
    assert (fresh["meetings"]["newest"], fresh["meetings"]["newest_item"]) == (
        dt.date(2024, 3, 28), "S/PV.9591")
    assert re.match(r"\d{4}-\d\d-\d\d", str(fresh["meetings"]["last_fetched"]))


def test_sync_source_press_reads_the_feed_and_votes_show_provisional(
        replay: Replay, tmp_path: Path) -> None:
    """`tracker sync --source press` must sync the press releases (feed first), and
    `tracker votes` must say the vote is provisional."""
    from typer.testing import CliRunner

    from tracker.cli import app

    serve(replay)
    env = {"TRACKER_DATA_DIR": str(tmp_path / "data"), "TRACKER_UN_ORG_URL": replay.url,
           "TRACKER_UNDL_URL": replay.url, "TRACKER_PRESS_URL": replay.url,
           "TRACKER_DOCS_URL": replay.url,
           "TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 'tracker.sqlite'}",
           "TRACKER_REQUESTS_PER_SECOND": "0", "TRACKER_MAX_ATTEMPTS": "1",
           "COLUMNS": "200"}
    result = CliRunner().invoke(app, ["sync", "--source", "press", "--format", "json"], env=env)
    assert result.exit_code == 0, result.output
    assert next(p for p, _ in replay.requests if p != "/robots.txt") == "/en/rss.xml"
    shown = CliRunner().invoke(app, ["votes", "S/2024/255"], env=env)
    assert shown.exit_code == 0, shown.output
    assert ("S/2024/255 (2024-03-28): vetoed by RUS, 13-1-1 (provisional: known only from "
            "press release SC/15648)") in shown.output


def test_provisional_votes_and_freshness_on_both_backends(
        replay: Replay, tmp_path: Path, database_url: str) -> None:
    """The provisional votes, their confirmation and the freshness must read alike on
    SQLite and PostgreSQL."""
    serve(replay)
    engine, _ = run(replay, tmp_path, "press-releases", url=database_url)
    assert provisional(engine) == {"S/2024/255": ("vetoed", "13-1-1"),
                                   "S/RES/2727 (2024)": ("adopted_with_vote", "14-0-1")}
    status = database_status(engine, database="test")
    assert status.parts()["Latest votes"]["provisional"].tolist() == [True, True]
    run(replay, tmp_path, "meetings", url=database_url)
    assert provisional(engine) == {}
    fresh = {r["source"]: (r["newest"], r["newest_item"])
             for r in database_status(engine, database="test").freshness}
    assert fresh["meetings"] == (dt.date(2024, 3, 28), "S/PV.9591")
    assert fresh["press-releases"] == (dt.date(2024, 3, 28), "SC/15648")
