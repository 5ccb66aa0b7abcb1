"""Tests that kill the surviving mutants of the parsers (issue 18, mutation testing):
scrapers/dhl/parse.py, scrapers/undl/parse.py, scrapers/undl/documents.py and
scrapers/undl/dataset.py. Each asserts the exact records or the exact refusal a user sees.
"""

from __future__ import annotations

import pytest

from council.records import Finding, MemberVoteRecord, ParseError, Severity, Tally, VotingRecord
from scrapers.undl.dataset import SOURCE_DATASET, parse_dataset, read_rows

HEADER = ("undl_id,ms_code,ms_name,permanent_member,ms_vote,date,resolution,draft,meeting,"
          "description,agenda,subjects,vote_note,total_yes,total_no,total_abstentions,"
          "total_non_voting,total_ms,modality,undl_link\n")


def row(undl_id: str = "278791", code: str = "CHN", name: str = "CHINA", permanent: str = "True",
        vote: str = "Y", date: str = "1982-04-30", resolution: str = "S/RES/504(1982)",
        draft: str = "", meeting: str = "S/PV.2358", description: str = "Resolution 504",
        agenda: str = "", totals: str = "2,0,1,0,3", modality: str = "Vote",
        link: str = "https://digitallibrary.un.org/record/278791") -> str:
    return (f"{undl_id},{code},{name},{permanent},{vote},{date},{resolution},{draft},{meeting},"
            f"{description},{agenda},,,{totals},{modality},{link}\n")


def dataset(*rows: str) -> bytes:
    return (HEADER + "".join(rows)).encode()


def test_the_dataset_must_give_one_voting_record_per_undl_id() -> None:
    body = "\ufeff".encode() + dataset(
        row(code="chn", vote="y"), row(code="GUY", name="GUYANA", permanent="False"),
        row(code="SUN", name="USSR", permanent="TRUE", vote="A"),
    )
    records, errors = parse_dataset(body)
    assert errors == []
    assert records == [VotingRecord(
        record_id="278791", modified=None, url="https://digitallibrary.un.org/record/278791",
        title="Resolution 504", date="1982-04-30", resolution="S/RES/504 (1982)", draft=None,
        meeting="S/PV.2358", agenda=None, without_vote=False,
        votes=[MemberVoteRecord("CHN", "Y", "CHINA", "P", 1),
               MemberVoteRecord("GUY", "Y", "GUYANA", "R", 2),
               MemberVoteRecord("SUN", "A", "USSR", "P", 3)],
        totals=Tally(2, 0, 1, 0), total_members=3,
        findings=[],
    )]


def test_a_dataset_record_without_link_or_date_must_take_the_librarys_address_and_its_year() -> None:
    records, errors = parse_dataset(dataset(
        row(undl_id="12", date="", link="", description="", agenda="Chad",
            draft="S/15011", meeting="S/PV.2358 (Resumption 1)", modality="Consensus",
            totals="15,0,0,0,15", permanent="maybe"),
    ))
    assert errors == []
    [record] = records
    assert record.url == "https://digitallibrary.un.org/record/12"
    assert (record.title, record.date, record.agenda, record.draft, record.meeting) == (
        None, None, "Chad", "S/15011", "S/PV.2358 (Resumption 1)")
    assert record.without_vote is True
    assert record.votes == [MemberVoteRecord("CHN", "Y", "CHINA", None, 1)]
    # adopted without a vote: the roll call is not checked against the totals
    assert (record.totals, record.total_members, record.findings) == (
        Tally(15, 0, 0, 0), 15, [])


def test_a_dataset_roll_call_that_disagrees_with_its_totals_must_give_a_finding() -> None:
    records, errors = parse_dataset(dataset(row(totals="2,0,1,0,1")))
    assert errors == []
    assert records[0].findings == [Finding(
        SOURCE_DATASET, "undl_id 278791", "roll_call_disagrees_with_totals", Severity.ERROR,
        "S/RES/504 (1982): the roll call counts 1-0-0 (0 not voting, 1 members) but the totals "
        "say 2-0-1 (0 not voting, 1 members)")]
    records, errors = parse_dataset(dataset(row(totals="9,2,1,0,12", date="1965-01-01",
                                                resolution="S/RES/200(1965)")))
    assert records[0].totals is None and records[0].total_members is None
    assert records[0].findings == [Finding(
        SOURCE_DATASET, "undl_id 278791", "tally_exceeds_council", Severity.ERROR,
        "S/RES/200 (1965): tally 9-2-1 counts 12 votes on a Council of 11; tally not stored")]


