"""The voting records' parsing paths: the one record address, the search page read as the
pipeline reads it, and the benchmark's bare scraper floor reading the same roll calls."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from council.records import ParseError
from scrapers.undl.documents import parse_document_xml
from scrapers.undl.parse import (
    parse_record_xml,
    parse_search_page,
    record_url,
    split_search_page,
)
from tests.undl_replay import Document, Record, Vote

REAL_2722 = Path("undl_records") / "record_4033397_S-RES-2722(2024)_vote.marcxml.xml"
NS = 'xmlns="http://www.loc.gov/MARC21/slim"'


FIFTEEN = ["CHN", "FRA", "GBR", "RUS", "USA", "ALB", "BRA", "GAB", "GHA", "IND", "IRL",
           "KEN", "MEX", "NOR", "ARE"]


def record(**changes: object) -> Record:
    options: dict[str, object] = {
        "record_id": "1", "date": "2022-03-25", "resolution": "S/RES/2627(2022)",
        "title": "Security Council resolution 2627 (2022)",
        "votes": [Vote(c, "Y", c) for c in FIFTEEN], "totals": (15, 0, 0, 0, 15)}
    options.update(changes)
    return Record(**options)  # type: ignore[arg-type]


def _bench() -> ModuleType:
    path = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_full.py"
    spec = importlib.util.spec_from_file_location("bench_full", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_full", module)  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _page(*records: str, total: int = 2) -> bytes:
    return (f"<!-- Search-Engine-Total-Number-Of-Results: {total} -->\n<collection {NS}>"
            + "".join(records) + "</collection>").encode()


def test_record_url_is_one_formula() -> None:
    """A record's address must be the base without its trailing slash, or relative."""
    assert record_url("https://digitallibrary.un.org/", "4033397") == (
        "https://digitallibrary.un.org/record/4033397")
    assert record_url("http://127.0.0.1:8000", "7") == "http://127.0.0.1:8000/record/7"
    assert record_url("", "7") == "record/7"
    voting = parse_record_xml(f"<collection {NS}>{record(record_id='7').xml()}</collection>"
                              .encode(), base_url="http://x/")
    document = parse_document_xml(f"<collection {NS}>{Document('8', 'S/2009/301').xml()}"
                                  "</collection>".encode(), base_url="http://x/")
    assert voting.url == "http://x/record/7"
    assert document is not None and document.url == "http://x/record/8"


def test_search_page_is_read_as_the_pipeline_reads_it() -> None:
    """A page must give what split_search_page and parse_record give: a record without an
    id is named by the splitter, a record the parser refuses by its id, and each record
    kept carries the XML the splitter archived."""
    good = record(record_id="2").xml()
    bad = record(record_id="3", votes=[Vote("CHN", "Q", "C")]).xml()
    no_id = record(record_id="").xml()
    body = _page(good, no_id, bad, total=3)
    page = parse_search_page(body, url="u")
    split = split_search_page(body, source="undl-votes", url="u")
    assert page.total == 3
    assert [r.record_id for r in page.records] == ["2"]
    assert [r.raw for r in page.records] == [split.records[0].raw]
    assert [str(e) for e in page.errors] == [str(e) for e in split.errors] + [
        str(ParseError("undl-votes", "record 3", "unknown vote 'Q' for CHN"))]


def test_scraper_floor_reads_the_roll_calls_the_parser_reads(shared_data: Path) -> None:
    """The benchmark's bare scraper must read every member's vote (967 $c $d), the id,
    symbols, date and totals: on the real record of 2722 (2024), 11-0-4."""
    body = (shared_data / REAL_2722).read_bytes()
    ((record_id, resolution, draft, date, totals, votes),) = _bench().scrape_roll_calls(body)
    parsed = parse_record_xml(body)
    assert (record_id, resolution, draft, date) == (
        "4033397", "S/RES/2722(2024)", "S/2024/37", parsed.date)
    assert totals == ("011", "000", "004", "000", "015")
    assert [(c, d or "X") for c, d in votes] == [(v.code, v.vote) for v in parsed.votes]
    assert sorted(c for c, d in votes if d == "A") == ["CHN", "DZA", "MOZ", "RUS"]


def test_scraper_floor_on_a_small_page() -> None:
    """A member without a vote ($d absent) must be read as None, the first subfield wins."""
    one = record(record_id="5", votes=[Vote("USA", "Y", "United States"),
                                       Vote("FRA", "X", "France")]).xml()
    ((record_id, resolution, _, date, _, votes),) = _bench().scrape_roll_calls(
        _page(one, total=1))
    assert record_id == "5" and votes == [("USA", "Y"), ("FRA", None)]
    assert resolution == record(record_id="5").resolution and date == record().date


if __name__ == "__main__":  # pragma: no cover
    pytest.main([__file__])
