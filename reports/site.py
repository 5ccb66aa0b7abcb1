"""A static site of the database: pages a journalist can link to and a reader can open
from disk or any static host, with no server and nothing fetched from elsewhere.

``site_pages`` gathers every page's facts from the reports (the same functions the
commands print, so that a page and a command never disagree) and renders them with
Jinja2 templates (``reports/templates``), escaping every value; ``build_site`` writes them,
rewriting a file only when its bytes change and removing the pages of things no longer
stored (the site keeps a list of the files it wrote, ``.tracker-site.json``, and never
touches another file in the folder).

Pages: the home page (latest votes, vetoes by member and decade, mandates expiring in the
next 90 days), one page per vote (roll call, sponsors, sources, what members said), per
member, per mandate (its timeline, with its chart when charts can be drawn), the veto list
(filters work without a server), the data-quality findings, and the Atom feed. Every fact
links to the UN page it was read from.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select

from council.members import PERMANENT_CODES, name_at
from db import tables
from db.provisional import provisional_events, release_of
from reports.feed import atom, feed_entries, latest_votes
from reports.files import OutputError, write_if_changed
from reports.findings import findings
from reports.formats import OUTCOME_WORDS, rows
from reports.mandates import mandate_timeline, mandates
from reports.outcomes import vote_facts
from reports.rollcalls import member_record
from reports.vetoes import vetoes

MANIFEST = ".tracker-site.json"
VOTE_WORDS = {"Y": "in favour", "N": "against", "A": "abstaining", "X": "not voting"}
# A chart of a mandate's timeline (``mandate_timeline``'s answer) as SVG bytes, or None when
# it cannot be drawn (no dated event)
MandateChart = Callable[[dict[str, Any]], bytes | None]


@dataclass
class SiteSummary:
    """What ``build_site`` did."""

    folder: Path
    pages: int = 0
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    bytes: int = 0


def page_name(key: str) -> str:
    """The file name of a vote's page: "S/RES/2722 (2024)" -> "S-RES-2722-2024.html"."""
    return re.sub(r"[^A-Za-z0-9.]+", "-", key).strip("-.") + ".html"


def _environment() -> Any:
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.FunctionLoader(
            lambda name: files("reports").joinpath("templates", name).read_text("utf-8")),
        autoescape=True, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined)
    environment.filters["outcome"] = lambda o: OUTCOME_WORDS.get(o or "", o or "not known")
    environment.filters["vote_words"] = lambda v: VOTE_WORDS.get(v or "", v or "")
    environment.filters["day"] = lambda d: f"{d:%d %B %Y}".lstrip("0") if d else ""
    environment.tests["is_url"] = lambda u: isinstance(u, str) and u.startswith(
        ("https://", "http://"))
    environment.globals["name_at"] = name_at
    return environment


def _vote_pages(engine: Engine) -> tuple[dict[str, dict[str, Any]], dict[int, str]]:
    """Every vote's page facts, keyed by file name; and each vote event's file name."""
    e, m, r, d = tables.vote_event, tables.meeting, tables.resolution, tables.draft
    mv, s, sp, st = tables.member_vote, tables.source_record, tables.sponsorship, tables.statement
    v = tables.veto
    with engine.connect() as connection:
        events = {row["id"]: dict(row) for row in connection.execute(
            select(e.c.id, e.c.key, e.c.date, e.c.question, e.c.agenda, e.c.source_url,
                   e.c.draft_id, e.c.meeting_id, e.c.non_voting, e.c.printed_as,
                   m.c.record.label("meeting"), m.c.topic, m.c.source_url.label("meeting_url"),
                   r.c.symbol.label("resolution"), r.c.title.label("resolution_title"),
                   r.c.source_url.label("resolution_url"), d.c.title.label("draft_title"),
                   d.c.source_url.label("draft_url"), d.c.sponsors_text)
            .outerjoin(m, m.c.id == e.c.meeting_id)
            .outerjoin(r, r.c.id == e.c.resolution_id)
            .outerjoin(d, d.c.id == e.c.draft_id)).mappings()}
        roll_calls: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for row in connection.execute(select(mv.c.vote_event_id, mv.c.member_code, mv.c.vote,
                                             mv.c.name_at_time, mv.c.derived,
                                             mv.c.source_url)).mappings():
            roll_calls[row["vote_event_id"]].append(dict(row))
        sources: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for row in connection.execute(select(s.c.vote_event_id, s.c.source, s.c.record_id,
                                             s.c.source_url)
                                      .where(s.c.vote_event_id.is_not(None))
                                      .order_by(s.c.source, s.c.record_id)).mappings():
            sources[row["vote_event_id"]].append(dict(row))
        veto_sources: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for row in connection.execute(select(v.c.vote_event_id, v.c.member_code, v.c.source,
                                             v.c.source_url)
                                      .order_by(v.c.source, v.c.member_code)).mappings():
            veto_sources[row["vote_event_id"]].append(dict(row))
        sponsors: dict[int, list[str]] = defaultdict(list)
        for draft_id, code in connection.execute(select(sp.c.draft_id, sp.c.member_code)
                                                 .order_by(sp.c.member_code)):
            sponsors[draft_id].append(code)
        provisional = set(connection.execute(provisional_events()).scalars())
        said: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for row in connection.execute(select(st).order_by(st.c.meeting_id, st.c.source,
                                                          st.c.position)).mappings():
            said[row["meeting_id"]].append(dict(row))
    facts = {f["vote_event_id"]: f for f in rows(vote_facts(engine))}
    names: dict[int, str] = {}
    taken: dict[str, int] = {}
    for event_id in sorted(events):
        name = page_name(events[event_id]["key"])
        if name in taken:  # two keys that read alike: the second takes its id
            name = name.removesuffix(".html") + f"-{event_id}.html"
        taken[name] = event_id
        names[event_id] = name
    pages = {}
    for event_id, event in events.items():
        fact = facts[event_id]
        day = event["date"]
        votes = sorted(roll_calls.get(event_id, []),
                       key=lambda x: (x["member_code"] not in PERMANENT_CODES, x["member_code"]))
        for cast in votes:
            cast["member_name"] = name_at(cast["member_code"], day)
        pages[names[event_id]] = {
            **event, **fact, "roll_call": votes, "sources": sources.get(event_id, []),
            "veto_sources": veto_sources.get(event_id, []),
            "sponsors": [(c, name_at(c, day)) for c in sponsors.get(event["draft_id"], [])],
            "statements": said.get(event["meeting_id"], []) if event["meeting_id"] else [],
            "derived": any(cast["derived"] for cast in votes),
            "provisional": release_of(event["source_url"]) if event_id in provisional else None}
    return pages, names


