"""The raw archive: every response body kept under ``{data_dir}/raw/``.

Pages (the Library's tables, the Veto List, datasets) are files,
``raw/{source}/{page_id}.body`` with a ``.json`` of metadata; the Digital
Library's records, thousands of small ones, are rows of ``raw/{source}.sqlite``.
``tracker rebuild`` recreates the database from here with no network. A page or
record whose body changes keeps its earlier versions. A page reached through a
redirect keeps both URLs: the one asked for (``url``: the page's name, which the
next sync asks again with its validators, and the facts' ``source_url``, so a
page's findings keep one identity) and the one that answered (``final_url``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path


@dataclass(frozen=True)
class ArchivedPage:
    """A response body as archived, with where and when it was fetched."""

    source: str
    page_id: str
    url: str
    fetched_at: dt.datetime  # when this content was first fetched
    sha256: str
    body: bytes
    validators: dict[str, str] | None = None  # ETag / Last-Modified, for conditional requests
    final_url: str | None = None  # the URL that answered, when a redirect led elsewhere
    # The answer's status when it was not a page of content (a robots.txt answered 404).
    status: int | None = None
    # When the server last gave this same content: kept for pages whose freshness matters
    # (robots.txt, reused for a day), and only when the caller says so (``checked_at``).
    checked_at: dt.datetime | None = None


def _safe(page_id: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9._-]+", page_id) or page_id.startswith("."):
        raise ValueError(f"page id {page_id!r} is not safe as a file name")
    return page_id


class RawArchive:
    """Files on disk, one body and one metadata file per (source, page id)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _paths(self, source: str, page_id: str) -> tuple[Path, Path]:
        folder = self.root / _safe(source)
        return folder / f"{_safe(page_id)}.body", folder / f"{_safe(page_id)}.json"

    def _history_paths(self, source: str, page_id: str, fetched_at: dt.datetime
                       ) -> tuple[Path, Path]:
        folder = self.root / _safe(source) / "history"
        stamp = fetched_at.strftime("%Y%m%dT%H%M%S")
        return (folder / f"{_safe(page_id)}.{stamp}.body",
                folder / f"{_safe(page_id)}.{stamp}.json")

    def load(self, source: str, page_id: str) -> ArchivedPage | None:
        """Return the newest archived version of a page, or None.

        A version is its metadata and a body whose digest matches it. A save cut
        short (the process killed between writing the body and its metadata)
        reads as the version before it, which the history holds; the next save
        of the page completes it.
        """
        return self._current(source, page_id)[0]

    def _current(self, source: str, page_id: str) -> tuple[ArchivedPage | None, bool]:
        """The newest whole version, and whether the page's own two files hold it
        (False: it was read from the history, and a save must rewrite them)."""
        body_path, meta_path = self._paths(source, page_id)
        if not meta_path.exists():
            # Archives written by earlier versions moved the current version into the
            # history before writing the new one: killed in between, it is only there.
            for old_meta in sorted(self._history_of(source).get(page_id, []), reverse=True):
                found = self._version(source, page_id, old_meta,
                                      old_meta.with_name(old_meta.stem + ".body"))
                if found is not None:
                    return found, False
            return None, False
        meta = json.loads(meta_path.read_text())
        fetched_at = dt.datetime.fromisoformat(meta["fetched_at"])
        for candidate in (body_path, self._history_paths(source, page_id, fetched_at)[0]):
            found = self._version(source, page_id, meta_path, candidate)
            if found is not None:
                return found, candidate == body_path
        return None, False

    @staticmethod
    def _version(source: str, page_id: str, meta_path: Path, body_path: Path
                 ) -> ArchivedPage | None:
        """The version a metadata file describes, if this body matches its digest."""
        if not body_path.exists():
            return None
        meta = json.loads(meta_path.read_text())
        body = body_path.read_bytes()
        if hashlib.sha256(body).hexdigest() != meta["sha256"]:
            return None
        checked_at = meta.get("checked_at")
        return ArchivedPage(source, page_id, meta["url"],
                            dt.datetime.fromisoformat(meta["fetched_at"]), meta["sha256"],
                            body, meta.get("validators"), meta.get("final_url"),
                            meta.get("status"),
                            dt.datetime.fromisoformat(checked_at) if checked_at else None)

    def _history_of(self, source: str) -> dict[str, list[Path]]:
        """{page id: its metadata files in ``history/``}."""
        found: dict[str, list[Path]] = {}
        folder = self.root / _safe(source) / "history"
        if folder.is_dir():
            for path in folder.glob("*.json"):
                page_id, _, stamp = path.stem.rpartition(".")
                if page_id and stamp[:8].isdigit():
                    found.setdefault(page_id, []).append(path)
        return found

    def save(self, source: str, page_id: str, url: str, body: bytes,
             fetched_at: dt.datetime, validators: dict[str, str] | None = None,
             final_url: str | None = None, *, history: bool = True,
             status: int | None = None, checked_at: dt.datetime | None = None
             ) -> tuple[ArchivedPage, bool]:
        """Keep a response body. Return the archived page and whether its content changed.

        An unchanged body keeps its first fetch time, so facts read from it keep
        their provenance and a second sync changes nothing. A changed body first
        copies the current version into ``history/``, then replaces the body and,
        last, its metadata (each written whole, then renamed): killed at any point,
        the page reads as a complete version, the old one or the new. ``final_url``
        is the URL that answered when a redirect led away from ``url``; the same
        body from another final URL is a new version. ``history=False`` keeps only the
        newest version: for pages whose content is kept elsewhere as well (a search page,
        whose records are archived one by one), which shift with every new record.
        ``status`` keeps an answer that was not content (a robots.txt answered 404: kept
        as an empty body with its status); ``checked_at`` records when the server last gave
        this content, rewritten even when it is unchanged (robots.txt is reused for a day
        after it was last asked for, not after it first changed).
        """
        final_url = final_url if final_url != url else None
        digest = hashlib.sha256(body).hexdigest()
        body_path, meta_path = self._paths(source, page_id)
        previous, whole = self._current(source, page_id)
        if (previous is not None and previous.sha256 == digest and previous.url == url
                and previous.final_url == final_url and previous.status == status):
            if not whole:  # read from the history: a save was cut short
                _atomic_write(body_path, body)
            if (not whole or (validators and validators != previous.validators)
                    or (checked_at and checked_at != previous.checked_at)):
                previous = replace(previous, validators=validators or previous.validators,
                                   checked_at=checked_at or previous.checked_at)
                _atomic_write(meta_path, _metadata(previous))
            return previous, False
        body_path.parent.mkdir(parents=True, exist_ok=True)
        if previous is not None and history:
            old_body, old_meta = self._history_paths(source, page_id, previous.fetched_at)
            old_body.parent.mkdir(exist_ok=True)
            _atomic_write(old_body, previous.body)
            _atomic_write(old_meta, _metadata(previous))
        page = ArchivedPage(source, page_id, url, fetched_at, digest, body, validators or None,
                            final_url, status, checked_at)
        _atomic_write(body_path, body)
        _atomic_write(meta_path, _metadata(page))
        return page, True

    def page_ids(self, source: str) -> Iterator[str]:
        """Yield the ids of the pages archived for a source."""
        folder = self.root / _safe(source)
        if folder.is_dir():
            current = {path.stem for path in folder.glob("*.json")}
            # A page whose only version is in the history (see ``load``) is archived too.
            yield from sorted(current | set(self._history_of(source)))


