"""Hostile values from a source: one bad field never stops a sync (issue 12, classes 1, 6c, 9b).

Each attack is served from a local server (or a damaged archive) in the shape of the real
pages; the test asserts what is stored (the good records, exactly), what is named (the bad
record, by source and record), the exit code, and that the sync ends with its runs recorded.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select
from sqlmodel import Session
from typer.testing import CliRunner

from council.records import ParseError
from db.models import Draft, Finding, Meeting, SyncRun, Veto, VoteEvent
from db.store import store_documents, store_meetings_table, store_veto_list, store_voting_records
from scrapers.archive import RecordArchive
from scrapers.dhl.parse import parse_meetings_table, parse_veto_list
from scrapers.http import PoliteClient
from scrapers.undl.dataset import COLUMNS, parse_dataset
from scrapers.undl.documents import parse_document_page
from scrapers.undl.parse import parse_record_xml, parse_search_page, safe_xml
from tests.conftest import Replay
from tests.undl_replay import DigitalLibrary, Document, Record, Vote
from tracker.cli import app
from tracker.settings import Settings
from tracker.sync import open_database, sync

COUNCIL_2022 = ("CHN", "FRA", "RUS", "GBR", "USA", "BRA", "JPN", "IND", "KEN", "MEX", "NOR",
                "IRL", "GAB", "GHA", "ARE")
RESGUIDE = "/depts/dhl/resguide"
MARC_PAGE = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
             b"<!-- Search-Engine-Total-Number-Of-Results: %d -->\n"
             b'<collection xmlns="http://www.loc.gov/MARC21/slim">%s</collection>\n')


def quiet_client() -> PoliteClient:
    return PoliteClient(requests_per_second=0, max_attempts=1, sleep=lambda _: None)


def count(engine: Engine, model: type, *where) -> int:
    with Session(engine) as session:
        return session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def keys(engine: Engine) -> set[str]:
    with Session(engine) as session:
        return set(session.execute(select(VoteEvent.key)).scalars())


def adopted(n: int, record_id: str, **changes: object) -> Record:
    """Resolution 2600 + n (2022), adopted 15-0-0, in the shape of the real 2722 record."""
    record = Record(record_id, f"2022-03-{n + 1:02d}", f"S/RES/{2600 + n}(2022)", f"res {n}",
                    [Vote(c, "Y", c) for c in COUNCIL_2022], (15, 0, 0, 0, 15),
                    meeting=f"S/PV.{9000 + n}")
    for name, value in changes.items():
        setattr(record, name, value)
    return record


def with_totals(record: Record, yes: str) -> bytes:
    """Return the record's XML with its 996 $b replaced by ``yes`` as printed."""
    return record.xml().replace('<subfield code="b">015</subfield>',
                                f'<subfield code="b">{yes}</subfield>').encode()


# The bad field of a voting record, and the words the problem must use to name it.
BAD_VOTING_RECORDS = {
    "30 February": (adopted(3, "503", date="2022-02-30"), "impossible date"),
    "year 1": (adopted(3, "503", date="0001-03-04"), "outside the Council's life"),
    "year 9999": (adopted(3, "503", date="9999-03-04"), "outside the Council's life"),
    "non-ASCII record id": (adopted(3, "٥٠٣"), "record without a numeric id"),
    "superscript total": (with_totals(adopted(3, "503"), "1²"), "996 $b is not a number"),
    "number too large": (with_totals(adopted(3, "503"), "9" * 30), "larger than 2147483647"),
    "meeting number too large": (adopted(3, "503", meeting="S/PV.99999999999"),
                                 "meeting number out of range"),
    "resolution number too large": (adopted(3, "503", resolution="S/RES/99999999999(2022)"),
                                    "out of range"),
    "resolution digits not ASCII": (adopted(3, "503", resolution="S/RES/٢٦٠٣(2022)"),
                                    "not a resolution symbol"),
    "draft that is no symbol": (adopted(3, "503", draft="S/2022/1\nDROP"),
                                "is not a document symbol"),
}


