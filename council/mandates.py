"""Mandates: the registry of bodies the Council created and renews, and the titles that
tell of their establishment, extension and termination.

Pure functions. The Digital Library's titles carry the decision:
"Security Council resolution 2680 (2023) [on extension of the mandate of the
Panel of Experts established pursuant to resolution 1874 (2009) until 30 Apr.
2024]". Some saved titles were cut short by the scrape that saved them
("... until 31 Oct. 20[...]"): a cut title is reported, never completed by guess.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from council.dates import parse_day_month_year
from council.errors import TrackerError
from council.symbols import normalise_resolution_symbol

KINDS = ("peacekeeping_operation", "special_political_mission", "sanctions_regime",
         "sanctions_committee", "panel_of_experts", "monitoring_team", "executive_directorate",
         "committee", "commission", "tribunal", "authorized_force")


class RegistryError(TrackerError, ValueError):
    """The registry file has an entry the tracker cannot use."""


@dataclass(frozen=True)
class MandateEntry:
    slug: str
    name: str
    kind: str
    established_by: str | None
    aliases: tuple[str, ...]
    terminated_by: str | None = None
    parent: str | None = None
    final_extension: str | None = None  # the resolution that extended it "for a final period"
    ended: dt.date | None = None  # the day it ended, as the public record the registry cites
    # Established with no time limit (UNTSO, the sanctions committees): active from its
    # establishment until a decision ends it, as the public record the registry cites.
    open_ended: bool = False


@dataclass(frozen=True)
class TitleAction:
    """What a title says was decided about a body."""

    action: str  # established | extended | modified | terminated
    body: str  # the body's name as the title gives it
    until: dt.date | None = None  # the new expiry, for an extension
    cut: bool = False  # the title was cut short: the body or the date may be incomplete
    note: str | None = None
    known_body_only: bool = False  # counts only when the body is one the registry knows
    final: bool = False  # an extension "for a final period": the mandate ends at its expiry


@dataclass
class Registry:
    entries: list[MandateEntry]
    _aliases: list[tuple[str, MandateEntry]] = field(default_factory=list)
    # What each name matched: titles repeat a body's name across renewals, and a match is
    # a pure function of the name and the entries.
    _matched: dict[str, MandateEntry | None] = field(default_factory=dict, repr=False,
                                                     compare=False)

    def __post_init__(self) -> None:
        pairs = []
        for entry in self.entries:
            for alias in (*entry.aliases, entry.name):
                pairs.append((normalise_body(alias), entry))
        self._aliases = sorted(pairs, key=lambda p: len(p[0]), reverse=True)

    def match(self, text: str) -> MandateEntry | None:
        """Return the mandate a body's name refers to, or None.

        The body is the head of the phrase: an alias counts only where the phrase's
        subject is, not inside a complement ("the Human Rights Office as part of the UN
        Observer Mission in Georgia", "a 3rd Trial Chamber of the International
        Tribunal", "a rapid-reaction force within the UN Protection Force"). Longer
        aliases are tried first.
        """
        if text in self._matched:
            return self._matched[text]
        entry = self._match(text)
        self._matched[text] = entry
        return entry

    def _match(self, text: str) -> MandateEntry | None:
        body = normalise_body(text)
        for alias, entry in self._aliases:
            # The substring test first: most aliases are absent, and it is cheap.
            if not alias or alias not in body:
                continue
            for found in re.finditer(rf"(?<![a-z0-9]){re.escape(alias)}(?![a-z0-9])", body):
                if _is_head(body, found.start(), found.end()):
                    return entry
        return None

    def by_slug(self, slug: str) -> MandateEntry | None:
        return next((e for e in self.entries if e.slug == slug), None)


# Words that open a complement: an alias after one of them is not the phrase's subject.
_COMPLEMENT = re.compile(r"\b(?:of|to|for|within|in|on|by|with|into|under|at|from|except|"
                         r"between|as|towards|including|concerning|until|till)\b")
# An acronym in brackets names the words before it, which may hold "in" or "at"
# ("Operation in Bururundi (ONUB)"), but not a complement that makes it another body's.
_COMPLEMENT_BEFORE_ACRONYM = re.compile(
    r"\b(?:of|to|for|within|on|by|with|into|under|except|as|towards|until|till)\b")
# Words that name the body itself: "the mandate of X", "dissolution of X".
_SAME_BODY = re.compile(r"\b(?:mandates?|dissolution|office) of\b")


def _is_head(body: str, start: int, end: int) -> bool:
    """Return whether the alias at body[start:end] is where the phrase's subject is."""
    before = _SAME_BODY.sub(" ", body[:start])
    if not _COMPLEMENT.search(before):
        return True
    bracketed = before.rstrip().endswith("(") and body[end:].lstrip().startswith(")")
    return (bracketed and before.count("(") == 1
            and not _COMPLEMENT_BEFORE_ACRONYM.search(before))


def fold(text: str) -> str:
    """Return the text in Unicode NFC, then with its accents dropped ("Côte" -> "Cote").

    The sources write the same letter precomposed ("ô", U+00F4) or decomposed ("o" and
    U+0302): both must give one name and one slug.
    """
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFC", text))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalise_body(text: str) -> str:
    """Reduce a body's name to what identifies it.

    Accents dropped, lower case; no "the", no "UN."/"United Nations"; "Security
    Council Resolution 1874 (2009)" and "resolution 1874" become "resolution 1874".
    """
    text = fold(text).lower().replace("\u2019", "'")
    text = re.sub(r"\bun\.\s*", " ", text)
    text = re.sub(r"\b(?:united nations|un)\b", " ", text)
    text = re.sub(r"\bsecurity council\s+(?=resolution)", "", text)
    text = re.sub(r"(resolutions?\s+\d+)\s*\(\s*\d{4}\s*\)", r"\1", text)
    text = re.sub(r"\bthe\b", " ", text)
    text = re.sub(r"[^a-z0-9'()/-]+", " ", text)
    return " ".join(text.split())


_DATED_CLAUSE = re.compile(
    r"\s+(?:till|until|up to|through|to|as of|on|by|for (?:a|an|the) (?:further |final |"
    r"additional )?period)\b.*?\d{4}.*$", re.IGNORECASE | re.S)
_TRAILING_CLAUSE = re.compile(r"(?:,|\s+and\s+(?:on|of|the|its|to)\b|\s+following\b).*$",
                              re.IGNORECASE | re.S)


def body_name(text: str) -> str:
    """Return the name of the body a title's phrase gives, without its dates and clauses.

    "a UN Observer Mission in Georgia till 15 April 2007" -> "UN Observer Mission in
    Georgia"; "the UN Observer Mission in Liberia and on the peace process" -> "UN
    Observer Mission in Liberia".
    """
    text = " ".join(unicodedata.normalize("NFC", text).split())
    text = _DATED_CLAUSE.sub("", text)
    text = _TRAILING_CLAUSE.sub("", text)
    text = re.sub(r"^(?:an?|the)\s+", "", text, flags=re.IGNORECASE)
    return text.strip(" ,.;")


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", normalise_body(text)).strip("-")[:80] or "mandate"


@cache
def load_registry() -> Registry:
    """Load the registry of known mandates shipped with the tracker."""
    raw = resources.files("council").joinpath("data/mandates.toml").read_text(encoding="utf-8")
    return parse_registry(raw)


def parse_registry(text: str) -> Registry:
    """Read a registry (TOML); fail loudly on an entry it cannot use."""
    data = tomllib.loads(text)
    entries: list[MandateEntry] = []
    seen: set[str] = set()
    for item in data.get("mandate", []):
        slug = item.get("slug", "")
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug) or slug in seen:
            raise RegistryError(f"mandate slug {slug!r} is missing, malformed or repeated")
        seen.add(slug)
        if item.get("kind") not in KINDS:
            raise RegistryError(f"{slug}: unknown kind {item.get('kind')!r}")
        established = item.get("established_by")
        terminated = item.get("terminated_by")
        ended = item.get("ended")
        if ended is not None and not (isinstance(ended, dt.date)
                                      and not isinstance(ended, dt.datetime)):
            raise RegistryError(f"{slug}: ended must be a date (ended = 2002-12-31), "
                                f"not {ended!r}")
        entries.append(MandateEntry(
            slug=slug, name=item["name"], kind=item["kind"],
            established_by=normalise_resolution_symbol(established) if established else None,
            aliases=tuple(item.get("aliases", ())),
            terminated_by=normalise_resolution_symbol(terminated) if terminated else None,
            parent=item.get("parent"),
            final_extension=(normalise_resolution_symbol(item["final_extension"])
                             if item.get("final_extension") else None),
            ended=ended, open_ended=item.get("open_ended", False) is True))
    for entry in entries:
        if entry.parent and entry.parent not in seen:
            raise RegistryError(f"{entry.slug}: unknown parent {entry.parent!r}")
    return Registry(entries)


