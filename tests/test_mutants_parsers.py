"""Tests that kill the surviving mutants of the parsers (issue 18, mutation testing):
scrapers/dhl/parse.py, scrapers/undl/parse.py, scrapers/undl/documents.py and
scrapers/undl/dataset.py. Each asserts the exact records or the exact refusal a user sees.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from lxml import etree

from council.records import (
    Finding,
    MemberVoteRecord,
    PageShapeError,
    ParseError,
    Severity,
    Tally,
    VotingRecord,
)
from scrapers.dhl.parse import (
    clean_text,
    decode_page,
    draft_key,
    first_symbol,
    parse_day,
    parse_meetings_table,
    parse_veto_list,
)
from scrapers.undl.dataset import SOURCE_DATASET, parse_dataset, read_rows
from scrapers.undl.documents import (
    not_a_draft,
    parse_document_page,
    parse_document_xml,
    sponsors_of,
)
from scrapers.undl.parse import (
    MARC,
    parse_record_xml,
    parse_search_page,
    record_url,
    split_search_page,
    xml_text,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures"
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


def test_a_dataset_record_without_link_or_date_must_take_the_librarys_address() -> None:
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
    assert (caught.value.source, caught.value.record) == (SOURCE_DATASET, "header")
    assert caught.value.message.startswith(
        "not the Library's voting dataset: missing columns ['agenda', 'date', ")
    with pytest.raises(ParseError) as caught:
        list(read_rows([HEADER, row(), "x,y\n"]))
    assert str(caught.value) == "undl-dataset: line 3: 2 fields where 20 were expected"
    with pytest.raises(ParseError) as caught:
        list(read_rows([HEADER, "1,CHN\n"]))
    assert (caught.value.record, caught.value.message) == (
        "line 2", "2 fields where 20 were expected")
    with pytest.raises(ParseError) as caught:
        list(read_rows([HEADER, row().rstrip("\n") + ",extra\n"]))
    assert (caught.value.record, caught.value.message) == (
        "line 2", "21 fields where 20 were expected")


# --- the Library's pages (scrapers/dhl/parse.py): the helpers every row goes through ------

def test_a_page_must_decode_as_utf8_else_windows_1252() -> None:
    assert decode_page("Côte".encode()) == "Côte"
    assert decode_page("Côte".encode("cp1252")) == "Côte"
    assert decode_page(b"\x81\xe9") == "\ufffdé"  # 0x81 is no letter in Windows-1252


def test_a_cells_text_must_be_mended_and_collapsed() -> None:
    assert clean_text("  People\u00e2\u0080\u0099s\xa0Republic \n of   China ") == (
        "People's Republic of China")
    assert clean_text("Peopleâ€™s") == "People's"
    assert clean_text("a\xa0 b") == "a b"


@pytest.mark.parametrize(("text", "year", "day"), [
    ("12 June", 2022, date(2022, 6, 12)),
    (" 26 May 2022 ", None, date(2022, 5, 26)),
    ("30 January 86", None, date(1986, 1, 30)),
    ("14-15 October", 1990, date(1990, 10, 14)),
    ("3 Sept. 1999", 2000, date(1999, 9, 3)),
])
def test_a_tables_date_must_be_read_with_the_pages_year(text: str, year: int | None,
                                                         day: date) -> None:
    assert parse_day(text, year=year, source="s", record="r") == day


@pytest.mark.parametrize(("text", "year", "message"), [
    ("June 12", 2022, "unreadable date 'June 12'"),
    ("12 Foo", 2022, "unknown month in date '12 Foo'"),
    ("12 June", None, "date without a year: '12 June'"),
    ("31 June 2022", None, "impossible date '31 June 2022': day is out of range for month"),
    ("12 June 1945", None, "date '12 June 1945' 1945-06-12 is outside the Council's life"),
])
def test_a_tables_date_it_cannot_read_must_be_refused_by_name(text: str, year: int | None,
                                                               message: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_day(text, year=year, source="s", record="r")
    assert (caught.value.source, caught.value.record) == ("s", "r")
    assert caught.value.message.startswith(message)


def test_symbols_and_draft_keys_must_be_read_as_printed() -> None:
    assert first_symbol("see S/2022/431/Rev.1 and S/1") == "S/2022/431/Rev.1"
    assert first_symbol("S/PV.206 meeting") == "S/PV.206"
    assert first_symbol("the draft of 12 June") is None
    assert first_symbol("S/\u0662\u0660\u0662\u0660/870") is None  # digits, but not ASCII
    assert draft_key("S/PV.206", vetoed=True, ordinal=2) == "S/PV.206 (vetoed draft 2)"
    assert draft_key("S/PV.206", vetoed=False, ordinal=1) == "S/PV.206 (draft not adopted 1)"
    assert draft_key("S/2022/431", vetoed=True, ordinal=3) == "S/2022/431"


# --- the Digital Library's voting records (scrapers/undl/parse.py) ------------------------

def marc(*fields: tuple[str, dict[str, str] | str], record_id: str = "99",
         stamp: str = "20220405101500.0") -> bytes:
    """One MARCXML record: its 001 and 005, then each (tag, subfields or control text)."""
    out = [f'<record><controlfield tag="001">{record_id}</controlfield>'
           f'<controlfield tag="005">{stamp}</controlfield>']
    for tag, subfields in fields:
        if isinstance(subfields, str):
            out.append(f'<controlfield tag="{tag}">{subfields}</controlfield>')
            continue
        out.append(f'<datafield tag="{tag}" ind1=" " ind2=" ">' + "".join(
            f'<subfield code="{c}">{t}</subfield>' for c, t in subfields.items()) + "</datafield>")
    return (f'<collection xmlns="{MARC}">' + "".join(out) + "</record></collection>").encode()


def vote(n: int, code: str, cast: str, name: str = "", flag: str = "R") -> tuple[str, dict]:
    return ("967", {"a": f"{n:03d}", "b": flag, "c": code, "d": cast, "e": name or code})


RESOLUTION = ("791", {"a": "S/RES/2627(2022)"})
DATE = ("269", {"a": "2022-03-25"})


def test_a_voting_record_must_keep_what_its_fields_say() -> None:
    record = parse_record_xml(marc(
        ("245", {"a": " Resolution 2627 "}), DATE, ("590", {"a": "Vote"}), RESOLUTION,
        ("993", {"a": "S/2022/250"}), ("952", {"a": "S/PV.8980 (Resumption 1)"}),
        ("991", {"c": "Korea", "d": "ignored"}), ("991", {"d": "Non-proliferation"}),
        ("991", {"c": "Korea"}),
        vote(1, "chn", "y", "CHINA", "P"), vote(2, "ALB", "N", "ALBANIA"),
        ("967", {"a": "1234567", "c": "GAB", "d": "a"}), ("967", {"c": "GHA"}),
        ("996", {"b": "1", "c": "1", "d": "1", "e": "1", "f": "4"}),
    ), base_url="https://library.example/")
    assert (record.record_id, record.modified, record.url, record.title, record.date) == (
        "99", "20220405101500.0", "https://library.example/record/99", "Resolution 2627",
        "2022-03-25")
    assert (record.resolution, record.draft, record.meeting, record.agenda) == (
        "S/RES/2627 (2022)", "S/2022/250", "S/PV.8980 (Resumption 1)",
        "Korea / Non-proliferation")
    assert record.without_vote is False
    assert record.votes == [MemberVoteRecord("CHN", "Y", "CHINA", "P", 1),
                            MemberVoteRecord("ALB", "N", "ALBANIA", "R", 2),
                            MemberVoteRecord("GAB", "A", None, None, None),
                            MemberVoteRecord("GHA", "X", None, None, None)]
    assert (record.totals, record.total_members, record.findings) == (Tally(1, 1, 1, 1), 4, [])
    assert record.vote_key == "S/RES/2627 (2022)"
    assert record_url("", "99") == "record/99"
    assert record_url("https://x.example///", "7") == "https://x.example/record/7"


@pytest.mark.parametrize("note", ["Adopted without vote", "by acclamation", "Consensus"])
def test_a_record_adopted_without_a_vote_must_say_so(note: str) -> None:
    record = parse_record_xml(marc(DATE, RESOLUTION, ("590", {"a": note}),
                                   ("996", {"b": "15", "c": "0", "d": "0", "e": "0"})))
    assert record.without_vote is True
    assert (record.totals, record.findings) == (Tally(15, 0, 0, 0), [])


def test_empty_967_fields_and_no_count_must_be_an_adoption_without_a_vote() -> None:
    record = parse_record_xml(marc(DATE, RESOLUTION, ("967", {"c": "CHN"}),
                                   ("996", {"b": "0", "c": "0", "d": "0"})))
    assert record.without_vote is True
    assert record.findings == []
    record = parse_record_xml(marc(DATE, RESOLUTION, ("967", {"c": "CHN"})))
    assert record.without_vote is True
    assert record.findings == [Finding("undl-votes", "record 99", "no_totals", Severity.INFO,
                                       "S/RES/2627 (2022): the record gives no totals (996)")]


def test_a_record_whose_roll_call_disagrees_must_give_a_finding() -> None:
    record = parse_record_xml(marc(DATE, ("993", {"a": "S/2022/9"}),
                                   vote(1, "CHN", "Y"), vote(2, "FRA", "Y"),
                                   ("996", {"b": "3", "c": "0", "d": "0", "e": "12", "f": "15"})))
    assert record.vote_key == "S/2022/9"
    assert record.findings == [Finding(
        "undl-votes", "record 99", "roll_call_disagrees_with_totals", Severity.ERROR,
        "S/2022/9: the roll call counts 2-0-0 (0 not voting, 2 members) but the totals say "
        "3-0-0 (12 not voting, 15 members)")]
    record = parse_record_xml(marc(("791", {"a": "S/RES/100(1955)"}),
                                   ("996", {"b": "9", "c": "2", "d": "1"})))
    assert (record.totals, record.total_members) == (None, None)
    assert record.findings == [Finding(
        "undl-votes", "record 99", "tally_exceeds_council", Severity.ERROR,
        "S/RES/100 (1955) (996): tally 9-2-1 counts 12 votes on a Council of 11; "
        "tally not stored")]


@pytest.mark.parametrize(("fields", "message"), [
    ((DATE,), "neither a resolution (791) nor a draft (993)"),
    ((RESOLUTION, ("993", {"a": "A/1"})), "draft (993) 'A/1' is not a document symbol"),
    ((RESOLUTION, ("952", {"a": "S/PV.x"})), "not a meeting record: 'S/PV.x'"),
    ((RESOLUTION, ("952", {"a": "S/PV.0"})), "meeting record (952) 'S/PV.0': meeting number "
                                             "out of range"),
    ((RESOLUTION, ("269", {"a": "2022-02-30"})),
     "vote date (269) is an impossible date '2022-02-30': day is out of range for month"),
    ((RESOLUTION, ("967", {"c": "CH", "d": "Y"})),
     "member code (967 $c) 'CH' is not a three-letter code"),
    ((RESOLUTION, ("967", {"c": "ZZZ", "d": "Y"})), "unknown member code 'ZZZ'"),
    ((RESOLUTION, vote(1, "CHN", "Y"), vote(2, "CHN", "N")), "member CHN votes twice"),
    ((RESOLUTION, vote(1, "CHN", "Q")), "unknown vote 'Q' for CHN"),
    ((RESOLUTION, ("996", {"b": "x", "c": "0", "d": "0"})), "996 $b is not a number: 'x'"),
    ((RESOLUTION, ("996", {"b": "1", "c": "0", "d": "0", "f": "y"})),
     "996 $f is not a number: 'y'"),
    ((("791", {"a": "S/RES/100(1955)"}), ("269", {"a": "1955-01-02"}),
      *(vote(n, c, "Y") for n, c in enumerate(
          ["CHN", "FRA", "GBR", "USA", "SUN", "JPN", "IND", "BRA", "EGY", "GHA", "IRL", "NOR"]))),
     "the roll call names 12 members on a Council of 11"),
])
def test_a_voting_record_it_cannot_read_must_be_refused_by_name(
        fields: tuple, message: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_record_xml(marc(*fields))
    assert (caught.value.source, caught.value.record, caught.value.message) == (
        "undl-votes", "record 99", message)


@pytest.mark.parametrize(("body", "message"), [
    (b"  \n", "empty response where MARCXML was expected"),
    (b'<!DOCTYPE x [<!ENTITY a "b">]><x/>',
     "XML with a DOCTYPE or entity declarations is refused"),
    (b"<!-- x --><html><body>wall</body></html>",
     "expected MARCXML, got HTML or text (a bot wall or an error page?)"),
    (b"Service unavailable", "expected MARCXML, got HTML or text (a bot wall or an error page?)"),
    (b'<?xml version="1.0" encoding="klingon"?><x/>', "XML in an unknown encoding 'klingon'"),
    (b"<x><y></x>", "malformed XML: "),
])
def test_a_page_that_is_not_marcxml_must_be_refused_by_name(body: bytes, message: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_record_xml(body, record="the record")
    assert (caught.value.source, caught.value.record) == ("undl-votes", "the record")
    assert caught.value.message.startswith(message)
    with pytest.raises(ParseError) as caught:
        parse_record_xml(b"<x/>", record="the record")
    assert str(caught.value) == "undl-votes: page: unexpected root element 'x'"


def test_xml_must_be_decoded_as_it_declares() -> None:
    text = '<?xml version="1.0" encoding="ISO-8859-1"?><x>Côte</x>'
    assert xml_text(text.encode("latin-1"), source="s", record="r") == text
    assert xml_text("<x>Côte</x>".encode("utf-16"), source="s", record="r") == (
        "\ufeff<x>Côte</x>")
    text = '<?xml version="1.0"?><x>é</x>'
    assert xml_text(text.encode("utf-16-be"), source="s", record="r") == text
    assert xml_text(text.encode("utf-32-le"), source="s", record="r") == text
    assert xml_text(b"<x>\xff</x>", source="s", record="r") == "<x>\ufffd</x>"


def test_a_search_page_must_give_its_total_and_every_record_it_can_read() -> None:
    body = (b"<!-- Search-Engine-Total-Number-Of-Results: 42 -->" + marc(RESOLUTION, DATE)
            .replace(b"</collection>", b"<record><controlfield tag='001'>x</controlfield>"
                                       b"</record></collection>"))
    page = parse_search_page(body, url="page-1", base_url="https://l.example")
    assert page.total == 42
    assert [r.url for r in page.records] == ["https://l.example/record/99"]
    assert [str(e) for e in page.errors] == [
        "undl-votes: record: record without a numeric id (001): 'x'"]
    with pytest.raises(ParseError) as caught:
        parse_search_page(marc(RESOLUTION), url="page-1")
    assert str(caught.value) == (
        "undl-votes: page-1: no Search-Engine-Total-Number-Of-Results comment")
    with pytest.raises(ParseError) as caught:
        parse_record_xml(body.replace(b"<controlfield tag='001'>x", b"<controlfield tag='001'>7"))
    assert str(caught.value) == "undl-votes: record: expected one record, found 2"


# --- the Veto List: a vote printed on two rows ---------------------------------------------

def _veto_list_with_row_7_twice(change: Callable[[str], str]) -> bytes:
    text = (FIXTURES / "dhl" / "veto_list.html").read_text()
    i = text.index("S/552")
    start, end = text.rindex("<tr", 0, i), text.index("</tr>", i) + len("</tr>")
    return (text[:end] + change(text[start:end]) + text[end:]).encode()


def test_a_veto_list_row_printed_twice_must_be_counted_once_and_named() -> None:
    parsed = parse_veto_list(_veto_list_with_row_7_twice(lambda row: row), url="u")
    assert len(parsed.entries) == 10
    assert parsed.findings == [Finding(
        "dhl-veto-list", "row 8 (S/552 , S/PV.202)", "repeated_row", Severity.WARNING,
        "row 8 repeats row 7 cell for cell (15 September 1947 | S/552 , S/PV.202 | S/PV.202 | "
        "The Greek question concerning the situation in northern Greece | USSR): one vote "
        "printed twice; counted once", "u")]


def test_two_rows_of_one_veto_that_differ_must_keep_the_first_and_say_what_differs() -> None:
    parsed = parse_veto_list(_veto_list_with_row_7_twice(
        lambda row: row.replace("northern Greece", "Greece")), url="u")
    # the row after the two (the preliminary question, now row 9) is another vote, kept
    assert [e.row for e in parsed.entries if e.draft == "S/552"] == [9, 7]
    assert parsed.findings == [Finding(
        "dhl-veto-list", "row 8 (S/552 , S/PV.202)", "rows_disagree", Severity.ERROR,
        "rows 7 and 8 both give the veto of S/552 and differ: agenda item 'The Greek question "
        "concerning the situation in northern Greece' and 'The Greek question concerning the "
        "situation in Greece'. Kept: row 7 (the first on the page), with the members both "
        "name (SUN)", "u")]


# --- the Digital Library's document records (scrapers/undl/documents.py) ------------------

def test_a_page_of_documents_must_keep_drafts_and_name_what_it_skips() -> None:
    draft = (FIXTURES / "undl" / "documents" / "document_3975193_S-2022-431.xml").read_bytes()
    inner = draft[draft.index(b"<record"):draft.rindex(b"</record>") + len(b"</record>")]
    letter_xml = marc(("191", {"a": "S/2022/1"}), ("245", {"a": "Letter dated 1 January 2022"}),
                      record_id="5")
    letter = letter_xml[letter_xml.index(b"<record"):letter_xml.rindex(b"</record>") + 9]
    no_symbol = b"<record><controlfield tag='001'>6</controlfield></record>"
    page = (b"<!-- Search-Engine-Total-Number-Of-Results: 1234 -->" + f'<collection xmlns="{MARC}">'
            .encode() + inner + letter + no_symbol + b"</collection>")
    parsed = parse_document_page(page, url="page-1", base_url="https://l.example")
    assert (parsed.total, parsed.skipped) == (1234, 1)
    assert [(r.symbol, r.url) for r in parsed.records] == [
        ("S/2022/431", "https://l.example/record/3975193")]
    assert parsed.refused == {
        "S/2022/1": "its title names another kind of document: 'Letter dated 1 January 2022'"}
    assert [str(e) for e in parsed.errors] == ["undl-documents: record 6: no document symbol "
                                               "(191)"]
    assert [r.record_id for r in parsed.unread] == ["6"]
    one = parse_document_xml(draft, base_url="https://l.example")
    assert one is not None and (one.symbol, one.url) == (
        "S/2022/431", "https://l.example/record/3975193")
    assert parse_document_xml(letter_xml) is None
    with pytest.raises(ParseError) as caught:
        parse_document_xml(b'<collection xmlns="' + MARC.encode() + b'"/>', record="r")
    assert str(caught.value) == "undl-documents: r: no record in the document"


def test_two_rows_of_one_veto_naming_no_member_in_common_must_keep_no_veto() -> None:
    parsed = parse_veto_list(_veto_list_with_row_7_twice(
        lambda row: row.replace("<td>USSR</td>", "<td>France</td>").replace(
            "15 September 1947", "16 September 1947")), url="u")
    assert len(parsed.entries) == 9
    assert [(e.row, e.members) for e in parsed.entries if e.draft == "S/552"] == [(9, ["SUN"])]
    assert parsed.findings == [Finding(
        "dhl-veto-list", "row 8 (S/552 , S/PV.202)", "rows_disagree", Severity.ERROR,
        "rows 7 and 8 both give the veto of S/552 and differ: date '15 September 1947' and "
        "'16 September 1947'; members 'SUN' and 'FRA'. Kept: row 7 (the first on the page), "
        "with no veto of this vote: the rows name no member in common", "u")]


def test_a_document_without_a_record_must_be_named_by_its_default_name() -> None:
    with pytest.raises(ParseError) as caught:
        parse_document_xml(b'<collection xmlns="' + MARC.encode() + b'"/>')
    assert str(caught.value) == "undl-documents: record: no record in the document"
    with pytest.raises(ParseError) as caught:
        parse_record_xml(b"<x")
    assert str(caught.value).startswith("undl-votes: record: malformed XML: ")


# The fixture's Veto List, row by row as the parser must read it: newest first on the page
# (row 1), two drafts of S/PV.49 told apart by their order, a preliminary question, letters
# for a vote by written procedure.
VETO_LIST_ROWS = [
    (10, date(1946, 6, 26), "S/PV.49 (vetoed draft 1)", "S/PV.49", "S/PV.49",
     "S/PV.49", "The Spanish question",
     ["FRA", "SUN"], None, []),
    (9, date(1946, 6, 26), "S/PV.49 (vetoed draft 2)", "S/PV.49", "S/PV.49",
     "S/PV.49", "The Spanish question",
     ["SUN"], None, []),
    (8, date(1947, 9, 15), "S/552", "S/552", "S/PV.202",
     "S/PV.202", "The Greek question concerning the situation in northern Greece",
     ["SUN"], "preliminary question", []),
    (7, date(1947, 9, 15), "S/552", "S/552 , S/PV.202", "S/PV.202",
     "S/PV.202", "The Greek question concerning the situation in northern Greece",
     ["SUN"], None, []),
    (6, date(1956, 10, 30), "S/3710", "S/3710 (as amended)", "S/PV.749",
     "S/PV.749", "The Palestine question",
     ["FRA", "GBR"], None, []),
    (4, date(1983, 10, 27), "S/16077/Rev.1", "S/16077/Rev.1", "S/PV.2491",
     "S/PV.2491", "The situation in Grenada",
     ["USA"], None, []),
    (5, date(1986, 1, 30), "S/17769/Rev.1", "S/17769/Rev.1", "S/PV.2650",
     "S/PV.2650", "The situation in the occupied Arab territories",
     ["FRA", "GBR", "USA"], None, []),
    (3, date(2020, 8, 31), "S/2020/852", "S/2020/852", "S/2020/870",
     "S/2020/870 S/2020/865",
     "Threats to international peace and security caused by terrorist attacks",
     ["USA"], None, ["S/2020/870", "S/2020/865"]),
    (2, date(2022, 5, 26), "S/2022/431", "S/2022/431", "S/PV.9048",
     "S/PV.9048", "Non-proliferation - Democratic People's Republic of Korea",
     ["CHN", "RUS"], None, []),
    (1, date(2024, 3, 28), "S/2024/255", "S/2024/255", "S/PV.9591",
     "S/PV.9591", "Non-proliferation - Democratic People's Republic of Korea",
     ["RUS"], None, []),
]


def test_the_veto_list_must_be_read_row_by_row() -> None:
    parsed = parse_veto_list((FIXTURES / "dhl" / "veto_list.html").read_bytes())
    assert (parsed.findings, parsed.errors) == ([], [])
    assert [(e.row, e.date, e.draft, e.draft_text, e.meeting, e.meeting_text, e.agenda,
             e.members, e.question, e.letters) for e in parsed.entries] == VETO_LIST_ROWS
    assert [e.vote_key for e in parsed.entries][2:4] == ["S/552 (preliminary question)", "S/552"]


# --- the Veto List, page by page: pages written for the tests, in the Library's shape ---------

VETO_HEADER = ("<tr><th>Date</th><th>Draft</th><th>Written Record</th><th>Agenda Item</th>"
               "<th>Permanent Member Casting Negative Vote</th></tr>")


def veto_page(*rows: tuple[str, ...] | str, header: str = VETO_HEADER) -> bytes:
    """A Veto List page: its header row, then each row (cells' texts, or raw <tr> HTML)."""
    trs = [r if isinstance(r, str) else "<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>"
           for r in rows]
    return f"<html><table>{header}{''.join(trs)}</table></html>".encode()


SUEZ = ("30 October 1956", "S/3710", "S/PV.749", "The Palestine question", "France, UK")


def test_a_veto_list_row_repeated_apart_must_be_counted_once_and_rows_that_differ_named() -> None:
    """Three rows of one draft, not next to each other: the second repeats the first cell for
    cell; the third names a third member and another record and draft text."""
    other = ("1 January 2024", "S/2024/1", "S/PV.9999", "Another question", "USA")
    third = ("30 October 1956", "S/3710 (as amended)", "S/PV.749 (Resumption 1)",
             "The Palestine question", "France, UK, USA")
    parsed = parse_veto_list(veto_page(SUEZ, other, SUEZ, third), url="u")
    assert [(e.row, e.draft, e.members, e.meeting) for e in parsed.entries] == [
        (1, "S/3710", ["FRA", "GBR"], "S/PV.749"), (2, "S/2024/1", ["USA"], "S/PV.9999")]
    assert parsed.findings == [
        Finding("dhl-veto-list", "row 3 (S/3710)", "repeated_row", Severity.WARNING,
                "row 3 repeats row 1 cell for cell (30 October 1956 | S/3710 | S/PV.749 | "
                "The Palestine question | FRA, GBR): one vote printed twice; counted once", "u"),
        Finding("dhl-veto-list", "row 4 (S/3710 (as amended))", "rows_disagree", Severity.ERROR,
                "rows 1 and 4 both give the veto of S/3710 and differ: draft 'S/3710' and "
                "'S/3710 (as amended)'; written record 'S/PV.749' and 'S/PV.749 (Resumption 1)'; "
                "members 'FRA, GBR' and 'FRA, GBR, USA'. Kept: row 1 (the first on the page), "
                "with the members both name (FRA, GBR)", "u"),
    ]
    # the members every row names replace the first row's own
    parsed = parse_veto_list(veto_page(("30 October 1956", "S/3710", "S/PV.749",
                                        "The Palestine question", "France, UK, USA"), SUEZ))
    assert [(e.row, e.members) for e in parsed.entries] == [(1, ["FRA", "GBR"])]
    assert [f.kind for f in parsed.findings] == ["rows_disagree"]


def test_a_repeated_veto_list_row_without_a_draft_must_be_named_by_its_date() -> None:
    empty = ("12 June 2022", "", "S/PV.9060", "Question", "Russian Federation")
    parsed = parse_veto_list(veto_page(empty, empty, SUEZ))
    assert parsed.findings == [Finding(
        "dhl-veto-list", "row 2 (12 June 2022)", "repeated_row", Severity.WARNING,
        "row 2 repeats row 1 cell for cell (12 June 2022 |  | S/PV.9060 | Question | Russian "
        "Federation): one vote printed twice; counted once")]
    assert [str(e) for e in parsed.errors] == [
        "dhl-veto-list: row 1 (12 June 2022): no draft symbol in ''"]
    assert [e.draft for e in parsed.entries] == ["S/3710"]


@pytest.mark.parametrize(("rows", "url", "message"), [
    ((SUEZ, ("1", "2")), None,
     "dhl-veto-list: veto list row 3: 2 cells where 5 were expected: ['1', '2']"),
    ((SUEZ, ("1", "2", "3", "4")), "u",
     "dhl-veto-list: u row 3: 4 cells where 5 were expected: ['1', '2', '3', '4']"),
    ((), None, "dhl-veto-list: veto list: no vetoes found on the page"),
    ((), "u", "dhl-veto-list: u: no vetoes found on the page"),
    (((SUEZ[0], "no symbol", *SUEZ[2:]),), "u",
     "dhl-veto-list: row 1 (no symbol): no draft symbol in 'no symbol'"),
    (((*SUEZ[:2], "S/PV.x", *SUEZ[3:]),), None,
     "dhl-veto-list: row 1 (S/3710): not a meeting record: 'S/PV.x'"),
])
def test_a_veto_list_it_cannot_read_must_be_refused_by_name(
        rows: tuple, url: str | None, message: str) -> None:
    """The page's rows are counted from its first <tr>, the header's; a page whose only
    vote cannot be read is refused with that vote's own error."""
    with pytest.raises(ParseError) as caught:
        parse_veto_list(veto_page(*rows), url=url)
    assert str(caught.value) == message


@pytest.mark.parametrize(("url", "record"), [(None, "veto list"), ("u", "u")])
def test_a_veto_list_with_other_columns_must_be_refused_by_name(url: str | None,
                                                                record: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_veto_list(veto_page(SUEZ, header="<tr><th>Date</th><th>Draft</th></tr>"), url=url)
    assert (caught.value.source, caught.value.record, caught.value.message) == (
        "dhl-veto-list", record, "unexpected columns ['date', 'draft']")


def test_a_veto_list_naming_an_unknown_member_must_be_refused_whole() -> None:
    with pytest.raises(PageShapeError) as caught:
        parse_veto_list(veto_page(SUEZ, (*SUEZ[:4], "Atlantis")))
    assert (caught.value.source, caught.value.record) == ("dhl-veto-list", "row 2 (S/3710)")
    assert caught.value.message == "unknown permanent member 'Atlantis' in 'Atlantis'"


def test_a_veto_list_row_must_be_read_by_its_own_cells() -> None:
    """A table inside a cell is part of that cell: its cells are not the row's; a heading
    cell (<th>) that numbers the row is none of its five cells either."""
    nested = ("<tr><td>30 October 1956</td><td>S/3710</td><td>S/PV.749</td>"
              "<td><table><tr><td>The Palestine question</td></tr></table></td>"
              "<td>France, UK</td></tr>")
    numbered = ("<tr><th>2</th><td>26 May 2022</td><td>S/2022/431</td><td>S/PV.9048</td>"
                "<td>Non-proliferation</td><td>China, Russian Federation</td></tr>")
    parsed = parse_veto_list(veto_page(numbered, nested))
    assert [(e.draft, e.agenda, e.members) for e in parsed.entries] == [
        ("S/3710", "The Palestine question", ["FRA", "GBR"]),
        ("S/2022/431", "Non-proliferation", ["CHN", "RUS"])]


def test_a_veto_lists_written_record_cell_must_give_the_meeting_or_the_letters() -> None:
    parsed = parse_veto_list(veto_page(
        ("31 August 2020", "S/2020/852", "by written procedure", "Terrorism", "USA"),
        # digits that are not ASCII digits are no symbol's
        ("1 September 2020", "S/2020/853", "S/\u0662\u0660\u0662\u0660/870", "Terrorism", "USA"),
        ("15 September 1947", "S/552", "S/PV.202", "The Greek question, Preliminary Question",
         "USSR"),
    ))
    assert [(e.draft, e.meeting, e.letters, e.agenda, e.question, e.vote_key)
            for e in parsed.entries] == [
        ("S/552", "S/PV.202", [], "The Greek question", "preliminary question",
         "S/552 (preliminary question)"),
        ("S/2020/852", None, [], "Terrorism", None, "S/2020/852"),
        ("S/2020/853", None, [], "Terrorism", None, "S/2020/853"),
    ]


# --- the voting dataset: the meeting, the year, the CSV the reader refuses ----------------------

def test_a_dataset_record_must_keep_a_meeting_that_is_not_a_meeting_record_as_given() -> None:
    records, errors = parse_dataset(dataset(
        row(undl_id="1", meeting=""), row(undl_id="2", meeting="S/2020/870"),
        row(undl_id="3", meeting="S/PV.2358 (Resumption 1)")))
    assert errors == []
    assert [(r.record_id, r.meeting) for r in records] == [
        ("1", None), ("2", "S/2020/870"), ("3", "S/PV.2358 (Resumption 1)")]


def test_a_dataset_councils_size_must_be_that_of_the_votes_date() -> None:
    """Twelve members' rows are too many for a Council of 11 (before 1966), not for one of 15:
    the date decides, the resolution's year only when there is no date."""
    codes = ["CHN", "FRA", "GBR", "USA", "SUN", "JPN", "IND", "BRA", "EGY", "GHA", "IRL", "NOR"]
    records, errors = parse_dataset(dataset(*(
        row(code=c, date="1966-01-03", resolution="S/RES/210(1965)", totals="12,0,0,0,12")
        for c in codes)))
    assert (len(records), errors) == (1, [])
    assert len(records[0].votes) == 12
    records, errors = parse_dataset(dataset(*(
        row(code=c, date="", resolution="S/RES/210(1965)", totals="12,0,0,0,12")
        for c in codes)))
    assert records == []
    assert [(e.source, e.record, e.message) for e in errors] == [
        (SOURCE_DATASET, "undl_id 278791", "12 members' rows on a Council of 11")]


def test_a_dataset_total_left_empty_must_be_refused_as_empty() -> None:
    records, errors = parse_dataset(dataset(row(totals="2,0,1,0,")))
    assert records == []
    assert [str(e) for e in errors] == [
        "undl-dataset: undl_id 278791: total_ms is not a number: ''"]


def test_a_csv_the_reader_cannot_read_must_be_refused_by_line() -> None:
    """The line named is the one the reader could not read (the header is line 1)."""
    huge = "a" * 200_000
    with pytest.raises(ParseError) as caught:
        list(read_rows([huge + ",b\n"]))
    assert str(caught.value) == (
        "undl-dataset: header: unreadable CSV: field larger than field limit (131072)")
    with pytest.raises(ParseError) as caught:
        list(read_rows([HEADER, row(), row(undl_id=huge)]))
    assert str(caught.value) == (
        "undl-dataset: line 3: unreadable CSV: field larger than field limit (131072)")


# --- the Digital Library's document records: what is refused, and why ----------------------

def _inner(xml: bytes) -> bytes:
    """The <record> element of one record's MARCXML, for a page of several."""
    return xml[xml.index(b"<record"):xml.rindex(b"</record>") + len(b"</record>")]


def test_a_page_of_documents_must_name_each_record_it_skips_with_the_reason() -> None:
    letter = marc(("191", {"a": "S/2022/1"}),
                  ("245", {"a": "Letter dated 1 January 2022", "b": "from the Secretary-General"}),
                  record_id="5")
    report = marc(("191", {"a": "S/2022/2"}), ("089", {"b": "B01"}), ("089", {"b": "B16"}),
                  record_id="6")
    # an empty subfield, or one of white space only, before the title is no end of the field
    memo = marc(("191", {"a": "S/2022/3"}), record_id="7").replace(
        b"</record>", b'<datafield tag="245" ind1=" " ind2=" "><subfield code="c"/>'
        b'<subfield code="c"> </subfield><subfield code="a">Note by the President</subfield>'
        b"</datafield></record>")
    draft = (FIXTURES / "undl" / "documents" / "document_3975193_S-2022-431.xml").read_bytes()
    page = (b"<!-- Search-Engine-Total-Number-Of-Results: 4 -->" + f'<collection xmlns="{MARC}">'
            .encode() + b"".join(_inner(x) for x in (letter, report, memo, draft))
            + b"</collection>")
    parsed = parse_document_page(page, url="page-1")
    assert (parsed.total, parsed.skipped, parsed.errors) == (4, 3, [])
    assert parsed.refused == {
        "S/2022/1": "its title names another kind of document: "
                    "'Letter dated 1 January 2022 from the Secretary-General'",
        "S/2022/2": "its record type (089 $b) is B01, B16, not B02 (draft resolutions)",
        "S/2022/3": "its title names another kind of document: 'Note by the President'",
    }
    # without a base address, the record's address is relative
    assert [(r.symbol, r.url) for r in parsed.records] == [("S/2022/431", "record/3975193")]
    one = parse_document_xml(draft)
    assert one is not None and one.url == "record/3975193"
    # the element itself is read as well as its fields
    assert not_a_draft(etree.fromstring(_inner(letter).replace(
        b"<record>", f'<record xmlns="{MARC}">'.encode()))) == (
        "its title names another kind of document: "
        "'Letter dated 1 January 2022 from the Secretary-General'")


def test_a_document_record_alone_or_in_a_collection_must_be_read_alike() -> None:
    draft = (FIXTURES / "undl" / "documents" / "document_3975193_S-2022-431.xml").read_bytes()
    alone = _inner(draft).replace(b"<record>", f'<record xmlns="{MARC}">'.encode())
    record = parse_document_xml(alone, base_url="https://l.example")
    assert record is not None and (record.symbol, record.url) == (
        "S/2022/431", "https://l.example/record/3975193")


@pytest.mark.parametrize(("body", "message"), [
    (b"<x><y></x>", "undl-documents: r: malformed XML: "),
    (b"wall", "undl-documents: r: expected MARCXML, got HTML or text"),
])
def test_a_document_that_is_not_marcxml_must_be_refused_by_name(body: bytes,
                                                                message: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_document_xml(body, record="r")
    assert str(caught.value).startswith(message)


def test_a_page_of_documents_without_its_total_must_be_refused_by_its_address() -> None:
    with pytest.raises(ParseError) as caught:
        parse_document_page(marc(("191", {"a": "S/2022/1"})), url="page-1")
    assert str(caught.value) == (
        "undl-documents: page-1: no Search-Engine-Total-Number-Of-Results comment")


def test_a_voting_record_without_a_base_address_must_have_a_relative_address() -> None:
    assert parse_record_xml(marc(RESOLUTION, DATE)).url == "record/99"
    body = b"<!-- Search-Engine-Total-Number-Of-Results: 1 -->" + marc(RESOLUTION, DATE)
    assert [r.url for r in parse_search_page(body, url="page-1").records] == ["record/99"]


DRAFT_TITLE = ("245", {"a": "Draft resolution /"})


def test_a_document_record_must_keep_what_its_fields_say() -> None:
    record = parse_document_xml(marc(
        ("191", {"a": "s/2022/9"}), DRAFT_TITLE, ("245", {"c": "France and Atlantis"}),
        ("993", {"a": "S/2022/8"}), ("993", {"a": "S/RES/2627(2022)"}),
        record_id="12", stamp=""), base_url="https://l.example")
    assert record is not None
    assert (record.record_id, record.modified, record.url, record.symbol, record.title) == (
        "12", "", "https://l.example/record/12", "S/2022/9", "Draft resolution")
    assert (record.sponsors_text, record.sponsors, record.resolution) == (
        "France and Atlantis", ["FRA"], "S/RES/2627 (2022)")
    assert record.findings == [Finding(
        "undl-documents", "record 12", "unknown_sponsor", Severity.WARNING,
        "S/2022/9: sponsor 'Atlantis' is not a member the tracker knows "
        "(in 'France and Atlantis')")]
    # the day as the Library writes it (yyyymmdd), the bodies and subjects; the raw XML
    # kept is the record, which reads back the same
    record = parse_document_xml(marc(
        ("191", {"a": "S/2022/9"}), ("245", {"a": "Draft resolution on Annex X /"}),
        ("269", {"a": "20220525"}), ("610", {"a": "UN. Panel of Experts"}),
        ("650", {"a": "SANCTIONS"}), ("650", {"a": "NUCLEAR WEAPONS"})))
    assert record is not None
    assert (record.modified, record.date, record.title, record.bodies, record.subjects) == (
        "20220405101500.0", "2022-05-25", "Draft resolution on Annex X",
        ["UN. Panel of Experts"], ["SANCTIONS", "NUCLEAR WEAPONS"])
    assert record.raw.startswith(b"<record")
    assert parse_document_xml(record.raw) == record
    # no title at all, no link to a resolution: none is made up
    record = parse_document_xml(marc(("191", {"a": "S/2022/9"}), ("089", {"b": "B02"})))
    assert record is not None
    assert (record.title, record.resolution, record.findings) == (None, None, [])


@pytest.mark.parametrize(("fields", "message"), [
    ((("191", {"a": "A/77/L.1"}), DRAFT_TITLE),
     "undl-documents: record 99: not a Security Council document symbol: 'A/77/L.1'"),
    ((("191", {"a": "S/PV.99999999999"}), DRAFT_TITLE),
     "undl-documents: record 99: document symbol (191) 'S/PV.99999999999': meeting number "
     "out of range"),
])
def test_a_document_record_it_cannot_read_must_be_refused_by_name(
        fields: tuple, message: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_document_xml(marc(*fields))
    assert str(caught.value) == message
    with pytest.raises(ParseError) as caught:
        parse_document_xml(marc(*fields, record_id="x"))
    assert str(caught.value) == "undl-documents: record: record without a numeric id (001): 'x'"


@pytest.mark.parametrize(("fields", "reason"), [
    # the descriptive title (239) is a title too
    ((("245", {"a": "Complaint by Cuba"}), ("239", {"a": "Draft resolution [on Cuba]"})), None),
    ((("245", {"a": "Complaint by Cuba"}), ("239", {"a": "Letter dated 2 May 1962"})),
     "its title names another kind of document: 'Letter dated 2 May 1962'"),
    # a title after a subject
    ((("245", {"a": "Complaint of bombing : draft resolution"}),), None),
    # sponsors decide only when every one is a member the tracker knows
    ((("245", {"a": "Complaint by Cuba", "c": "France and Atlantis"}),),
     "neither its title ('Complaint by Cuba') nor its record type (089) nor its sponsors "
     "(245 $c) say it is a draft resolution"),
    ((("245", {"c": "France"}),), None),
    ((), "neither its title ('') nor its record type (089) nor its sponsors (245 $c) say it is "
         "a draft resolution"),
])
def test_a_document_must_be_a_draft_by_its_own_fields(fields: tuple, reason: str | None) -> None:
    xml = marc(("191", {"a": "S/1"}), *fields)
    assert not_a_draft(etree.fromstring(_inner(xml).replace(
        b"<record>", f'<record xmlns="{MARC}">'.encode()))) == reason
    assert (parse_document_xml(xml) is None) is (reason is not None)


def test_a_documents_link_to_its_resolution_must_be_read_in_any_spelling_or_named() -> None:
    """The first link (993) that is a resolution's symbol, in any case and spacing, is the
    resolution; one that cannot be read is a finding, and the record is kept without it."""
    record = parse_document_xml(marc(("191", {"a": "S/2022/9"}), DRAFT_TITLE,
                                     ("993", {"a": "s / res / 2627 (2022)"})))
    assert record is not None and (record.resolution, record.findings) == (
        "S/RES/2627 (2022)", [])
    record = parse_document_xml(marc(("191", {"a": "S/2022/9"}), DRAFT_TITLE,
                                     ("993", {"a": "S/RES/2627"}),
                                     ("993", {"a": "S/RES/2628 (2022)"})))
    assert record is not None and record.resolution is None
    assert record.findings == [Finding(
        "undl-documents", "record 99", "unreadable_link", Severity.WARNING,
        "S/2022/9: linked document 'S/RES/2627' is not a resolution symbol")]


@pytest.mark.parametrize(("text", "sponsors"), [
    ("submitted by the representatives of France and Japan.", (["FRA", "JPN"], [])),
    ("by the delegation of France; Japan;", (["FRA", "JPN"], [])),
    ("France, Japan, at the 1234th meeting", (["FRA", "JPN"], [])),
    ("France and Japan (S/1234)", (["FRA", "JPN"], [])),
    ("France and Japan /", (["FRA", "JPN"], [])),
    ("France and Atlantis", (["FRA"], ["Atlantis"])),
])
def test_a_drafts_sponsors_must_be_read_without_the_words_around_them(
        text: str, sponsors: tuple[list[str], list[str]]) -> None:
    assert sponsors_of(text) == sponsors


def test_an_archived_document_record_must_keep_its_text_as_utf8() -> None:
    record = parse_document_xml(marc(("191", {"a": "S/2022/9"}),
                                     ("245", {"a": "Draft resolution", "c": "Côte d'Ivoire"})))
    assert record is not None and record.sponsors == ["CIV"]
    assert "Côte d'Ivoire".encode() in record.raw


def test_a_voting_records_fields_left_empty_must_be_read_as_absent() -> None:
    """An empty 967 $d is no vote given; an empty 967 $c no member code; a 967 $a of six
    digits or more is no sequence; no 952 is no meeting; an empty 005 an empty stamp."""
    record = parse_record_xml(marc(RESOLUTION, DATE, ("967", {"c": "CHN", "d": ""}),
                                   ("996", {"b": "0", "c": "0", "d": "0"})))
    assert (record.without_vote, record.totals, record.findings) == (True, Tally(0, 0, 0, 0), [])
    with pytest.raises(ParseError) as caught:
        parse_record_xml(marc(RESOLUTION, DATE, ("967", {"c": "", "d": "Y"})))
    assert str(caught.value) == (
        "undl-votes: record 99: member code (967 $c) '' is not a three-letter code")
    record = parse_record_xml(marc(RESOLUTION, DATE, ("967", {"a": "123456", "c": "GAB",
                                                              "d": "a"}), stamp=""))
    assert (record.modified, record.meeting, record.totals, record.total_members) == (
        "", None, None, None)
    assert record.votes == [MemberVoteRecord("GAB", "A", None, None, None)]
    with pytest.raises(ParseError) as caught:
        parse_record_xml(marc(RESOLUTION, DATE, record_id="x"))
    assert str(caught.value) == "undl-votes: record: record without a numeric id (001): 'x'"


def test_a_voting_records_meeting_that_is_not_a_meeting_record_must_be_kept_as_given() -> None:
    record = parse_record_xml(marc(RESOLUTION, DATE, ("952", {"a": "S/2020/870"})))
    assert record.meeting == "S/2020/870"


def test_one_vote_counted_must_make_a_roll_call_of_no_votes_a_disagreement() -> None:
    """A 996 that counts a vote is a vote, even when no 967 gives one: not an adoption
    without a vote."""
    record = parse_record_xml(marc(RESOLUTION, DATE, ("967", {"c": "CHN"}),
                                   ("996", {"b": "1", "c": "0", "d": "0"})))
    assert (record.without_vote, record.totals) == (False, Tally(1, 0, 0, 0))
    assert [f.kind for f in record.findings] == ["roll_call_disagrees_with_totals"]


def test_a_voting_records_council_size_must_be_that_of_the_votes_date() -> None:
    """Twelve votes fit the Council of 15 of 1966, though the resolution is numbered in
    1965; without a date, the resolution's year decides."""
    record = parse_record_xml(marc(("791", {"a": "S/RES/210(1965)"}), ("269", {"a": "1966-01-03"}),
                                   ("996", {"b": "12", "c": "0", "d": "0"})))
    assert (record.totals, record.findings) == (Tally(12, 0, 0, 0), [])
    record = parse_record_xml(marc(("791", {"a": "S/RES/210(1965)"}),
                                   ("996", {"b": "12", "c": "0", "d": "0"})))
    assert record.totals is None
    assert [f.kind for f in record.findings] == ["tally_exceeds_council"]


THIRTEEN = ["CHN", "FRA", "GBR", "USA", "RUS", "ALB", "BRA", "GAB", "GHA", "IND", "IRL", "KEN",
            "MEX"]


def test_a_voting_record_must_be_an_adoption_without_a_vote_only_when_it_says_so() -> None:
    """No roll call, or a roll call of votes given, with no totals: not without a vote."""
    for fields in [(RESOLUTION, DATE), (RESOLUTION, DATE, vote(1, "CHN", "Y"))]:
        record = parse_record_xml(marc(*fields))
        assert (record.without_vote, [f.kind for f in record.findings]) == (False, ["no_totals"])


def test_a_roll_call_must_agree_with_totals_that_give_no_count_of_members() -> None:
    votes = (vote(1, "CHN", "Y"), vote(2, "FRA", "Y"))
    for count, findings in [({}, 0), ({"f": "2"}, 0), ({"f": "3"}, 1)]:
        record = parse_record_xml(marc(RESOLUTION, DATE, *votes, (
            "996", {"b": "2", "c": "0", "d": "0", "e": "0", **count})))
        assert len(record.findings) == findings


def test_an_undated_voting_records_council_must_be_that_of_its_resolutions_year() -> None:
    """Thirteen votes fit the Council of 15 of 2022; an undated draft is held to 15 seats."""
    votes = [vote(n, code, "Y") for n, code in enumerate(THIRTEEN, 1)]
    tally = ("996", {"b": "13", "c": "0", "d": "0", "e": "0"})
    for symbol in [RESOLUTION, ("993", {"a": "S/2022/1"})]:
        record = parse_record_xml(marc(symbol, *votes, tally))
        assert (record.totals, record.findings) == (Tally(13, 0, 0, 0), [])


@pytest.mark.parametrize(("body", "message"), [
    (b"<!doctype x><x/>", "XML with a DOCTYPE or entity declarations is refused"),
    (b'<!DOCTYPE x [<!ENTITY a "b">]><x>&c;</x>',
     "XML with a DOCTYPE or entity declarations is refused"),
    (b"<HTML><BODY>wall</BODY></HTML>",
     "expected MARCXML, got HTML or text (a bot wall or an error page?)"),
    (b"<!--\nx\n--><html>wall</html>",
     "expected MARCXML, got HTML or text (a bot wall or an error page?)"),
    (b"X<collection/>", "expected MARCXML, got HTML or text (a bot wall or an error page?)"),
])
def test_a_page_that_is_not_marcxml_must_be_refused_in_any_case(body: bytes,
                                                                message: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_record_xml(body)
    assert str(caught.value) == f"undl-votes: record: {message}"


def test_marcxml_after_white_space_or_a_byte_order_mark_must_be_read() -> None:
    text = marc(RESOLUTION, DATE).decode()
    for body in [("\n  " + text).encode(), text.encode("utf-16")]:
        assert parse_record_xml(body).resolution == "S/RES/2627 (2022)"


def test_a_search_page_that_is_not_marcxml_must_be_refused_by_its_address() -> None:
    with pytest.raises(ParseError) as caught:
        parse_search_page(b"<!-- Search-Engine-Total-Number-Of-Results: 1 --><x/>",
                          url="page-1")
    assert str(caught.value) == "undl-votes: page-1: unexpected root element 'x'"
    with pytest.raises(ParseError) as caught:
        parse_search_page(b"<x", url="page-1")
    assert str(caught.value).startswith("undl-votes: page-1: malformed XML: ")


def test_a_search_page_must_be_split_into_records_kept_as_utf8_xml() -> None:
    """Each record with its id, its change stamp and its XML (UTF-8, without the page's
    indentation); a record with an empty id is refused by name."""
    body = (b"<!-- Search-Engine-Total-Number-Of-Results: 2 -->" + marc(
        RESOLUTION, vote(1, "CIV", "Y", "CÔTE D'IVOIRE")).replace(
        b"<datafield", b"\n  <datafield").replace(
        b"</collection>", b'<record><controlfield tag="001"></controlfield></record>'
                          b"</collection>"))
    page = split_search_page(body, source="undl-votes", url="page-1")
    assert page.total == 2
    assert [(r.record_id, r.modified) for r in page.records] == [("99", "20220405101500.0")]
    raw = page.records[0].raw
    assert raw.startswith(b'<record xmlns="http://www.loc.gov/MARC21/slim"><controlfield')
    assert "CÔTE D'IVOIRE".encode() in raw and b"\n" not in raw
    assert [str(e) for e in page.errors] == [
        "undl-votes: record: record without a numeric id (001): ''"]
    # the archived record reads back, and keeps the same XML
    assert parse_record_xml(raw).raw == raw
    assert record_url("https://mirror.example/DLX/", "7") == "https://mirror.example/DLX/record/7"


def test_a_page_of_documents_that_is_not_marcxml_must_be_refused_by_its_source() -> None:
    with pytest.raises(ParseError) as caught:
        parse_document_page(b"<!-- Search-Engine-Total-Number-Of-Results: 1 --><x/>",
                            url="page-1")
    assert str(caught.value) == "undl-documents: page-1: unexpected root element 'x'"


def test_a_meetings_tables_rows_before_its_header_must_not_be_read() -> None:
    """A title row, and a note row with a cell "Date", before the header row are not the
    header: the meetings are read from the rows after it."""
    rows = "".join(
        f"<tr><td><a>S/PV.{n}</a></td><td>{d} December</td><td>Congo</td>"
        f"<td>Draft resolution S/4733/Rev.1 not adopted<br>{t}</td></tr>"
        for n, d, t in ((942, "13", "6-0-5"), (941, "12", "4-0-7")))
    header = ("<tr><th>Meeting Record</th><th>Date</th><th>Topic</th>"
              "<th>Security Council Outcome / Vote</th></tr>")
    title = ('<tr><th colspan="4">Security Council meetings in 1961</th></tr>'
             '<tr><td>Date</td><td colspan="3">as printed</td></tr>')
    table = parse_meetings_table(f"<table>{title}{header}{rows}</table>".encode(), year=1961,
                                 url="u")
    assert [(m.record, m.date, m.topic, [d.vote_key for d in m.decisions])
            for m in table.meetings] == [
        ("S/PV.941", date(1961, 12, 12), "Congo", ["S/4733/Rev.1"]),
        ("S/PV.942", date(1961, 12, 13), "Congo", ["S/4733/Rev.1 (vote at S/PV.942)"])]
    assert (table.findings, table.errors) == ([], [])


def test_an_xml_declaration_after_white_space_must_still_be_read() -> None:
    text = '<?xml version="1.0" encoding="ISO-8859-1"?><x>Côte</x>'
    assert xml_text(("\n " + text).encode("latin-1"), source="s", record="r") == "\n " + text


MEETINGS_HEADER = ("<tr><th>Meeting Record</th><th>Date</th><th>Topic</th>"
                   "<th>Security Council Outcome / Vote</th></tr>")


def test_a_meetings_tables_cells_must_be_read_with_their_spans_and_gaps() -> None:
    """A date spanning four rows is each one's; an unreadable rowspan spans one row; a row
    short of its outcome reads it as empty, with a finding; cells past the last column that
    are empty or "--" are dropped; a one-cell note row is no meeting; a meeting whose record
    and date span two rows is one meeting, its rows in order."""
    rows = ('<tr><td rowspan="2">S/PV.950</td><td rowspan="2">20 December</td><td>Congo</td>'
            "<td>S/RES/170 (1961) 9-0-2</td></tr>"
            "<tr><td>Cuba</td><td>S/RES/171 (1961) 11-0-0</td></tr>"
            '<tr><td>S/PV.942</td><td rowspan="4">13 December</td><td>Congo</td>'
            "<td>S/RES/169 (1961) 9-0-2</td><td></td></tr>"
            "<tr><td>S/PV.943</td><td>Cuba</td><td>--</td></tr>"
            "<tr><td>S/PV.944</td><td>Laos</td></tr>"
            "<tr><td>S/PV.947</td><td>Lebanon</td><td></td></tr>"
            '<tr><td>S/PV.945</td><td rowspan="x">14 December</td><td>Kuwait</td><td></td>'
            "<td>--</td></tr>"
            '<tr><td colspan="4">Document links will work once published</td></tr>')
    table = parse_meetings_table(f"<table>{MEETINGS_HEADER}{rows}</table>".encode(),
                                 year=1961, url="u")
    assert [(m.record, m.date, m.topic, m.outcome_text, m.written_procedure,
             [d.vote_key for d in m.decisions]) for m in table.meetings] == [
        ("S/PV.945", date(1961, 12, 14), "Kuwait", "", False, []),
        ("S/PV.947", date(1961, 12, 13), "Lebanon", "", False, []),
        ("S/PV.944", date(1961, 12, 13), "Laos", "", False, []),
        ("S/PV.943", date(1961, 12, 13), "Cuba", "--", False, []),
        ("S/PV.942", date(1961, 12, 13), "Congo", "S/RES/169 (1961) 9-0-2", False,
         ["S/RES/169 (1961)"]),
        ("S/PV.950", date(1961, 12, 20), "Congo / Cuba",
         "S/RES/170 (1961) 9-0-2 S/RES/171 (1961) 11-0-0", False,
         ["S/RES/170 (1961)", "S/RES/171 (1961)"])]
    assert (table.findings, table.errors) == ([Finding(
        "dhl-meetings", "u row 6", "missing_cells", Severity.INFO,
        "3 cells for 4 columns: ['S/PV.944', '13 December', 'Laos']; the rest read as empty",
        "u")], [])


def test_a_meetings_table_row_with_more_cells_than_columns_must_refuse_the_table() -> None:
    rows = "<tr><td>S/PV.946</td><td>15 December</td><td>Congo</td><td>x</td><td>y</td></tr>"
    with pytest.raises(ParseError) as caught:
        parse_meetings_table(f"<table>{MEETINGS_HEADER}{rows}</table>".encode(), year=1961,
                             url="u")
    assert str(caught.value) == (
        "dhl-meetings: u row 2: 5 cells for 4 columns: ['S/PV.946', '15 December', 'Congo', "
        "'x', 'y']")


def test_a_meetings_tables_outcomes_must_be_read_and_their_doubts_named() -> None:
    """What a table's outcomes say, row by row: a resolution printed with another year, words
    not understood, a resolution listed twice differently, a vote on the preliminary
    question, meetings without a record numbered per day, and outcomes it cannot read
    refused by meeting."""
    rows = [
        ("S/PV.2010", "10 March", "Cyprus", "S/RES/207 (1964) 11-0-0 and some words nobody reads"),
        ("S/PV.2011", "11 March", "Cyprus", "S/RES/208 (1965) 11-0-0"),
        ("S/PV.2012", "12 March", "Cyprus", "S/RES/208 (1965) 10-0-1"),
        ("S/PV.2013", "13 March", "Congo",
         "Draft resolution S/6000 (preliminary question) not adopted 7-2-2"),
        ("S/PV.2014", "14 March", "Congo", "S/RES/0 (1965)"),
        ("", "15 March", "Written", "S/RES/209 (1965) 11-0-0"),
        ("", "15 March", "Written", "S/RES/210 (1965) 11-0-0"),
        ("S/PV.2016", "16 March", "Congo", "S/RES/211 (1965) 99999999999-0-0"),
        ("S/PV.2017", "17 March", "Congo", "S/RES/217 (1965) 11-0-0 then words S/RES/218 (1965)"),
        ("S/PV.2018", "18 March", "Congo", "S/RES/99999999999 (1965) 11-0-0"),
    ]
    body = (f"<table>{MEETINGS_HEADER}" + "".join(
        "<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows) + "</table>")
    table = parse_meetings_table(body.encode(), year=1965, url="u")
    assert [(m.record, m.date, m.row, m.outcome_text,
             [(d.kind, d.vote_key, d.question, d.also_printed_at, d.tally)
              for d in m.decisions]) for m in table.meetings] == [
        ("S/PV.2017", date(1965, 3, 17), 10, "S/RES/217 (1965) 11-0-0 then words S/RES/218 "
                                             "(1965)",
         [("resolution", "S/RES/217 (1965)", None, [], Tally(11, 0, 0, 0)),
          ("resolution", "S/RES/218 (1965)", None, [], None)]),
        ("VTC 1965-03-15 #1", date(1965, 3, 15), 8, "S/RES/210 (1965) 11-0-0",
         [("resolution", "S/RES/210 (1965)", None, [], Tally(11, 0, 0, 0))]),
        ("VTC 1965-03-15 #2", date(1965, 3, 15), 7, "S/RES/209 (1965) 11-0-0",
         [("resolution", "S/RES/209 (1965)", None, [], Tally(11, 0, 0, 0))]),
        ("S/PV.2013", date(1965, 3, 13), 5,
         "Draft resolution S/6000 (preliminary question) not adopted 7-2-2",
         [("draft", "S/6000 (preliminary question)", "preliminary question", [],
           Tally(7, 2, 2, 0))]),
        ("S/PV.2012", date(1965, 3, 12), 4, "S/RES/208 (1965) 10-0-1",
         [("resolution", "S/RES/208 (1965)", None, ["S/PV.2011"], Tally(10, 0, 1, 0))]),
        ("S/PV.2011", date(1965, 3, 11), 3, "S/RES/208 (1965) 11-0-0", []),
        ("S/PV.2010", date(1965, 3, 10), 2,
         "S/RES/207 (1964) 11-0-0 and some words nobody reads",
         [("resolution", "S/RES/207 (1965)", None, [], Tally(11, 0, 0, 0))]),
    ]
    assert table.findings == [
        Finding("dhl-meetings", "S/PV.2017", "unread_outcome", Severity.WARNING,
                "outcome text not understood: 'then words'", "u"),
        Finding("dhl-meetings", "S/PV.2017", "no_tally", Severity.INFO,
                "S/RES/218 (1965): adopted, no tally given", "u"),
        Finding("dhl-meetings", "S/PV.2013", "not_adopted_with_majority", Severity.INFO,
                "draft S/6000 not adopted with 7 votes in favour (of 7 needed) and no veto "
                "named", "u"),
        Finding("dhl-meetings", "S/PV.2010", "resolution_year_mismatch", Severity.WARNING,
                "S/RES/207 (1964) is printed on the 1965 page; stored as S/RES/207 (1965), the "
                "year of its meeting", "u"),
        Finding("dhl-meetings", "S/PV.2010", "unread_outcome", Severity.WARNING,
                "outcome text not understood: 'and some words nobody reads'", "u"),
        Finding("dhl-meetings", "S/PV.2011", "decision_listed_twice", Severity.WARNING,
                "S/RES/208 (1965) is listed twice on the page, differently: "
                "'S/RES/208 (1965) 10-0-1' and 'S/RES/208 (1965) 11-0-0'; the first is kept",
                "u"),
    ]
    assert [(e.source, e.record, e.message) for e in table.errors] == [
        ("dhl-meetings", "S/PV.2018", "resolution number in 'S/RES/99999999999 (1965) 11-0-0' "
                                      "'99999999999' is larger than 2147483647"),
        ("dhl-meetings", "S/PV.2016", "a count of the tally '99999999999' is larger than "
                                      "2147483647"),
        ("dhl-meetings", "S/PV.2014", "resolution number 0 in 'S/RES/0 (1965)'"),
    ]


def test_a_meetings_tables_repeated_and_unnumbered_decisions_must_be_kept_apart() -> None:
    """A draft put to the vote again with another result is a vote of its own (its question
    kept); a decision printed twice in one meeting is one; unnumbered statements are each
    kept; a draft known by its meeting record is keyed after a resolution in the same cell;
    a tally over the Council's size is a finding naming the decision."""
    rows = [
        ("S/PV.2020", "20 March", "Congo",
         "S/RES/212 (1965) 11-0-0 Draft resolution S/PV.2020 not adopted 5-0-6"),
        ("S/PV.2021", "21 March", "Congo", "Draft resolution S/6001 (preliminary question) not "
                                           "adopted 6-0-5 S/RES/213 (1965) 11-0-0"),
        ("S/PV.2022", "22 March", "Congo", "Draft resolution S/6001 (preliminary question) not "
                                           "adopted 5-0-6 S/RES/214 (1965) 11-0-0"),
        ("S/PV.2023", "23 March", "Cyprus",
         "PRST S/RES/215 (1965) 11-0-0 S/RES/215 (1965) 11-0-0 S/PV.2023 (PRST)"),
        ("S/PV.2024", "24 March", "Cyprus", "PRST Note (S/1965/12) S/RES/216 (1965) 9-2-1"),
    ]
    body = (f"<table>{MEETINGS_HEADER}" + "".join(
        "<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows) + "</table>")
    table = parse_meetings_table(body.encode(), year=1965, url="u")
    assert [(m.record, [(d.kind, d.vote_key, d.also_printed_at, d.tally) for d in m.decisions])
            for m in table.meetings] == [
        ("S/PV.2024", [("presidential_statement", None, [], None), ("other", None, [], None),
                       ("resolution", "S/RES/216 (1965)", [], None)]),
        ("S/PV.2023", [("presidential_statement", None, [], None),
                       ("resolution", "S/RES/215 (1965)", [], Tally(11, 0, 0, 0)),
                       ("presidential_statement", None, [], None)]),
        ("S/PV.2022", [("draft", "S/6001 (preliminary question)", [], Tally(5, 0, 6, 0)),
                       ("resolution", "S/RES/214 (1965)", [], Tally(11, 0, 0, 0))]),
        ("S/PV.2021", [("draft", "S/6001 (preliminary question vote at S/PV.2021)", [],
                        Tally(6, 0, 5, 0)),
                       ("resolution", "S/RES/213 (1965)", [], Tally(11, 0, 0, 0))]),
        ("S/PV.2020", [("resolution", "S/RES/212 (1965)", [], Tally(11, 0, 0, 0)),
                       ("draft", "S/PV.2020 (draft not adopted 1)", [], Tally(5, 0, 6, 0))]),
    ]
    assert table.findings == [Finding(
        "dhl-meetings", "S/PV.2024", "tally_exceeds_council", Severity.ERROR,
        "S/RES/216 (1965): tally 9-2-1 counts 12 votes on a Council of 11; tally not stored",
        "u")]
