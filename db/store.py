"""Write parsed records into the database: idempotent upserts on natural keys.

Stores never parse. Each ``store_*`` function writes one parsed page inside the
caller's transaction and returns the counts of rows new / changed / unchanged.

Which source owns which column: the yearly meetings tables own meetings,
resolutions, draft status and vote tallies; the Veto List owns the agenda item
of a veto and its own veto rows, and only fills what the tables left empty.
So the result does not depend on the order pages are synced in. A row's
``source_url`` names the page that states it; the Veto List's additions to rows
the tables state do not move it (its own veto rows carry its URL).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import bindparam, select
from sqlmodel import Session

from council.members import known_members, member_source
from council.records import (
    DocumentRecord,
    MeetingRecord,
    MeetingsTable,
    Outcome,
    Severity,
    Tally,
    VetoList,
    VotingRecord,
)
from council.records import Finding as FindingRecord
from council.rules import ADOPTED_WITH_A_VOTE, roll_call_outcome, vetoes_in_roll_call
from council.sources import SOURCE_MEETINGS, SOURCE_VETO_LIST, VETO_FROM_ROLL_CALL
from council.symbols import draft_base, meeting_number, parse_resolution_symbol
from db.models import (
    Draft,
    Finding,
    Meeting,
    Member,
    MemberVote,
    PresidentialStatement,
    Resolution,
    SourceRecord,
    Sponsorship,
    SymbolLookup,
    Veto,
    VoteEvent,
)
from db.upsert import Counts, insert_new, scope_in, table_of, upsert
from db.upsert import replace_set as _replace_set


def ensure_members(session: Session) -> Counts:
    """Make sure every member the tracker knows has a row (codes, names, seats, source)."""
    rows = [
        {"code": m.code, "name": m.name, "permanent_seat": m.permanent_seat,
         "successor": m.successor, "source_url": member_source(m.code)}
        for m in known_members().values()
    ]
    _, counts = upsert(session, Member, rows, key="code", new_ids=False)
    return counts


def _provenance(url: str, fetched_at: dt.datetime) -> dict[str, Any]:
    return {"source_url": url, "fetched_at": fetched_at}


def page_of(url: str) -> str:
    """Return a page's (or record's) URL without its scheme and host: the same page on a
    mirror, or at another address, is the same page."""
    parts = urlsplit(url)
    if not parts.netloc:
        return url
    return parts.path.lstrip("/") + (f"?{parts.query}" if parts.query else "")


def _without_base(text: str, url: str) -> str:
    """Return text with the page's scheme and host taken out of any URL it quotes."""
    parts = urlsplit(url)
    if not parts.netloc:
        return text
    return text.replace(f"{parts.scheme}://{parts.netloc}/", "").replace(
        f"{parts.scheme}://{parts.netloc}", "")


def store_findings(session: Session, source: str, url: str, findings: Sequence[FindingRecord],
                   *, seen_at: dt.datetime) -> Counts:
    """Make the findings stored for a page exactly those its latest parse gave."""
    return store_findings_of(session, source, {url: (findings, seen_at)})


def store_findings_of(session: Session, source: str,
                      pages: Mapping[str, tuple[Sequence[FindingRecord], dt.datetime]]) -> Counts:
    """Make the findings stored for each page (or record) exactly those its latest parse
    gave, for many pages in one statement.

    A finding is known by its source, its page without the base URL, its record, kind and
    message: read again from a mirror or another address, a page replaces its findings.
    """
    rows = [
        {"source": f.source, "page": page_of(url), "record": _without_base(f.record, url),
         "kind": f.kind, "severity": f.severity.value,
         "message": _without_base(f.message, url), "url": url, "first_seen": seen_at}
        for url, (findings, seen_at) in pages.items() for f in findings
    ]
    key = ("source", "page", "record", "kind", "message")
    counts = _replace_set(session, Finding, rows, key=key,
                          scope=scope_in(Finding, "page", [page_of(u) for u in pages],
                                         source=source))
    # A finding read again keeps when it was first seen; its URL is where it was last read.
    t = table_of(Finding)
    moved = [r for r in rows if r["url"]]
    for chunk in (moved[i:i + 500] for i in range(0, len(moved), 500)):
        session.execute(t.update().where(
            t.c.source == bindparam("b_source"), t.c.page == bindparam("b_page"),
            t.c.url != bindparam("b_url")).values(url=bindparam("b_url")),
            [{"b_source": source, "b_page": p, "b_url": u}
             for p, u in {(r["page"], r["url"]) for r in chunk}])
    return counts


def _name_drafts(session: Session, named: Sequence[tuple[int, int]]) -> int:
    """Record the draft a voting record names for its resolution: that holds over a draft's
    link (``db.links`` settles links around it). Return how many resolutions changed."""
    if not named:
        return 0
    r = table_of(Resolution)
    current = {i: (draft_id, by) for i, draft_id, by in session.execute(
        select(r.c.id, r.c.draft_id, r.c.draft_named_by)
        .where(r.c.id.in_([i for i, _ in named])))}
    changed = [{"b_id": i, "b_draft": d} for i, d in dict(named).items()
               if current.get(i) != (d, "voting-record")]
    if changed:
        session.execute(r.update().where(r.c.id == bindparam("b_id")).values(
            draft_id=bindparam("b_draft"), draft_named_by="voting-record"), changed)
    return len(changed)