@pytest.mark.parametrize("attack", list(BAD_VOTING_RECORDS))
def test_one_bad_voting_record_never_stops_a_sync(
        engine: Engine, replay: Replay, settings: Settings, attack: str) -> None:
    """A voting record with one invalid field must be named by source and record; its
    siblings on the page must be stored, the later sources synced, the runs recorded, the
    walk not left "interrupted", and the next sync must end the same way (no traceback)."""
    bad, words = BAD_VOTING_RECORDS[attack]
    good = [adopted(n, str(500 + n)) for n in range(3)]
    bad_item = (("2022-03-04", "503", bad) if isinstance(bad, bytes)
                else ("2022-03-04", "503", bad.xml().encode()))
    DigitalLibrary([*good, bad_item],
                   [Document("700", "S/2022/100", sponsors="France", record_type="B02")]
                   ).serve(replay)
    settings = settings.model_copy(update={"undl_url": replay.url, "press_url": replay.url,
                                           "docs_url": replay.url})
    for _ in range(2):  # the next sync meets the same record, and ends the same way
        summary = sync(engine, settings, sources=["voting-records", "documents"],
                       client=quiet_client(), today=dt.date(2024, 6, 1))
        assert not summary.ok
        (problem,) = [p for p in summary.problems if "undl-votes" in p]
        assert words in problem and ("503" in problem or "٥٠٣" in problem)
        assert keys(engine) == {"S/RES/2600 (2022)", "S/RES/2601 (2022)", "S/RES/2602 (2022)"}
        assert count(engine, Draft, Draft.symbol == "S/2022/100") == 1  # the later source ran
        assert summary.sources["documents"].pages_failed == []
    with RecordArchive(settings.raw_dir, "undl-votes") as archive:
        assert not archive.walk_interrupted()
    assert count(engine, SyncRun, SyncRun.source == "voting-records", SyncRun.ok.is_(False)) == 2
    assert count(engine, SyncRun, SyncRun.source == "documents", SyncRun.ok.is_(True)) == 2


def test_the_cli_exits_1_naming_the_bad_record(replay: Replay, tmp_path: Path) -> None:
    """The command must end with exit code 1 and name the record, never a traceback."""
    DigitalLibrary([adopted(0, "500"), adopted(1, "501", date="2022-02-30")]).serve(replay)
    env = {"TRACKER_DATA_DIR": str(tmp_path / "data"), "TRACKER_UNDL_URL": replay.url,
           "TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 't.sqlite'}",
           "TRACKER_REQUESTS_PER_SECOND": "0", "TRACKER_MAX_ATTEMPTS": "1"}
    result = CliRunner().invoke(app, ["sync", "--source", "voting-records"], env=env)
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "undl-votes: record 501: vote date (269) is an impossible date '2022-02-30'" in (
        result.output)


def test_an_unexpected_store_failure_names_the_record_and_keeps_its_siblings(
        engine: Engine, replay: Replay, settings: Settings, monkeypatch) -> None:
    """Whatever a store raises on one record must become a problem naming it; the other
    records of its batch must still be stored."""
    from tracker.sources import REGISTRY

    real = REGISTRY["voting-records"].store

    def store(session, records, **kwargs):
        if any(r.record_id == "501" for r in records):
            raise OverflowError("Python int too large to convert to SQLite INTEGER")
        return real(session, records, **kwargs)

    monkeypatch.setattr(REGISTRY["voting-records"], "store", store)
    DigitalLibrary([adopted(n, str(500 + n)) for n in range(3)]).serve(replay)
    settings = settings.model_copy(update={"undl_url": replay.url, "press_url": replay.url,
                                           "docs_url": replay.url})
    summary = sync(engine, settings, sources=["voting-records"], client=quiet_client(),
                   today=dt.date(2024, 6, 1))
    assert summary.problems == [
        "undl-votes: record 501: could not be read or stored (OverflowError: Python int too "
        "large to convert to SQLite INTEGER); nothing of it was stored, the rest of the sync "
        "went on"]
    assert keys(engine) == {"S/RES/2600 (2022)", "S/RES/2602 (2022)"}
    assert count(engine, SyncRun) == 2  # voting-records and mandates


