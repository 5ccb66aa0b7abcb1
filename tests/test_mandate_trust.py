"""Mandates: "active" needs evidence, a title is about the head of its phrase, and a
mandate "until 30 April" runs through that day.

Issue 11, classes 7 and 8 (follow-up).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import Engine, select
from sqlmodel import Session

from council.mandate_status import Event, mandate_status
from council.mandates import load_registry, parse_mandate_title
from db.models import Finding, Mandate, MandateEvent
from reports.mandates import mandate_timeline, mandates
from tests.mandate_titles import TODAY, scrape_titles, store_titles


def _events(engine: Engine, kind: str) -> set[tuple[str, str]]:
    with Session(engine) as session:
        return {(slug, ref) for slug, ref in session.execute(
            select(Mandate.slug, MandateEvent.reference)
            .join(Mandate, Mandate.id == MandateEvent.mandate_id)
            .where(MandateEvent.kind == kind))}


# --- class 8: the body a title is about is the head of its phrase -----------------------

def test_a_body_named_inside_a_complement_is_not_the_titles_subject() -> None:
    """An alias counts only where the phrase's subject is: not after "as part of",
    "of", "within", "to"; an acronym in brackets still names the words before it."""
    registry = load_registry()
    for phrase in ("the Human Rights Office as part of the UN Observer Mission in Georgia",
                   "a 3rd Trial Chamber of the International Tribunal for Yugoslavia",
                   "a rapid-reaction force within the UN Protection Force",
                   "the list of candidates nominated for judges of the International Tribunal "
                   "for Rwanda",
                   "a temporary multinational operation for humanitarian purposes in Rwanda "
                   "until the deployment of the expanded UN Assistance Mission for Rwanda",
                   "UN. Special Representative of the Secretary-General and Head of the United "
                   "Nations Assistance Mission in Afghanistan"):
        assert registry.match(phrase) is None, phrase
    for phrase, slug in (("the UN Observer Mission in Georgia", "unomig"),
                         ("the UN Operation in Bururundi (ONUB)", "onub"),
                         ("UN. Security Council Committee Established pursuant to Resolution "
                          "1718 (2006) concerning the Democratic People's Republic of Korea",
                          "1718-committee"),
                         ("the UN Stabilization Mission in Haiti (MINUSTAH) until 15 Oct. 2017 "
                          "and establishment of the UN Mission for Justice Support in Haiti "
                          "(MINUJUSTH)", "minustah")):
        assert registry.match(phrase).slug == slug, phrase  # type: ignore[union-attr]


def test_a_title_establishes_only_what_the_registry_says_it_established(engine: Engine) -> None:
    """A side phrase makes no event (an unknown_mandate finding instead); a title
    "establishing" a body the registry says another resolution established gives a
    second_establishment finding, not an event; a body with no establishing resolution in
    the registry (the Military Staff Committee) takes its establishment from the title."""
    store_titles(engine, {
        "S/RES/1077(1996)": ("1996-10-22", "Security Council resolution 1077 (1996) [on "
                             "establishment of the Human Rights Office as part of the UN "
                             "Observer Mission in Georgia]"),
        "S/RES/426(1978)": ("1978-03-19", "Security Council resolution 426 (1978) [on "
                            "establishment of the UN Interim Force in Lebanon]"),
        "S/RES/1(1946)": ("1946-01-25", "Security Council resolution 1 (1946) [on "
                          "establishment of the Military Staff Committee]")})
    assert _events(engine, "established") >= {("military-staff-committee", "S/RES/1 (1946)")}
    assert not {("unomig", "S/RES/1077 (1996)"), ("unifil", "S/RES/426 (1978)")} \
        & _events(engine, "established")
    with Session(engine) as session:
        found = {(k, r): m for k, r, m in session.execute(
            select(Finding.kind, Finding.record, Finding.message)
            .where(Finding.source == "mandates"))}
    assert ("unknown_mandate", "S/RES/1077 (1996)") in found
    assert found[("second_establishment", "S/RES/426 (1978)")].startswith(
        "S/RES/426 (1978): the title says it established unifil ('UN Interim Force in "
        "Lebanon'), which the registry says S/RES/425 (1978) established: not stored as an "
        "establishment")


def test_on_the_real_titles_every_establishment_is_the_registrys(
        shared_data: Path, engine: Engine) -> None:
    """On the Library's titles, each "established" event of a body whose registry entry
    names its establishing resolution is that resolution."""
    store_titles(engine, scrape_titles(shared_data))
    registry = {e.slug: e for e in load_registry().entries}
    extra = {(slug, ref) for slug, ref in _events(engine, "established")
             if registry[slug].established_by not in (None, ref)}
    assert extra == set()
    titled = {(slug, ref) for slug, ref in _events(engine, "established")
              if registry[slug].established_by is None}
    assert titled == {("military-staff-committee", "S/RES/1 (1946)")}


# --- class 7: "active" needs evidence; the registry gives the end of closed bodies ---------

def test_active_needs_a_known_expiry_and_the_registry_gives_closed_bodies_their_end(
        engine: Engine) -> None:
    """With no expiry read, a body must not be "active": "ended" on the registry's day
    (ONUC, 30 June 1964; ICTY, 31 Dec. 2017) or "unknown" (the 1267 Committee); a
    registry termination is dated on the day it ended (UNAMID, 31 Dec. 2020)."""
    store_titles(engine, {
        "S/RES/143(1960)": ("1960-07-14", None),
        "S/RES/2559(2020)": ("2020-12-22", "Security Council resolution 2559 (2020) [on "
                             "termination of the mandate of the AU/UN Hybrid Operation in "
                             "Darfur (UNAMID) as of 31 Dec. 2020]")})
    table = mandates(engine, as_of=TODAY).set_index("slug")
    assert table.loc["onuc", ["status", "last_action", "last_action_date"]].tolist() == [
        "ended", "ended council/data/mandates.toml", dt.date(1964, 6, 30)]
    assert table.loc["icty", "status"] == "ended"
    assert (table.loc["1267-committee", "status"], table.loc["1267-committee", "expiry"]) == (
        "unknown", None)
    assert table.loc["unamid", ["status", "last_action_date"]].tolist() == [
        "terminated", dt.date(2020, 12, 31)]
    assert mandates(engine, as_of=dt.date(2020, 12, 30)).set_index("slug").loc[
        "unamid", "status"] == "unknown"
    assert mandates(engine, as_of=dt.date(1964, 6, 29)).set_index("slug").loc[
        "onuc", "status"] == "unknown"
    assert set(mandates(engine, status="active", as_of=TODAY)["slug"]) == set()
    end = mandate_timeline(engine, "onuc", as_of=TODAY)["timeline"].iloc[-1]
    assert (end["event"], end["date"], end["source_url"]) == (
        "ended", dt.date(1964, 6, 30), "tracker:mandates")
    assert "from the public record of closed bodies" in end["note"]


def test_a_final_extension_ends_the_mandate_even_without_a_readable_expiry(
        engine: Engine) -> None:
    """MINUSTAH's final extension, 2350 (2017), is printed "until 15 Oct. 2017 and [...]":
    the date before the cut is kept, and the mandate is terminated on it. UNAMSIL's final
    extension, 1610 (2005), has no title to read: terminated on the registry's day."""
    store_titles(engine, {
        "S/RES/2350(2017)": ("2017-04-13", "Security Council resolution 2350 (2017) [on final "
                             "extension of the mandate of the UN Stabilization Mission in "
                             "Haiti (MINUSTAH) until 15 Oct. 2017 and [...]"),
        "S/RES/1610(2005)": ("2005-06-30", None)})
    parsed = parse_mandate_title("Security Council resolution 2350 (2017) [on final extension "
                                 "of the mandate of the UN Stabilization Mission in Haiti "
                                 "(MINUSTAH) until 15 Oct. 2017 and [...]")
    assert parsed is not None and (parsed.until, parsed.cut, parsed.final) == (
        dt.date(2017, 10, 15), True, True)
    cut_in_date = parse_mandate_title("Security Council resolution 2602 (2021) [on extension "
                                      "of the mandate of the UN Mission for the Referendum in "
                                      "Western Sahara (MINURSO) until 31 Oct. 2021[...]")
    assert cut_in_date is not None and cut_in_date.until is None  # not followed by a word
    table = mandates(engine, as_of=TODAY).set_index("slug")
    assert table.loc["minustah", ["status", "expiry"]].tolist() == [
        "terminated", dt.date(2017, 10, 15)]
    assert mandates(engine, as_of=dt.date(2017, 10, 15)).set_index("slug").loc[
        "minustah", "status"] == "active"
    assert table.loc["unamsil", ["status", "last_action", "last_action_date"]].tolist() == [
        "terminated", "terminated S/RES/1610 (2005)", dt.date(2005, 12, 31)]


