"""Provisional votes that no later source confirms do not stay (issue 16, review), and the
feed's releases are taken by what is archived, not by the feed's dates.

A vote a press release gives of a meeting no meetings table names yet is stored as
provisional (``db.provisional``). What the release alone said must go when the release,
read again, no longer says it (the UN corrected it), or when a meetings table names the
meeting and not the vote (the release misread it): else a misread resolution number stays
beside the right one for good, and ``tracker rebuild`` (the tables first) gives another
database than the syncs did. The fixtures are the real releases' shape
(tests/fixtures/press) and the Library's 2024 table (tests/fixtures/dhl)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlmodel import SQLModel

from db.engine import make_engine
from db.models import Draft, Finding, Meeting, Resolution, Statement, Veto, VoteEvent
from db.provisional import provisional_events
from db.upsert import table_of
from tests.conftest import Replay
from tracker.settings import Settings
from tracker.sync import SyncSummary, rebuild, sync

FIXTURES = Path(__file__).resolve().parent / "fixtures"
FEED = (FIXTURES / "press" / "rss.xml").read_bytes()
FAILED = (FIXTURES / "press" / "sc15648.htm").read_bytes()  # S/PV.9591, S/2024/255 vetoed
ADOPTED = (FIXTURES / "press" / "sc15626.htm").read_bytes()  # S/PV.9573, S/RES/2727 (2024)
TABLE_2024 = (FIXTURES / "dhl" / "scact2024_table_en.htm").read_bytes()
# the release misreads the resolution it adopted: 2728 where the table says 2727
MISREAD = ADOPTED.replace(b"adopted resolution 2727 (2024)", b"adopted resolution 2728 (2024)")
# ... or the meeting: the 9574th where the table says the 9573rd
MISREAD_MEETING = ADOPTED.replace(b"9573rd Meeting", b"9574th Meeting")
# the feed without the release of 15 March (SC/15626)
FEED_WITHOUT_15626 = FEED[:FEED.index(b"    <item>\n  <title>Security Council Extends")] + (
    b"  </channel>\n</rss>\n")
UNMATCHED_2728 = (
    "press_vote_unmatched",
    "the release counts a vote (14-0-1) on S/RES/2728 (2024), which is no vote the tables "
    "record at that meeting (they record S/RES/2727 (2024)); the release's vote is not "
    "kept (not stored or, stored from the release before the tables named the meeting, "
    "removed)")


def serve(replay: Replay, *, adopted: bytes = ADOPTED, feed: bytes = FEED) -> None:
    replay.pages["/en/rss.xml"] = feed
    replay.pages["/en/2024/sc15648.doc.htm"] = FAILED
    replay.pages["/en/2024/sc15626.doc.htm"] = adopted
    replay.pages["/depts/dhl/resguide/scact2024_table_en.htm"] = TABLE_2024


def settings_for(replay: Replay, tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", un_org_url=replay.url, undl_url=replay.url,
                    press_url=replay.url, docs_url=replay.url, requests_per_second=0,
                    max_attempts=1)


def run(replay: Replay, tmp_path: Path, *sources: str, full: bool = False,
        url: str | None = None) -> tuple[Engine, SyncSummary]:
    engine = make_engine(url or f"sqlite:///{tmp_path / 'tracker.sqlite'}")
    summary = sync(engine, settings_for(replay, tmp_path), today=dt.date(2024, 6, 1),
                   since=2024, until=2024, sources=sources, full=full)
    assert summary.ok, summary.problems
    return engine, summary


def written(summary: SyncSummary) -> tuple[int, int, int]:
    totals = summary.totals()
    return totals.new, totals.changed, totals.deleted


def provisional(engine: Engine) -> dict[str, tuple[str | None, str]]:
    """{vote key: (outcome, tally)} of the provisional votes."""
    ve = table_of(VoteEvent)
    with engine.connect() as c:
        return {k: (o, f"{y}-{n}-{a}") for k, o, y, n, a in c.execute(
            select(ve.c.key, ve.c.outcome, ve.c.yes, ve.c.no, ve.c.abstain)
            .where(ve.c.id.in_(provisional_events())))}


def votes_at(engine: Engine) -> dict[str, list[str]]:
    """{meeting record: the keys of the vote events at it}, and the meetings stored."""
    ve, m = table_of(VoteEvent), table_of(Meeting)
    with engine.connect() as c:
        found: dict[str, list[str]] = {r: [] for r in c.execute(select(m.c.record)).scalars()}
        for record, key in c.execute(select(m.c.record, ve.c.key)
                                     .join(ve, ve.c.meeting_id == m.c.id).order_by(ve.c.key)):
            found[record].append(key)
    return found


def resolutions(engine: Engine) -> list[str]:
    with engine.connect() as c:
        return sorted(c.execute(select(table_of(Resolution).c.symbol)).scalars())


def findings(engine: Engine, kind: str) -> list[tuple[str, str]]:
    f = table_of(Finding)
    with engine.connect() as c:
        return sorted(c.execute(select(f.c.kind, f.c.message).where(f.c.kind == kind)))


_NATURAL = ("record", "symbol", "key", "code", "slug")
# when each run began (a rebuild is a run of its own); the mandates' state on "today" (a
# sync here is told the day, a rebuild reads the clock)
_NOT_COMPARED = {"sync_run", "mandate"}
# ids, and when a row was fetched or first seen: an unchanged row keeps the time of the
# fetch that first stated it, a rebuild reads the latest version's
_TIMES = ("id", "fetched_at", "first_seen")


def contents(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, without their ids: each reference to another row by that row's
    natural key (a meeting's record, a vote's key, ...), so two databases built in another
    order compare equal when they hold the same facts."""
    tables = SQLModel.metadata.sorted_tables
    out: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as c:
        natural = {}
        for t in tables:
            column = next((n for n in _NATURAL if n in t.c), None)
            if column is not None and "id" in t.c:
                natural[t.name] = dict(c.execute(select(t.c.id, t.c[column])).all())
        for t in tables:
            if t.name in _NOT_COMPARED:
                continue
            refs = {fk.parent.name: fk.column.table.name for fk in t.foreign_keys
                    if fk.column.name == "id"}
            names = [column.name for column in t.c if column.name not in _TIMES]
            out[t.name] = sorted(
                (tuple(repr(natural[refs[n]].get(row[n]) if n in refs else row[n])
                       for n in names))
                for row in c.execute(select(*(t.c[n] for n in names))).mappings())
    return out


