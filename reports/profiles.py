"""Profiles: one roll call, member, draft or mandate in full, shaped to be shown.

Each profile holds what the report functions return (a heading object and named tables)
and gives it in the forms the command line shows: a heading line, titled tables, one
table for CSV, one object for JSON. Nothing here reads more than those functions do.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select

from council.rules import Outcome, council_size
from db import tables
from db.provisional import provisional_events, release_of
from reports.formats import joined, jsonable, nullable_integers, records
from reports.outcomes import vote_facts
from reports.rollcalls import find_vote_event, member_record
from reports.rollcalls import votes as roll_call

ROLL_CALL_COLUMNS = ["member_code", "member_name", "vote", "permanent", "known"]


def _jsonable_object(values: dict[str, Any]) -> dict[str, Any]:
    """Return an object's values as JSON has them; lists (of codes, names, URLs) as they are."""
    return {k: v if isinstance(v, list) else jsonable(v) for k, v in values.items()}


@dataclass(frozen=True)
class RollCallProfile:
    """One vote: its key, date, and its facts (outcome, tally, vetoing members, the findings
    that say why a fact is not stored: ``reports.outcomes.vote_facts``), and each member's
    vote (empty when no source gives the roll call)."""

    event: dict[str, Any]
    votes: pd.DataFrame

    @property
    def tally(self) -> str:
        e = self.event
        if e["tally"] is not None:
            return str(e["tally"])
        if e["not_stored"]:
            return f"tally not stored ({e['not_stored']})"
        return "tally not known"

    @property
    def heading(self) -> str:
        """Return the line naming the vote: ``S/2024/255 (2024-03-28): vetoed, 13-1-1``, and
        when it is provisional, from which release it is known."""
        e = self.event
        vetoed = f" by {', '.join(e['vetoed_by'])}" if e["vetoed_by"] else ""
        known = (f" (provisional: known only from press release {e['provisional']})"
                 if e.get("provisional") else "")
        return f"{e['key']} ({e['date']}): {e['outcome']}{vetoed}, {self.tally}{known}"

    @property
    def no_roll_call(self) -> str | None:
        """Return why the vote has no roll call (adopted without a vote, or no source gives
        one yet), or None when it has one."""
        if not self.votes.empty:
            return None
        if self.event["outcome"] in (Outcome.ADOPTED_WITHOUT_VOTE,
                                     Outcome.ADOPTED_BY_WRITTEN_PROCEDURE):
            return (f"{self.event['outcome'].replace('_', ' ')}: there was no roll call")
        return "no roll call is stored for this vote (no source gives one yet)"

    @property
    def partial(self) -> str | None:
        """Return what to tell when the roll call names only some of the members (a press
        release named those against and abstaining, and the others could not be derived),
        or None."""
        date = self.event.get("date")
        if self.votes.empty or date is None:
            return None
        seats = council_size(date.year)
        if len(self.votes) >= seats:
            return None
        return (f"the roll call names {len(self.votes)} of the {seats} members; the others' "
                "votes are not known (`tracker check` says why)")

    @property
    def missing(self) -> str | None:
        """Return what to tell when no roll call is stored, or None."""
        if self.no_roll_call is None:
            return None
        e = self.event
        return f"{e['key']}: {e['outcome']}, {self.tally}; {self.no_roll_call}"

    def as_json(self) -> dict[str, Any]:
        """Return the vote as one object: its facts, then its roll call (a list, empty only
        when there is none, ``no_roll_call`` saying why)."""
        e = self.event
        return _jsonable_object({
            "vote": e["key"], "date": e["date"], "outcome": e["outcome"], "tally": e["tally"],
            "yes": e["yes"], "no": e["no"], "abstain": e["abstain"],
            "non_voting": e["non_voting"], "vetoed_by": e["vetoed_by"] or [],
            "not_stored": e["not_stored"], "meeting": e.get("meeting"),
            "draft": e.get("draft"), "resolution": e.get("resolution"),
            "question": e["question"], "agenda": e["agenda"], "source_url": e["source_url"],
            "provisional": bool(e.get("provisional")),
            "roll_call": records(self.votes), "no_roll_call": self.no_roll_call})


def rollcall_profile(engine: Engine, symbol: str, *, explain: bool = False) -> RollCallProfile:
    """Return the vote on a resolution (S/RES/2722 (2024)) or a draft (S/2024/255)."""
    event = find_vote_event(engine, symbol)
    facts = vote_facts(engine, [int(event["id"])]).iloc[0]
    m, r = tables.meeting, tables.resolution
    with engine.connect() as connection:
        meeting = connection.execute(select(m.c.record).where(
            m.c.id == event["meeting_id"])).scalar_one_or_none()
        resolution = connection.execute(select(r.c.symbol).where(
            r.c.id == event["resolution_id"])).scalar_one_or_none()
        provisional = connection.execute(provisional_events().where(
            tables.vote_event.c.id == event["id"])).first() is not None
    return RollCallProfile(
        event={**event, "meeting": meeting, "resolution": resolution,
               "provisional": release_of(event["source_url"]) if provisional else None,
               **{k: jsonable(facts[k]) for k in ("outcome", "tally", "vetoed_by", "draft",
                                                  "not_stored")}},
        votes=roll_call(engine, symbol, explain=explain))


