"""Council members: three-letter codes, names, permanent seats and historical codes.

Codes are ISO 3166-1 alpha-3 (through pycountry) plus the codes the UN Digital
Library uses for states that no longer exist (SUN for the USSR, YUG, CSK, DDR,
YMD; Zaire is COD, as the Library codes it). The permanent seats are kept apart
from the codes that held them, so reports can show a vote as cast (USSR) or
merged by seat (Russian Federation).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

import pycountry

from council.errors import TrackerError


@dataclass(frozen=True)
class Member:
    """One state as the Council's records name it."""

    code: str
    name: str
    permanent_seat: str | None = None  # the P5 seat held, as the seat's present code
    successor: str | None = None  # the code that took over the seat or the state


# The five permanent seats, by the code of their present holder.
PERMANENT_SEATS = ("CHN", "FRA", "RUS", "GBR", "USA")
# Every code that has held a permanent seat: the five, and the USSR (SUN) before 1992.
PERMANENT_CODES = (*PERMANENT_SEATS, "SUN")

_HISTORICAL: tuple[Member, ...] = (
    Member("SUN", "Union of Soviet Socialist Republics", permanent_seat="RUS", successor="RUS"),
    Member("YUG", "Yugoslavia"),
    Member("CSK", "Czechoslovakia"),
    Member("DDR", "German Democratic Republic", successor="DEU"),
    Member("YMD", "Democratic Yemen", successor="YEM"),
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


class UnknownMemberError(TrackerError, ValueError):
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


def member_source(code: str) -> str:
    """Return where a member's code and name come from."""
    if code in {m.code for m in (*_HISTORICAL, *_PERMANENT)}:
        return "council.members (the UN Digital Library's codes and names)"
    return "ISO 3166-1 (pycountry)"


def member(code: str) -> Member:
    """Return the member with this code, or raise UnknownMemberError."""
    try:
        return known_members()[code.upper()]
    except KeyError:
        raise UnknownMemberError(f"unknown member code {code!r}") from None


# China's seat (code CHN throughout, as the Library codes it) was held by the Republic of
# China until the General Assembly seated the People's Republic (resolution 2758).
PRC_SEATED = dt.date(1971, 10, 25)
ROC_NAME = "China (Republic of China)"

# The names of the two governments that held China's seat, for the days each held it:
# (first day, last day), None where open.
_CHINA_GOVERNMENTS: dict[str, tuple[dt.date | None, dt.date | None]] = {
    **dict.fromkeys(("roc", "republic of china", ROC_NAME.lower()),
                    (None, PRC_SEATED - dt.timedelta(days=1))),
    **dict.fromkeys(("prc", "people's republic of china", "peoples republic of china",
                     "china (people's republic of china)"), (PRC_SEATED, None)),
}


def government_of_china(text: str) -> tuple[dt.date | None, dt.date | None] | None:
    """Return the days China's seat was held by the government a name gives ("Republic of
    China", "ROC": until 24 October 1971; "People's Republic of China", "PRC": from 25
    October 1971), or None for any other name (plain "China" is the seat, both)."""
    return _CHINA_GOVERNMENTS.get(" ".join(text.replace("’", "'").lower().split()))


def seat_name(code: str, since: dt.date | None, until: dt.date | None) -> str:
    """Return a member's name for the days from ``since`` to ``until``: for China's seat
    the government that held it then, or both when the days span the change."""
    if code == "CHN":
        if until is not None and until < PRC_SEATED:
            return ROC_NAME
        if since is None or since < PRC_SEATED:
            return (f"China (the Republic of China until {PRC_SEATED - dt.timedelta(days=1)}, "
                    "then the People's Republic of China)")
    return name_at(code, since)


def name_at(code: str, on: dt.date | None = None) -> str:
    """Return the name every view gives a member, as it was on a date (today's if None):
    the name the tracker knows for its code, and for China's seat before
    ``PRC_SEATED`` the government that held it. A source's own spelling ("REPUBLIC OF
    KOREA") is kept beside it where a view shows it, never instead of it."""
    if code == "CHN" and on is not None and on < PRC_SEATED:
        return ROC_NAME
    found = known_members().get(code)
    return found.name if found is not None else code


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


# Names the UN's records use that pycountry does not know (upper-cased), by code.
_UN_NAMES: dict[str, str] = {
    "USSR": "SUN",
    "UNION OF SOVIET SOCIALIST REPUBLICS": "SUN",
    "YUGOSLAVIA": "YUG",
    "CZECHOSLOVAKIA": "CSK",
    "GERMAN DEMOCRATIC REPUBLIC": "DDR",
    "GERMANY, FEDERAL REPUBLIC OF": "DEU",
    "FEDERAL REPUBLIC OF GERMANY": "DEU",
    "DEMOCRATIC YEMEN": "YMD",
    "UNITED ARAB REPUBLIC": "EGY",
    "ZAIRE": "COD",
    "DEMOCRATIC REPUBLIC OF THE CONGO": "COD",
    "CONGO": "COG",
    "REPUBLIC OF KOREA": "KOR",
    "DEMOCRATIC PEOPLE'S REPUBLIC OF KOREA": "PRK",
    "VENEZUELA (BOLIVARIAN REPUBLIC OF)": "VEN",
    "IRAN (ISLAMIC REPUBLIC OF)": "IRN",
    "BOLIVIA (PLURINATIONAL STATE OF)": "BOL",
    "TURKEY": "TUR",
    "TURKIYE": "TUR",
    "TÜRKIYE": "TUR",
    "COTE D'IVOIRE": "CIV",
    "CÔTE D'IVOIRE": "CIV",
    "CAPE VERDE": "CPV",
    "CABO VERDE": "CPV",
    "LIBYAN ARAB JAMAHIRIYA": "LBY",
    "LIBYA": "LBY",
    "CZECH REPUBLIC": "CZE",
    "CZECHIA": "CZE",
    "SWAZILAND": "SWZ",
    "BYELORUSSIAN SOVIET SOCIALIST REPUBLIC": "BLR",
    "UKRAINIAN SOVIET SOCIALIST REPUBLIC": "UKR",
    "UNITED KINGDOM": "GBR",
    "UNITED KINGDOM OF GREAT BRITAIN AND NORTHERN IRELAND": "GBR",
    "UNITED STATES": "USA",
    "UNITED STATES OF AMERICA": "USA",
    "UNITED REPUBLIC OF TANZANIA": "TZA",
    "VIET NAM": "VNM",
    "SYRIAN ARAB REPUBLIC": "SYR",
    "RUSSIAN FEDERATION": "RUS",
    "CHINA": "CHN",
    "UNION OF THE SOVIET SOCIALIST REPUBLICS": "SUN",
    "IVORY COAST": "CIV",
    "CEYLON": "LKA",
    "UPPER VOLTA": "BFA",
    "DAHOMEY": "BEN",
    "BURMA": "MMR",
    "DEMOCRATIC KAMPUCHEA": "KHM",
    "KAMPUCHEA": "KHM",
    "LIBYAN ARAB REPUBLIC": "LBY",
    "UNITED REPUBLIC OF CAMEROON": "CMR",
    "THE FORMER YUGOSLAV REPUBLIC OF MACEDONIA": "MKD",
    "NORTH MACEDONIA": "MKD",
    "MICRONESIA (FEDERATED STATES OF)": "FSM",
    "NETHERLANDS (KINGDOM OF THE)": "NLD",
    "REPUBLIC OF MOLDOVA": "MDA",
    "LAO PEOPLE'S DEMOCRATIC REPUBLIC": "LAO",
    "STATE OF PALESTINE": "PSE",
    "PALESTINE": "PSE",
    "HOLY SEE": "VAT",
    "SERBIA AND MONTENEGRO": "SCG",
    "FEDERAL REPUBLIC OF YUGOSLAVIA": "YUG",
    "UNITED KINGDOM OF GREAT BRITAIN": "GBR",
    "SOCIALIST PEOPLE'S LIBYAN ARAB JAMAHIRIYA": "LBY",
}


@cache
def code_for_name(name: str) -> str:
    """Return the code of a member given by the name a UN record uses ("UNITED KINGDOM").

    Historical names ("USSR", "ZAIRE", "GERMANY, FEDERAL REPUBLIC OF") come from
    the tracker's table; other names from pycountry. An unknown name raises.
    """
    key = " ".join(unicodedata.normalize("NFC", name).replace("\u2019", "'").split()).upper()
    if key in _UN_NAMES:
        return _UN_NAMES[key]
    try:
        return str(pycountry.countries.lookup(key).alpha_3)
    except LookupError:
        raise UnknownMemberError(f"unknown member name {name!r}") from None


_NAME_SEPARATORS = re.compile(r"^(?:\s|,|;|\.|\band\b|\bthe\b)*$", re.IGNORECASE)
_EDGES = re.compile(r"^(?:[\s,;.]|and\b|the\b)+|(?:[\s,;.]|\band|\bthe)+$", re.IGNORECASE)
_LAST_WORD = re.compile(r"([^\W\d_][\w'-]*)\s+$")
_LINKING_WORDS = {"and", "the"}


@cache
def _name_pattern() -> re.Pattern[str]:
    names: set[str] = set(_UN_NAMES)
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(country, attr, None)
            if value and "," not in value:
                names.add(value.upper())
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<![^\W\d_])({alternatives})(?![^\W\d_])", re.IGNORECASE)


