"""The sync pipeline: Source -> fetch -> archive -> parse -> store, one page at a time.

The sources are listed once, in ``tracker.sources``; each is a ``scrapers.source``
unit that says what to fetch for the state this module reads from the database, how
to fetch it and how to parse it. Two generic loops drive them: the page runner (the
Library's pages) and the search walker (the Digital Library's search, record by
record). Every response is archived before it is parsed, so ``rebuild`` can replay
what a parser once refused. Each page is stored in its own transaction, after it
parsed cleanly: a page that fails to fetch or parse stores nothing and does not stop
the run. Writes are upserts on natural keys, so a sync is idempotent and resumable:
run it again and it completes what failed.

A host that cannot be reached (its name does not resolve, it refuses connections) ends
the pages of every source on that host at once, named once; the sources on other hosts
still run. A sync's runs are recorded when it starts (``finished_at`` empty while it
runs): a run interrupted by Ctrl-C records what it stored and raises ``SyncInterrupted``;
one whose process was killed stays unfinished, which ``tracker status`` shows as
interrupted once no sync holds the lock.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from filelock import FileLock, Timeout
from sqlalchemy import Engine
from sqlmodel import Session

from council.errors import TrackerError
from council.records import Finding, ParseError
from db.engine import (
    DatabaseLocked,
    discard_staging,
    drop_schema,
    holds_data,
    run_lock,
    schema_lock,
    session_scope,
    staging_engine,
    swap_in,
    upgrade,
)
from db.models import SyncRun
from db.store import (
    drafts_to_look_up,
    ensure_members,
    known_records,
    note_lookups,
    store_findings_of,
    store_voting_records,
    sync_history,
)
from db.upsert import Counts
from scrapers.archive import RawArchive, RecordArchive
from scrapers.http import (
    FetchError,
    HostUnreachable,
    NotFound,
    PoliteClient,
    Response,
    TransientError,
)
from scrapers.press.source import FEED_PAGE, PressReleasesSource, release_page_id
from scrapers.robots import Robots
from scrapers.source import (
    LookupSource,
    Page,
    PageSource,
    SearchSource,
    SyncState,
    Unpublished,
    lookup_page_id,
)
from scrapers.undl import dataset as undl_dataset
from tracker import PROJECT_URL, __version__
from tracker.settings import Settings
from tracker.sources import REGISTRY, SOURCES, Registered, archive_names

__all__ = ["SOURCES", "EmptyArchive", "StorageFault", "SyncInterrupted", "SyncLocked",
           "SyncSummary", "Unreachable", "import_undl_dataset", "open_database", "rebuild",
           "sync", "sync_in_progress"]

USER_AGENT = f"unsc-tracker/{__version__} (+{PROJECT_URL})"
RECORD_BATCH = 500
LOOKUP_BATCH = 50  # draft lookups stored per transaction


class SyncLocked(TrackerError, RuntimeError):
    """Another sync or rebuild is running on the same database or data folder."""

    exit_code = 2


class StorageFault(TrackerError, RuntimeError):
    """A file of the tracker cannot be read or written (damaged, full disk, read-only)."""

    def __init__(self, what: str, path: Path, recovery: str) -> None:
        super().__init__(what)
        self.what, self.path, self.recovery = what, path, recovery


def storage_trouble(exc: BaseException) -> bool:
    """Whether an error is the tracker's own storage failing (a full disk, a read-only or
    damaged file, a database gone): no page can be stored, so it ends the run with one
    message (the CLI's) instead of failing every page in turn. A constraint a record
    breaks is not: that record is refused and its siblings stored."""
    import errno

    from sqlalchemy.exc import DatabaseError, OperationalError

    if isinstance(exc, StorageFault | SyncLocked):
        return True
    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES,
                             errno.EPERM, errno.EIO)
    if isinstance(exc, OperationalError):
        return True
    return isinstance(exc, DatabaseError) and type(exc.orig) is sqlite3.DatabaseError


class Unreachable(TrackerError):
    """A sync that could not reach one or more of the UN's hosts: one line per host, what
    to check (the network, the setting that names the host) and what else to do."""

    def __init__(self, hosts: dict[str, HostUnreachable], summary: SyncSummary,
                 settings: Settings) -> None:
        settings_of = _host_settings(settings)
        lines, checks = [], []
        settings_named = 0
        for host, exc in hosts.items():
            cut = [s for s in summary.sources.values() if host in s.unreachable]
            names = ", ".join(s.source for s in cut)
            fetched = sum(s.pages_fetched for s in cut)
            lines.append(f"{exc}: nothing fetched from it ({names} not synced)" if not fetched
                         else f"{exc} after {_count(fetched, 'page')}: those were stored, "
                              f"not the rest ({names} incomplete)")
            by_value: dict[str, list[str]] = {}
            for name, value in settings_of.get(host, []):
                by_value.setdefault(value, []).append(name)
            checks += [f"{_and(names)} ({'all ' if len(names) > 1 else ''}now {value})"
                       for value, names in by_value.items()]
            settings_named += sum(map(len, by_value.values()))
        super().__init__("\nerror: ".join(lines))
        elsewhere = [s.source for s in summary.sources.values()
                     if s.pages_fetched and not s.unreachable]
        self.hint = (
            "check the network connection"
            + (f", and the setting{'s' if settings_named > 1 else ''} {_and(checks)}"
               if checks else "")
            + ". " + (f"What was fetched from the other hosts was stored "
                      f"({', '.join(elsewhere)}). " if elsewhere else "")
            + "Without the network, the Council's votes can be loaded from the Digital "
              "Library's voting dataset, a file: `tracker import undl-dataset FILE` (see the "
              "README, \"When things go wrong\")")


def _and(items: list[str]) -> str:
    """ "a", "a and b", "a, b and c" """
    return " and ".join([", ".join(items[:-1]), items[-1]]) if len(items) > 1 else items[0]


class SyncInterrupted(TrackerError, KeyboardInterrupt):
    """A sync stopped by Ctrl-C: what it stored is kept and recorded; the next sync
    completes it. Still a KeyboardInterrupt for callers that handle one."""

    exit_code = 130

    def __init__(self, summary: SyncSummary) -> None:
        kept = [f"{s.source} {s.pages_fetched} page{'s' if s.pages_fetched != 1 else ''}"
                + (f" ({s.records:,} records)" if s.records else "")
                for s in summary.sources.values() if s.pages_fetched]
        rows = summary.totals()
        super().__init__(
            "sync interrupted: "
            + (f"kept what was stored: {', '.join(kept)}; {rows.new:,} rows new, "
               f"{rows.changed + rows.deleted:,} changed" if kept else "nothing was stored yet")
            + " (whatever was being read when interrupted was not stored)")
        self.summary = summary
        self.hint = "run `tracker sync` again: it completes what this one did not fetch"


class RebuildInterrupted(TrackerError, KeyboardInterrupt):
    """A rebuild stopped by Ctrl-C: the new database is discarded, the old one kept."""

    exit_code = 130
    hint = "run `tracker rebuild` again (it needs no network)"

    def __init__(self) -> None:
        super().__init__("rebuild interrupted: the database was left as it was (a rebuild "
                         "is swapped in only once it is complete)")


class EmptyArchive(TrackerError, RuntimeError):
    """``rebuild`` found nothing in the raw archive to rebuild from."""


class DatasetMissing(TrackerError, FileNotFoundError):
    """``import undl-dataset`` was given a path where no file is."""


@dataclass
class SourceSummary:
    source: str
    pages_fetched: int = 0
    pages_missing: list[str] = field(default_factory=list)
    pages_failed: list[str] = field(default_factory=list)  # whole pages not read or stored
    # Rows or records a parser refused, the rest of their page stored: a failure too (exit 1),
    # but not one that keeps a rebuild from being swapped in.
    records_refused: list[str] = field(default_factory=list)
    counts: Counts = field(default_factory=Counts)
    complete: bool = False  # this run covered the source's whole history
    pages_not_modified: int = 0  # answered 304 to a conditional request
    records: int = 0  # records read from the search pages (a record-by-record source)
    unreachable: set[str] = field(default_factory=set)  # hosts it could not reach

    @property
    def failed(self) -> list[str]:
        return [*self.pages_failed, *self.records_refused]


@dataclass
class SyncSummary:
    """What a sync did: pages, rows, problems. ``ok`` is False if any page failed."""

    sources: dict[str, SourceSummary] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # worth telling, not failures
    # The hosts that could not be reached, each named once (not in ``problems``).
    hosts_unreachable: dict[str, HostUnreachable] = field(default_factory=dict)
    unreachable: Unreachable | None = None  # the error that names them, for the CLI

    @property
    def ok(self) -> bool:
        return not any(s.failed for s in self.sources.values())

    def totals(self) -> Counts:
        total = Counts()
        for s in self.sources.values():
            total += s.counts
        return total


class Reporter(Protocol):
    """What a sync tells as it goes: a bar's total and steps; optionally ``phase(text)``,
    a source's phase beginning or ending (one line), and ``retrying(text)``."""

    def start(self, total: int) -> None: ...
    def advance(self, label: str) -> None: ...


class _Silent:
    def start(self, total: int) -> None:
        pass

    def advance(self, label: str) -> None:
        pass


def _phase(reporter: Reporter, text: str) -> None:
    """Tell the reporter a phase begins or ends, if it listens for phases."""
    told = getattr(reporter, "phase", None)
    if told is not None:
        told(text)


def _retry_listener(reporter: Reporter) -> Callable[[TransientError, float, int], None] | None:
    told = getattr(reporter, "retrying", None)
    if told is None:
        return None

    def listen(exc: TransientError, wait: float, attempt: int) -> None:
        told(f"retrying in {wait:.0f} s: {exc.reason} (attempt {attempt + 1}, {exc.url})")

    return listen


def _host_settings(settings: Settings) -> dict[str, list[tuple[str, str]]]:
    """{host: [(the setting naming it, its value)]}, for the hosts the sources ask."""
    import httpx

    found: dict[str, list[tuple[str, str]]] = {}
    for name, value in (("TRACKER_UN_ORG_URL", settings.un_org_url),
                        ("TRACKER_UNDL_URL", settings.undl_url),
                        ("TRACKER_PRESS_URL", settings.press_url),
                        ("TRACKER_DOCS_URL", settings.docs_url)):
        try:
            url = httpx.URL(value)
        except (httpx.InvalidURL, TypeError):
            continue
        host = url.netloc.decode("ascii", "replace") or url.host
        found.setdefault(host, []).append((name, value))
    return found


def _fetch_failed(summary: SyncSummary, source_summary: SourceSummary, page_id: str,
                  exc: FetchError | ParseError) -> None:
    """Note a page that failed; an unreachable host is named once, not for every page."""
    source_summary.pages_failed.append(page_id)
    if isinstance(exc, HostUnreachable):
        source_summary.unreachable.add(exc.host)
        summary.hosts_unreachable.setdefault(exc.host, exc)
    else:
        summary.problems.append(str(exc))


# --- sources --------------------------------------------------------------------------


def polite_client(settings: Settings) -> PoliteClient:
    """Return the HTTP client of a sync: paced as the settings say and as each host's
    robots.txt asks (the slower wins), kept from what robots.txt disallows, naming the
    tracker."""
    return PoliteClient(
        requests_per_second=settings.requests_per_second, timeout=settings.timeout_seconds,
        max_attempts=settings.max_attempts, max_bytes=settings.max_response_bytes,
        user_agent=USER_AGENT,
        robots=Robots(RawArchive(settings.raw_dir), advice=robots_advice(settings)))


# The sources each base URL setting serves (tracker/sources.py builds them from these).
_SOURCES_OF_SETTING = {"TRACKER_UN_ORG_URL": "meetings, veto-list",
                       "TRACKER_UNDL_URL": "voting-records, documents",
                       "TRACKER_PRESS_URL": "press-releases",
                       "TRACKER_DOCS_URL": "meeting-records"}


def robots_advice(settings: Settings) -> dict[str, str]:
    """{host: what to do instead of a path its robots.txt disallows}."""
    advice = {}
    for host, named in _host_settings(settings).items():
        sources = ", ".join(_SOURCES_OF_SETTING[name] for name, _ in named)
        text = f"the sources {sources} ({', '.join(name for name, _ in named)}) cannot use it"
        if any(name == "TRACKER_UNDL_URL" for name, _ in named):
            text += ("; " + ("a token does not lift it: " if settings.undl_token else
                             "set TRACKER_UNDL_TOKEN to use the Digital Library's API route "
                             "(/api/v1/search), or ")
                     + "import the Library's voting dataset instead: `tracker import "
                       "undl-dataset FILE` (record 4055387)")
        else:
            text += "; point the setting at a mirror that allows it, or sync the other sources"
        advice[host] = text
    return advice


def _validators(response: Response) -> dict[str, str] | None:
    headers = {k.lower(): v for k, v in response.headers.items()}
    found = {"etag": headers.get("etag"), "last_modified": headers.get("last-modified")}
    return {k: v for k, v in found.items() if v} or None


@dataclass(frozen=True)
class _PageJob:
    """One page of one page source, and the writer that stores what its parser returns."""

    source: PageSource
    page: Page
    store: Callable[..., Counts]


def _state(engine: Engine, name: str, *, full: bool) -> SyncState:
    """Read from the database what a source's sync plans from (its history)."""
    with Session(engine) as session:
        complete, last_ok = sync_history(session, name)
    return SyncState(everything=full or not complete, last_ok=last_ok)


# --- running --------------------------------------------------------------------------


def open_database(engine: Engine) -> None:
    """Create or upgrade the schema and seed the members (one process at a time)."""
    with schema_lock(engine):
        upgrade(engine)
        with session_scope(engine) as session:
            ensure_members(session)


# A pipeline makes hundreds of thousands of short-lived objects (page trees, records, rows)
# while a long-lived heap sits still; collecting every 700 allocations (Python's default)
# took about a tenth of a sync's and a rebuild's time. Cycles are still collected.
PIPELINE_GC_THRESHOLD = 10_000


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Run the garbage collector's youngest generation less often, until the block ends."""
    threshold = gc.get_threshold()
    gc.set_threshold(max(threshold[0], PIPELINE_GC_THRESHOLD), *threshold[1:])
    # The heap already there (imported modules, a caller's data) is set aside: a full
    # collection during the run then scans only what the run made. A caller that froze
    # its own heap keeps it frozen.
    ours = gc.get_freeze_count() == 0
    if ours:
        gc.freeze()
    try:
        yield
    finally:
        if ours:
            gc.unfreeze()
        gc.set_threshold(*threshold)


@contextmanager
def _lock(settings: Settings, engine: Engine) -> Iterator[None]:
    """Hold the database's run lock (two users' syncs into one database take turns) and
    the data folder's (two syncs into one raw archive take turns), or raise SyncLocked."""
    try:
        with run_lock(engine):
            settings.data_dir.mkdir(parents=True, exist_ok=True)
            lock = FileLock(str(settings.data_dir / "sync.lock"))
            try:
                lock.acquire(timeout=0)
            except Timeout:
                raise SyncLocked(
                    f"another sync or rebuild is running on {settings.data_dir} "
                    "(lock file sync.lock); wait for it to finish"
                ) from None
            try:
                yield
            finally:
                lock.release()
    except DatabaseLocked as exc:
        raise SyncLocked(str(exc)) from None


def _run_pages(engine: Engine, archive: RawArchive, jobs: Iterable[_PageJob],
               summary: SyncSummary, reporter: Reporter,
               client: PoliteClient | None) -> None:
    """The page runner: fetch with validators (or, with no client, load from the raw
    archive), archive, parse, store; one transaction per page."""
    for job in jobs:
        source, page_id = job.source, job.page.page_id
        source_summary = summary.sources.setdefault(source.name, SourceSummary(source.name))
        try:
            if client is not None:
                archived = archive.load(source.archive_name, page_id)
                try:
                    response = source.fetch(client, job.page, archived)
                except NotFound as exc:
                    failure = source.missing(exc)
                    if failure is not None:
                        raise failure from None
                    source_summary.pages_missing.append(page_id)  # noted, not a failure
                    continue
                source_summary.pages_fetched += 1
                if response.status == 304 and archived is not None:
                    page = archived  # not modified: the archived copy is current
                    source_summary.pages_not_modified += 1
                else:
                    page, _ = archive.save(source.archive_name, page_id, response.url,
                                           response.body, response.fetched_at,
                                           _validators(response), response.final_url)
            else:
                loaded = archive.load(source.archive_name, page_id)
                if loaded is None:  # listed, so archived: its body does not match its digest
                    source_summary.pages_failed.append(page_id)
                    summary.problems.append(
                        f"raw archive {source.archive_name}/{page_id}: no body matches the "
                        "digest in its metadata (damaged); `tracker sync` fetches it again")
                    continue
                page = loaded
                source_summary.pages_fetched += 1
            try:
                parsed = source.parse(page.body, url=page.url, page=job.page)
            except Unpublished:
                source_summary.pages_missing.append(page_id)  # noted, asked again later
                continue
            with session_scope(engine) as session:
                counts = job.store(session, parsed, url=page.url, fetched_at=page.fetched_at)
            source_summary.counts += counts
            for error in parsed.errors:  # the rest of the page is stored
                source_summary.records_refused.append(f"{page_id} {error.record}")
                summary.problems.append(str(error))
        except (FetchError, ParseError) as exc:
            _fetch_failed(summary, source_summary, page_id, exc)
        except Exception as exc:  # one page never ends the whole sync
            if storage_trouble(exc):
                raise
            source_summary.pages_failed.append(page_id)
            summary.problems.append(_unexpected(source.archive_name, page_id, exc))
        finally:
            reporter.advance(job.page.label)


def _read_feed(engine: Engine, archive: RawArchive, source: PressReleasesSource,
               summary: SyncSummary, client: PoliteClient, *, full: bool
               ) -> list[tuple[str, int]]:
    """Fetch, archive and read the press release feed; return the Council's releases it
    lists that are not in the raw archive yet (all it lists with ``full``), as (symbol,
    year). Not those published since the last sync by the feed's dates: an item can appear
    after a sync began with an earlier date, and would be skipped for good. A feed that
    fails is a failed page of the source, one not found (404) a note; the releases the
    tables ask for are fetched all the same."""
    source_summary = summary.sources.setdefault(source.name, SourceSummary(source.name))
    try:
        archived = archive.load(source.archive_name, FEED_PAGE)
        response = source.fetch_feed(client, archived)
        source_summary.pages_fetched += 1
        if response.status == 304 and archived is not None:
            page = archived  # not modified: the archived copy is current
            source_summary.pages_not_modified += 1
        else:
            page, _ = archive.save(source.archive_name, FEED_PAGE, response.url, response.body,
                                   response.fetched_at, _validators(response),
                                   response.final_url)
        feed = source.parse_feed(page.body, url=page.url)
    except NotFound:
        summary.notes.append(f"{source.feed_url()}: the press release feed was not found "
                             "(404); only the releases the meetings tables name were asked for")
        return []
    except (FetchError, ParseError) as exc:
        _fetch_failed(summary, source_summary, FEED_PAGE, exc)
        return []
    archived_pages = set() if full else set(archive.page_ids(source.archive_name))
    return [(item.symbol, item.year) for item in source.news(feed, archived=archived_pages)]


def _provisional_releases(engine: Engine) -> list[str]:
    """The addresses of the press releases that gave provisional votes, before a sync."""
    from db.roll_calls import provisional_releases

    with Session(engine) as session:
        return provisional_releases(session)


def _confirm_provisional(engine: Engine, settings: Settings, archive: RawArchive,
                         releases: list[str], summary: SyncSummary) -> None:
    """Store again, from the raw archive, the releases that gave provisional votes before
    this sync: a meetings table that now names their meeting holds them to its tallies (a
    finding where they disagree), a roll call another source now gives to its roll call.
    Their rows count with the press source's when it was synced, else in a note (no run of
    the press source is recorded: its feed was not read)."""
    registered = REGISTRY[PressReleasesSource.name]
    source = registered.build(settings)
    assert isinstance(source, PressReleasesSource)
    counts = Counts()
    for url in releases:
        page_id = release_page_id(url)
        loaded = archive.load(source.archive_name, page_id) if page_id else None
        if page_id is None or loaded is None:
            continue  # not archived (a database synced elsewhere): the next sync reads it
        try:
            parsed = source.parse(loaded.body, url=loaded.url,
                                  page=source.archived([page_id])[0])
            with session_scope(engine) as session:
                counts += registered.store(session, parsed, url=loaded.url,
                                           fetched_at=loaded.fetched_at)
        except ParseError as exc:
            summary.problems.append(str(exc))
        except Exception as exc:  # one release never ends the whole sync
            if storage_trouble(exc):
                raise
            summary.problems.append(_unexpected(source.archive_name, page_id, exc))
    if source.name in summary.sources:
        summary.sources[source.name].counts += counts
    elif counts.new or counts.changed or counts.deleted:
        summary.notes.append(
            f"{source.name}: {_count(len(releases), 'release')} with provisional votes held to "
            f"what came since ({_count(counts.new + counts.changed + counts.deleted, 'row')} "
            "written)")


def _unexpected(source: str, page: str, exc: Exception) -> str:
    """Describe an error no parser or store foresaw, naming the source and the page."""
    text = " ".join(str(exc).split())[:300]
    return (f"{source}: {page}: could not be read or stored ({type(exc).__name__}: {text}); "
            "nothing of it was stored, the rest of the sync went on")


def _settle_links(engine: Engine, summary: SyncSummary) -> None:
    """Accept the drafts' resolution links that the tables or voting records bear out."""
    from db.links import settle_resolution_links

    try:
        with session_scope(engine) as session:
            counts = settle_resolution_links(session, seen_at=dt.datetime.now(dt.UTC))
    except Exception as exc:  # named, and the sync still records its runs
        if storage_trouble(exc):
            raise
        summary.sources.setdefault("documents", SourceSummary("documents")).pages_failed.append(
            "links")
        summary.problems.append(_unexpected("links", "resolution links", exc))
        return
    if "documents" in summary.sources:
        summary.sources["documents"].counts += counts


def _note_missing(engine: Engine, source: PageSource, source_summary: SourceSummary) -> None:
    """Remember the pages a source asked for that do not exist (404, or not published): a
    normal sync does not ask for them again, ``--full`` does."""
    if source_summary.pages_missing:
        with session_scope(engine) as session:
            note_lookups(session, source.archive_name,
                         dict.fromkeys(source_summary.pages_missing),
                         checked_at=dt.datetime.now(dt.UTC))


def _derive_membership(engine: Engine, summary: SyncSummary) -> None:
    """Bring the Council's membership by year up to date with the roll calls stored."""
    from db.roll_calls import derive_membership

    try:
        with session_scope(engine) as session:
            counts = derive_membership(session)
    except Exception as exc:  # named, and the sync still records its runs
        if storage_trouble(exc):
            raise
        summary.problems.append(_unexpected("membership", "the Council's membership", exc))
        return
    if "press-releases" in summary.sources:  # the membership completes the releases' votes
        summary.sources["press-releases"].counts += counts


def _derive_mandates(engine: Engine, summary: SyncSummary, today: dt.date) -> None:
    """Bring the mandates up to date with what the sources stored."""
    from council.mandates import RegistryError, load_registry
    from db.mandates import derive_mandates

    mandates = summary.sources.setdefault("mandates", SourceSummary("mandates"))
    try:
        registry = load_registry()
    except RegistryError as exc:
        mandates.pages_failed.append("registry")
        summary.problems.append(f"mandate registry: {exc}")
        return
    try:
        with session_scope(engine) as session:
            mandates.counts += derive_mandates(session, registry, today=today)
    except Exception as exc:  # named, and the sync still records its runs
        if storage_trouble(exc):
            raise
        mandates.pages_failed.append("mandates")
        summary.problems.append(_unexpected("mandates", "derivation", exc))


def _record_runs(engine: Engine, summary: SyncSummary, started: dt.datetime) -> None:
    _finish_runs(engine, summary, started, {})


def _begin_runs(engine: Engine, summary: SyncSummary, started: dt.datetime) -> dict[str, int]:
    """Record a run of each source as begun (not finished: a process killed now leaves it
    so, and ``status`` shows it as interrupted); return their ids by source."""
    with session_scope(engine) as session:
        runs = {name: SyncRun(source=name, started_at=started, finished_at=None)
                for name in summary.sources}
        session.add_all(runs.values())
        session.flush()
        return {name: run.id for name, run in runs.items() if run.id is not None}


def _finish_runs(engine: Engine, summary: SyncSummary, started: dt.datetime,
                 runs: dict[str, int], *, finished: bool = True) -> None:
    """Record what each source's run did: finished, or (``finished`` False) interrupted,
    with what it stored so far and no finishing time."""
    now = dt.datetime.now(dt.UTC) if finished else None
    with session_scope(engine) as session:
        for s in summary.sources.values():
            run = session.get(SyncRun, runs[s.source]) if s.source in runs else None
            if run is None:
                run = SyncRun(source=s.source, started_at=started)
                session.add(run)
            run.finished_at = now
            run.pages_fetched = s.pages_fetched
            run.pages_missing = len(s.pages_missing)
            run.pages_failed = len(s.failed)
            run.rows_new = s.counts.new
            run.rows_changed = s.counts.changed + s.counts.deleted
            run.rows_unchanged = s.counts.unchanged
            run.ok = finished and not s.failed
            run.complete = finished and s.complete and not s.failed


def sync(
    engine: Engine,
    settings: Settings,
    *,
    sources: Iterable[str] = SOURCES,
    since: int | None = None,
    until: int | None = None,
    full: bool = False,
    today: dt.date | None = None,
    reporter: Reporter | None = None,
    client: PoliteClient | None = None,
) -> SyncSummary:
    """Fetch what is new from each source and store it.

    By default: the Veto List and the current and previous year's tables;
    everything on a source's first run or with ``full``; ``since``/``until``
    choose the years of the meetings tables.
    """
    today = today or dt.date.today()
    reporter = reporter or _Silent()
    wanted = list(dict.fromkeys(sources))
    for name in wanted:
        if name not in REGISTRY:
            raise ValueError(f"unknown source {name!r}; the sources are: {', '.join(SOURCES)}")
    with _lock(settings, engine), _fewer_collections():
        open_database(engine)
        if since is not None and until is not None and since > until:
            raise ValueError(f"--since {since} is after --until {until}")
        summary = SyncSummary(sources={n: SourceSummary(n) for n in wanted})
        jobs: list[_PageJob] = []
        walks: list[tuple[SearchSource, SyncState, Callable[..., Counts]]] = []
        asking: list[Registered] = []  # sources asked for what the others stored: last
        for name, registered in REGISTRY.items():  # in the registry's order
            if name not in wanted:
                continue
            if registered.wanted is not None:
                asking.append(registered)
                continue
            state = _state(engine, name, full=full)
            source = registered.build(settings)
            if isinstance(source, PageSource):
                plan = source.plan(state, since=since, until=until, today=today)
                summary.sources[name].complete = plan.complete
                jobs.extend(_PageJob(source, page, registered.store) for page in plan.pages)
            else:
                summary.sources[name].complete = state.everything
                walks.append((source, state, registered.store))
        pending = _provisional_releases(engine)  # confirmed, or not, by what comes now
        started = dt.datetime.now(dt.UTC)
        runs = _begin_runs(engine, summary, started)
        own_client = client is None
        http = client or polite_client(settings)
        told_retries, http.on_retry = http.on_retry, _retry_listener(reporter)
        archive = RawArchive(settings.raw_dir)
        try:
            # The page sources first, in the registry's order, each a phase of its own.
            for name in dict.fromkeys(job.source.name for job in jobs):
                own_jobs = [job for job in jobs if job.source.name == name]
                _phase(reporter, f"{name}: fetching {_count(len(own_jobs), 'page')}…")
                reporter.start(len(own_jobs))
                _run_pages(engine, archive, own_jobs, summary, reporter, http)
                _phase(reporter, _phase_done(summary.sources[name]))
            for source, state, store in walks:
                _phase(reporter, f"{source.name}: fetching search pages…")
                _sync_search(engine, settings, archive, source, state, store, http,
                             summary.sources[source.name], summary, reporter=reporter)
                _phase(reporter, _phase_done(summary.sources[source.name]))
            for registered in asking:
                page_source = registered.build(settings)
                assert isinstance(page_source, PageSource) and registered.wanted is not None
                # what it is asked for comes from the database: ``--full`` asks again for
                # what was read or not found before, a normal sync for what is new
                news = (_read_feed(engine, archive, page_source, summary, http, full=full)
                        if isinstance(page_source, PressReleasesSource) else [])
                with Session(engine) as session:
                    state = SyncState(everything=full,
                                      wanted=[*registered.wanted(session, full), *news])
                plan = page_source.plan(state, since=since, until=until, today=today)
                summary.sources[registered.name].complete = plan.complete
                own_jobs = [_PageJob(page_source, page, registered.store) for page in plan.pages]
                _phase(reporter, f"{registered.name}: fetching {_count(len(own_jobs), 'page')}…")
                reporter.start(len(own_jobs))
                _run_pages(engine, archive, own_jobs, summary, reporter, http)
                _note_missing(engine, page_source, summary.sources[registered.name])
                _phase(reporter, _phase_done(summary.sources[registered.name]))
            if pending:
                _phase(reporter, f"press-releases: holding {_count(len(pending), 'release')} "
                       "with provisional votes to what came since…")
                _confirm_provisional(engine, settings, archive, pending, summary)
            _phase(reporter, "deriving the resolution links and the mandates…")
            _settle_links(engine, summary)
            _derive_membership(engine, summary)
            _derive_mandates(engine, summary, today)
        except KeyboardInterrupt as exc:
            _finish_runs(engine, summary, started, runs, finished=False)
            raise SyncInterrupted(summary) from exc
        finally:
            http.on_retry = told_retries
            if own_client:
                http.close()
        _finish_runs(engine, summary, started, runs)
        if summary.hosts_unreachable:
            summary.unreachable = Unreachable(summary.hosts_unreachable, summary, settings)
        return summary


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _phase_done(s: SourceSummary) -> str:
    """One line: what a source's phase fetched and wrote."""
    parts = [_count(s.pages_fetched, "page")]
    if s.records:
        parts.append(_count(s.records, "record"))
    parts.append(_count(s.counts.new + s.counts.changed + s.counts.deleted, "row") + " written")
    if s.pages_missing:
        parts.append(f"{len(s.pages_missing):,} not found")
    if s.failed:
        parts.append(f"{len(s.failed):,} failed")
    if s.unreachable:
        parts.append(f"cannot reach {', '.join(sorted(s.unreachable))}")
    return f"{s.source}: " + ", ".join(parts)


def sync_in_progress(engine: Engine, settings: Settings) -> bool:
    """Whether a sync, rebuild or import holds the lock of this database or data folder."""
    if not settings.data_dir.exists():
        try:
            with run_lock(engine):
                return False
        except DatabaseLocked:
            return True
    try:
        with _lock(settings, engine):
            return False
    except SyncLocked:
        return True


def rebuild(engine: Engine, settings: Settings, *, reporter: Reporter | None = None
            ) -> SyncSummary:
    """Recreate the database from the raw archive, with no network.

    The new database is built beside the old one (a file next to a SQLite file, a schema
    on PostgreSQL) and swapped in, in one transaction, when every archived page was read
    and stored (rows or records a parser refuses are named, and do not stop it) or when
    the old database holds nothing; a page that failed whole, an error or a kill leaves
    the old database as it was, and a reader meanwhile sees the old database, then the
    new one.
    """
    reporter = reporter or _Silent()
    with _lock(settings, engine), _fewer_collections():
        archive = RawArchive(settings.raw_dir)
        searches = [s for s in (r.build(settings) for r in REGISTRY.values())
                    if isinstance(s, SearchSource)]
        records = {s.name: _count_records(settings, s) for s in searches}
        if not any(records.values()) and not any(
                any(archive.page_ids(name)) for name in
                (*archive_names().values(), undl_dataset.SOURCE_DATASET)):
            raise EmptyArchive(f"the raw archive at {settings.raw_dir} holds no pages: nothing "
                               "to rebuild from (run `tracker sync` first; the database was "
                               "left as it is)")
        staged = staging_engine(engine)
        if staged is None:  # in-memory SQLite: nothing for a reader to see, rebuild in place
            drop_schema(engine)
            return _replay_archive(engine, settings, archive, records, reporter)
        try:
            summary = _replay_archive(staged, settings, archive, records, reporter)
        except KeyboardInterrupt as exc:
            discard_staging(staged)
            raise RebuildInterrupted() from exc
        except BaseException:
            discard_staging(staged)
            raise
        whole_pages = [p for s in summary.sources.values() for p in s.pages_failed]
        if whole_pages and holds_data(engine):
            discard_staging(staged)
            summary.notes.append(
                "the database was left as it was: a rebuild is swapped in only when every "
                "archived page was read and stored (rows or records a parser refuses do not "
                "count), and these were not: " + ", ".join(whole_pages[:10])
                + ("" if len(whole_pages) <= 10 else f" and {len(whole_pages) - 10} more")
                + "; `tracker sync --full` fetches them again")
            return summary
        try:
            swap_in(engine, staged)
        except BaseException as exc:
            discard_staging(staged)
            if isinstance(exc, sqlite3.Error):  # the raw backup API: name the file
                path = engine.url.database or "the database file"
                raise StorageFault(f"the database {path}", Path(path),
                                   "run `tracker rebuild` again") from exc
            raise
        return summary


def _replay_archive(engine: Engine, settings: Settings, archive: RawArchive,
                    records: dict[str, int], reporter: Reporter) -> SyncSummary:
    """Store every archived page and record into an empty database, source by source in
    the registry's order: the pages first, then the records."""
    open_database(engine)
    jobs: list[_PageJob] = []
    asking: list[_PageJob] = []  # pages of sources asked for what the others stored: last
    searches: list[tuple[SearchSource, Callable[..., Counts]]] = []
    for registered in REGISTRY.values():
        source = registered.build(settings)
        if isinstance(source, PageSource):
            (asking if registered.wanted is not None else jobs).extend(
                _PageJob(source, page, registered.store) for page in
                source.archived(list(archive.page_ids(source.archive_name))))
        else:
            searches.append((source, registered.store))
    summary = SyncSummary(sources={n: SourceSummary(n) for n in REGISTRY})
    started = dt.datetime.now(dt.UTC)
    datasets = list(archive.page_ids(undl_dataset.SOURCE_DATASET))
    logging.getLogger(__name__).info(
        "reading the raw archive at %s: %d pages, %d records, %d dataset files",
        archive.root, len(jobs), sum(records.values()), len(datasets))
    reporter.start(len(jobs) + len(asking) + sum(records.values()) + len(datasets))
    _run_pages(engine, archive, jobs, summary, reporter, None)
    for source, store in searches:
        _replay_records(engine, settings, source, store, summary.sources[source.name],
                        summary, reporter)
    for dataset_id in datasets:
        loaded = archive.load(undl_dataset.SOURCE_DATASET, dataset_id)
        if loaded is not None:
            source_summary = summary.sources.setdefault(
                "undl-dataset", SourceSummary("undl-dataset"))
            _replay_dataset(engine, dataset_id, loaded.body, loaded.fetched_at,
                            source_summary, summary, reporter)
    _run_pages(engine, archive, asking, summary, reporter, None)
    _settle_links(engine, summary)
    _derive_membership(engine, summary)
    _derive_mandates(engine, summary, dt.date.today())
    _record_runs(engine, summary, started)
    return summary


# --- the Digital Library's search -------------------------------------------------------


@contextmanager
def _record_archive(settings: Settings, source: SearchSource) -> Iterator[RecordArchive]:
    """Open the archive of a record-by-record source; an SQLite error of its file becomes
    a StorageFault naming the file."""
    archive = RecordArchive(settings.raw_dir, source.archive_name)
    try:
        with archive:
            yield archive
    except sqlite3.DatabaseError as exc:
        raise StorageFault(
            f"the record archive {archive.path}", archive.path,
            f"`tracker sync --source {source.name} --full` fetches its records again") from exc


def _count_records(settings: Settings, source: SearchSource) -> int:
    with _record_archive(settings, source) as archive:
        return archive.count()


def _sync_search(engine: Engine, settings: Settings, raw: RawArchive, source: SearchSource,
                 state: SyncState, store: Callable[..., Counts], client: PoliteClient,
                 source_summary: SourceSummary, summary: SyncSummary, *,
                 reporter: Reporter) -> None:
    """Walk a source's search; then, for a source that can be asked by symbol, ask once
    for each draft no record covers yet (misses are remembered; ``--full`` asks again)."""

    def store_records(session: Session, batch: list[Any], times: dict[str, dt.datetime]
                      ) -> Counts:
        return store(session, batch, source=source.archive_name, fetched_at=times)

    with _record_archive(settings, source) as records:
        with Session(engine) as session:
            state = SyncState(everything=state.everything, last_ok=state.last_ok,
                              known=known_records(session, source.archive_name))
        _walk_search(engine, raw, records, source, state, store_records, client,
                     source_summary, summary, reporter)
        if isinstance(source, LookupSource) and not source_summary.failed:
            with Session(engine) as session:
                state = SyncState(everything=state.everything, last_ok=state.last_ok,
                                  drafts_to_look_up=drafts_to_look_up(
                                      session, source.archive_name,
                                      retry_misses=state.everything))
            _look_up_drafts(engine, raw, records, source, state, store_records, client,
                            source_summary, summary, reporter)


def _walk_search(engine: Engine, raw: RawArchive, records: RecordArchive,
                 source: SearchSource, state: SyncState,
                 store: Callable[[Session, list[Any], dict[str, dt.datetime]], Counts],
                 client: PoliteClient, source_summary: SourceSummary, summary: SyncSummary,
                 reporter: Reporter) -> None:
    """The search walker: page through a Digital Library search, newest first.

    Each page is archived, then split into records; each new or changed record (id and
    last-change stamp) is archived on its own, then parsed and stored. A page with no
    new or changed record stored ends a normal sync; ``state.everything`` walks every
    page, and so does a walk after one that stopped part-way, and a walk of a search whose
    order is not known to be newest first (the Digital Library's API route). A page that
    fails ends the walk with a problem; a record the parser refuses is named (and stays
    archived: a rebuild stores it once the parser reads it) and the rest of the page is
    stored.
    """
    everything = state.everything or not source.newest_first
    if records.walk_interrupted() and not everything:
        # The last walk stopped part-way: the records past where it stopped may be
        # new although the first pages are not, so this walk goes to the end.
        everything = True
        summary.notes.append(f"{source.label}: the last sync stopped part-way; "
                             "reading every page of the search this time")
    jrec = 1
    walking = False
    total: int | None = None
    while total is None or jrec <= total:
        try:
            response = source.fetch_page(client, jrec)
            # Archived before it is parsed; the newest copy only (no history): its records
            # are archived one by one below, and a page shifts with every new record.
            raw.save(source.pages_archive_name, f"jrec-{jrec}", response.url, response.body,
                     response.fetched_at, history=False)
            page = source.split(response.body, url=response.url)
        except (FetchError, ParseError) as exc:
            _fetch_failed(summary, source_summary, f"jrec={jrec}", exc)
            return
        except Exception as exc:  # a parser's own failure ends this walk, not the sync
            if storage_trouble(exc):
                raise
            source_summary.pages_failed.append(f"jrec={jrec}")
            summary.problems.append(_unexpected(source.archive_name, f"jrec={jrec}", exc))
            return
        source_summary.pages_fetched += 1
        if total is None:
            total = page.total
            if total == 0:
                source_summary.pages_failed.append(f"jrec={jrec}")
                summary.problems.append(f"{response.url}: the search found no {source.label} "
                                        "(an empty answer is not 'nothing new')")
                return
            reporter.start(-(-total // source.page_size))
        source_summary.records += len(page.records) + len(page.errors)
        for error in page.errors:  # no readable record id: nothing to archive it under
            source_summary.records_refused.append(error.record)
            summary.problems.append(str(error))
        fresh = [r for r in page.records if state.known.get(r.record_id, "?") != r.modified]
        times = records.save_many([(r.record_id, source.record_url(r.record_id), r.raw)
                                   for r in fresh], response.fetched_at)
        parsed = _parse_records(source, fresh, source_summary, summary)
        if parsed and not walking:
            # From the first new record on, a stop before the end could skip records.
            records.begin_walk(dt.datetime.now(dt.UTC))
            walking = True
        for start in range(0, len(parsed), RECORD_BATCH):
            _store_batch(engine, records.source, parsed[start:start + RECORD_BATCH], times,
                         store, source_summary, summary)
        source_summary.counts.unchanged += len(page.records) - len(fresh)
        seen = len(page.records) + len(page.errors)
        reporter.advance(f"{source.label} {jrec}-{jrec + seen - 1}")
        if seen == 0:  # the loop runs only while jrec <= total: this is not the end
            source_summary.pages_failed.append(f"jrec={jrec}")
            summary.problems.append(f"{response.url}: an empty page at record {jrec} of "
                                    f"{total}: the search ended early")
            return
        if not everything and not parsed:
            break
        jrec += seen
    records.end_walk(dt.datetime.now(dt.UTC))


def _parse_records(source: SearchSource, fresh: list[Any], source_summary: SourceSummary,
                   summary: SyncSummary) -> list[Any]:
    """Parse archived records; name those the parser refuses; leave out those that are
    not the source's (a document that is not a draft)."""
    parsed = []
    for raw_record in fresh:
        try:
            record = source.parse_record(raw_record.raw, raw_record.record_id,
                                         raw_record.element)
        except ParseError as exc:
            source_summary.records_refused.append(exc.record)
            summary.problems.append(str(exc))
            continue
        except Exception as exc:  # one record never ends the sync; it stays archived
            if storage_trouble(exc):
                raise
            source_summary.pages_failed.append(f"record {raw_record.record_id}")
            summary.problems.append(_unexpected(source.archive_name,
                                                f"record {raw_record.record_id}", exc))
            continue
        if record is not None:
            parsed.append(record)
    return parsed


def _store_batch(engine: Engine, source: str, batch: list[Any], times: dict[str, dt.datetime],
                 store: Callable[[Session, list[Any], dict[str, dt.datetime]], Counts],
                 source_summary: SourceSummary, summary: SyncSummary) -> None:
    """Store a batch of records in one transaction. If the store fails on it, store its
    records one by one, so the record it cannot take is named and its siblings are kept."""
    failed = False
    try:
        with session_scope(engine) as session:
            counts = store(session, batch, times)
    except Exception as exc:  # found out below, record by record
        if storage_trouble(exc):
            raise
        failed = True
    if not failed:
        source_summary.counts += counts
        return
    for record in batch:
        try:
            with session_scope(engine) as session:
                source_summary.counts += store(session, [record], times)
        except Exception as exc:  # one record never ends the sync
            if storage_trouble(exc):
                raise
            source_summary.pages_failed.append(f"record {record.record_id}")
            summary.problems.append(_unexpected(source, f"record {record.record_id}", exc))


@dataclass
class _Answers:
    """Draft lookups answered and not yet stored: stored together, one transaction."""

    found: list[tuple[Any, dt.datetime]] = field(default_factory=list)  # (record, fetched at)
    # Records the parser refused, as the source wrote them: (id, URL, XML, fetched at),
    # archived with the others so that a rebuild stores them once the parser reads them.
    refused: list[tuple[str, str, bytes, dt.datetime]] = field(default_factory=list)
    # symbol: (when asked, the answer's URL, the findings that say why no record matched)
    missed: dict[str, tuple[dt.datetime, str, list[Finding]]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.found) + len(self.missed)


def _look_up_drafts(engine: Engine, raw: RawArchive, records: RecordArchive,
                    source: LookupSource, state: SyncState,
                    store: Callable[[Session, list[Any], dict[str, dt.datetime]], Counts],
                    client: PoliteClient, source_summary: SourceSummary, summary: SyncSummary,
                    reporter: Reporter) -> None:
    """Ask the source by symbol for each draft no record covers yet; store the answers
    in batches (a draft without a record is remembered, and not asked for again)."""
    answers = _Answers()
    reporter.start(len(state.drafts_to_look_up))
    for symbol in state.drafts_to_look_up:
        reporter.advance(f"document {symbol}")
        try:
            response = source.look_up(client, symbol)
            raw.save(source.lookups_archive_name, lookup_page_id(symbol), response.url,
                     response.body, response.fetched_at)  # archived before it is parsed
            lookup = source.parse_lookup(response.body, url=response.url, symbol=symbol)
        except (FetchError, ParseError) as exc:
            _fetch_failed(summary, source_summary, symbol, exc)
            if isinstance(exc, HostUnreachable) or (
                    isinstance(exc, FetchError) and source.ends_lookups(exc)):
                break
            continue
        except Exception as exc:  # one draft's answer never ends the sync
            if storage_trouble(exc):
                raise
            source_summary.pages_failed.append(symbol)
            summary.problems.append(_unexpected(records.source, symbol, exc))
            continue
        source_summary.pages_fetched += 1
        for error in lookup.errors:
            source_summary.records_refused.append(error.record)
            summary.problems.append(str(error))
        answers.refused.extend((r.record_id, source.record_url(r.record_id), r.raw,
                                response.fetched_at) for r in lookup.refused)
        if lookup.records:
            answers.found.extend((r, response.fetched_at) for r in lookup.records)
        else:
            answers.missed[symbol] = (response.fetched_at, response.url, lookup.findings)
        if len(answers) >= LOOKUP_BATCH:
            _store_answers(engine, records, answers, store, source_summary, summary)
            answers = _Answers()
    _store_answers(engine, records, answers, store, source_summary, summary)


def _store_answers(engine: Engine, records: RecordArchive, answers: _Answers,
                   store: Callable[[Session, list[Any], dict[str, dt.datetime]], Counts],
                   source_summary: SourceSummary, summary: SyncSummary) -> None:
    """Archive the records found (one archive transaction), then store them and remember
    the misses in one transaction; if that fails, store them one by one, so the record
    it cannot take is named and the others are kept."""
    if answers.refused:  # kept, though nothing of them is stored
        records.save_versions(answers.refused)
    if not answers:
        return
    found = [record for record, _ in answers.found]
    times = records.save_versions([(r.record_id, r.url, r.raw, fetched_at)
                                   for r, fetched_at in answers.found])

    def remember(session: Session, missed: dict[str, tuple[dt.datetime, str, list[Finding]]]
                 ) -> None:
        for symbol, (checked_at, _, _) in missed.items():
            note_lookups(session, records.source, {symbol: None}, checked_at=checked_at)
        store_findings_of(session, records.source,
                          {url: (findings, checked_at)
                           for checked_at, url, findings in missed.values()})

    try:
        with session_scope(engine) as session:
            counts = store(session, found, times) if found else Counts()
            remember(session, answers.missed)
    except Exception as exc:  # found out below, one by one
        if storage_trouble(exc):
            raise
    else:
        source_summary.counts += counts
        return
    for record in found:
        _store_batch(engine, records.source, [record], times, store, source_summary, summary)
    for symbol, missed in answers.missed.items():
        with session_scope(engine) as session:
            remember(session, {symbol: missed})


def _replay_records(engine: Engine, settings: Settings, source: SearchSource,
                    store: Callable[..., Counts], source_summary: SourceSummary,
                    summary: SyncSummary, reporter: Reporter) -> None:
    """Store the archived records of a record-by-record source again, in batches."""
    name = source.archive_name

    def store_records(session: Session, batch: list[Any], times: dict[str, dt.datetime]
                      ) -> Counts:
        return store(session, batch, source=name, fetched_at=times)

    batch: list[Any] = []
    times: dict[str, dt.datetime] = {}

    def flush() -> None:
        if batch:
            _store_batch(engine, name, list(batch), dict(times), store_records, source_summary,
                         summary)
            batch.clear()
            times.clear()

    with _record_archive(settings, source) as archive:
        for page in archive.latest():
            record_id = page.page_id
            reporter.advance(f"record {record_id}")
            try:
                record = source.parse_record(page.body, record_id)
            except ParseError as exc:
                source_summary.records_refused.append(record_id)
                summary.problems.append(str(exc))
                continue
            except Exception as exc:  # one record never ends the rebuild
                if storage_trouble(exc):
                    raise
                source_summary.pages_failed.append(record_id)
                summary.problems.append(_unexpected(name, f"record {record_id}", exc))
                continue
            if record is None:
                continue
            record.url = page.url
            source_summary.pages_fetched += 1
            batch.append(record)
            times[record_id] = page.fetched_at
            if len(batch) >= RECORD_BATCH:
                flush()
    flush()


# --- the Library's voting dataset --------------------------------------------------------


def _dataset_id(name: str) -> str:
    """Return an archive id for a dataset file name (``2026_02_06_sc_voting.csv``)."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "dataset.csv"
    return cleaned


def _read_dataset(body: bytes, source_summary: SourceSummary, summary: SyncSummary
                  ) -> list[Any] | None:
    """Parse the dataset; return its records, or None (and say why) if it is refused whole:
    not a dataset the parser can read, or not one row of it read."""
    try:
        records, errors = undl_dataset.parse_dataset(body)
    except ParseError as exc:
        source_summary.pages_failed.append(exc.record)
        summary.problems.append(str(exc))
        return None
    except Exception as exc:  # the parser's own failure: named, not a traceback
        if storage_trouble(exc):
            raise
        source_summary.pages_failed.append("file")
        summary.problems.append(_unexpected(undl_dataset.SOURCE_DATASET, "file", exc))
        return None
    for error in errors:
        source_summary.records_refused.append(error.record)
        summary.problems.append(str(error))
    if not records:
        source_summary.pages_failed.append("file")
        summary.problems.append(f"{undl_dataset.SOURCE_DATASET} file: not one row could be "
                                "read; nothing of it is stored")
        return None
    return records


def _store_dataset(engine: Engine, records: list[Any], fetched_at: dt.datetime,
                   source_summary: SourceSummary, summary: SyncSummary,
                   reporter: Reporter) -> None:
    """Store the dataset's records in one transaction."""
    source_summary.pages_fetched += 1
    counts = Counts()
    try:
        with session_scope(engine) as session:
            for start in range(0, len(records), RECORD_BATCH):
                batch = records[start:start + RECORD_BATCH]
                counts += store_voting_records(
                    session, batch, source=undl_dataset.SOURCE_DATASET, fetched_at=fetched_at)
                reporter.advance(f"dataset {start + len(batch)}/{len(records)}")
    except Exception as exc:  # one transaction: nothing of the file is stored, and it says so
        if storage_trouble(exc):
            raise
        source_summary.pages_failed.append("file")
        summary.problems.append(_unexpected(undl_dataset.SOURCE_DATASET, "file", exc))
        return
    source_summary.counts += counts


def _replay_dataset(engine: Engine, dataset_id: str, body: bytes, fetched_at: dt.datetime,
                    source_summary: SourceSummary, summary: SyncSummary,
                    reporter: Reporter) -> None:
    """Store an archived dataset file; one refused whole (an import of an older version
    archived it before refusing it) is named and skipped, and does not stop the rebuild."""
    refused = SyncSummary(sources={"undl-dataset": SourceSummary("undl-dataset")})
    records = _read_dataset(body, refused.sources["undl-dataset"], refused)
    if records is None:
        summary.notes.append(
            f"skipped the archived dataset file {dataset_id}: it was refused "
            f"({'; '.join(refused.problems)}); nothing of it is stored (remove it from the "
            "archive to silence this note)")
        return
    source_summary.records_refused.extend(refused.sources["undl-dataset"].records_refused)
    summary.problems.extend(refused.problems)
    _store_dataset(engine, records, fetched_at, source_summary, summary, reporter)


def import_undl_dataset(engine: Engine, settings: Settings, path_or_url: str, *,
                        reporter: Reporter | None = None,
                        client: PoliteClient | None = None) -> SyncSummary:
    """Load the Library's voting dataset (a local CSV, or its URL) into the same rows as the
    voting-records scraper; the file is kept in the raw archive. Idempotent."""
    reporter = reporter or _Silent()
    with _lock(settings, engine), _fewer_collections():
        open_database(engine)
        summary = SyncSummary(sources={"undl-dataset": SourceSummary("undl-dataset")})
        source_summary = summary.sources["undl-dataset"]
        started = dt.datetime.now(dt.UTC)
        if re.match(r"^https?://", path_or_url):
            own = client is None
            http = client or polite_client(settings)
            try:
                response = http.get(path_or_url)
            except FetchError as exc:
                source_summary.pages_failed.append(path_or_url)
                summary.problems.append(str(exc))
                _record_runs(engine, summary, started)
                return summary
            finally:
                if own:
                    http.close()
            url, body, fetched_at = response.url, response.body, response.fetched_at
            name = url.rstrip("/").rsplit("/", 1)[-1]
        else:
            path = Path(path_or_url).expanduser()
            if not path.is_file():
                raise DatasetMissing(f"no dataset file at {path}")
            body = path.read_bytes()
            url = path.resolve().as_uri()
            fetched_at = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
            name = path.name
        # Parsed before it is archived: a file refused whole is not kept (a rebuild would
        # meet it again).
        records = _read_dataset(body, source_summary, summary)
        if records is None:
            _record_runs(engine, summary, started)
            return summary
        archive = RawArchive(settings.raw_dir)
        page, _ = archive.save(undl_dataset.SOURCE_DATASET, _dataset_id(name), url, body,
                               fetched_at)
        reporter.start(1)
        _store_dataset(engine, records, page.fetched_at, source_summary, summary, reporter)
        _settle_links(engine, summary)
        _derive_mandates(engine, summary, dt.date.today())
        _record_runs(engine, summary, started)
        return summary

