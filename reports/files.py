"""Writing the files people publish (a feed, a site's pages, charts): whole or not at all,
and only when their bytes change, so that a static host or a feed reader sees a file
change only when what it says has changed."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from council.errors import TrackerError


class OutputError(TrackerError, ValueError):
    """A file the tracker was asked to write cannot be written there."""


def _published_mode(path: Path) -> int:
    """The old file's permissions, or a new file's (readable by all, as the umask allows):
    not the owner-only mode of a temporary file."""
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` unless the file holds these bytes already; return whether
    it was written. The bytes go to a temporary file in the same folder, renamed over the
    old one: a write cut short leaves the old file whole."""
    if path.is_dir():
        raise OutputError(f"{path} is a folder; give a file name")
    if not path.parent.is_dir():
        raise OutputError(f"cannot write {path}: the folder {path.parent} does not exist; "
                          "create it first, or give another file name")
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(handle, _published_mode(path))
        with os.fdopen(handle, "wb") as out:
            out.write(data)  # no fsync: a page lost to a power cut is written by the next run
        os.replace(name, path)
    except OSError as exc:  # a full disk, a folder not writable: said, not a traceback
        Path(name).unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from exc
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return True
