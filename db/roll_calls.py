"""Store the roll calls of failed drafts that press releases give, and the Council's
membership by year that completes them (issue 15).

A press release names the members against and abstaining; the members in favour are
derived (``council.roll_calls.derive_roll_call``) from the Council's membership that year,
read from the complete roll calls already stored, and stored marked as derived, with the
basis in words. The release's count is held to the tally the meetings tables give; a
release that disagrees with it, or with a roll call another source gives, is a finding and
changes nothing. Each speaker's statement is stored with the release as its source.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Table, bindparam, func, or_, select
from sqlmodel import Session

from council.records import Finding as FindingRecord
from council.records import Outcome, Severity, Tally
from council.roll_calls import Membership, Underived, derive_roll_call, membership_by_year
from council.rules import (
    FAILED_STATUSES,
    council_size,
    draft_status,
    failed_outcome,
    has_the_votes,
    roll_call_outcome,
    vetoes_in_roll_call,
)
from council.sources import SOURCE_PRESS, SOURCE_RECORDS, VETO_FROM_ROLL_CALL
from council.symbols import meeting_number, parse_resolution_symbol
from db.models import (
    CouncilMember,
    Draft,
    MandateEvent,
    Meeting,
    MemberVote,
    Resolution,
    SourceRecord,
    Statement,
    SymbolLookup,
    Veto,
    VoteEvent,
)
from db.provisional import provisional_events, provisional_meetings
from db.store import page_of, store_findings_of
from db.upsert import Counts, replace_set, scope_in, table_of, upsert


def membership_of(session: Session, years: Sequence[int] | None = None) -> dict[int, Membership]:
    """The Council's membership in each year, from the complete roll calls stored on drafts
    and resolutions (as many members, voting or not, as the Council had seats; none of
    their votes derived)."""
    mv, ve = table_of(MemberVote), table_of(VoteEvent)
    # votes on drafts and resolutions (not on a question or an amendment: a release names
    # those, and the membership it completes must not depend on what it stored before)
    query = (select(ve.c.id, ve.c.date, mv.c.member_code)
             .join(mv, mv.c.vote_event_id == ve.c.id)
             .where(ve.c.date.is_not(None), ve.c.question.is_(None)))
    if years is not None:
        query = query.where(func.extract("year", ve.c.date).in_(list(years)))
    derived = (select(mv.c.vote_event_id).where(mv.c.derived.is_not(None)))
    query = query.where(ve.c.id.not_in(derived))
    calls: dict[int, tuple[dt.date, list[str]]] = {}
    for event_id, day, code in session.execute(query):
        calls.setdefault(event_id, (day, []))[1].append(code)
    complete = [(day, codes) for day, codes in calls.values()
                if len(codes) == council_size(day.year)]
    return membership_by_year(complete)


def derive_membership(session: Session) -> Counts:
    """Make the ``council_member`` table the membership every year's complete roll calls
    show (replaced whole: it is derived, like the mandates)."""
    rows = [{"year": m.year, "member_code": code, "roll_calls": m.roll_calls}
            for m in membership_of(session).values() if m.complete for code in sorted(m.members)]
    return replace_set(session, CouncilMember, rows, key=("year", "member_code"),
                       scope=CouncilMember.id.is_not(None))  # type: ignore[union-attr]


def _set_roll_calls(session: Session, covered: Sequence[int], vote_rows: Sequence[dict[str, Any]],
                    veto_rows: Sequence[dict[str, Any]]) -> Counts:
    """Make the roll calls (and their vetoes) of the ``covered`` vote events exactly these
    rows: a member's vote, how it is known (named, or derived and on what basis) and its
    source are those of the latest source that gave it."""
    mv = table_of(MemberVote)
    counts = replace_set(session, MemberVote, vote_rows, key=("vote_event_id", "member_code"),
                         scope=scope_in(MemberVote, "vote_event_id", covered))
    counts += replace_set(session, Veto, veto_rows, key=("vote_event_id", "member_code", "source"),
                          scope=scope_in(Veto, "vote_event_id", covered,
                                         source=VETO_FROM_ROLL_CALL))
    # rows kept by the replace (same member, same vote event) take the latest source's
    # values: one statement for all of them; those it changes are changed, not unchanged
    if vote_rows:
        updated = session.execute(mv.update().where(
            mv.c.vote_event_id == bindparam("b_event"), mv.c.member_code == bindparam("b_code"),
            or_(mv.c.vote != bindparam("b_vote"),
                mv.c.source_url.is_distinct_from(bindparam("b_url")),
                mv.c.derived.is_distinct_from(bindparam("b_derived")))).values(
            vote=bindparam("b_vote"), derived=bindparam("b_derived"),
            source_url=bindparam("b_url"), fetched_at=bindparam("b_at")),
            [{"b_event": r["vote_event_id"], "b_code": r["member_code"], "b_vote": r["vote"],
              "b_derived": r["derived"], "b_url": r["source_url"], "b_at": r["fetched_at"]}
             for r in vote_rows])
        changed = max(getattr(updated, "rowcount", 0), 0)  # -1: the driver does not say
        counts.changed += changed
        counts.unchanged -= changed
    return counts


def _finding(release: str, kind: str, severity: Severity, message: str,
             url: str) -> FindingRecord:
    return FindingRecord(SOURCE_PRESS, release, kind, severity, message, url)


def store_press_release(session: Session, release: Any, *, url: str,
                        fetched_at: dt.datetime) -> Counts:
    """Store one press release (``scrapers.press.parse.PressRelease``): its roll calls on
    failed drafts, named and derived, and its statements.

    A release of a meeting no meetings table names yet (the release appears the same day,
    the table days later) stores its meeting and its votes on drafts and resolutions as
    *provisional* (``db.provisional``): what the release says, and nothing more. Once a
    meeting table names the meeting, the release is stored again (``tracker.sync``) and held
    to the table like any other: a provisional vote of it the table does not record is
    removed (``press_vote_unmatched``), as is one a release read again no longer gives."""
    counts = Counts()
    name = release.symbol or url
    findings: list[FindingRecord] = list(release.findings)
    m, ve, mv = table_of(Meeting), table_of(VoteEvent), table_of(MemberVote)
    prov = {"source_url": url, "fetched_at": fetched_at}
    page = page_of(url)
    meeting_id = None
    if release.meeting:
        meeting_id = session.execute(select(m.c.id).where(m.c.record == release.meeting)
                                     ).scalar_one_or_none()
    if meeting_id is None and release.symbol:
        found = session.execute(select(m.c.id).where(m.c.press_release == release.symbol)
                                ).scalars().all()
        meeting_id = found[0] if len(found) == 1 else None
    provisional = meeting_id is None or page_of(session.execute(
        select(m.c.source_url).where(m.c.id == meeting_id)).scalar_one() or "") == page
    if provisional and (release.meeting is None or release.date is None):
        findings.append(_finding(
            name, "press_meeting_unknown", Severity.WARNING,
            f"the release is of meeting {release.meeting or '(not named)'}, which no meetings "
            "table names, and it does not give "
            f"{'its date' if release.meeting else 'the meeting'} (its votes cannot be stored "
            "as provisional); nothing of it was stored", url))
        counts += _remove_unconfirmed(session, page, kept=set(), meeting_id=None)[1]
        counts += store_findings_of(session, SOURCE_PRESS, {url: (findings, fetched_at)})
        return counts
    if provisional:
        ids, c = upsert(session, Meeting, [{
            "record": release.meeting, "number": meeting_number(release.meeting),
            "date": release.date, "press_release": release.symbol}], key="record",
            provenance=prov)
        counts += c
        meeting_id = ids[release.meeting]
    assert meeting_id is not None

    events = session.execute(
        select(ve.c.id, ve.c.key, ve.c.date, ve.c.outcome, ve.c.yes, ve.c.no, ve.c.abstain,
               ve.c.question)
        .where(ve.c.meeting_id == meeting_id)).all()
    if not provisional:
        # a meeting a table names: the release is held to the votes the sources record there,
        # not to provisional ones (a release's own, stored before the table came, go below)
        unconfirmed = set(session.execute(select(ve.c.id).where(
            ve.c.meeting_id == meeting_id, ve.c.id.in_(provisional_events()))).scalars())
        events = [e for e in events if e.id not in unconfirmed]
    by_key = {e.key: e for e in events}
    recorded = sorted(e.key for e in events if e.question is None) or ["no vote"]
    given: set[int] = set()  # the provisional vote events this release gives now
    vote_rows: list[dict[str, Any]] = []
    veto_rows: list[dict[str, Any]] = []
    covered: list[int] = []
    # the votes this release gave before (it may no longer give them: replaced below, or
    # removed when it does not)
    owned = {int(i) for i, source_url in session.execute(
        select(mv.c.vote_event_id, mv.c.source_url).join(ve, ve.c.id == mv.c.vote_event_id)
        .where(ve.c.meeting_id == meeting_id)) if page_of(source_url or "") == page}
    amendments = ({} if provisional else
                  _amendment_events(session, release, meeting_id, by_key, prov))
    memberships: dict[int, Membership | None] = {}
    for index, vote in enumerate(release.votes):
        if vote.amendment:
            event = amendments.get(index)
            if event is None:
                findings.append(_finding(
                    name, "press_amendment_not_stored", Severity.INFO,
                    f"the release counts a vote on an amendment "
                    f"({', '.join(vote.symbols) or 'no symbol'}, {vote.tally}) to no draft "
                    "the tables record at that meeting: not stored", url))
                continue
        elif provisional:
            event = _provisional_event(session, vote, meeting_id=meeting_id,
                                       day=release.date, prov=prov)
            if event is None:
                findings.append(_finding(
                    name, "press_vote_unmatched", Severity.WARNING,
                    f"the release counts a vote ({vote.tally}) on "
                    f"{', '.join(vote.symbols) or 'a text it does not name'} and "
                    + ("does not say which resolution it adopted"
                       if vote.outcome == "adopted" else
                       "does not say that it failed" if vote.outcome is None else
                       "names no one draft") + "; no meetings table names the meeting yet: "
                    "the vote was not stored", url))
                continue
            given.add(event.id)
        else:
            keys = [vote.resolution, *vote.symbols] if vote.resolution else vote.symbols
            event = next((by_key[s] for s in keys if s in by_key), None)
        if event is None and vote.outcome != "adopted":  # the meeting's one failed vote
            failed = [e for e in events if (e.outcome or "") in FAILED_STATUSES
                      and e.question is None]
            event = failed[0] if len(failed) == 1 and not vote.symbols else None
        if event is None:
            findings.append(_finding(
                name, "press_vote_unmatched", Severity.WARNING,
                f"the release counts a vote ({vote.tally}) on "
                f"{', '.join(_said(vote)) or 'a text it does not name'}, which is no vote "
                f"the tables record at that meeting (they record {', '.join(recorded)}); the "
                "release's vote is not kept (not stored or, stored from the release before "
                "the tables named the meeting, removed)", url))
            continue
        tally = vote.tally
        counted = (Tally(event.yes, event.no or 0, event.abstain or 0)
                   if event.yes is not None else None)
        adoption = not vote.amendment and (event.outcome or "") not in FAILED_STATUSES
        if adoption:
            if counted is not None and counted != tally:
                findings.append(_finding(
                    name, "press_tally_mismatch", Severity.ERROR,
                    f"the release counts the adoption of {event.key} {tally}, the stored tally "
                    f"is {counted}; the stored tally was kept", url))
            else:
                findings += _disagreements(session, name, url, event, vote, page) or []
            continue  # adopted resolutions' roll calls come from the voting records
        if counted is not None and counted != tally:
            findings.append(_finding(
                name, "press_tally_mismatch", Severity.ERROR,
                f"the release counts {event.key} {tally}, the meetings table "
                f"{counted}; the release's roll call was not stored", url))
            continue
        disagree = _disagreements(session, name, url, event, vote, page)
        if disagree is not None:
            findings += disagree
            continue
        covered.append(event.id)
        year = event.date.year if event.date else None
        if year is not None and year not in memberships:  # read once a year per release
            memberships[year] = membership_of(session, [year]).get(year)
        membership = memberships.get(year) if year is not None else None
        rows, vetoes, said = _release_roll_call(name, url, event, vote, year, membership, prov)
        vote_rows += rows
        veto_rows += vetoes
        findings += said
    removed, c = _remove_unconfirmed(session, page, kept=given, meeting_id=meeting_id)
    counts += c
    owned -= removed
    covered += sorted(owned - set(covered))  # what it gave before and no longer gives: removed
    if covered:
        counts += _set_roll_calls(session, covered, vote_rows, veto_rows)

    statements = [{"meeting_id": meeting_id, "member_code": s.member, "source": SOURCE_PRESS,
                   "position": i, "speaker": s.speaker, "text": "\n\n".join(s.paragraphs),
                   "after_vote": s.after_vote}
                  for i, s in enumerate(release.statements, start=1)]
    counts += replace_set(session, Statement, statements, key=("meeting_id", "source", "position"),
                          scope=scope_in(Statement, "meeting_id", [meeting_id],
                                         source=SOURCE_PRESS), provenance=prov)
    counts += store_findings_of(session, SOURCE_PRESS, {url: (findings, fetched_at)})
    _, c = upsert(session, SourceRecord, [
        {"source": SOURCE_PRESS, "record_id": name, "modified": None,
         "vote_event_id": covered[0] if len(covered) == 1 else None, **prov}],
        key=("source", "record_id"), new_ids=False)
    counts += c
    return counts


def _disagreements(session: Session, name: str, url: str, event: Any, vote: Any,
                   page: str) -> list[FindingRecord] | None:
    """None when no other source gives a roll call of the vote; else the findings where the
    release names a member's vote, or counts the vote, otherwise than that roll call (empty
    when they agree)."""
    mv = table_of(MemberVote)
    others = [o for o in session.execute(
        select(mv.c.member_code, mv.c.vote, mv.c.source_url)
        .where(mv.c.vote_event_id == event.id)) if page_of(o.source_url or "") != page]
    if not others:
        return None
    disagree = sorted(
        f"{o.member_code} {o.vote} there, {side} here" for o in others
        for side, codes in vote.named.items() if o.member_code in codes and o.vote != side)
    there = Tally(*(sum(1 for o in others if o.vote == s) for s in ("Y", "N", "A")))
    if there != vote.tally and len(others) >= council_size(event.date.year if event.date
                                                           else 2000):
        disagree.append(f"it counts {there} there, {vote.tally} here")
    if not disagree:
        return []
    return [_finding(
        name, "press_roll_call_disagrees", Severity.ERROR,
        f"the release's roll call on {event.key} disagrees with the stored one "
        f"({'; '.join(disagree)}); the stored one was kept", url)]


def _release_roll_call(name: str, url: str, event: Any, vote: Any, year: int | None,
                       membership: Membership | None, prov: dict[str, Any]
                       ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[FindingRecord]]:
    """The member votes a release gives on a failed vote (named, and derived where the
    derivation rule allows), the vetoes they cast, and the finding when none could be
    derived."""
    tally = vote.tally
    named = {side: codes for side, codes in vote.named.items()}
    completed = derive_roll_call(tally, named, membership)
    named_codes = {c for codes in named.values() for c in codes}
    findings = []
    if isinstance(completed, Underived):
        findings.append(_finding(
            name, "press_votes_not_derived", Severity.INFO,
            f"the release names {len(named_codes)} of the members on {event.key}; the "
            f"others' votes were not derived: {completed.reason}", url))
        completed = {c: side for side, codes in named.items() for c in codes}
    calls = membership.roll_calls if membership else 0
    basis = (f"the Council's membership in {year} (from {calls} roll "
             f"call{'' if calls == 1 else 's'}) and the release's count {tally}"
             if membership else None)
    vote_rows = [{"vote_event_id": event.id, "member_code": code, "vote": side,
                  "name_at_time": None, "derived": None if code in named_codes else basis,
                  **prov} for code, side in completed.items()]
    vetoes = () if vote.amendment else vetoes_in_roll_call(
        list(completed.items()), yes=tally.yes, year=year or 2000)
    veto_rows = [{"vote_event_id": event.id, "member_code": code,
                  "source": VETO_FROM_ROLL_CALL, **prov} for code in vetoes]
    return vote_rows, veto_rows, findings


def _provisional_event(session: Session, vote: Any, *, meeting_id: int, day: dt.date,
                       prov: dict[str, Any]) -> Any:
    """The vote event of a vote a release counts at a meeting no meetings table names yet:
    the one stored already under its key (a resolution or draft symbol), or one made of
    what the release says (its count, how it ended, the resolution it adopted or the one
    draft it names), with the release as its source. None when the release does not say
    enough to key it: an adoption without the resolution, a failure without the draft, or
    a count without its end."""
    ve = table_of(VoteEvent)
    tally, year = vote.tally, day.year
    if vote.outcome == "adopted" and vote.resolution:
        key = vote.resolution
    elif vote.outcome == "failed" and len(vote.symbols) == 1:
        key = vote.symbols[0]
    else:
        return None
    columns = (ve.c.id, ve.c.key, ve.c.date, ve.c.outcome, ve.c.yes, ve.c.no, ve.c.abstain,
               ve.c.question, ve.c.source_url)
    stored = session.execute(select(*columns).where(ve.c.key == key)).first()
    if stored is not None and page_of(stored.source_url or "") != page_of(prov["source_url"]):
        return stored  # another source states it: the release is held to it
    event: dict[str, Any] = {"key": key, "meeting_id": meeting_id, "date": day,
                             "yes": tally.yes, "no": tally.no, "abstain": tally.abstain,
                             "non_voting": max(council_size(year) - tally.cast, 0)}
    if key == vote.resolution:
        number, resolution_year = parse_resolution_symbol(key)
        ids, _ = upsert(session, Resolution, [{
            "symbol": key, "number": number, "year": resolution_year, "date": day,
            "meeting_id": meeting_id}], key="symbol", fill_only=("date", "meeting_id"),
            provenance=prov, secondary=True)
        event |= {"resolution_id": ids[key], "outcome": Outcome.ADOPTED_WITH_VOTE.value}
    else:
        outcome = roll_call_outcome([(c, side) for side, codes in vote.named.items()
                                     for c in codes], yes=tally.yes, year=year)
        ids, _ = upsert(session, Draft, [{"symbol": key, "date": day,
                                          "status": draft_status(outcome.value)}],
                        key="symbol", fill_only=("date", "status"), provenance=prov,
                        secondary=True)
        event |= {"draft_id": ids[key], "outcome": outcome.value}
    upsert(session, VoteEvent, [event], key="key", provenance=prov)
    return session.execute(select(*columns).where(ve.c.key == key)).first()


def _said(vote: Any) -> list[str]:
    """The texts a release names in a vote: the resolution it says was adopted, then the
    drafts."""
    return list(dict.fromkeys([vote.resolution, *vote.symbols] if vote.resolution
                              else vote.symbols))


def _delete(session: Session, table: Table, where: Any) -> int:
    """Delete the rows of ``table`` that match; return how many."""
    return session.connection().execute(table.delete().where(where)).rowcount


def _unreferenced(session: Session, model: type[Any], ids: Iterable[int]) -> list[int]:
    """The ids among ``ids`` that no row of any table refers to (by a foreign key)."""
    target = table_of(model)
    left = set(ids)
    for table in target.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if left and fk.column.table is target:
                left -= set(session.execute(select(fk.parent).where(
                    fk.parent.in_(sorted(left)))).scalars())
    return sorted(left)


def _remove_unconfirmed(session: Session, page: str, *, kept: set[int],
                        meeting_id: int | None) -> tuple[set[int], Counts]:
    """Remove what a press release stored as provisional before and no longer gives: its
    provisional vote events (``db.provisional``) other than ``kept``, with their member
    votes and vetoes (the release's own: a provisional vote has no other source's), and
    their resolutions and drafts no other source stated; and its provisional meetings other
    than ``meeting_id``, with its statements there, when nothing else refers to them. A
    release read again (corrected) that no longer says it, or a meetings table that names
    the meeting and not the vote, leaves nothing standing on the release's word alone.
    Return the ids of the vote events removed."""
    ve, m, mv, vt = table_of(VoteEvent), table_of(Meeting), table_of(MemberVote), table_of(Veto)
    sr, st, me = table_of(SourceRecord), table_of(Statement), table_of(MandateEvent)
    counts = Counts()
    gone = {int(i): (r, d) for i, url, r, d in session.execute(
        select(ve.c.id, ve.c.source_url, ve.c.resolution_id, ve.c.draft_id)
        .where(ve.c.id.in_(provisional_events())))
        if page_of(url or "") == page and int(i) not in kept}
    if gone:
        ids = sorted(gone)
        counts.deleted += _delete(session, mv, mv.c.vote_event_id.in_(ids))
        counts.deleted += _delete(session, vt, vt.c.vote_event_id.in_(ids))
        # a release's record of its fetch stays; it no longer points to the vote. A mandate's
        # events are derived again at the end of the sync.
        session.execute(sr.update().where(sr.c.vote_event_id.in_(ids)).values(vote_event_id=None))
        session.execute(me.delete().where(me.c.vote_event_id.in_(ids)))
        counts.deleted += _delete(session, ve, ve.c.id.in_(ids))
        for model, column in ((Resolution, 0), (Draft, 1)):
            t = table_of(model)
            own = [i for i, url in session.execute(select(t.c.id, t.c.source_url).where(
                t.c.id.in_({x[column] for x in gone.values() if x[column] is not None})))
                if page_of(url or "") == page]
            counts.deleted += _delete(session, t, t.c.id.in_(_unreferenced(session, model, own)))
    meetings = [int(i) for i, url in session.execute(
        select(m.c.id, m.c.source_url).where(m.c.id.in_(provisional_meetings())))
        if page_of(url or "") == page and int(i) != meeting_id]
    if meetings:
        said = [i for i, url in session.execute(select(st.c.id, st.c.source_url)
                                                .where(st.c.meeting_id.in_(meetings)))
                if page_of(url or "") == page]
        counts.deleted += _delete(session, st, st.c.id.in_(said))
        counts.deleted += _delete(session, m, m.c.id.in_(_unreferenced(session, Meeting, meetings)))
    return set(gone), counts


def provisional_releases(session: Session) -> list[str]:
    """The addresses of the press releases that gave a provisional vote or meeting
    (``db.provisional``): to be stored again once another source names them."""
    ve, m = table_of(VoteEvent), table_of(Meeting)
    urls = set(session.execute(select(ve.c.source_url).where(
        ve.c.id.in_(provisional_events()))).scalars())
    urls |= set(session.execute(select(m.c.source_url).where(
        m.c.id.in_(provisional_meetings()))).scalars())
    return sorted(u for u in urls if u)


def _amendment_events(session: Session, release: Any, meeting_id: int,
                      by_key: dict[str, Any], prov: dict[str, Any]) -> dict[int, Any]:
    """Make a vote event of each amendment the release counts a vote on, linked to the draft
    it amends: the draft voted on next in the release, which the tables record at that
    meeting. Its key is the draft's with the question (``S/2018/998 (amendment
    S/2018/999)``), as a preliminary question's is; its outcome is the release's count held
    to the Council's rules (a permanent member's named "no" on an amendment with the votes
    to pass fails it). Return the events by the vote's place in the release."""
    d, ve, m = table_of(Draft), table_of(VoteEvent), table_of(Meeting)
    day = session.execute(select(m.c.date).where(m.c.id == meeting_id)).scalar_one_or_none()
    rows: dict[int, dict[str, Any]] = {}
    ordinal: dict[str, int] = defaultdict(int)
    for index, vote in enumerate(release.votes):
        if not vote.amendment:
            continue
        amended = next((v for v in release.votes[index + 1:] if not v.amendment), None)
        draft = next((s for s in amended.symbols if s in by_key), None) if amended else None
        if draft is None or day is None:
            continue
        draft_id = session.execute(select(d.c.id).where(d.c.symbol == draft)
                                   ).scalar_one_or_none()
        own = [s for s in vote.symbols if s != draft]
        ordinal[draft] += 1
        question = f"amendment {own[0]}" if own else f"amendment {ordinal[draft]}"
        tally, year = vote.tally, day.year
        # As the release says it ended; without its word, only the rule decides: short of
        # votes is insufficient; with the votes, how it ended is not known (no veto is
        # recorded of an amendment: the Veto List counts drafts).
        outcome: Outcome | None
        if vote.outcome == "adopted":
            outcome = Outcome.ADOPTED_WITH_VOTE
        elif vote.outcome == "failed" or not has_the_votes(tally.yes, year):
            outcome = failed_outcome(tally.yes, year)
        else:
            outcome = None
        rows[index] = {"key": f"{draft} ({question})", "draft_id": draft_id,
                       "meeting_id": meeting_id, "date": day, "question": question,
                       "outcome": outcome.value if outcome else None, "yes": tally.yes,
                       "no": tally.no,
                       "abstain": tally.abstain,
                       "non_voting": max(council_size(year) - tally.cast, 0), **prov}
    # the amendments this release made votes of before and no longer counts: removed
    mv, vt = table_of(MemberVote), table_of(Veto)
    gone = [i for i, key, source_url in session.execute(
        select(ve.c.id, ve.c.key, ve.c.source_url).where(
            ve.c.meeting_id == meeting_id, ve.c.question.like("amendment %")))
        if page_of(source_url or "") == page_of(prov["source_url"])
        and key not in {r["key"] for r in rows.values()}]
    if gone:
        session.execute(mv.delete().where(mv.c.vote_event_id.in_(gone)))
        session.execute(vt.delete().where(vt.c.vote_event_id.in_(gone)))
        session.execute(ve.delete().where(ve.c.id.in_(gone)))
    if not rows:
        return {}
    ids, _ = upsert(session, VoteEvent, list(rows.values()), key="key")
    events = {e.key: e for e in session.execute(
        select(ve.c.id, ve.c.key, ve.c.date, ve.c.outcome, ve.c.yes, ve.c.no, ve.c.abstain)
        .where(ve.c.id.in_(list(ids.values()))))}
    return {index: events[row["key"]] for index, row in rows.items()}


