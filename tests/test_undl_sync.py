"""Voting records from a local replay of the Digital Library (never the internet)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from db.models import Finding, MemberVote, SourceRecord, VoteEvent
from scrapers.http import FetchError, PoliteClient
from scrapers.undl.parse import parse_record_xml
from tests.conftest import Replay
from tests.undl_replay import (
    DigitalLibrary,
    Record,
    Vote,
    _strip_declaration,
    from_scrape_csv,
    send,
)
from tracker.settings import Settings
from tracker.sync import sync

COUNCIL_2022 = ("CHN", "FRA", "RUS", "GBR", "USA", "BRA", "JPN", "IND", "KEN", "MEX", "NOR",
                "IRL", "GAB", "GHA", "ARE")
REAL_2722 = Path("undl_records") / "record_4033397_S-RES-2722(2024)_vote.marcxml.xml"


def quiet_client() -> PoliteClient:
    return PoliteClient(requests_per_second=0, max_attempts=2, sleep=lambda _: None)


def run(engine: Engine, settings: Settings, **kwargs) -> object:
    kwargs.setdefault("client", quiet_client())
    kwargs.setdefault("sources", ["voting-records"])
    return sync(engine, settings, today=dt.date(2024, 6, 1), **kwargs)


def count(engine: Engine, model: type, *where) -> int:
    with Session(engine) as session:
        return session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


@pytest.fixture
def real_library(shared_data: Path, replay: Replay, settings: Settings
                 ) -> tuple[DigitalLibrary, Settings]:
    records: list = from_scrape_csv(
        shared_data / "undl_scrape_un_data" / "un_data_security_council_rows.csv")
    records.append(("2024-01-10", "4033397", (shared_data / REAL_2722).read_bytes()))
    library = DigitalLibrary(records)
    library.serve(replay)
    return library, settings.model_copy(update={"undl_url": replay.url, "press_url": replay.url,
                                                "docs_url": replay.url})


def test_full_sync_of_real_roll_calls(engine: Engine, real_library) -> None:
    """Every record is stored with its roll call; a second sync reads at most two pages."""
    library, settings = real_library
    summary = run(engine, settings)
    assert summary.ok, summary.problems
    assert count(engine, SourceRecord) == 2618
    assert count(engine, VoteEvent) == 2618
    # A record whose every 967 is empty (no vote given, totals 0-0-0) is an adoption
    # without a vote: no roll call is stored for it (42 such records in the scrape).
    marc = b"<collection xmlns=\"http://www.loc.gov/MARC21/slim\">%s</collection>"
    parsed = [parse_record_xml(marc % _strip_declaration(r[2])) for r in library.items]
    assert sum(r.without_vote for r in parsed) == 42
    assert count(engine, MemberVote) == sum(len(r.votes) for r in parsed if not r.without_vote)

    with Session(engine) as session:
        event = session.execute(select(VoteEvent).where(VoteEvent.key == "S/RES/2722 (2024)")
                                ).scalar_one()
        assert (event.yes, event.no, event.abstain) == (11, 0, 4)
        abstaining = set(session.execute(select(MemberVote.member_code).where(
            MemberVote.vote_event_id == event.id, MemberVote.vote == "A")).scalars())
        assert abstaining == {"CHN", "RUS", "DZA", "MOZ"}

    # Every stored roll call agrees with its totals, or has a finding.
    with Session(engine) as session:
        flagged = set(session.execute(select(Finding.record).where(
            Finding.kind == "roll_call_disagrees_with_totals")).scalars())
        rows = session.execute(select(VoteEvent.id, VoteEvent.yes, VoteEvent.no,
                                      VoteEvent.abstain, SourceRecord.record_id)
                               .join(SourceRecord, SourceRecord.vote_event_id == VoteEvent.id)
                               ).all()
        for event_id, yes, no, abstain, record_id in rows:
            cast = dict(session.execute(select(MemberVote.vote, func.count()).where(
                MemberVote.vote_event_id == event_id).group_by(MemberVote.vote)).all())
            if not cast:  # an adoption without a vote: no roll call, no tally
                assert yes is None, record_id
                continue
            agrees = (cast.get("Y", 0), cast.get("N", 0), cast.get("A", 0)) == (yes, no, abstain)
            assert agrees or f"record {record_id}" in flagged, record_id
    # The scrape's one DONOTKNOW vote: S/RES/1966 (2010), 14 in favour of which 13 are named.
    assert flagged == {"record 695490"}

    library.searches.clear()
    again = run(engine, settings)
    assert again.ok and len(library.searches) <= 2
    totals = again.totals()
    assert (totals.new, totals.changed) == (0, 0)


def test_a_changed_record_is_picked_up_on_the_first_page(engine: Engine, replay: Replay,
                                                         settings: Settings) -> None:
    members = [Vote(c, "Y", c) for c in COUNCIL_2022]
    old = [Record(str(100 + i), f"2022-01-{i + 1:02d}", f"S/RES/{2600 + i}(2022)", f"res {i}",
                  members, (15, 0, 0, 0, 15)) for i in range(5)]
    library = DigitalLibrary(old)
    library.serve(replay)
    settings = settings.model_copy(update={"undl_url": replay.url,
                                           "press_url": replay.url,
                                           "docs_url": replay.url, "undl_page_size": 2})
    assert run(engine, settings).ok
    assert len(library.searches) == 3  # 5 records, 2 a page
    # A correction to the newest record: CHN abstained after all.
    fixed = [Vote(v.code, "A" if v.code == "CHN" else "Y", v.code) for v in members]
    library.items[4] = ("2022-01-05", "104", Record(
        "104", "2022-01-05", "S/RES/2604(2022)", "res 4", fixed, (14, 0, 1, 0, 15),
        modified="20240301000000.0").xml().encode())
    library.searches.clear()
    summary = run(engine, settings)
    assert summary.ok and len(library.searches) == 2
    with Session(engine) as session:
        event = session.execute(select(VoteEvent).where(VoteEvent.key == "S/RES/2604 (2022)")
                                ).scalar_one()
        vote = session.execute(select(MemberVote.vote).where(
            MemberVote.vote_event_id == event.id, MemberVote.member_code == "CHN")).scalar_one()
    assert vote == "A"
    assert (event.yes, event.no, event.abstain) == (14, 0, 1)  # the record owns its own event


def _wall(status: int):
    def answer(handler) -> None:
        handler.send_response(status)
        handler.send_header("Content-Length", "0")
        handler.end_headers()
    return answer


@pytest.mark.parametrize("status", [202, 403])
def test_bot_wall_is_a_fetch_error_that_says_what_to_do(
        engine: Engine, replay: Replay, settings: Settings, status: int) -> None:
    replay.pages["/search"] = _wall(status)
    settings = settings.model_copy(update={"undl_url": replay.url, "press_url": replay.url,
                                           "docs_url": replay.url})
    summary = run(engine, settings)
    assert not summary.ok
    (problem,) = summary.problems
    assert "TRACKER_UNDL_TOKEN" in problem and "import undl-dataset" in problem
    assert count(engine, VoteEvent) == 0


def test_token_is_sent_and_never_kept(engine: Engine, replay: Replay, settings: Settings) -> None:
    secret = "s3cr3t-token-value"
    library = DigitalLibrary([Record("7", "2022-03-25", "S/RES/2627(2022)", "t",
                                     [Vote("CHN", "Y", "CHINA")], (1, 0, 0, 0, 1))],
                             api_token=secret)
    library.serve(replay)
    settings = settings.model_copy(update={"undl_url": replay.url, "press_url": replay.url,
                                           "docs_url": replay.url,
                                           "undl_token": SecretStr(secret)})
    assert run(engine, settings).ok
    # The token goes to the API search only, never to the public pages.
    asked = [(path, headers) for path, headers in replay.requests
             if path.startswith(("/search", "/api/"))]
    assert asked and all(path.startswith("/api/v1/search?") for path, _ in asked)
    assert all(headers.get("Authorization") == f"Token {secret}" for _, headers in asked)
    for path in settings.raw_dir.rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes()
    # And an error message names the URL, not the token.
    replay.pages["/api/v1/search"] = _wall(403)
    summary = run(engine, settings, full=True)
    assert summary.problems and secret not in " ".join(summary.problems)


def test_empty_search_is_an_error_not_nothing_new(engine: Engine, replay: Replay,
                                                  settings: Settings) -> None:
    DigitalLibrary([]).serve(replay)
    summary = run(engine, settings.model_copy(update={"undl_url": replay.url,
                                                      "press_url": replay.url,
                                                      "docs_url": replay.url}))
    assert not summary.ok and "no voting records" in summary.problems[0]


def test_html_instead_of_xml_is_a_clear_error(engine: Engine, replay: Replay,
                                              settings: Settings) -> None:
    def html(handler) -> None:
        body = b"<html><body>Service maintenance</body></html>"
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    replay.pages["/search"] = html
    summary = run(engine, settings.model_copy(update={"undl_url": replay.url,
                                                      "press_url": replay.url,
                                                      "docs_url": replay.url}))
    assert not summary.ok and "expected MARCXML" in summary.problems[0]
    assert "/search" in summary.problems[0]


def _roll_call(n: int) -> Record:
    """Resolution 2000 + n, adopted 15-0-0 on the nth day of 2020 (newest: highest n)."""
    day = dt.date(2020, 1, 1) + dt.timedelta(days=n)
    return Record(str(1000 + n), day.isoformat(), f"S/RES/{2000 + n}({day.year})",
                  f"res {n}", [Vote(c, "Y", c) for c in COUNCIL_2022], (15, 0, 0, 0, 15))


@pytest.mark.parametrize("how", ["failed page", "killed"])
def test_a_walk_cut_short_is_completed_by_the_next_sync(
        engine: Engine, replay: Replay, settings: Settings, how: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """20 records stored; 25 new ones arrive, 10 a page. The sync stops on page 2
    (a page that fails, or the process killed), so pages 1 and 2 have nothing new
    the next time: a plain 'stop at the first page with nothing new' would never
    store the rest. The next sync reads every page and ends with all 45."""
    library = DigitalLibrary([_roll_call(n) for n in range(20)])
    library.serve(replay)
    settings = settings.model_copy(update={"undl_url": replay.url,
                                           "press_url": replay.url,
                                           "docs_url": replay.url, "undl_page_size": 10})
    assert run(engine, settings).ok and count(engine, VoteEvent) == 20
    library.items += [(r.date, r.record_id, r.xml().encode())
                      for r in (_roll_call(n) for n in range(20, 45))]
    real_get = PoliteClient.get

    def cut_short(self: PoliteClient, url: str, **kwargs: object) -> object:
        if (kwargs.get("params") or {}).get("jrec") == 11:  # type: ignore[union-attr]
            if how == "killed":
                raise KeyboardInterrupt  # stands in for SIGKILL: no summary, no run noted
            raise FetchError(url, "server error (500)", 500)
        return real_get(self, url, **kwargs)  # type: ignore[arg-type]

    with monkeypatch.context() as patch:
        patch.setattr(PoliteClient, "get", cut_short)
        if how == "killed":
            with pytest.raises(KeyboardInterrupt):
                run(engine, settings)
        else:
            assert not run(engine, settings).ok
    assert count(engine, VoteEvent) == 30  # page 1: the ten newest
    library.searches.clear()
    summary = run(engine, settings)
    assert summary.ok and count(engine, VoteEvent) == 45
    assert len(library.searches) == 5  # every page, once
    assert summary.notes == ["voting records: the last sync stopped part-way; "
                             "reading every page of the search this time"]
    library.searches.clear()
    assert run(engine, settings).ok and len(library.searches) == 1  # back to normal


def test_an_empty_page_before_the_end_is_a_failure(engine: Engine, replay: Replay,
                                                  settings: Settings) -> None:
    """The search said 45 records; page 2 came back empty. That is not the end of the
    search: the sync fails, and the next one reads every page and stores all 45."""
    library = DigitalLibrary([_roll_call(n) for n in range(45)])
    library.serve(replay)
    settings = settings.model_copy(update={"undl_url": replay.url,
                                           "press_url": replay.url,
                                           "docs_url": replay.url, "undl_page_size": 10})
    serve_search = library.search

    def empty_page_2(handler) -> None:
        if "jrec=11&" in handler.path or handler.path.endswith("jrec=11"):
            send(handler, b'<?xml version="1.0" encoding="UTF-8"?>\n'
                 b"<!-- Search-Engine-Total-Number-Of-Results: 45 -->\n"
                 b'<collection xmlns="http://www.loc.gov/MARC21/slim">\n</collection>\n')
            return
        serve_search(handler)

    replay.pages["/search"] = empty_page_2
    summary = run(engine, settings)
    assert not summary.ok and "ended early" in summary.problems[0]
    assert count(engine, VoteEvent) == 10
    replay.pages["/search"] = serve_search
    summary = run(engine, settings)
    assert summary.ok and count(engine, VoteEvent) == 45


def test_a_walk_that_stored_nothing_new_does_not_force_a_full_one(
        engine: Engine, replay: Replay, settings: Settings) -> None:
    """A first page that fails (the bot wall) skips nothing: the next sync is a normal one."""
    library = DigitalLibrary([_roll_call(n) for n in range(25)])
    library.serve(replay)
    settings = settings.model_copy(update={"undl_url": replay.url,
                                           "press_url": replay.url,
                                           "docs_url": replay.url, "undl_page_size": 10})
    assert run(engine, settings).ok
    replay.pages["/search"] = _wall(403)
    assert not run(engine, settings).ok
    library.serve(replay)
    library.searches.clear()
    summary = run(engine, settings)
    assert summary.ok and len(library.searches) == 1 and not summary.notes
