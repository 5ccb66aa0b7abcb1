"""The Council's membership in a year, and the one rule by which unnamed members' votes are
derived (issue 15): exact results on the real 2024 roll call, and each way it can fail."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from council.records import Tally
from council.roll_calls import Membership, Underived, derive_roll_call, membership_by_year
from scrapers.undl.parse import parse_record_xml

REAL_2722 = Path("undl_records") / "record_4033397_S-RES-2722(2024)_vote.marcxml.xml"
MEMBERS_2024 = ("DZA", "CHN", "ECU", "FRA", "GUY", "JPN", "MLT", "MOZ", "KOR", "RUS", "SLE",
                "SVN", "CHE", "GBR", "USA")


@pytest.fixture
def membership_2024(shared_data: Path) -> Membership:
    record = parse_record_xml((shared_data / REAL_2722).read_bytes())
    assert record.date is not None
    day = dt.date.fromisoformat(record.date)
    return membership_by_year([(day, [v.code for v in record.votes])])[2024]


def test_the_dprk_panels_failed_renewal_is_completed_from_the_2024_membership(
        membership_2024: Membership) -> None:
    """S/2024/255: the release names the Russian Federation against and China abstaining;
    the other 13 members of 2024 (from the real roll call of S/RES/2722) were in favour."""
    assert membership_2024.complete and membership_2024.members == frozenset(MEMBERS_2024)
    votes = derive_roll_call(Tally(13, 1, 1), {"N": ["RUS"], "A": ["CHN"]}, membership_2024)
    assert votes == {"RUS": "N", "CHN": "A"} | {
        c: "Y" for c in MEMBERS_2024 if c not in ("RUS", "CHN")}


def test_nothing_is_derived_unless_the_names_and_the_count_cover_every_seat(
        membership_2024: Membership) -> None:
    cases = [
        (Tally(12, 1, 1), {"N": ["RUS"], "A": ["CHN"]},
         "the count 12-1-1 accounts for 14 of 15 seats"),
        (Tally(13, 1, 1), {"N": ["RUS"]},
         "more than one side is not named in full: in favour (0 of 13 named) and abstaining "
         "(0 of 1 named)"),
        (Tally(11, 2, 2), {"N": ["RUS", "CHN"], "A": ["DZA"]},
         "more than one side is not named in full: in favour (0 of 11 named) and abstaining "
         "(1 of 2 named)"),
        (Tally(13, 1, 1), {"N": ["RUS"], "A": ["BRA"]},
         "BRA is named abstaining but was not a member in 2024"),
        (Tally(13, 1, 1), {"N": ["RUS"], "A": ["RUS"]}, "RUS is named twice"),
        (Tally(13, 1, 1), {"Y": ["USA"], "N": ["RUS"], "A": ["CHN"]},
         "the members in favour are named in part (1 of 13)"),
    ]
    for tally, named, reason in cases:
        assert derive_roll_call(tally, named, membership_2024) == Underived(reason)


def test_a_roll_call_named_in_full_is_returned_as_named(membership_2024: Membership) -> None:
    named = {"Y": [c for c in MEMBERS_2024 if c != "USA"], "N": ["USA"], "A": []}
    assert derive_roll_call(Tally(14, 1, 0), named, membership_2024) == {
        c: "Y" for c in MEMBERS_2024 if c != "USA"} | {"USA": "N"}


def test_an_unknown_or_partial_membership_derives_nothing() -> None:
    assert derive_roll_call(Tally(13, 1, 1), {"N": ["RUS"], "A": ["CHN"]}, None) == Underived(
        "the Council's membership that year is not known")
    partial = membership_by_year([(dt.date(2024, 3, 1), MEMBERS_2024[:14])])[2024]
    assert not partial.complete
    assert derive_roll_call(Tally(13, 1, 1), {"N": ["RUS"], "A": ["CHN"]}, partial) == Underived(
        "the Council's membership in 2024 is not known in full (14 of 15 seats)")


def test_the_ussrs_seat_keeps_its_code_and_the_council_of_eleven() -> None:
    """1960: eleven seats; the USSR votes as SUN and is derived as SUN, not RUS."""
    members = ("ARG", "CEY", "CHN", "ECU", "FRA", "ITA", "POL", "SUN", "TUN", "GBR", "USA")
    membership = membership_by_year([(dt.date(1960, 7, 26), members)])[1960]
    assert membership.complete and membership.seats["RUS"] == frozenset({"SUN"})
    votes = derive_roll_call(Tally(9, 1, 1), {"N": ["SUN"], "A": ["POL"]}, membership)
    assert isinstance(votes, dict)
    assert votes["SUN"] == "N" and "RUS" not in votes and votes["USA"] == "Y"
    assert sorted(votes) == sorted(members)
    # 15 seats' worth of count on a Council of 11 derives nothing
    assert derive_roll_call(Tally(13, 1, 1), {"N": ["SUN"], "A": ["POL"]}, membership) == (
        Underived("the count 13-1-1 accounts for 15 of 11 seats"))


def test_a_year_with_a_member_replaced_is_not_complete() -> None:
    """Sixteen seats' codes in one year (a roll call before and after a change) is more than
    the Council had: the year is kept, marked incomplete."""
    before = ("DZA", "CHN", "ECU", "FRA", "GUY", "JPN", "MLT", "MOZ", "KOR", "RUS", "SLE",
              "SVN", "CHE", "GBR", "USA")
    after = (*before[:-1], "BRA")
    year = membership_by_year([(dt.date(2024, 1, 5), before), (dt.date(2024, 6, 5), after)])
    assert (year[2024].complete, len(year[2024].seats), year[2024].roll_calls) == (False, 16, 2)
