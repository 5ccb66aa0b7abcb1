"""Tests that bite (issue 18): each rule of ``council/`` asserted with exact values on both
sides of its boundary, on real cases from ``../shared/data`` and on small fixtures.

Each test here must fail when its rule's one home breaks (the threshold forced to 9, the USSR
dropped from the permanent codes, an abstention read as a veto, ...): the report of issue 18
lists the break each one was seen to catch.
"""

from __future__ import annotations

import ast
import csv
import datetime as dt
from pathlib import Path

import pytest

from council.dates import parse_day_month_year
from council.mandate_status import Event, expiry_in_force, mandate_status
from council.members import (
    PERMANENT_CODES,
    PERMANENT_SEATS,
    UnknownMemberError,
    code_for_name,
    member,
    seat_of,
    split_member_names,
    split_permanent_members,
)
from council.records import Tally, tally_within_council
from council.rules import (
    Outcome,
    adoption_threshold,
    council_size,
    failed_outcome,
    format_tally,
    has_the_votes,
    roll_call_outcome,
    vetoes_in_roll_call,
)
from council.symbols import (
    SymbolError,
    draft_base,
    draft_preference,
    meeting_number,
    normalise_document_symbol,
    normalise_meeting_record,
    normalise_resolution_symbol,
)
from scrapers.dhl.parse import parse_meetings_table

TONG = Path("failed_drafts_tong") / "cleaned_data_unsc.csv"
TABLES = Path("un_org_dhl_html") / "scact_tables"


# --- council size and adoption threshold: 1946-1965 and 1966- --------------------------

@pytest.mark.parametrize(("year", "size", "threshold"), [
    (1946, 11, 7), (1955, 11, 7), (1965, 11, 7),
    (1966, 15, 9), (1971, 15, 9), (1992, 15, 9), (2024, 15, 9)])
def test_the_council_has_eleven_seats_and_needs_seven_votes_until_1965(
        year: int, size: int, threshold: int) -> None:
    """The Council must have 11 seats and need 7 votes until 1965, 15 and 9 from 1966 (the
    enlargement in force on 1 January 1966)."""
    assert (council_size(year), adoption_threshold(year)) == (size, threshold)


@pytest.mark.parametrize(("yes", "year", "passes"), [
    (6, 1965, False), (7, 1965, True), (8, 1965, True),
    (7, 1966, False), (8, 1966, False), (9, 1966, True),
    (8, 2024, False), (9, 2024, True)])
def test_a_draft_has_the_votes_from_the_threshold_of_its_year(
        yes: int, year: int, passes: bool) -> None:
    assert has_the_votes(yes, year) is passes


@pytest.mark.parametrize(("yes", "year", "vetoed_by", "outcome"), [
    # 1946-1965: seven of eleven.
    (7, 1947, ["SUN"], Outcome.VETOED),            # S/PV.122, "vetoed by USSR 7-2-1"
    (6, 1948, [], Outcome.INSUFFICIENT_VOTES),     # S/894, "not adopted 6-1-4"
    (7, 1962, [], Outcome.NOT_ADOPTED),            # S/5095, "not adopted 7-2-1"
    (6, 1965, ["SUN"], Outcome.INSUFFICIENT_VOTES),
    # 1966-: nine of fifteen.
    (8, 1966, ["SUN"], Outcome.INSUFFICIENT_VOTES),
    (8, 1966, [], Outcome.INSUFFICIENT_VOTES),
    (9, 1966, [], Outcome.NOT_ADOPTED),
    (9, 2019, ["CHN", "RUS"], Outcome.VETOED),     # S/2019/186, 9-3-3
    (13, 2024, ["RUS"], Outcome.VETOED),           # S/2024/255, 13-1-1
    (None, 1946, ["FRA", "SUN"], Outcome.VETOED),  # S/PV.49 (vetoed draft 2): no count known,
                                                   # the Veto List names the veto
    (None, 2024, [], Outcome.NOT_ADOPTED),         # no count, no veto named: not why
])
def test_the_outcome_of_a_failed_vote_follows_the_threshold_of_its_year(
        yes: int | None, year: int, vetoed_by: list[str], outcome: Outcome) -> None:
    assert failed_outcome(yes, year, vetoed_by=vetoed_by) is outcome


