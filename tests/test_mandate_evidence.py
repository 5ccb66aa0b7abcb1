"""Mandates: a lapse needs evidence, a mandate is a body (not a phrase), one slug per name.

Issue 11, classes 7 and 8 (and the slug part of class 3).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

from sqlalchemy import Engine, select
from sqlmodel import Session

from council.mandate_status import Event, mandate_status
from council.mandates import body_name, load_registry, parse_mandate_title, slugify
from db.models import Finding, Mandate, MandateEvent
from reports.mandates import mandate_timeline, mandates
from tests.mandate_titles import TODAY, scrape_titles, store_titles

# --- class 7: "lapsed" needs evidence ---------------------------------------------------

def test_an_expiry_passed_without_a_failed_renewal_is_expired_not_lapsed() -> None:
    """A passed expiry with no renewal read must be "expired"; only a failed renewal
    vote before it makes the mandate "lapsed"."""
    extended = Event("x", "extended", dt.date(2021, 8, 30), "S/RES/2591 (2021)",
                     new_expiry=dt.date(2022, 8, 31))
    status, expiry, end = mandate_status([extended], TODAY)
    assert (status, expiry) == ("expired", dt.date(2022, 8, 31))
    assert end is not None and (end.kind, end.date) == ("expired", dt.date(2022, 8, 31))
    failed = Event("x", "renewal_failed", dt.date(2022, 8, 30), "S/2022/999")
    status, expiry, end = mandate_status([extended, failed], TODAY)
    assert (status, expiry) == ("lapsed", dt.date(2022, 8, 31))
    assert end is not None and "S/2022/999 failed on 2022-08-30" in (end.note or "")
    # A failed draft before the last extension is no evidence of a lapse.
    early = Event("x", "renewal_failed", dt.date(2021, 8, 1), "S/2021/1")
    assert mandate_status([early, extended], TODAY)[0] == "expired"


def test_an_expired_mandate_gets_a_finding_that_says_what_is_known(engine: Engine) -> None:
    """UNIFIL renewed by 2591 (2021) to 31 Aug. 2022, then a 2022 resolution with no
    title: "expired" with a no_renewal_found finding naming the untitled resolution."""
    store_titles(engine, {
        "S/RES/2591(2021)": ("2021-08-30", "Security Council resolution 2591 (2021) [on "
                             "extension of the mandate of the UN Interim Force in Lebanon "
                             "(UNIFIL) until 31 Aug. 2022]"),
        "S/RES/2650(2022)": ("2022-08-31", None)})
    row = mandates(engine, as_of=TODAY).set_index("slug").loc["unifil"]
    assert (row["status"], row["expiry"]) == ("expired", dt.date(2022, 8, 31))
    assert row["last_action"] == "expired expiry 2022-08-31"
    assert mandates(engine, status="lapsed", as_of=TODAY).empty
    with Session(engine) as session:
        found = session.execute(select(Finding.record, Finding.severity, Finding.message)
                                .where(Finding.kind == "no_renewal_found")).all()
        stored = session.execute(select(Mandate.status).where(Mandate.slug == "unifil")
                                 ).scalar_one()
    assert stored == "expired"
    assert [(r, s) for r, s, _ in found] == [("unifil", "warning")]
    assert found[0][2] == (
        "unifil: the last extension read, S/RES/2591 (2021) of 2021-08-30, ran it until "
        "2022-08-31; no later renewal, termination or failed renewal was found in the "
        "sources; 1 resolution(s) adopted since 2021-08-30 have no title to read, so a "
        "renewal may be among them. Status 'expired', not 'lapsed': a lapse needs evidence "
        "(a failed renewal vote, a termination, or a source that says so)")
    timeline = mandate_timeline(engine, "unifil", as_of=TODAY)["timeline"]
    assert list(timeline["event"])[-1] == "expired"


def test_a_final_extension_ends_the_mandate_by_that_decision(engine: Engine) -> None:
    """An extension "for a final period" (the registry's final_extension) is a decision:
    the mandate is terminated on the expiry it set, active before it."""
    store_titles(engine, {"S/RES/2333(2016)": (
        "2016-12-23", "Security Council resolution 2333 (2016) [on extension of the mandate of "
        "the UN Mission in Liberia (UNMIL) until 30 Mar. 2018]")})
    table = mandates(engine, as_of=TODAY).set_index("slug")
    assert (table.loc["unmil", "status"], table.loc["unmil", "expiry"]) == (
        "terminated", dt.date(2018, 3, 30))
    assert mandates(engine, as_of=dt.date(2018, 3, 1)).set_index("slug").loc[
        "unmil", "status"] == "active"
    ended = mandate_timeline(engine, "unmil", as_of=TODAY)["timeline"].iloc[-1]
    assert (ended["event"], ended["date"], ended["reference"]) == (
        "terminated", dt.date(2018, 3, 30), "S/RES/2333 (2016)")


def test_no_mandate_lapses_without_evidence_on_the_real_titles(
        shared_data: Path, engine: Engine) -> None:
    """The Library's titles to 2021 (no failed draft stored): nothing may be "lapsed";
    the mandates renewed in 2022 by untitled resolutions are "expired" with a finding."""
    store_titles(engine, scrape_titles(shared_data))
    table = mandates(engine, as_of=TODAY).set_index("slug")
    assert mandates(engine, status="lapsed", as_of=TODAY).empty
    expired = set(table.index[table["status"] == "expired"])
    assert {"unifil", "unmiss", "unficyp", "unama", "undof", "unisfa"} <= expired
    with Session(engine) as session:
        flagged = set(session.execute(select(Finding.record).where(
            Finding.kind == "no_renewal_found")).scalars())
    assert flagged == expired
    for slug in ("unmil", "unoci", "minujusth", "bnub", "unamid", "unmee", "onusal"):
        assert table.loc[slug, "status"] == "terminated", slug


# --- class 8: a mandate is a body, not a phrase -----------------------------------------

def test_a_title_phrase_never_becomes_a_mandate(engine: Engine) -> None:
    """Dates and clauses are stripped and the registry matched; a body it does not know
    gives an unknown_mandate finding, never a mandate with a slug made of the phrase."""
    store_titles(engine, {
        "S/RES/1716(2006)": ("2006-10-13", "Security Council resolution 1716 (2006) [on "
                             "extension of the mandate of the UN Observer Mission in Georgia "
                             "till 15 April 2007]"),
        "S/RES/421(1977)": ("1977-12-09", "Security Council resolution 421 (1977) [on "
                            "establishment of a Security Council Committee concerning the "
                            "question of South Africa]"),
        "S/RES/2042(2012)": ("2012-04-14", "Security Council resolution 2042 (2012) [on "
                             "establishment of an advance team of military observers in the "
                             "Syrian Arab Republic till 21 Apr. 2012]")})
    with Session(engine) as session:
        slugs = set(session.execute(select(Mandate.slug)).scalars())
        events = {(m, k, r): e for m, k, r, e in session.execute(
            select(Mandate.slug, MandateEvent.kind, MandateEvent.reference,
                   MandateEvent.new_expiry).join(Mandate, Mandate.id == MandateEvent.mandate_id))}
        unknown = session.execute(select(Finding.record, Finding.message).where(
            Finding.kind == "unknown_mandate")).all()
    assert slugs == {e.slug for e in load_registry().entries}
    assert events[("unomig", "extended", "S/RES/1716 (2006)")] == dt.date(2007, 4, 15)
    assert ("421-committee", "established", "S/RES/421 (1977)") in events
    assert [r for r, _ in unknown] == ["S/RES/2042 (2012)"]
    assert "'advance team of military observers in the Syrian Arab Republic'" in unknown[0][1]
    assert "no mandate recorded" in unknown[0][1]


def test_the_real_titles_make_no_mandate_outside_the_registry(
        shared_data: Path, engine: Engine) -> None:
    """On the whole Library history, UNOMIG is one mandate and every mandate a body the
    registry names (the closed missions included)."""
    store_titles(engine, scrape_titles(shared_data))
    with Session(engine) as session:
        slugs = set(session.execute(select(Mandate.slug)).scalars())
        unomig = session.execute(select(MandateEvent.reference).join(
            Mandate, Mandate.id == MandateEvent.mandate_id).where(
            Mandate.slug == "unomig", MandateEvent.kind == "extended")).scalars().all()
    assert slugs == {e.slug for e in load_registry().entries}
    assert not slugs & {"observer-mission-in-georgia-till-15-april-2007",
                        "operation-in-c-te-d-ivoire-unoci", "operation-in-co-te-d-ivoire-unoci"}
    assert len(unomig) == 27 and "S/RES/1716 (2006)" in unomig


def test_body_name_strips_dates_and_clauses() -> None:
    assert body_name("a UN Observer Mission in Georgia till 15 April 2007") == \
        "UN Observer Mission in Georgia"
    assert body_name("the UN Observer Mission in Liberia and on the peace process in "
                     "Liberia") == "UN Observer Mission in Liberia"
    parsed = parse_mandate_title("Security Council resolution 1716 (2006) [on extension of the "
                                 "mandate of the UN Observer Mission in Georgia till 15 April "
                                 "2007]")
    assert parsed is not None and parsed.until == dt.date(2007, 4, 15)


# --- class 3 (slugs): one name in any Unicode form gives one slug -----------------------

def test_one_slug_for_any_unicode_form_of_a_name() -> None:
    """ "Côte d'Ivoire" precomposed (NFC) and decomposed (NFD) must give one slug and
    one mandate."""
    composed = "UN Operation in C\u00f4te d'Ivoire (UNOCI)"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    assert slugify(composed) == slugify(decomposed) == "operation-in-cote-d-ivoire-unoci"
    registry = load_registry()
    assert registry.match(composed).slug == "unoci"  # type: ignore[union-attr]
    assert registry.match(decomposed.replace(" (UNOCI)", "")).slug == "unoci"  # type: ignore[union-attr]
