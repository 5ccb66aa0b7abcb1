"""Tests that bite (issue 18, part 2): each promise of the README's "When things go wrong"
fails a test when its mechanism is removed.

Each test here was seen to fail with its mechanism broken on purpose (one line at a time):
a store that commits in the middle of a page; archive writes made in place; the cap on
``Retry-After`` removed; a replace-set upsert that no longer skips the keys another scope
holds; entity expansion or DTD loading turned on in the XML parser. The other promises were
already guarded, each by a test seen to fail when its mechanism was broken: the size cap
while streaming (tests/test_hostile_http.py, the gzip bomb), redirects and ``final_url``
(tests/test_hostile_http.py), a record's stale member votes (tests/test_store_fast_paths.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import respx
from lxml import etree
from sqlalchemy import Engine, select
from sqlmodel import Session

from db import store as store_module
from db.engine import make_engine, upgrade
from db.models import Meeting, Veto, VoteEvent
from db.store import ensure_members
from db.upsert import replace_set, scope_in, table_of, upsert
from scrapers.archive import RawArchive
from scrapers.http import MAX_RETRY_AFTER, PoliteClient
from scrapers.undl.parse import _PARSER
from tests.conftest import Replay
from tests.test_sync import serve_fixtures, snapshot
from tracker.settings import Settings
from tracker.sync import sync

T1 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
T2 = dt.datetime(2024, 2, 1, tzinfo=dt.UTC)
TODAY = dt.date(2024, 6, 1)


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
    served = settings.model_copy(update={"un_org_url": replay.url, "undl_url": replay.url,
                                         "press_url": replay.url, "docs_url": replay.url})
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

OLD, NEW = b"old page", b"the new page, longer"


@pytest.mark.parametrize(("history", "torn_at"), [
    (True, 1), (True, 2), (True, 3), (True, 4),  # history body, history metadata, body, metadata
    (False, 1), (False, 2)])  # body, metadata (a search page: no history)
def test_a_write_that_fails_after_some_bytes_leaves_no_partial_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, history: bool, torn_at: int) -> None:
    """A disk that fills half-way through any one write of a save must leave every file of
    the archive whole, the old version or the new (each is written to a temporary file, then
    renamed), and the page must read back as its old version."""
    archive = RawArchive(tmp_path)
    archive.save("undl-search", "search-1", "http://x/s", OLD, T1, history=history)
    real_write_bytes = Path.write_bytes
    writes = 0

    def torn(path: Path, data: bytes) -> int:  # type: ignore[override]
        nonlocal writes
        writes += 1
        if writes == torn_at:
            real_write_bytes(path, data[: len(data) // 2])
            raise OSError(28, "No space left on device")
        return real_write_bytes(path, data)

    monkeypatch.setattr(Path, "write_bytes", torn)
    with pytest.raises(OSError, match="No space left"):
        archive.save("undl-search", "search-1", "http://x/s", NEW, T2, history=history)
    monkeypatch.setattr(Path, "write_bytes", real_write_bytes)
    digests = {hashlib.sha256(OLD).hexdigest(), hashlib.sha256(NEW).hexdigest()}
    folder = tmp_path / "undl-search"
    kept = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix != ".tmp")
    # The page's body and metadata, and its history's (the old version, fetched at T1) as
    # far as it was written before the tear: writes 1 and 2 are the history's.
    history_kept = [".body", ".json"][: torn_at - 1] if history else []
    assert [p.relative_to(folder).as_posix() for p in kept] == [
        *(f"history/search-1.20240101T000000{suffix}" for suffix in history_kept),
        "search-1.body", "search-1.json"]
    for path in kept:
        if path.suffix == ".body":
            assert path.read_bytes() in (OLD, NEW), path
        else:
            assert json.loads(path.read_text())["sha256"] in digests, path
    page = archive.load("undl-search", "search-1")
    if (history, torn_at) == (False, 2):
        # The new body is in place, the old metadata beside it, and no history to fall back
        # on: the page reads as not archived (fetched again), not as a mixed version.
        assert page is None
    else:
        assert page is not None and (page.body, page.fetched_at) == (OLD, T1)


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

@pytest.fixture
def db(sqlite_engine: Engine) -> Engine:
    upgrade(sqlite_engine)
    with Session(sqlite_engine) as session:
        ensure_members(session)
        session.commit()
    return sqlite_engine


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
