"""Voting records (MARCXML) and the Library's voting dataset: pure parsers, hostile input."""

from __future__ import annotations

from pathlib import Path

import pytest

from council.records import ParseError
from scrapers.undl.dataset import parse_dataset
from scrapers.undl.parse import parse_record_xml, parse_search_page
from tests.conftest import FIXTURES
from tests.undl_replay import Record, Vote

REAL_2722 = Path("undl_records") / "record_4033397_S-RES-2722(2024)_vote.marcxml.xml"
EXCERPT = Path("undl_sc_voting_official_excerpt") / "2026_02_06_sc_voting.EXCERPT.csv"
FIFTEEN = ["CHN", "FRA", "RUS", "GBR", "USA", "BRA", "JPN", "IND", "KEN", "MEX", "NOR", "IRL",
           "GAB", "GHA", "ARE"]


def record(**changes) -> Record:
    options = {"record_id": "1", "date": "2022-03-25", "resolution": "S/RES/2627(2022)",
               "title": "Security Council resolution 2627 (2022)",
               "votes": [Vote(c, "Y", c) for c in FIFTEEN], "totals": (15, 0, 0, 0, 15)}
    options.update(changes)
    return Record(**options)


def xml(r: Record) -> bytes:
    return f'<collection xmlns="http://www.loc.gov/MARC21/slim">{r.xml()}</collection>'.encode()


def test_real_record_of_2722(shared_data: Path) -> None:
    """Resolution 2722 (2024): 11-0-4, China, Russia, Algeria and Mozambique abstaining."""
    r = parse_record_xml((shared_data / REAL_2722).read_bytes(),
                         base_url="https://digitallibrary.un.org")
    assert r.resolution == "S/RES/2722 (2024)" and r.draft == "S/2024/37"
    assert r.meeting == "S/PV.9527" and r.date == "2024-01-10"
    assert str(r.totals) == "11-0-4" and r.total_members == 15
    assert {v.code for v in r.votes if v.vote == "A"} == {"CHN", "RUS", "DZA", "MOZ"}
    assert r.modified == "20240119110628.0"
    assert r.url == "https://digitallibrary.un.org/record/4033397"
    assert r.findings == []


def test_fixture_records_parse() -> None:
    for path in (FIXTURES / "undl").glob("*.xml"):
        r = parse_record_xml(path.read_bytes())
        assert r.resolution and len(r.votes) == 15 and r.findings == []


def test_missing_vote_is_non_voting() -> None:
    votes = [Vote(c, "X" if c == "GHA" else "Y", c) for c in FIFTEEN]
    r = parse_record_xml(xml(record(votes=votes, totals=(14, 0, 0, 1, 15))))
    assert {v.code: v.vote for v in r.votes}["GHA"] == "X" and r.findings == []


def test_roll_call_against_totals_is_a_finding() -> None:
    r = parse_record_xml(xml(record(totals=(14, 0, 1, 0, 15))))
    assert [f.kind for f in r.findings] == ["roll_call_disagrees_with_totals"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"votes": [Vote("CHN", "Q", "CHINA")]}, "unknown vote 'Q'"),
        ({"votes": [Vote("ATL", "Y", "ATLANTIS")]}, "unknown member code 'ATL'"),
        ({"votes": [Vote("CHN", "Y", "C"), Vote("CHN", "N", "C")]}, "votes twice"),
        ({"resolution": None}, "neither a resolution"),
        ({"date": "25 March 2022"}, "not a date"),
    ],
)
def test_unknown_things_fail_loudly(change: dict, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse_record_xml(xml(record(**change)))


@pytest.mark.parametrize(
    "body",
    [
        # External entity: must not read the file.
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<collection xmlns="http://www.loc.gov/MARC21/slim"><record>&x;</record></collection>',
        # "Billion laughs": must not expand.
        b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;">]><collection>&c;</collection>',
    ],
)
def test_hostile_xml_is_refused(body: bytes) -> None:
    with pytest.raises(ParseError, match="DOCTYPE"):
        parse_record_xml(body)


@pytest.mark.parametrize(
    ("body", "message"),
    [(b"", "empty"), (b"<html><body>Please enable JavaScript</body></html>", "HTML"),
     (b"<collection xmlns='http://www.loc.gov/MARC21/slim'><record>", "malformed")],
)
def test_not_marcxml_is_refused(body: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse_record_xml(body)


def test_search_page_keeps_good_records_and_reports_bad_ones() -> None:
    good = record(record_id="2").xml()
    bad = record(record_id="3", votes=[Vote("CHN", "Q", "C")]).xml()
    body = (b"<?xml version='1.0'?>\n<!-- Search-Engine-Total-Number-Of-Results: 2 -->\n"
            b'<collection xmlns="http://www.loc.gov/MARC21/slim">' + good.encode()
            + bad.encode() + b"</collection>")
    page = parse_search_page(body, url="u")
    assert page.total == 2
    assert [r.record_id for r in page.records] == ["2"]
    assert [e.record for e in page.errors] == ["record 3"]


def test_search_page_without_total_is_refused() -> None:
    body = b'<collection xmlns="http://www.loc.gov/MARC21/slim"></collection>'
    with pytest.raises(ParseError, match="Total"):
        parse_search_page(body, url="u")


def test_dataset_excerpt(shared_data: Path) -> None:
    records, errors = parse_dataset((shared_data / EXCERPT).read_bytes())
    assert errors == []
    by_resolution = {r.resolution: r for r in records}
    assert len(records) == 7
    r511 = by_resolution["S/RES/511 (1982)"]
    assert {v.code for v in r511.votes if v.vote == "A"} == {"POL", "SUN"}
    assert str(r511.totals) == "13-0-2" and r511.findings == []
    r2659 = by_resolution["S/RES/2659 (2022)"]
    assert {v.code for v in r2659.votes if v.vote == "A"} == {"CHN", "GAB", "RUS"}


def test_dataset_with_other_columns_is_refused() -> None:
    with pytest.raises(ParseError, match="missing columns"):
        parse_dataset(b"a,b\n1,2\n")


def test_dataset_without_vote_adoption_is_marked() -> None:
    header = ("undl_id,ms_code,ms_name,permanent_member,ms_vote,date,resolution,draft,meeting,"
              "description,agenda,subjects,vote_note,total_yes,total_no,total_abstentions,"
              "total_non_voting,total_ms,modality,undl_link\n")
    rows = "".join(f"9,{c},{c},False,Y,1990-01-01,S/RES/640(1990),,S/PV.1,d,,,,15,0,0,0,15,"
                   f"Without vote,https://digitallibrary.un.org/record/9\n" for c in FIFTEEN)
    records, errors = parse_dataset((header + rows).encode())
    assert errors == [] and records[0].without_vote and records[0].findings == []
