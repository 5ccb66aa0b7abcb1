"""Charts: the reports' answers as pictures (SVG or PNG), each naming its sources and the
date of its data in a caption.

Each chart is drawn by a function over what a report returns (``vetoes``, ``member_record``,
``agreement``, ``mandate_timeline``, ``drafts``: nothing here reads the tables those
reports read), and each has a twin over a database that calls the report and draws. A
drawn ``Chart`` is turned into bytes by ``render`` and into a file by ``write_chart``.

matplotlib draws them (the ``charts`` extra), imported only when a chart is drawn: the
other reports never load it. Its Agg and SVG backends need no display, no system library
and no network. The output is made deterministic (a fixed hash salt for the SVG's ids, no
date in its metadata), so drawing the same data twice gives the same bytes, and each SVG
carries a ``<title>`` and a ``<desc>`` that name and describe the chart for screen readers.
Text stays text in the SVG (``svg.fonttype`` none): smaller files, and words a reader can
select and search.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import textwrap
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, select

from council.errors import TrackerError
from council.members import known_members, name_at
from council.rules import FAILED_STATUSES
from council.sources import SOURCE_VETO_LIST
from db import tables

if TYPE_CHECKING:
    from matplotlib.figure import Figure

ChartFormat = Literal["svg", "png"]
FORMATS: tuple[ChartFormat, ...] = ("svg", "png")
NO_MATPLOTLIB = ("charts need matplotlib, which is not installed: pip install "
                 "'unsc-tracker[charts]'")

# Okabe and Ito's palette, which readers with any common colour blindness tell apart; the
# USSR and the Russian Federation have colours of their own (told apart unless merged).
MEMBER_COLOURS = {"USA": "#0072B2", "GBR": "#009E73", "FRA": "#56B4E9", "CHN": "#E69F00",
                  "RUS": "#D55E00", "SUN": "#CC79A7"}
OTHER_COLOUR = "#999999"
VOTE_LABELS = {"Y": "Yes (Y)", "N": "No (N)", "A": "Abstain (A)", "X": "Non-voting (X)"}
VOTE_COLOURS = {"Y": "#009E73", "N": "#D55E00", "A": "#E69F00", "X": "#BBBBBB"}
# Draft outcomes, as the drafts report names them (council.rules.draft_status).
OUTCOME_LABELS = {"adopted": "Adopted", "vetoed": "Vetoed",
                  "insufficient_votes": "Insufficient votes", "not_adopted": "Not adopted"}
OUTCOME_COLOURS = {"adopted": "#009E73", "vetoed": "#D55E00", "insufficient_votes": "#E69F00",
                   "not_adopted": "#56B4E9"}
# A mandate's events: how each is drawn on its timeline (marker, colour).
EVENT_MARKS = {"established": ("o", "#009E73"), "extended": ("o", "#0072B2"),
               "renewal_failed": ("X", "#D55E00"), "related_failed_draft": ("x", "#999999"),
               "terminated": ("s", "#000000"), "ended": ("s", "#000000"),
               "lapsed": ("D", "#000000"), "expired": ("D", "#666666")}

# The sources a stored fact's URL comes from, most specific first (the paths are the live
# sites' and the local replays' alike).
SOURCE_NAMES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"/depts/dhl/resguide/scact_veto_table"),
     "Dag Hammarskjöld Library (un.org) Veto List"),
    (re.compile(r"/depts/dhl/resguide/scact\d{4}"),
     "Dag Hammarskjöld Library (un.org) meetings and outcomes tables"),
    (re.compile(r"digitallibrary\.un\.org|/record/\d+|/search\?"), "UN Digital Library"),
    (re.compile(r"press\.un\.org|/press/|/sc\d+\.doc\.htm"), "UN press releases"),
    (re.compile(r"documents\.un\.org|docs\.un\.org|/api/symbol/access"),
     "meeting records (S/PV)"),
    (re.compile(r"^tracker:mandates"), "the tracker's mandate registry"),
)
VOTING_SOURCES = "UN Digital Library voting records (adopted resolutions)"
FAILED_DRAFT_SOURCES = "UN press releases and meeting records (S/PV) (failed drafts)"

# Fixed for every chart: the SVG's ids come from this salt, not from a random one.
_STYLE = {
    "svg.hashsalt": "unsc-tracker", "svg.fonttype": "none", "svg.image_inline": True,
    "font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica"],
    "font.size": 9, "axes.spines.top": False, "axes.spines.right": False,
    "axes.titlelocation": "left", "axes.titlesize": 11, "legend.frameon": False,
}
CAPTION_WIDTH = 150  # characters a caption's line holds at the standard width


class ChartError(TrackerError, ValueError):
    """A chart that cannot be drawn or written (no matplotlib, a bad suffix, a file in the
    way, nothing to draw)."""


@dataclass(frozen=True)
class Chart:
    """A chart drawn: its figure, its title and the description a screen reader gives."""

    figure: Figure
    title: str
    description: str


def _matplotlib() -> Any:
    """Return matplotlib, or say which extra installs it."""
    try:
        import matplotlib
    except ImportError as exc:
        raise ChartError(NO_MATPLOTLIB) from exc
    return matplotlib


@contextmanager
def _style() -> Iterator[None]:
    with _matplotlib().rc_context(_STYLE):
        yield


def _whole_numbers() -> Any:
    """Return a tick locator that puts ticks on whole numbers only (counts)."""
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(integer=True)


def _stacked_by_year(figure: Figure, title: str, years: Any,
                     series: Sequence[tuple[str, Any, str]], counted: str) -> None:
    """Draw one bar per year, its parts stacked in the order given: (label, values,
    colour) each; whole numbers on both axes, the legend beside the plot."""
    ax = figure.add_subplot()
    bottom = np.zeros(len(years))
    for label, values, colour in series:
        ax.bar(years, values, bottom=bottom, width=0.85, label=label, color=colour)
        bottom += values
    ax.set_title(title)
    ax.set_xlabel("Year")
    ax.set_ylabel(counted)
    ax.xaxis.set_major_locator(_whole_numbers())
    ax.yaxis.set_major_locator(_whole_numbers())
    _legend_beside(ax)


def _legend_beside(ax: Any) -> None:
    """Put the legend to the right of the plot, where it hides no bar."""
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)


def _figure(width: float, height: float) -> Figure:
    _matplotlib()
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


# --- captions -----------------------------------------------------------------------------


def source_names(urls: Iterable[Any]) -> list[str]:
    """Return the names of the sources the URLs come from, in a fixed order; a URL no known
    source matches is named by its host (never left out)."""
    found: set[str] = set()
    for url in urls:
        if not isinstance(url, str) or not url:
            continue
        name = next((n for pattern, n in SOURCE_NAMES if pattern.search(url)), None)
        found.add(name or re.sub(r"^[a-z]+://([^/]+).*$", r"\1", url))
    order = [n for _, n in SOURCE_NAMES]
    return sorted(found, key=lambda n: (order.index(n) if n in order else len(order), n))


def caption(sources: Sequence[str], newest: dt.date | None, *, note: str | None = None) -> str:
    """Return a chart's caption: its sources and the newest date of its data (and a note)."""
    named = "; ".join(sources) if sources else "no source stored"
    when = f"data to {newest.isoformat()}" if newest is not None else "no dated data"
    text = f"Source{'s' if len(sources) > 1 else ''}: {named}; {when}."
    return f"{text} {note}" if note else text