def test_on_the_real_titles_no_closed_body_is_active(shared_data: Path, engine: Engine) -> None:
    """The Library's titles to 2021: as of 31 Dec. 2022 every "active" mandate has a known
    expiry on or after that day, or is one the registry says has no time limit (and then
    no expiry); the closed bodies named in the review are not active."""
    from council.mandates import load_registry

    open_ended = {e.slug for e in load_registry().entries if e.open_ended}
    store_titles(engine, scrape_titles(shared_data))
    table = mandates(engine, as_of=TODAY).set_index("slug")
    active = table[table["status"] == "active"]
    assert all((slug in open_ended and e is None) or (e is not None and e >= TODAY)
               for slug, e in active["expiry"].items())
    # The standing bodies established by then: UNTSO, UNMOGIP, the standing committees.
    assert {"untso", "unmogip", "1267-committee", "1718-committee",
            "counter-terrorism-committee"} <= set(active.index)
    closed = ["onuc", "unef-ii", "unprofor", "unomig", "untac", "icty", "isaf", "unscom",
              "661-committee", "253-committee", "minustah", "unamsil", "minurcat", "unipsil",
              "unmibh"]
    assert not set(closed) & set(active.index)
    assert table.loc[["minustah", "unamsil", "minurcat", "unipsil", "unmibh"],
                     "status"].tolist() == ["terminated"] * 5
    assert table.loc[["onuc", "unef-ii", "icty", "isaf", "unscom"], "status"].tolist() == [
        "ended", "ended", "ended", "ended", "terminated"]