def _decade_table(engine: Engine) -> pd.DataFrame:
    counted = vetoes(engine, by="decade")
    members = [c for c in counted.columns if c not in ("decade", "vetoed_drafts", "vetoes")]
    return counted[["decade", *members, "vetoes", "vetoed_drafts"]]


def _fingerprint(timeline: dict[str, Any]) -> str:
    """What a mandate's chart is drawn from, and the code that draws it, as one hash: the
    same hash, the same chart (a rebuild draws only the charts whose mandate changed)."""
    drawn = json.dumps([timeline["mandate"], rows(timeline["timeline"])], default=str,
                       sort_keys=True)
    code = files("reports").joinpath("charts.py").read_bytes()
    return hashlib.sha256(drawn.encode() + code).hexdigest()


def site_pages(engine: Engine, *, today: dt.date, mandate_chart: MandateChart | None = None,
               drawn: dict[str, tuple[str, bytes | None]] | None = None
               ) -> tuple[dict[str, bytes], dict[str, str]]:
    """Return every page of the site as {relative path: bytes}, and the fingerprint of each
    chart. ``drawn`` gives the charts drawn before ({path: (fingerprint, bytes)}): a chart
    whose fingerprint is the same is taken from there, not drawn again."""
    environment = _environment()
    pages: dict[str, bytes] = {}
    fingerprints: dict[str, str] = {}

    def render(path: str, template: str, **values: Any) -> None:
        depth = path.count("/")
        html = environment.get_template(template).render(
            root="../" * depth, path=path, **values)
        pages[path] = html.encode("utf-8")

    vote_pages, names = _vote_pages(engine)
    member_codes = _voting_members(engine)
    environment.globals["member_pages"] = set(member_codes)
    newest = max((p["date"] for p in vote_pages.values() if p["date"]), default=None)
    for name, page in vote_pages.items():
        render(f"votes/{name}", "vote.html", vote=page, title=page["key"])

    latest = rows(latest_votes(engine, limit=20))
    for row in latest:
        row["page"] = names[row["vote_event_id"]]
    mandate_rows = rows(mandates(engine, as_of=today))
    due = rows(mandates(engine, as_of=today, expiring_within=90))
    decades = _decade_table(engine)
    render("index.html", "index.html", title="UN Security Council votes", latest=latest,
           decades=rows(decades), decade_columns=list(decades.columns), due=due,
           today=today, newest=newest, counts={
               "votes": len(vote_pages), "mandates": len(mandate_rows)})

    listed = rows(vetoes(engine))
    by_key = {p["key"]: n for n, p in vote_pages.items()}
    for row in listed:
        row["page"] = by_key.get(row["draft"])
        row["decade"] = f"{row['date'].year // 10 * 10}s" if row["date"] else ""
    vetoing = sorted({c for row in listed for c in (row["members"] or [])})
    render("vetoes.html", "vetoes.html", title="Vetoes", vetoes=listed,
           members=[(c, name_at(c)) for c in vetoing],
           decades=sorted({row["decade"] for row in listed if row["decade"]}))

    members = []
    for code in member_codes:
        record = member_record(engine, code)
        members.append(record["member"])
        render(f"members/{code}.html", "member.html", title=record["member"]["member_name"],
               record=record["member"], terms=rows(record["terms"]),
               by_year=rows(record["votes_by_year"]), vetoes=rows(record["vetoes"]),
               dissent=rows(record["against_or_abstained"]), pages=by_key)
    render("members/index.html", "members.html", title="Members", members=members)

    for row in mandate_rows:
        timeline = mandate_timeline(engine, row["slug"], as_of=today)
        chart: bytes | None = None
        path = f"mandates/{row['slug']}.svg"
        if mandate_chart is not None:
            fingerprint = _fingerprint(timeline)
            before = (drawn or {}).get(path)
            chart = before[1] if before and before[0] == fingerprint else mandate_chart(timeline)
            fingerprints[path] = fingerprint  # drawn, or found not drawable (no dated event)
            if chart is not None:
                pages[path] = chart
        render(f"mandates/{row['slug']}.html", "mandate.html", title=row["name"],
               mandate=row, timeline=rows(timeline["timeline"]),
               chart=f"{row['slug']}.svg" if chart is not None else None, pages=by_key)
    render("mandates/index.html", "mandates.html", title="Mandates", mandates=mandate_rows,
           today=today)

    render("findings.html", "findings.html", title="Data-quality findings",
           findings=rows(findings(engine)))
    pages["feed.xml"] = atom(feed_entries(engine, today=today), site_url=None)
    for asset in ("style.css", "filter.js"):
        pages[asset] = files("reports").joinpath("templates", asset).read_bytes()
    return pages, fingerprints


