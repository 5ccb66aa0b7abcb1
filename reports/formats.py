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

# A spreadsheet runs a cell that begins with one of these as a formula (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def jsonable(value: Any) -> Any:
    """Return a value as JSON has it: ISO dates, null for missing, plain numbers."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return jsonable(value.item())
    return value


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


