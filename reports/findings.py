"""Data-quality findings: what the sources say that cannot be right, or was not read."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Engine, case, func, select

from council.rules import council_size, format_tally
from council.sources import (
    SOURCE_DOCUMENTS,
    SOURCE_MEETINGS,
    SOURCE_PRESS,
    SOURCE_RECORDS,
    SOURCE_VETO_LIST,
    SOURCE_VOTES,
    VETO_FROM_ROLL_CALL,
)
from db import tables

SEVERITIES = ("error", "warning", "info")

# The name of each source everywhere a user sees or types it (the registry's, in
# tracker/sources.py: `sync --source meetings`), for the name its parser's findings are
# stored under. A mapping, not a migration: stored rows keep their name, and the old names
# still work in `--source`. tests/test_conventions.py holds this to the registry.
SOURCE_NAMES: dict[str, str] = {
    SOURCE_MEETINGS: "meetings",
    SOURCE_VETO_LIST: "veto-list",
    SOURCE_VOTES: "voting-records",
    SOURCE_DOCUMENTS: "documents",
    SOURCE_PRESS: "press-releases",
    SOURCE_RECORDS: "meeting-records",
}


# The sources of findings that no sync page gives: the dataset import, the links between
# drafts and resolutions settled after a sync, the mandates derived from the decisions, and
# the checks made when a report is asked ("check"). tests/test_conventions.py holds these
# names to the modules that record them.
OTHER_SOURCES = ("undl-dataset", "draft-links", "mandates", "check")


def stored_sources(source: str) -> list[str]:
    """Return the names findings of ``source`` are stored under (either name accepted)."""
    return sorted({source, *(stored for stored, shown in SOURCE_NAMES.items()
                             if shown == source)})

# Every kind of finding, and the rule behind it: what the source said, what the tracker
# kept, and why. `tracker check --explain` shows these; the README's findings table lists
# the same kinds (a test keeps the two, and the findings a full sync records, in step).
FINDING_KINDS: dict[str, str] = {
    "veto_without_negative_vote": "a draft printed as vetoed whose tally has no negative vote: "
    "a veto is a permanent member's negative vote, so the vote is kept as vetoed and the "
    "impossible tally is not stored",
    "veto_tally_mismatch": "a draft printed as vetoed by more permanent members than its tally "
    "has negative votes: the tally is not stored",
    "tally_exceeds_council": "a tally with more votes than the Council had seats (11 until "
    "1965, 15 since): the tally is not stored",
    "unknown_member": "a \"vetoed by\" naming a member that is not a permanent member the "
    "tracker knows: that name is not stored as a veto",
    "resolution_year_mismatch": "a resolution printed with another year than its page's: "
    "stored under the year of its meeting",
    "roll_call_disagrees_with_totals": "a voting record whose roll call does not add up to its "
    "own totals (996)",
    "roll_call_disagrees_with_tally": "a stored roll call that does not add up to the tally the "
    "meetings table gives",
    "veto_sources_disagree": "the Veto List, the meetings tables and the roll calls (a "
    "permanent member's \"no\" on a draft that failed with enough votes) name different "
    "vetoes for one vote",
    "decision_listed_twice": "a page prints the same decision twice, differently: the first is "
    "kept",
    "decision_printed_twice": "a page prints a decision at two meetings: the meeting a second "
    "source confirms (the voting record's meeting, or its date) is kept, else the first",
    "draft_links_unknown_resolution": "a draft's document record links it to a resolution that "
    "neither the meetings tables nor the voting records name: a link alone never makes a "
    "resolution, and the link is not stored",
    "draft_link_disagrees": "a draft's link names a known resolution whose voting record names "
    "another draft (or that another revision of the draft holds), that was adopted before the "
    "draft was written, or from a draft whose own vote failed: the link is not stored",
    "unread_outcome": "outcome text the parser did not understand: kept verbatim on the meeting, "
    "no decision read from it",
    "veto_without_majority": "a \"veto\" of a draft that lacked the votes to pass anyway",
    "tally_short": "a tally that accounts for fewer members than the Council had: the rest are "
    "stored as not voting",
    "unknown_mandate": "a title names a body the mandate registry does not know, nor do its "
    "draft's corporate subjects: no mandate is made from the phrase",
    "no_renewal_found": "a mandate's expiry passed with no renewal, termination or failed "
    "renewal found: its status is expired, not lapsed (a lapse needs evidence, such as a "
    "failed renewal vote)",
    "second_establishment": "a title says a resolution established a body the registry says "
    "another resolution established (a plan approved, a part of it set up): not stored as an "
    "establishment",
    "cut_title": "a title cut short by its source: the extension is recorded without a new "
    "expiry",
    "no_expiry_in_title": "an extension whose title gives no new expiry date: recorded without "
    "one, never guessed",
    "unmatched_cut_title": "a title cut short before the body it concerns could be read",
    "unknown_sponsor": "a sponsor's name the tracker's table of official and historical names "
    "does not know (a typo is not guessed)",
    "unreadable_date": "a document record's date that could not be read: stored without a date",
    "unreadable_link": "a document record's link to a resolution that is not a resolution "
    "symbol: not stored",
    "no_totals": "a voting record without totals (996): its roll call is stored as given, with "
    "nothing to check it against",
    "resolution_missing": "a resolution number no source has given yet",
    "no_tally": "a decision printed without a tally",
    "press_names_miscounted": "a press release counts a side of a vote and names a different "
    "number of members on it: that side's names are not stored",
    "press_name_unknown": "a press release names, in a vote, a name that is no member the "
    "tracker knows: that side's names are not stored",
    "press_count_incomplete": "a press release counts a vote without its abstentions: the "
    "count is not completed by guessing, and not stored",
    "press_meeting_unknown": "a press release of a meeting no meetings table names that does "
    "not give the meeting or its date (its votes cannot be stored as provisional): nothing of "
    "it is stored",
    "press_vote_unmatched": "a press release counts a vote on a text that is no vote the "
    "tables record at its meeting, or (at a meeting no table names yet) a vote it does not tie "
    "to one draft or resolution or whose end it does not say: not stored (and removed, if it "
    "was stored as provisional before the tables named the meeting)",
    "press_amendment_not_stored": "a press release counts a vote on an amendment to no draft "
    "the tables record at that meeting (the draft voted on next): not stored",
    "press_tally_mismatch": "a press release's count of a vote differs from the tally the "
    "meetings table gives: the release's roll call is not stored (on an adoption, or a "
    "provisional vote the table now names, the table's tally is kept)",
    "press_roll_call_disagrees": "a press release names a member's vote, or counts the vote, "
    "otherwise than the (complete) roll call another source gives: the stored one is kept",
    "record_name_unknown": "a meeting record's roll call names a name that is no member the "
    "tracker knows: the roll call is not stored",
    "record_member_twice": "a meeting record's roll call names a member on two sides: the roll "
    "call is not stored",
    "record_count_mismatch": "a meeting record's roll call names other numbers than the "
    "President announces after it: the names are stored as the record gives them",
    "record_disagrees_with_tally": "a meeting record's roll call counts otherwise than the "
    "meetings table's tally: the record's roll call is stored (it is the official account)",
    "record_disagrees_with_press": "a meeting record's roll call differs from one a press "
    "release gave (named or derived): the record's is kept",
    "press_votes_not_derived": "a press release names only some members' votes and the others "
    "cannot be derived (the year's membership unknown, or the names and the count do not "
    "account for every seat): only the named votes are stored",
    "not_adopted_with_majority": "a draft not adopted although its tally had the votes to pass "
    "and no veto is named",
    "missing_cells": "a table row with fewer cells than the table's columns",
    "roll_call_on_adoption_without_vote": "the meetings tables say adopted without a vote "
    "while a voting record gives a roll call (the Library codes such adoptions as all \"Y\"): "
    "kept as adopted without a vote, with no tally and no roll call",
    "tally_on_adoption_without_vote": "a voting record gives no member's vote (an adoption "
    "without a vote) while the meetings tables print a tally: the tables' tally is kept, and "
    "no roll call is stored",
    "same_vote_two_symbols": "the Veto List names a draft's revision for the vote the tables "
    "record under the draft (same meeting, same vetoing members): one vote, counted once, "
    "found by either symbol",
    "not_a_draft_record": "the record found by a draft's symbol is not a draft resolution's (a "
    "letter, a report, an amendment): its title and sponsors are not read",
    "vote_claimed_by_two_records": "two voting records of one source give the same vote (one "
    "resolution, or one draft voted on): the record the Library made first (the lower record "
    "id) keeps the vote and its roll call, in whatever order they are read; nothing of the "
    "other is stored",
    "repeated_row": "a page prints the same row twice (the row before it, cell for cell, or a "
    "draft with a document symbol listed again): one vote, counted once",
    "rows_disagree": "a page gives the veto of one draft (on one question) in two rows that "
    "differ: the first row on the page is kept, with only the members every row names",
}


def findings(engine: Engine, *, source: str | None = None, severity: str | None = None,
             kind: str | None = None) -> pd.DataFrame:
    """Return the findings, most severe first; filter by source, least severity, or kind."""
    t = tables.finding
    rank = case({"error": 0, "warning": 1, "info": 2}, value=t.c.severity, else_=3)
    # a total order (message and page last), so that SQLite and PostgreSQL list alike
    query = select(t.c.severity, t.c.kind, t.c.source, t.c.record, t.c.message, t.c.url).order_by(
        rank, t.c.source, t.c.record, t.c.kind, t.c.message, t.c.url)
    if source:
        query = query.where(t.c.source.in_(stored_sources(source)))
    if severity:
        if severity not in SEVERITIES:
            raise ValueError(f"unknown severity {severity!r}; use one of {', '.join(SEVERITIES)}")
        allowed = SEVERITIES[: SEVERITIES.index(severity) + 1]
        query = query.where(t.c.severity.in_(allowed))
    if kind:
        query = query.where(t.c.kind == kind)
    with engine.connect() as connection:
        found = pd.read_sql(query, connection)
    found["source"] = found["source"].replace(SOURCE_NAMES)
    return found


def veto_disagreements(engine: Engine) -> pd.DataFrame:
    """Compare the vetoes each source records for the same vote; list every disagreement.

    The Veto List and the meetings tables each claim to list every veto, so any
    difference between them is shown. Vetoes derived from roll calls (a permanent
    member's "no" on a draft that failed with enough votes to pass) are compared
    only for the votes whose roll call is stored.
    """
    v, e, mv = tables.veto, tables.vote_event, tables.member_vote
    query = select(e.c.id, e.c.key, v.c.member_code, v.c.source).select_from(
        v.join(e, v.c.vote_event_id == e.c.id))
    with engine.connect() as connection:
        rows = pd.read_sql(query, connection)
        with_roll_call = set(connection.execute(select(mv.c.vote_event_id).distinct()).scalars())
    columns = ["severity", "kind", "source", "record", "message", "url"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    sets: dict[Any, tuple[str, ...]] = {
        key: tuple(sorted(set(group["member_code"])))
        for key, group in rows.groupby(["id", "source"])}
    keys = rows.drop_duplicates("id").set_index("id")["key"]
    sources = sorted(set(rows["source"]))
    out = []
    for event_id, key in keys.sort_values().items():
        compared = [s for s in sources if s != VETO_FROM_ROLL_CALL or event_id in with_roll_call]
        present = {s: sets.get((event_id, s)) for s in compared}
        if len({m for m in present.values()}) <= 1:
            continue
        described = "; ".join(
            f"{s}: {', '.join(m) if m else 'no veto'}" for s, m in present.items())
        out.append({"severity": "warning", "kind": "veto_sources_disagree", "source": "check",
                    "record": key, "message": f"the sources disagree on the veto of {key}: "
                    f"{described}", "url": None})
    return pd.DataFrame(out, columns=columns)


def tally_disagreements(engine: Engine) -> pd.DataFrame:
    """List the votes whose stored roll call does not add up to the stored tally (a roll
    call named only in part, by a press release, is not held to it: it says nothing of the
    members it does not name)."""
    e, mv = tables.vote_event, tables.member_vote
    counted = (select(mv.c.vote_event_id, mv.c.vote, func.count().label("n"))
               .group_by(mv.c.vote_event_id, mv.c.vote))
    with engine.connect() as connection:
        counts = pd.read_sql(counted, connection)
        tallies = pd.read_sql(select(e.c.id, e.c.key, e.c.date, e.c.yes, e.c.no, e.c.abstain)
                              .where(e.c.yes.is_not(None)), connection)
    columns = ["severity", "kind", "source", "record", "message", "url"]
    if counts.empty or tallies.empty:
        return pd.DataFrame(columns=columns)
    wide = counts.pivot_table(index="vote_event_id", columns="vote", values="n",
                              fill_value=0).reindex(columns=["Y", "N", "A"], fill_value=0)
    both = tallies.join(wide, on="id", how="inner")
    rows = counts.groupby("vote_event_id")["n"].sum()
    seats = [council_size(pd.Timestamp(d).year) if pd.notna(d) else 15 for d in both["date"]]
    both = both[[rows.get(i, 0) >= n for i, n in zip(both["id"], seats, strict=True)]]
    wrong = both[(both["Y"] != both["yes"]) | (both["N"] != both["no"])
                 | (both["A"] != both["abstain"])]
    out = [{"severity": "error", "kind": "roll_call_disagrees_with_tally", "source": "check",
            "record": key, "message": f"{key}: the stored roll call counts "
            f"{format_tally(y, n, a)}, the stored tally is {format_tally(yes, no, abstain)}",
            "url": None}
           for key, y, n, a, yes, no, abstain in zip(
               wrong["key"], wrong["Y"].astype(int), wrong["N"].astype(int),
               wrong["A"].astype(int), wrong["yes"].astype(int), wrong["no"].astype(int),
               wrong["abstain"].astype(int), strict=True)]
    return pd.DataFrame(out, columns=columns)


def resolution_gaps(engine: Engine) -> pd.DataFrame:
    """List the resolution numbers missing between the lowest and highest stored."""
    r = tables.resolution
    with engine.connect() as connection:
        numbers = set(connection.execute(select(r.c.number)).scalars())
    columns = ["severity", "kind", "source", "record", "message", "url"]
    if not numbers:
        return pd.DataFrame(columns=columns)
    missing = sorted(set(range(min(numbers), max(numbers) + 1)) - numbers)
    return pd.DataFrame([{"severity": "info", "kind": "resolution_missing", "source": "check",
                          "record": f"resolution {n}", "message": f"no source has given "
                          f"resolution {n} yet (between {min(numbers)} and {max(numbers)})",
                          "url": None} for n in missing], columns=columns)


def explain(found: pd.DataFrame) -> pd.DataFrame:
    """Return one row per kind of finding in ``found``: its severity, count and rule."""
    columns = ["kind", "severity", "findings", "rule"]
    if found.empty:
        return pd.DataFrame(columns=columns)
    counted = (found.groupby(["kind", "severity"], sort=False).size()
               .reset_index(name="findings"))
    counted["rule"] = [FINDING_KINDS.get(k, "(not described: a kind this version does not "
                                            "know)") for k in counted["kind"]]
    return counted[columns]