def _newest(values: Iterable[Any]) -> dt.date | None:
    dates = [_as_date(v) for v in values]
    known = [d for d in dates if d is not None]
    return max(known) if known else None


def _as_date(value: Any) -> dt.date | None:
    if value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp | dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _caption_under(figure: Figure, text: str) -> None:
    """Write the caption under the figure, wrapped to its width."""
    width = int(CAPTION_WIDTH * figure.get_figwidth() / 10)
    figure.text(0.0, -0.01, "\n".join(textwrap.wrap(text, width)), ha="left", va="top",
                fontsize=8, color="#333333")


# --- the charts, over the reports' frames --------------------------------------------------


def _member_label(code: str, merged: bool) -> str:
    label = f"{code} {name_at(code)}"
    if merged:
        before = sorted(c for c, m in known_members().items()
                        if m.permanent_seat == code and c != code)
        if before:
            label += f" (with {', '.join(before)}, by seat)"
    return label


def vetoes_by_year_chart(counts: pd.DataFrame, listed: pd.DataFrame, *,
                         convention: str = SOURCE_VETO_LIST,
                         merge_successors: bool = False) -> Chart:
    """Draw the vetoes per year, stacked by member, from ``vetoes(by="year")`` (``counts``)
    and the listed vetoes of the same options (``listed``: their sources and dates)."""
    if counts.empty:
        raise ChartError("no vetoes to draw for these options")
    members = [str(c) for c in counts.columns if c not in ("year", "vetoed_drafts", "vetoes")]
    totals = {c: int(counts[c].fillna(0).to_numpy().sum()) for c in members}
    members.sort(key=lambda c: (-totals[c], c))
    title = ("Vetoes per year, by member"
             + (" (the USSR counted with the Russian Federation)" if merge_successors else ""))
    with _style():
        figure = _figure(10, 4.5)
        ax = figure.add_subplot()
        years = counts["year"].astype(int).to_numpy()
        bottom = np.zeros(len(years))
        for code in members:
            values = counts[code].fillna(0).astype(int).to_numpy()
            ax.bar(years, values, bottom=bottom, width=0.85, label=_member_label(
                code, merge_successors), color=MEMBER_COLOURS.get(code, OTHER_COLOUR))
            bottom += values
        ax.set_title(title)
        ax.set_xlabel("Year")
        ax.set_ylabel("Vetoes (one per member and vetoed draft)")
        ax.xaxis.set_major_locator(_whole_numbers())
        ax.yaxis.set_major_locator(_whole_numbers())
        _legend_beside(ax)
        total = int(counts["vetoes"].sum())
        drafts = int(counts["vetoed_drafts"].sum())
        convention_note = (f"Counted as the Library's Veto List counts them ({convention}): "
                           "one veto for each permanent member casting the negative vote on "
                           "a draft." if convention == SOURCE_VETO_LIST else
                           f"Counted as the yearly meetings tables print \"vetoed by\" "
                           f"({convention}).")
        text = caption(source_names(listed.get("source_url", [])),
                       _newest(listed.get("date", [])),
                       note=f"{convention_note} {total} vetoes on {drafts} drafts, "
                            f"{years.min()}–{years.max()}.")
        _caption_under(figure, text)
    description = (f"Stacked bars: vetoes per year from {years.min()} to {years.max()}, by "
                   f"member ({', '.join(members)}); {total} vetoes on {drafts} drafts. {text}")
    return Chart(figure, title, description)