def test_an_unexpected_parser_failure_is_a_failed_page_not_a_traceback(
        engine: Engine, replay: Replay, settings: Settings, monkeypatch) -> None:
    """A parser that raises something other than ParseError on one page must fail that page
    only: the other pages and sources are stored and the sync records its runs."""
    import scrapers.dhl.parse as dhl_parse

    real = dhl_parse.parse_meetings_table

    def parse(body, *, year, url):
        if year == 2023:
            raise RecursionError("maximum recursion depth exceeded")
        return real(body, year=year, url=url)

    monkeypatch.setattr(dhl_parse, "parse_meetings_table", parse)
    clean = MEETINGS_2024.replace(b"30 February", b"21 March").replace(b"99999999999", b"9575")
    replay.pages[f"{RESGUIDE}/scact2024_table_en.htm"] = clean
    replay.pages[f"{RESGUIDE}/scact2023_table_en.html"] = clean
    replay.pages[f"{RESGUIDE}/scact_veto_table_en.html"] = VETO_LIST.replace(
        b"30 February 2023", b"18 December 2023").replace(b"8 December 0001", b"8 December 2023")
    settings = settings.model_copy(update={"un_org_url": replay.url})
    summary = sync(engine, settings, sources=["meetings", "veto-list"], since=2023,
                   client=quiet_client(), today=dt.date(2024, 6, 1))
    assert summary.sources["meetings"].pages_failed == ["2023"]
    assert summary.problems == [
        "dhl-meetings: 2023: could not be read or stored (RecursionError: maximum recursion "
        "depth exceeded); nothing of it was stored, the rest of the sync went on"]
    assert "S/RES/2727 (2024)" in keys(engine)
    assert count(engine, Veto, Veto.source == "dhl-veto-list") == 5
    assert count(engine, SyncRun) == 3


# --- the Library's pages: one bad row, the others stored ---------------------------------

MEETINGS_2024 = b"""<table class="tablefont">
<tr><th>Meeting<br>Record</th><th>Date</th><th>Press<br>Release</th><th>Topic</th>
<th>Security Council<br> Outcome / Vote</th></tr>
<tr><td>S/PV.9591</td><td>28 March</td><td>SC/15648</td><td>Non-proliferation</td>
<td>Draft resolution S/2024/255 vetoed by Russian Federation 13-1-1</td></tr>
<tr><td>S/PV.9580</td><td>30 February</td><td>SC/15640</td><td>Sudan</td>
<td>S/RES/2728 (2024) 15-0-0</td></tr>
<tr><td>S/PV.99999999999</td><td>20 March</td><td>SC/15635</td><td>Yemen</td>
<td>S/RES/2729 (2024) 15-0-0</td></tr>
<tr><td>S/PV.9573</td><td>15 March</td><td>SC/15626</td><td>Afghanistan</td>
<td>S/RES/2727 (2024) 14-0-1</td></tr>
</table>"""

VETO_LIST = b"""<table>
<tr><th>Date</th><th>Draft</th><th>Written Record</th><th>Agenda Item</th>
<th>Permanent Member Casting Negative Vote</th></tr>
<tr><td>28 March 2024</td><td>S/2024/255</td><td>S/PV.9591</td><td>Non-proliferation</td>
<td>Russian Federation</td></tr>
<tr><td>30 February 2023</td><td>S/2023/970</td><td>S/PV.9520</td><td>Middle East</td>
<td>USA</td></tr>
<tr><td>8 December 0001</td><td>S/2023/900</td><td>S/PV.9499</td><td>Middle East</td>
<td>USA</td></tr>
<tr><td>26 May 2022</td><td>S/2022/431</td><td>S/PV.9048</td><td>Non-proliferation</td>
<td>China Russian Federation</td></tr>
</table>"""