def _roll_call_sizes(session: Session) -> dict[int, tuple[int, int]]:
    """{failed vote event: (its member votes stored, of which named by a source)}."""
    ve, mv = table_of(VoteEvent), table_of(MemberVote)
    return {int(i): (int(n), int(n) - int(d)) for i, n, d in session.execute(
        select(mv.c.vote_event_id, func.count(mv.c.id), func.count(mv.c.derived))
        .join(ve, ve.c.id == mv.c.vote_event_id)
        .where(ve.c.outcome.in_(FAILED_STATUSES)).group_by(mv.c.vote_event_id))}


def press_releases_wanted(session: Session, *, everything: bool) -> list[tuple[str, int]]:
    """The press releases of meetings with a failed vote: all of them (``everything``); or
    those of votes whose roll call is not stored whole, not found missing before, and not
    read before unless the year's membership is now known in full (a release read when it
    was not can now complete its roll call)."""
    m, ve, sr, cm = (table_of(Meeting), table_of(VoteEvent), table_of(SourceRecord),
                     table_of(CouncilMember))
    query = (select(m.c.press_release, m.c.date, ve.c.id).join(ve, ve.c.meeting_id == m.c.id)
             .where(m.c.press_release.is_not(None), m.c.date.is_not(None),
                    ve.c.outcome.in_(FAILED_STATUSES)))
    sizes = {} if everything else _roll_call_sizes(session)
    known_years = {int(y) for y, n in session.execute(
        select(cm.c.year, func.count(cm.c.id)).group_by(cm.c.year))
        if int(n) == council_size(int(y))}
    rows = [(symbol, day) for symbol, day, event_id in session.execute(query)
            if everything or sizes.get(int(event_id), (0, 0))[0] < council_size(day.year)]
    lookups = table_of(SymbolLookup)
    fetched = set() if everything else set(session.execute(
        select(sr.c.record_id).where(sr.c.source == SOURCE_PRESS)).scalars())
    # releases that were not found (their pages' ids), asked for again only by --full
    missing = set() if everything else set(session.execute(
        select(lookups.c.symbol).where(lookups.c.source == SOURCE_PRESS,
                                       lookups.c.record_id.is_(None))).scalars())
    wanted: dict[str, int] = defaultdict(int)
    for symbol, day in rows:
        number = symbol.removeprefix("SC/")
        if ((symbol not in fetched or day.year in known_years)
                and f"{day.year}-sc{number}" not in missing):
            wanted[symbol] = day.year
    return sorted(wanted.items(), key=lambda w: (w[1], w[0]))