def member_votes_chart(record: dict[str, Any]) -> Chart:
    """Draw a member's votes per year (yes, no, abstain, non-voting), from
    ``member_record``."""
    member = record["member"]
    by_year: pd.DataFrame = record["votes_by_year"]
    if by_year.empty:
        raise ChartError(f"no votes of {member['member_code']} are stored for these dates")
    title = f"Votes of {member['member_name']} ({member['member_code']}) per year"
    with _style():
        figure = _figure(10, 4.5)
        years = by_year["year"].astype(int).to_numpy()
        _stacked_by_year(figure, title, years,
                         [(label, by_year[vote].astype(int).to_numpy(), VOTE_COLOURS[vote])
                          for vote, label in VOTE_LABELS.items()], "Votes")
        failed = member.get("votes_on_failed_drafts") or 0
        sources = [VOTING_SOURCES, *([FAILED_DRAFT_SOURCES] if failed else [])]
        terms: pd.DataFrame = record["terms"]
        text = caption(sources, _newest(terms["last_vote"]) if not terms.empty else None,
                       note=f"{member['votes']} votes"
                            + (f", {failed} of them on drafts that failed" if failed else "")
                            + "; a year with no vote of it stored has no bar.")
        _caption_under(figure, text)
    totals = {v: int(by_year[v].sum()) for v in VOTE_LABELS}
    description = (f"Stacked bars: votes per year of {member['member_name']}, "
                   f"{years.min()}–{years.max()}: "
                   + ", ".join(f"{totals[v]} {VOTE_LABELS[v]}" for v in VOTE_LABELS)
                   + f". {text}")
    return Chart(figure, title, description)