def test_a_bad_meeting_is_refused_on_its_own(engine: Engine, replay: Replay,
                                             settings: Settings) -> None:
    """A meetings table with an impossible date (30 February) and a meeting number too large
    for the database must store its other meetings, name the two rows, and exit 1."""
    replay.pages[f"{RESGUIDE}/scact2024_table_en.htm"] = MEETINGS_2024
    settings = settings.model_copy(update={"un_org_url": replay.url})
    summary = sync(engine, settings, sources=["meetings"], since=2024, client=quiet_client(),
                   today=dt.date(2024, 6, 1))
    assert not summary.ok
    url = f"{replay.url}{RESGUIDE}/scact2024_table_en.htm"
    assert summary.problems == [
        f"dhl-meetings: {url} row 4: meeting record 'S/PV.99999999999': meeting number out of "
        "range",
        f"dhl-meetings: {url} row 3: impossible date '30 February': day is out of range for "
        "month",
    ]
    with Session(engine) as session:
        assert set(session.execute(select(Meeting.record)).scalars()) == {"S/PV.9591",
                                                                          "S/PV.9573"}
    assert keys(engine) == {"S/2024/255", "S/RES/2727 (2024)"}


def test_a_bad_veto_list_row_is_refused_on_its_own_and_its_vetoes_kept(
        engine: Engine, replay: Replay, settings: Settings) -> None:
    """A Veto List row with an impossible date must be named; the other rows are stored,
    and the vetoes stored before from that row are kept (never removed for their absence)."""
    good = VETO_LIST.replace(b"30 February 2023", b"18 December 2023").replace(
        b"8 December 0001", b"8 December 2023")
    replay.pages[f"{RESGUIDE}/scact_veto_table_en.html"] = good
    settings = settings.model_copy(update={"un_org_url": replay.url})
    assert sync(engine, settings, sources=["veto-list"], client=quiet_client(),
                today=dt.date(2024, 6, 1)).ok
    assert count(engine, Veto) == 5
    replay.pages[f"{RESGUIDE}/scact_veto_table_en.html"] = VETO_LIST
    summary = sync(engine, settings, sources=["veto-list"], client=quiet_client(),
                   today=dt.date(2024, 6, 1))
    assert summary.problems == [
        "dhl-veto-list: row 3 (S/2023/900): date '8 December 0001' 0001-12-08 is outside the "
        "Council's life (1946 to " + str(dt.date.today().year + 1) + ")",
        "dhl-veto-list: row 2 (S/2023/970): impossible date '30 February 2023': day is out of "
        "range for month",
    ]
    assert keys(engine) == {"S/2024/255", "S/2023/970", "S/2023/900", "S/2022/431"}
    assert count(engine, Veto) == 5


# --- 6c: the same limit on a tally for every source ----------------------------------------


def test_a_tally_over_the_council_from_a_voting_record_is_refused(
        engine: Engine, replay: Replay, settings: Settings) -> None:
    """A voting record whose totals (996) count 99 votes must be stored without its tally,
    with the finding the tables give (tally_exceeds_council); its roll call is kept."""
    DigitalLibrary([("2022-03-01", "500", with_totals(adopted(0, "500"), "099"))]).serve(replay)
    settings = settings.model_copy(update={"undl_url": replay.url, "press_url": replay.url,
                                           "docs_url": replay.url})
    summary = sync(engine, settings, sources=["voting-records"], client=quiet_client(),
                   today=dt.date(2024, 6, 1))
    assert summary.ok
    with Session(engine) as session:
        event = session.execute(select(VoteEvent)).scalar_one()
        assert (event.yes, event.no, event.abstain, event.non_voting) == (None, None, None, None)
        (finding,) = session.execute(select(Finding)).scalars()
    assert (finding.kind, finding.severity, finding.record) == (
        "tally_exceeds_council", "error", "record 500")
    assert finding.message == ("S/RES/2600 (2022) (996): tally 99-0-0 counts 99 votes on a "
                               "Council of 15; tally not stored")


DATASET_HEADER = ",".join(COLUMNS)


def dataset_rows(undl_id: str, resolution: str, *, date: str = "2022-03-01",
                 yes: str = "15") -> list[str]:
    return [f"{undl_id},{code},{code},{code in ('CHN', 'FRA', 'RUS', 'GBR', 'USA')},Y,{date},"
            f"{resolution},,S/PV.9000,title,agenda,,,{yes},0,0,0,15,Vote,"
            for code in COUNCIL_2022]


