"""The voting records' speed paths (issue 13, the scraper-floor target) must give what the
plain paths give: a remembered mandate match, a parser that walks only the fields it reads,
a page's record count bounded without the regular expression, member votes' values
converted in C, and a pipeline that freezes the heap it found and thaws it after."""

from __future__ import annotations

import csv
import datetime as dt
import gc
import re
from pathlib import Path

import pytest

from council.mandates import load_registry, parse_mandate_title, parse_registry
from db import upsert as upsert_module
from db.engine import make_engine, session_scope, upgrade
from db.store import ensure_members, store_voting_records
from scrapers.http import FetchError, Response
from scrapers.undl import fetch as undl_fetch
from scrapers.undl.parse import parse_record, parse_record_xml, record_fields, safe_xml
from tests.mandate_titles import SCRAPE

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "undl"
RECORD = FIXTURES / "record_4007327_S-RES-2680(2023).xml"
MARC = "http://www.loc.gov/MARC21/slim"


def _bodies(shared_data: Path) -> list[str]:
    """The body names the real titles of ``undl_scrape_un_data`` give, repeats kept."""
    with (shared_data / SCRAPE).open(encoding="utf-8-sig") as handle:
        actions = [parse_mandate_title(r["Title"]) for r in csv.DictReader(handle)]
    return [a.body for a in actions if a is not None]


def test_a_remembered_match_is_the_match(shared_data: Path) -> None:
    """Registry.match must give, for every body name of the real titles, asked once or
    again, what the registry's uncached matching gives; and a name's answer must not
    depend on which names were asked before it."""
    bodies = _bodies(shared_data)
    assert len(bodies) > len(set(bodies)) > 300  # names repeat across renewals
    registry = load_registry()
    fresh = parse_registry((Path(__file__).resolve().parent.parent / "council" / "data"
                            / "mandates.toml").read_text(encoding="utf-8"))
    first = [registry.match(b) for b in bodies]
    again = [registry.match(b) for b in reversed(bodies)][::-1]
    plain = [fresh._match(b) for b in bodies]
    assert first == again == plain
    assert sum(m is not None for m in first) > 500
    dprk = next(b for b in bodies if "1874" in b)
    assert registry.match(dprk) is not None
    assert registry.match(dprk).slug == "dprk-panel-of-experts"  # type: ignore[union-attr]


def test_a_remembered_match_is_kept_per_registry() -> None:
    """Two registries must not share their remembered matches."""
    one = parse_registry('[[mandate]]\nslug = "unmiss"\nname = "UN Mission in South Sudan"\n'
                         'kind = "peacekeeping_operation"\naliases = ["UNMISS"]\n')
    other = parse_registry('[[mandate]]\nslug = "unama"\nname = "UN Assistance Mission in '
                           'Afghanistan"\nkind = "special_political_mission"\n')
    assert one.match("UNMISS") is not None and one.match("UNMISS").slug == "unmiss"  # type: ignore[union-attr]
    assert other.match("UNMISS") is None
    assert one == parse_registry(
        '[[mandate]]\nslug = "unmiss"\nname = "UN Mission in South Sudan"\n'
        'kind = "peacekeeping_operation"\naliases = ["UNMISS"]\n')  # memo is not compared


def _with_unread_fields(xml: bytes) -> bytes:
    """The record with fields the voting parser does not read, hostile ones too: a 981
    with a subfield named like a vote's, a 650 with text, and a 967 lookalike tag 9670."""
    extra = (f'<datafield xmlns="{MARC}" tag="981" ind1=" " ind2=" ">'
             '<subfield code="c">XXZ</subfield><subfield code="d">Q</subfield></datafield>'
             f'<datafield xmlns="{MARC}" tag="650" ind1=" " ind2=" ">'
             '<subfield code="a">SANCTIONS</subfield></datafield>'
             f'<datafield xmlns="{MARC}" tag="9670" ind1=" " ind2=" ">'
             '<subfield code="c">ZZZ</subfield></datafield>')
    at = xml.index(b"</record>")
    return xml[:at] + extra.encode() + xml[at:]


def test_fields_the_parser_does_not_read_change_nothing() -> None:
    """A voting record must parse to the same roll call, symbols, totals and findings with
    or without data fields the parser does not read; ``record_fields`` must still give
    every field."""
    xml = RECORD.read_bytes()
    plain = parse_record_xml(xml, base_url="http://x")
    extra = parse_record_xml(_with_unread_fields(xml), base_url="http://x")
    assert len(plain.votes) == 15
    assert (extra.votes, extra.totals, extra.resolution, extra.draft, extra.date,
            extra.title, extra.agenda, extra.findings, extra.without_vote) == (
        plain.votes, plain.totals, plain.resolution, plain.draft, plain.date,
        plain.title, plain.agenda, plain.findings, plain.without_vote)
    root = safe_xml(_with_unread_fields(xml), source="s", record="r")
    element = root if root.tag == f"{{{MARC}}}record" else root.find(f"{{{MARC}}}record")
    _, data = record_fields(element)
    assert data["981"][-1] == {"c": "XXZ", "d": "Q"}
    assert data["650"] == [{"a": "SANCTIONS"}]
    assert data["9670"] == [{"c": "ZZZ"}]
    assert len(data["967"]) == 15


