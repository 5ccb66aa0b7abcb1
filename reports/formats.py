"""The forms every output shares: values as JSON has them, text a spreadsheet cannot run.

Imports pandas only: every command that shows a table, CSV or JSON needs this, and no
report.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

import pandas as pd

# How a vote ended, in the words a reader of a page or a feed is given.
OUTCOME_WORDS = {
    "adopted_with_vote": "adopted", "adopted_without_vote": "adopted without a vote",
    "adopted_by_written_procedure": "adopted by written procedure", "vetoed": "vetoed",
    "insufficient_votes": "not adopted (insufficient votes)", "not_adopted": "not adopted"}

# A spreadsheet runs a cell that begins with one of these as a formula (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of a frame as dicts with string keys, a missing value as None (not NaN,
    NaT or NA): what a template or a feed entry reads."""
    out = [{str(k): v for k, v in row.items()} for row in frame.to_dict(orient="records")]
    for row in out:
        for key, value in row.items():
            if value is pd.NaT or value is pd.NA or (isinstance(value, float) and value != value):
                row[key] = None
    return out


def jsonable(value: Any) -> Any:
    """Return a value as JSON has it: ISO dates, null for missing, plain numbers."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, list | tuple):  # several members, sources: a list stays a list
        return [jsonable(v) for v in value]
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return jsonable(value.item())
    return value


def joined(items: list[Any] | tuple[Any, ...]) -> str:
    """Return a list as one table or CSV cell: joined with ", " ("CHN, RUS"), or with "; "
    when an item has a comma of its own ("TREATIES; SIGNATURES, ACCESSIONS")."""
    texts = [str(item) for item in items]
    return ("; " if any("," in text for text in texts) else ", ").join(texts)


def joined_lists(df: pd.DataFrame) -> pd.DataFrame:
    """Return a frame whose lists (several members, sources) are joined (``joined``), as a
    table or CSV cell holds them; JSON keeps them as lists."""
    out = df
    for i in range(df.shape[1]):
        series = df.iloc[:, i]
        if series.dtype != object or not any(isinstance(v, list | tuple) for v in series):
            continue
        if out is df:
            out = df.copy()
        out.isetitem(i, [joined(v) if isinstance(v, list | tuple) else v for v in series])
    return out


def nullable_integers(df: pd.DataFrame) -> pd.DataFrame:
    """Return a frame whose integer columns are nullable integers (Int64): a row that has
    no value there (a table joined to another, a missing count) leaves it empty, not a
    float."""
    integers = {c: "Int64" for c, dtype in df.dtypes.items() if dtype.kind in "iu"}
    return df.astype(integers) if integers else df


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Return a frame as a list of JSON-ready objects with snake_case keys."""
    return [{str(k): jsonable(v) for k, v in row.items()} for row in df.to_dict(orient="records")]


def spreadsheet_safe(df: pd.DataFrame) -> pd.DataFrame:
    """Return a frame whose text cells a spreadsheet cannot run as formulas.

    As OWASP advises for CSV injection: a text cell that begins with ``= + - @``, a tab
    or a carriage return gets a leading single quote, so a spreadsheet shows it as text.
    Numbers stay numbers (a number column, or a text cell that is a plain number: -1).
    """
    out = df
    for i in range(df.shape[1]):  # by position: two columns may share a name
        series = df.iloc[:, i]
        if series.dtype.kind != "O" and not isinstance(series.dtype, pd.StringDtype):
            continue
        risky = [isinstance(v, str) and v.startswith(FORMULA_START) and not _NUMBER.fullmatch(v)
                 for v in series]
        if any(risky):
            if out is df:
                out = df.copy()
            out.isetitem(i, [f"'{v}" if r else v for v, r in zip(series, risky, strict=True)])
    return out