# --- the veto rule on roll calls ---------------------------------------------------------

def _tong_rows(shared_data: Path) -> dict[tuple[str, str], dict[str, str]]:
    with (shared_data / TONG).open(encoding="utf-8") as handle:
        return {(r["Meeting Number"], r["Voting On"].strip()): r for r in csv.DictReader(handle)}


def _tong_roll_call(row: dict[str, str]) -> tuple[list[tuple[str, str]], int, int]:
    """A roll call of the third-party failed-drafts file as (code, vote) pairs, its count in
    favour and its year. The file names the USSR "Russian Federation" before 1992 (one of its
    own errors, DOMAIN.md section 5): the seat's holder that day is meant."""
    year = int(row["Year"])
    votes: list[tuple[str, str]] = []
    for column, vote in (("In Favor", "Y"), ("Against", "N"), ("Abstain", "A")):
        for name in ast.literal_eval(row[column]):
            code = code_for_name(name)
            votes.append(("SUN" if code == "RUS" and year < 1992 else code, vote))
    return votes, sum(1 for _, v in votes if v == "Y"), year


@pytest.mark.parametrize(("meeting", "voting_on", "vetoes", "outcome"), [
    # 1946-1965: a USSR "no" on a draft with 10 of 11 in favour is a veto.
    ("706", "S/3510", ["SUN"], Outcome.VETOED),
    # 1947: four permanent members against a draft with 2 votes in favour: no veto.
    ("174", "174th Meeting Draft Resolution", [], Outcome.INSUFFICIENT_VOTES),
    # 1950: China (then the Republic of China), France and the US against, 3 in favour.
    ("461", "S/1443", [], Outcome.INSUFFICIENT_VOTES),
    # 1956: the Republic of China against a draft with 4 in favour.
    ("756", "S/3755", [], Outcome.INSUFFICIENT_VOTES),
    # 1971, before the USSR's seat passed on: the USSR's veto, cast as the USSR.
    ("1607", "S/10423", ["SUN"], Outcome.VETOED),
    # 1972, after 25 October 1971: the People's Republic of China's first veto.
    ("1660", "S/10771", ["CHN"], Outcome.VETOED),
    # 1972: printed "vetoed by USSR 3-3-9" by the tables; three in favour could not pass.
    ("1660", "S/10768", [], Outcome.INSUFFICIENT_VOTES),
    # 2014: the US against a draft with 8 in favour: a veto until 1965, not since.
    ("7354", "S/2014/916", [], Outcome.INSUFFICIENT_VOTES),
    # 2019: exactly nine in favour, China and Russia against: two vetoes.
    ("8476", "S/2019/186", ["CHN", "RUS"], Outcome.VETOED),
    # 2022: Russia against, China abstaining (13-1-1, like S/2024/255): Russia's veto only.
    ("9087", "S/2022/538", ["RUS"], Outcome.VETOED),
])
def test_the_veto_rule_on_real_roll_calls_of_failed_drafts(
        shared_data: Path, meeting: str, voting_on: str, vetoes: list[str],
        outcome: Outcome) -> None:
    """A permanent member's "no" must be a veto only when the draft had the votes of its year
    (7 until 1965, 9 since); an abstention is never one; the USSR holds a permanent seat until
    1991 and the Russian Federation after it."""
    votes, yes, year = _tong_roll_call(_tong_rows(shared_data)[(meeting, voting_on)])
    assert sorted(vetoes_in_roll_call(votes, yes=yes, year=year)) == vetoes
    assert roll_call_outcome(votes, yes=yes, year=year) is outcome


COUNCIL_2024 = ("CHN", "FRA", "RUS", "GBR", "USA", "DZA", "ECU", "GUY", "JPN", "MLT", "MOZ",
                "KOR", "SLE", "SVN", "CHE")