def assert_rebuild_agrees(replay: Replay, tmp_path: Path, engine: Engine) -> None:
    synced = contents(engine)
    assert rebuild(engine, settings_for(replay, tmp_path)).ok
    rebuilt = contents(engine)
    assert {t: rows for t, rows in synced.items() if rows != rebuilt[t]} == {
        t: rows for t, rows in rebuilt.items() if rows != synced[t]} == {}


# --- a meetings table that names the meeting and not the vote ---------------------------


def test_a_table_that_does_not_list_a_provisional_vote_removes_it(
        replay: Replay, tmp_path: Path) -> None:
    """A release that misread the resolution (2728 where the table says 2727) must leave,
    once the table names the meeting, only the table's vote at it: the release's vote, its
    resolution and its provisional mark gone, and a finding saying what the release said,
    what the table records and what was removed; a second sync must change nothing, and
    `tracker rebuild` must give the same database."""
    serve(replay, adopted=MISREAD)
    engine, _ = run(replay, tmp_path, "press-releases")
    assert provisional(engine) == {"S/2024/255": ("vetoed", "13-1-1"),
                                   "S/RES/2728 (2024)": ("adopted_with_vote", "14-0-1")}

    run(replay, tmp_path, "meetings")
    assert provisional(engine) == {}
    at = votes_at(engine)
    assert (at["S/PV.9573"], at["S/PV.9591"]) == (["S/RES/2727 (2024)"], ["S/2024/255"])
    assert "S/RES/2728 (2024)" not in resolutions(engine)
    assert "S/RES/2727 (2024)" in resolutions(engine)
    assert findings(engine, "press_vote_unmatched") == [UNMATCHED_2728]
    with engine.connect() as c:  # the release's statements stay, at the table's meeting
        assert c.execute(select(table_of(Statement).c.id)).first() is not None

    _, again = run(replay, tmp_path, "meetings", "press-releases")
    assert written(again) == (0, 0, 0)
    assert_rebuild_agrees(replay, tmp_path, engine)
    assert findings(engine, "press_vote_unmatched") == [UNMATCHED_2728]


# --- a release read again that no longer says it ----------------------------------------