def _record_finding(record: str, kind: str, severity: Severity, message: str,
                    url: str) -> FindingRecord:
    return FindingRecord(SOURCE_RECORDS, record, kind, severity, message, url)


def store_meeting_record(session: Session, record: Any, *, url: str,
                         fetched_at: dt.datetime) -> Counts:
    """Store one meeting record's roll calls (``scrapers.verbatim.parse.MeetingRecordVotes``)
    on the failed drafts voted at that meeting. The record is the official account: its roll
    call replaces one a press release gave (a difference is a finding), and is kept when it
    differs from the meetings table's tally (a finding too)."""
    counts = Counts()
    findings: list[FindingRecord] = list(record.findings)
    m, ve, mv = table_of(Meeting), table_of(VoteEvent), table_of(MemberVote)
    meeting_id = session.execute(select(m.c.id).where(m.c.record == record.record)
                                 ).scalar_one_or_none()
    prov = {"source_url": url, "fetched_at": fetched_at}
    covered: list[int] = []
    vote_rows: list[dict[str, Any]] = []
    veto_rows: list[dict[str, Any]] = []
    events = [] if meeting_id is None else session.execute(
        select(ve.c.id, ve.c.key, ve.c.date, ve.c.outcome, ve.c.yes, ve.c.no, ve.c.abstain,
               ve.c.question)
        .where(ve.c.meeting_id == meeting_id)).all()
    by_key = {e.key: e for e in events}
    failed = [e for e in events if (e.outcome or "") in FAILED_STATUSES and e.question is None]
    for vote in record.votes:
        if vote.amendment:  # the vote event a press release made of it, if one did
            event = next((e for e in events for sym in vote.symbols
                          if e.key.endswith(f" (amendment {sym})")), None)
            if event is None:
                continue  # an amendment no release counts is not stored yet
        else:
            event = next((by_key[s] for s in vote.symbols if s in by_key), None)
            if event is None and not vote.symbols and len(failed) == 1:
                event = failed[0]
            if event is None or (event.outcome or "") not in FAILED_STATUSES:
                continue  # an adoption (its roll call is the voting records'), or none such
        named = {c: side for side, codes in vote.named.items() for c in codes}
        counted = Tally(len(vote.named["Y"]), len(vote.named["N"]), len(vote.named["A"]))
        if event.yes is not None and (event.yes, event.no, event.abstain) != (
                counted.yes, counted.no, counted.abstain):
            findings.append(_record_finding(
                record.record, "record_disagrees_with_tally", Severity.ERROR,
                f"the meeting record's roll call on {event.key} counts {counted}, the meetings "
                f"table {Tally(event.yes, event.no or 0, event.abstain or 0)}; the record's "
                "roll call was stored (it is the official account)", url))
        stored = {code: (side, source_url) for code, side, source_url in session.execute(
            select(mv.c.member_code, mv.c.vote, mv.c.source_url)
            .where(mv.c.vote_event_id == event.id))}
        differ = sorted(f"{code} {side} there, {named.get(code, 'not named')} here"
                        for code, (side, source_url) in stored.items()
                        if source_url != url and named.get(code) != side)
        if differ:
            findings.append(_record_finding(
                record.record, "record_disagrees_with_press", Severity.WARNING,
                f"the meeting record's roll call on {event.key} differs from the one stored "
                f"before ({'; '.join(differ)}); the record's was kept", url))
        covered.append(event.id)
        vote_rows += [{"vote_event_id": event.id, "member_code": code, "vote": side,
                       "name_at_time": None, "derived": None, **prov}
                      for code, side in named.items()]
        year = event.date.year if event.date else 2000
        vetoing = () if vote.amendment else vetoes_in_roll_call(
            list(named.items()), yes=counted.yes, year=year)
        veto_rows += [{"vote_event_id": event.id, "member_code": code,
                       "source": VETO_FROM_ROLL_CALL, **prov} for code in vetoing]
    if covered:
        # the record's roll call replaces whatever was stored (a release's, derived or not)
        counts += _set_roll_calls(session, covered, vote_rows, veto_rows)
    counts += store_findings_of(session, SOURCE_RECORDS, {url: (findings, fetched_at)})
    _, c = upsert(session, SourceRecord, [
        {"source": SOURCE_RECORDS, "record_id": record.record, "modified": None,
         "vote_event_id": covered[0] if len(covered) == 1 else None, **prov}],
        key=("source", "record_id"), new_ids=False)
    counts += c
    return counts


