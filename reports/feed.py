"""An Atom feed of what a follower of the Council wants to hear of: the newest votes (a veto
among them, marked so), and the mandates that expire soon.

The entries are a DataFrame first (``feed_entries``), so that the static site and the feed
show the same facts, then an Atom document (``atom``, written with feedgen). Every value of
a feed comes from the database, never from the clock: an entry's id is a UUID made from
what it is about (a vote's key; a mandate and the expiry it reaches), its time is the day
of the vote or of the decision that set the expiry, and the feed's time is its newest
entry's. The same database gives the same bytes, and a reader shows each entry once.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select

from council.members import name_at
from db import tables
from db.provisional import provisional_events, release_of
from reports.formats import OUTCOME_WORDS, rows
from reports.mandates import mandates
from reports.outcomes import vote_facts

# The namespace of the feed's entry ids (RFC 4122 name-based UUIDs): a vote's entry is
# uuid5(FEED_NAMESPACE, "vote:" + its key), whatever database or machine makes the feed.
FEED_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/unsc-tracker/unsc-tracker")
FEED_TITLE = "UN Security Council: votes, vetoes and expiring mandates"
ENTRY_COLUMNS = ["id", "kind", "title", "updated", "published", "link", "summary",
                 "categories", "subject"]


def entry_id(kind: str, *parts: object) -> str:
    """Return an entry's id: the same for the same thing in every run."""
    name = ":".join([kind, *(str(p) for p in parts)])
    return f"urn:uuid:{uuid.uuid5(FEED_NAMESPACE, name)}"


def latest_votes(engine: Engine, *, limit: int = 50) -> pd.DataFrame:
    """Return the newest vote events (by date, then as stored), newest first: key, date,
    draft, resolution, meeting, agenda (the vote's own, else the meeting's topic), outcome
    (``council.rules.decided_outcome``), tally, vetoed_by, source_url, not_stored,
    provisional (the press release a vote is known only from, ``db.provisional``; None once
    another source names it), and fetched_at (when the tracker last read the vote's row:
    it changes when the vote's facts do)."""
    e, m, r = tables.vote_event, tables.meeting, tables.resolution
    query = (select(e.c.id, e.c.date, e.c.agenda, e.c.source_url, e.c.fetched_at,
                    m.c.record.label("meeting"), m.c.topic, r.c.symbol.label("resolution"))
             .outerjoin(m, m.c.id == e.c.meeting_id)
             .outerjoin(r, r.c.id == e.c.resolution_id)
             .where(e.c.date.is_not(None))
             .order_by(e.c.date.desc(), e.c.id.desc())
             .limit(limit))
    with engine.connect() as connection:
        events = [dict(row) for row in connection.execute(query).mappings()]
        provisional = set(connection.execute(provisional_events().where(
            e.c.id.in_([row["id"] for row in events]))).scalars())
    columns = ["vote_event_id", "key", "date", "draft", "resolution", "meeting", "agenda",
               "outcome", "tally", "vetoed_by", "source_url", "not_stored", "provisional",
               "fetched_at"]
    if not events:
        return pd.DataFrame(columns=columns)
    facts = {fact["vote_event_id"]: fact for fact in rows(
        vote_facts(engine, [row["id"] for row in events]))}
    out = []
    for row in events:
        fact = facts[row["id"]]
        out.append({
            "vote_event_id": row["id"], "key": fact["key"], "date": row["date"],
            "draft": fact["draft"], "resolution": row["resolution"], "meeting": row["meeting"],
            "agenda": row["agenda"] or row["topic"], "outcome": fact["outcome"],
            "tally": fact["tally"], "vetoed_by": fact["vetoed_by"],
            "source_url": row["source_url"], "not_stored": fact["not_stored"],
            "provisional": release_of(row["source_url"]) if row["id"] in provisional else None,
            "fetched_at": row["fetched_at"]})
    return pd.DataFrame(out, columns=columns)


def _listed(names: list[str]) -> str:
    """"France", "France and China", "France, China and the USSR"."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _vote_title(vote: dict[str, Any]) -> str:
    """"S/2024/255 vetoed by Russian Federation, 13-1-1"; "S/RES/2722 (2024) adopted,
    11-0-4 (draft S/2024/37)"."""
    words = OUTCOME_WORDS.get(vote["outcome"] or "", vote["outcome"] or "outcome not known")
    if vote["outcome"] == "vetoed" and vote["vetoed_by"]:
        words += " by " + _listed([name_at(c, vote["date"]) for c in vote["vetoed_by"]])
    title = f"{vote['key']} {words}" + (f", {vote['tally']}" if vote["tally"] else "")
    if vote["draft"] and vote["draft"] != vote["key"]:
        title += f" (draft {vote['draft']})"
    if vote["provisional"]:
        title += f" (provisional: press release {vote['provisional']})"
    return title


def _vote_summary(vote: dict[str, Any]) -> str:
    parts = [f"Vote of {vote['date']:%d %B %Y}"
             + (f" at meeting {vote['meeting']}" if vote["meeting"] else "") + "."]
    if vote["agenda"]:
        parts.append(f"Agenda: {vote['agenda'].rstrip('. ')}.")
    if vote["tally"]:
        parts.append(f"In favour, against, abstaining: {vote['tally']}.")
    if vote["not_stored"]:
        parts.append(f"Not stored: {vote['not_stored']}.")
    if vote["provisional"]:
        parts.append(f"Provisional: known only from press release {vote['provisional']} "
                     "until the meetings table or the Digital Library names it.")
    if _web(vote["source_url"]):
        parts.append(f"Source: {vote['source_url']}")
    return " ".join(parts)