def test_s_2024_255_was_vetoed_by_the_russian_federation_alone() -> None:
    """S/2024/255, 28 March 2024, 13-1-1: the Russian Federation against, China abstaining.
    The abstention of a permanent member must not be a veto."""
    votes = [(c, "N" if c == "RUS" else "A" if c == "CHN" else "Y") for c in COUNCIL_2024]
    assert vetoes_in_roll_call(votes, yes=13, year=2024) == ["RUS"]
    assert roll_call_outcome(votes, yes=13, year=2024) is Outcome.VETOED
    abstained = [(c, "A" if c in ("RUS", "CHN") else "Y") for c in COUNCIL_2024]
    assert vetoes_in_roll_call(abstained, yes=13, year=2024) == []
    assert roll_call_outcome(abstained, yes=13, year=2024) is Outcome.NOT_ADOPTED
    absent = [(c, "X" if c == "RUS" else "Y") for c in COUNCIL_2024]
    assert vetoes_in_roll_call(absent, yes=14, year=2024) == []


@pytest.mark.parametrize(("votes", "yes", "year", "vetoes"), [
    ([("SUN", "N"), ("USA", "Y")], 7, 1965, ["SUN"]),
    ([("SUN", "N"), ("USA", "Y")], 6, 1965, []),
    ([("SUN", "N"), ("USA", "Y")], 7, 1966, []),
    ([("SUN", "N"), ("USA", "Y")], 9, 1966, ["SUN"]),
    ([("CHN", "N"), ("FRA", "N"), ("GBR", "N"), ("USA", "N")], 9, 1980, [
        "CHN", "FRA", "GBR", "USA"]),
    ([("RUS", "N"), ("UKR", "N"), ("DEU", "N")], 12, 1992, ["RUS"]),  # elected: no veto
    ([("RUS", "N")], 8, None, []),  # undated: held to the Council of fifteen
    ([("RUS", "N")], 9, None, ["RUS"]),
])
def test_vetoes_in_a_roll_call_are_the_permanent_members_against(
        votes: list[tuple[str, str]], yes: int, year: int | None, vetoes: list[str]) -> None:
    assert vetoes_in_roll_call(votes, yes=yes, year=year) == vetoes


def test_the_real_tables_print_outcomes_the_rule_gives(shared_data: Path) -> None:
    """The real 1947, 1962, 1966 and 1972 tables: a draft's outcome must follow the threshold
    of its year, exactly as printed."""
    found: dict[str, tuple[str, str | None, list[str]]] = {}
    for year in (1947, 1962, 1966, 1972):
        body = (shared_data / TABLES / f"scact{year}_table_en.html").read_bytes()
        for meeting in parse_meetings_table(body, year=year, url=f"{year}").meetings:
            for d in meeting.decisions:
                if d.kind == "draft" and d.symbol is not None:
                    found[d.symbol] = (d.outcome.value if d.outcome else "",
                                       str(d.tally) if d.tally else None, d.vetoed_by)
    assert found["S/PV.122 (vetoed draft 1)"] == ("vetoed", "7-2-1", ["SUN"])
    assert found["S/404"] == ("insufficient_votes", "2-9-0", [])
    assert found["S/507"] == ("insufficient_votes", "6-1-3", [])
    assert found["S/5095"] == ("not_adopted", "7-2-1", [])
    assert found["S/7285/Add.1"] == ("insufficient_votes", "6-1-8", [])
    assert found["S/10771"] == ("vetoed", "11-1-3", ["CHN"])
    assert found["S/10768"] == ("vetoed", "3-3-9", ["SUN"])


# --- tally formatting and the seats a tally is held to ----------------------------------

def test_a_tally_is_written_in_favour_against_abstaining() -> None:
    assert format_tally(13, 1, 1) == "13-1-1"
    assert format_tally(11, 0, 4) == "11-0-4"
    assert format_tally(0, 0, 15) == "0-0-15"
    assert str(Tally(13, 2, 0, 0)) == "13-2-0"


@pytest.mark.parametrize(("tally", "year", "kept", "kinds"), [
    (Tally(10, 0, 0), 1946, Tally(10, 0, 0, 1), ["tally_short"]),
    (Tally(11, 0, 0), 1965, Tally(11, 0, 0, 0), []),
    (Tally(12, 0, 0), 1965, None, ["tally_exceeds_council"]),
    (Tally(11, 0, 0), 1966, Tally(11, 0, 0, 4), ["tally_short"]),
    (Tally(15, 0, 0), 1966, Tally(15, 0, 0, 0), []),
    (Tally(13, 1, 1, 1), 2024, None, ["tally_exceeds_council"]),
    (Tally(13, 0, 1, 1), 2024, Tally(13, 0, 1, 1), []),
])
def test_a_tally_is_held_to_the_seats_of_its_year(
        tally: Tally, year: int, kept: Tally | None, kinds: list[str]) -> None:
    checked, findings = tally_within_council(tally, year=year, source="s", record="r", what="w")
    assert (checked, [f.kind for f in findings]) == (kept, kinds)