@dataclass(frozen=True)
class MemberProfile:
    """A member's record: who it is, and its terms, votes by year, vetoes cast, and the
    resolutions it voted against or abstained on."""

    member: dict[str, Any]
    parts: dict[str, pd.DataFrame]

    @property
    def heading(self) -> str:
        """Return the line naming the member, its permanent seat, and its number of votes."""
        m = self.member
        failed = m.get("votes_on_failed_drafts")
        return (f"{m['member_code']} {m['member_name']}"
                f"{' (permanent member)' if m['permanent'] else ''}: {m['votes']} votes"
                + (f" ({failed} on drafts that failed)" if failed else ""))

    def titled_parts(self) -> dict[str, pd.DataFrame]:
        """Return the parts by title ("Votes by year")."""
        return {key.replace("_", " ").capitalize(): frame for key, frame in self.parts.items()}

    def as_table(self) -> pd.DataFrame:
        """Return every part in one table, the part named in a first column "part"."""
        # Integers stay integers where a part has no such column (CSV writes 1946, not 1946.0).
        frames = [nullable_integers(frame).assign(part=key) for key, frame in self.parts.items()
                  if not frame.empty]
        if not frames:
            return pd.DataFrame()
        combined = pd.concat(frames, ignore_index=True)
        return combined[["part", *[c for c in combined.columns if c != "part"]]]

    def as_json(self) -> dict[str, Any]:
        """Return the record as one object: the member, then each part as a list of rows."""
        return {"member": self.member, **{k: records(v) for k, v in self.parts.items()}}


def member_profile(engine: Engine, member: str, *, since: dt.date | None = None,
                   until: dt.date | None = None) -> MemberProfile:
    """Return a member's record (by code or name), from ``since`` to ``until``."""
    record = member_record(engine, member, since=since, until=until)
    return MemberProfile(member=record["member"],
                         parts={k: v for k, v in record.items() if k != "member"})


@dataclass(frozen=True)
class DraftProfile:
    """Everything about one draft: its fields, the votes on it, the vetoes each source
    names, and the roll call if a source gives one."""

    draft: dict[str, Any]
    votes: list[dict[str, Any]]
    vetoes: pd.DataFrame
    roll_call: pd.DataFrame

    @property
    def title(self) -> str:
        return f"Draft {self.draft['symbol']}"

    def fields(self) -> pd.DataFrame:
        """Return the draft's fields as rows (field, value); a list as one text
        (``reports.formats.joined``)."""
        return pd.DataFrame([{"field": k, "value": joined(v) if isinstance(v, list)
                              else jsonable(v)} for k, v in self.draft.items()])

    def votes_table(self) -> pd.DataFrame:
        """Return the votes on the draft (a preliminary question is a vote of its own)."""
        return pd.DataFrame(self.votes)

    def as_json(self) -> dict[str, Any]:
        """Return the draft as one object: its fields, votes, vetoes and roll call."""
        return {"draft": _jsonable_object(self.draft),
                "votes": [_jsonable_object(vote) for vote in self.votes],
                "vetoes": records(self.vetoes),
                "roll_call": records(self.roll_call)}


def draft_profile(engine: Engine, symbol: str) -> DraftProfile:
    """Return everything about one draft, found by its symbol or the one the Veto List
    prints for its vote."""
    from reports.drafts import draft  # here: the other profiles do without it

    result = draft(engine, symbol)
    return DraftProfile(draft=result["draft"], votes=result["votes"], vetoes=result["vetoes"],
                        roll_call=result["roll_call"])


@dataclass(frozen=True)
class MandateProfile:
    """A mandate and its timeline, as of a date."""

    mandate: dict[str, Any]
    timeline: pd.DataFrame

    @property
    def heading(self) -> str:
        """Return the line naming the mandate, its kind, and its status and expiry."""
        m = self.mandate
        return (f"{m['name']} ({m['kind']}): {m['status']} as of {m['as_of']}"
                f"{', expiry ' + str(m['expiry']) if m['expiry'] else ''}")

    @property
    def title(self) -> str:
        return f"Timeline of {self.mandate['slug']}"

    def as_json(self) -> dict[str, Any]:
        """Return the mandate and its timeline as one object."""
        return {"mandate": _jsonable_object(self.mandate), "timeline": records(self.timeline)}


def mandate_profile(engine: Engine, slug: str, *, as_of: dt.date | None = None
                    ) -> MandateProfile:
    """Return a mandate's timeline as of a date (today if not given)."""
    from reports.mandates import mandate_timeline  # here: the other profiles do without it

    result = mandate_timeline(engine, slug, as_of=as_of)
    return MandateProfile(mandate=result["mandate"], timeline=result["timeline"])
