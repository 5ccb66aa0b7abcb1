"""Provisional votes: the one home of the rule that says which stored votes are known only
from a press release (issue 16).

A press release appears the day of the meeting; the meetings tables and the Digital
Library days later. A vote read from a release whose meeting no meetings table names yet
is stored at once, and is *provisional*: its vote event's own provenance is the release
(``source_url`` a ``.doc.htm`` page), it is a vote on a draft or a resolution (not on an
amendment, which only releases and meeting records give), and no other source has named
it yet: no record of another source (a voting record, a meeting record) points to it, and
no member's vote or veto on it comes from another source (the Veto List adds its vetoes to
a vote without taking it over). The meetings table takes the vote
event over when it arrives (it owns vote events: their provenance moves to it), a voting
or meeting record links it: either way the mark is gone, and nothing has to clear it.

What no later source confirms does not stay: a release read again that no longer gives a
provisional vote or meeting (the UN corrected it), or a meetings table that names the
meeting and not the vote, removes it (``db.roll_calls``; a finding says so in the second
case). Only what the release alone stated is removed, never what another source named.

Read with the Core tables only (``db.tables``), so the reports that show the mark load
no ORM.
"""

from __future__ import annotations

from sqlalchemy import Select, and_, exists, or_, select

from council.sources import PRESS_RELEASE_PATH, SOURCE_PRESS
from db import tables

RELEASE_PAGE = "%.doc.htm"  # a press release's address ends so (``/en/2024/sc15648.doc.htm``)


def provisional_events() -> Select[tuple[int]]:
    """Return a query of the ids of the provisional vote events."""
    ve, mv, sr, vt = tables.vote_event, tables.member_vote, tables.source_record, tables.veto
    return select(ve.c.id).where(
        ve.c.source_url.like(RELEASE_PAGE), ve.c.question.is_(None),
        ~exists().where(and_(sr.c.vote_event_id == ve.c.id, sr.c.source != SOURCE_PRESS)),
        ~exists().where(and_(mv.c.vote_event_id == ve.c.id,
                             ~mv.c.source_url.like(RELEASE_PAGE))),
        # the Veto List adds its vetoes to a vote without taking it over: it names it too
        ~exists().where(and_(vt.c.vote_event_id == ve.c.id,
                             or_(vt.c.source_url.is_(None),
                                 ~vt.c.source_url.like(RELEASE_PAGE)))))


def release_of(url: str | None) -> str | None:
    """The symbol of the press release at an address ("SC/15648"), or None."""
    match = PRESS_RELEASE_PATH.search(url or "")
    return f"SC/{int(match.group(2))}" if match else None


def provisional_meetings() -> Select[tuple[int]]:
    """Return a query of the ids of the meetings no source but a press release names yet."""
    m = tables.meeting
    return select(m.c.id).where(m.c.source_url.like(RELEASE_PAGE))