# --- members: permanent codes, seat continuity, names -----------------------------------

def test_the_permanent_codes_are_the_five_seats_and_the_ussr() -> None:
    assert PERMANENT_SEATS == ("CHN", "FRA", "RUS", "GBR", "USA")
    assert set(PERMANENT_CODES) == {"CHN", "FRA", "RUS", "GBR", "USA", "SUN"}


@pytest.mark.parametrize(("code", "seat", "name"), [
    ("SUN", "RUS", "Union of Soviet Socialist Republics"),
    ("RUS", "RUS", "Russian Federation"),
    ("CHN", "CHN", "China"),
    ("GBR", "GBR", "United Kingdom"),
    ("DEU", "DEU", "Germany"),
    ("DDR", "DDR", "German Democratic Republic"),
])
def test_a_vote_counts_under_its_seat_when_successors_are_merged(
        code: str, seat: str, name: str) -> None:
    """The USSR's seat passed to the Russian Federation: merged by seat, SUN counts as RUS;
    an elected member (or a state with a successor but no seat) stays itself."""
    assert (seat_of(code), member(code).name) == (seat, name)
    assert member(code).permanent_seat == (seat if code in PERMANENT_CODES else None)


@pytest.mark.parametrize(("text", "codes"), [
    ("USSR", ["SUN"]), ("Soviet Union", ["SUN"]), ("Russian Federation", ["RUS"]),
    ("China", ["CHN"]), ("People's Republic of China", ["CHN"]),
    ("United Kingdom of Great Britain and Northern Ireland", ["GBR"]),
    ("France, USSR", ["FRA", "SUN"]), ("ChinaRussian Federation", ["CHN", "RUS"]),
])
def test_the_library_names_of_permanent_members(text: str, codes: list[str]) -> None:
    assert split_permanent_members(text) == codes


@pytest.mark.parametrize(("name", "code"), [
    ("USSR", "SUN"), ("UNION OF SOVIET SOCIALIST REPUBLICS", "SUN"), ("ZAIRE", "COD"),
    ("GERMANY, FEDERAL REPUBLIC OF", "DEU"), ("Côte d’Ivoire", "CIV"), ("UNITED KINGDOM", "GBR"),
    ("BYELORUSSIAN SOVIET SOCIALIST REPUBLIC", "BLR"), ("Japan", "JPN")])
def test_the_un_names_of_members(name: str, code: str) -> None:
    assert code_for_name(name) == code


def test_an_unknown_name_is_refused_and_names_match_whole() -> None:
    with pytest.raises(UnknownMemberError):
        code_for_name("Atlantis")
    assert split_member_names("United Kingdom and Northern Ireland") == (
        ["GBR"], ["Northern Ireland"])
    assert split_member_names("France, Japan and United States of America") == (
        ["FRA", "JPN", "USA"], [])


def test_the_vetoes_report_names_the_government_that_held_chinas_seat() -> None:
    """China's seat was the Republic of China's until 25 October 1971 (GA res. 2758): a veto
    cast on 13 December 1955 is listed as the Republic of China's, one of 25 August 1972 as
    the People's Republic's; both count under CHN."""
    import pandas as pd

    from reports.vetoes import _listed

    base = {"meeting_record": "S/PV.705", "agenda": "a", "topic": None, "yes": None,
            "no": None, "abstain": None, "member_code": "CHN", "member_name": "China",
            "source_url": "u"}
    rows = pd.DataFrame([
        {**base, "vote_event_id": 1, "date": dt.date(1955, 12, 13), "key": "S/3502"},
        {**base, "vote_event_id": 2, "date": dt.date(1971, 10, 24), "key": "S/X"},
        {**base, "vote_event_id": 3, "date": dt.date(1971, 10, 25), "key": "S/Y"},
        {**base, "vote_event_id": 4, "date": dt.date(1972, 8, 25), "key": "S/10771"}])
    listed = _listed(rows)
    assert list(listed["member_names"]) == [
        ["China (Republic of China)"], ["China (Republic of China)"], ["China"], ["China"]]
    assert list(listed["members"]) == [["CHN"]] * 4