def _add_findings(session: Session, findings: Sequence[FindingRecord], *,
                  seen_at: dt.datetime) -> Counts:
    """Add findings that one source's store settles about another source's page or record
    (known, like every finding, by source, page, record, kind and message). The page they
    belong to replaces them with its own when it is read again."""
    rows = [{"source": f.source, "page": page_of(f.url or ""),
             "record": _without_base(f.record, f.url or ""), "kind": f.kind,
             "severity": f.severity.value, "message": _without_base(f.message, f.url or ""),
             "url": f.url, "first_seen": seen_at} for f in findings]
    if not rows:
        return Counts()
    _, counts = upsert(session, Finding, rows, key=("source", "page", "record", "kind", "message"),
                       fill_only=("first_seen",), new_ids=False)
    return counts


def store_meetings_table(session: Session, page: MeetingsTable, *, url: str,
                         fetched_at: dt.datetime) -> Counts:
    """Store one yearly meetings table: meetings, resolutions, drafts, vote events, vetoes."""
    prov = _provenance(url, fetched_at)
    counts = Counts()
    meeting_rows = [
        {"record": m.record, "number": meeting_number(m.record), "date": m.date,
         "topic": m.topic or None, "press_release": m.press_release,
         "outcome_text": m.outcome_text or None, "written_procedure": m.written_procedure}
        for m in page.meetings
    ]
    meeting_ids, c = upsert(session, Meeting, meeting_rows, key="record", provenance=prov)
    counts += c

    held_at = _meetings_of_resolutions(session, page, meeting_ids)
    resolutions: list[dict[str, Any]] = []
    drafts: list[dict[str, Any]] = []
    statements: list[dict[str, Any]] = []
    for m in page.meetings:
        for d in m.decisions:
            if d.kind == "resolution" and d.symbol:
                number, year = parse_resolution_symbol(d.symbol)
                held, other = held_at.get(d.symbol, (m, None))
                resolutions.append({"symbol": d.symbol, "number": number, "year": year,
                                    "date": held.date, "meeting_id": meeting_ids[held.record],
                                    "printed_also_at_id": other})
            elif d.kind == "draft" and d.symbol and d.outcome:
                # A draft voted on and not adopted: its status is how its vote failed.
                drafts.append({"symbol": d.symbol, "date": m.date, "status": d.outcome.value})
            elif d.kind == "presidential_statement" and d.symbol:
                statements.append({"symbol": d.symbol, "date": m.date,
                                   "meeting_id": meeting_ids[m.record]})
    resolution_ids, c = upsert(session, Resolution, resolutions, key="symbol", provenance=prov)
    counts += c
    draft_ids, c = upsert(session, Draft, drafts, key="symbol", fill_only=("date",),
                          provenance=prov)
    counts += c
    _, c = upsert(session, PresidentialStatement, statements, key="symbol", provenance=prov,
                  new_ids=False)
    counts += c

    events: list[dict[str, Any]] = []
    vetoes: list[tuple[str, str]] = []
    for m in page.meetings:
        for d in m.decisions:
            if d.kind not in ("resolution", "draft") or not d.vote_key or d.outcome is None:
                continue
            tally = d.tally
            # Only the link this page knows: a later source may add the other one.
            link = ({"resolution_id": resolution_ids[d.symbol]} if d.kind == "resolution"
                    else {"draft_id": draft_ids[d.symbol]})
            held = held_at[d.symbol][0] if d.kind == "resolution" and d.symbol in held_at else m
            events.append({
                "key": d.vote_key, **link,
                "meeting_id": meeting_ids[held.record], "date": held.date,
                # A question the page does not name may come from the Veto List: left alone.
                **({"question": d.question} if d.question else {}),
                "outcome": d.outcome.value,
                "yes": tally.yes if tally else None, "no": tally.no if tally else None,
                "abstain": tally.abstain if tally else None,
                "non_voting": tally.non_voting if tally else None,
                "note": d.note,
            })
            vetoes.extend((d.vote_key, code) for code in d.vetoed_by)
    event_ids, c = upsert(session, VoteEvent, events, key="key", provenance=prov)
    counts += c
    counts += _settle_adoptions(session, seen_at=fetched_at, events={
        event_ids[row["key"]]: (row["key"], row["outcome"],
                                Tally(row["yes"], row["no"], row["abstain"])
                                if row["yes"] is not None else None)
        for row in events if row.get("resolution_id")})
    veto_rows = [{"vote_event_id": event_ids[k], "member_code": code, "source": SOURCE_MEETINGS}
                 for k, code in vetoes]
    counts += _replace_set(session, Veto, veto_rows, key=("vote_event_id", "member_code", "source"),
                           scope=scope_in(Veto, "vote_event_id", list(event_ids.values()),
                                          source=SOURCE_MEETINGS),
                           provenance=prov)
    counts += reconcile_same_votes(session, list(meeting_ids.values()), seen_at=fetched_at)
    counts += store_findings(session, SOURCE_MEETINGS, url,
                             [*page.findings, *_printed_twice(page)], seen_at=fetched_at)
    return counts


