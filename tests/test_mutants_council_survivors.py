"""Tests that kill the council mutants left alive by the run of 2026-11-30 (issue 18).

Each asserts the exact value a user sees: what a title says was decided (its action, body,
date and flags), which registry body a name refers to, a mandate's status and the note or
finding that explains it, the reason a roll call was not derived. Real titles of
../shared/data where they show the case; small fixtures of the same shape otherwise.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from council.mandate_status import Decision, Event, FailedDraft, derive, mandate_status
from council.mandates import TitleAction, parse_mandate_title, parse_registry
from council.records import Finding, Severity, Tally
from council.roll_calls import Membership, Underived, derive_roll_call

SCRAPE = Path("undl_scrape_un_data") / "un_data_security_council_rows.csv"


def scraped_titles(shared_data: Path, *symbols: str) -> dict[str, str]:
    """The titles the scrape saved for some resolutions, by the symbol it gives them."""
    with (shared_data / SCRAPE).open(encoding="utf-8-sig") as handle:
        titles = {row["Resolution"]: row["Title"] for row in csv.DictReader(handle)}
    return {symbol: titles[symbol] for symbol in symbols}


# --- parse_mandate_title: cut titles, bodies ended without "mandate", unreadable dates ------

def test_a_cut_title_must_be_read_as_cut_with_its_broken_date_left_out(
        shared_data: Path) -> None:
    """A title cut in its date ("until 30 Apr. 20[...]") must give the body without the
    broken date and no expiry; one cut after a whole date keeps that date; a cut title
    followed by white space (a line end in a record) is still cut."""
    titles = scraped_titles(shared_data, "S/RES/1979(2011)", "S/RES/1978(2011)")
    assert titles["S/RES/1979(2011)"].endswith("until 30 Apr. 20[...]")
    minurso = TitleAction("extended", "the UN Mission for the Referendum in Western Sahara "
                          "(MINURSO)", None, cut=True)
    assert parse_mandate_title(titles["S/RES/1979(2011)"]) == minurso
    assert parse_mandate_title(titles["S/RES/1979(2011)"] + " \n") == minurso
    assert parse_mandate_title(titles["S/RES/1978(2011)"]) == TitleAction(
        "extended", "the UN Mission in Sudan (UNMIS)", dt.date(2011, 7, 9), cut=True)


def test_a_cut_title_must_take_a_whole_date_before_the_cut_only_for_an_extension() -> None:
    """Only an extension's "until DATE" is a new expiry: a modification's is dropped with
    the rest of the cut title."""
    title = ("Security Council resolution 2333 (2016) [on modification of the mandate of the "
             "UN Mission in Liberia (UNMIL) until 31 Mar. 2018 and on the transfer of [...]")
    assert parse_mandate_title(title) == TitleAction(
        "modified", "the UN Mission in Liberia (UNMIL)", None, cut=True)


def test_a_body_ended_without_the_word_mandate_must_be_a_termination_of_a_known_body(
        shared_data: Path) -> None:
    """"[on termination of the UN Aouzou Strip Observer Group]" (no "mandate of") must be
    the action "terminated", counted only for a body the registry knows, and cut when the
    title was cut."""
    titles = scraped_titles(shared_data, "S/RES/926(1994)", "S/RES/930(1994)")
    assert parse_mandate_title(titles["S/RES/926(1994)"]) == TitleAction(
        "terminated", "UN Aouzou Strip Observer Group", None, cut=False, known_body_only=True)
    assert parse_mandate_title(titles["S/RES/930(1994)"]) == TitleAction(
        "terminated", 'UN Observer Mission in South Africa and removal of the item "The '
        'question of South Afric', None, cut=True, known_body_only=True)


def test_a_final_extension_with_an_unreadable_date_must_stay_final() -> None:
    """"for a final period until 31 June 2005" (no such day): the date is noted as
    unreadable, and the extension is still the final one."""
    title = ("Security Council resolution 1610 (2005) [on extension of the mandate of the UN "
             "Mission in Sierra Leone for a final period until 31 June 2005]")
    assert parse_mandate_title(title) == TitleAction(
        "extended", "the UN Mission in Sierra Leone for a final period", None,
        note="unreadable date '31 June 2005'", final=True)


def test_a_bodys_name_must_lose_a_closing_full_stop() -> None:
    title = "Security Council resolution 1509 (2003) [on establishment of the UN Mission in " \
            "Liberia.]"
    assert parse_mandate_title(title) == TitleAction(
        "established", "the UN Mission in Liberia")


# --- Registry.match: the alias must be the phrase's subject ---------------------------------

REGISTRY = """
[[mandate]]
slug = "unmis"
name = "UN Mission in the Sudan"
kind = "peacekeeping_operation"
aliases = ["UNMIS"]

