"""Mandates: "active" needs evidence, a title is about the head of its phrase, and a
mandate "until 30 April" runs through that day.

Issue 11, classes 7 and 8 (follow-up).
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from sqlalchemy import Engine, select
from sqlmodel import Session

from db.engine import session_scope, upgrade
from db.mandates import derive_mandates
from db.models import Finding, Mandate, MandateEvent, Resolution
from db.upsert import upsert
from tracker.mandates import load_registry
from tracker.symbols import normalise_resolution_symbol, parse_resolution_symbol

SCRAPE = Path("undl_scrape_un_data") / "un_data_security_council_rows.csv"
TODAY = dt.date(2022, 12, 31)


def _store(engine: Engine, titles: dict[str, tuple[str, str | None]]) -> None:
    """Store resolutions (symbol -> (date, title)) and derive the mandates as of TODAY."""
    upgrade(engine)
    with session_scope(engine) as session:
        upsert(session, Resolution, [
            {"symbol": normalise_resolution_symbol(symbol),
             "number": parse_resolution_symbol(symbol)[0],
             "year": parse_resolution_symbol(symbol)[1], "title": title,
             "date": dt.date.fromisoformat(date)} for symbol, (date, title) in titles.items()],
            key="symbol")
        derive_mandates(session, load_registry(), today=TODAY)


def _scrape_rows(shared_data: Path) -> dict[str, tuple[str, str | None]]:
    with (shared_data / SCRAPE).open(encoding="utf-8-sig") as handle:
        return {r["Resolution"]: (r["Date"], r["Title"]) for r in csv.DictReader(handle)}


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
    _store(engine, {
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
    _store(engine, _scrape_rows(shared_data))
    registry = {e.slug: e for e in load_registry().entries}
    extra = {(slug, ref) for slug, ref in _events(engine, "established")
             if registry[slug].established_by not in (None, ref)}
    assert extra == set()
    titled = {(slug, ref) for slug, ref in _events(engine, "established")
              if registry[slug].established_by is None}
    assert titled == {("military-staff-committee", "S/RES/1 (1946)")}