def _inside_a_longer_name(gap: str) -> bool:
    """Whether a name found after ``gap`` continues a capitalised word: "Northern Ireland"."""
    last = _LAST_WORD.search(gap)
    return bool(last and last.group(1)[0].isupper()
                and last.group(1).lower() not in _LINKING_WORDS)


def split_member_names(text: str) -> tuple[list[str], list[str]]:
    """Split a list of official names into codes: "France, Japan, ... and United States of
    America". Return the codes in order, and any text that names no known member.

    Names match whole words, longest first, so "United Kingdom of Great Britain and
    Northern Ireland" and "Trinidad and Tobago" are one member each; a name that
    continues a capitalised word is part of a longer name, not a member ("Northern
    Ireland" in "United Kingdom and Northern Ireland" is not Ireland). The text
    between names must be separators (commas, "and", "the"), else it is returned as
    unknown.
    """
    codes: list[str] = []
    unknown: list[str] = []
    text = unicodedata.normalize("NFC", text).replace("\u2019", "'")
    pattern = _name_pattern()
    pos = 0
    match = pattern.search(text, pos)
    while match is not None:
        gap = text[pos : match.start()]
        if _inside_a_longer_name(gap):
            match = pattern.search(text, match.start() + 1)
            continue
        if not _NAME_SEPARATORS.match(gap):
            unknown.append(_EDGES.sub("", gap))
        code = code_for_name(match.group(1))
        if code not in codes:
            codes.append(code)
        pos = match.end()
        match = pattern.search(text, pos)
    rest = text[pos:]
    if not _NAME_SEPARATORS.match(rest):
        unknown.append(_EDGES.sub("", rest))
    return codes, [u for u in unknown if u]