def _record_symbol(page: str) -> str:
    """A meeting record's symbol from its page id in the raw archive (as
    ``scrapers.verbatim.source.page_id`` writes it: "S_2FPV.9591")."""
    return re.sub(r"_([0-9A-F]{2})", lambda m: chr(int(m.group(1), 16)), page)


def meeting_records_wanted(session: Session, *, everything: bool) -> list[tuple[str, int]]:
    """The meeting records of failed votes: all of them (``everything``), or those of votes
    whose roll call no source names in full (none stored, or some of it derived) that were
    neither read nor found missing before."""
    m, ve, sr = table_of(Meeting), table_of(VoteEvent), table_of(SourceRecord)
    lookups = table_of(SymbolLookup)
    query = (select(m.c.record, m.c.date, ve.c.id).join(ve, ve.c.meeting_id == m.c.id)
             .where(m.c.record.like("S/PV.%"), m.c.date.is_not(None),
                    ve.c.outcome.in_(FAILED_STATUSES)))
    sizes = {} if everything else _roll_call_sizes(session)
    # a roll call named in full by a source (none of it derived, every seat) needs no record
    rows = [(record, day) for record, day, event_id in session.execute(query)
            if everything or sizes.get(int(event_id), (0, 0))[1] < council_size(day.year)]
    done: set[str] = set()
    if not everything:
        done = set(session.execute(select(sr.c.record_id).where(
            sr.c.source == SOURCE_RECORDS)).scalars())
        done |= {_record_symbol(s) for s in session.execute(select(lookups.c.symbol).where(
            lookups.c.source == SOURCE_RECORDS, lookups.c.record_id.is_(None))).scalars()}
    wanted = {record: day.year for record, day in rows if record not in done}
    return sorted(wanted.items(), key=lambda w: (w[1], w[0]))
