"""Tests that bite (issue 18, part 2): each promise of the README's "When things go wrong"
fails a test when its mechanism is removed.

Each test here was seen to fail with its mechanism broken on purpose (one line at a time):
a store that commits in the middle of a page; archive writes made in place; the size cap
checked only on the announced length (or after the whole body); the cap on ``Retry-After``
removed; a record's old member votes kept; a replace-set upsert that no longer skips the
keys another scope holds; entity expansion or DTD loading turned on in the XML parser.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import httpx
import pytest
import respx
from lxml import etree
from sqlalchemy import Engine, select
from sqlmodel import Session

from db import store as store_module
from db.engine import make_engine, upgrade
from db.models import Meeting, MemberVote, Veto, VoteEvent
from db.store import ensure_members, store_voting_records
from db.upsert import replace_set, scope_in, table_of, upsert
from scrapers.archive import RawArchive
from scrapers.http import MAX_RETRY_AFTER, FetchError, PoliteClient
from scrapers.undl.parse import _PARSER, parse_record_xml
from tests.conftest import Replay
from tests.test_sync import serve_fixtures, snapshot
from tests.undl_replay import Record, Vote
from tracker.settings import Settings
from tracker.sync import sync

T1 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
T2 = dt.datetime(2024, 2, 1, tzinfo=dt.UTC)
TODAY = dt.date(2024, 6, 1)
MARC = '<collection xmlns="http://www.loc.gov/MARC21/slim">{}</collection>'


def _quiet() -> PoliteClient:
    return PoliteClient(requests_per_second=0, max_attempts=1, sleep=lambda _: None)


# --- one transaction per page ------------------------------------------------------------

def _meeting_records(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return sorted(connection.execute(select(table_of(Meeting).c.record)).scalars())


def test_a_page_whose_store_fails_half_way_stores_nothing_and_the_next_sync_completes_it(
        engine: Engine, replay: Replay, settings: Settings, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The 2022 table's store must fail after its meetings, resolutions and votes were
    written: none of them may be left (one transaction per page), the pages before and after
    it are kept, and the next sync must equal an uninterrupted one."""
    serve_fixtures(replay)
    served = settings.model_copy(update={"un_org_url": replay.url, "undl_url": replay.url})
    real_settle = store_module._settle_adoptions

    def failing_settle(session: Session, *, events: dict, seen_at: dt.datetime) -> object:
        if any(key.startswith("S/RES/26") for key, _, _ in events.values()):  # the 2022 page
            raise RuntimeError("the store failed half-way through the page")
        return real_settle(session, events=events, seen_at=seen_at)

    monkeypatch.setattr(store_module, "_settle_adoptions", failing_settle)
    first = sync(engine, served, sources=["meetings"], until=2024, today=TODAY,
                 client=_quiet())
    assert first.sources["meetings"].pages_failed == ["2022"]
    assert _meeting_records(engine) == sorted([
        "S/PV.23", "S/PV.49", "S/PV.57", "S/PV.84", "S/PV.87",  # 1946, before it
        "VTC 2020-07-21 #1", "S/2020/751", "S/2020/870",  # 2020
        "S/PV.9573", "S/PV.9591"])  # 2024, after it; none of S/PV.8979 ... S/PV.9048

    monkeypatch.setattr(store_module, "_settle_adoptions", real_settle)
    again = sync(engine, served, sources=["meetings"], until=2024, today=TODAY,
                 client=_quiet())
    assert again.ok, again.problems
    clean = tmp_path / "clean"
    clean_engine = make_engine(f"sqlite:///{tmp_path / 'clean.sqlite'}")
    assert sync(clean_engine, served.model_copy(update={"data_dir": clean}),
                sources=["meetings"], until=2024, today=TODAY, client=_quiet()).ok
    assert snapshot(engine, fetch_times=False) == snapshot(clean_engine, fetch_times=False)


# --- atomic archive writes ---------------------------------------------------------------

