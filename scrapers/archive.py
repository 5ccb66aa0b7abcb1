"""The raw archive: every response body kept under ``{data_dir}/raw/{source}/{page_id}``.

``tracker rebuild`` recreates the database from here with no network. A page
whose body changes keeps its earlier versions under ``history/``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
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

    def load(self, source: str, page_id: str) -> ArchivedPage | None:
        """Return the newest archived version of a page, or None."""
        body_path, meta_path = self._paths(source, page_id)
        if not body_path.exists() or not meta_path.exists():
            return None
        meta = json.loads(meta_path.read_text())
        return ArchivedPage(source, page_id, meta["url"],
                            dt.datetime.fromisoformat(meta["fetched_at"]), meta["sha256"],
                            body_path.read_bytes(), meta.get("validators"))

    def _meta(self, source: str, page_id: str, body: bytes) -> ArchivedPage | None:
        """Return the archived page's metadata, with ``body`` standing in for its content
        (only compared by digest: the archived body is not read)."""
        _, meta_path = self._paths(source, page_id)
        if not meta_path.exists():
            return None
        meta = json.loads(meta_path.read_text())
        return ArchivedPage(source, page_id, meta["url"],
                            dt.datetime.fromisoformat(meta["fetched_at"]), meta["sha256"],
                            body, meta.get("validators"))

    def save(self, source: str, page_id: str, url: str, body: bytes,
             fetched_at: dt.datetime, validators: dict[str, str] | None = None
             ) -> tuple[ArchivedPage, bool]:
        """Keep a response body. Return the archived page and whether its content changed.

        An unchanged body keeps its first fetch time, so facts read from it keep
        their provenance and a second sync changes nothing.
        """
        digest = hashlib.sha256(body).hexdigest()
        body_path, meta_path = self._paths(source, page_id)
        previous = self._meta(source, page_id, body)
        if previous is not None and previous.sha256 == digest and previous.url == url:
            if validators and validators != previous.validators:
                meta = json.loads(meta_path.read_text())
                meta["validators"] = validators
                _atomic_write(meta_path, json.dumps(meta, indent=1).encode())
            return previous, False
        body_path.parent.mkdir(parents=True, exist_ok=True)
        if previous is not None:
            history = body_path.parent / "history"
            history.mkdir(exist_ok=True)
            stamp = previous.fetched_at.strftime("%Y%m%dT%H%M%S")
            os.replace(body_path, history / f"{page_id}.{stamp}.body")
            os.replace(meta_path, history / f"{page_id}.{stamp}.json")
        meta = {"url": url, "fetched_at": fetched_at.isoformat(), "sha256": digest,
                "bytes": len(body), "validators": validators or None}
        _atomic_write(body_path, body)
        _atomic_write(meta_path, json.dumps(meta, indent=1).encode())
        return ArchivedPage(source, page_id, url, fetched_at, digest, body, validators), True

    def page_ids(self, source: str) -> Iterator[str]:
        """Yield the ids of the pages archived for a source."""
        folder = self.root / _safe(source)
        if folder.is_dir():
            for path in sorted(folder.glob("*.json")):
                yield path.stem


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