[[mandate]]
slug = "untso"
name = "UN Truce Supervision Organization"
kind = "peacekeeping_operation"
aliases = ["UNTSO"]
"""


@pytest.mark.parametrize(("text", "slug"), [
    # a complement before the alias: a part of the body, or another body
    ("Electoral Unit in the UN Mission in the Sudan", None),
    # the alias inside a bracket, but not right after it: not the bracket's acronym
    ("Trust Fund in Khartoum (serving UNMIS)", None),
    # the bracket names the body: its "UN" and the words "mandate of" dropped, its own
    # comma and "United Nations" dropped, the bracket still names it
    ("Military Observers in Jerusalem (UN Truce Supervision Organization)", "untso"),
    ("Military Observers in Jerusalem (mandate of UNTSO)", "untso"),
    ("Military Observers in Jerusalem (UNTSO, United Nations)", "untso"),
    ("Military Observers in Jerusalem (UNTSO)", "untso"),
])
def test_an_alias_must_count_only_as_the_subject_or_the_acronym_of_the_phrase(
        text: str, slug: str | None) -> None:
    entry = parse_registry(REGISTRY).match(text)
    assert (entry.slug if entry else None) == slug


def test_an_alias_that_names_nothing_must_match_nothing() -> None:
    """An alias that is only words every name drops ("UN") must not match every body."""
    registry = parse_registry(REGISTRY + '\n[[mandate]]\nslug = "un"\nname = "United Nations"\n'
                              'kind = "committee"\naliases = ["UN"]\n')
    assert registry.match("Panel of Experts on Libya") is None
    assert registry.match("Sanctions Committee (Libya)") is None
    unmis = registry.match("UNMIS")
    assert unmis is not None and unmis.slug == "unmis"


# --- mandate_status and its finding ---------------------------------------------------------

EXTENDED = Event("x", "extended", dt.date(2020, 1, 10), "S/RES/2500 (2020)",
                 new_expiry=dt.date(2020, 12, 31))


def test_a_lapse_must_name_the_latest_failed_renewal_whatever_the_order_given() -> None:
    later = Event("x", "renewal_failed", dt.date(2020, 12, 22), "S/2020/1300")
    earlier = Event("x", "renewal_failed", dt.date(2020, 12, 20), "S/2020/1290")
    assert mandate_status([EXTENDED, later, earlier], dt.date(2021, 1, 5)) == (
        "lapsed", dt.date(2020, 12, 31), Event(
            "x", "lapsed", dt.date(2020, 12, 31), "expiry 2020-12-31",
            note="the renewal S/2020/1300 failed on 2020-12-22; no extension was adopted by "
                 "the expiry date"))


def test_a_failed_renewal_must_count_from_the_last_extension_not_the_last_event() -> None:
    """A draft on the body voted after the failed renewal (not a renewal itself) must not
    hide the failed renewal: the lapse counts from the last extension."""
    failed = Event("x", "renewal_failed", dt.date(2020, 12, 20), "S/2020/1290")
    related = Event("x", "related_failed_draft", dt.date(2020, 12, 28), "S/2020/1310")
    assert mandate_status([EXTENDED, failed, related], dt.date(2021, 1, 5)) == (
        "lapsed", dt.date(2020, 12, 31), Event(
            "x", "lapsed", dt.date(2020, 12, 31), "expiry 2020-12-31",
            note="the renewal S/2020/1290 failed on 2020-12-20; no extension was adopted by "
                 "the expiry date"))


EXTENSION = ("Security Council resolution {} [on extension of the mandate of the UN Mission in "
             "the Sudan (UNMIS) until {}]")


def test_an_expired_mandates_finding_must_name_the_last_extension_that_set_its_expiry() -> None:
    """As of a day before a later extension whose title was cut (no expiry read), the
    finding names the extension that set the expiry that passed, not the later one."""
    decisions = [
        Decision(1, "S/RES/1870 (2009)", EXTENSION.format("1870 (2009)", "30 Apr. 2010"),
                 dt.date(2009, 4, 30)),
        Decision(2, "S/RES/1919 (2010)", EXTENSION.format("1919 (2010)", "30 Apr. 20[...]"),
                 dt.date(2010, 5, 20)),
    ]
    derived = derive(parse_registry(REGISTRY), decisions=decisions, failed_drafts=[],
                     today=dt.date(2010, 5, 10))
    assert [(m.entry.slug, m.status, m.expiry) for m in derived.mandates] == [
        ("unmis", "expired", dt.date(2010, 4, 30)), ("untso", "unknown", None)]
    assert [f for f in derived.findings if f.kind == "no_renewal_found"] == [Finding(
        "mandates", "unmis", "no_renewal_found", Severity.WARNING,
        "unmis: the last extension read, S/RES/1870 (2009) of 2009-04-30, ran it until "
        "2010-04-30; no later renewal, termination or failed renewal was found in the "
        "sources. Status 'expired', not 'lapsed': a lapse needs evidence (a failed renewal "
        "vote, a termination, or a source that says so)")]


# --- derive_roll_call: a membership given as complete that is not ---------------------------

def test_a_membership_short_of_the_councils_seats_must_derive_nothing_and_say_why() -> None:
    """A membership given as complete but naming 14 seats for the 15 of 2024: the members
    left over are fewer than the count in favour, and the reason says so."""
    codes = ("ALB", "BRA", "CHN", "ECU", "FRA", "GAB", "GHA", "JPN", "MLT", "MOZ", "RUS",
             "CHE", "ARE", "USA")
    membership = Membership(2024, {c: frozenset({c}) for c in codes}, 1, True)
    assert derive_roll_call(Tally(14, 1, 0), {"N": ["USA"]}, membership) == Underived(
        "13 members are left for the 14 in favour")


def test_a_draft_that_failed_on_the_day_an_extension_was_adopted_renewed_nothing_away() -> None:
    """The rule for the same day (the lead's decision on x_derive__mutmut_266): the mandate
    was renewed that day, so the draft that failed beside the extension is a related failed
    draft, not a failed renewal; a draft that failed the day after the extension's expiry
    was set, with no later extension, is one."""
    decisions = [Decision(1, "S/RES/1870 (2009)", EXTENSION.format("1870 (2009)",
                                                                   "30 Apr. 2010"),
                          dt.date(2009, 4, 30))]
    def kinds(voted: dt.date) -> list[tuple[str, dt.date | None]]:
        draft = FailedDraft(9, "S/2009/9", None, "UNMIS", None, 90, voted)
        derived = derive(parse_registry(REGISTRY), decisions=decisions,
                         failed_drafts=[draft], today=dt.date(2010, 5, 10))
        unmis = next(m for m in derived.mandates if m.entry.slug == "unmis")
        return [(e.kind, e.date) for e in derived.events["unmis"]
                if e.reference == "S/2009/9"] + [(unmis.status, unmis.expiry)]
    assert kinds(dt.date(2009, 4, 30)) == [("related_failed_draft", dt.date(2009, 4, 30)),
                                           ("expired", dt.date(2010, 4, 30))]
    assert kinds(dt.date(2009, 5, 1)) == [("renewal_failed", dt.date(2009, 5, 1)),
                                          ("lapsed", dt.date(2010, 4, 30))]
