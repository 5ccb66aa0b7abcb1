"""Members: codes, names, seats."""

import pytest

from council.members import (
    UnknownMemberError,
    member,
    seat_of,
    split_permanent_members,
)
from council.rules import council_size


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("ChinaRussian Federation", ["CHN", "RUS"]),
        ("Russian FederationChina", ["RUS", "CHN"]),
        ("France UK USA", ["FRA", "GBR", "USA"]),
        ("FranceUK", ["FRA", "GBR"]),
        ("France, USSR", ["FRA", "SUN"]),
        ("USA, UK and France", ["USA", "GBR", "FRA"]),
        ("the Russian Federation", ["RUS"]),
        ("the United States", ["USA"]),
        ("China and Russian Federation", ["CHN", "RUS"]),
    ],
)
def test_split_permanent_members_must_read_every_separator(text: str, codes: list[str]) -> None:
    """Members in the Veto List's last cell must be split whatever separates them."""
    assert split_permanent_members(text) == codes


@pytest.mark.parametrize("text", ["Germany", "China Germany", "", "USA Atlantis"])
def test_split_permanent_members_must_refuse_unknown_names(text: str) -> None:
    """An unknown name must raise, never be dropped silently."""
    with pytest.raises(UnknownMemberError):
        split_permanent_members(text)


def test_ussr_keeps_its_code_and_counts_with_its_successor_by_seat() -> None:
    assert member("SUN").name == "Union of Soviet Socialist Republics"
    assert seat_of("SUN") == "RUS"
    assert seat_of("RUS") == "RUS"
    assert seat_of("DEU") == "DEU"


def test_council_size_changes_in_1966() -> None:
    assert council_size(1965) == 11
    assert council_size(1966) == 15


def test_vetoes_list_names_the_republic_of_china_before_1971() -> None:
    """China's seat was the Republic of China's until 25 October 1971: the list says so."""
    import datetime as dt

    import pandas as pd

    from reports.vetoes import _listed

    rows = pd.DataFrame([
        {"vote_event_id": 1, "date": dt.date(1955, 12, 13), "key": "S/3502",
         "meeting_record": "S/PV.705", "agenda": "Admission of new Members", "topic": None,
         "yes": None, "no": None, "abstain": None, "member_code": "CHN", "member_name": "China",
         "source_url": "u"},
        {"vote_event_id": 2, "date": dt.date(1972, 8, 25), "key": "S/10771",
         "meeting_record": "S/PV.1660", "agenda": "Admission of new Members", "topic": None,
         "yes": 11, "no": 1, "abstain": 3, "member_code": "CHN", "member_name": "China",
         "source_url": "u"},
    ])
    listed = _listed(rows)
    assert list(listed["member_names"]) == [["China (Republic of China)"], ["China"]]
    assert list(listed["members"]) == [["CHN"], ["CHN"]]
