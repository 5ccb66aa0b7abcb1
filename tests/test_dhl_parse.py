"""The Library's pages: the Veto List and the yearly meetings tables (pure parsers)."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path

import pytest

from council.records import Outcome, ParseError, Tally
from scrapers.dhl.parse import (
    decode_page,
    parse_day,
    parse_meetings_table,
    parse_outcome,
    parse_veto_list,
)
from tests.conftest import FIXTURES

DHL = FIXTURES / "dhl"


def _table(name: str, year: int):
    return parse_meetings_table((DHL / name).read_bytes(), year=year, url=name)


# --- Veto List -------------------------------------------------------------------------


def test_veto_list_must_split_members_and_read_odd_dates() -> None:
    page = parse_veto_list((DHL / "veto_list.html").read_bytes())
    by_key = {e.vote_key: e for e in page.entries}
    assert by_key["S/2022/431"].members == ["CHN", "RUS"]
    assert by_key["S/3710"].members == ["FRA", "GBR"]
    assert by_key["S/17769/Rev.1"].members == ["FRA", "GBR", "USA"]
    assert by_key["S/17769/Rev.1"].date == dt.date(1986, 1, 30)  # "30 January 86"
    assert by_key["S/16077/Rev.1"].date == dt.date(1983, 10, 27)  # "27-28 October 1983"
    assert by_key["S/2020/852"].meeting == "S/2020/870"  # written procedure: the letter


def test_veto_list_must_key_drafts_known_only_by_their_meeting() -> None:
    """Two drafts vetoed at S/PV.49 are two drafts, numbered in the order they were voted."""
    page = parse_veto_list((DHL / "veto_list.html").read_bytes())
    keys = [e.vote_key for e in page.entries]
    assert len(keys) == len(set(keys)) == 10
    assert "S/PV.49 (vetoed draft 1)" in keys and "S/PV.49 (vetoed draft 2)" in keys
    assert "S/552 (preliminary question)" in keys and "S/552" in keys


def test_veto_list_reads_the_preliminary_question_from_the_agenda_item() -> None:
    body = (DHL / "veto_list.html").read_bytes().replace(
        b"<td>The Spanish question</td>\n<td>France, USSR</td>",
        b"<td>The Spanish question preliminary question</td>\n<td>France, USSR</td>")
    page = parse_veto_list(body)
    entry = next(e for e in page.entries if e.members == ["FRA", "SUN"])
    assert entry.question == "preliminary question" and entry.agenda == "The Spanish question"
    assert entry.vote_key == "S/PV.49 (vetoed draft 1)"  # the ordinal already tells it apart


def test_veto_list_keeps_every_letter_of_a_written_procedure() -> None:
    page = parse_veto_list((DHL / "veto_list.html").read_bytes())
    entry = next(e for e in page.entries if e.draft == "S/2020/852")
    assert entry.letters == ["S/2020/870", "S/2020/865"]


def test_veto_list_row_of_another_shape_fails_loudly() -> None:
    body = (DHL / "veto_list.html").read_bytes().replace(
        b"<td>Russian Federation</td></tr>", b"<td>Russian Federation</td><td>x</td></tr>", 1)
    with pytest.raises(ParseError, match="6 cells"):
        parse_veto_list(body)


def test_a_resolution_printed_with_another_year_is_stored_under_the_pages_year() -> None:
    decisions, findings = parse_outcome("S/RES/207 (1964) 11-0-0", year=1965,
                                        record="S/PV.1200", url="u")
    assert decisions[0].symbol == "S/RES/207 (1965)"
    assert [f.kind for f in findings] == ["resolution_year_mismatch"]


def test_a_draft_voted_again_with_another_result_is_a_second_vote() -> None:
    rows = "".join(
        f"<tr><td><a>S/PV.{n}</a></td><td>{d} December</td><td>Congo</td>"
        f"<td>Draft resolution S/4733/Rev.1 not adopted<br>{t}</td></tr>"
        for n, d, t in ((942, "13", "6-0-5"), (941, "12", "4-0-7")))
    body = ("<table><tr><th>Meeting Record</th><th>Date</th><th>Topic</th>"
            "<th>Security Council Outcome / Vote</th></tr>" + rows + "</table>").encode()
    table = parse_meetings_table(body, year=1961, url="u")
    keys = [d.vote_key for m in table.meetings for d in m.decisions]
    assert keys == ["S/4733/Rev.1", "S/4733/Rev.1 (vote at S/PV.942)"]


def test_veto_list_must_refuse_an_unknown_member() -> None:
    body = (DHL / "veto_list.html").read_bytes().replace(b"<td>USA</td></tr>\n<tr><td>27-28",
                                                          b"<td>Atlantis</td></tr>\n<tr><td>27-28")
    with pytest.raises(ParseError, match="Atlantis"):
        parse_veto_list(body)


def test_veto_list_must_refuse_an_empty_or_reshaped_page() -> None:
    with pytest.raises(ParseError):
        parse_veto_list(b"<html><table><tr><th>Date</th></tr></table></html>")
    with pytest.raises(ParseError, match="columns"):
        parse_veto_list(b"<html><p>Service unavailable</p></html>")


# --- meetings tables ---------------------------------------------------------------------


def test_2022_table_must_flag_the_impossible_veto_and_not_store_its_tally() -> None:
    """S/2022/431 is printed "vetoed by China, Russian Federation 13-0-2": impossible."""
    table = _table("scact2022_table_en.html", 2022)
    meeting = {m.record: m for m in table.meetings}["S/PV.9048"]
    (draft,) = meeting.decisions
    assert draft.outcome is Outcome.VETOED
    assert draft.vetoed_by == ["CHN", "RUS"]
    assert draft.tally is None
    (finding,) = [f for f in table.findings if f.kind == "veto_without_negative_vote"]
    assert "S/2022/431" in finding.message and finding.severity == "error"


def test_2022_table_must_mend_mojibake_and_read_its_columns() -> None:
    table = _table("scact2022_table_en.html", 2022)
    meetings = {m.record: m for m in table.meetings}
    assert "People's Republic" in meetings["S/PV.9048"].topic
    assert meetings["S/PV.9048"].press_release == "SC/14911"
    assert meetings["S/PV.9048"].date == dt.date(2022, 5, 26)
    assert meetings["S/PV.9000"].press_release is None  # "none issued"
    assert "S/PV.9042 (Resumption 1)" in meetings
    (res,) = meetings["S/PV.8980"].decisions
    assert res.symbol == "S/RES/2627 (2022)"  # printed without the space
    assert res.tally == Tally(15, 0, 0, 0)
    (failed,) = meetings["S/PV.8995"].decisions
    assert failed.outcome is Outcome.INSUFFICIENT_VOTES
    assert meetings["S/PV.9000"].decisions[0].symbol == "S/PRST/2022/3"


def test_meetings_are_returned_oldest_first() -> None:
    table = _table("scact2022_table_en.html", 2022)
    dates = [m.date for m in table.meetings]
    assert dates == sorted(dates)


def test_1946_table_must_join_rowspans_and_continuation_rows_to_their_meeting() -> None:
    table = _table("scact1946_table_en.html", 1946)
    meetings = {m.record: m for m in table.meetings}
    assert set(meetings) == {"S/PV.23", "S/PV.49", "S/PV.57", "S/PV.84", "S/PV.87"}
    assert "Greek complaint" in meetings["S/PV.84"].topic  # the rowspan's second row
    assert "The Iranian question" in meetings["S/PV.49"].topic  # a row with empty record/date
    assert [d.vote_key for d in meetings["S/PV.49"].decisions] == [
        "S/PV.49 (vetoed draft 1)", "S/PV.49 (vetoed draft 2)", "S/RES/7 (1946)"]


def test_1946_table_must_refuse_a_tally_larger_than_the_council() -> None:
    """S/RES/7 (1946) is printed 9-0-3 in the fixture: 12 votes on a Council of 11."""
    table = _table("scact1946_table_en.html", 1946)
    res7 = next(d for m in table.meetings for d in m.decisions if d.symbol == "S/RES/7 (1946)")
    assert res7.tally is None
    assert [(f.kind, f.record, f.message) for f in table.findings] == [
        ("tally_exceeds_council", "S/PV.49",
         "S/RES/7 (1946): tally 9-0-3 counts 12 votes on a Council of 11; tally not stored")]


def test_unanimous_adoption_without_a_tally_keeps_the_tally_unknown() -> None:
    table = _table("scact1946_table_en.html", 1946)
    res15 = next(d for m in table.meetings for d in m.decisions if d.symbol == "S/RES/15 (1946)")
    assert res15.outcome is Outcome.ADOPTED_WITH_VOTE
    assert res15.tally is None and res15.note == "adopted unanimously"


def test_written_procedure_rows_are_keyed_by_their_letter() -> None:
    table = _table("scact2020_covid_table_en.html", 2020)
    meetings = {m.record: m for m in table.meetings}
    assert meetings["S/2020/751"].written_procedure
    (res,) = meetings["S/2020/751"].decisions
    assert res.outcome is Outcome.ADOPTED_BY_WRITTEN_PROCEDURE
    (veto,) = meetings["S/2020/870"].decisions
    assert veto.vetoed_by == ["USA"] and veto.tally == Tally(14, 1, 0, 0)
    assert "VTC 2020-07-21 #1" in meetings


def test_old_htm_page_in_latin_1_is_read() -> None:
    table = _table("scact2024_table_en.htm", 2024)
    draft = next(d for m in table.meetings for d in m.decisions if d.symbol == "S/2024/255")
    assert draft.vetoed_by == ["RUS"] and draft.tally == Tally(13, 1, 1, 0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("S/RES/2100 (2013) 15-0-0", [("resolution", "S/RES/2100 (2013)", "15-0-0")]),
        ("S/RES/2118 (2013) without vote S/2013/555 (PRST)",
         [("resolution", "S/RES/2118 (2013)", None),
          ("presidential_statement", "S/2013/555", None)]),
        ("Draft resolution S/2019/961 vetoed by Russian FederationChina 9-2-3",
         [("draft", "S/2019/961", "9-2-3")]),
        ("Draft resolution ( S/2016/1026 ) vetoed by Russian Federation 11-1-3",
         [("draft", "S/2016/1026", "11-1-3")]),
        ("S/2020/1054 not adopted 5-0-10", [("draft", "S/2020/1054", "5-0-10")]),
        ("Communiqué", [("other", None, None)]),
        ("--", []),
    ],
)
def test_parse_outcome_reads_each_item(text: str, expected: list) -> None:
    decisions, findings = parse_outcome(text, year=2013, record="S/PV.1", url="u")
    got = [(d.kind, d.symbol, str(d.tally) if d.tally else None) for d in decisions]
    assert got == expected
    assert not [f for f in findings if f.kind == "unread_outcome"]


def test_parse_outcome_reports_text_it_does_not_understand() -> None:
    decisions, findings = parse_outcome("2-0-13", year=2021, record="S/PV.8823", url="u")
    assert decisions == []
    assert [f.kind for f in findings] == ["unread_outcome"]


def test_a_table_with_a_new_column_must_fail_loudly() -> None:
    body = (DHL / "scact2022_table_en.html").read_bytes().replace(b">Topic<", b">Subject<")
    with pytest.raises(ParseError, match="unknown column"):
        parse_meetings_table(body, year=2022, url="u")


def test_parse_day() -> None:
    assert parse_day("15 Sep.", year=2004, source="s", record="r") == dt.date(2004, 9, 15)
    assert parse_day("22/23 November", year=1970, source="s", record="r") == dt.date(1970, 11, 22)
    assert parse_day("29 + 30 March", year=2002, source="s", record="r") == dt.date(2002, 3, 29)
    with pytest.raises(ParseError):
        parse_day("31 February", year=2002, source="s", record="r")


def test_decode_page_falls_back_to_latin_1() -> None:
    assert decode_page("Hammarskjöld".encode("latin-1")) == "Hammarskjöld"


# --- the real pages in ../shared/data ----------------------------------------------------


def test_real_veto_list_counts(shared_data: Path) -> None:
    """The saved Veto List must give 213 drafts; USSR 90, USA 82, UK 29, RF 30, CN 17, FR 17."""
    body = (shared_data / "un_org_dhl_html" / "scact_veto_table_en.html").read_bytes()
    page = parse_veto_list(body)
    assert len({e.vote_key for e in page.entries}) == len(page.entries) == 213
    casts = Counter(code for e in page.entries for code in e.members)
    assert casts == {"SUN": 90, "USA": 82, "GBR": 29, "RUS": 30, "CHN": 17, "FRA": 17}


def test_real_meetings_tables_all_parse(shared_data: Path) -> None:
    """Every saved yearly table must parse, and hold each resolution once."""
    resolutions: Counter[str] = Counter()
    for path in sorted((shared_data / "un_org_dhl_html" / "scact_tables").glob("scact*.html")):
        year = int(re.search(r"scact(\d{4})", path.name).group(1))  # type: ignore[union-attr]
        table = parse_meetings_table(path.read_bytes(), year=year, url=path.name)
        assert table.meetings, path.name
        resolutions.update(d.symbol for m in table.meetings for d in m.decisions
                           if d.kind == "resolution")
    assert max(resolutions.values()) == 1
    numbers = {int(s.split("/")[2].split()[0]) for s in resolutions}
    # 2,638 of resolutions 1-2640: 666 and 695 (1990-91) are not on the pages.
    assert len(numbers) == 2638 and set(range(1, 2641)) - numbers == {666, 695}


def test_real_2022_page_flags_s_2022_431(shared_data: Path) -> None:
    path = shared_data / "un_org_dhl_html" / "scact_tables" / "scact2022_table_en.html"
    table = parse_meetings_table(path.read_bytes(), year=2022, url=path.name)
    assert [(f.kind, f.record, f.message) for f in table.findings] == [
        ("veto_without_negative_vote", "S/PV.9048",
         "draft S/2022/431 printed as vetoed by CHN, RUS with tally 13-0-2, which has no "
         "negative vote; tally not stored")]
    assert not any("â" in m.topic for m in table.meetings)
