"""Show a report's rows: as a table fitted to the terminal, as CSV, or as JSON.

A table is laid out for the terminal's width (``COLUMNS``, the terminal's own width, or
80 when neither is known): the first columns matter most, so the last ones are dropped
when they cannot fit, and the table says which and how to get them (``--format csv``).
A symbol, a date or a word of a header is never split: a cell wraps only at its spaces
and after an underscore (``meeting_`` / ``record``), and a column is never narrower than its longest
word (up to ``LONGEST_KEPT_WORD`` characters). Timestamps are shown to the second.

CSV and JSON carry every column and every type: integers stay integers (a missing one is
empty in CSV and null in JSON), a list stays a list in JSON and is joined with ", " in a
table or CSV cell ("; " when an item has a comma of its own). Text from a source is data:
a table shows it as plain text (never terminal escapes), CSV cells cannot run as
spreadsheet formulas, JSON escapes controls.

This module imports no report and no database code: every command needs it.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import shutil
import sys
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    import pandas as pd

GAP = "  "  # between two columns
LONGEST_KEPT_WORD = 20  # a longer word (a URL, a slug) may be broken to fit
DEFAULT_WIDTH = 80

# Terminal control sequences (CSI, OSC such as hyperlinks and titles, other escapes, in
# their 7-bit and 8-bit forms), then any control or bidirectional-override character left.
_TERMINAL_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# An ISO timestamp as text (2026-11-30T01:52:45.485493+00:00): shown to the second.
_TIMESTAMP = re.compile(
    r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?")
_HEADER_WORD = re.compile(r"[^_]+_*|_+")


def terminal_safe(text: str) -> str:
    """Return text a terminal shows as it is: no escape sequences, no control characters
    (a tab becomes a space; line breaks are kept)."""
    if text.isprintable():
        return text
    return _CONTROL.sub("", _TERMINAL_SEQUENCE.sub("", text.replace("\t", " ")))


# The fields that hold several items (members, sponsors, sources): in JSON always a list,
# empty when there is none, whichever report or part of a view they come from.
LIST_FIELDS = frozenset({"vetoed_by", "sponsors", "abstained", "members", "member_names",
                         "sources", "bodies", "subjects", "aliases"})
# Where a missing value means "not known", not "none" (a mandate's renewal whose tally no
# source gives; a draft whose sponsors, bodies or subjects no record read gives): null
# stays null, and a text saying so stays that text. Never conclude from absence.
NOT_KNOWN_WHEN_MISSING = frozenset({"abstained", "sponsors", "bodies", "subjects"})
_MEMBER_CODES = re.compile(r"[A-Z]{3}(?:, [A-Z]{3})*")


def _as_list(key: str, value: Any) -> Any:
    """Return a list field's value as a list: None is [] (null where it means not known),
    a text of member codes ("CHN, RUS") its codes, "none" []."""
    if value is None:
        return None if key in NOT_KNOWN_WHEN_MISSING else []
    if isinstance(value, str):
        if value.strip().lower() in ("", "none"):
            return []
        if _MEMBER_CODES.fullmatch(value.strip()):
            return value.strip().split(", ")
        return value  # a sentence ("2 member(s), not known which"): not a list to make up
    if isinstance(value, list | tuple):
        return [lists_as_lists(v) for v in value]
    return [value]


def lists_as_lists(payload: Any) -> Any:
    """Return a JSON payload whose list fields (``LIST_FIELDS``) are lists, at any depth."""
    if isinstance(payload, dict):
        return {k: _as_list(k, v) if k in LIST_FIELDS else lists_as_lists(v)
                for k, v in payload.items()}
    if isinstance(payload, list | tuple):
        return [lists_as_lists(v) for v in payload]
    return payload


def json_for_terminal(payload: Any) -> str:
    """Return JSON with every control character escaped (JSON escapes C0 itself; C1 and
    bidirectional overrides are escaped here): the same data, shown safely. Every JSON the
    tracker prints goes through here: a list field is a list (``lists_as_lists``)."""
    text = json.dumps(lists_as_lists(payload), ensure_ascii=False, indent=1)
    return re.sub(r"[\x7f-\x9f\u202a-\u202e\u2066-\u2069]",
                  lambda m: f"\\u{ord(m.group(0)):04x}", text)


def terminal_width() -> int:
    """Return the width to lay tables out for: COLUMNS, the terminal's, or 80."""
    return max(shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns, 20)


def cell_text(value: Any, *, decimals: int | None = None) -> str:
    """Return a value as a table cell shows it: blank for missing, a list joined with ", ",
    a timestamp to the second, a number as it is (or to ``decimals`` places)."""
    if value is None:
        return ""
    if isinstance(value, str):
        text = value
        if "T" in text or ":" in text:
            text = _TIMESTAMP.sub(r"\1 \2", text)
        return terminal_safe(text)
    if isinstance(value, list | tuple):
        from reports.formats import joined

        return joined([cell_text(v) for v in value])
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return f"{value:.{decimals}f}" if decimals is not None else str(value)
    if isinstance(value, dt.datetime):  # pandas' Timestamp too
        if value != value:  # NaT
            return ""
        if value.tzinfo is None and value.time() == dt.time():
            return value.strftime("%Y-%m-%d")  # a date held as a timestamp
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if hasattr(value, "item") and not isinstance(value, dt.date):  # numpy scalars
        return cell_text(value.item(), decimals=decimals)
    if str(value) in ("<NA>", "NaT"):
        return ""
    return terminal_safe(str(value))