def _meetings_of_resolutions(session: Session, page: MeetingsTable, meeting_ids: Mapping[str, int]
                             ) -> dict[str, tuple[MeetingRecord, int | None]]:
    """Settle the meeting of each resolution the page prints at two meetings.

    Return {symbol: (the meeting kept, the id of the other one)}. The meeting a second
    source confirms is kept: the one the stored row already has (a voting record's
    meeting or date, or an earlier confirmation, see ``_confirm_printed_meetings``),
    else the first printed. So the result does not depend on which source came first.
    """
    by_record = {m.record: m for m in page.meetings}
    twice = {d.symbol: [m, *(by_record[r] for r in d.also_printed_at)]
             for m in page.meetings for d in m.decisions
             if d.kind == "resolution" and d.symbol and d.also_printed_at}
    if not twice:
        return {}
    r, mt = table_of(Resolution), table_of(Meeting)
    stored = {symbol: (record, date) for symbol, record, date in session.execute(
        select(r.c.symbol, mt.c.record, r.c.date).select_from(
            r.outerjoin(mt, r.c.meeting_id == mt.c.id)).where(r.c.symbol.in_(list(twice))))}
    settled: dict[str, tuple[MeetingRecord, int | None]] = {}
    for symbol, candidates in twice.items():
        record, date = stored.get(symbol, (None, None))
        held = (next((c for c in candidates if c.record == record), None)
                or next((c for c in candidates if record is None and c.date == date), None)
                or candidates[0])
        other = next(c for c in candidates if c is not held)
        settled[symbol] = (held, meeting_ids[other.record])
    return settled


def _printed_twice(page: MeetingsTable) -> list[FindingRecord]:
    """Flag each decision a page prints at two meetings."""
    dates = {m.record: m.date for m in page.meetings}
    findings = []
    for m in page.meetings:
        for d in m.decisions:
            if not d.also_printed_at or not d.symbol:
                continue
            where = " and ".join(f"{r} ({dates[r].isoformat()})"
                                 for r in [m.record, *d.also_printed_at])
            kept = ("the meeting a second source confirms (the voting record's meeting or "
                    "date) is kept, else the first" if d.kind == "resolution"
                    else "the first is kept")
            findings.append(FindingRecord(
                SOURCE_MEETINGS, m.record, "decision_printed_twice", Severity.WARNING,
                f"{d.symbol} is printed at two meetings, {where}; {kept}"))
    return findings


def _confirm_printed_meetings(session: Session, records: Sequence[VotingRecord],
                              meeting_ids: Mapping[str, int]) -> Counts:
    """Move a resolution the tables print at two meetings to the one its voting record names.

    The voting record confirms the other meeting by its meeting record (952), or, when it
    names none, by its date (269). The vote of adoption moves with it.
    """
    counts = Counts()
    symbols = [rec.resolution for rec in records if rec.resolution]
    if not symbols:
        return counts
    r, mt, e = table_of(Resolution), table_of(Meeting), table_of(VoteEvent)
    doubtful = session.execute(
        select(r.c.id, r.c.symbol, r.c.meeting_id, r.c.printed_also_at_id, mt.c.record,
               mt.c.date).select_from(r.join(mt, r.c.printed_also_at_id == mt.c.id))
        .where(r.c.symbol.in_(symbols), r.c.printed_also_at_id.is_not(None))).all()
    if not doubtful:
        return counts
    said = {rec.resolution: rec for rec in records if rec.resolution}
    for res_id, symbol, meeting_id, other_id, other_record, other_date in doubtful:
        rec = said[symbol]
        confirmed = (rec.meeting == other_record if rec.meeting
                     else _date(rec.date) == other_date)
        if not confirmed:
            continue
        session.execute(r.update().where(r.c.id == res_id).values(
            meeting_id=other_id, printed_also_at_id=meeting_id, date=other_date))
        session.execute(e.update().where(e.c.resolution_id == res_id,
                                         e.c.key == symbol).values(
            meeting_id=other_id, date=other_date))
        counts.changed += 1
    return counts


