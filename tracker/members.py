"""Council members: three-letter codes, names, permanent seats and historical codes.

Codes are ISO 3166-1 alpha-3 (through pycountry) plus the codes the UN Digital
Library uses for states that no longer exist (SUN for the USSR, YUG, CSK, DDR,
YMD, ZAR...). The permanent seats are kept apart from the codes that held them,
so reports can show a vote as cast (USSR) or merged by seat (Russian Federation).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import pycountry


@dataclass(frozen=True)
class Member:
    """One state as the Council's records name it."""

    code: str
    name: str
    permanent_seat: str | None = None  # the P5 seat held, as the seat's present code
    successor: str | None = None  # the code that took over the seat or the state


# The five permanent seats, by the code of their present holder.
PERMANENT_SEATS = ("CHN", "FRA", "RUS", "GBR", "USA")

_HISTORICAL: tuple[Member, ...] = (
    Member("SUN", "Union of Soviet Socialist Republics", permanent_seat="RUS", successor="RUS"),
    Member("YUG", "Yugoslavia"),
    Member("CSK", "Czechoslovakia"),
    Member("DDR", "German Democratic Republic", successor="DEU"),
    Member("YMD", "Democratic Yemen", successor="YEM"),
    Member("ZAR", "Zaire", successor="COD"),
)

_PERMANENT: tuple[Member, ...] = (
    Member("CHN", "China", permanent_seat="CHN"),
    Member("FRA", "France", permanent_seat="FRA"),
    Member("RUS", "Russian Federation", permanent_seat="RUS"),
    Member("GBR", "United Kingdom", permanent_seat="GBR"),
    Member("USA", "United States", permanent_seat="USA"),
)

# Names and abbreviations the Library's pages use for permanent members.
# Longest first, so that "Russian Federation" wins over shorter overlaps.
_P5_ALIASES: dict[str, str] = {
    "union of soviet socialist republics": "SUN",
    "soviet union": "SUN",
    "ussr": "SUN",
    "russian federation": "RUS",
    "russia": "RUS",
    "united states of america": "USA",
    "united states": "USA",
    "usa": "USA",
    "us": "USA",
    "united kingdom of great britain and northern ireland": "GBR",
    "united kingdom": "GBR",
    "uk": "GBR",
    "people's republic of china": "CHN",
    "china": "CHN",
    "france": "FRA",
}


class UnknownMemberError(ValueError):
    """A member name that the tracker does not know."""


@cache
def known_members() -> dict[str, Member]:
    """Return every member the tracker knows, by code."""
    members: dict[str, Member] = {}
    for country in pycountry.countries:
        members[country.alpha_3] = Member(country.alpha_3, getattr(country, "common_name", None)
                                          or country.name)
    for member in (*_HISTORICAL, *_PERMANENT):
        members[member.code] = member
    return members


def member(code: str) -> Member:
    """Return the member with this code, or raise UnknownMemberError."""
    try:
        return known_members()[code.upper()]
    except KeyError:
        raise UnknownMemberError(f"unknown member code {code!r}") from None


def seat_of(code: str) -> str:
    """Return the code a vote counts under when successors are merged (SUN -> RUS)."""
    m = known_members().get(code)
    if m and m.permanent_seat:
        return m.permanent_seat
    return code


_P5_PATTERN = re.compile(
    r"("
    + "|".join(re.escape(a) for a in sorted(_P5_ALIASES, key=len, reverse=True))
    + r")(?-i:(?![a-z]))",
    re.IGNORECASE,
)
_SEPARATORS = re.compile(r"^(?:\s|,|;|&|/|\band\b|\bthe\b)*$", re.IGNORECASE)


def split_permanent_members(text: str) -> list[str]:
    """Split a run of permanent members' names into codes, in order.

    The Library's pages separate members by line breaks, spaces, commas, "and"
    or nothing at all ("ChinaRussian Federation"). Anything left over that is not
    a separator is an unknown name and raises UnknownMemberError.
    """
    codes: list[str] = []
    pos = 0
    for match in _P5_PATTERN.finditer(text):
        gap = text[pos : match.start()]
        if not _SEPARATORS.match(gap):
            raise UnknownMemberError(f"unknown permanent member {gap.strip()!r} in {text!r}")
        code = _P5_ALIASES[match.group(1).lower()]
        if code not in codes:
            codes.append(code)
        pos = match.end()
    rest = text[pos:]
    if not _SEPARATORS.match(rest):
        raise UnknownMemberError(f"unknown permanent member {rest.strip()!r} in {text!r}")
    if not codes:
        raise UnknownMemberError(f"no permanent member named in {text!r}")
    return codes


def council_size(year: int) -> int:
    """Return the number of seats on the Council in a year (11 until 1965, then 15)."""
    return 11 if year < 1966 else 15
