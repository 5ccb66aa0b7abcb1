"""Derive mandates and their events from the registry and the stored decisions.

Pure: given the registry, the decisions and failed drafts as plain records and a date,
return the mandates, their events and statuses, with findings (``db.mandates`` reads
the rows and writes the result after every sync, rebuild and import).

A mandate is a body the registry knows: a title that names no known body (and
whose draft's corporate subjects name none either) gives a finding, never a
mandate made from a phrase.

- established: the registry's establishing resolution, and titles "[on
  establishment of ...]" only for a body whose registry entry names none (a title
  "establishing" a body the registry says another resolution established gives a
  ``second_establishment`` finding, not an event);
- extended: titles "[on extension of the mandate of X until DATE]" (a title cut
  short gives an extension whose new expiry is not known, and a finding);
- terminated: the registry's ``terminated_by``, titles "[on termination of
  the mandate of X ...]", and an extension "for a final period" (the title says
  so, or the registry's ``final_extension``), which ends the mandate on its expiry;
- renewal_failed: a failed draft naming the body (in its corporate subjects or
  title) when no extension was adopted between its vote and the expiry then in
  force (an extension adopted the same day counts: the mandate was renewed that day);
  otherwise it is a related_failed_draft on the timeline;
- ended: the registry's ``ended`` day for a closed body no decision read ended
  (the public record it was written from);
- computed for a date (``mandate_status``), once the expiry in force has passed
  with no extension and no termination: lapsed when a renewal failed (the
  evidence), otherwise ended when the registry says so, otherwise expired (no
  renewal found in the sources, and a finding). Active needs a known expiry on or
  after the date; with none and no end known the status is unknown. A mandate
  never lapses, nor stays active, by the absence of a record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from council.mandates import (
    MandateEntry,
    Registry,
    TitleAction,
    body_name,
    parse_mandate_title,
)
from council.records import Finding, Severity

SOURCE = "mandates"
RECORD_URL = "tracker:mandates"
# The reference of an end the registry gives: the file that states it.
REGISTRY = "council/data/mandates.toml"

STATUSES = ("active", "unknown", "expired", "lapsed", "terminated", "ended")
COMPUTED = ("lapsed", "expired")  # event kinds computed for a date, not read from a source


@dataclass
class Event:
    slug: str
    kind: str
    date: dt.date | None
    reference: str
    resolution_id: int | None = None
    draft_id: int | None = None
    vote_event_id: int | None = None
    new_expiry: dt.date | None = None
    note: str | None = None
    source_url: str | None = None


def expiry_in_force(events: Sequence[Event], on: dt.date) -> tuple[dt.date | None, bool]:
    """Return the expiry in force on a date and whether it is known.

    The expiry is the one the last extension adopted on or before that date set;
    an extension whose new expiry is not known makes it unknown.
    """
    extensions = [e for e in events if e.kind == "extended" and e.date and e.date <= on]
    if not extensions:
        return None, False
    last = max(extensions, key=lambda e: e.date or dt.date.min)
    return last.new_expiry, last.new_expiry is not None


def mandate_status(events: Sequence[Event], as_of: dt.date, *, open_ended: bool = False
                   ) -> tuple[str, dt.date | None, Event | None]:
    """Return (status, expiry, end event) of a mandate as of a date.

    Every status needs evidence: ``terminated`` by a decision; once the expiry in force
    has passed with no extension, ``lapsed`` when a renewal failed in a vote before it,
    else ``ended`` when the registry gives the day the body ended (on or before the
    date), else ``expired`` (no renewal found); ``active`` while a known expiry is on or
    after the date (a mandate "until 30 April" runs through 30 April, and one that
    ended on a day, by a decision or by the registry's date, runs through that day);
    ``ended`` after the registry's date; otherwise ``unknown`` — no expiry read, and no
    end known.
    """
    decided = {e.reference: e.date for e in events if e.kind == "extended" and e.date}

    def in_force(e: Event) -> bool:
        if e.date is not None:
            # The day a mandate ended, like its expiry, is its last day.
            return e.date < as_of if e.kind in ("terminated", "ended") else e.date <= as_of
        # A termination the registry names counts even before its resolution is stored;
        # one a final extension decided (its day not known) counts once it was adopted.
        adopted = decided.get(e.reference)
        return adopted is None or adopted <= as_of

    past = [e for e in events if in_force(e)]
    terminated = [e for e in past if e.kind == "terminated"]
    ended = any(e.kind == "ended" for e in past)
    expiry, known = expiry_in_force(past, as_of)
    if terminated:
        return "terminated", expiry, None
    if known and expiry is not None and expiry < as_of:
        slug = events[0].slug if events else ""
        extended = [e.date for e in past if e.kind == "extended" and e.date]
        since = max(extended) if extended else dt.date.min
        failed = sorted((e for e in past if e.kind == "renewal_failed" and e.date
                         and since < e.date <= expiry), key=lambda e: e.date or dt.date.min)
        if failed:
            return "lapsed", expiry, Event(
                slug, "lapsed", expiry, f"expiry {expiry.isoformat()}",
                note=f"the renewal {failed[-1].reference} failed on "
                     f"{failed[-1].date}; no extension was adopted by the expiry date")
        if ended:
            return "ended", expiry, None
        return "expired", expiry, Event(
            slug, "expired", expiry, f"expiry {expiry.isoformat()}",
            note="the expiry passed; no renewal, termination or failed renewal was found "
                 "in the sources")
    if ended:
        return "ended", expiry, None
    if known and expiry is not None:
        return "active", expiry, None
    if open_ended and any(e.kind == "established" and e.date is not None and e.date <= as_of
                          for e in events):
        # No term to expire: established, and no decision or registry date ends it.
        return "active", None, None
    return "unknown", expiry, None


@dataclass(frozen=True)
class Decision:
    """A resolution as the sources stored it: its title, its day, the bodies its draft
    names in its corporate subjects ("; "-joined), where it was read."""

    id: int
    symbol: str
    title: str | None
    date: dt.date | None
    source_url: str | None = None
    vote_date: dt.date | None = None
    draft_bodies: str | None = None

    @property
    def day(self) -> dt.date | None:
        """The day it was adopted: its own date, else its vote's."""
        return self.date or self.vote_date


@dataclass(frozen=True)
class FailedDraft:
    """A draft whose own vote failed, with the bodies it names and its vote."""

    id: int
    symbol: str
    title: str | None
    bodies: str | None
    source_url: str | None
    vote_event_id: int | None
    vote_date: dt.date | None


@dataclass(frozen=True)
class MandateState:
    """A mandate as of a day: its registry entry, status, expiry, and establishing decision."""

    entry: MandateEntry
    status: str
    expiry: dt.date | None
    established_by_id: int | None


@dataclass
class Derivation:
    """What the registry and the decisions make of the mandates as of a day."""

    mandates: list[MandateState]
    events: dict[str, list[Event]]
    findings: list[Finding] = field(default_factory=list)


def derive(registry: Registry, *, decisions: Iterable[Decision],
           failed_drafts: Sequence[FailedDraft], today: dt.date) -> Derivation:
    """Derive the mandates, their events and their statuses as of ``today`` from the
    registry, the stored resolutions (``decisions``: read once, as a stream; only those the
    registry names or whose titles state a mandate action are kept, so memory does not grow
    with the history) and the drafts whose own vote failed."""
    registry_symbols = {s for e in registry.entries
                        for s in (e.established_by, e.terminated_by, e.final_extension) if s}
    by_symbol, actions, untitled = _read_decisions(decisions, registry_symbols)
    entries: dict[str, MandateEntry] = {e.slug: e for e in registry.entries}
    events: dict[str, list[Event]] = {slug: [] for slug in entries}
    findings: list[Finding] = []

    def when(row: Decision) -> dt.date | None:
        return row.day

    for entry in registry.entries:
        for kind, symbol in (("established", entry.established_by),
                             ("terminated", entry.terminated_by)):
            if symbol:
                row = by_symbol.get(symbol)
                date = when(row) if row else None
                note = None if row else "the resolution is not in the database yet"
                if kind == "terminated" and entry.ended:
                    date = entry.ended
                    note = (f"ended on {entry.ended.isoformat()} by {symbol}, as the registry "
                            f"({REGISTRY}) gives it from the public record")
                events[entry.slug].append(Event(
                    entry.slug, kind, date, symbol,
                    resolution_id=row.id if row else None,
                    source_url=row.source_url if row else None, note=note))
        if entry.ended and not entry.terminated_by and not entry.final_extension:
            events[entry.slug].append(Event(
                entry.slug, "ended", entry.ended, REGISTRY, source_url=RECORD_URL,
                note=f"the registry ({REGISTRY}) gives the day it ended, "
                     f"{entry.ended.isoformat()}, from the public record of closed bodies; "
                     "no decision read from the sources ended it"))

    finals = {(e.slug, e.final_extension) for e in registry.entries if e.final_extension}
    for row, action in sorted(actions, key=lambda x: (when(x[0]) or dt.date.min,
                                                      x[0].symbol)):
        matched = registry.match(action.body)
        if matched is None and action.known_body_only:
            continue  # "[on termination of the measures ...]": not a body
        if action.action != "established":
            # A draft's subjects name the body it concerns, not one a title says it creates.
            matched = matched or _named_by_draft(registry, row)
        if matched is None:
            if action.cut:
                findings.append(Finding(SOURCE, row.symbol, "unmatched_cut_title",
                                        Severity.INFO, f"{row.symbol}: the title was cut "
                                        f"short and names no known body: {row.title!r}"))
                continue
            findings.append(Finding(
                SOURCE, row.symbol, "unknown_mandate", Severity.WARNING,
                f"{row.symbol}: the title says {action.action} for "
                f"{body_name(action.body)!r}, a body the mandate registry does not know, and "
                "the draft's corporate subjects name none it knows; no mandate recorded "
                "(a mandate is a body the registry names, not a phrase of a title)"))
            continue
        entry = matched
        if action.action == "established" and entry.established_by \
                and row.symbol != entry.established_by:
            findings.append(Finding(
                SOURCE, row.symbol, "second_establishment", Severity.INFO,
                f"{row.symbol}: the title says it established {entry.slug} "
                f"({body_name(action.body)!r}), which the registry says "
                f"{entry.established_by} established: not stored as an establishment (a "
                "body is established once; a later decision may approve its plan or set up a "
                f"part of it): {row.title!r}"))
            continue
        note = action.note
        if action.cut and action.until is not None:
            note = ("the title was cut short after its date: the new expiry is read, the "
                    "rest of the title is not")
        elif action.cut:
            note = "the title was cut short: the new expiry is not known"
            findings.append(Finding(SOURCE, row.symbol, "cut_title", Severity.INFO,
                                    f"{row.symbol}: {action.action} {entry.slug}, but the "
                                    f"title was cut short: {row.title!r}"))
        elif action.action == "extended" and action.until is None:
            note = note or "the title gives no new expiry"
            findings.append(Finding(SOURCE, row.symbol, "no_expiry_in_title", Severity.INFO,
                                    f"{row.symbol}: extends {entry.slug}, but its title "
                                    "gives no new expiry"))
        existing = [e for e in events[entry.slug]
                    if e.kind == action.action and e.reference == row.symbol]
        if existing:
            continue
        events[entry.slug].append(Event(
            entry.slug, action.action, when(row), row.symbol, resolution_id=row.id,
            new_expiry=action.until if action.action == "extended" else None, note=note,
            source_url=row.source_url))
        if action.final:
            finals.add((entry.slug, row.symbol))

    for draft in failed_drafts:
        named: set[str] = set()
        for body in (draft.bodies or "").split("; "):
            match = registry.match(body) if body else None
            if match:
                named.add(match.slug)
        draft_action = parse_mandate_title(draft.title or "")
        if draft_action is not None and (match := registry.match(draft_action.body)):
            named.add(match.slug)
        for slug in named:
            timeline = events[slug]
            voted = draft.vote_date
            expiry, known = expiry_in_force(timeline, voted) if voted else (None, False)
            # an extension adopted on the day of the vote or after it renewed the mandate:
            # the draft that failed beside it ended nothing
            later = [e for e in timeline if e.kind == "extended" and e.date and voted
                     and expiry and voted <= e.date <= expiry]
            failed = known and expiry is not None and voted is not None and voted <= expiry \
                and not later
            timeline.append(Event(
                slug, "renewal_failed" if failed else "related_failed_draft", voted,
                draft.symbol, draft_id=draft.id, vote_event_id=draft.vote_event_id,
                note=(f"would have renewed the mandate in force until {expiry.isoformat()}"
                      if failed and expiry else None),
                source_url=draft.source_url))

    for slug, symbol in sorted(finals):
        row = by_symbol.get(symbol)
        _end_by_final_extension(events[slug], slug, symbol, entries[slug].ended,
                                row.id if row else None, row.source_url if row else None)

    mandates = []
    for slug, entry in entries.items():
        timeline = events[slug]
        status, expiry, end = mandate_status(timeline, today, open_ended=entry.open_ended)
        if end is not None:
            timeline.append(end)
        if status == "expired" and expiry is not None:
            findings.append(_no_renewal_found(entry, timeline, expiry, untitled, today))
        established = by_symbol.get(entry.established_by or "")
        mandates.append(MandateState(entry, status, expiry,
                                     established.id if established else None))
    return Derivation(mandates, events, findings)


def _read_decisions(decisions: Iterable[Decision], symbols: set[str]) -> tuple[
        dict[str, Decision], list[tuple[Decision, TitleAction]], list[dt.date]]:
    """Return the resolutions named by ``symbols``, the resolutions whose titles state a
    mandate action (with it), and the days of the resolutions that have no title to read
    (sorted). Only those two kinds are kept."""
    by_symbol: dict[str, Decision] = {}
    actions: list[tuple[Decision, TitleAction]] = []
    untitled: list[dt.date] = []
    for x in decisions:
        if not x.title and x.day:
            untitled.append(x.day)
        action = parse_mandate_title(x.title or "")
        if action is None and x.symbol not in symbols:
            continue
        if x.symbol in symbols:
            by_symbol[x.symbol] = x
        if action is not None:
            actions.append((x, action))
    return by_symbol, actions, sorted(untitled)


def _named_by_draft(registry: Registry, row: Decision) -> MandateEntry | None:
    """Return the one known body the resolution's draft names in its corporate subjects
    (610), or None when it names none or several."""
    named = {m.slug: m for body in (row.draft_bodies or "").split("; ")
             if body and (m := registry.match(body))}
    return next(iter(named.values())) if len(named) == 1 else None


def _end_by_final_extension(timeline: list[Event], slug: str, symbol: str,
                            ended: dt.date | None, resolution_id: int | None,
                            source_url: str | None) -> None:
    """Add the end of a mandate that an extension "for a final period" decided: on the
    expiry it set, else on the day the registry gives, else on a day not known.

    A final extension ends the mandate even when its title gives no readable date; it
    does not when a later extension was adopted.
    """
    extensions = [e for e in timeline if e.kind == "extended" and e.date]
    final = next((e for e in extensions if e.reference == symbol), None)
    if final is not None and any(e.date and final.date and e.date > final.date
                                 for e in extensions):
        return
    if final is not None and final.new_expiry is not None:
        timeline.append(Event(
            slug, "terminated", final.new_expiry, symbol, resolution_id=final.resolution_id,
            source_url=final.source_url,
            note=f"{symbol} extended the mandate for a final period, until "
                 f"{final.new_expiry.isoformat()}: it ended on that date by that decision"))
        return
    when = (f"on {ended.isoformat()}, the day the registry ({REGISTRY}) gives from the "
            "public record" if ended else "on a day no source read gives")
    timeline.append(Event(
        slug, "terminated", ended, symbol,
        resolution_id=final.resolution_id if final else resolution_id,
        source_url=final.source_url if final else source_url,
        note=f"{symbol} extended the mandate for a final period; its title gives no "
             f"readable expiry: it ended {when}"))


def _no_renewal_found(entry: MandateEntry, timeline: list[Event], expiry: dt.date,
                      untitled: Sequence[dt.date], today: dt.date) -> Finding:
    """Explain an expired mandate: what was read, what was not found, and why it is not
    called lapsed."""
    last = max((e for e in timeline if e.kind == "extended" and e.date and e.new_expiry),
               key=lambda e: e.date or dt.date.min)
    unread = sum(1 for d in untitled if last.date and last.date < d <= today)
    gap = (f"; {unread} resolution(s) adopted since {last.date} have no title to read, "
           "so a renewal may be among them" if unread else "")
    return Finding(
        SOURCE, entry.slug, "no_renewal_found", Severity.WARNING,
        f"{entry.slug}: the last extension read, {last.reference} of {last.date}, ran it "
        f"until {expiry.isoformat()}; no later renewal, termination or failed renewal was "
        f"found in the sources{gap}. Status 'expired', not 'lapsed': a lapse needs "
        "evidence (a failed renewal vote, a termination, or a source that says so)")