_WORD = re.compile(r"[^ \t\n_]*_+|[^ \t\n_]+")  # a word, or a name up to an underscore
# A resolution's year is part of its symbol: "S/RES/1874 (2009)" stays on one line.
_SYMBOL_YEAR = re.compile(r"(?<=\d) \((\d{4})\)")
_KEEP_TOGETHER = "\u00a0"


def _longest_word(texts: Sequence[str], *, enough: int) -> int:
    """Return the length of the longest word of the texts, or ``enough`` once one is as long
    (a text no longer than the longest word so far cannot hold a longer one)."""
    longest = 0
    for text in texts:
        if len(text) <= longest:
            continue
        longest = max(longest, *(len(word) for word in _WORD.findall(
            _SYMBOL_YEAR.sub(_KEEP_TOGETHER + r"(\1)", text))), 0)
        if longest >= enough:
            return enough
    return longest


def _header_lines(name: str, width: int) -> list[str]:
    """Return a header wrapped at underscores (``meeting_`` / ``record``), never mid-word."""
    lines: list[str] = []
    for word in _HEADER_WORD.findall(name) or [""]:
        if lines and len(lines[-1]) + len(word) <= width:
            lines[-1] += word
        else:
            lines.append(word)
    return lines


def _cell_lines(text: str, width: int) -> list[str]:
    """Return a cell's lines: wrapped at spaces and after underscores, a word broken only
    when it is longer than the column (``LONGEST_KEPT_WORD``)."""
    if len(text) <= width and "\n" not in text:
        return [text]
    lines: list[str] = []
    marked = _SYMBOL_YEAR.sub(_KEEP_TOGETHER + r"(\1)", text) if " (" in text else text
    for part in marked.splitlines() or [""]:
        line = ""
        for spaced in part.split(" "):
            pieces = _WORD.findall(spaced) or [""]
            for k, piece in enumerate(pieces):
                joint = " " if k == 0 and line else ""
                if len(line) + len(joint) + len(piece) <= width:
                    line += joint + piece
                    continue
                if line:
                    lines.append(line)
                while len(piece) > width:  # after a slash or hyphen if it can
                    cut = max(piece.rfind("/", 0, width), piece.rfind("-", 0, width)) + 1
                    lines.append(piece[:cut or width])
                    piece = piece[cut or width:]
                line = piece
        lines.append(line)
    if _KEEP_TOGETHER not in marked:
        return lines
    return [line.replace(_KEEP_TOGETHER, " ") for line in lines]