def store_veto_list(session: Session, page: VetoList, *, url: str,
                    fetched_at: dt.datetime) -> Counts:
    """Store the Veto List: its vetoes as the Library counts them (per draft, every P5 member)."""
    prov = _provenance(url, fetched_at)
    counts = Counts()
    fill_meeting = ("number", "date")
    # A written-procedure vote cites two letters: join the one the tables already use.
    cited = [letter for e in page.entries for letter in e.letters]
    m = table_of(Meeting)
    known = set(session.execute(select(m.c.record).where(m.c.record.in_(cited))).scalars()) \
        if cited else set()
    for e in page.entries:
        if e.letters:
            # Letters are not meetings: link to the one the tables keyed the vote by, if any,
            # and create none (the tables will link the vote when they are synced).
            stored = [letter for letter in e.letters if letter in known]
            e.meeting = stored[0] if stored else None
    meeting_rows = [
        {"record": e.meeting, "number": meeting_number(e.meeting), "date": e.date}
        for e in page.entries if e.meeting
    ]
    meeting_ids, c = upsert(session, Meeting, meeting_rows, key="record", fill_only=fill_meeting,
                            provenance=prov, secondary=True)
    counts += c
    # A draft the tables record under another symbol of the same vote (see
    # reconcile_same_votes): its vetoes join that vote; no second draft is put to the vote.
    e_t = table_of(VoteEvent)
    printed = {p: key for key, p in session.execute(
        select(e_t.c.key, e_t.c.printed_as).where(
            e_t.c.printed_as.in_([e.draft for e in page.entries if not e.question])))}
    same = {e.vote_key: printed[e.draft] for e in page.entries
            if not e.question and e.draft in printed}
    draft_rows = [{"symbol": e.draft, "date": e.date, "status": "vetoed"} for e in page.entries
                  if e.vote_key not in same]
    draft_ids, c = upsert(session, Draft, draft_rows, key="symbol", fill_only=("date", "status"),
                          provenance=prov, secondary=True)
    counts += c
    event_rows = [
        {"key": same.get(e.vote_key, e.vote_key),
         **({"draft_id": draft_ids[e.draft]} if e.vote_key not in same else {}),
         "meeting_id": meeting_ids.get(e.meeting) if e.meeting else None,
         "date": e.date, "question": e.question, "outcome": Outcome.VETOED.value,
         "agenda": e.agenda}
        for e in page.entries
    ]
    event_ids, c = upsert(session, VoteEvent, event_rows, key="key",
                          fill_only=("draft_id", "meeting_id", "date", "question", "outcome"),
                          provenance=prov, secondary=True)
    counts += c
    veto_rows = [{"vote_event_id": event_ids[same.get(e.vote_key, e.vote_key)],
                  "member_code": code, "source": SOURCE_VETO_LIST}
                 for e in page.entries for code in e.members]
    # A page with rows it could not read replaces only the vetoes of the rows it read: the
    # vetoes stored from an unreadable row are kept, never removed for their absence.
    scope = (scope_in(Veto, "vote_event_id", list(event_ids.values()), source=SOURCE_VETO_LIST)
             if page.errors else scope_in(Veto, "source", None, source=SOURCE_VETO_LIST))
    counts += _replace_set(session, Veto, veto_rows, key=("vote_event_id", "member_code", "source"),
                           scope=scope, provenance=prov)
    counts += reconcile_same_votes(session, list(meeting_ids.values()), seen_at=fetched_at)
    printed = {p: key for key, p in session.execute(
        select(e_t.c.key, e_t.c.printed_as).where(e_t.c.printed_as.in_(list(
            {e.draft for e in page.entries if not e.question}))))}
    reconciled = [_same_vote_finding(e.draft, printed[e.draft], e.meeting or "", e.members, url)
                  for e in page.entries if not e.question and e.draft in printed]
    counts += store_findings(session, SOURCE_VETO_LIST, url, [*page.findings, *reconciled],
                             seen_at=fetched_at)
    return counts


def _same_vote_finding(printed: str, voted: str, meeting: str, members: Sequence[str],
                       url: str | None) -> FindingRecord:
    return FindingRecord(
        SOURCE_VETO_LIST, printed, "same_vote_two_symbols", Severity.INFO,
        f"{printed} (the Veto List) and {voted} (the meetings table) are one vote at {meeting}, "
        f"vetoed by {', '.join(sorted(members))}: counted once, as the vote on {voted}; "
        f"{printed} is kept as the symbol the Veto List prints for it", url)


def reconcile_same_votes(session: Session, meeting_ids: Sequence[int], *,
                         seen_at: dt.datetime) -> Counts:
    """Make a draft and its revision one vote when they are: voted at the same meeting,
    on the same question, vetoed by the same members, one named only by the Veto List and
    the other only by the meetings tables. The tables' draft is the one put to the vote
    (they own draft status); the Veto List's symbol is kept on the vote as ``printed_as``.
    """
    counts = Counts()
    if not meeting_ids:
        return counts
    e, d, v, m = table_of(VoteEvent), table_of(Draft), table_of(Veto), table_of(Meeting)
    events = session.execute(
        select(e.c.id, e.c.meeting_id, e.c.question, e.c.agenda, d.c.id, d.c.symbol, m.c.record)
        .join(d, d.c.id == e.c.draft_id).join(m, m.c.id == e.c.meeting_id)
        .where(e.c.meeting_id.in_(list(meeting_ids)), e.c.outcome == Outcome.VETOED.value)
    ).all()
    if len(events) < 2:
        return counts
    named: dict[tuple[int, str], set[str]] = {}
    urls: dict[int, str | None] = {}
    for event_id, code, source, url in session.execute(
            select(v.c.vote_event_id, v.c.member_code, v.c.source, v.c.source_url)
            .where(v.c.vote_event_id.in_([x[0] for x in events]))):
        named.setdefault((event_id, source), set()).add(code)
        if source == SOURCE_VETO_LIST:
            urls[event_id] = url
    tables_only = [x for x in events if (x[0], SOURCE_MEETINGS) in named
                   and (x[0], SOURCE_VETO_LIST) not in named]
    list_only = [x for x in events if (x[0], SOURCE_VETO_LIST) in named
                 and (x[0], SOURCE_MEETINGS) not in named]
    findings: list[FindingRecord] = []
    for a_id, meeting, question, agenda, _, a_symbol, record in tables_only:
        for b_id, b_meeting, b_question, b_agenda, b_draft, b_symbol, _ in list_only:
            if (b_meeting != meeting or b_question != question or b_symbol == a_symbol
                    or draft_base(b_symbol) != draft_base(a_symbol)
                    or named[(a_id, SOURCE_MEETINGS)] != named[(b_id, SOURCE_VETO_LIST)]):
                continue
            session.execute(v.update().where(v.c.vote_event_id == b_id).values(
                vote_event_id=a_id))
            session.execute(e.delete().where(e.c.id == b_id))
            session.execute(e.update().where(e.c.id == a_id).values(
                printed_as=b_symbol, agenda=agenda or b_agenda))
            # The Veto List's draft was not put to the vote of its own: no status of its own.
            session.execute(d.update().where(d.c.id == b_draft, d.c.status == "vetoed")
                            .values(status=None))
            counts.changed += 1
            counts.deleted += 1
            found = _same_vote_finding(b_symbol, a_symbol, record,
                                       sorted(named[(b_id, SOURCE_VETO_LIST)]), urls.get(b_id))
            findings.append(found)
            list_only = [x for x in list_only if x[0] != b_id]
            break
    counts += _add_findings(session, findings, seen_at=seen_at)
    return counts