def _web(url: str | None) -> str | None:
    """A source's address if it is a web page's (http or https), else None: a link a
    reader follows is never a script or a file."""
    return url if url and url.startswith(("https://", "http://")) else None


def _day(value: dt.date) -> dt.datetime:
    return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)


def feed_entries(engine: Engine, *, today: dt.date | None = None, limit: int = 50,
                 expiring_within: int = 90) -> pd.DataFrame:
    """Return the feed's entries, newest first: the ``limit`` newest votes (a veto is a
    vote whose categories include ``veto``), and every active mandate whose expiry falls
    within ``expiring_within`` days of ``today`` (today's date if None)."""
    today = today or dt.date.today()
    entries = []
    for vote in rows(latest_votes(engine, limit=limit)):
        categories = [vote["outcome"]] if vote["outcome"] else []
        if vote["outcome"] == "vetoed":
            categories.append("veto")
        # updated: when the tracker last read the vote's facts (a tally a later source
        # corrected, a provisional vote confirmed), never before the vote's day
        read = vote["fetched_at"]
        updated = _day(vote["date"])
        if read is not None:
            read = read if read.tzinfo else read.replace(tzinfo=dt.UTC)
            updated = max(updated, read.replace(microsecond=0))
        entries.append({
            "id": entry_id("vote", vote["key"]), "kind": "vote", "title": _vote_title(vote),
            "updated": updated, "published": _day(vote["date"]),
            "link": _web(vote["source_url"]),
            "summary": _vote_summary(vote), "categories": categories, "subject": vote["key"]})
    due = mandates(engine, expiring_within=expiring_within, as_of=today)
    if not due.empty:
        # an entry links to the UN's page of the decision that set the expiry
        r = tables.resolution
        with engine.connect() as connection:
            urls = dict(connection.execute(select(r.c.symbol, r.c.source_url).where(
                r.c.symbol.in_([m["last_action"].split(" ", 1)[-1]
                                for m in rows(due) if m["last_action"]]))).all())
        for mandate in rows(due):
            expiry, decided = mandate["expiry"], mandate["last_action_date"]
            # news from the day the expiry came within the window (or was decided, if later)
            noticed = max(d for d in (decided, expiry - dt.timedelta(days=expiring_within))
                          if d is not None)
            url = urls.get((mandate["last_action"] or "").split(" ", 1)[-1])
            entries.append({
                "id": entry_id("mandate-expiry", mandate["slug"], expiry),
                "kind": "mandate", "title": f"{mandate['name']} expires on {expiry:%d %B %Y}",
                "updated": _day(noticed), "published": _day(noticed),
                "link": _web(url),
                "summary": (f"The mandate of {mandate['name']} ({mandate['kind']}) runs until "
                            f"{expiry:%d %B %Y} unless the Council renews it; last action: "
                            f"{mandate['last_action'] or 'none stored'}."),
                "categories": ["mandate-expiring"], "subject": mandate["slug"]})
    frame = pd.DataFrame(entries, columns=ENTRY_COLUMNS)
    if frame.empty:
        return frame
    return frame.sort_values(["published", "id"], ascending=[False, True],
                             kind="stable").reset_index(drop=True)


def atom(entries: pd.DataFrame, *, title: str = FEED_TITLE, self_url: str | None = None,
         site_url: str | None = None) -> bytes:
    """Return the entries as an Atom 1.0 document (RFC 4287), its bytes the same for the
    same entries."""
    from importlib.metadata import PackageNotFoundError, version

    from feedgen.feed import FeedGenerator  # only the feed command loads feedgen

    try:
        tool_version = version("unsc-tracker")
    except PackageNotFoundError:  # run from a checkout that was never installed
        tool_version = None
    generator = FeedGenerator()
    generator.id(f"urn:uuid:{uuid.uuid5(FEED_NAMESPACE, 'feed:' + title)}")
    generator.title(title)
    generator.author({"name": "unsc-tracker"})
    generator.generator("unsc-tracker", version=tool_version,
                        uri="https://github.com/unsc-tracker/unsc-tracker")
    generator.subtitle("Every entry links to the UN page its facts come from.")
    generator.language("en")
    if self_url:
        generator.link(href=self_url, rel="self", type="application/atom+xml")
    if site_url:
        generator.link(href=site_url, rel="alternate", type="text/html")
    newest = entries["updated"].max() if not entries.empty else _day(dt.date(1946, 1, 17))
    generator.updated(newest)
    for entry in rows(entries):
        item = generator.add_entry(order="append")
        item.id(entry["id"])
        item.title(entry["title"])
        item.updated(entry["updated"])
        item.published(entry["published"])
        if entry["link"]:
            item.link(href=entry["link"], rel="alternate")
        item.content(entry["summary"], type="text")  # an entry with no link has its text
        for term in entry["categories"]:
            item.category(term=term)
    return bytes(generator.atom_str(pretty=True))