@pytest.mark.parametrize(("rows", "record", "message"), [
    ([row(), row(date="1982-05-01")], "undl_id 278791",
     "rows disagree on date: '1982-04-30' and '1982-05-01'"),
    ([row(), row(code="CHN")], "undl_id 278791", "member CHN votes twice"),
    ([row(code="ZZZ")], "undl_id 278791", "unknown member code 'ZZZ'"),
    ([row(vote="Q")], "undl_id 278791", "unknown vote 'Q' for CHN"),
    ([row(resolution="S/RES/504")], "undl_id 278791", "not a resolution symbol: 'S/RES/504'"),
    ([row(meeting="S/PV.x")], "undl_id 278791", "not a meeting record: 'S/PV.x'"),
    ([row(meeting="S/PV.0")], "undl_id 278791", "meeting 'S/PV.0': meeting number out of range"),
    ([row(draft="A/1")], "undl_id 278791", "draft 'A/1' is not a document symbol"),
    ([row(date="1982-02-30")], "undl_id 278791",
     "date is an impossible date '1982-02-30': day is out of range for month"),
    ([row(totals="x,0,1,0,3")], "undl_id 278791", "total_yes is not a number: 'x'"),
    ([row(totals="2,x,1,0,3")], "undl_id 278791", "total_no is not a number: 'x'"),
    ([row(totals="2,0,x,0,3")], "undl_id 278791", "total_abstentions is not a number: 'x'"),
    ([row(totals="2,0,1,x,3")], "undl_id 278791", "total_non_voting is not a number: 'x'"),
    ([row(totals="2,0,1,0, ")], "undl_id 278791", "total_ms is not a number: ''"),
    ([row(undl_id="12a")], "undl_id '12a'", "undl_id is not a number"),
    ([row(undl_id="1234567890123")], "record",
     "record without a numeric id (001): '1234567890123'"),
])
def test_a_dataset_group_it_cannot_read_must_be_refused_by_name(
        rows: list[str], record: str, message: str) -> None:
    records, errors = parse_dataset(dataset(*rows))
    assert records == []
    assert [(e.source, e.record, e.message) for e in errors] == [
        (SOURCE_DATASET, record, message)]


def test_a_dataset_group_with_more_rows_than_seats_must_be_refused() -> None:
    codes = ["CHN", "FRA", "GBR", "USA", "SUN", "JPN", "IND", "BRA", "EGY", "GHA", "IRL", "NOR"]
    records, errors = parse_dataset(dataset(*(row(code=c, date="1965-01-01",
                                                  resolution="S/RES/200(1965)") for c in codes)))
    assert records == []
    assert [e.message for e in errors] == ["12 members' rows on a Council of 11"]


def test_a_file_that_is_not_the_dataset_must_be_refused_by_name() -> None:
    with pytest.raises(ParseError) as caught:
        parse_dataset(b"\xff\xfe")
    assert (caught.value.source, caught.value.record) == (SOURCE_DATASET, "file")
    assert caught.value.message.startswith("not UTF-8 text: ")
    with pytest.raises(ParseError) as caught:
        parse_dataset(HEADER.encode())
    assert str(caught.value) == "undl-dataset: file: the dataset has no rows"
    with pytest.raises(ParseError) as caught:
        parse_dataset(b"undl_id,ms_code\n1,CHN\n")
    assert caught.value.record == "header"
    assert caught.value.message.startswith(
        "not the Library's voting dataset: missing columns ['agenda', 'date', ")
    with pytest.raises(ParseError) as caught:
        list(read_rows([HEADER, row(), "x,y\n"]))
    assert (caught.value.record, caught.value.message) == (
        "line 3", "2 fields where 20 were expected")
    with pytest.raises(ParseError) as caught:
        list(read_rows([HEADER, "1,CHN\n"]))
    assert (caught.value.record, caught.value.message) == (
        "line 2", "2 fields where 20 were expected")
    with pytest.raises(ParseError) as caught:
        list(read_rows([HEADER, row().rstrip("\n") + ",extra\n"]))
    assert (caught.value.record, caught.value.message) == (
        "line 2", "21 fields where 20 were expected")