def _roll_call(record: VotingRecord) -> tuple[list[tuple[str, str]], int | None, int | None]:
    """Return a voting record's roll call, its count in favour and its year, as the
    Council's rules (``council.rules``) take them."""
    return ([(v.code, v.vote) for v in record.votes],
            record.totals.yes if record.totals is not None else None,
            int(record.date[:4]) if record.date else None)


def _failed_outcome(record: VotingRecord) -> Outcome:
    """Return how a draft voted on without adoption failed, by the Council's rules."""
    votes, yes, year = _roll_call(record)
    return roll_call_outcome(votes, yes=yes, year=year)


MEMBER_VOTE_COLUMNS = ("vote_event_id", "member_code", "vote", "name_at_time", "source_url",
                       "fetched_at")


def store_voting_records(session: Session, records: Sequence[VotingRecord], *, source: str,
                         fetched_at: Mapping[str, dt.datetime] | dt.datetime) -> Counts:
    """Store Digital Library voting records (scraped or from the dataset): roll calls.

    The records add to rows the Library's tables state (meetings, resolutions,
    vote events: filled where empty, provenance kept) and own the roll calls:
    each member's vote, the title of the resolution, and the vetoes derived
    from a failed draft's roll call. ``fetched_at`` is one time, or one per record id.
    """
    counts = Counts()
    if not records:
        return counts

    def when(record: VotingRecord) -> dt.datetime:
        return fetched_at if isinstance(fetched_at, dt.datetime) else fetched_at[record.record_id]

    def prov(record: VotingRecord) -> dict[str, Any]:
        return {"source_url": record.url, "fetched_at": when(record)}

    # A vote is one record's: a second record of the source giving the same vote is set
    # aside (read, named in a finding, nothing of it stored), whatever order they come in.
    records, claimants, displaced = _owners_of_votes(session, records, source=source)
    for r, owner in claimants:
        counts += store_findings_of(session, source, {r.url: (
            [*r.findings, _vote_claimed_twice(source, r, owner)], when(r))})
    if displaced:
        counts += _add_findings(session, displaced, seen_at=min(map(when, records)))
    _, c = upsert(session, SourceRecord, [
        {"source": source, "record_id": r.record_id, "modified": r.modified,
         "vote_event_id": None, **prov(r)} for r, _ in claimants], key=("source", "record_id"),
        new_ids=False)
    counts += c
    if not records:
        return counts

    meeting_rows = [{"record": r.meeting, "number": meeting_number(r.meeting),
                     "date": _date(r.date), **prov(r)} for r in records if r.meeting]
    meeting_ids, c = upsert(session, Meeting, meeting_rows, key="record",
                            fill_only=("number", "date"), secondary=True)
    counts += c
    draft_rows = [{"symbol": r.draft, "date": _date(r.date),
                   "status": "adopted" if r.resolution else _failed_outcome(r).value, **prov(r)}
                  for r in records if r.draft]
    draft_ids, c = upsert(session, Draft, draft_rows, key="symbol", fill_only=("date", "status"),
                          secondary=True)
    counts += c
    resolution_rows = []
    for r in records:
        if r.resolution:
            number, year = parse_resolution_symbol(r.resolution)
            resolution_rows.append({
                "symbol": r.resolution, "number": number, "year": year, "title": r.title,
                "date": _date(r.date), "draft_id": draft_ids.get(r.draft) if r.draft else None,
                "meeting_id": meeting_ids.get(r.meeting) if r.meeting else None, **prov(r)})
    resolution_ids, c = upsert(session, Resolution, resolution_rows, key="symbol",
                               fill_only=("number", "year", "date", "draft_id", "meeting_id"),
                               secondary=True)
    counts += c
    counts.changed += _name_drafts(session, [
        (resolution_ids[r.resolution], draft_ids[r.draft]) for r in records
        if r.resolution and r.draft and r.resolution in resolution_ids and r.draft in draft_ids])
    elsewhere = _outcomes_stated_elsewhere(session, records)
    refused: set[str] = set()  # records whose roll call another source's outcome rules out
    settled: dict[str, list[FindingRecord]] = {}
    for r in records:
        other = elsewhere.get(r.vote_key or "")
        settled[r.record_id] = list(r.findings)
        if other is None:
            continue
        outcome, tally = other
        counted = _counted(v.vote for v in r.votes)
        if outcome == Outcome.ADOPTED_WITHOUT_VOTE.value and not r.without_vote and counted.cast:
            refused.add(r.record_id)
            settled[r.record_id].append(_roll_call_on_adoption_without_vote(
                source, r.vote_key or "", r.record_id, counted, r.url))
        elif r.without_vote and outcome in ADOPTED_WITH_A_VOTE and tally is not None:
            settled[r.record_id].append(_tally_on_adoption_without_vote(
                source, r.vote_key or "", r.record_id, tally, r.url))

    def no_vote(record: VotingRecord) -> bool:
        return record.without_vote or record.record_id in refused

    event_rows = []
    for r in records:
        tally = r.totals if not no_vote(r) else None
        if r.resolution:
            outcome = Outcome.ADOPTED_WITHOUT_VOTE if r.without_vote else Outcome.ADOPTED_WITH_VOTE
        else:
            outcome = _failed_outcome(r)
        event_rows.append({
            "key": r.vote_key,
            "resolution_id": resolution_ids.get(r.resolution) if r.resolution else None,
            "draft_id": draft_ids.get(r.draft) if r.draft else None,
            "meeting_id": meeting_ids.get(r.meeting) if r.meeting else None,
            "date": _date(r.date), "outcome": outcome.value, "agenda": r.agenda,
            "yes": tally.yes if tally else None, "no": tally.no if tally else None,
            "abstain": tally.abstain if tally else None,
            "non_voting": tally.non_voting if tally else None,
            **prov(r)})
    event_ids, c = upsert(session, VoteEvent, event_rows, key="key",
                          fill_only=tuple(k for k in event_rows[0] if k != "key"), secondary=True)
    counts += c
    counts += _confirm_printed_meetings(session, records, meeting_ids)

    # Roll calls. An adoption without a vote has none: the Library's dataset codes
    # it as all "Y", which would invent votes that were never cast; and a roll call
    # on what the tables (which own outcomes) call an adoption without a vote is refused.
    vote_rows: list[tuple[Any, ...]] = []  # in the order of MEMBER_VOTE_COLUMNS
    for r in records:
        if no_vote(r):
            continue
        event_id, url, at = event_ids[r.vote_key], r.url, when(r)
        vote_rows.extend((event_id, v.code, v.vote, v.name, url, at) for v in r.votes)
    stated = {row[:2] for row in vote_rows}
    mv = table_of(MemberVote)
    covered = [event_ids[r.vote_key] for r in records]
    # The votes the batch's events hold that the records no longer state, read before the
    # upsert (which touches only stated votes): on a first sync, an empty answer.
    present = session.execute(select(mv.c.id, mv.c.vote_event_id, mv.c.member_code)
                              .where(mv.c.vote_event_id.in_(covered)))
    present_keys = {(e, m): i for i, e, m in present}
    stale = [i for k, i in present_keys.items() if k not in stated]
    if not present_keys and len(stated) == len(vote_rows):
        # None of the events holds a vote yet (a first sync), and no vote is stated twice:
        # every roll call goes in with one bulk insert of plain tuples.
        counts += insert_new(session, MemberVote, MEMBER_VOTE_COLUMNS, vote_rows)
    else:
        _, c = upsert(session, MemberVote, [dict(zip(MEMBER_VOTE_COLUMNS, row, strict=True))
                                            for row in vote_rows],
                      key=("vote_event_id", "member_code"), new_ids=False,
                      absent=not present_keys)
        counts += c
    if stale:
        session.execute(mv.delete().where(mv.c.id.in_(stale)))
        counts.deleted += len(stale)

    veto_rows: list[dict[str, Any]] = []
    for r in records:
        if not r.resolution:  # a draft's roll call: its vetoes, by the Charter's rule
            cast, yes, voted_in = _roll_call(r)
            veto_rows.extend({"vote_event_id": event_ids[r.vote_key], "member_code": code,
                              "source": VETO_FROM_ROLL_CALL, **prov(r)}
                             for code in vetoes_in_roll_call(cast, yes=yes, year=voted_in))
    counts += _replace_set(session, Veto, veto_rows, key=("vote_event_id", "member_code", "source"),
                           scope=scope_in(Veto, "vote_event_id", covered,
                                          source=VETO_FROM_ROLL_CALL))

    counts += store_findings_of(session, source, {r.url: (settled[r.record_id], when(r))
                                                  for r in records})
    _, c = upsert(session, SourceRecord, [
        {"source": source, "record_id": r.record_id, "modified": r.modified,
         "vote_event_id": event_ids[r.vote_key], **prov(r)} for r in records],
        key=("source", "record_id"), new_ids=False)
    counts += c
    return counts


