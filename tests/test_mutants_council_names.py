"""Tests that kill the mutants of council/ left alive by the first rounds (issue 18): China's
seat and its two governments' names, the outcome every view takes (``decided_outcome``,
``draft_status``), the words a refused symbol gets back, and the reasons a roll call named
in part is not completed. Each asserts the exact value a user sees."""

from __future__ import annotations

import datetime as dt

import pytest

from council.members import PRC_SEATED, ROC_NAME, government_of_china, name_at, seat_name
from council.records import Tally
from council.roll_calls import Underived, derive_roll_call, membership_by_year
from council.rules import decided_outcome, draft_status
from council.symbols import SymbolError, read_vote_name

SPANNING = ("China (the Republic of China until 1971-10-24, then the People's Republic of "
            "China)")


def test_chinas_two_governments_are_read_however_a_source_writes_them() -> None:
    roc = (None, dt.date(1971, 10, 24))
    prc = (PRC_SEATED, None)
    assert government_of_china("People\u2019s  Republic of\nChina") == prc
    assert government_of_china("PEOPLES REPUBLIC OF CHINA") == prc
    assert government_of_china(" Republic of China ") == roc
    assert government_of_china("ROC") == roc
    assert government_of_china("China (People's Republic of China)") == prc
    # the seat itself, and anything else, names neither government
    assert government_of_china("China") is None
    assert government_of_china("") is None


def test_a_seats_name_for_days_either_side_of_the_prcs_seating() -> None:
    assert seat_name("CHN", None, dt.date(1971, 10, 24)) == ROC_NAME
    assert seat_name("CHN", dt.date(1950, 1, 1), dt.date(1960, 1, 1)) == ROC_NAME
    # the day the PRC was seated is the PRC's: days up to it span both governments
    assert seat_name("CHN", None, PRC_SEATED) == SPANNING
    assert seat_name("CHN", None, None) == SPANNING
    assert seat_name("CHN", dt.date(1971, 10, 24), None) == SPANNING
    assert seat_name("CHN", PRC_SEATED, None) == "China"
    assert seat_name("CHN", dt.date(2000, 1, 1), dt.date(2024, 1, 1)) == "China"
    # other seats keep their name, whatever the days
    assert seat_name("USA", None, None) == "United States"
    assert seat_name("SUN", dt.date(1950, 1, 1), dt.date(1960, 1, 1)) == (
        "Union of Soviet Socialist Republics")
    assert seat_name("FRA", None, dt.date(1960, 1, 1)) == "France"


def test_a_code_the_tracker_does_not_know_is_named_by_its_code() -> None:
    assert name_at("XYZ") == "XYZ"
    assert name_at("CHN", dt.date(1971, 10, 24)) == ROC_NAME
    assert name_at("CHN", PRC_SEATED) == "China"


@pytest.mark.parametrize(("recorded", "yes", "year", "vetoed_by", "outcome"), [
    # a recorded outcome other than "not adopted" is kept as it is
    ("vetoed", 5, 1960, (), "vetoed"),
    ("adopted_with_vote", 3, 2000, ("USA",), "adopted_with_vote"),
    (None, 12, 2000, ("USA",), None),
    # "not adopted" is read again by the rule of its year
    ("not_adopted", 8, 1960, (), "not_adopted"),  # 8 of 11 had the votes in 1960
    ("not_adopted", 8, 1970, (), "insufficient_votes"),  # not 8 of 15
    ("not_adopted", 8, None, (), "insufficient_votes"),  # undated: the Council of 15
    ("not_adopted", 5, 1960, ("SUN",), "insufficient_votes"),  # a "no" short of votes
    ("not_adopted", 10, 1990, ("GBR",), "vetoed"),
    ("not_adopted", None, 1990, ("GBR",), "vetoed"),  # a veto named, no count known
    ("not_adopted", None, 1990, (), "not_adopted"),
])
def test_the_outcome_every_view_takes(recorded: str | None, yes: int | None,
                                      year: int | None, vetoed_by: tuple[str, ...],
                                      outcome: str | None) -> None:
    assert decided_outcome(recorded, yes=yes, year=year, vetoed_by=vetoed_by) == outcome


def test_a_drafts_status_from_its_deciding_vote() -> None:
    assert draft_status(None) == "no_vote_recorded"
    assert [draft_status(o) for o in ("adopted_with_vote", "adopted_without_vote",
                                      "adopted_by_written_procedure")] == ["adopted"] * 3
    assert [draft_status(o) for o in ("vetoed", "insufficient_votes", "not_adopted")] == [
        "vetoed", "insufficient_votes", "not_adopted"]