# --- symbols and dates ---------------------------------------------------------------------

@pytest.mark.parametrize(("text", "symbol"), [
    ("S/RES/1874(2009)", "S/RES/1874 (2009)"), ("s/res/82 (1950)", "S/RES/82 (1950)"),
    (" S / RES / 2722 ( 2024 ) ", "S/RES/2722 (2024)")])
def test_a_resolution_has_one_spelling(text: str, symbol: str) -> None:
    assert normalise_resolution_symbol(text) == symbol


@pytest.mark.parametrize("text", ["S/2024/255", "S/RES/1874", "S/RES/٩(2009)", "A/RES/1 (1946)"])
def test_what_is_not_a_resolution_symbol_is_refused(text: str) -> None:
    with pytest.raises(SymbolError):
        normalise_resolution_symbol(text)


@pytest.mark.parametrize(("text", "key", "number"), [
    ("S/PV.9591", "S/PV.9591", 9591),
    ("S/PV.2970 (Part I)", "S/PV.2970 (Part I)", 2970),
    ("S/PV.2970 (Part 2)", "S/PV.2970 (Part II)", 2970),
    ("S/PV.6865 (Resumption 1)", "S/PV.6865 (Resumption 1)", 6865),
    ("S/PV.6865(Resumption II)", "S/PV.6865 (Resumption 2)", 6865),
    ("S/PV.4820 (closed)", "S/PV.4820", 4820),
    ("S/PV.0705", "S/PV.705", 705)])
def test_a_meeting_record_has_one_key(text: str, key: str, number: int) -> None:
    assert (normalise_meeting_record(text), meeting_number(text)) == (key, number)


def test_draft_symbols() -> None:
    assert normalise_document_symbol(" s/2022/ 431") == "S/2022/431"
    assert draft_base("S/18087/Rev.1") == "S/18087"
    assert draft_base("S/7575/Rev.1/Rev.2") == "S/7575"
    assert sorted(["S/4056/Corr.1", "S/4056", "S/4056/Rev.1"], key=draft_preference) == [
        "S/4056/Rev.1", "S/4056", "S/4056/Corr.1"]
    with pytest.raises(SymbolError):
        normalise_document_symbol("A/77/1")


@pytest.mark.parametrize(("text", "day"), [
    ("30 Apr. 2021", dt.date(2021, 4, 30)), ("15 July 2022", dt.date(2022, 7, 15)),
    ("1 Sept. 2010", dt.date(2010, 9, 1)), ("31 Dec 1965", dt.date(1965, 12, 31)),
    ("30 Feb. 2021", None), ("12 June", None), ("30 Avr. 2021", None)])
def test_dates_as_the_un_prints_them(text: str, day: dt.date | None) -> None:
    assert parse_day_month_year(text) == day


# --- mandate status -------------------------------------------------------------------------

SLUG = "dprk-panel-of-experts"
ESTABLISHED = Event(SLUG, "established", dt.date(2009, 6, 12), "S/RES/1874 (2009)")
EXTENDED = Event(SLUG, "extended", dt.date(2023, 3, 23), "S/RES/2680 (2023)",
                 new_expiry=dt.date(2024, 4, 30))
FAILED = Event(SLUG, "renewal_failed", dt.date(2024, 3, 28), "S/2024/255")


