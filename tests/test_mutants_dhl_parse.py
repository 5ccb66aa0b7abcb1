"""Tests that kill the surviving mutants of scrapers/dhl/parse.py and scrapers/text.py (issue
18, mutation testing, the parsers group run on f9afb4c). Each asserts the exact records, the
exact findings or the exact refusal a user sees: on the Library's real tables where they show
the case, else on small tables in the shape of the real ones.
"""

from __future__ import annotations

import warnings
from datetime import date
from pathlib import Path

import pytest

from council.records import DecisionRecord, Finding, Outcome, ParseError, Severity, Tally
from scrapers.dhl.parse import parse_meetings_table, parse_outcome, parse_veto_list
from scrapers.text import CountedSide, clean_text, vote_counts

HEADER = ("<tr><th>Meeting Record</th><th>Date</th><th>Topic</th>"
          "<th>Security Council Outcome / Vote</th></tr>")
HEADER_PRESS = ("<tr><th>Meeting Record</th><th>Date</th><th>Press Release</th><th>Topic</th>"
                "<th>Security Council Outcome / Vote</th></tr>")


def table(*rows: tuple[str, ...], header: str = HEADER) -> bytes:
    return (f"<table>{header}" + "".join(
        "<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
        + "</table>").encode()


def real_table(shared_data: Path, name: str, year: int):
    page = shared_data / "un_org_dhl_html" / "scact_tables" / name
    return parse_meetings_table(page.read_bytes(), year=year, url=name)


def decisions_of(tables, record: str) -> list[DecisionRecord]:
    [meeting] = [m for m in tables.meetings if m.record == record]
    return meeting.decisions


# --- real tables -----------------------------------------------------------------------


def test_the_2022_table_must_name_its_one_veto_without_a_negative_vote(shared_data: Path) -> None:
    """S/2022/431 "vetoed by China, Russian Federation 13-0-2" (it was 13-2-0): the tally is
    dropped, with a finding naming both members; the page's other vetoes had a majority, so
    it gives no other finding."""
    name = "scact2022_table_en.html"
    tables = real_table(shared_data, name, 2022)
    assert tables.findings == [Finding(
        "dhl-meetings", "S/PV.9048", "veto_without_negative_vote", Severity.ERROR,
        "draft S/2022/431 printed as vetoed by CHN, RUS with tally 13-0-2, which has no "
        "negative vote; tally not stored", name)]
    assert decisions_of(tables, "S/PV.9048") == [DecisionRecord(
        "draft", "S/2022/431",
        "Draft resolution S/2022/431 vetoed by China, Russian Federation 13-0-2",
        Outcome.VETOED, None, vetoed_by=["CHN", "RUS"])]
    assert decisions_of(tables, "S/PV.8979") == [DecisionRecord(
        "draft", "S/2022/155", "Draft resolution S/2022/155 vetoed by Russian Federation 11-1-3",
        Outcome.VETOED, Tally(11, 1, 3, 0), vetoed_by=["RUS"])]
    assert tables.year == 2022


def test_the_1972_table_must_name_a_veto_of_a_draft_short_of_votes(shared_data: Path) -> None:
    """S/10768 "vetoed by USSR 3-3-9": 3 votes in favour of the 9 needed, a warning."""
    name = "scact1972_table_en.html"
    tables = real_table(shared_data, name, 1972)
    assert [f for f in tables.findings if f.record == "S/PV.1660"] == [Finding(
        "dhl-meetings", "S/PV.1660", "veto_without_majority", Severity.WARNING,
        "draft S/10768 printed as vetoed, but 3 votes in favour were fewer than the 9 needed",
        name)]
    assert decisions_of(tables, "S/PV.1660") == [
        DecisionRecord("draft", "S/10768", "Draft resolution S/10768 and Corr.1 vetoed by USSR "
                       "3-3-9", Outcome.VETOED, Tally(3, 3, 9, 0), vetoed_by=["SUN"],
                       note="and Corr.1"),
        DecisionRecord("draft", "S/10771", "Power Four draft resolution S/10771 vetoed by "
                       "China 11-1-3", Outcome.VETOED, Tally(11, 1, 3, 0), vetoed_by=["CHN"]),
    ]


def test_early_tables_must_name_the_short_tallies_of_drafts_and_keep_their_notes(
    shared_data: Path,
) -> None:
    """A draft's tally short of the Council's 11 seats is a finding naming the draft, vetoed
    or not; the words after a draft's symbol are its note, without the brackets and commas."""
    name = "scact1946_table_en.html"
    tables = real_table(shared_data, name, 1946)
    assert [f for f in tables.findings if f.record == "S/PV.47"] == [Finding(
        "dhl-meetings", "S/PV.47", "tally_short", Severity.INFO,
        "draft S/PV.45: tally 9-1-0 accounts for 10 of 11 members; 1 recorded as not voting",
        name)]
    assert [(d.symbol, d.note) for d in decisions_of(tables, "S/PV.57")] == [
        ("S/PV.57 (vetoed draft 1)", "Transjordan"), ("S/PV.57 (vetoed draft 2)", "Ireland"),
        ("S/PV.57 (vetoed draft 3)", "Portugal"), ("S/RES/8 (1946)", None)]
    name = "scact1947_table_en.html"
    tables = real_table(shared_data, name, 1947)
    # (the first draft's note is test_a_drafts_note_must_keep_its_brackets_balanced's)
    assert [(d.symbol, d.question) for d in decisions_of(tables, "S/PV.202")] == [
        ("S/RES/34 (1947)", None), ("S/552", "preliminary question"), ("S/552", None)]
    not_adopted = [f for f in tables.findings if f.record == "S/PV.198"]
    assert not_adopted == [Finding(
        "dhl-meetings", "S/PV.198", "tally_short", Severity.INFO,
        "draft S/507: tally 6-1-3 accounts for 10 of 11 members; 1 recorded as not voting",
        name)]
    assert decisions_of(tables, "S/PV.198")[0].vetoed_by == []


def test_a_resolutions_note_of_absence_and_an_old_statements_text_must_be_kept(
    shared_data: Path,
) -> None:
    tables = real_table(shared_data, "scact2000_table_en.html", 2000)
    assert decisions_of(tables, "S/PV.4094") == [DecisionRecord(
        "resolution", "S/RES/1287 (2000)", "S/RES/1287 (2000) 14-0-0 (1 absent)",
        Outcome.ADOPTED_WITH_VOTE, Tally(14, 0, 0, 1), note="1 absent")]
    tables = real_table(shared_data, "scact1974_table_en.html", 1974)
    assert decisions_of(tables, "S/PV.1764") == [DecisionRecord(
        "presidential_statement", "S/11229", "S/11229 (PRST)")]


def test_written_procedure_drafts_of_2020_must_say_so(shared_data: Path) -> None:
    name = "scact2020_covid_table_en.html"
    tables = real_table(shared_data, name, 2020)
    assert decisions_of(tables, "S/2020/657") == [DecisionRecord(
        "draft", "S/2020/654", "S/2020/654 vetoed by China, Russian Federation 13-2-0",
        Outcome.VETOED, Tally(13, 2, 0, 0), vetoed_by=["CHN", "RUS"], written_procedure=True)]
    assert decisions_of(tables, "S/2020/1066") == [DecisionRecord(
        "draft", "S/2020/1054", "S/2020/1054 not adopted 5-0-10", Outcome.INSUFFICIENT_VOTES,
        Tally(5, 0, 10, 0), written_procedure=True)]
    [written] = decisions_of(tables, "S/2020/246")
    assert written == DecisionRecord(
        "resolution", "S/RES/2515 (2020)", "S/RES/2515 (2020) 15-0-0",
        Outcome.ADOPTED_BY_WRITTEN_PROCEDURE, Tally(15, 0, 0, 0), written_procedure=True)


# --- outcome cells ---------------------------------------------------------------------


def test_an_outcome_cell_read_alone_must_be_of_a_meeting_not_a_written_procedure() -> None:
    decisions, findings = parse_outcome("S/RES/9 (1946) 11-0-0", year=1946, record="S/PV.1",
                                        url="u")
    assert (decisions, findings) == ([DecisionRecord(
        "resolution", "S/RES/9 (1946)", "S/RES/9 (1946) 11-0-0", Outcome.ADOPTED_WITH_VOTE,
        Tally(11, 0, 0, 0))], [])


@pytest.mark.parametrize("how", ["without vote", "adopted without a vote", "adopted by consensus",
                                 "Adopted by acclamation"])
def test_a_resolution_adopted_without_a_vote_must_say_so_however_printed(how: str) -> None:
    decisions, findings = parse_outcome(f"S/RES/9 (1946) {how}", year=1946, record="S/PV.1",
                                        url="u", written_procedure=False)
    assert (decisions, findings) == ([DecisionRecord(
        "resolution", "S/RES/9 (1946)", f"S/RES/9 (1946) {how}", Outcome.ADOPTED_WITHOUT_VOTE)],
        [])


@pytest.mark.parametrize(("written", "outcome"), [
    (False, Outcome.ADOPTED_WITH_VOTE), (True, Outcome.ADOPTED_BY_WRITTEN_PROCEDURE)])
def test_a_resolution_without_a_tally_must_be_adopted_the_way_its_meeting_voted(
    written: bool, outcome: Outcome,
) -> None:
    decisions, findings = parse_outcome("S/RES/2600 (2021)", year=2021, record="S/2021/1",
                                        url="u", written_procedure=written)
    assert (decisions, findings) == (
        [DecisionRecord("resolution", "S/RES/2600 (2021)", "S/RES/2600 (2021)", outcome,
                        written_procedure=written)],
        [Finding("dhl-meetings", "S/2021/1", "no_tally", Severity.INFO,
                 "S/RES/2600 (2021): adopted, no tally given", "u")])


def test_drafts_vetoed_by_no_one_known_must_be_named_and_kept_as_vetoed() -> None:
    """"vetoed by" followed by no name, or by a name that is no permanent member: a veto
    with no member kept, and an error finding quoting what the cell says."""
    text = ("Draft resolution S/100 vetoed by 9-1-1 Draft resolution S/101 vetoed by Narnia "
            "9-1-1 Communiqu\u00e9")
    decisions, findings = parse_outcome(text, year=1950, record="S/PV.9", url="u")
    assert decisions == [
        DecisionRecord("draft", "S/100", "Draft resolution S/100 vetoed by 9-1-1",
                       Outcome.VETOED, Tally(9, 1, 1, 0)),
        DecisionRecord("draft", "S/101", "Draft resolution S/101 vetoed by Narnia 9-1-1",
                       Outcome.VETOED, Tally(9, 1, 1, 0)),
        DecisionRecord("other", None, "Communiqu\u00e9"),
    ]
    assert findings == [
        Finding("dhl-meetings", "S/PV.9", "unknown_member", Severity.ERROR,
                "draft S/100: no permanent member named in ''", "u"),
        Finding("dhl-meetings", "S/PV.9", "unknown_member", Severity.ERROR,
                "draft S/101: unknown permanent member 'Narnia' in 'Narnia '", "u"),
    ]


def test_a_veto_by_more_members_than_negative_votes_must_drop_the_tally() -> None:
    decisions, findings = parse_outcome(
        "Draft resolution S/3710 vetoed by France and UK 7-1-3", year=1956, record="S/PV.749",
        url="u")
    assert decisions == [DecisionRecord(
        "draft", "S/3710", "Draft resolution S/3710 vetoed by France and UK 7-1-3",
        Outcome.VETOED, None, vetoed_by=["FRA", "GBR"])]
    assert findings == [Finding(
        "dhl-meetings", "S/PV.749", "veto_tally_mismatch", Severity.ERROR,
        "draft S/3710 printed as vetoed by 2 members with only 1 negative votes (7-1-3); tally "
        "not stored", "u")]


def test_a_drafts_tally_it_cannot_read_must_be_refused_by_meeting() -> None:
    with pytest.raises(ParseError) as caught:
        parse_outcome("Draft resolution S/6000 not adopted 99999999999-0-0", year=1965,
                      record="S/PV.2016", url="u")
    assert (caught.value.source, caught.value.record, caught.value.message) == (
        "dhl-meetings", "S/PV.2016",
        "a count of the tally '99999999999' is larger than 2147483647")


def test_a_resolutions_note_must_not_make_it_a_vote_on_the_preliminary_question() -> None:
    """Only a draft's note can mark a vote on the preliminary question: a resolution's note
    is about who was absent or took part."""
    rows = [("S/PV.30", "4 March", "Iran",
             "S/RES/3 (1946) 9-0-1 (Australia absent, preliminary question not put)")]
    tables = parse_meetings_table(table(*rows), year=1946, url="u")
    [decision] = tables.meetings[0].decisions
    assert (decision.vote_key, decision.question, decision.note) == (
        "S/RES/3 (1946)", None, "Australia absent, preliminary question not put")


# --- the shape of a table --------------------------------------------------------------


def refusal(body: bytes, year: int = 1961) -> tuple[str, str, str]:
    with pytest.raises(ParseError) as caught:
        parse_meetings_table(body, year=year, url="u")
    return caught.value.source, caught.value.record, caught.value.message


@pytest.mark.parametrize(("body", "message"), [
    (b"<html><body><p>No table today</p></body></html>", "no table on the page"),
    (table(), "no meetings found in the table"),
    (table(("", "", "", ""), ("", "", "", "")), "no meetings found in the table"),
    (b"<table><tr><td>Meeting Record</td><td>Date</td><td>Topic</td><td>Outcome</td></tr>"
     b"<tr><td>S/PV.946</td><td>15 December</td><td>Congo</td><td>-</td></tr></table>",
     "no header row with the expected columns"),
    (b"<table><tr><th>Meeting Record</th><th>Day</th><th>Topic</th></tr></table>",
     "no header row with the expected columns"),
    (b"<table><tr><th>Meeting Record</th><th>Date</th><th>Agenda</th>"
     b"<th>Security Council Outcome / Vote</th></tr></table>", "unknown column 'agenda'"),
    (b"<table><tr><th>Date</th><th>Topic</th></tr></table>",
     "missing columns ['outcome', 'record']"),
])
def test_a_table_it_cannot_read_must_be_refused_by_its_address(body: bytes, message: str) -> None:
    assert refusal(body) == ("dhl-meetings", "u", message)


def test_a_table_whose_only_meeting_is_unreadable_must_be_refused_by_that_meeting() -> None:
    assert refusal(table(("S/PV.946", "someday", "Congo", "S/RES/168 (1961) 9-0-2"))) == (
        "dhl-meetings", "u row 2", "unreadable date 'someday'")


def test_a_table_must_be_read_from_the_pages_longest_table() -> None:
    """A page's layout table (a menu) before the meetings table is not the meetings table."""
    body = (b"<table><tr><td>Menu</td></tr></table>"
            + table(("S/PV.946", "15 December", "Congo", "S/RES/168 (1961) 9-0-2")))
    tables = parse_meetings_table(body, year=1961, url="u")
    assert (tables.year, [(m.record, m.date, m.topic) for m in tables.meetings]) == (
        1961, [("S/PV.946", date(1961, 12, 15), "Congo")])


def test_a_rows_cells_must_be_its_td_and_th_only() -> None:
    """A stray tag between a row's cells (lxml keeps it in the row) is not a cell."""
    body = (f"<table>{HEADER}<tr><td>S/PV.946</td><td>15 December</td><font>x</font>"
            "<td>Congo</td><td>S/RES/168 (1961) 9-0-2</td></tr></table>").encode()
    tables = parse_meetings_table(body, year=1961, url="u")
    assert [(m.record, m.topic, m.outcome_text) for m in tables.meetings] == [
        ("S/PV.946", "Congo", "S/RES/168 (1961) 9-0-2")]
    assert (tables.findings, tables.errors) == ([], [])


def test_one_meeting_printed_on_rows_of_its_own_must_be_read_as_one() -> None:
    """The rows of one meeting record, each with its record and date: one meeting, its topics
    each named once in the order voted (the page is newest first), its outcomes joined, the
    press release of any row."""
    rows = [
        ("S/PV.961", "21 December", "", "Laos", ""),
        ("S/PV.961", "21 December", "", "", "S/RES/172 (1961) 11-0-0"),
        ("S/PV.960", "20 December", "SC/5000", "Cuba", "S/RES/171 (1961) 11-0-0"),
        ("S/PV.960", "20 December", "", "Congo", "S/RES/170 (1961) 9-0-2"),
        ("S/PV.960", "20 December", "SC/4999", "Congo", ""),
    ]
    tables = parse_meetings_table(table(*rows, header=HEADER_PRESS), year=1961, url="u")
    assert [(m.record, m.date, m.topic, m.press_release, m.outcome_text, m.row,
             [d.vote_key for d in m.decisions]) for m in tables.meetings] == [
        ("S/PV.960", date(1961, 12, 20), "Congo / Cuba", "SC/4999",
         "S/RES/170 (1961) 9-0-2 S/RES/171 (1961) 11-0-0", 6,
         ["S/RES/170 (1961)", "S/RES/171 (1961)"]),
        ("S/PV.961", date(1961, 12, 21), "Laos", None, "S/RES/172 (1961) 11-0-0", 3,
         ["S/RES/172 (1961)"]),
    ]
    rows = [("S/PV.960", "20 December", "SC/5000", "Cuba", ""),
            ("S/PV.960", "20 December", "", "Congo", "S/RES/170 (1961) 9-0-2")]
    [meeting] = parse_meetings_table(table(*rows, header=HEADER_PRESS), year=1961,
                                     url="u").meetings
    assert (meeting.topic, meeting.press_release) == ("Congo / Cuba", "SC/5000")


def test_parsing_a_page_must_not_warn() -> None:
    """The parser is named (lxml): BeautifulSoup guessing one would warn on every sync."""
    veto_list = (Path(__file__).resolve().parent / "fixtures" / "dhl" / "veto_list.html")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        parse_veto_list(veto_list.read_bytes(), url="u")
        parse_meetings_table(table(("S/PV.946", "15 December", "Congo", "S/RES/168 (1961) 9-0-2")),
                             year=1961, url="u")
    assert [str(w.message) for w in caught] == []


# --- text ------------------------------------------------------------------------------


def test_a_cells_text_must_be_composed_as_nfc() -> None:
    """"Co" + combining circumflex + "te" is stored as the one character "ô" (NFC), as the
    other sources write it, so names compare equal."""
    assert clean_text("Co\u0302te d\u2019Ivoire\xa0 ") == "C\u00f4te d'Ivoire"


def test_a_sentences_vote_must_be_counted_side_by_side() -> None:
    assert vote_counts("13 in favour to 2 against (China, Russian Federation), "
                       "no abstentions") == [{
        "Y": CountedSide("Y", 13, None),
        "N": CountedSide("N", 2, "China, Russian Federation"),
        "A": CountedSide("A", 0, None)}]


def test_a_drafts_note_must_keep_its_brackets_balanced(shared_data: Path) -> None:
    """1947, S/PV.202: "Draft resolution S/552 , S/202 (preliminary question) vetoed by USSR
    8-2-1" must keep the note "S/202 (preliminary question)", not "S/202 (preliminary
    question"."""
    tables = real_table(shared_data, "scact1947_table_en.html", 1947)
    assert decisions_of(tables, "S/PV.202")[1].note == "S/202 (preliminary question)"


@pytest.mark.parametrize(("cell", "note"), [
    # the one pair of brackets around the whole note goes, with the separators
    ("Draft resolution S/1 (Ireland) vetoed by USSR 9-1-1", "Ireland"),
    ("Draft resolution S/1 , (preliminary question) vetoed by USSR 9-1-1",
     "preliminary question"),
    # a bracket that closes something inside the note stays (S/PV.202, 1947)
    ("Draft resolution S/1 , S/2 (preliminary question) vetoed by USSR 9-1-1",
     "S/2 (preliminary question)"),
    # two bracketed phrases are not one pair around the whole
    ("Draft resolution S/1 (a) and (b) vetoed by USSR 9-1-1", "(a) and (b)"),
    # a bracket left unmatched (the symbol's own) is no note
    ("Draft resolution (S/1) vetoed by USSR 9-1-1", None),
    ("Draft resolution S/1 ( vetoed by USSR 9-1-1", None),
    ("Draft resolution S/1 vetoed by USSR 9-1-1", None),
    # the separators go wherever a bracket was taken away, and only they ("X" is a letter)
    ("Draft resolution S/1 ( , Annex X , ) vetoed by USSR 9-1-1", "Annex X"),
    ("Draft resolution S/1 Annex X , ) vetoed by USSR 9-1-1", "Annex X"),
    ("Draft resolution S/1 ( , X-ray question vetoed by USSR 9-1-1", "X-ray question"),
    ("Draft resolution S/1 X-ray question vetoed by USSR 9-1-1", "X-ray question"),
    # one bracket taken away, not two characters
    ("Draft resolution S/1 S/2) vetoed by USSR 9-1-1", "S/2"),
    ("Draft resolution S/1 (S/2 vetoed by USSR 9-1-1", "S/2"),
])
def test_a_drafts_note_loses_only_its_enclosing_brackets(cell: str, note: str | None) -> None:
    decisions, _ = parse_outcome(cell, year=1947, record="S/PV.1", url="u")
    assert [(d.symbol, d.note) for d in decisions] == [("S/1", note)]