_BRACKET = re.compile(r"\[(?P<inside>.*?)(?:\]|\[\.\.\.\]\s*$|$)", re.S)
_EXTENSION = re.compile(
    r"^on (?:the )?(?:final )?(?:exten[st]ion|renewal)(?: for [^,]*?)? of (?:the )?mandates? of "
    r"(?P<body>.+?)"
    r"(?: (?:until|till) (?P<until>\d{1,2} \w+\.? \d{4}))?(?:,.*)?$", re.IGNORECASE | re.S)
_ESTABLISHMENT = re.compile(r"^on (?:the )?establishment(?: and deployment)? of (?P<body>.+)$",
                            re.IGNORECASE | re.S)
_MODIFICATION = re.compile(
    r"^on (?:the )?(?:modification|adjustment|expansion|strengthening|reconfiguration) of "
    r"(?:the )?mandate of (?P<body>.+)$", re.IGNORECASE | re.S)
_TERMINATION = re.compile(
    r"^on (?:the )?termination of (?:the )?mandate of (?P<body>.+?)"
    r"(?: (?:as of|on|by) (?P<until>\d{1,2} \w+\.? \d{4}))?$", re.IGNORECASE | re.S)
# "[on termination of the UN Aouzou Strip Observer Group]", "[on expiration of the mandate
# and the technical liquidation of the UN Observer Mission in Angola (MONUA)]": these also
# name sanctions and embargoes, so they count only for a body the registry knows.
_END_OF_BODY = re.compile(
    r"^on (?:the )?(?:termination|expiration of the mandate)\b(?: and [^,]*?)? of (?:the )?"
    r"(?P<body>.+)$", re.IGNORECASE | re.S)