@pytest.mark.parametrize(("typed", "message"), [
    ("  ", "no symbol given: name a resolution (S/RES/2722 (2024), 2722), a draft "
           "(S/2024/255) or a meeting (S/PV.9591)"),
    ("S/RES/1(1945)", "not a resolution symbol: 'S/RES/1(1945)' (the Council's resolutions "
                      "date from 1946; try S/RES/2722 (2024) or 2722)"),
    ("S/RES/abc", "not a resolution symbol: 'S/RES/abc' (try S/RES/2722 (2024), S/RES/2722 "
                  "or 2722)"),
    ("hello", "not a resolution, draft or meeting: 'hello' (try S/RES/2722 (2024), 2722, "
              "S/2024/255 or S/PV.9591)"),
    ("S/2024//255", "not a resolution, draft or meeting: 'S/2024//255' (try S/RES/2722 "
                    "(2024), 2722, S/2024/255 or S/PV.9591)"),
])
def test_a_symbol_refused_says_what_to_type_instead(typed: str, message: str) -> None:
    with pytest.raises(SymbolError) as refused:
        read_vote_name(typed)
    assert str(refused.value) == message


def test_the_councils_first_year_is_a_resolutions_year() -> None:
    name = read_vote_name("S/RES/1(1946)")
    assert (name.kind, name.symbol, name.number) == ("resolution", "S/RES/1 (1946)", 1)


MEMBERS_1991 = ("AUT", "BEL", "CHN", "CIV", "CUB", "ECU", "FRA", "IND", "ROU", "SUN", "GBR",
                "USA", "YEM", "ZAF", "ZWE")


def test_a_roll_call_named_in_full_needs_no_membership() -> None:
    named = {"Y": ["FRA", "GBR"], "N": ["USA"], "A": []}
    assert derive_roll_call(Tally(2, 1, 0), named, None) == {"FRA": "Y", "GBR": "Y", "USA": "N"}


@pytest.mark.parametrize(("tally", "named"), [
    # as many names as votes cast, but not on the sides the count gives
    (Tally(2, 2, 0), {"Y": ["FRA", "GBR", "USA"], "N": ["CHN"]}),
    (Tally(2, 2, 0), {"Y": ["FRA", "GBR", "USA"], "A": ["CHN"]}),
])
def test_names_that_add_up_on_the_wrong_sides_are_not_a_roll_call(
        tally: Tally, named: dict[str, list[str]]) -> None:
    assert derive_roll_call(tally, named, None) == Underived(
        "the Council's membership that year is not known")


def test_the_members_left_over_must_be_as_many_as_the_count_says() -> None:
    membership = membership_by_year([(dt.date(1990, 5, 1), MEMBERS_1991)])[1990]
    assert derive_roll_call(Tally(14, 1, 0), {"N": ["USA"], "A": []}, membership) == {
        **{c: "Y" for c in MEMBERS_1991 if c != "USA"}, "USA": "N"}
    assert derive_roll_call(Tally(13, 1, 1), {"N": ["USA"], "A": []}, membership) == Underived(
        "more than one side is not named in full: in favour (0 of 13 named) and abstaining "
        "(0 of 1 named)")
    # two sides named in full, and 12 members left for the 12 in favour
    assert derive_roll_call(Tally(12, 1, 2), {"N": ["USA"], "A": ["CUB", "YEM"]},
                            membership) == {**{c: "Y" for c in MEMBERS_1991
                                               if c not in ("USA", "CUB", "YEM")},
                                            "USA": "N", "CUB": "A", "YEM": "A"}


def test_a_seat_that_voted_under_two_codes_that_year_derives_nothing() -> None:
    """1991's last roll calls name the USSR (SUN), and the Russian Federation took its seat
    on 24 December: a member derived for that seat could be either."""
    with_russia = tuple("RUS" if c == "SUN" else c for c in MEMBERS_1991)
    membership = membership_by_year([(dt.date(1991, 6, 1), MEMBERS_1991),
                                     (dt.date(1991, 12, 27), with_russia)])[1991]
    assert membership.complete and membership.seats["RUS"] == frozenset({"SUN", "RUS"})
    assert derive_roll_call(Tally(14, 1, 0), {"N": ["USA"]}, membership) == Underived(
        "the seat of RUS voted under two codes that year (RUS, SUN)")
    # the seat named itself, nothing is left to guess
    votes = derive_roll_call(Tally(13, 1, 1), {"N": ["USA"], "A": ["RUS"]}, membership)
    assert votes == {**{c: "Y" for c in MEMBERS_1991 if c not in ("USA", "SUN")},
                     "USA": "N", "RUS": "A"}

