"""The ``tracker`` command: a thin layer over the library's functions.

Each command opens the database, calls one function, shows its DataFrame as a
table, CSV or JSON, and turns known errors into one message and an exit code.
Heavy imports happen inside the commands, so ``tracker --help`` starts fast.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import re
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, NoReturn

import typer
from typer.core import TyperCommand, TyperGroup

from council.errors import TrackerError

if TYPE_CHECKING:
    import pandas as pd
    from sqlalchemy import Engine

    from tracker.settings import Settings


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"
    parquet = "parquet"


class Convention(StrEnum):
    """The counts of vetoes (``reports.vetoes.CONVENTIONS``; a test holds the two alike)."""

    dhl_veto_list = "dhl-veto-list"
    dhl_meetings = "dhl-meetings"


class MandateKind(StrEnum):
    """The kinds of mandates (``council.mandates.KINDS``; a test holds the two alike)."""

    peacekeeping_operation = "peacekeeping_operation"
    special_political_mission = "special_political_mission"
    sanctions_regime = "sanctions_regime"
    sanctions_committee = "sanctions_committee"
    panel_of_experts = "panel_of_experts"
    monitoring_team = "monitoring_team"
    executive_directorate = "executive_directorate"
    committee = "committee"
    commission = "commission"
    tribunal = "tribunal"
    authorized_force = "authorized_force"


class Severity(StrEnum):
    error = "error"
    warning = "warning"
    info = "info"


class VetoGrouping(StrEnum):
    member = "member"
    year = "year"
    decade = "decade"
    agenda = "agenda"


def _unwrap(text: str) -> str:
    """Return help text with each paragraph on one line: the terminal wraps it to its width."""
    return "\n\n".join(" ".join(line.strip() for line in paragraph.splitlines())
                       for paragraph in text.split("\n\n"))


def _flags_without_type(params: list[Any]) -> list[Any]:
    """Show no type for a flag (typer would print ``<bool>``): it takes no value."""
    for param in params:
        if (getattr(param, "is_flag", False) or getattr(param, "count", False)) \
                and param.metavar is None:
            param.metavar = ""
    return params


class _Readable:
    """Help that reads well in any terminal: paragraphs wrapped to its width (a docstring's
    line breaks are not kept), no type shown for a flag. Mixed into a command or a group."""

    help: str | None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.help:
            self.help = _unwrap(self.help)

    def get_params(self, ctx: Any) -> list[Any]:
        return _flags_without_type(super().get_params(ctx))  # type: ignore[misc]

    def format_help(self, ctx: Any, formatter: Any) -> None:
        _rich_colours()
        super().format_help(ctx, formatter)  # type: ignore[misc]


def _rich_colours() -> Any:
    """Return typer's rich layer with NO_COLOR (no-color.org) honoured: no colour, no bold,
    no escape at all, even in a terminal. Imported only where typer draws with rich (help,
    ``tracker`` alone): a report never loads rich."""
    import typer.rich_utils

    typer.rich_utils.COLOR_SYSTEM = (None if os.environ.get("NO_COLOR")
                                     else _RICH_COLOR_SYSTEM)
    return typer.rich_utils


class _ReadableCommand(_Readable, TyperCommand):
    """A command whose help reads well in any terminal."""


class _HelpGroup(_Readable, TyperGroup):
    """A group whose help, like its commands', is wrapped to the terminal."""


def _error_line(text: str) -> None:
    """Print one line of an error on stderr: red, unless NO_COLOR is set (no-color.org)."""
    if os.environ.get("NO_COLOR"):
        typer.echo(text, err=True)  # secho would still end the line with a reset sequence
    else:
        typer.secho(text, fg=typer.colors.RED, err=True)


def _quiet() -> bool:
    return bool(_state.get("quiet"))


def _say(text: str) -> None:
    """Tell the user what is happening (stderr), unless --quiet asks for errors only."""
    if not _quiet():
        typer.echo(text, err=True)


class _TrackerGroup(_HelpGroup):
    """Turn the errors of every command into messages and exit codes, in this one place.

    A storage fault (a damaged file, a full disk, a read-only folder) becomes one message
    saying what failed and how to recover, and exit 1. Any other ``TrackerError`` (an
    unknown member, a draft not stored, a file in the way of an export) becomes
    ``error: <message>`` (passwords masked), its hint if it has one, and its exit code.
    Anything else is a bug and keeps its traceback.
    """

    def main(self, args: Any = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             windows_expand_args: bool = True, **kwargs: Any) -> Any:
        click = _click_exceptions()
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False,
                                  windows_expand_args=windows_expand_args, **kwargs)
        except click.NoArgsIsHelpError as exc:  # `tracker` alone: its help
            if not standalone_mode:
                raise
            _rich_colours().rich_format_error(exc)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:  # a usage error: one line, then where to look
            if not standalone_mode:
                raise
            _usage_error(exc)
            sys.exit(exc.exit_code)
        except typer.Abort:
            if not standalone_mode:
                raise
            typer.echo("Aborted!", err=True)
            sys.exit(1)
        if not standalone_mode:
            return result
        sys.exit(result if isinstance(result, int) else 0)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as exc:
            message = _storage_fault(exc)
            if message is not None:
                _error_line(f"error: {message}")
                raise typer.Exit(1) from None
            if isinstance(exc, TrackerError):
                _fail(str(exc), exc.exit_code, hint=exc.hint)
            raise


def _click_exceptions() -> Any:
    """Return the click exceptions typer raises: its own copy of click (typer 0.29 and
    later), or the click package (earlier typer)."""
    try:
        from typer._click import exceptions as typers
    except ImportError:  # typer before 0.29 raises the click package's exceptions
        from click import exceptions as clicks

        return clicks
    return typers


def _usage_error(exc: Any) -> None:
    """Print a usage error as every error: ``error: <option>: <what it got, what it takes>``
    on one line (red unless NO_COLOR), then a line saying where the usage is explained."""
    click = _click_exceptions()
    message = exc.format_message()
    if isinstance(exc, click.BadParameter) and exc.message:  # (a missing one has none)
        hint = exc.param_hint
        if hint is None and exc.param is not None:
            hint = " / ".join(getattr(exc.param, "opts", []) or [exc.param.name or ""])
        elif isinstance(hint, list | tuple):
            hint = " / ".join(hint)
        words = exc.message.removeprefix("Value error, ")
        choice = re.fullmatch(r"(.*) is not one of (.*?)\.?", words, flags=re.DOTALL)
        if choice:  # an Enum option: the value, then the choices without quotes
            words = f"got {choice.group(1)}, expected one of {choice.group(2)}".replace(
                "', '", ", ").replace("expected one of '", "expected one of ").rstrip("'")
        message = f"{str(hint).replace(chr(39), '')}: {words}" if hint else words
    _error_line(f"error: {' '.join(message.split())}")
    ctx = exc.ctx
    if ctx is not None:
        typer.echo(f"usage: {ctx.command_path} {' '.join(ctx.command.collect_usage_pieces(ctx))}"
                   f" (`{ctx.command_path} --help` explains every option)", err=True)


# typer's own choice, kept when NO_COLOR is not set.
_RICH_COLOR_SYSTEM: Literal["auto"] = "auto"