def _record_order(record_id: str) -> tuple[int, int, str]:
    """Order record ids as the Library made them (numbers, not text: 999 before 1000)."""
    return (0, int(record_id), "") if record_id.isdigit() else (1, 0, record_id)


def _owners_of_votes(session: Session, records: Sequence[VotingRecord], *, source: str
                     ) -> tuple[list[VotingRecord], list[tuple[VotingRecord, tuple[str, str]]],
                                list[FindingRecord]]:
    """Return the records that own their vote, the records that claim a vote another
    record of the same source owns (each with that owner's id and URL), and the findings
    of stored records that a record read now takes the vote from.

    A vote (a resolution, or a draft voted on) has one voting record. When two records
    of one source give it, the one the Library made first (the lower record id) keeps
    it, in this batch or stored before: the result does not depend on the order in
    which records are read. Nothing of the other is stored: not its roll call, title,
    draft or vetoes.
    """
    by_key: dict[str, list[tuple[str, str]]] = {}
    for r in records:
        if r.vote_key:
            by_key.setdefault(r.vote_key, []).append((r.record_id, r.url))
    e, sr = table_of(VoteEvent), table_of(SourceRecord)
    here = {r.record_id for r in records}
    stored: dict[str, list[tuple[str, str]]] = {}
    keys = list(by_key)
    for i in range(0, len(keys), 500):
        for key, record_id, url in session.execute(
                select(e.c.key, sr.c.record_id, sr.c.source_url)
                .join(e, e.c.id == sr.c.vote_event_id)
                .where(sr.c.source == source, e.c.key.in_(keys[i:i + 500]))):
            if record_id not in here:  # a record read again claims what it says now
                stored.setdefault(key, []).append((record_id, url or ""))
    owner = {key: min([*claims, *stored.get(key, [])], key=lambda c: _record_order(c[0]))
             for key, claims in by_key.items()
             if len(claims) > 1 or key in stored}
    kept = [r for r in records if not r.vote_key or owner.get(r.vote_key, (r.record_id,))[0]
            == r.record_id]
    claimants = [(r, owner[r.vote_key]) for r in records
                 if r.vote_key and owner.get(r.vote_key, (r.record_id,))[0] != r.record_id]
    displaced: list[FindingRecord] = []
    for key, olders in stored.items():
        for record_id, url in olders:
            if key in owner and owner[key][0] != record_id:
                winner = owner[key][0]
                displaced.append(FindingRecord(
                    source, key, "vote_claimed_by_two_records", Severity.ERROR,
                    f"{key}: the Digital Library's voting records {winner} and {record_id} "
                    f"both give this vote. Kept: the roll call of record {winner}, the one "
                    f"the Library made first; record {record_id}'s is no longer stored", url))
                session.execute(sr.update().where(sr.c.source == source,
                                                  sr.c.record_id == record_id)
                                .values(vote_event_id=None))
                # The rows the displaced record stated pass to the owner, which updates them.
                # The owner is in this batch, or (in a database an earlier version wrote,
                # where two stored records could share a vote) stored already.
                winner_url = next((r.url for r in records if r.record_id == winner),
                                  owner[key][1])
                for model in (VoteEvent, Resolution):
                    t = table_of(model)
                    session.execute(t.update().where(t.c.source_url == url)
                                    .values(source_url=winner_url))
    return kept, claimants, displaced