def test_a_tally_over_the_council_from_the_dataset_is_refused() -> None:
    """The dataset's totals are held to the same limit: a tally of 99 is not kept."""
    body = "\n".join([DATASET_HEADER, *dataset_rows("1", "S/RES/2600(2022)", yes="99")])
    (record,), errors = parse_dataset(body.encode())
    assert errors == [] and record.totals is None
    assert [(f.kind, f.message) for f in record.findings] == [
        ("tally_exceeds_council", "S/RES/2600 (2022): tally 99-0-0 counts 99 votes on a Council "
                                  "of 15; tally not stored")]


def test_a_bad_dataset_group_is_named_and_the_others_kept() -> None:
    body = "\n".join([DATASET_HEADER, *dataset_rows("1", "S/RES/2600(2022)"),
                      *dataset_rows("2", "S/RES/2601(2022)", date="2022-02-30"),
                      *dataset_rows("3", "S/RES/2602(2022)", yes="1²")])
    records, errors = parse_dataset(body.encode())
    assert [r.resolution for r in records] == ["S/RES/2600 (2022)"]
    assert [str(e) for e in errors] == [
        "undl-dataset: undl_id 2: date is an impossible date '2022-02-30': day is out of range "
        "for month",
        "undl-dataset: undl_id 3: total_yes is not a number: '1²'"]


def test_an_impossible_document_date_is_not_kept() -> None:
    """A draft's record dated 30 February is kept without its date, and says so."""
    body = MARC_PAGE % (1, Document("700", "S/2022/100", date="2022-02-30",
                                    record_type="B02").xml().encode())
    page = parse_document_page(body, url="u")
    (record,) = page.records
    assert record.date is None
    assert [(f.kind, f.message) for f in record.findings] == [(
        "unreadable_date", "S/2022/100: date (269) '2022-02-30' is not a date (date (269) is "
        "an impossible date '2022-02-30': day is out of range for month); the record is kept "
        "without it")]


# --- 9b: DOCTYPE refused in every encoding -------------------------------------------------

HOSTILE = ('<?xml version="1.0" encoding="{enc}"?>\n'
           '<!DOCTYPE collection [<!ENTITY lol "lol">]>\n'
           "<!-- Search-Engine-Total-Number-Of-Results: 1 -->\n"
           '<collection xmlns="http://www.loc.gov/MARC21/slim">'
           + adopted(0, "500").xml().replace("res 0", "&lol;") + "</collection>")


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-16", "utf-32",
                                      "utf-32-le", "utf-32-be", "utf-8"])
def test_a_doctype_is_refused_in_every_encoding(encoding: str) -> None:
    """The DOCTYPE check must read the document as the parser does: UTF-16 and UTF-32, with
    a byte-order mark or without, are refused like UTF-8."""
    body = HOSTILE.format(enc=encoding.upper()).encode(encoding)
    with pytest.raises(ParseError, match="DOCTYPE or entity declarations is refused"):
        parse_search_page(body, url="u")
    with pytest.raises(ParseError, match="DOCTYPE or entity declarations is refused"):
        safe_xml(body, source="s", record="r")


def test_the_parser_itself_refuses_a_dtd_it_was_not_shown() -> None:
    """Past the text check, the parsed tree is checked too: a document whose declaration names
    an encoding the check cannot read is refused, and entities are never expanded."""
    body = HOSTILE.format(enc="UTF-16").encode("utf-16-le")
    with pytest.raises(ParseError):
        safe_xml(b"\xff\xfe" + body, source="s", record="r")
    from lxml import etree

    from scrapers.undl.parse import _PARSER

    root = etree.fromstring(HOSTILE.format(enc="UTF-8").encode(), _PARSER)
    assert root.getroottree().docinfo.internalDTD is not None  # what safe_xml refuses on
    assert b"lollol" not in etree.tostring(root)


def test_a_utf16_page_with_a_doctype_is_not_stored(engine: Engine, replay: Replay,
                                                   settings: Settings) -> None:
    """Served as a search page, a UTF-16 document with a DOCTYPE is a failed page: nothing
    stored, nothing archived that a rebuild would refuse."""
    body = HOSTILE.format(enc="UTF-16").encode("utf-16-le")
    replay.pages["/search"] = body
    settings = settings.model_copy(update={"undl_url": replay.url, "press_url": replay.url,
                                           "docs_url": replay.url})
    summary = sync(engine, settings, sources=["voting-records"], client=quiet_client(),
                   today=dt.date(2024, 6, 1))
    assert summary.sources["voting-records"].pages_failed == ["jrec=1"]
    assert "DOCTYPE or entity declarations is refused" in summary.problems[0]
    assert keys(engine) == set()
    with RecordArchive(settings.raw_dir, "undl-votes") as archive:
        assert archive.count() == 0