def timeline_svg(timeline: dict[str, Any]) -> bytes | None:
    """A mandate's timeline chart as SVG (``reports.charts``, matplotlib: the charts
    extra), or None when no dated event of it is stored."""
    from reports.charts import ChartError, mandate_timeline_chart, render

    try:
        return render(mandate_timeline_chart(timeline))
    except ChartError:
        return None


def charts_available() -> bool:
    """Whether the charts can be drawn here (matplotlib, the charts extra, is installed)."""
    from importlib.util import find_spec

    return find_spec("matplotlib") is not None


def _voting_members(engine: Engine) -> list[str]:
    mv = tables.member_vote
    with engine.connect() as connection:
        return sorted(connection.execute(select(mv.c.member_code).distinct()).scalars())


def build_site(engine: Engine, out: Path, *, today: dt.date | None = None,
               mandate_chart: MandateChart | None = None,
               progress: Callable[[str], None] | None = None) -> SiteSummary:
    """Write the site into ``out`` (made if missing, its parent must exist): every page
    whose bytes changed, and remove the pages this site wrote before that are no longer
    part of it. Other files in the folder are left alone."""
    today = today or dt.date.today()
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} is a file; give a folder for the site")
    if not out.parent.is_dir():
        raise OutputError(f"cannot write the site into {out}: the folder {out.parent} does "
                          "not exist; create it first, or give another folder")
    out.mkdir(exist_ok=True)
    if progress:
        progress("reading the database")
    manifest = out / MANIFEST
    kept = json.loads(manifest.read_text()) if manifest.exists() else {}
    if isinstance(kept, list):  # the manifest of a version that drew no chart
        kept = {"files": kept, "charts": {}}
    before = set(kept.get("files", []))
    drawn: dict[str, tuple[str, bytes | None]] = {}
    for path, fingerprint in kept.get("charts", {}).items():
        if path not in before:  # no chart could be drawn from that timeline
            drawn[path] = (fingerprint, None)
        elif (out / path).is_file():
            drawn[path] = (fingerprint, (out / path).read_bytes())
    pages, fingerprints = site_pages(engine, today=today, mandate_chart=mandate_chart,
                                     drawn=drawn)
    summary = SiteSummary(out, pages=len(pages))
    if progress:
        progress(f"writing {len(pages)} files")
    for path, body in sorted(pages.items()):
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        summary.bytes += len(body)
        if write_if_changed(target, body):
            summary.written.append(path)
        else:
            summary.unchanged += 1
    for path in sorted(before - set(pages)):
        if ".." in Path(path).parts or Path(path).is_absolute():
            continue  # a manifest edited by hand never removes a file outside the site
        (out / path).unlink(missing_ok=True)
        summary.removed.append(path)
    listed = {"files": sorted(pages), "charts": dict(sorted(fingerprints.items()))}
    write_if_changed(manifest, (json.dumps(listed, indent=0) + "\n").encode())
    return summary


def missing_links(folder: Path, pages: Iterable[str]) -> list[tuple[str, str]]:
    """Return the (page, link) pairs whose local link points at no file of the site: the
    check a test and a careful publisher run."""
    broken = []
    for page in pages:
        if not page.endswith(".html"):
            continue
        html = (folder / page).read_text("utf-8")
        for link in re.findall(r'(?:href|src)="([^"#?]+)', html):
            if link.startswith(("http://", "https://", "mailto:")):
                continue
            if not (folder / page).parent.joinpath(link).resolve().is_file():
                broken.append((page, link))
    return broken