def _metadata(page: ArchivedPage) -> bytes:
    """The ``.json`` written beside a page's body."""
    meta = {"url": page.url, "fetched_at": page.fetched_at.isoformat(),
            "sha256": page.sha256, "bytes": len(page.body),
            "validators": page.validators or None}
    if page.final_url:  # written only when a redirect led elsewhere: older archives read alike
        meta["final_url"] = page.final_url
    if page.status is not None:  # written only when given (robots.txt): likewise
        meta["status"] = page.status
    if page.checked_at is not None:
        meta["checked_at"] = page.checked_at.isoformat()
    return json.dumps(meta, indent=1).encode()


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


_RECORDS_SCHEMA = """
CREATE TABLE IF NOT EXISTS version (
    seq INTEGER PRIMARY KEY,
    record_id TEXT NOT NULL,
    url TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    body BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS version_by_record ON version (record_id, seq);
CREATE TABLE IF NOT EXISTS walk (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    started_at TEXT NOT NULL,
    finished_at TEXT
);
"""


class RecordArchive:
    """Record-by-record sources: every version of every record in one SQLite file.

    The Digital Library answers a search with pages of MARCXML records; each
    record is kept on its own (``raw/{source}.sqlite``, table ``version``), with
    its URL, first fetch time and digest, so ``rebuild`` can replay the newest
    version of each. One file and one transaction per batch, not two files per
    record: a sync writes thousands of records. A record whose body changes keeps
    its earlier versions. Read it with any SQLite client::

        sqlite3 raw/undl-votes.sqlite "select body from version where record_id='4033397'"

    Archives written before this store (one ``.body`` and ``.json`` file per
    record under ``raw/{source}/``) are copied in, history included, the first
    time the store is opened empty; the files are left where they are.
    """

    def __init__(self, root: Path, source: str) -> None:
        self.source = _safe(source)
        self.path = root / f"{self.source}.sqlite"
        self._legacy = root / self.source
        self._connection: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path)
            # A write-ahead log, as the database has (db/engine.py): one sync of the log per
            # batch, not the rollback journal's several. Unlike the database (NORMAL: synced
            # at checkpoints), the log is synced at every commit (FULL): a batch is archived
            # before the database stores it, and stays archived through a power loss or an
            # OS crash too, so a rebuild never lacks a record the database holds. (NORMAL
            # would keep the file consistent but could lose the last batches committed,
            # which the database may have kept; a killed process loses nothing either way.)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=FULL")
            connection.executescript(_RECORDS_SCHEMA)
            self._connection = connection
            empty = connection.execute("SELECT 1 FROM version LIMIT 1").fetchone() is None
            if empty and self._legacy.is_dir():
                self._import_files()  # one transaction: an empty store means not yet done
        return self._connection

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def __enter__(self) -> RecordArchive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _latest(self, record_ids: Sequence[str]) -> dict[str, tuple[str, str, str]]:
        """Return {record id: (url, fetched_at, sha256)} of the newest versions."""
        connection = self._connect()
        found: dict[str, tuple[str, str, str]] = {}
        for start in range(0, len(record_ids), 500):
            chunk = list(record_ids[start:start + 500])
            marks = ",".join("?" * len(chunk))
            for record_id, url, fetched_at, sha256 in connection.execute(
                    "SELECT record_id, url, fetched_at, sha256 FROM version WHERE seq IN "
                    f"(SELECT max(seq) FROM version WHERE record_id IN ({marks}) "
                    "GROUP BY record_id)", chunk):
                found[record_id] = (url, fetched_at, sha256)
        return found

    def save_many(self, records: Iterable[tuple[str, str, bytes]], fetched_at: dt.datetime
                  ) -> dict[str, dt.datetime]:
        """Keep (record id, url, body) records fetched at one time, in one transaction.

        Return {record id: when its content was first fetched}: an unchanged record
        keeps its first fetch time, so facts read from it keep their provenance.
        """
        return self.save_versions((record_id, url, body, fetched_at)
                                  for record_id, url, body in records)

    def save_versions(self, records: Iterable[tuple[str, str, bytes, dt.datetime]]
                      ) -> dict[str, dt.datetime]:
        """Keep (record id, url, body, fetched at) records, each fetched at its own time
        (the answers to lookups), in one transaction; return as ``save_many`` does."""
        items = list(records)
        for record_id, _, _, _ in items:
            _safe(record_id)
        connection = self._connect()
        previous = self._latest([record_id for record_id, _, _, _ in items])
        times: dict[str, dt.datetime] = {}
        rows = []
        for record_id, url, body, fetched_at in items:
            digest = hashlib.sha256(body).hexdigest()
            old = previous.get(record_id)
            if old is not None and old[2] == digest and old[0] == url:
                times[record_id] = dt.datetime.fromisoformat(old[1])
                continue
            rows.append((record_id, url, fetched_at.isoformat(), digest, body))
            previous[record_id] = (url, fetched_at.isoformat(), digest)
            times[record_id] = fetched_at
        if rows:
            with connection:
                connection.executemany("INSERT INTO version (record_id, url, fetched_at, "
                                       "sha256, body) VALUES (?, ?, ?, ?, ?)", rows)
        return times

    def save(self, record_id: str, url: str, body: bytes, fetched_at: dt.datetime
             ) -> dt.datetime:
        """Keep one record; return when its content was first fetched."""
        return self.save_many([(record_id, url, body)], fetched_at)[record_id]

    def count(self) -> int:
        """Return how many records (not versions) are archived."""
        if not self.path.exists() and not self._legacy.is_dir():
            return 0
        row = self._connect().execute("SELECT count(DISTINCT record_id) FROM version").fetchone()
        return int(row[0])

    def latest(self) -> Iterator[ArchivedPage]:
        """Yield the newest version of every record, by record id, one at a time."""
        if not self.path.exists() and not self._legacy.is_dir():
            return
        # Walks the (record_id, seq) index in order: no sort of the bodies, flat memory.
        cursor = self._connect().execute(
            "SELECT v.record_id, v.url, v.fetched_at, v.sha256, v.body FROM version v "
            "WHERE v.seq = (SELECT max(seq) FROM version w WHERE w.record_id = v.record_id) "
            "ORDER BY v.record_id")
        for record_id, url, fetched_at, sha256, body in cursor:
            yield ArchivedPage(self.source, record_id, url, dt.datetime.fromisoformat(fetched_at),
                               sha256, bytes(body))

    def walk_interrupted(self) -> bool:
        """Whether the last walk of the source's search that archived new records was
        cut short (stopped by a failed page, or killed) before its end."""
        if not self.path.exists():
            return False
        row = self._connect().execute("SELECT finished_at FROM walk WHERE id = 1").fetchone()
        return row is not None and row[0] is None

    def begin_walk(self, now: dt.datetime) -> None:
        """Note that a walk is about to archive new records: until ``end_walk``, it
        counts as cut short."""
        connection = self._connect()
        with connection:
            connection.execute("INSERT OR REPLACE INTO walk (id, started_at, finished_at) "
                               "VALUES (1, ?, NULL)", (now.isoformat(),))

    def end_walk(self, now: dt.datetime) -> None:
        """Note that the walk reached its end: the search's new records are all archived."""
        connection = self._connect()
        with connection:
            connection.execute("UPDATE walk SET finished_at = ? WHERE id = 1", (now.isoformat(),))

    def load(self, record_id: str) -> ArchivedPage | None:
        """Return the newest version of one record, or None."""
        if not self.path.exists() and not self._legacy.is_dir():
            return None
        row = self._connect().execute(
            "SELECT url, fetched_at, sha256, body FROM version WHERE record_id = ? "
            "ORDER BY seq DESC LIMIT 1", (record_id,)).fetchone()
        if row is None:
            return None
        return ArchivedPage(self.source, record_id, row[0], dt.datetime.fromisoformat(row[1]),
                            row[2], bytes(row[3]))

    def _import_files(self) -> None:
        """Copy an archive of one file pair per record (and its history) in, oldest first."""
        assert self._connection is not None
        versions: list[tuple[str, str, str, str, Path]] = []
        folders = [self._legacy / "history", self._legacy]
        for folder in folders:
            for meta_path in folder.glob("*.json") if folder.is_dir() else ():
                body_path = meta_path.with_suffix(".body")
                if not body_path.exists():
                    continue
                meta = json.loads(meta_path.read_text())
                record_id = meta_path.stem.split(".")[0]
                versions.append((meta["fetched_at"], record_id, meta["url"], meta["sha256"],
                                 body_path))
        versions.sort()
        with self._connection:
            self._connection.executemany(
                "INSERT INTO version (record_id, url, fetched_at, sha256, body) "
                "VALUES (?, ?, ?, ?, ?)",
                ((record_id, url, fetched_at, sha256, path.read_bytes())
                 for fetched_at, record_id, url, sha256, path in versions))