def similarity_order(matrix: pd.DataFrame) -> list[str]:
    """Return the members of an agreement matrix ordered so that alike members sit side by
    side: first the member that agreed least with the others on average, then, each time,
    the member left that agreed most with the last one placed (a pair that never voted
    together counts as 0). Ties go to the first code in alphabetical order."""
    frame = matrix.set_index("member") if "member" in matrix.columns else matrix
    codes = sorted(str(c) for c in frame.index)
    share = frame.loc[codes, codes].astype(float).to_numpy(copy=True)
    np.fill_diagonal(share, np.nan)
    known = np.nan_to_num(share, nan=0.0)
    seen = (~np.isnan(share)).sum(axis=1)
    mean = np.divide(known.sum(axis=1), seen, out=np.zeros(len(codes)), where=seen > 0)
    order = [int(np.lexsort((np.arange(len(codes)), mean))[0])]
    left = set(range(len(codes))) - set(order)
    while left:
        last = order[-1]
        following = min(left, key=lambda i: (-known[last, i], i))
        order.append(following)
        left.remove(following)
    return [codes[i] for i in order]


def agreement_chart(matrix: pd.DataFrame, *, newest: dt.date | None,
                    include_failed: bool = False, min_shared: int = 1,
                    since: dt.date | None = None, until: dt.date | None = None) -> Chart:
    """Draw the agreement matrix (``agreement``) as a heatmap, members in
    ``similarity_order``; ``newest`` is the date of the newest vote counted."""
    if matrix.empty or len(matrix) < 2:
        raise ChartError("too few members voted in these dates to draw an agreement matrix")
    frame = matrix.set_index("member").astype(float)
    # A member that shared too few votes with every other (itself too) has no cell to draw.
    blank = [str(c) for c in frame.index if frame.loc[c].isna().all()]
    drawn = frame.drop(index=blank, columns=blank)
    if drawn.empty:
        raise ChartError(f"no two members shared {max(min_shared, 1)} votes in these dates: "
                         "nothing to draw (a lower --min-shared, or more dates)")
    order = similarity_order(drawn)
    share = drawn.loc[order, order].to_numpy()
    # The colours span the shares drawn (from the tenth below the lowest), not 0 to 1 when
    # every pair agreed mostly: the colour bar says where they start.
    low = min(float(np.floor(np.nanmin(share) * 10) / 10), 0.9)
    span = ("" if since is None and until is None else
            f", {since.isoformat() if since else 'from the first vote'} to "
            f"{until.isoformat() if until else 'the last'}")
    title = f"Agreement between members{span}"
    n = len(order)
    side = min(max(4.0, 0.28 * n + 2.5), 24.0)
    with _style():
        figure = _figure(side + 1.5, side)
        ax = figure.add_subplot()
        cmap = _matplotlib().colormaps["viridis"].with_extremes(bad="#FFFFFF")
        image = ax.imshow(np.ma.masked_invalid(share), cmap=cmap, vmin=low, vmax=1,
                          interpolation="nearest")
        ax.set_xticks(range(n), order, rotation=90, fontsize=7 if n > 30 else 9)
        ax.set_yticks(range(n), order, fontsize=7 if n > 30 else 9)
        ax.spines[:].set_visible(False)
        ax.set_title(title)
        ax.set_xlabel("Member")
        ax.set_ylabel("Member")
        if n <= 15:
            for i in range(n):
                for j in range(n):
                    if not np.isnan(share[i, j]):
                        ax.text(j, i, f"{share[i, j]:.2f}", ha="center", va="center",
                                fontsize=7, color="white" if share[i, j] < low + (1 - low) * 0.6
                                else "black")
        bar = figure.colorbar(image, ax=ax, shrink=0.8)
        bar.set_label("Share of identical votes (yes, no, abstain) over the votes both cast")
        sources = [VOTING_SOURCES, *([FAILED_DRAFT_SOURCES] if include_failed else [])]
        text = caption(sources, newest, note=(
            "Members ordered by similarity: the one that agreed least with the others first, "
            "then each next to the one it agreed with most among those left. A blank cell: "
            f"the two shared fewer than {max(min_shared, 1)} votes."
            + (f" Not drawn, too few votes shared with any member: {', '.join(blank)}."
               if blank else "")
            + ("" if include_failed else " Votes on adopted resolutions only.")))
        _caption_under(figure, text)
    description = (f"Heatmap: the share of identical votes between {n} members "
                   f"({', '.join(order)}), from {low:.1f} to 1. {text}")
    return Chart(figure, title, description)