# --- class 3 (convention): a mandate "until 30 April" runs through 30 April ---------------

def test_a_mandate_runs_through_its_expiry_day() -> None:
    """Renewed until 30 April 2024 with a failed renewal: active on 30 April, lapsed from
    1 May (the lapse dated 30 April)."""
    extended = Event("dprk-panel-of-experts", "extended", dt.date(2023, 3, 23),
                     "S/RES/2680 (2023)", new_expiry=dt.date(2024, 4, 30))
    failed = Event("dprk-panel-of-experts", "renewal_failed", dt.date(2024, 3, 28), "S/2024/255")
    assert mandate_status([extended, failed], dt.date(2024, 4, 30))[:2] == (
        "active", dt.date(2024, 4, 30))
    status, expiry, end = mandate_status([extended, failed], dt.date(2024, 5, 1))
    assert (status, expiry) == ("lapsed", dt.date(2024, 4, 30))
    assert end is not None and end.date == dt.date(2024, 4, 30)


def test_a_body_with_no_time_limit_is_active_from_its_establishment_until_ended() -> None:
    """An open-ended body (the registry's word, UNTSO) has no expiry to read: it must be
    active from its establishment, not before, and not after a decision ends it."""
    established = Event("untso", "established", dt.date(1948, 5, 29), "S/RES/50 (1948)")
    assert mandate_status([established], dt.date(1948, 5, 28), open_ended=True)[0] == "unknown"
    assert mandate_status([established], dt.date(2022, 12, 31), open_ended=True) == (
        "active", None, None)
    assert mandate_status([established], dt.date(2022, 12, 31))[0] == "unknown"
    ended = Event("untso", "terminated", dt.date(2030, 1, 1), "S/RES/9999 (2029)")
    assert mandate_status([established, ended], dt.date(2030, 1, 2),
                          open_ended=True)[0] == "terminated"
