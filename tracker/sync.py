"""The sync pipeline: fetch -> archive -> parse -> store, one page at a time.

Each page is stored in its own transaction, after it parsed cleanly: a page
that fails to fetch or parse stores nothing and does not stop the run. Writes
are upserts on natural keys, so a sync is idempotent and resumable: run it
again and it completes what failed. ``rebuild`` replays the raw archive.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from filelock import FileLock, Timeout
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from council.records import Finding, ParseError, Severity
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
    store_documents,
    store_findings_of,
    store_meetings_table,
    store_veto_list,
    store_voting_records,
)
from db.upsert import Counts, table_of
from scrapers.archive import ArchivedPage, RawArchive, RecordArchive
from scrapers.dhl import fetch as dhl_fetch
from scrapers.dhl import parse as dhl_parse
from scrapers.http import FetchError, NotFound, PoliteClient, Response
from scrapers.undl import dataset as undl_dataset
from scrapers.undl import documents as undl_documents
from scrapers.undl import fetch as undl_fetch
from scrapers.undl import parse as undl_parse
from tracker.settings import Settings


class SyncLocked(RuntimeError):
    """Another sync or rebuild is running on the same database or data folder."""


class StorageFault(RuntimeError):
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


class EmptyArchive(RuntimeError):
    """``rebuild`` found nothing in the raw archive to rebuild from."""


@dataclass(frozen=True)
class PagePlan:
    """One page of one source: where to fetch it and how to read it."""

    source: str
    page_id: str
    fetch: Callable[[PoliteClient, ArchivedPage | None], Response]
    # Parse and store a page; return the counts and the records of it that could not be read.
    store: Callable[[Session, bytes, str, dt.datetime], tuple[Counts, list[ParseError]]]
    label: str


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

    @property
    def failed(self) -> list[str]:
        return [*self.pages_failed, *self.records_refused]


@dataclass
class SyncSummary:
    """What a sync did: pages, rows, problems. ``ok`` is False if any page failed."""

    sources: dict[str, SourceSummary] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # worth telling, not failures

    @property
    def ok(self) -> bool:
        return not any(s.failed for s in self.sources.values())

    def totals(self) -> Counts:
        total = Counts()
        for s in self.sources.values():
            total += s.counts
        return total


class Reporter(Protocol):
    def start(self, total: int) -> None: ...
    def advance(self, label: str) -> None: ...


class _Silent:
    def start(self, total: int) -> None:
        pass

    def advance(self, label: str) -> None:
        pass


# --- sources --------------------------------------------------------------------------

SOURCES = ("meetings", "veto-list", "voting-records", "documents")
PAGED_SOURCES = ("meetings", "veto-list")
ARCHIVE_NAMES = {"meetings": dhl_parse.SOURCE_MEETINGS, "veto-list": dhl_parse.SOURCE_VETO_LIST,
                 "voting-records": undl_parse.SOURCE_VOTES,
                 "documents": undl_documents.SOURCE_DOCUMENTS}
RECORD_BATCH = 500


def _store_meetings(year: int
                    ) -> Callable[[Session, bytes, str, dt.datetime],
                                  tuple[Counts, list[ParseError]]]:
    def store(session: Session, body: bytes, url: str, fetched_at: dt.datetime
              ) -> tuple[Counts, list[ParseError]]:
        table = dhl_parse.parse_meetings_table(body, year=year, url=url)
        return store_meetings_table(session, table, url=url, fetched_at=fetched_at), table.errors

    return store


def _store_veto_list(session: Session, body: bytes, url: str, fetched_at: dt.datetime
                     ) -> tuple[Counts, list[ParseError]]:
    page = dhl_parse.parse_veto_list(body, url=url)
    return store_veto_list(session, page, url=url, fetched_at=fetched_at), page.errors


def _year_of(page_id: str) -> int:
    return int(page_id.split("-")[0])


def _fetcher(base_url: str, page: dhl_fetch.Page
             ) -> Callable[[PoliteClient, ArchivedPage | None], Response]:
    def fetch(client: PoliteClient, archived: ArchivedPage | None) -> Response:
        return dhl_fetch.fetch_page(
            client, base_url, page, known_url=archived.url if archived else None,
            validators=archived.validators if archived else None)

    return fetch


def _validators(response: Response) -> dict[str, str] | None:
    headers = {k.lower(): v for k, v in response.headers.items()}
    found = {"etag": headers.get("etag"), "last_modified": headers.get("last-modified")}
    return {k: v for k, v in found.items() if v} or None


def plan_pages(settings: Settings, source: str, years: range) -> list[PagePlan]:
    """Return the pages of a source to fetch, in the order they are stored."""
    if source == "meetings":
        pages = dhl_fetch.meetings_pages(years)
    elif source == "veto-list":
        pages = [dhl_fetch.veto_list_page()]
    else:
        raise ValueError(f"unknown source {source!r}; the sources are: {', '.join(SOURCES)}")
    return [_plan(settings, source, page) for page in pages]


def _plan(settings: Settings, source: str, page: dhl_fetch.Page) -> PagePlan:
    if source == "meetings":
        return PagePlan(source, page.page_id, _fetcher(settings.un_org_url, page),
                        _store_meetings(_year_of(page.page_id)), f"meetings {page.page_id}")
    return PagePlan(source, page.page_id, _fetcher(settings.un_org_url, page), _store_veto_list,
                    "Veto List")


def _archived_plans(settings: Settings, archive: RawArchive) -> list[PagePlan]:
    """Return the archived pages of the paged sources, in the order a sync stores them."""
    plans = []
    for source in PAGED_SOURCES:
        ids = sorted(archive.page_ids(ARCHIVE_NAMES[source]),
                     key=lambda i: (_year_of(i), i) if source == "meetings" else (0, i))
        for page_id in ids:
            page = (dhl_fetch.veto_list_page() if source == "veto-list"
                    else dhl_fetch.Page(page_id, (), _year_of(page_id)))
            plans.append(_plan(settings, source, page))
    return plans


# --- running --------------------------------------------------------------------------


def open_database(engine: Engine) -> None:
    """Create or upgrade the schema and seed the members (one process at a time)."""
    with schema_lock(engine):
        upgrade(engine)
        with session_scope(engine) as session:
            ensure_members(session)


def _history(engine: Engine, source: str) -> tuple[bool, dt.datetime | None]:
    """Return whether a source was ever synced in full, and when it last synced cleanly."""
    runs = table_of(SyncRun)
    with engine.connect() as connection:
        complete = connection.execute(
            select(runs.c.id).where(runs.c.source == source, runs.c.ok.is_(True),
                                    runs.c.complete.is_(True)).limit(1)).first()
        last_ok = connection.execute(
            select(func.max(runs.c.started_at)).where(runs.c.source == source,
                                                      runs.c.ok.is_(True))).scalar()
    return complete is not None, last_ok


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


def _run_pages(engine: Engine, archive: RawArchive, plans: Iterable[PagePlan],
               summary: SyncSummary, reporter: Reporter,
               client: PoliteClient | None) -> None:
    for plan in plans:
        source_summary = summary.sources.setdefault(plan.source, SourceSummary(plan.source))
        archive_name = ARCHIVE_NAMES[plan.source]
        try:
            if client is not None:
                archived = archive.load(archive_name, plan.page_id)
                try:
                    response = plan.fetch(client, archived)
                except NotFound as exc:
                    if plan.source == "veto-list":
                        raise FetchError(exc.url, "the Veto List was not found (404): check "
                                         "TRACKER_UN_ORG_URL", exc.status) from None
                    # A yearly table that does not exist (yet): noted, not a failure.
                    source_summary.pages_missing.append(plan.page_id)
                    continue
                source_summary.pages_fetched += 1
                if response.status == 304 and archived is not None:
                    page = archived  # not modified: the archived copy is current
                    source_summary.pages_not_modified += 1
                else:
                    page, _ = archive.save(archive_name, plan.page_id, response.url,
                                           response.body, response.fetched_at,
                                           _validators(response), response.final_url)
            else:
                loaded = archive.load(archive_name, plan.page_id)
                if loaded is None:  # listed, so archived: its body does not match its digest
                    source_summary.pages_failed.append(plan.page_id)
                    summary.problems.append(
                        f"raw archive {archive_name}/{plan.page_id}: no body matches the "
                        "digest in its metadata (damaged); `tracker sync` fetches it again")
                    continue
                page = loaded
                source_summary.pages_fetched += 1
            with session_scope(engine) as session:
                counts, errors = plan.store(session, page.body, page.url, page.fetched_at)
            source_summary.counts += counts
            for error in errors:  # the rest of the page is stored
                source_summary.records_refused.append(f"{plan.page_id} {error.record}")
                summary.problems.append(str(error))
        except (FetchError, ParseError) as exc:
            source_summary.pages_failed.append(plan.page_id)
            summary.problems.append(str(exc))
        except Exception as exc:  # one page never ends the whole sync
            if storage_trouble(exc):
                raise
            source_summary.pages_failed.append(plan.page_id)
            summary.problems.append(_unexpected(ARCHIVE_NAMES[plan.source], plan.page_id, exc))
        finally:
            reporter.advance(plan.label)


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
    finished = dt.datetime.now(dt.UTC)
    with session_scope(engine) as session:
        for s in summary.sources.values():
            session.add(SyncRun(
                source=s.source, started_at=started, finished_at=finished,
                pages_fetched=s.pages_fetched, pages_missing=len(s.pages_missing),
                pages_failed=len(s.failed), rows_new=s.counts.new,
                rows_changed=s.counts.changed + s.counts.deleted,
                rows_unchanged=s.counts.unchanged, ok=not s.failed,
                complete=s.complete and not s.failed,
            ))


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
        if name not in SOURCES:
            raise ValueError(f"unknown source {name!r}; the sources are: {', '.join(SOURCES)}")
    with _lock(settings, engine):
        open_database(engine)
        if since is not None and until is not None and since > until:
            raise ValueError(f"--since {since} is after --until {until}")
        plans: list[PagePlan] = []
        summary = SyncSummary(sources={n: SourceSummary(n) for n in wanted})
        everything_of: dict[str, bool] = {}
        for name in wanted:
            complete, last_ok = _history(engine, name)
            everything_of[name] = full or not complete
            if name == "veto-list":
                summary.sources[name].complete = True
            if name != "meetings":
                continue
            last = until if until is not None else today.year
            if since is not None:
                first = since
            elif everything_of[name]:
                first = dhl_fetch.FIRST_YEAR
            else:  # the years since the last clean sync, and at least last year's table
                first = min(last - 1, last_ok.year if last_ok else last - 1)
            first = max(first, dhl_fetch.FIRST_YEAR)
            summary.sources[name].complete = first == dhl_fetch.FIRST_YEAR and last >= today.year
            plans.extend(plan_pages(settings, name, range(first, last + 1)))
        plans.extend(plan_pages(settings, "veto-list", range(0)) if "veto-list" in wanted
                     else [])
        for name in ("voting-records", "documents"):
            if name in wanted:
                summary.sources[name].complete = everything_of[name]
        started = dt.datetime.now(dt.UTC)
        reporter.start(len(plans))
        own_client = client is None
        http = client or PoliteClient(
            requests_per_second=settings.requests_per_second,
            timeout=settings.timeout_seconds, max_attempts=settings.max_attempts,
            max_bytes=settings.max_response_bytes)
        archive = RawArchive(settings.raw_dir)
        try:
            _run_pages(engine, archive, plans, summary, reporter, http)
            if "voting-records" in wanted:
                _sync_voting_records(engine, settings, http,
                                     summary.sources["voting-records"], summary,
                                     everything=everything_of["voting-records"],
                                     reporter=reporter)
            if "documents" in wanted:
                _sync_documents(engine, settings, http, summary.sources["documents"],
                                summary, everything=everything_of["documents"],
                                reporter=reporter)
        finally:
            if own_client:
                http.close()
        _settle_links(engine, summary)
        _derive_mandates(engine, summary, today)
        _record_runs(engine, summary, started)
        return summary


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
    with _lock(settings, engine):
        archive = RawArchive(settings.raw_dir)
        records = {name: _count_records(settings, name)
                   for name in ("voting-records", "documents")}
        if not any(records.values()) and not any(
                any(archive.page_ids(name)) for name in
                (*ARCHIVE_NAMES.values(), undl_dataset.SOURCE_DATASET)):
            raise EmptyArchive(f"the raw archive at {settings.raw_dir} holds no pages: nothing "
                               "to rebuild from (run `tracker sync` first; the database was "
                               "left as it is)")
        staged = staging_engine(engine)
        if staged is None:  # in-memory SQLite: nothing for a reader to see, rebuild in place
            drop_schema(engine)
            return _replay_archive(engine, settings, archive, records, reporter)
        try:
            summary = _replay_archive(staged, settings, archive, records, reporter)
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
    """Store every archived page and record into an empty database."""
    open_database(engine)
    plans = _archived_plans(settings, archive)
    summary = SyncSummary(sources={n: SourceSummary(n) for n in SOURCES})
    started = dt.datetime.now(dt.UTC)
    datasets = list(archive.page_ids(undl_dataset.SOURCE_DATASET))
    reporter.start(len(plans) + sum(records.values()) + len(datasets))
    _run_pages(engine, archive, plans, summary, reporter, None)
    for name in records:
        _replay_records(engine, settings, name, summary.sources[name], summary, reporter)
    for dataset_id in datasets:
        loaded = archive.load(undl_dataset.SOURCE_DATASET, dataset_id)
        if loaded is not None:
            source_summary = summary.sources.setdefault(
                "undl-dataset", SourceSummary("undl-dataset"))
            _store_dataset(engine, loaded.body, loaded.fetched_at, source_summary, summary,
                           reporter)
    _settle_links(engine, summary)
    _derive_mandates(engine, summary, dt.date.today())
    _record_runs(engine, summary, started)
    return summary


# --- the Digital Library's voting records -----------------------------------------------


class _Record(Protocol):
    record_id: str
    modified: str | None
    url: str
    raw: bytes


class _Page(Protocol):
    total: int
    errors: list[ParseError]

    @property
    def records(self) -> Sequence[_Record]: ...


@contextmanager
def _record_archive(settings: Settings, source: str) -> Iterator[RecordArchive]:
    """Open the archive of a record-by-record source (``voting-records``, ``documents``);
    an SQLite error of its file becomes a StorageFault naming the file."""
    archive = RecordArchive(settings.raw_dir, ARCHIVE_NAMES[source])
    try:
        with archive:
            yield archive
    except sqlite3.DatabaseError as exc:
        raise StorageFault(
            f"the record archive {archive.path}", archive.path,
            f"`tracker sync --source {source} --full` fetches its records again") from exc


def _count_records(settings: Settings, source: str) -> int:
    with _record_archive(settings, source) as archive:
        return archive.count()


def _walk_search(
    engine: Engine, archive: RecordArchive, *, label: str,
    fetch: Callable[[int], Response], parse: Callable[[bytes, str], _Page],
    store: Callable[[Session, list[Any], dict[str, dt.datetime]], Counts],
    page_size: int, everything: bool, source_summary: SourceSummary, summary: SyncSummary,
    reporter: Reporter,
) -> None:
    """Page through Digital Library search results, newest first.

    Each new or changed record (id and last-change stamp) is archived on its
    own and stored; a page with nothing new ends a normal sync, ``everything``
    walks every page. A page that fails ends the walk with a problem; a record
    that cannot be read is reported by id and the rest of the page is stored.
    """
    with Session(engine) as session:
        known = known_records(session, archive.source)
    if archive.walk_interrupted() and not everything:
        # The last walk stopped part-way: the records past where it stopped may be
        # new although the first pages are not, so this walk goes to the end.
        everything = True
        summary.notes.append(f"{label}: the last sync stopped part-way; "
                             "reading every page of the search this time")
    jrec = 1
    walking = False
    total: int | None = None
    while total is None or jrec <= total:
        try:
            response = fetch(jrec)
            page = parse(response.body, response.url)
        except (FetchError, ParseError) as exc:
            source_summary.pages_failed.append(f"jrec={jrec}")
            summary.problems.append(str(exc))
            return
        except Exception as exc:  # a parser's own failure ends this walk, not the sync
            if storage_trouble(exc):
                raise
            source_summary.pages_failed.append(f"jrec={jrec}")
            summary.problems.append(_unexpected(archive.source, f"jrec={jrec}", exc))
            return
        source_summary.pages_fetched += 1
        if total is None:
            total = page.total
            if total == 0:
                source_summary.pages_failed.append(f"jrec={jrec}")
                summary.problems.append(f"{response.url}: the search found no {label} "
                                        "(an empty answer is not 'nothing new')")
                return
            reporter.start(-(-total // page_size))
        for error in page.errors:
            source_summary.records_refused.append(error.record)
            summary.problems.append(str(error))
        fresh = [r for r in page.records if known.get(r.record_id, "?") != r.modified]
        if fresh and not walking:
            # From the first new record on, a stop before the end could skip records.
            archive.begin_walk(dt.datetime.now(dt.UTC))
            walking = True
        for start in range(0, len(fresh), RECORD_BATCH):
            batch = fresh[start:start + RECORD_BATCH]
            times = archive.save_many([(r.record_id, r.url, r.raw) for r in batch],
                                      response.fetched_at)
            _store_batch(engine, archive.source, batch, times, store, source_summary, summary)
        source_summary.counts.unchanged += len(page.records) - len(fresh)
        seen = getattr(page, "skipped", 0) + len(page.records) + len(page.errors)
        reporter.advance(f"{label} {jrec}-{jrec + seen - 1}")
        if seen == 0:  # the loop runs only while jrec <= total: this is not the end
            source_summary.pages_failed.append(f"jrec={jrec}")
            summary.problems.append(f"{response.url}: an empty page at record {jrec} of "
                                    f"{total}: the search ended early")
            return
        if not everything and not fresh:
            break
        jrec += seen
    archive.end_walk(dt.datetime.now(dt.UTC))


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


def _sync_voting_records(engine: Engine, settings: Settings, client: PoliteClient,
                         source_summary: SourceSummary, summary: SyncSummary, *,
                         everything: bool, reporter: Reporter) -> None:
    """Page through the voting records, newest first; stop at a page with nothing new."""
    token = settings.undl_token.get_secret_value() if settings.undl_token else None
    name = ARCHIVE_NAMES["voting-records"]
    with _record_archive(settings, "voting-records") as archive:
        _walk_search(
            engine, archive, label="voting records",
            fetch=lambda jrec: undl_fetch.fetch_search_page(
                client, settings.undl_url, jrec, rg=settings.undl_page_size, token=token),
            parse=lambda body, url: undl_parse.parse_search_page(body, url=url,
                                                                 base_url=settings.undl_url),
            store=lambda session, batch, times: store_voting_records(
                session, batch, source=name, fetched_at=times),
            page_size=settings.undl_page_size, everything=everything,
            source_summary=source_summary, summary=summary, reporter=reporter)


def _sync_documents(engine: Engine, settings: Settings, client: PoliteClient,
                    source_summary: SourceSummary, summary: SyncSummary, *,
                    everything: bool, reporter: Reporter) -> None:
    """Page through the Council's document records, then ask once by symbol for each
    draft the pages did not cover (misses are remembered; ``--full`` asks again)."""
    token = settings.undl_token.get_secret_value() if settings.undl_token else None
    name = ARCHIVE_NAMES["documents"]

    def store(session: Session, batch: list[Any], times: dict[str, dt.datetime]) -> Counts:
        return store_documents(session, batch, source=name, fetched_at=times)

    with _record_archive(settings, "documents") as archive:
        _walk_search(
            engine, archive, label="documents",
            fetch=lambda jrec: undl_fetch.fetch_documents_page(
                client, settings.undl_url, jrec, collection=settings.undl_documents_collection,
                rg=settings.undl_page_size, token=token),
            parse=lambda body, url: undl_documents.parse_document_page(
                body, url=url, base_url=settings.undl_url),
            store=store, page_size=settings.undl_page_size, everything=everything,
            source_summary=source_summary, summary=summary, reporter=reporter)
        if not source_summary.failed:
            _look_up_drafts(engine, settings, client, archive, store, source_summary, summary,
                            everything=everything, reporter=reporter)


def _look_up_drafts(engine: Engine, settings: Settings, client: PoliteClient,
                    archive: RecordArchive,
                    store: Callable[[Session, list[Any], dict[str, dt.datetime]], Counts],
                    source_summary: SourceSummary, summary: SyncSummary, *,
                    everything: bool, reporter: Reporter) -> None:
    """Ask the Digital Library by symbol for each draft no document record covers yet."""
    token = settings.undl_token.get_secret_value() if settings.undl_token else None
    with Session(engine) as session:
        missing = drafts_to_look_up(session, archive.source, retry_misses=everything)
    reporter.start(len(missing))
    for symbol in missing:
        reporter.advance(f"document {symbol}")
        try:
            response = undl_fetch.fetch_by_symbol(client, settings.undl_url, symbol, token=token)
            page = undl_documents.parse_document_page(response.body, url=response.url,
                                                      base_url=settings.undl_url)
        except (FetchError, ParseError) as exc:
            source_summary.pages_failed.append(symbol)
            summary.problems.append(str(exc))
            if isinstance(exc, undl_fetch.BotWallError):
                return
            continue
        except Exception as exc:  # one draft's answer never ends the sync
            if storage_trouble(exc):
                raise
            source_summary.pages_failed.append(symbol)
            summary.problems.append(_unexpected(archive.source, symbol, exc))
            continue
        source_summary.pages_fetched += 1
        for error in page.errors:
            source_summary.records_refused.append(error.record)
            summary.problems.append(str(error))
        matching = [r for r in page.records if r.symbol == symbol]
        if matching:
            times = archive.save_many([(r.record_id, r.url, r.raw) for r in matching],
                                      response.fetched_at)
            _store_batch(engine, archive.source, matching, times, store, source_summary,
                         summary)
            continue
        refused = [Finding(undl_documents.SOURCE_DOCUMENTS, symbol, "not_a_draft_record",
                           Severity.INFO,
                           f"{symbol}: the Digital Library's record for this symbol is "
                           f"not a draft resolution's ({why}); its sponsors and title "
                           "are not read, the draft keeps what the other sources say")
                   for found, why in page.refused.items() if found == symbol]
        with session_scope(engine) as session:
            note_lookups(session, archive.source, {symbol: None},
                         checked_at=response.fetched_at)
            store_findings_of(session, archive.source,
                              {response.url: (refused, response.fetched_at)})


def _replay_records(engine: Engine, settings: Settings, source: str,
                    source_summary: SourceSummary, summary: SyncSummary,
                    reporter: Reporter) -> None:
    """Store the archived records of a record-by-record source again, in batches."""
    name = ARCHIVE_NAMES[source]
    base_url = settings.undl_url
    parse: Callable[[bytes, str], Any]
    store: Callable[[Session, list[Any], dict[str, dt.datetime]], Counts]
    if source == "voting-records":
        def parse(body: bytes, record_id: str) -> Any:
            return undl_parse.parse_record_xml(body, base_url=base_url, record=record_id)

        def store(session: Session, batch: list[Any], times: dict[str, dt.datetime]) -> Counts:
            return store_voting_records(session, batch, source=name, fetched_at=times)
    else:
        def parse(body: bytes, record_id: str) -> Any:
            return undl_documents.parse_document_xml(body, base_url=base_url, record=record_id)

        def store(session: Session, batch: list[Any], times: dict[str, dt.datetime]) -> Counts:
            return store_documents(session, batch, source=name, fetched_at=times)

    batch: list[Any] = []
    times: dict[str, dt.datetime] = {}

    def flush() -> None:
        if batch:
            _store_batch(engine, name, list(batch), dict(times), store, source_summary, summary)
            batch.clear()
            times.clear()

    with _record_archive(settings, source) as archive:
        for page in archive.latest():
            record_id = page.page_id
            reporter.advance(f"record {record_id}")
            try:
                record = parse(page.body, record_id)
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


def _store_dataset(engine: Engine, body: bytes, fetched_at: dt.datetime,
                   source_summary: SourceSummary, summary: SyncSummary,
                   reporter: Reporter) -> None:
    """Parse the dataset and store all of it in one transaction."""
    try:
        records, errors = undl_dataset.parse_dataset(body)
    except ParseError as exc:
        source_summary.pages_failed.append(exc.record)
        summary.problems.append(str(exc))
        return
    except Exception as exc:  # the parser's own failure: named, not a traceback
        if storage_trouble(exc):
            raise
        source_summary.pages_failed.append("file")
        summary.problems.append(_unexpected(undl_dataset.SOURCE_DATASET, "file", exc))
        return
    for error in errors:
        source_summary.records_refused.append(error.record)
        summary.problems.append(str(error))
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


def import_undl_dataset(engine: Engine, settings: Settings, path_or_url: str, *,
                        reporter: Reporter | None = None,
                        client: PoliteClient | None = None) -> SyncSummary:
    """Load the Library's voting dataset (a local CSV, or its URL) into the same rows as the
    voting-records scraper; the file is kept in the raw archive. Idempotent."""
    reporter = reporter or _Silent()
    with _lock(settings, engine):
        open_database(engine)
        summary = SyncSummary(sources={"undl-dataset": SourceSummary("undl-dataset")})
        source_summary = summary.sources["undl-dataset"]
        started = dt.datetime.now(dt.UTC)
        if re.match(r"^https?://", path_or_url):
            own = client is None
            http = client or PoliteClient(
                requests_per_second=settings.requests_per_second,
                timeout=settings.timeout_seconds, max_attempts=settings.max_attempts,
                max_bytes=settings.max_response_bytes)
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
                raise FileNotFoundError(f"no dataset file at {path}")
            body = path.read_bytes()
            url = path.resolve().as_uri()
            fetched_at = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
            name = path.name
        archive = RawArchive(settings.raw_dir)
        page, _ = archive.save(undl_dataset.SOURCE_DATASET, _dataset_id(name), url, body,
                               fetched_at)
        reporter.start(1)
        _store_dataset(engine, page.body, page.fetched_at, source_summary, summary, reporter)
        _settle_links(engine, summary)
        _derive_mandates(engine, summary, dt.date.today())
        _record_runs(engine, summary, started)
        return summary