def mandate_timeline_chart(timeline: dict[str, Any]) -> Chart:
    """Draw a mandate's timeline (``mandate_timeline``): each event on a line of its own —
    its establishment, each renewal as a bar to the expiry it set, a failed renewal with
    its tally and vetoing members, the lapse or end."""
    mandate = timeline["mandate"]
    events: pd.DataFrame = timeline["timeline"]
    dated = events[[_as_date(d) is not None for d in events["date"]]].reset_index(drop=True)
    undated = events[[_as_date(d) is None for d in events["date"]]]
    if dated.empty:
        raise ChartError(f"no dated event of {mandate['slug']} is stored")
    title = f"{mandate['name']}: timeline"
    rows = len(dated)
    with _style():
        import matplotlib.dates as mdates

        figure = _figure(10, max(2.5, 0.42 * rows + 1.6))
        ax = figure.add_subplot()
        newest_day = _newest([*dated["date"], *dated["new_expiry"]]) or dt.date.today()
        labels = []
        records = [{str(k): v for k, v in r.items()} for r in dated.to_dict(orient="records")]
        for y, row in enumerate(records):
            when = mdates.date2num(_as_date(row["date"]))
            marker, colour = EVENT_MARKS.get(row["event"], ("o", OTHER_COLOUR))
            expiry = _as_date(row["new_expiry"])
            if expiry is not None:
                ax.barh(y, mdates.date2num(expiry) - when, left=when, height=0.35,
                        color=colour, alpha=0.35)
            ax.plot([when], [y], marker=marker, color=colour, markersize=8, linestyle="none")
            labels.append(f"{row['event'].replace('_', ' ')} {row['reference']}")
            ax.annotate(_event_note(row), (when, y), xytext=(8, 0),
                        textcoords="offset points", va="center", fontsize=8,
                        bbox={"boxstyle": "square,pad=0.1", "facecolor": "white",
                              "edgecolor": "none", "alpha": 0.8})
        ax.set_yticks(range(rows), labels)
        ax.invert_yaxis()
        first = _as_date(dated["date"].iloc[0]) or newest_day
        # Room on the right for the last notes.
        last = newest_day + dt.timedelta(days=max(365, (newest_day - first).days // 3))
        ax.set_xlim(mdates.date2num(first - dt.timedelta(days=120)), mdates.date2num(last))
        span = (last - first).days / 365.25
        ax.xaxis.set_major_locator(mdates.YearLocator(base=max(1, round(span / 12))))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
        ax.set_xlabel("Date")
        ax.set_title(title)
        ax.spines["left"].set_visible(False)
        stored = dated[dated["source_url"].notna()]
        status = (f"Status as of {mandate['as_of']}: {mandate['status']}"
                  + (f", expiry {mandate['expiry']}" if mandate.get("expiry") else "") + ".")
        missing = "".join(f" Not drawn, no date stored: {r['event'].replace('_', ' ')} "
                          f"{r['reference']}" + (f" ({r['note']})" if _known(r.get("note")) else "")
                          + "." for r in undated.to_dict(orient="records"))
        text = caption(source_names(events["source_url"]), _newest(stored["date"]),
                       note=f"{status} A bar runs from a renewal to the expiry it set.{missing}")
        _caption_under(figure, text)
    description = (f"Timeline of {mandate['name']} ({mandate['slug']}): "
                   + "; ".join(f"{_as_date(r['date'])} {lab}" for r, lab in zip(
                       records, labels, strict=True))
                   + f". {text}")
    return Chart(figure, title, description)


def _known(value: Any) -> bool:
    """Whether a cell holds a value (not None, not NaN)."""
    return value is not None and not (isinstance(value, float) and np.isnan(value))


def _event_note(row: dict[str, Any]) -> str:
    """Return the words beside an event: its date, tally, new expiry, vetoing members."""
    parts = [str(_as_date(row["date"]))]
    if _known(row.get("tally")):
        parts.append(str(row["tally"]))
    if isinstance(row.get("vetoed_by"), list) and row["vetoed_by"]:
        parts.append(f"vetoed by {', '.join(row['vetoed_by'])}")
    expiry = _as_date(row.get("new_expiry"))
    if expiry is not None:
        parts.append(f"until {expiry}")
    elif row.get("event") == "extended":  # the table's note says why (a title cut short)
        parts.append("new expiry not known")
    return ", ".join(parts)


def draft_outcomes_chart(drafts: pd.DataFrame) -> Chart:
    """Draw the drafts' outcomes per year (adopted, vetoed, insufficient votes, not
    adopted), from the ``drafts`` report; the drafts no vote is recorded on, and those
    with no date, are counted in the caption, not drawn."""
    dated = drafts[[_as_date(d) is not None for d in drafts["date"]]]
    voted = dated[dated["status"].isin(list(OUTCOME_LABELS))]
    if voted.empty:
        raise ChartError("no draft with a recorded outcome to draw for these dates")
    years = pd.Series([d.year for d in map(_as_date, voted["date"]) if d is not None],
                      index=voted.index, name="year")
    counts = (voted.assign(year=years).groupby(["year", "status"]).size()
              .unstack(fill_value=0).reindex(columns=list(OUTCOME_LABELS), fill_value=0))
    title = "Draft resolutions per year, by outcome"
    with _style():
        figure = _figure(10, 4.5)
        x = counts.index.to_numpy()
        _stacked_by_year(figure, title, x,
                         [(label, counts[status].to_numpy(), OUTCOME_COLOURS[status])
                          for status, label in OUTCOME_LABELS.items()], "Drafts")
        left_out = len(drafts) - len(voted)
        note = ("Drafts stored, each counted once by the outcome of its deciding vote"
                + (f"; not drawn: {left_out} drafts with no vote recorded or no date"
                   if left_out else "") + ".")
        text = caption(source_names(drafts["source_url"]), _newest(voted["date"]), note=note)
        _caption_under(figure, text)
    totals = {s: int(counts[s].sum()) for s in OUTCOME_LABELS}
    description = (f"Stacked bars: drafts per year, {x.min()}–{x.max()}, by outcome: "
                   + ", ".join(f"{totals[s]} {OUTCOME_LABELS[s].lower()}"
                               for s in OUTCOME_LABELS) + f". {text}")
    return Chart(figure, title, description)


# --- the charts, over a database ------------------------------------------------------------


def vetoes_chart(engine: Engine, *, by: str = "year", merge_successors: bool = False,
                 convention: str = SOURCE_VETO_LIST, since: dt.date | None = None,
                 until: dt.date | None = None) -> Chart:
    """Draw the vetoes counted ``by`` year (the ``vetoes`` report's options)."""
    from reports.vetoes import vetoes

    if by != "year":
        raise ChartError(f"cannot chart vetoes by {by!r}: use year")
    options: dict[str, Any] = {"merge_successors": merge_successors, "convention": convention,
                               "since": since, "until": until}
    return vetoes_by_year_chart(vetoes(engine, by="year", **options), vetoes(engine, **options),
                                convention=convention, merge_successors=merge_successors)


def member_chart(engine: Engine, member: str, *, since: dt.date | None = None,
                 until: dt.date | None = None) -> Chart:
    """Draw a member's votes per year (by code or name, as ``tracker member``)."""
    from reports.rollcalls import member_record

    return member_votes_chart(member_record(engine, member, since=since, until=until))


def agreement_heatmap(engine: Engine, *, since: dt.date | None = None,
                      until: dt.date | None = None, members: list[str] | None = None,
                      min_shared: int = 1, include_failed: bool = False) -> Chart:
    """Draw the agreement matrix (the ``agreement`` report's options) as a heatmap."""
    from reports.agreement import agreement

    matrix = agreement(engine, since=since, until=until, members=members,
                       min_shared=min_shared, include_failed=include_failed)
    codes = [str(c) for c in matrix["member"]] if not matrix.empty else []
    return agreement_chart(matrix, newest=_newest_vote(engine, codes, since, until,
                                                       include_failed),
                           include_failed=include_failed, min_shared=min_shared,
                           since=since, until=until)


def _newest_vote(engine: Engine, codes: list[str], since: dt.date | None,
                 until: dt.date | None, include_failed: bool) -> dt.date | None:
    """Return the date of the newest vote the agreement matrix counted (for its caption)."""
    if not codes:
        return None
    mv, e = tables.member_vote, tables.vote_event
    query = (select(func.max(e.c.date)).select_from(mv.join(e, e.c.id == mv.c.vote_event_id))
             .where(mv.c.member_code.in_(codes), mv.c.vote.in_(("Y", "N", "A"))))
    if not include_failed:
        query = query.where(e.c.outcome.not_in(FAILED_STATUSES) | e.c.outcome.is_(None))
    if since is not None:
        query = query.where(e.c.date >= since)
    if until is not None:
        query = query.where(e.c.date <= until)
    with engine.connect() as connection:
        return _as_date(connection.execute(query).scalar())


def mandate_chart(engine: Engine, slug: str, *, as_of: dt.date | None = None) -> Chart:
    """Draw a mandate's timeline as of a date (today if not given)."""
    from reports.mandates import mandate_timeline

    return mandate_timeline_chart(mandate_timeline(engine, slug, as_of=as_of))


def drafts_chart(engine: Engine, *, since: dt.date | None = None,
                 until: dt.date | None = None) -> Chart:
    """Draw the drafts' outcomes per year."""
    from reports.drafts import drafts

    return draft_outcomes_chart(drafts(engine, since=since, until=until))


# --- output ---------------------------------------------------------------------------------


def chart_format(path: Path | str) -> ChartFormat:
    """Return the format a file name asks for by its suffix (.svg or .png), or refuse it."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix == "svg":
        return "svg"
    if suffix == "png":
        return "png"
    raise ChartError(f"cannot write a chart to {str(path)!r}: give a file name ending in .svg "
                     "or .png")


def render(chart: Chart, fmt: ChartFormat = "svg") -> bytes:
    """Return the chart as SVG or PNG bytes: the same bytes each time for the same chart."""
    if fmt not in FORMATS:
        raise ChartError(f"unknown chart format {fmt!r}; use svg or png")
    buffer = io.BytesIO()
    with _style():
        if fmt == "svg":
            chart.figure.savefig(buffer, format="svg", bbox_inches="tight", pad_inches=0.15,
                                 metadata={"Date": None, "Title": chart.title,
                                           "Description": chart.description})
        else:
            chart.figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight",
                                 pad_inches=0.15, facecolor="white")
    body = buffer.getvalue()
    return _accessible_svg(body, chart) if fmt == "svg" else body


_DOCTYPE = re.compile(rb"<!DOCTYPE[^>]*>\s*")
_SVG_OPEN = re.compile(rb"<svg\b[^>]*>")
_TITLE = re.compile(rb"\s*<title>[^<]*</title>")


def _accessible_svg(body: bytes, chart: Chart) -> bytes:
    """Return the SVG without its DOCTYPE (an XML reader fetches nothing), with the role of
    an image and a <title> and <desc> first, as screen readers read them."""
    body = _DOCTYPE.sub(b"", body, count=1)
    opening = _SVG_OPEN.search(body)
    if opening is None:  # matplotlib always writes one; a change there must not pass quietly
        raise ChartError("the SVG written by matplotlib has no <svg> element")
    tag = opening.group(0)
    tag = tag[:-1] + b' role="img">' if b"role=" not in tag else tag
    rest = body[opening.end():]
    # matplotlib writes the <title> itself from the metadata's Title; the <desc> goes after.
    titled = _TITLE.match(rest)
    title = (titled.group(0) if titled
             else f"\n <title>{escape(chart.title, quote=False)}</title>".encode())
    if titled:
        rest = rest[titled.end():]
    words = title + f"\n <desc>{escape(chart.description, quote=False)}</desc>".encode()
    return body[:opening.start()] + tag + words + rest


def write_chart(chart: Chart, path: Path, *, overwrite: bool = False) -> bool:
    """Write the chart to a file, in the format its suffix names; return whether the file
    changed (a file with the same bytes is left as it is, so a site rewrites only what
    changed). An existing file is replaced only with ``overwrite``; the write goes to a
    temporary file renamed into place, so a write cut short leaves the old file whole."""
    fmt = chart_format(path)
    if path.is_dir():
        raise ChartError(f"{path} is a folder; give a file name ending in .{fmt}")
    if not path.parent.is_dir():
        raise ChartError(f"cannot write {path}: the folder {path.parent} does not exist; "
                         "create it first, or give another file name")
    body = render(chart, fmt)
    if path.exists() and path.read_bytes() != body and not overwrite:
        raise ChartError(f"{path} exists; pass --overwrite to replace it")
    from reports.files import OutputError, write_if_changed

    try:
        return write_if_changed(path, body)
    except OutputError as exc:
        raise ChartError(str(exc)) from exc