# A date followed by more words, so the cut came after it: "until 15 Oct. 2017 and".
_WHOLE_DATE_BEFORE_CUT = re.compile(
    r"\b(?:until|till) (?P<until>\d{1,2} \w+\.? \d{4})(?=[\s,;])", re.IGNORECASE)
_FINAL = re.compile(r"\bfinal (?:period|extension)\b", re.IGNORECASE)


def parse_mandate_title(title: str) -> TitleAction | None:
    """Return what a resolution's (or draft's) title says about a mandate, or None.

    A title cut short ("[...]") yields an action with ``cut=True``: its body may be
    incomplete and its date is never guessed.
    """
    match = _BRACKET.search(title)
    if match is None:
        return None
    inside = " ".join(match.group("inside").split())
    cut = title.rstrip().endswith("[...]")
    for action, pattern in (("extended", _EXTENSION), ("terminated", _TERMINATION),
                            ("terminated", _END_OF_BODY),
                            ("modified", _MODIFICATION), ("established", _ESTABLISHMENT)):
        found = pattern.match(inside)
        if not found:
            continue
        body = found.group("body").strip(" ,.")
        if pattern is _END_OF_BODY:
            return TitleAction(action, body, None, cut=cut, known_body_only=True)
        until_text = found.groupdict().get("until")
        until = parse_day_month_year(until_text) if until_text else None
        final = action == "extended" and bool(_FINAL.search(inside))
        if cut:
            # The date (and perhaps the body's name) may be lost with the cut; a date
            # printed whole before it ("until 15 Oct. 2017 and [...]") is kept.
            whole = _WHOLE_DATE_BEFORE_CUT.search(inside) if action == "extended" else None
            body = re.sub(r"\s+(?:until|till|as of)\b.*$", "", body)
            return TitleAction(action, body, parse_day_month_year(whole.group("until"))
                               if whole else None, cut=True, final=final)
        if action == "extended" and until_text and until is None:
            return TitleAction(action, body, None, note=f"unreadable date {until_text!r}",
                               final=final)
        return TitleAction(action, body, until, final=final)
    return None