def _vote_claimed_twice(source: str, record: VotingRecord, owner: tuple[str, str]
                        ) -> FindingRecord:
    counted = _counted(v.vote for v in record.votes)
    return FindingRecord(
        source, record.vote_key or record.record_id, "vote_claimed_by_two_records",
        Severity.ERROR,
        f"{record.vote_key}: the Digital Library's voting records {owner[0]} and "
        f"{record.record_id} both give this vote. Kept: the roll call of record {owner[0]}, "
        f"the one the Library made first; record {record.record_id} (a roll call of "
        f"{counted}) is not stored, so it cannot overwrite the vote", record.url)


def _counted(votes: Iterable[str]) -> Tally:
    """Return a roll call's count: in favour, against, abstaining, not voting."""
    listed = list(votes)
    return Tally(listed.count("Y"), listed.count("N"), listed.count("A"), listed.count("X"))


def _outcomes_stated_elsewhere(session: Session, records: Sequence[VotingRecord]
                               ) -> dict[str, tuple[str, Tally | None]]:
    """Return {vote key: (outcome, tally)} of the votes another source (a meetings table)
    states the outcome of, for these records."""
    e = table_of(VoteEvent)
    keys = [r.vote_key for r in records if r.vote_key]
    own = {r.vote_key: r.url for r in records}
    out: dict[str, tuple[str, Tally | None]] = {}
    for i in range(0, len(keys), 500):
        for key, outcome, yes, no, abstain, url in session.execute(
                select(e.c.key, e.c.outcome, e.c.yes, e.c.no, e.c.abstain, e.c.source_url)
                .where(e.c.key.in_(keys[i:i + 500]))):
            if outcome is not None and url != own.get(key):
                tally = Tally(yes, no, abstain) if yes is not None else None
                out[key] = (outcome, tally)
    return out


def _roll_call_on_adoption_without_vote(source: str, key: str, record_id: str, counted: Tally,
                                        url: str | None) -> FindingRecord:
    return FindingRecord(
        source, key, "roll_call_on_adoption_without_vote", Severity.WARNING,
        f"{key}: the meetings table says adopted without a vote; the Digital Library's voting "
        f"record {record_id} gives a roll call of {counted} ({counted.non_voting} not voting). "
        "Kept: adopted without a vote, with no tally and no roll call (the tables own outcomes "
        "and tallies; the Library codes adoptions without a vote as all in favour)", url)


def _tally_on_adoption_without_vote(source: str, key: str, record_id: str, tally: Tally,
                                    url: str | None) -> FindingRecord:
    return FindingRecord(
        source, key, "tally_on_adoption_without_vote", Severity.WARNING,
        f"{key}: the Digital Library's voting record {record_id} gives no member's vote and no "
        f"votes counted (an adoption without a vote); the meetings table prints a vote of "
        f"{tally}. Kept: the table's {tally} (the tables own outcomes and tallies), "
        "with no roll call", url)