@pytest.mark.parametrize(("events", "as_of", "status", "expiry"), [
    # The DPRK Panel of Experts: active through 30 April 2024, lapsed from 1 May.
    ([ESTABLISHED, EXTENDED, FAILED], dt.date(2024, 3, 15), "active", dt.date(2024, 4, 30)),
    ([ESTABLISHED, EXTENDED, FAILED], dt.date(2024, 4, 30), "active", dt.date(2024, 4, 30)),
    ([ESTABLISHED, EXTENDED, FAILED], dt.date(2024, 5, 1), "lapsed", dt.date(2024, 4, 30)),
    # The same expiry with no failed renewal: expired, not lapsed.
    ([ESTABLISHED, EXTENDED], dt.date(2024, 5, 1), "expired", dt.date(2024, 4, 30)),
    # A failed draft before the last extension is not the failed renewal of its expiry.
    ([ESTABLISHED, Event(SLUG, "renewal_failed", dt.date(2023, 3, 1), "S/2023/1"), EXTENDED],
     dt.date(2024, 5, 1), "expired", dt.date(2024, 4, 30)),
    # A termination runs through its day.
    ([ESTABLISHED, EXTENDED, Event(SLUG, "terminated", dt.date(2023, 12, 31), "S/RES/9")],
     dt.date(2023, 12, 31), "active", dt.date(2024, 4, 30)),
    ([ESTABLISHED, EXTENDED, Event(SLUG, "terminated", dt.date(2023, 12, 31), "S/RES/9")],
     dt.date(2024, 1, 1), "terminated", dt.date(2024, 4, 30)),
    # The registry's end day runs through its day too.
    ([ESTABLISHED, Event(SLUG, "ended", dt.date(2020, 6, 30), "registry")],
     dt.date(2020, 6, 30), "unknown", None),
    ([ESTABLISHED, Event(SLUG, "ended", dt.date(2020, 6, 30), "registry")],
     dt.date(2020, 7, 1), "ended", None),
    # An extension whose new expiry is not known: unknown, never active by absence.
    ([ESTABLISHED, Event(SLUG, "extended", dt.date(2023, 3, 23), "S/RES/2680 (2023)")],
     dt.date(2024, 5, 1), "unknown", None),
    ([ESTABLISHED], dt.date(2024, 5, 1), "unknown", None),
])
def test_a_mandates_status_on_each_side_of_its_days(
        events: list[Event], as_of: dt.date, status: str, expiry: dt.date | None) -> None:
    assert mandate_status(events, as_of)[:2] == (status, expiry)


def test_the_lapse_is_dated_on_the_expiry_and_names_the_failed_renewal() -> None:
    _, _, lapse = mandate_status([ESTABLISHED, EXTENDED, FAILED], dt.date(2024, 5, 1))
    assert lapse is not None
    assert (lapse.kind, lapse.date, lapse.reference, lapse.note) == (
        "lapsed", dt.date(2024, 4, 30), "expiry 2024-04-30",
        "the renewal S/2024/255 failed on 2024-03-28; no extension was adopted by the expiry "
        "date")


@pytest.mark.parametrize(("events", "as_of", "status"), [
    ([Event("untso", "established", dt.date(1948, 5, 29), "S/RES/50 (1948)")],
     dt.date(1948, 5, 29), "active"),
    ([Event("untso", "established", dt.date(1948, 5, 29), "S/RES/50 (1948)")],
     dt.date(1948, 5, 28), "unknown"),
    ([Event("untso", "established", dt.date(1948, 5, 29), "S/RES/50 (1948)"),
      Event("untso", "terminated", dt.date(1990, 1, 1), "S/RES/1")], dt.date(1990, 1, 2),
     "terminated"),
])
def test_an_open_ended_body_is_active_from_its_establishment_until_an_end(
        events: list[Event], as_of: dt.date, status: str) -> None:
    assert mandate_status(events, as_of, open_ended=True)[:2] == (status, None)
    if status == "active":
        assert mandate_status(events, as_of, open_ended=False)[0] == "unknown"


def test_the_expiry_in_force_is_the_last_extensions() -> None:
    later = Event(SLUG, "extended", dt.date(2024, 4, 1), "S/RES/9999 (2024)",
                  new_expiry=dt.date(2025, 4, 30))
    events = [ESTABLISHED, EXTENDED, later]
    assert expiry_in_force(events, dt.date(2024, 3, 31)) == (dt.date(2024, 4, 30), True)
    assert expiry_in_force(events, dt.date(2024, 4, 1)) == (dt.date(2025, 4, 30), True)
    assert expiry_in_force(events, dt.date(2009, 6, 12)) == (None, False)
    assert mandate_status(events, dt.date(2024, 5, 1))[:2] == ("active", dt.date(2025, 4, 30))