def _storage_fault(exc: BaseException) -> str | None:
    """Return what a storage fault means and how to recover, or None for other errors."""
    import errno
    import sqlite3

    from sqlalchemy.exc import DBAPIError, OperationalError

    # Only the sync machinery raises a StorageFault: a report's error (an unknown member, a
    # draft not stored) does not load it just to tell it is not one.
    sync = sys.modules.get("tracker.sync")
    if sync is not None and isinstance(exc, sync.StorageFault):
        what, cause = exc.what, exc.__cause__
        damaged = f"move it away (mv {exc.path} {exc.path}.damaged), then {exc.recovery}"
    elif isinstance(exc, DBAPIError) and not isinstance(exc.orig, sqlite3.Error):
        if not isinstance(exc, OperationalError):
            return None
        from tracker.settings import mask_passwords

        settings = _state.get("settings")
        where = mask_passwords(settings.resolved_database_url) if settings else "the database"
        return (f"the database {where}: the connection failed or was lost "
                f"({' '.join(str(exc.orig).split())[:200]}); check that the server is running "
                "and reachable, then run the command again (what was stored before is kept: "
                "each page is stored in one transaction)")
    elif isinstance(exc, DBAPIError) and isinstance(exc.orig, sqlite3.DatabaseError):
        settings = _state.get("settings")
        where = settings.resolved_database_url if settings else "the database"
        from db.engine import sqlite_path

        try:
            path = sqlite_path(where)
        except Exception:  # an unreadable URL: name the database without a path
            path = None
        what, cause = f"the database {path or 'file'}", exc.orig
        damaged = (f"move it away (mv {path} {path}.damaged), then run `tracker rebuild` to "
                   "recreate it from the raw archive with no network (or `tracker sync "
                   "--full`)")
    elif isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS,
                                                   errno.EACCES, errno.EPERM, errno.EIO):
        what, cause = (str(exc.filename) if exc.filename else "a file"), exc
        damaged = "check the disk, then run the command again"
    else:
        return None
    code = cause.errno if isinstance(cause, OSError) else None
    text = cause.strerror if isinstance(cause, OSError) and cause.strerror else str(cause)
    if code in (errno.ENOSPC, errno.EDQUOT) or "disk is full" in text:
        advice = ("the disk is full: free some space and run the command again (what was "
                  "stored before is kept: each page is stored in one transaction)")
    elif code in (errno.EROFS, errno.EACCES, errno.EPERM) or "readonly" in text \
            or "unable to open" in text:
        advice = ("it cannot be written (a read-only folder or file): make it writable, or "
                  "point TRACKER_DATA_DIR (or --db) at a folder you can write")
    elif "locked" in text or "busy" in text:
        advice = ("another process holds it (a sync or rebuild, or a tool writing to it): "
                  "wait for it to finish and run the command again; the file is not damaged")
    elif any(sign in text for sign in ("malformed", "not a database", "corrupt",
                                       "truncated", "digest", "damaged")) \
            or (sync is not None and isinstance(exc, sync.StorageFault)):
        advice = f"it is damaged or unreadable: {damaged}"
    else:
        advice = ("it could not be read or written: run the command again, and if this "
                  f"happens again, {damaged}")
    return f"{what}: {text}; {advice}"


app = typer.Typer(
    cls=_TrackerGroup,
    name="tracker",
    help="Track how the UN Security Council votes: vetoes, resolutions, drafts and roll calls, "
    "from the UN's own sources.\n\nExample: tracker sync && tracker vetoes --by member",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

_state: dict[str, Any] = {}

FormatOption = Annotated[Format, typer.Option("--format", "-f", help="Output: table, csv or json.")]
SinceOption = Annotated[str | None, typer.Option(help="From this date (YYYY-MM-DD or YYYY).")]
UntilOption = Annotated[str | None, typer.Option(help="Up to this date (YYYY-MM-DD or YYYY).")]
MembersOption = Annotated[str | None, typer.Option(
    help="Only these members, comma-separated codes: USA,RUS,CHN.")]
MinSharedOption = Annotated[int, typer.Option(
    help="Leave a pair blank when it shared fewer votes than this.", metavar="N",
    parser=lambda v: _whole_number("--min-shared", 0, "votes")(v))]
LimitOption = Annotated[int | None, typer.Option(
    "--limit", "-n", metavar="N", help="Show only the first N rows (every format).",
    show_default=False, parser=lambda v: _whole_number("--limit", 1, "rows")(v))]


def _print_version(value: bool) -> None:
    if value:
        from tracker import __version__

        typer.echo(f"unsc-tracker {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    db: Annotated[str | None, typer.Option(
        "--db", metavar="URL", help="SQLAlchemy database URL (default: TRACKER_DATABASE_URL, "
        "or SQLite in the data folder).", show_default=False)] = None,
    quiet: Annotated[bool, typer.Option(
        "--quiet", "-q", help="Print only errors and the result: no progress, no notes.")
    ] = False,
    verbose: Annotated[int, typer.Option(
        "--verbose", "-v", count=True, show_default=False,
        help="Say what is being fetched and read (each request); twice (-vv) for debugging "
        "detail.")] = 0,
    version: Annotated[bool, typer.Option(
        "--version", "-V", help="Print the version and exit.", is_eager=True,
        callback=_print_version)] = False,
) -> None:
    _state.clear()  # one invocation, one set of settings
    _state["db"] = db
    if quiet and verbose:
        raise typer.BadParameter("give --quiet or --verbose, not both", param_hint="'--quiet'")
    _state["quiet"] = quiet
    _state["verbose"] = verbose
    if verbose:
        import logging

        logging.basicConfig(stream=sys.stderr, force=True,
                            level=logging.INFO if verbose == 1 else logging.DEBUG,
                            format="%(levelname)s %(name)s: %(message)s")
        if verbose == 1:  # the requests and what is read, not the migration machinery's steps
            logging.getLogger("alembic").setLevel(logging.WARNING)


def _settings() -> Settings:
    """Build the settings once: the environment, then the options (``--db``).

    A setting the tracker cannot use is a usage error (exit 2) naming the variable or
    option, the value it got and what it takes, before anything is opened.
    """
    from pydantic import ValidationError

    from tracker.settings import Settings

    if "settings" not in _state:
        overrides = {"database_url": _state["db"]} if _state.get("db") else {}
        try:
            settings = Settings(**overrides)
        except ValidationError as exc:
            from tracker.settings import describe_invalid

            options = {"database_url": "--db"} if overrides else None
            _fail(f"bad setting: {describe_invalid(exc, options=options)}", 2)
        _state["settings"] = settings
    current: Settings = _state["settings"]
    return current


def _engine(*, create: bool = False, stored: bool = True) -> Engine:
    """Open the database. Reading commands never create one; they upgrade an older schema.

    A report (``stored``) on a database that does not exist or holds nothing of the Council
    yet says so, in this one place, and exits 1 (see ``_nothing_stored``).
    """
    _collect_from_here()  # the command's imports are done
    from sqlalchemy.exc import ArgumentError, OperationalError

    from db.engine import is_current, is_initialised, make_engine, sqlite_path, upgrade
    from tracker.settings import mask_passwords

    url = _settings().resolved_database_url
    where = mask_passwords(url)
    if _state.get("verbose"):
        import logging

        logging.getLogger("tracker").info("opening the database %s", where)
    try:
        path = sqlite_path(url)
        if not create and path is not None and not path.exists():
            _nothing_stored(f"no database at {path}")
        engine = make_engine(url, create=create)
        if create:
            from tracker.sync import open_database

            open_database(engine)
        elif not is_initialised(engine):
            _nothing_stored(f"the database {where} is empty")
        else:
            if not is_current(engine):
                _say("upgrading the database schema to this version of the tracker")
                upgrade(engine)
            if stored and not _holds_records(engine):
                _nothing_stored(f"the database {where} holds no meeting, vote or draft")
    except ArgumentError as exc:
        _fail(f"bad database URL {url!r}: {exc}", 2)
    except ImportError as exc:
        _fail(f"no driver for the database URL {url!r}: {exc}", 2)
    except OperationalError as exc:
        origin = "--db" if _state.get("db") else (
            "TRACKER_DATABASE_URL" if _settings().database_url else "TRACKER_DATA_DIR")
        _fail(f"cannot open the database {where} (from {origin}): "
              f"{' '.join(str(exc.orig).split())}")
    return engine