@pytest.mark.parametrize(("before", "gone_meeting"), [
    (MISREAD, None),  # the resolution's number corrected
    (MISREAD_MEETING, "S/PV.9574"),  # the meeting's number corrected
])
def test_a_corrected_release_removes_what_it_no_longer_says(
        replay: Replay, tmp_path: Path, before: bytes, gone_meeting: str | None) -> None:
    """A release read again (``--full``) after the UN corrected it must leave only what it
    says now: its earlier provisional vote (and resolution) or meeting removed, one
    provisional adoption at the meeting; a second sync must change nothing, and `tracker
    rebuild` must give the same database."""
    serve(replay, adopted=before)
    engine, _ = run(replay, tmp_path, "press-releases")
    assert len(provisional(engine)) == 2
    if gone_meeting:
        assert votes_at(engine)[gone_meeting] == ["S/RES/2727 (2024)"]

    serve(replay)  # the corrected release
    run(replay, tmp_path, "press-releases", full=True)
    assert provisional(engine) == {"S/2024/255": ("vetoed", "13-1-1"),
                                   "S/RES/2727 (2024)": ("adopted_with_vote", "14-0-1")}
    assert votes_at(engine) == {"S/PV.9573": ["S/RES/2727 (2024)"],
                                "S/PV.9591": ["S/2024/255"]}
    assert resolutions(engine) == ["S/RES/2727 (2024)"]
    with engine.connect() as c:
        m, st = table_of(Meeting), table_of(Statement)
        assert set(c.execute(select(m.c.record).join(st, st.c.meeting_id == m.c.id)
                             ).scalars()) == {"S/PV.9573", "S/PV.9591"}

    _, again = run(replay, tmp_path, "press-releases")
    assert written(again) == (0, 0, 0)
    assert_rebuild_agrees(replay, tmp_path, engine)


# --- the feed ---------------------------------------------------------------------------


def test_a_feed_item_dated_before_the_last_sync_is_fetched_when_not_archived(
        replay: Replay, tmp_path: Path) -> None:
    """A release the feed lists after a sync began, with an earlier date (a cached feed, a
    release dated before it was published), must be fetched by the next sync, since it is
    not archived; one archived already must not be fetched again."""
    serve(replay, feed=FEED_WITHOUT_15626)
    engine, _ = run(replay, tmp_path, "press-releases")
    assert list(provisional(engine)) == ["S/2024/255"]

    serve(replay)  # now the feed lists SC/15626, dated 15 March 2024
    replay.requests.clear()
    run(replay, tmp_path, "press-releases")
    assert [path for path, _ in replay.requests] == ["/en/rss.xml", "/en/2024/sc15626.doc.htm"]
    assert provisional(engine)["S/RES/2727 (2024)"] == ("adopted_with_vote", "14-0-1")


# --- on the real 2022 pages: the meetings table and the Veto List -----------------------

TABLES = Path("un_org_dhl_html")
SENTENCE_2024 = (b"draft resolution S/2024/255 by a vote of 13 in favour to 1 against (Russian "
                 b"Federation), with 1 abstention (China)")


def release_14911(draft: bytes) -> bytes:
    """The release of S/PV.9048 (26 May 2022, SC/14911) in the real ones' shape, counting
    the vote on a draft: 13 in favour, 2 against (China, Russian Federation)."""
    return (FAILED.replace(b"2024/sc15648", b"2022/sc14911")
            .replace(b"28 March 2024", b"26 May 2022")
            .replace(b"9591st Meeting (AM)", b"9048th Meeting (PM)")
            .replace(b"SC/15648", b"SC/14911")
            .replace(SENTENCE_2024, b"draft resolution " + draft + b" by a vote of 13 in "
                     b"favour to 2 against (China, Russian Federation), with no abstentions"))


def serve_2022(replay: Replay, shared_data: Path, draft: bytes) -> None:
    replay.pages["/en/rss.xml"] = FEED_WITHOUT_15626.replace(
        b"2024/sc15648", b"2022/sc14911")
    replay.pages["/en/2022/sc14911.doc.htm"] = release_14911(draft)
    real = shared_data / TABLES
    replay.pages["/depts/dhl/resguide/scact2022_table_en.html"] = (
        real / "scact_tables" / "scact2022_table_en.html").read_bytes()
    replay.pages["/depts/dhl/resguide/scact_veto_table_en.html"] = (
        real / "scact_veto_table_en.html").read_bytes()