def test_a_bad_member_code_is_still_named_for_what_is_wrong() -> None:
    """A 967 $c that is not three letters, and one that is three letters but unknown, must
    each be refused with its own reason."""
    xml = RECORD.read_bytes()
    first = re.search(rb'<subfield code="c">([A-Z]{3})</subfield>', xml)
    assert first is not None
    for code, reason in ((b"US", "is not a three-letter code"),
                         (b"QQQ", "unknown member code 'QQQ'")):
        bad = xml[:first.start(1)] + code + xml[first.end(1):]
        root = safe_xml(bad, source="s", record="r")
        element = root if root.tag == f"{{{MARC}}}record" else root.find(f"{{{MARC}}}record")
        with pytest.raises(Exception, match=reason):
            parse_record(element)


@pytest.mark.parametrize("body", [
    b"<collection>" + b"<record><x/></record>" * 3 + b"</collection>",
    b"<c>" + b"<marc:record xmlns:marc='m'/>" * 3 + b"</c>",
    b"<c>" + b"<record/>" * 2 + b"<records/><record-set/>" + b"</c>",
    b"<c>" + b"<a:record/><record>" * 2 + b"</c>",
    b"<c><recordx/><record\n/><record\t></record></c>",
    b"<c>" + b"<x:record >" * 4 + b"</c>",
])
@pytest.mark.parametrize("most", [1, 2, 3, 4, 200])
def test_the_record_count_bound_agrees_with_the_regex(body: bytes, most: int) -> None:
    """Where bytes.count says a body holds no more than ``most`` records, the regular
    expression must find no more; a body the regex finds too many records in must be
    refused whichever way it was counted."""
    found = len(undl_fetch._RECORD_TAG.findall(body))
    if undl_fetch._at_most(body, most):
        assert found <= most

    class OneAnswer:
        def get(self, url: str, **_: object) -> Response:
            return Response(url=url, status=200, body=body,
                            headers={}, fetched_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))

    if found > most:
        with pytest.raises(FetchError, match="more than"):
            undl_fetch._checked(OneAnswer(), "http://x", None, None,  # type: ignore[arg-type]
                                most=most)
    else:
        assert undl_fetch._checked(OneAnswer(), "http://x", None, None,  # type: ignore[arg-type]
                                   most=most).body == body


def test_member_votes_go_in_as_sqlalchemy_would_write_them(tmp_path: Path) -> None:
    """A first store's member votes (plain tuples, values converted in C by each column's
    bind processor) must be stored exactly as SQLAlchemy's own insert stores the same rows:
    the same text and types in SQLite's file, fetch times with microseconds, and None."""
    record = parse_record_xml(RECORD.read_bytes(), base_url="http://x")
    other = parse_record_xml((FIXTURES / "record_3968224_S-RES-2627(2022).xml").read_bytes(),
                             base_url="http://x")
    times = {record.record_id: dt.datetime(2024, 3, 28, 12, 0, 0, 123456, tzinfo=dt.UTC),
             other.record_id: dt.datetime(2022, 3, 15, 8, 30, tzinfo=dt.UTC)}
    raw: list[list[tuple[object, ...]]] = []
    for way in ("bulk", "sqlalchemy"):
        engine = make_engine(f"sqlite:///{tmp_path / (way + '.sqlite')}")
        upgrade(engine)
        with session_scope(engine) as session:
            ensure_members(session)
            if way == "sqlalchemy":  # the general path: SQLAlchemy binds every value
                monkeypatch = pytest.MonkeyPatch()
                monkeypatch.setattr(upsert_module, "_driver_insert", lambda *a: False)
            try:
                store_voting_records(session, [record, other], source="undl-votes",
                                     fetched_at=times)
            finally:
                if way == "sqlalchemy":
                    monkeypatch.undo()
        with engine.connect() as connection:
            raw.append([tuple(row) for row in connection.exec_driver_sql(
                "SELECT vote_event_id, member_code, vote, name_at_time, source_url, "
                "fetched_at, typeof(fetched_at), typeof(name_at_time) FROM member_vote "
                "ORDER BY id")])
        engine.dispose()
    bulk, general = raw
    assert len(bulk) == 30
    assert bulk == general
    assert bulk[0][5] == "2024-03-28 12:00:00.123456"


def test_a_pipeline_thaws_the_heap_it_froze() -> None:
    """The garbage collector must be as it was after a pipeline, even one that fails:
    nothing left frozen, the thresholds restored."""
    from tracker.sync import _fewer_collections

    before = gc.get_threshold()
    assert gc.get_freeze_count() == 0
    with pytest.raises(RuntimeError), _fewer_collections():
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold()[0] >= 10_000
        raise RuntimeError("a failing run")
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == before


def test_a_pipeline_leaves_a_callers_frozen_heap_frozen() -> None:
    """A caller that froze its own heap before a pipeline must find it frozen after."""
    from tracker.sync import _fewer_collections

    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with _fewer_collections():
            pass
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
    assert gc.get_freeze_count() == 0