def _holds_records(engine: Engine) -> bool:
    """Whether any record of the Council (a meeting, a vote, a draft) is stored."""
    from sqlalchemy import text

    with engine.connect() as connection:
        return any(connection.execute(text(f'SELECT 1 FROM "{table}" LIMIT 1')).first()
                   for table in ("meeting", "vote_event", "resolution", "draft"))


def _nothing_stored(why: str) -> NoReturn:
    """Say, for every report, that there is nothing to report on yet and how to fill it."""
    _fail("nothing stored yet: run `tracker sync` (or `tracker import undl-dataset FILE`)",
          1, hint=f"{why}; `--db URL` or TRACKER_DATABASE_URL picks another database")


def _secrets() -> list[str | None]:
    """The secrets this run knows (the database password, the token): masked wherever a
    message quotes them, even in part."""
    settings = _state.get("settings")
    if settings is None:
        return []
    known: list[str | None] = []
    try:
        from sqlalchemy.engine import make_url

        known.append(make_url(settings.resolved_database_url).password)
    except Exception:  # an unreadable URL: the URL patterns still mask it
        pass
    if settings.undl_token is not None:
        known.append(settings.undl_token.get_secret_value())
    return known


def _tell(message: str, *, hint: str | None = None) -> None:
    """Print an error and its hint, passwords and the token masked."""
    from tracker.settings import mask_passwords

    _error_line(f"error: {mask_passwords(message, *_secrets())}")
    if hint:
        typer.echo(f"hint: {mask_passwords(hint, *_secrets())}", err=True)


def _fail(message: str, code: int = 1, *, hint: str | None = None) -> NoReturn:
    _tell(message, hint=hint)
    raise typer.Exit(code)


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    from reports.formats import records

    return records(df)


def terminal_safe(text: str) -> str:
    """Return text a terminal shows as it is (``tracker.output.terminal_safe``)."""
    from tracker.output import terminal_safe as safe

    return safe(text)


def show(df: pd.DataFrame, fmt: Format, *, title: str | None = None, single: bool = False,
         table_columns: list[str] | None = None, limit: int | None = None,
         **table: Any) -> None:
    """Print a frame as a table fitted to the terminal, CSV or JSON (``tracker.output``)."""
    from tracker import output

    output.show(df, fmt.value, title=title, single=single, table_columns=table_columns,
                limit=limit, **table)


def _heading(text: str) -> list[str]:
    """Return a heading's lines wrapped to the terminal's width (``tracker.output``)."""
    from tracker.output import heading_lines

    return heading_lines(text)


def _part(df: pd.DataFrame, *, title: str | None = None,
          table_columns: list[str] | None = None, limit: int | None = None) -> list[str]:
    """Return the lines of one table of a view of several parts (``tracker.output``)."""
    from tracker.output import table_part

    return table_part(df, title=title, table_columns=table_columns, limit=limit)


def _emit(lines: list[str]) -> None:
    """Print a whole view at once: through one pager when it is longer than a screen."""
    from tracker.output import emit

    emit(lines)


def _echo_json(payload: Any) -> None:
    """Print JSON, for every command the same way (``tracker.output.json_for_terminal``)."""
    from tracker.output import json_for_terminal

    typer.echo(json_for_terminal(payload))


def _council_year(value: Any, option: str) -> int | None:
    """Refuse a year outside the Council's life (1946 to next year) as a usage error."""
    last = dt.date.today().year + 1
    if value is None:
        return None
    text = str(value).strip()
    if not re.fullmatch(r"\d{1,4}", text) or not 1946 <= int(text) <= last:
        _bad_value(option, value, f"a year of the Council, 1946 to {last}")
    return int(text)


def _bad_value(option: str, value: Any, expected: str) -> NoReturn:
    """Refuse an option's value as a usage error (exit 2): the option, what it got, what it
    takes."""
    raise typer.BadParameter(f"got {value!r}, expected {expected}", param_hint=option)


def _parse_date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    years = option in ("--since", "--until")
    expected = "a date (YYYY-MM-DD)" + (" or a year (YYYY)" if years else "")
    if len(value) == 4 and value.isdigit() and years:
        if not int(value):
            _bad_value(option, value, expected)
        return dt.date(int(value), 1 if option == "--since" else 12,
                       1 if option == "--since" else 31)
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        _bad_value(option, value, expected)
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        _bad_value(option, value, f"a real date, {expected} ({exc})")


def _date_range(since: str | None, until: str | None) -> tuple[dt.date | None, dt.date | None]:
    first, last = _parse_date(since, "--since"), _parse_date(until, "--until")
    if first is not None and last is not None and first > last:
        raise typer.BadParameter(f"{since} is after --until {until}", param_hint="--since")
    return first, last


def _whole_number(option: str, least: int, what: str) -> Any:
    """Return a parser of a whole number of at least ``least`` for an option: anything
    else is a usage error naming the option, the value and what it takes."""
    def parse(value: Any) -> int:
        if isinstance(value, int):
            number = value
        else:
            text = str(value).strip()
            if not re.fullmatch(r"[+-]?\d+", text):
                _bad_value(option, value, f"a whole number of {what}, {least} or more")
            number = int(text)
        if number < least:
            _bad_value(option, number, f"a whole number of {what}, {least} or more")
        return number
    return parse


# --- sync and rebuild -----------------------------------------------------------------


class _ProgressReporter:
    """Show a sync's progress: in a terminal, a bar with its ETA and any retry under way;
    otherwise (piped, redirected) one line on stderr per source and phase, and per retry."""

    def __init__(self, progress: Any, *, terminal: bool) -> None:
        self.progress = progress
        self.terminal = terminal
        self.task: Any = None

    def start(self, total: int) -> None:
        if self.task is not None:
            self.progress.update(self.task, visible=False)
        self.task = self.progress.add_task("syncing", total=total, retry="")

    def advance(self, label: str) -> None:
        if self.task is not None:
            self.progress.update(self.task, advance=1, description=label, retry="")

    def phase(self, text: str) -> None:
        if _quiet():
            return
        if self.terminal:
            self.progress.console.print(text, markup=False, highlight=False)
        else:
            typer.echo(text, err=True)

    def retrying(self, text: str) -> None:
        if self.terminal and self.task is not None:
            self.progress.update(self.task, retry=text)
        elif not _quiet():
            typer.echo(f"  {text}", err=True)