# --- every parser boundary, with generated invalid values ----------------------------------

NASTY = st.one_of(
    st.sampled_from(["30 February", "0", "-1", "٣", "²", "9" * 40, "9" * 5000, "S/PV.9" + "9" * 20,
                     "2022-02-30", "0001-01-01", "9999-12-31", "", " ", "\x00", "[/bold]",
                     "S/RES/0(2022)", "S/RES/1(9999)", "S/RES/١(2022)", "15-0-0", "99-0-0",
                     "\u202e", "&amp;", "S/2022/1 (x)"]),
    st.text(max_size=30), st.from_regex(r"[0-9٠-٩²³¹]{1,25}", fullmatch=True))
FUZZ = hypothesis_settings(max_examples=60, deadline=None,
                           suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                  HealthCheck.too_slow])


@pytest.fixture(scope="module")
def fuzz_engine(tmp_path_factory) -> Engine:
    from db.engine import make_engine

    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'fuzz.sqlite'}")
    open_database(engine)
    return engine


def _stored(engine: Engine, store) -> None:
    """Store what a parser returned, then roll it back: a stored record must never fail."""
    with Session(engine) as session:
        store(session)
        session.rollback()


def _escape(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@FUZZ
@given(field=st.sampled_from(["date", "record", "outcome"]), value=NASTY)
def test_meetings_table_boundary(fuzz_engine: Engine, field: str, value: str) -> None:
    """A bad value in one meeting's cell yields only ParseError, and the other meetings are
    read and stored."""
    bad_row = {"date": f"<tr><td>S/PV.9580</td><td>{_escape(value)}</td><td>SC/1</td><td>t</td>"
                       "<td>S/RES/2728 (2024) 15-0-0</td></tr>",
               "record": f"<tr><td>S/PV.{_escape(value)}</td><td>21 March</td><td>SC/1</td>"
                         "<td>t</td><td>S/RES/2728 (2024) 15-0-0</td></tr>",
               "outcome": f"<tr><td>S/PV.9580</td><td>21 March</td><td>SC/1</td><td>t</td>"
                          f"<td>S/RES/{_escape(value)} (2024) {_escape(value)}-0-0</td></tr>",
               }[field]
    body = MEETINGS_2024.split(b"<tr><td>S/PV.9580")[0] + bad_row.encode() + (
        b"<tr><td>S/PV.9573</td><td>15 March</td><td>SC/15626</td><td>Afghanistan</td>"
        b"<td>S/RES/2727 (2024) 14-0-1</td></tr></table>")
    table = parse_meetings_table(body, year=2024, url="u")
    assert all(isinstance(e, ParseError) for e in table.errors)
    assert {"S/PV.9591", "S/PV.9573"} <= {m.record for m in table.meetings}
    _stored(fuzz_engine, lambda s: store_meetings_table(s, table, url="u",
                                                        fetched_at=dt.datetime.now(dt.UTC)))


@FUZZ
@given(field=st.sampled_from(["date", "meeting", "draft"]), value=NASTY)
def test_veto_list_boundary(fuzz_engine: Engine, field: str, value: str) -> None:
    cells = {"date": "8 December 2023", "draft": "S/2023/900", "meeting": "S/PV.9499"}
    cells[field] = _escape(value) if field != "meeting" else f"S/PV.{_escape(value)}"
    row = (f"<tr><td>{cells['date']}</td><td>{cells['draft']}</td><td>{cells['meeting']}</td>"
           "<td>Middle East</td><td>USA</td></tr>")
    body = VETO_LIST.replace(b"<tr><td>30 February 2023", row.encode() + b"<tr><td>30 February")
    try:
        page = parse_veto_list(body, url="u")
    except ParseError:
        return
    assert all(isinstance(e, ParseError) for e in page.errors)
    assert {"S/2024/255", "S/2022/431"} <= {e.draft for e in page.entries}
    _stored(fuzz_engine, lambda s: store_veto_list(s, page, url="u",
                                                   fetched_at=dt.datetime.now(dt.UTC)))


@FUZZ
@given(field=st.sampled_from(["date", "record_id", "resolution", "meeting", "draft", "totals",
                              "vote"]), value=NASTY)
def test_voting_record_boundary(fuzz_engine: Engine, field: str, value: str) -> None:
    bad = adopted(3, "503")
    if field == "totals":
        xml = with_totals(bad, _escape(value))
    elif field == "vote":
        xml = bad.xml().replace('<subfield code="d">Y</subfield>',
                                f'<subfield code="d">{_escape(value)}</subfield>', 1).encode()
    else:
        setattr(bad, field, value)
        xml = bad.xml().encode() if field != "record_id" else bad.xml().replace(
            ">503<", f">{_escape(value)}<").encode()
    body = MARC_PAGE % (3, adopted(0, "500").xml().encode() + xml
                        + adopted(1, "501").xml().encode())
    try:
        page = parse_search_page(body, url="u")
    except ParseError:
        return  # a value that breaks the XML itself: the whole page is refused, by name
    assert {"S/RES/2600 (2022)", "S/RES/2601 (2022)"} <= {r.resolution for r in page.records}
    assert all(isinstance(e, ParseError) for e in page.errors)
    times = {r.record_id: dt.datetime.now(dt.UTC) for r in page.records}
    _stored(fuzz_engine, lambda s: store_voting_records(s, page.records, source="undl-votes",
                                                        fetched_at=times))
    for record in page.records:  # and what is archived reads back the same
        assert parse_record_xml(record.raw).resolution == record.resolution


@FUZZ
@given(field=st.sampled_from(["record_id", "symbol", "date", "resolution"]), value=NASTY)
def test_document_record_boundary(fuzz_engine: Engine, field: str, value: str) -> None:
    bad = Document("702", "S/2022/102", sponsors="France", record_type="B02",
                   date="2022-01-03")
    setattr(bad, field, value)
    body = MARC_PAGE % (3, Document("700", "S/2022/100", record_type="B02").xml().encode()
                        + bad.xml().encode()
                        + Document("701", "S/2022/101", record_type="B02").xml().encode())
    try:
        page = parse_document_page(body, url="u")
    except ParseError:
        return
    assert {"S/2022/100", "S/2022/101"} <= {r.symbol for r in page.records}
    assert all(isinstance(e, ParseError) for e in page.errors)
    times = {r.record_id: dt.datetime.now(dt.UTC) for r in page.records}
    _stored(fuzz_engine, lambda s: store_documents(s, page.records, source="undl-documents",
                                                   fetched_at=times))


@FUZZ
@given(field=st.sampled_from(["undl_id", "date", "resolution", "total_yes", "total_ms",
                              "meeting", "draft"]), value=NASTY)
def test_dataset_boundary(fuzz_engine: Engine, field: str, value: str) -> None:
    rows = dataset_rows("2", "S/RES/2601(2022)")
    column = COLUMNS.index(field)
    cleaned = value.replace(",", " ").replace("\n", " ").replace("\r", " ").replace('"', " ")
    rows = [",".join([*r.split(",")[:column], cleaned, *r.split(",")[column + 1:]])
            for r in rows]
    body = "\n".join([DATASET_HEADER, *dataset_rows("1", "S/RES/2600(2022)"), *rows,
                      *dataset_rows("3", "S/RES/2602(2022)")])
    try:
        records, errors = parse_dataset(body.encode())
    except ParseError:
        return
    # A neighbour is stored, or (when the bad value is its id, so its rows disagree) named.
    stored, named = {r.resolution for r in records}, {e.record for e in errors}
    for undl_id, resolution in (("1", "S/RES/2600 (2022)"), ("3", "S/RES/2602 (2022)")):
        assert resolution in stored or f"undl_id {undl_id}" in named
    assert all(isinstance(e, ParseError) for e in errors)
    _stored(fuzz_engine, lambda s: store_voting_records(s, records, source="undl-dataset",
                                                        fetched_at=dt.datetime.now(dt.UTC)))
