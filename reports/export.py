"""Export any table or report to CSV, JSON or Parquet."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import pandas as pd
from sqlalchemy import Engine, select

from council.errors import TrackerError
from db import tables
from reports import agreement as agreement_report
from reports import check as check_report
from reports import drafts as drafts_report
from reports import mandates as mandates_report
from reports import vetoes as vetoes_report
from reports.formats import joined_lists, records, spreadsheet_safe

TABLES = ("member", "meeting", "draft", "resolution", "presidential_statement", "vote_event",
          "member_vote", "veto", "sponsorship", "mandate", "mandate_event", "finding",
          "source_record")
REPORTS: dict[str, Callable[[Engine], pd.DataFrame]] = {
    "vetoes": lambda engine: vetoes_report.vetoes(engine),
    "vetoes-by-member": lambda engine: vetoes_report.vetoes(engine, by="member"),
    "vetoes-by-year": lambda engine: vetoes_report.vetoes(engine, by="year"),
    "vetoes-by-decade": lambda engine: vetoes_report.vetoes(engine, by="decade"),
    "vetoes-by-agenda": lambda engine: vetoes_report.vetoes(engine, by="agenda"),
    "drafts": lambda engine: drafts_report.drafts(engine),
    "agreement": lambda engine: agreement_report.agreement(engine, min_shared=10),
    "mandates": lambda engine: mandates_report.mandates(engine),
    "check": lambda engine: check_report.findings_report(engine),
}
FORMATS = ("csv", "json", "parquet")

class ExportError(TrackerError, ValueError):
    """An export that cannot be made (unknown name or format, file in the way)."""


def names() -> list[str]:
    return [*TABLES, *REPORTS, "mandate:SLUG"]


def frame(engine: Engine, name: str) -> pd.DataFrame:
    """Return the rows of a table or a report by name (``mandate:SLUG`` for a timeline)."""
    if name.startswith("mandate:"):
        return mandates_report.mandate_timeline(engine, name.split(":", 1)[1])["timeline"]
    key = name.replace("_", "-") if name.replace("_", "-") in REPORTS else name.replace("-", "_")
    if key in REPORTS:
        return REPORTS[key](engine)
    if key in TABLES:
        table = tables.metadata.tables[key]
        with engine.connect() as connection:
            # Nullable integer columns stay integers (an empty draft_id is null, not 1.0).
            return pd.read_sql(select(table).order_by(*table.primary_key.columns), connection,
                               dtype_backend="numpy_nullable")
    raise ExportError(f"nothing called {name!r} to export; choose one of: {', '.join(names())}")


def write(df: pd.DataFrame, path: Path, fmt: str, *, overwrite: bool = False) -> None:
    """Write a frame to a file; refuse to overwrite unless asked.

    The file is written under a temporary name in the same folder, then renamed: a write
    cut short (a full disk, a kill) leaves the file that was there, whole. A symbolic link
    whose target does not exist is refused rather than followed.
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if path.is_symlink() and not path.exists():
        raise ExportError(f"{path} is a symbolic link to {os.readlink(path)}, which does not "
                          "exist: refusing to write through it; give another file name")
    if path.is_dir():
        raise ExportError(f"{path} is a folder; give a file name")
    if path.exists() and not overwrite:
        raise ExportError(f"{path} exists; pass --overwrite to replace it")
    target = path.resolve() if path.is_symlink() else path
    if not target.parent.is_dir():  # a typo in a folder's name is not made into folders
        raise ExportError(f"cannot write {path}: the folder {target.parent} does not exist; "
                          "create it first, or give another file name")
    temporary: Path | None = None
    try:
        handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                        suffix=".tmp")
        os.close(handle)
        temporary = Path(name)
        if fmt == "csv":
            spreadsheet_safe(joined_lists(df)).to_csv(temporary, index=False)
        elif fmt == "json":
            temporary.write_text(json.dumps(records(df), ensure_ascii=False, indent=1),
                                 encoding="utf-8")
        else:
            df.to_parquet(temporary, index=False)
        if target.exists():
            shutil.copymode(target, temporary)
        else:
            os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, target)
        temporary = None
    except ImportError as exc:
        raise ExportError(_NO_PYARROW) from exc
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}; the file that was "
                          "there is unchanged") from exc
    finally:
        if temporary is not None:
            temporary.unlink(missing_ok=True)


def write_stream(df: pd.DataFrame, stream: BinaryIO, fmt: str) -> None:
    """Write a frame to an open binary stream (a file, or standard output for ``--out -``)."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt == "csv":
        stream.write(spreadsheet_safe(joined_lists(df)).to_csv(index=False).encode("utf-8"))
    elif fmt == "json":
        stream.write(json.dumps(records(df), ensure_ascii=False, indent=1).encode("utf-8"))
    else:
        try:
            df.to_parquet(stream, index=False)
        except ImportError as exc:
            raise ExportError(_NO_PYARROW) from exc


_NO_PYARROW = ("Parquet needs pyarrow, which is not installed: pip install "
               "'unsc-tracker[parquet]' (or export as csv or json)")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