def _run_with_progress(run: Any) -> Any:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    terminal = sys.stderr.isatty() and not _quiet()
    with Progress(TextColumn("{task.description:<22}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                  TextColumn("{task.fields[retry]}", markup=False),
                  console=Console(stderr=True), transient=True,
                  disable=not terminal) as progress:
        return run(_ProgressReporter(progress, terminal=terminal))


def _summarise(summary: Any, fmt: Format) -> None:
    import pandas as pd

    from tracker.settings import mask_passwords

    rows = [{
        "source": s.source, "pages_fetched": s.pages_fetched,
        "pages_not_modified": s.pages_not_modified,
        "pages_not_found": len(s.pages_missing), "pages_failed": len(s.failed),
        "rows_new": s.counts.new, "rows_changed": s.counts.changed + s.counts.deleted,
        "rows_unchanged": s.counts.unchanged,
        "not_found": ", ".join(s.pages_missing) or None,
        "failed": ", ".join(s.failed) or None,
    } for s in summary.sources.values()]
    show(pd.DataFrame(rows), fmt, title="Sync summary",
         table_columns=["source", "pages_fetched", "pages_not_found", "pages_failed",
                        "rows_new", "rows_changed", "rows_unchanged"])
    for note in summary.notes:
        _say(f"Note: {mask_passwords(note)}")
    if summary.problems:
        _error_line(f"{len(summary.problems)} problem(s):")
        for problem in summary.problems:
            typer.echo(f"  - {mask_passwords(problem)}", err=True)


@app.command(cls=_ReadableCommand)
def sync(
    source: Annotated[list[str] | None, typer.Option(
        "--source", "-s",
        # Written out, not read from the registry (importing it would slow every command's
        # start); tests/test_thin_cli.py holds this list to the registry's.
        help="Only this source (repeatable): meetings, veto-list, voting-records, documents, "
        "press-releases, meeting-records. `press` is press-releases (its feed, then the "
        "releases of the Council it lists and those the tables name)."
    )] = None,
    since: Annotated[int | None, typer.Option(help="First year of meetings tables to fetch.",
                                              metavar="YEAR",
        parser=lambda v: _council_year(v, "--since"))
                     ] = None,
    until: Annotated[int | None, typer.Option(help="Last year of meetings tables to fetch.",
                                              metavar="YEAR",
        parser=lambda v: _council_year(v, "--until"))
                     ] = None,
    full: Annotated[bool, typer.Option("--full", help="Fetch everything again.")] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Fetch what is new from the UN's pages and store it.

    By default: the Veto List, this year's and last year's meetings tables, and
    the Digital Library's voting records and draft documents until a page holds
    nothing new; everything on the first run or with --full. Every response is kept in the
    raw archive (TRACKER_DATA_DIR/raw). Exits 1 if any page failed; what was
    fetched before the failure is kept, and the next sync completes it.

    Example: tracker sync --source meetings --since 1990 --until 1999

    Example: tracker sync --source press
    """
    from tracker.sync import SOURCES
    from tracker.sync import sync as run_sync

    settings = _settings()
    if since is not None and until is not None and since > until:
        raise typer.BadParameter(f"{since} is after --until {until}", param_hint="--since")
    from tracker.sources import archive_names

    # The name findings and the archive once used (dhl-meetings) still names its source;
    # `press` is short for press-releases (issue 16).
    aliases = {a: n for n, a in archive_names().items()} | {"press": "press-releases"}
    chosen = list(dict.fromkeys(aliases.get(n, n) for n in source or ()))
    for name in chosen:
        if name not in SOURCES:
            _bad_value("--source", name, f"a source: {', '.join(SOURCES)}")
    engine = _engine(create=True)
    summary = _run_with_progress(lambda reporter: run_sync(
        engine, settings, sources=chosen or SOURCES, since=since, until=until, full=full,
        reporter=reporter))
    _summarise(summary, fmt)
    if summary.unreachable is not None:  # one message per host, with what to check
        _tell(str(summary.unreachable), hint=summary.unreachable.hint)
    if summary.unreachable is not None or not summary.ok:
        typer.echo(f"hint: {SYNC_FAILED}", err=True)  # the last line of a failed sync
        raise typer.Exit(1)


# The last line of a failed sync's summary.
SYNC_FAILED = "to see why (each source asked once, the database checked), run `tracker doctor`"


@app.command(cls=_ReadableCommand)
def doctor(fmt: FormatOption = Format.table) -> None:
    """Say why a sync fails: each source asked once, the database and data folder checked.

    For each base URL setting (TRACKER_UN_ORG_URL, TRACKER_UNDL_URL, TRACKER_PRESS_URL,
    TRACKER_DOCS_URL): whether the host answers, its HTTP status and latency, what its
    robots.txt allows (and the crawl delay it asks), the Digital Library's bot wall, and
    whether it accepts TRACKER_UNDL_TOKEN (never shown); then whether the database opens
    and its schema is current, and whether the data folder can be written. Each problem
    comes with what to do. Exits 1 when any check finds a problem.

    Example: tracker doctor --format json
    """
    import pandas as pd

    from tracker.doctor import diagnose

    checks = diagnose(_settings())
    if fmt is Format.json:
        _echo_json([found.as_json() for found in checks])
    else:
        frame = pd.DataFrame([found.as_json() for found in checks])
        frame = frame.astype({"status": "Int64", "latency_ms": "Int64"})
        show(frame, fmt, title="Doctor",
             table_columns=["check", "ok", "status", "latency_ms", "robots", "problem"])
    problems = [found for found in checks if not found.ok]
    if fmt is Format.table:
        for found in problems:
            typer.echo(f"- {found.check}: {found.advice}")
        _say(f"{len(problems)} problem(s)" if problems else "no problem found")
    if problems:
        raise typer.Exit(1)


@app.command(cls=_ReadableCommand)
def rebuild(fmt: FormatOption = Format.table) -> None:
    """Recreate the database from the raw archive, with no network.

    Replays every archived page in order into a new database beside the old one, and
    swaps it in when every page was stored; otherwise the old database stays as it was.

    Example: TRACKER_DATABASE_URL=sqlite:///copy.sqlite tracker rebuild
    """
    from tracker.sync import rebuild as run_rebuild

    settings = _settings()
    engine = _engine(create=True)
    summary = _run_with_progress(lambda reporter: run_rebuild(engine, settings,
                                                              reporter=reporter))
    _summarise(summary, fmt)
    if not summary.ok:
        raise typer.Exit(1)


# --- reports ----------------------------------------------------------------------------


@app.command(cls=_ReadableCommand)
def vetoes(
    member: Annotated[str | None, typer.Option(
        help="Only vetoes cast by this member: a code (RUS, SUN, USA) or a name.")] = None,
    since: SinceOption = None,
    until: UntilOption = None,
    by: Annotated[VetoGrouping | None, typer.Option(
        help="Count instead of list: by member, year, decade or agenda.")] = None,
    merge_successors: Annotated[bool, typer.Option(
        "--merge-successors", help="Count the USSR with the Russian Federation (by seat).")
    ] = False,
    convention: Annotated[Convention, typer.Option(
        help="Which count: dhl-veto-list (the Library's Veto List, one per draft and member) "
        "or dhl-meetings (what the yearly meetings tables print).")] = Convention.dhl_veto_list,
    fmt: FormatOption = Format.table,
    limit: LimitOption = None,
) -> None:
    """List the vetoes (date, draft, meeting record, agenda item, members), or count them.

    Counts follow the Library's Veto List unless --convention says otherwise.

    Example: tracker vetoes --by member --since 1992 --merge-successors
    """
    from reports.vetoes import vetoes as report

    span = _date_range(since, until)
    df = report(_engine(), member=member, since=span[0], until=span[1],
                by=by.value if by else None, merge_successors=merge_successors,
                convention=convention.value)
    title = f"Vetoes ({convention.value})" + (f" by {by.value}" if by else "")
    show(df, fmt, title=title, limit=limit, table_columns=None if by else [
        "date", "draft", "members", "tally", "not_stored", "meeting_record", "abstaining",
        "agenda", "member_names"])


@app.command(cls=_ReadableCommand)
def check(
    severity: Annotated[Severity | None, typer.Option(
        help="Only findings at least this severe: error, warning or info.")] = None,
    source: Annotated[str | None, typer.Option(
        help="Only findings about this source: meetings, veto-list, voting-records, "
        "documents, mandates, draft-links, undl-dataset, or check (the cross-checks).")
    ] = None,
    explain_rules: Annotated[bool, typer.Option(
        "--explain", help="One line per kind of finding: how many, and the rule behind it "
        "(what the source said, what was kept, why).")] = False,
    fmt: FormatOption = Format.table,
    limit: LimitOption = None,
) -> None:
    """Show the data-quality findings: contradictions in the sources, text not understood,
    roll calls that do not add up, and disagreements between the sources' vetoes.

    Example: tracker check --severity warning --format csv > findings.csv

    Example: tracker check --explain
    """
    from reports.check import findings_report, kinds_report
    from reports.vetoes import ReportError

    level = severity.value if severity else None
    try:
        if explain_rules:
            show(kinds_report(_engine(), severity=level, source=source), fmt,
                 title="Kinds of findings, and their rules", limit=limit)
            return
        df = findings_report(_engine(), severity=level, source=source)
    except ReportError as exc:
        if source is not None and str(exc).startswith("no source called"):
            # a name no finding can come from is a usage error, like any bad value
            known = str(exc).partition("findings come from: ")[2]
            _bad_value("--source", source, f"a source findings come from: {known}")
        raise
    show(df, fmt, title="Data-quality findings", limit=limit,
         table_columns=["severity", "kind", "record", "message", "source"])


@app.command(cls=_ReadableCommand)
def status(fmt: FormatOption = Format.table) -> None:
    """Show the database in use, its row counts and the last sync of each source.

    Example: tracker status --format json
    """
    from db.engine import sqlite_path
    from reports.status import database_status
    from tracker.settings import mask_passwords

    url = _settings().resolved_database_url
    path = sqlite_path(url)
    created = path is None or path.exists()  # status never creates a database
    result = database_status(_engine(stored=False) if created else None,
                             database=mask_passwords(url))
    if fmt is Format.json:
        _echo_json(result.as_json())
        return
    if fmt is Format.csv:
        show(_status_table(result), fmt)
        return
    lines = _heading(result.heading)
    for title, frame in result.parts().items():
        lines += _part(frame, title=title)
    _emit(lines)


def _status_table(result: Any) -> pd.DataFrame:
    """Return the status as one CSV table (section, name, value): the database, the rows per
    table, the last sync of each source, then every field of each source's last sync (its
    state, pages and rows) under ``source:<name>``, as JSON has them."""
    import pandas as pd

    from reports.formats import jsonable

    rows = result.as_table().to_dict(orient="records")
    for source in result.sources:
        rows += [{"section": f"source:{source['source']}", "name": field,
                  "value": jsonable(value)}
                 for field, value in source.items() if field != "source"]
    return pd.DataFrame(rows, columns=["section", "name", "value"])


@app.command(cls=_ReadableCommand)
def export(
    name: Annotated[str, typer.Argument(
        help="A table (meeting, resolution, vote_event, veto, ...) or a report (vetoes, "
        "vetoes-by-member, check).")],
    out: Annotated[Path, typer.Option(
        "--out", "-o", help="File to write (its folder must exist), or - for standard output.")],
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="csv, json or parquet.")
                   ] = ExportFormat.csv,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace an existing file.")
                         ] = False,
) -> None:
    """Export any table or report as CSV (or JSON, Parquet).

    Example: tracker export vetoes --out vetoes.csv
    """
    from reports.export import frame, write, write_stream

    df = frame(_engine(), name)
    if str(out) == "-":
        write_stream(df, sys.stdout.buffer, fmt.value)
        sys.stdout.flush()
        _say(f"wrote {len(df)} rows of {name} to standard output")
        return
    write(df, out, fmt.value, overwrite=overwrite)
    _say(f"wrote {len(df)} rows of {name} to {out}")


@app.command(cls=_ReadableCommand)
def feed(
    out: Annotated[Path, typer.Option(
        "--out", "-o", help="The Atom file to write (its folder must exist); rewritten only "
        "when an entry changed.")],
    limit: Annotated[int, typer.Option(
        help="How many of the newest votes to include.", metavar="VOTES",
        parser=lambda v: _whole_number("--limit", 1, "votes")(v))] = 50,
    expiring_within: Annotated[int, typer.Option(
        help="Include the active mandates whose expiry falls within this many days.",
        metavar="DAYS", parser=lambda v: _whole_number("--expiring-within", 0, "days")(v))
    ] = 90,
    as_of: Annotated[str | None, typer.Option(
        help="Mandates expiring as of this date (YYYY-MM-DD; default today).")] = None,
    self_url: Annotated[str | None, typer.Option(
        help="The address the feed will be published at (its rel=self link).")] = None,
) -> None:
    """Write an Atom feed of the newest votes (vetoes marked), and of mandates expiring soon.

    Each entry's id is made from what it is about, so a feed reader shows each vote once
    however often the feed is written.

    Example: tracker feed --out feed.xml --expiring-within 60
    """
    from reports.feed import atom, feed_entries
    from reports.files import write_if_changed

    day = _parse_date(as_of, "--as-of")
    entries = feed_entries(_engine(), today=day, limit=limit, expiring_within=expiring_within)
    written = write_if_changed(out, atom(entries, self_url=self_url))
    votes = int((entries["kind"] == "vote").sum())
    _say(f"{'wrote' if written else 'unchanged:'} {out}: {votes} votes "
         f"({int(entries['categories'].map(lambda c: 'veto' in c).sum())} vetoed), "
         f"{len(entries) - votes} mandates expiring within {expiring_within} days")


@app.command(cls=_ReadableCommand)
def site(
    out: Annotated[Path, typer.Option(
        "--out", "-o", help="The folder to write the site into (made if missing; its parent "
        "must exist). Only the files whose content changed are rewritten.")],
    as_of: Annotated[str | None, typer.Option(
        help="Mandates' status and expiry as of this date (YYYY-MM-DD; default today).")
    ] = None,
) -> None:
    """Write a static site: latest votes, vetoes, members, mandates, findings, and a feed.

    The folder opens from disk or any static host: no server, nothing fetched from
    elsewhere. Every fact links to the UN page it was read from.

    Example: tracker site --out site && open site/index.html
    """
    from reports.site import build_site

    day = _parse_date(as_of, "--as-of")
    engine = _engine()
    from reports.site import charts_available, timeline_svg

    if not charts_available():
        _say("the mandates' timeline charts need matplotlib: pip install "
             "'unsc-tracker[charts]' (the pages are written without them)")
    summary = build_site(engine, out, today=day, progress=None if _quiet() else _say,
                         mandate_chart=timeline_svg if charts_available() else None)
    _say(f"wrote {len(summary.written)} of {summary.pages} files in {out} "
         f"({summary.unchanged} unchanged, {len(summary.removed)} removed, "
         f"{summary.bytes / 1e6:.1f} MB); open {out / 'index.html'}")


@app.command("datasette-metadata", cls=_ReadableCommand)
def datasette_metadata(
    out: Annotated[Path, typer.Option(
        "--out", "-o", help="The metadata file to write (JSON), or - for standard output.")
    ] = Path("metadata.json"),
) -> None:
    """Write the metadata that describes every table and column to Datasette.

    Example: tracker datasette-metadata --out metadata.json, then
    datasette ~/.local/share/unsc-tracker/tracker.sqlite --metadata metadata.json
    """
    import json
    import shlex

    from db.datasette import datasette_metadata as metadata
    from db.engine import sqlite_path
    from reports.files import write_if_changed

    path = sqlite_path(_settings().resolved_database_url)
    name = path.stem if path is not None else "tracker"
    text = json.dumps(metadata(name), ensure_ascii=False, indent=2) + "\n"
    if str(out) == "-":
        sys.stdout.write(text)
        return
    write_if_changed(out, text.encode("utf-8"))
    if path is None:
        _say(f"wrote {out}; Datasette opens SQLite files, and the database is not one: "
             "sync into SQLite (tracker --db sqlite:///tracker.sqlite sync) to browse it")
        return
    _say(f"wrote {out}; browse with: datasette {shlex.quote(str(path))} --metadata "
         f"{shlex.quote(str(out))}")


@app.command(cls=_ReadableCommand)
def votes(
    symbol: Annotated[list[str], typer.Argument(
        help="A resolution (S/RES/2722 (2024), S/RES/2722, 2722), a draft (S/2024/255) or a "
        "meeting with one vote (S/PV.9591); quotes are optional.")],
    explain: Annotated[bool, typer.Option(
        "--explain", help="Also what each member's speaker said at the meeting, in the "
        "words of the press release that summarises it.")] = False,
    fmt: FormatOption = Format.table,
    limit: LimitOption = None,
) -> None:
    """Show the roll call of one resolution or draft: each member's vote, and whether a
    source names it or it is derived (a press release names the members against and
    abstaining; those in favour follow from the Council's membership that year).

    Example: tracker votes S/2024/255 --explain
    """
    from reports.profiles import ROLL_CALL_COLUMNS, rollcall_profile

    profile = rollcall_profile(_engine(), " ".join(symbol), explain=explain)
    if fmt is Format.json:
        if limit is not None:  # the roll call's first rows, as CSV and a table
            from dataclasses import replace

            profile = replace(profile, votes=profile.votes.head(limit))
        _echo_json(profile.as_json())
        return
    if fmt is Format.csv:
        if profile.missing:
            typer.echo(profile.missing, err=True)  # stdout is the data
        show(profile.votes, fmt, limit=limit)
        return
    if profile.no_roll_call is not None:  # the vote, and why it has no roll call
        _emit([*_heading(profile.heading), profile.no_roll_call])
        return
    show(profile.votes, fmt, title=profile.heading, table_columns=ROLL_CALL_COLUMNS,
         limit=limit)
    bases = sorted({str(d) for d in profile.votes.get("derived", []) if isinstance(d, str)})
    if bases:  # how the derived votes are known, said once under the table
        _emit(["", *[f"derived from {basis}" for basis in bases]])
    if profile.partial is not None:
        _emit(["", profile.partial])
    if explain:
        said = profile.votes[profile.votes["statement"].notna()]
        lines = [""]
        for row in said.itertuples():
            lines += [f"{row.member_code} {row.member_name} ({row.vote}, {row.known}):",
                      *_paragraphs(str(row.statement)), ""]
        _emit(lines if len(said) else ["", "no statement is stored for this meeting"])


def _paragraphs(text: str) -> list[str]:
    """A statement's paragraphs, indented and wrapped to the terminal's width."""
    import shutil
    import textwrap

    width = max(40, shutil.get_terminal_size((100, 24)).columns - 1)
    return [textwrap.fill(p, width=width, initial_indent="  ", subsequent_indent="  ")
            for p in text.split("\n\n")]


@app.command(cls=_ReadableCommand)
def statements(
    meeting: Annotated[list[str], typer.Argument(
        help="A meeting record (S/PV.9591, pv 9591) or a vote taken at it (S/2024/255).")],
    fmt: FormatOption = Format.table,
    limit: LimitOption = None,
) -> None:
    """Show what each member's speaker said at a meeting, as the press release summarises
    it: the release's words, attributed, in its order.

    Example: tracker statements S/PV.9591
    """
    from reports.rollcalls import statements as report

    record, frame = report(_engine(), " ".join(meeting))
    if fmt is not Format.table:
        show(frame, fmt, limit=limit)
        return
    if frame.empty:
        _emit([*_heading(f"{record}: statements"), "no statement is stored for this meeting"])
        return
    lines = _heading(f"{record}: statements ({len(frame)})")
    for row in frame.head(limit).itertuples() if limit is not None else frame.itertuples():
        when = ("" if row.after_vote is None
                else " (after the vote)" if row.after_vote else " (before the vote)")
        lines += [f"{row.member_code} {row.member_name} — {row.speaker}{when}:",
                  *_paragraphs(str(row.text)), ""]
    _emit(lines)


@app.command(cls=_ReadableCommand)
def member(
    code: Annotated[list[str], typer.Argument(
        help="A member: code (RUS, SUN, DZA) or name (Russian Federation); quotes are optional.")],
    since: SinceOption = None,
    until: UntilOption = None,
    fmt: FormatOption = Format.table,
    limit: LimitOption = None,
) -> None:
    """Show a member's record: terms on the Council, votes by kind and year, vetoes cast,
    and the resolutions it voted against or abstained on.

    CSV gives every part in one table, with a "part" column.

    Example: tracker member CHN --since 2011 --format json
    """
    from reports.profiles import member_profile

    span = _date_range(since, until)
    profile = member_profile(_engine(), " ".join(code), since=span[0], until=span[1])
    if limit is not None and fmt is not Format.table:  # each part (a table says how many)
        from dataclasses import replace

        profile = replace(profile, parts={k: v.head(limit) for k, v in profile.parts.items()})
    if fmt is Format.json:
        _echo_json(profile.as_json())
        return
    if fmt is Format.csv:
        show(profile.as_table(), fmt)
        return
    lines = _heading(profile.heading)
    for title, frame in profile.titled_parts().items():
        lines += _part(frame, title=title, limit=limit)
    _emit(lines)


@app.command(cls=_ReadableCommand)
def agreement(
    since: SinceOption = None,
    until: UntilOption = None,
    members: MembersOption = None,
    min_shared: MinSharedOption = 10,
    include_failed: Annotated[bool, typer.Option(
        "--include-failed", help="Count the votes on drafts that failed too (their roll "
        "calls come from press releases and meeting records).")] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Show how often members voted alike: the share of identical votes (0 to 1) over the
    votes both cast (yes, no, abstain) on adopted resolutions, as a matrix.

    Example: tracker agreement --since 2011 --members USA,GBR,FRA,RUS,CHN
    """
    from reports.agreement import agreement as report

    span = _date_range(since, until)
    engine = _engine()
    chosen = [m.strip() for m in members.split(",") if m.strip()] if members else None
    df = report(engine, since=span[0], until=span[1], members=chosen, min_shared=min_shared,
                include_failed=include_failed)
    show(df, fmt, title="Agreement (share of identical votes)", decimals=2,
         dropped_hint="choose the members with --members USA,RUS,CHN, or get the whole "
         "matrix with --format csv")


@app.command(cls=_ReadableCommand)
def membership(
    year: Annotated[int, typer.Option(help="The year.",
                                      metavar="YEAR",
        parser=lambda v: _council_year(v, "--year"))],
    fmt: FormatOption = Format.table,
    limit: LimitOption = None,
) -> None:
    """Show the Council's members in a year, from the roll calls of that year.

    Example: tracker membership --year 2024
    """
    from reports.rollcalls import membership as report

    show(report(_engine(), year), fmt, title=f"The Council in {year}", limit=limit)


class DraftStatus(StrEnum):
    adopted = "adopted"
    vetoed = "vetoed"
    failed = "failed"


@app.command(cls=_ReadableCommand)
def drafts(
    sponsor: Annotated[str | None, typer.Option(
        help="Only drafts this member sponsored: a code (USA) or a permanent member's name.")
    ] = None,
    status: Annotated[DraftStatus | None, typer.Option(
        help="adopted, vetoed, or failed (too few votes, or not adopted).")] = None,
    since: SinceOption = None,
    until: UntilOption = None,
    agenda: Annotated[str | None, typer.Option(
        help="Only drafts whose agenda item or title contains this text.")] = None,
    fmt: FormatOption = Format.table,
    limit: LimitOption = None,
) -> None:
    """List draft resolutions: date, sponsors, status, vetoing members, the resolution it
    became, meeting and tally.

    Example: tracker drafts --status vetoed --since 2011 --format csv
    """
    from reports.drafts import drafts as report

    span = _date_range(since, until)
    df = report(_engine(), sponsor=sponsor, status=status.value if status else None,
                since=span[0], until=span[1], agenda=agenda)
    show(df, fmt, title="Drafts", limit=limit, table_columns=[
        "date", "symbol", "status", "vetoed_by", "resolution", "tally", "not_stored",
        "sponsors", "abstaining"])


@app.command(cls=_ReadableCommand)
def sponsors(
    since: SinceOption = None,
    until: UntilOption = None,
    fmt: FormatOption = Format.table,
    limit: LimitOption = None,
) -> None:
    """Show, per member, the drafts it sponsored, how many were adopted, vetoed or failed;
    and, for each permanent member, the members whose drafts it vetoed most.

    JSON is one object with both tables; CSV gives both in one table, with a "part"
    column.

    Example: tracker sponsors --since 2000
    """
    from reports.drafts import sponsors as report

    span = _date_range(since, until)
    engine = _engine()
    result = report(engine, since=span[0],
                    until=span[1])
    if limit is not None and fmt is not Format.table:  # each table (a table says how many)
        result = {k: v.head(limit) for k, v in result.items()}
    if fmt is Format.json:
        _echo_json({k: _records(v) for k, v in result.items()})
        return
    if fmt is Format.csv:
        show(_parts_table(result), fmt)
        return
    _emit([*_part(result["sponsors"], title="Sponsors", limit=limit),
           *_part(result["vetoed_sponsors"], title="Whose drafts each permanent member vetoed",
                  limit=limit)])


def _parts_table(parts: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Return several tables as one, each row's table named in a first column "part"."""
    import pandas as pd

    from reports.formats import nullable_integers

    frames = [nullable_integers(frame).assign(part=key) for key, frame in parts.items()
              if not frame.empty]
    if not frames:
        return pd.DataFrame(columns=["part"])
    combined = pd.concat(frames, ignore_index=True)
    return combined[["part", *[c for c in combined.columns if c != "part"]]]


@app.command(cls=_ReadableCommand)
def draft(
    symbol: Annotated[list[str], typer.Argument(
        help="The draft: its symbol (S/2024/255, s/2024/255), the resolution it became "
        "(2722), or a meeting with one vote (S/PV.9591); quotes are optional.")],
    fmt: FormatOption = Format.table,
) -> None:
    """Show everything about one draft: sponsors, meeting, tally, roll call, vetoes, the
    resolution it became, the bodies it concerns, and the sources.

    Example: tracker draft S/2022/431
    """
    from reports.profiles import ROLL_CALL_COLUMNS, draft_profile

    profile = draft_profile(_engine(), " ".join(symbol))
    if fmt is Format.json:
        _echo_json(profile.as_json())
        return
    if fmt is Format.csv:
        show(profile.fields(), fmt)
        return
    lines = [*_part(profile.fields(), title=profile.title),
             *_part(profile.votes_table(), title="Votes"),
             *_part(profile.vetoes, title="Vetoes")]
    if not profile.roll_call.empty:
        lines += _part(profile.roll_call, title="Roll call", table_columns=ROLL_CALL_COLUMNS)
    _emit(lines)


class MandateStatus(StrEnum):
    active = "active"
    unknown = "unknown"
    expired = "expired"
    lapsed = "lapsed"
    terminated = "terminated"
    ended = "ended"


@app.command(cls=_ReadableCommand)
def mandates(
    status: Annotated[MandateStatus | None, typer.Option(
        help="active (a known expiry on or after the date); unknown (no expiry read, no end "
        "known); expired (the expiry passed, no renewal found); lapsed (a renewal failed in "
        "a vote and the expiry passed); terminated (ended by a decision); ended (on the day "
        "the registry gives from the public record).")] = None,
    kind: Annotated[MandateKind | None, typer.Option(
        help="peacekeeping_operation, special_political_mission, sanctions_regime, "
        "sanctions_committee, panel_of_experts, monitoring_team, executive_directorate, "
        "committee, commission, tribunal, authorized_force.")] = None,
    expiring_within: Annotated[int | None, typer.Option(
        help="Only active mandates whose expiry falls within this many days.", metavar="DAYS",
        parser=lambda v: _whole_number("--expiring-within", 0, "days")(v))
    ] = None,
    as_of: Annotated[str | None, typer.Option(
        help="Status and expiry as of this date (YYYY-MM-DD; default today).")] = None,
    fmt: FormatOption = Format.table,
    limit: LimitOption = None,
) -> None:
    """List the mandates: slug, name, kind, established by, last action, expiry, status.

    Example: tracker mandates --expiring-within 60 --as-of 2024-03-15
    """
    from reports.mandates import mandates as report

    day = _parse_date(as_of, "--as-of")  # a usage error before the database is opened
    df = report(_engine(), status=status.value if status else None,
                kind=kind.value if kind else None, expiring_within=expiring_within,
                as_of=day)
    show(df, fmt, title="Mandates", limit=limit, table_columns=[
        "slug", "status", "expiry", "kind", "established_by", "last_action"])


@app.command(cls=_ReadableCommand)
def mandate(
    slug: Annotated[str, typer.Argument(help="The mandate's slug (see `tracker mandates`).")],
    as_of: Annotated[str | None, typer.Option(
        help="The timeline as of this date (YYYY-MM-DD; default today).")] = None,
    fmt: FormatOption = Format.table,
    limit: LimitOption = None,
) -> None:
    """Show a mandate's timeline: establishment, every renewal (resolution, date, tally, new
    expiry), failed renewals (draft, sponsors, tally, vetoing members), the end.

    Example: tracker mandate dprk-panel-of-experts
    """
    from reports.profiles import mandate_profile

    day = _parse_date(as_of, "--as-of")  # a usage error before the database is opened
    profile = mandate_profile(_engine(), slug, as_of=day)
    if fmt is Format.json:
        if limit is not None:
            from dataclasses import replace

            profile = replace(profile, timeline=profile.timeline.head(limit))
        _echo_json(profile.as_json())
        return
    if fmt is Format.csv:
        show(profile.timeline, fmt, limit=limit)
        return
    # A blank new_expiry or tally shows, in note, why it is blank.
    _emit([*_heading(profile.heading),
           *_part(profile.timeline, title=profile.title, limit=limit, table_columns=[
               "date", "event", "reference", "tally", "new_expiry", "note", "sponsors",
               "vetoed_by", "abstained"])])


# --- charts -----------------------------------------------------------------------------

chart_app = typer.Typer(
    help="Draw a report as a chart: an SVG or PNG file (by the suffix of --out), its caption "
    "naming its sources and the date of its data. Needs the charts extra: pip install "
    "'unsc-tracker\\[charts]'.\n\nExample: tracker chart vetoes --by year --out vetoes.svg",
    no_args_is_help=True, cls=_HelpGroup)
app.add_typer(chart_app, name="chart")


class ChartGrouping(StrEnum):
    year = "year"


ChartOut = Annotated[Path, typer.Option(
    "--out", "-o", help="The file to write: NAME.svg or NAME.png (its folder must exist).",
    show_default=False)]
ChartOverwrite = Annotated[bool, typer.Option("--overwrite", help="Replace an existing file.")]


def _chart_format(out: Path) -> None:
    """Refuse, before the database is opened, a file name whose suffix is not a chart's."""
    from reports.charts import ChartError, chart_format

    try:
        chart_format(out)
    except ChartError:
        _bad_value("--out", str(out), "a file name ending in .svg or .png")


def _write_chart(chart: Any, out: Path, overwrite: bool) -> None:
    from reports.charts import write_chart

    changed = write_chart(chart, out, overwrite=overwrite)
    _say(f"wrote {out}" if changed else f"{out} is unchanged (the same chart)")


@chart_app.command("vetoes", cls=_ReadableCommand)
def chart_vetoes(
    out: ChartOut,
    by: Annotated[ChartGrouping, typer.Option(help="Count by year.")] = ChartGrouping.year,
    merge_successors: Annotated[bool, typer.Option(
        "--merge-successors", help="Count the USSR with the Russian Federation (by seat).")
    ] = False,
    convention: Annotated[Convention, typer.Option(
        help="Which count: dhl-veto-list or dhl-meetings (as `tracker vetoes`).")
    ] = Convention.dhl_veto_list,
    since: SinceOption = None,
    until: UntilOption = None,
    overwrite: ChartOverwrite = False,
) -> None:
    """Draw the vetoes per year, stacked by member (the USSR and the Russian Federation
    apart unless --merge-successors).

    Example: tracker chart vetoes --by year --merge-successors --out vetoes.svg
    """
    from reports.charts import vetoes_chart

    _chart_format(out)
    span = _date_range(since, until)
    _write_chart(vetoes_chart(_engine(), by=by.value, merge_successors=merge_successors,
                              convention=convention.value, since=span[0], until=span[1]),
                 out, overwrite)


@chart_app.command("member", cls=_ReadableCommand)
def chart_member(
    code: Annotated[list[str], typer.Argument(
        help="A member: code (RUS, SUN, DZA) or name (Russian Federation).")],
    out: ChartOut,
    since: SinceOption = None,
    until: UntilOption = None,
    overwrite: ChartOverwrite = False,
) -> None:
    """Draw a member's votes per year: yes, no, abstain, non-voting.

    Example: tracker chart member RUS --out rus.svg
    """
    from reports.charts import member_chart

    _chart_format(out)
    span = _date_range(since, until)
    _write_chart(member_chart(_engine(), " ".join(code), since=span[0], until=span[1]),
                 out, overwrite)


@chart_app.command("agreement", cls=_ReadableCommand)
def chart_agreement(
    out: ChartOut,
    since: SinceOption = None,
    until: UntilOption = None,
    members: MembersOption = None,
    min_shared: MinSharedOption = 10,
    include_failed: Annotated[bool, typer.Option(
        "--include-failed", help="Count the votes on drafts that failed too.")] = False,
    overwrite: ChartOverwrite = False,
) -> None:
    """Draw the agreement matrix as a heatmap, members ordered by similarity (as `tracker
    agreement`).

    Example: tracker chart agreement --since 2019 --out agreement.svg
    """
    from reports.charts import agreement_heatmap

    _chart_format(out)
    span = _date_range(since, until)
    chosen = [m.strip() for m in members.split(",") if m.strip()] if members else None
    _write_chart(agreement_heatmap(_engine(), since=span[0], until=span[1], members=chosen,
                                   min_shared=min_shared, include_failed=include_failed),
                 out, overwrite)


@chart_app.command("mandate", cls=_ReadableCommand)
def chart_mandate(
    slug: Annotated[str, typer.Argument(help="The mandate's slug (see `tracker mandates`).")],
    out: ChartOut,
    as_of: Annotated[str | None, typer.Option(
        help="The timeline as of this date (YYYY-MM-DD; default today).")] = None,
    overwrite: ChartOverwrite = False,
) -> None:
    """Draw a mandate's timeline: establishment, each renewal to the expiry it set, failed
    renewals with their votes, the end.

    Example: tracker chart mandate dprk-panel-of-experts --out dprk.svg
    """
    from reports.charts import mandate_chart

    _chart_format(out)
    day = _parse_date(as_of, "--as-of")
    _write_chart(mandate_chart(_engine(), slug, as_of=day), out, overwrite)


@chart_app.command("drafts", cls=_ReadableCommand)
def chart_drafts(
    out: ChartOut,
    by: Annotated[ChartGrouping, typer.Option(help="Count by year.")] = ChartGrouping.year,
    since: SinceOption = None,
    until: UntilOption = None,
    overwrite: ChartOverwrite = False,
) -> None:
    """Draw the drafts' outcomes per year: adopted, vetoed, insufficient votes, not adopted.

    Example: tracker chart drafts --by year --out drafts.png
    """
    from reports.charts import drafts_chart

    _chart_format(out)
    span = _date_range(since, until)
    _write_chart(drafts_chart(_engine(), since=span[0], until=span[1]), out, overwrite)


import_app = typer.Typer(
    help="Import a dataset file into the database.\n\n"
    "Example: tracker import undl-dataset 2026_02_06_sc_voting.csv",
    no_args_is_help=True, cls=_HelpGroup)
app.add_typer(import_app, name="import")


@import_app.command("undl-dataset", cls=_ReadableCommand)
def import_undl_dataset(
    path_or_url: Annotated[str, typer.Argument(help="The dataset CSV: a file, or its URL.")],
    fmt: FormatOption = Format.table,
) -> None:
    """Load the Library's Security Council voting dataset (UN Digital Library record
    4055387) into the same rows as the voting-records scraper. Idempotent; the file is
    kept in the raw archive.

    Example: tracker import undl-dataset 2026_02_06_sc_voting.csv
    """
    from tracker.sync import import_undl_dataset as run_import

    settings = _settings()
    engine = _engine(create=True)
    summary = _run_with_progress(lambda reporter: run_import(
        engine, settings, path_or_url, reporter=reporter))
    _summarise(summary, fmt)
    if not summary.ok:
        raise typer.Exit(1)


def main() -> None:
    # A command starts by importing what it uses: pandas, SQLAlchemy and typer make
    # hundreds of thousands of objects that live until it exits, and Python's collector
    # walked them again and again while they loaded (about a tenth of a report's time).
    # Nothing is collected until the command opens the database, after its imports
    # (``_collect_from_here``).
    if gc.isenabled():
        gc.disable()
        _state_of_collector["paused"] = True
    try:
        app()
    finally:  # a command that ended before opening the database: the collector as it was
        if _state_of_collector["paused"]:
            _state_of_collector["paused"] = False
            gc.enable()


_state_of_collector: dict[str, bool] = {"paused": False}


def _collect_from_here() -> None:
    """Collect garbage again, leaving aside (``gc.freeze``) what was made so far, the loaded
    modules: collections then walk only what the command makes. Undoes only what ``main``
    did; a caller running the app itself (the tests) keeps its collector as it was."""
    if _state_of_collector["paused"]:
        _state_of_collector["paused"] = False
        gc.freeze()
        gc.enable()


if __name__ == "__main__":
    main()