def run_2022(replay: Replay, tmp_path: Path, *sources: str, full: bool = False) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'tracker.sqlite'}")
    summary = sync(engine, settings_for(replay, tmp_path), today=dt.date(2022, 12, 31),
                   since=2022, until=2022, sources=sources, full=full)
    assert summary.ok, summary.problems
    return engine


def test_the_real_2022_table_removes_a_misread_draft(replay: Replay, tmp_path: Path,
                                                     shared_data: Path) -> None:
    """The real 2022 table names S/PV.9048 with the vote on S/2022/431: a release that
    misread the draft (S/2022/432) must leave no vote, no draft of that symbol once the
    table is synced, and say so; `tracker rebuild` must give the same database."""
    serve_2022(replay, shared_data, b"S/2022/432")
    engine = run_2022(replay, tmp_path, "press-releases")
    assert provisional(engine) == {"S/2022/432": ("vetoed", "13-2-0")}

    run_2022(replay, tmp_path, "meetings")
    assert provisional(engine) == {}
    assert votes_at(engine)["S/PV.9048"] == ["S/2022/431"]
    with engine.connect() as c:
        d = table_of(Draft)
        assert c.execute(select(d.c.id).where(d.c.symbol == "S/2022/432")).first() is None
    assert findings(engine, "press_vote_unmatched") == [(
        "press_vote_unmatched",
        "the release counts a vote (13-2-0) on S/2022/432, which is no vote the tables "
        "record at that meeting (they record S/2022/431); the release's vote is not kept "
        "(not stored or, stored from the release before the tables named the meeting, "
        "removed)")]
    assert_rebuild_agrees(replay, tmp_path, engine)


def test_a_vote_the_veto_list_names_is_neither_provisional_nor_removed(
        replay: Replay, tmp_path: Path, shared_data: Path) -> None:
    """The real Veto List names the veto of S/2022/431 at S/PV.9048: a vote a release
    stored as provisional is no longer provisional once the Veto List names it (it adds its
    vetoes without taking the vote over), and a release read again that no longer counts
    it must not remove it."""
    serve_2022(replay, shared_data, b"S/2022/431")
    engine = run_2022(replay, tmp_path, "press-releases")
    assert provisional(engine) == {"S/2022/431": ("vetoed", "13-2-0")}
    run_2022(replay, tmp_path, "veto-list")
    assert provisional(engine) == {}

    # the release read again counts the vote on no draft it names: the Veto List's stays
    replay.pages["/en/2022/sc14911.doc.htm"] = release_14911(b"S/2022/431").replace(
        b"draft resolution S/2022/431 by", b"a draft resolution by")
    run_2022(replay, tmp_path, "press-releases", full=True)
    assert votes_at(engine)["S/PV.9048"] == ["S/2022/431"]
    v, ve = table_of(Veto), table_of(VoteEvent)
    with engine.connect() as c:
        assert sorted(c.execute(select(v.c.member_code, v.c.source)
                                .join(ve, ve.c.id == v.c.vote_event_id)
                                .where(ve.c.key == "S/2022/431"))) == [
            ("CHN", "dhl-veto-list"), ("RUS", "dhl-veto-list")]


def test_removal_on_both_backends(replay: Replay, tmp_path: Path, database_url: str) -> None:
    """What no later source confirms must be removed alike on SQLite and PostgreSQL: the
    corrected release's earlier meeting, and the vote the table does not record."""
    serve(replay, adopted=MISREAD_MEETING)
    engine, _ = run(replay, tmp_path, "press-releases", url=database_url)
    serve(replay, adopted=MISREAD)
    run(replay, tmp_path, "press-releases", full=True, url=database_url)
    assert votes_at(engine) == {"S/PV.9573": ["S/RES/2728 (2024)"],
                                "S/PV.9591": ["S/2024/255"]}
    run(replay, tmp_path, "meetings", url=database_url)
    assert provisional(engine) == {}
    assert votes_at(engine) == {"S/PV.9573": ["S/RES/2727 (2024)"],
                                "S/PV.9591": ["S/2024/255"]}
    assert resolutions(engine) == ["S/RES/2727 (2024)"]
    assert findings(engine, "press_vote_unmatched") == [UNMATCHED_2728]