@pytest.mark.parametrize("history", [True, False])
def test_a_write_that_fails_after_some_bytes_leaves_the_old_copy_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, history: bool) -> None:
    """A disk that fills half-way through a write must leave the page's body and metadata
    files as they were (each is written to a temporary file, then renamed): the old version
    reads back, also for a page kept without history (a search page), and no file of the
    page's own names holds part of the new one."""
    archive = RawArchive(tmp_path)
    archive.save("undl-search", "search-1", "http://x/s", b"old page", T1, history=history)
    real_write_bytes = Path.write_bytes

    def torn(path: Path, data: bytes) -> int:  # type: ignore[override]
        real_write_bytes(path, data[: len(data) // 2])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", torn)
    with pytest.raises(OSError, match="No space left"):
        archive.save("undl-search", "search-1", "http://x/s", b"the new page, longer", T2,
                     history=history)
    monkeypatch.setattr(Path, "write_bytes", real_write_bytes)
    folder = tmp_path / "undl-search"
    assert (folder / "search-1.body").read_bytes() == b"old page"
    assert json.loads((folder / "search-1.json").read_text())["fetched_at"] == T1.isoformat()
    page = archive.load("undl-search", "search-1")
    assert page is not None and (page.body, page.fetched_at) == (b"old page", T1)
    assert list(archive.page_ids("undl-search")) == ["search-1"]


# --- the response-size cap, while the body streams ---------------------------------------

class _Endless(httpx.SyncByteStream):
    """A body of 1 kB pieces without end, counting the pieces the client pulled."""

    def __init__(self) -> None:
        self.pulled = 0

    def __iter__(self) -> Iterator[bytes]:
        while True:
            self.pulled += 1
            yield b"x" * 1000


@pytest.mark.parametrize("announced", [None, "10"], ids=["no-length", "announces-less"])
def test_a_body_over_the_cap_is_refused_before_it_is_all_read(announced: str | None) -> None:
    """A server announcing no length, or less than it sends, must be cut off once the bytes
    read pass the cap: 10 kB read of an endless body, not all of it."""
    body = _Endless()
    headers = {"Content-Length": announced} if announced else {}
    transport = httpx.MockTransport(lambda request: httpx.Response(200, headers=headers,
                                                                   stream=body))
    with (PoliteClient(requests_per_second=0, max_attempts=1, max_bytes=10_000,
                       sleep=lambda _: None, transport=transport) as client,
          pytest.raises(FetchError) as refused):
        client.get("http://un.example/page")
    assert str(refused.value) == ("http://un.example/page: response is over the cap of "
                                  "10000 bytes once decoded (TRACKER_MAX_RESPONSE_BYTES)")
    assert body.pulled == 11  # the piece that passed the cap, and not one more


def _unannounced(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.end_headers()  # no Content-Length: the body ends when the connection closes
    for _ in range(100):
        handler.wfile.write(b"y" * 1000)


def test_a_server_that_announces_no_length_is_refused_at_the_cap(replay: Replay) -> None:
    replay.pages["/big"] = _unannounced
    with PoliteClient(requests_per_second=0, max_attempts=1, max_bytes=5000,
                      sleep=lambda _: None) as client:
        with pytest.raises(FetchError) as refused:
            client.get(f"{replay.url}/big")
        assert client.requests == 1  # refused, not retried
    assert str(refused.value) == (f"{replay.url}/big: response is over the cap of 5000 bytes "
                                  "once decoded (TRACKER_MAX_RESPONSE_BYTES)")


# --- the cap on Retry-After --------------------------------------------------------------

@respx.mock
@pytest.mark.parametrize("asked", ["86400", "Fri, 01 Jan 2100 00:00:00 GMT"])
def test_a_huge_retry_after_waits_no_longer_than_the_cap(asked: str) -> None:
    """A server asking for a day (or a century) must be waited on for MAX_RETRY_AFTER
    seconds, 300, then asked again."""
    respx.get("https://un.example/page").mock(side_effect=[
        httpx.Response(503, headers={"Retry-After": asked}),
        httpx.Response(429, headers={"Retry-After": asked}),
        httpx.Response(200, content=b"ok")])
    slept: list[float] = []
    with PoliteClient(requests_per_second=0, max_attempts=3, sleep=slept.append) as client:
        assert client.get("https://un.example/page").body == b"ok"
    assert MAX_RETRY_AFTER == 300.0
    assert slept == [300.0, 300.0]


# --- stale rows replaced -------------------------------------------------------------------

COUNCIL_2024 = ("CHN", "FRA", "RUS", "GBR", "USA", "DZA", "ECU", "GUY", "JPN", "MLT", "MOZ",
                "KOR", "SLE", "SVN", "CHE")


@pytest.fixture
def db(sqlite_engine: Engine) -> Engine:
    upgrade(sqlite_engine)
    with Session(sqlite_engine) as session:
        ensure_members(session)
        session.commit()
    return sqlite_engine


def _adoption(members: tuple[str, ...], modified: str) -> Record:
    return Record(record_id="4033397", date="2024-03-25", resolution="S/RES/2728 (2024)",
                  title="Resolution 2728 (2024)", votes=[Vote(c, "Y", c) for c in members],
                  totals=(15, 0, 0, 0, 15), modified=modified)


def _store(engine: Engine, record: Record) -> None:
    with Session(engine) as session:
        store_voting_records(session, [parse_record_xml(MARC.format(record.xml()).encode())],
                             source="undl-votes", fetched_at=T1)
        session.commit()


def test_a_record_whose_roll_call_changes_loses_its_old_member_votes(db: Engine) -> None:
    """The Library corrects a record (the United Arab Emirates listed where Switzerland
    voted): the vote stored for the Emirates must go, not stay beside the fifteen the record
    now states."""
    first = ("ARE", *(c for c in COUNCIL_2024 if c != "CHE"))
    _store(db, _adoption(first, "20240326000000.0"))
    _store(db, _adoption(COUNCIL_2024, "20240401000000.0"))
    mv, e = table_of(MemberVote), table_of(VoteEvent)
    with db.connect() as connection:
        stored = sorted(connection.execute(
            select(mv.c.member_code, mv.c.vote).join(e, e.c.id == mv.c.vote_event_id)
            .where(e.c.key == "S/RES/2728 (2024)")).all())
    assert stored == sorted((c, "Y") for c in COUNCIL_2024)


def test_a_replace_set_skips_the_keys_another_scope_holds(db: Engine) -> None:
    """A veto a page states that another page's scope already holds (a vote moved between
    pages) must be skipped, not inserted twice (a unique key) nor taken over."""
    with Session(db) as session:
        ids, _ = upsert(session, VoteEvent, [{"key": "S/2024/255"}, {"key": "S/2024/256"}],
                        key="key")
        first, other = ids["S/2024/255"], ids["S/2024/256"]
        row = {"vote_event_id": first, "member_code": "RUS", "source": "dhl-meetings"}
        replace_set(session, Veto, [row], key=("vote_event_id", "member_code", "source"),
                    scope=scope_in(Veto, "vote_event_id", [first], source="dhl-meetings"),
                    provenance={"source_url": "page-2023"})
        replace_set(session, Veto, [row], key=("vote_event_id", "member_code", "source"),
                    scope=scope_in(Veto, "vote_event_id", [other], source="dhl-meetings"),
                    provenance={"source_url": "page-2024"})
        session.commit()
    v = table_of(Veto)
    with db.connect() as connection:
        assert connection.execute(select(v.c.vote_event_id, v.c.member_code, v.c.source,
                                         v.c.source_url)).all() == [
            (first, "RUS", "dhl-meetings", "page-2023")]


# --- the XML parser's own settings, past the DOCTYPE pre-check ---------------------------

class _Asked(etree.Resolver):
    """Record every URL the parser asks to load (and load none)."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[str] = []

    def resolve(self, system_url: str, public_id: str, context: object) -> None:
        self.asked.append(system_url)
        return None


@pytest.fixture
def asked() -> Iterator[_Asked]:
    resolver = _Asked()
    _PARSER.resolvers.add(resolver)
    try:
        yield resolver
    finally:
        _PARSER.resolvers.remove(resolver)


def test_the_xml_parser_expands_no_entity_and_loads_no_external_one(
        tmp_path: Path, asked: _Asked) -> None:
    """Handed a document the DOCTYPE pre-check would have refused, the parser itself must
    leave an internal and an external entity unexpanded, and read no file."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    body = ('<?xml version="1.0"?>\n<!DOCTYPE collection [\n'
            '<!ENTITY inside "EXPANDED">\n'
            f'<!ENTITY outside SYSTEM "{secret.as_uri()}">\n]>\n'
            '<collection>&inside;|&outside;</collection>').encode()
    root = etree.fromstring(body, _PARSER)
    assert etree.tostring(root) == b"<collection>&inside;|&outside;</collection>"
    assert asked.asked == []


def test_the_xml_parser_loads_no_external_dtd(tmp_path: Path, replay: Replay,
                                              asked: _Asked) -> None:
    """An external DTD, on disk or on a server, must not be read."""
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ENTITY fromdtd "LOADED">')
    replay.pages["/evil.dtd"] = b'<!ENTITY fromnet "LOADED">'
    for where in (dtd.as_uri(), f"{replay.url}/evil.dtd"):
        body = (f'<?xml version="1.0"?>\n<!DOCTYPE collection SYSTEM "{where}">\n'
                "<collection>text</collection>").encode()
        root = etree.fromstring(body, _PARSER)
        assert (root.text, root.getroottree().docinfo.system_url) == ("text", where)
    assert asked.asked == []
    assert replay.requests == []
