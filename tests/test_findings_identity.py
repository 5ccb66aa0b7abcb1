"""A finding's identity: source, page (without the base URL), record, kind and message."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import Engine, func, select

from db.engine import session_scope, upgrade
from db.models import Finding
from db.store import ensure_members, store_meetings_table
from scrapers.dhl.parse import parse_meetings_table
from tests.conftest import FIXTURES, Replay
from tests.test_sync import quiet_client, serve_fixtures
from tracker.settings import Settings
from tracker.sync import sync

T = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
PAGE = "depts/dhl/resguide/scact2022_table_en.html"


def _count(engine: Engine) -> int:
    with engine.connect() as c:
        return int(c.execute(select(func.count()).select_from(Finding)).scalar_one())


def _store(engine: Engine, body: bytes, base: str, year: int = 2022,
           page: str = PAGE) -> None:
    url = f"{base}/{page}"
    with session_scope(engine) as session:
        ensure_members(session)
        store_meetings_table(session, parse_meetings_table(body, year=year, url=url), url=url,
                             fetched_at=T)


def test_a_page_read_from_another_address_replaces_its_findings(engine: Engine) -> None:
    """The same page read from a mirror must store its findings once, and a finding that no
    longer holds on the page must disappear, whichever address it was first read from."""
    upgrade(engine)
    body = (FIXTURES / "dhl" / "scact2022_table_en.html").read_bytes()
    _store(engine, body, "http://127.0.0.1:8001")
    once = _count(engine)
    assert once > 0
    _store(engine, body, "http://mirror.example:8002")
    assert _count(engine) == once
    with engine.connect() as c:
        pages = set(c.execute(select(Finding.page, Finding.url)).all())  # type: ignore[call-overload]
    assert pages == {(PAGE, f"http://mirror.example:8002/{PAGE}")}
    fixed = body.replace(b"13-0-2", b"13-2-0")
    assert fixed != body
    _store(engine, fixed, "http://127.0.0.1:8001")
    with engine.connect() as c:
        kinds = set(c.execute(select(Finding.kind)).scalars())  # type: ignore[call-overload]
    assert "veto_without_negative_vote" not in kinds
    assert _count(engine) == once - 1


def test_a_row_finding_names_the_page_without_its_address(engine: Engine,
                                                          shared_data: Path) -> None:
    """The 1961 table has a row without its outcome cell: that finding must be stored once
    from two addresses, its record naming the page without the base URL."""
    upgrade(engine)
    page = "depts/dhl/resguide/scact1961_table_en.html"
    body = (shared_data / "un_org_dhl_html" / "scact_tables" / "scact1961_table_en.html"
            ).read_bytes()
    _store(engine, body, "http://127.0.0.1:8001", year=1961, page=page)
    once = _count(engine)
    _store(engine, body, "http://localhost:8002", year=1961, page=page)
    assert _count(engine) == once
    with engine.connect() as c:
        records = list(c.execute(select(Finding.record)  # type: ignore[call-overload]
                                 .where(Finding.kind == "missing_cells")).scalars())
    assert len(records) == 1 and records[0].startswith(f"{page} row ")


def test_a_sync_against_another_address_stores_the_same_findings(
        engine: Engine, replay: Replay, settings: Settings) -> None:
    """A full sync from 127.0.0.1 and again from localhost (the same server) must leave exactly
    the findings of one sync."""
    serve_fixtures(replay)
    first = settings.model_copy(update={"un_org_url": replay.url, "undl_url": replay.url,
                                        "press_url": replay.url, "docs_url": replay.url})
    assert sync(engine, first, today=dt.date(2024, 6, 1), client=quiet_client()).ok
    with engine.connect() as c:
        once = sorted(c.execute(select(Finding.source, Finding.page, Finding.record,  # type: ignore[call-overload]
                                       Finding.kind, Finding.message)).all())
    assert once == [
        ("dhl-meetings", "depts/dhl/resguide/scact1946_table_en.html", "S/PV.49",
         "tally_exceeds_council",
         "S/RES/7 (1946): tally 9-0-3 counts 12 votes on a Council of 11; tally not stored"),
        ("dhl-meetings", "depts/dhl/resguide/scact2022_table_en.html", "S/PV.9048",
         "veto_without_negative_vote",
         "draft S/2022/431 printed as vetoed by CHN, RUS with tally 13-0-2, which has no "
         "negative vote; tally not stored")]
    other = replay.url.replace("127.0.0.1", "localhost")
    second = settings.model_copy(update={"un_org_url": other, "undl_url": other,
                                          "press_url": other, "docs_url": other})
    assert sync(engine, second, full=True, today=dt.date(2024, 6, 1), client=quiet_client()).ok
    with engine.connect() as c:
        twice = sorted(c.execute(select(Finding.source, Finding.page, Finding.record,  # type: ignore[call-overload]
                                        Finding.kind, Finding.message)).all())
    assert twice == once