def fit_columns(headers: Sequence[str], cells: Sequence[Sequence[str]], width: int
                ) -> tuple[list[int], list[int]]:
    """Return the columns kept (the first ones, as many as fit) and their widths.

    Each kept column is at least as wide as its longest header word and its longest word
    (up to ``LONGEST_KEPT_WORD``); the width left is shared out, a narrow column first
    taking all it needs.
    """
    least = [max(max(len(w) for w in _HEADER_WORD.findall(h) or [""]),
                 _longest_word(column, enough=LONGEST_KEPT_WORD), 1)
             for h, column in zip(headers, cells, strict=True)]
    wanted = [max(len(h), max((len(line) for text in column for line in text.splitlines()),
                              default=0), least[i])
              for i, (h, column) in enumerate(zip(headers, cells, strict=True))]
    kept = list(range(len(headers)))
    while len(kept) > 1 and sum(least[i] for i in kept) + len(GAP) * (len(kept) - 1) > width:
        kept.pop()
    widths = {i: least[i] for i in kept}
    spare = width - sum(widths.values()) - len(GAP) * (len(kept) - 1)
    growing = sorted(kept, key=lambda i: wanted[i] - least[i])
    for n, i in enumerate(growing):
        give = max(min(wanted[i] - widths[i], spare // (len(growing) - n)), 0)
        widths[i] += give
        spare -= give
    return kept, [widths[i] for i in kept]


def table_lines(df: pd.DataFrame, *, title: str | None = None, width: int | None = None,
                decimals: int | None = None, dropped_hint: str = "--format csv",
                left_out: Sequence[str] = ()) -> list[str]:
    """Return the lines of a table of ``df`` fitted to ``width`` (the terminal's if None).

    The columns that do not fit, then those the table leaves out (``left_out``), are named
    on a last line, with ``dropped_hint`` saying how to get them.
    """
    width = width or terminal_width()
    headers = [terminal_safe(str(c)) for c in df.columns]
    cells = [[cell_text(v, decimals=decimals) for v in df.iloc[:, i].tolist()]
             for i in range(df.shape[1])]
    lines: list[str] = []
    if title is not None:
        lines.extend(heading_lines(title, width))
    if not headers:
        lines.append("(no rows)")
        return lines
    kept, widths = fit_columns(headers, cells, width)
    header_cells = [_header_lines(headers[i], w) for i, w in zip(kept, widths, strict=True)]
    lines.extend(_join_row(header_cells, widths))
    lines.append(GAP.join("─" * w for w in widths))
    for row in range(len(df)):
        lines.extend(_join_row([_cell_lines(cells[i][row], w)
                                for i, w in zip(kept, widths, strict=True)], widths))
    if df.empty:
        lines.append("(no rows)")
    too_wide = [headers[i] for i in range(len(headers)) if i not in kept]
    dropped = [*too_wide, *(terminal_safe(str(c)) for c in left_out)]
    if dropped:
        named = dropped if len(dropped) <= 8 else [*dropped[:6], f"... {dropped[-1]}"]
        at = f" at {width} columns" if too_wide and not left_out else ""
        lines.extend(textwrap.wrap(
            f"({len(dropped)} more column{'s' if len(dropped) > 1 else ''} not shown{at}: "
            f"{', '.join(named)}; {dropped_hint})", width,
            break_on_hyphens=False))
    return lines


def _join_row(cells: list[list[str]], widths: list[int]) -> list[str]:
    height = max(len(c) for c in cells)
    return [GAP.join((c[k] if k < len(c) else "").ljust(w) for c, w in
                     zip(cells, widths, strict=True)).rstrip() for k in range(height)]


def heading_lines(text: str, width: int | None = None) -> list[str]:
    """Return a heading (a title, a line naming a member or a vote) wrapped to the width."""
    return _cell_lines(terminal_safe(text), width or terminal_width())


def limited(df: pd.DataFrame, limit: int | None) -> pd.DataFrame:
    """Return the first ``limit`` rows (all when ``limit`` is None)."""
    return df if limit is None or len(df) <= limit else df.head(limit)


def for_csv(df: pd.DataFrame) -> pd.DataFrame:
    """Return a frame as CSV writes it: lists joined (", ", or "; " when an item has a
    comma: ``reports.formats.joined``), text that a spreadsheet
    cannot run as a formula; integers stay integers."""
    from reports.formats import joined_lists, spreadsheet_safe

    return spreadsheet_safe(joined_lists(df))


def emit(lines: list[str]) -> None:
    """Print lines; through a pager when they are more than a terminal screen holds."""
    text = "\n".join(lines)
    if sys.stdout.isatty() and len(lines) > shutil.get_terminal_size((80, 24)).lines - 2:
        import click

        click.echo_via_pager(text + "\n")
    else:
        typer.echo(text)


def table_part(df: pd.DataFrame, *, title: str | None = None,
               table_columns: list[str] | None = None, limit: int | None = None,
               decimals: int | None = None,
               dropped_hint: str = "--format csv shows every column") -> list[str]:
    """Return the lines of one table (a view of several parts joins them and ``emit``s
    them once): ``table_columns`` chooses and orders the columns, most important first, and
    the others are named on the last line; ``limit`` keeps the first rows and says how many
    there were."""
    total = len(df)
    df = limited(df, limit)
    left_out: list[str] = []
    if table_columns:
        left_out = [str(c) for c in df.columns if c not in table_columns]
        df = df[[c for c in table_columns if c in df.columns]]
    lines = table_lines(df, title=title, decimals=decimals, dropped_hint=dropped_hint,
                        left_out=left_out)
    if len(df) < total:
        lines.append(f"(the first {len(df)} of {total} rows: --limit {total}, or no --limit, "
                     "shows them all)")
    return lines


def csv_text(df: pd.DataFrame) -> str:
    """Return a frame as CSV (``for_csv``); in a terminal, text shown as it is."""
    df = for_csv(df)
    if sys.stdout.isatty():
        df = df.map(lambda v: terminal_safe(v) if isinstance(v, str) else v)
    text: str = df.to_csv(index=False)
    return text


def show(df: pd.DataFrame, fmt: str, *, title: str | None = None, single: bool = False,
         table_columns: list[str] | None = None, limit: int | None = None,
         decimals: int | None = None, dropped_hint: str = "--format csv shows every column"
         ) -> None:
    """Print a frame as a table fitted to the terminal, CSV or JSON (a list of objects, or
    one object when ``single`` and there is one row).

    ``table_columns`` chooses and orders what a table shows, most important first (the
    others are named under it); CSV and JSON keep every column. ``limit`` keeps the first
    rows in every format (a table says how many there were).
    """
    if fmt == "csv":
        sys.stdout.write(csv_text(limited(df, limit)))
        return
    if fmt == "json":
        from reports.formats import records

        rows = records(limited(df, limit))
        payload: Any = rows[0] if single and len(rows) == 1 else rows
        typer.echo(json_for_terminal(payload))
        return
    emit(table_part(df, title=title, table_columns=table_columns, limit=limit,
                    decimals=decimals, dropped_hint=dropped_hint))