def _settle_adoptions(session: Session, *, events: Mapping[int, tuple[str, str, Tally | None]],
                      seen_at: dt.datetime) -> Counts:
    """Hold the meetings tables' outcomes against the roll calls stored before them.

    An adoption the tables call without a vote keeps no roll call; a tally the tables
    print on a vote whose voting record gave no vote is kept, and named. Either is a
    finding of the voting record's source, the same one its own store gives when the
    tables come first, so the result does not depend on the order of the sources.
    """
    counts = Counts()
    if not events:
        return counts
    mv, sr = table_of(MemberVote), table_of(SourceRecord)
    ids = list(events)
    votes: dict[int, list[str]] = {}
    records: dict[int, tuple[str, str, str | None]] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        for event_id, vote in session.execute(select(mv.c.vote_event_id, mv.c.vote)
                                              .where(mv.c.vote_event_id.in_(chunk))):
            votes.setdefault(event_id, []).append(vote)
        for event_id, source, record_id, url in session.execute(
                select(sr.c.vote_event_id, sr.c.source, sr.c.record_id, sr.c.source_url)
                .where(sr.c.vote_event_id.in_(chunk))):
            records[event_id] = (source, record_id, url)
    findings: list[FindingRecord] = []
    refused: list[int] = []
    for event_id, (key, outcome, tally) in events.items():
        if event_id not in records:
            continue
        source, record_id, url = records[event_id]
        found = None
        if outcome == Outcome.ADOPTED_WITHOUT_VOTE.value and event_id in votes:
            refused.append(event_id)
            found = _roll_call_on_adoption_without_vote(source, key, record_id,
                                                        _counted(votes[event_id]), url)
        elif outcome in ADOPTED_WITH_A_VOTE and tally is not None and event_id not in votes:
            found = _tally_on_adoption_without_vote(source, key, record_id, tally, url)
        if found is not None:
            findings.append(found)
    if refused:
        counts.deleted += session.execute(  # type: ignore[attr-defined]
            mv.delete().where(mv.c.vote_event_id.in_(refused))).rowcount
    counts += _add_findings(session, findings, seen_at=seen_at)
    return counts


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def known_records(session: Session, source: str) -> dict[str, str | None]:
    """Return {record id: last-change stamp} of the records stored from a source."""
    t = table_of(SourceRecord)
    return {rid: mod for rid, mod in session.execute(
        select(t.c.record_id, t.c.modified).where(t.c.source == source))}


def store_documents(session: Session, records: Sequence[DocumentRecord], *, source: str,
                    fetched_at: Mapping[str, dt.datetime] | dt.datetime) -> Counts:
    """Store draft resolutions' document records: titles, sponsors, bodies, the link.

    The records own a draft's title, sponsors, subjects and the resolution link as
    printed (993). A link never creates a resolution: ``db.links`` accepts it once the
    tables or voting records know the resolution.
    """
    counts = Counts()
    if not records:
        return counts

    def prov(record: DocumentRecord) -> dict[str, Any]:
        when = fetched_at if isinstance(fetched_at, dt.datetime) else fetched_at[record.record_id]
        return {"source_url": record.url, "fetched_at": when}

    draft_rows = [{
        "symbol": r.symbol, "date": _date(r.date), "title": r.title,
        "sponsors_text": r.sponsors_text, "bodies": "; ".join(r.bodies) or None,
        "subjects": "; ".join(r.subjects) or None, "resolution_link": r.resolution,
        **prov(r)} for r in records]
    draft_ids, c = upsert(session, Draft, draft_rows, key="symbol",
                          fill_only=("date",), secondary=True)
    counts += c
    sponsor_rows = [{"draft_id": draft_ids[r.symbol], "member_code": code, **prov(r)}
                    for r in records for code in r.sponsors]
    counts += _replace_set(session, Sponsorship, sponsor_rows, key=("draft_id", "member_code"),
                           scope=scope_in(Sponsorship, "draft_id", list(draft_ids.values())))
    counts += store_findings_of(session, source, {r.url: (r.findings, prov(r)["fetched_at"])
                                                  for r in records})
    _, c = upsert(session, SourceRecord, [
        {"source": source, "record_id": r.record_id, "modified": r.modified, **prov(r)}
        for r in records], key=("source", "record_id"), new_ids=False)
    counts += c
    note_lookups(session, source, {r.symbol: r.record_id for r in records},
                 checked_at=max(prov(r)["fetched_at"] for r in records))
    return counts


def note_lookups(session: Session, source: str, found: Mapping[str, str | None], *,
                 checked_at: dt.datetime) -> None:
    """Remember which symbols a source has a record of (or not: ``None``)."""
    if found:
        upsert(session, SymbolLookup, [
            {"source": source, "symbol": symbol, "record_id": record_id, "checked_at": checked_at}
            for symbol, record_id in found.items()], key=("source", "symbol"))


def drafts_to_look_up(session: Session, source: str, *, retry_misses: bool) -> list[str]:
    """Return the drafts with a document symbol that no record of the source covers yet."""
    d, lookup = table_of(Draft), table_of(SymbolLookup)
    asked = {symbol: record_id for symbol, record_id in session.execute(
        select(lookup.c.symbol, lookup.c.record_id).where(lookup.c.source == source))}
    symbols = session.execute(select(d.c.symbol).order_by(d.c.symbol)).scalars()
    return [s for s in symbols if re.fullmatch(r"S/\d+(?:/\d+)?(?:/(?:Rev|Corr|Add)\.\d+)*", s)
            and (s not in asked or (retry_misses and asked[s] is None))]


def sync_history(session: Session, source: str) -> tuple[bool, dt.datetime | None]:
    """Return whether a source was ever synced in full, and when it last synced cleanly."""
    from sqlalchemy import func

    from db.models import SyncRun

    runs = table_of(SyncRun)
    complete = session.execute(
        select(runs.c.id).where(runs.c.source == source, runs.c.ok.is_(True),
                                runs.c.complete.is_(True)).limit(1)).first()
    last_ok = session.execute(
        select(func.max(runs.c.started_at)).where(runs.c.source == source,
                                                  runs.c.ok.is_(True))).scalar()
    return complete is not None, last_ok
