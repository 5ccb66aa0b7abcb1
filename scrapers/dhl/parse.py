"""Parse the Dag Hammarskjöld Library's Veto List and yearly meetings & outcomes tables.

Pure functions: page bytes in, records out. Quirks of the real pages, each handled here:

- Pages mix UTF-8 and Latin-1, and some carry mojibake ("Peopleâs" for
  "People's" on the 2022 page): decoded leniently, then mended with ftfy.
- Veto List: members in the last cell are separated by ``</br>``, spaces,
  commas or nothing ("ChinaRussian Federation"). Dates are "26 May 2022", but
  also "27-28 October 1983" and "30 January 86". Drafts before 1950 are often
  known only by the meeting record at which they were voted ("S/PV.206").
- Meetings tables: dates carry no year (the page's year applies) and are
  sometimes ranges ("14-15 October", "22/23 November", "29 + 30 March",
  "15 Sep."). The column set changes: the press release column appears in
  1994; 2020-2021 tables of written-procedure votes add letters and webcasts.
  Meeting records come in parts and resumptions, with corrigenda. One meeting
  can span several rows: by ``rowspan`` or by rows whose record and date
  cells are empty. The outcome cell lists any number of resolutions, drafts
  (vetoed or not adopted, with a tally "13-0-2"), presidential statements and
  other decisions, with inconsistent spacing.
- A vote on the "preliminary question" (whether a draft is procedural) is a
  vote event of its own on the same draft: the Veto List marks it at the end of
  the agenda item ("... preliminary question"), the meetings table in the draft
  ("S/552 , S/202 (preliminary question)"). For drafts known only by their
  meeting record the ordinal tells them apart, and the question is noted.
- 2020-21 written-procedure votes cite two letters (the procedure, the outcome)
  in no fixed order: all are kept, and the store joins the one the tables use.
- A resolution printed with a year other than the page's ("S/RES/207 (1964)"
  on the 1965 page) is stored under the page's year, with a finding.
- A draft voted at two meetings with different results is two votes: the second
  is keyed with its meeting. Printed again with the same result, it is a repeat.
- Contradictions are never stored as truth: a "veto" with no negative vote
  (S/2022/431 "vetoed by China, Russian Federation 13-0-2", which was 13-2-0),
  or a tally over the Council's size, becomes a finding and the tally is dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bs4 import BeautifulSoup, Tag

from council.dates import MONTHS
from council.members import UnknownMemberError, split_permanent_members
from council.records import (
    DecisionRecord,
    Finding,
    MeetingRecord,
    MeetingsTable,
    Outcome,
    PageShapeError,
    ParseError,
    Severity,
    Tally,
    VetoList,
    VetoListEntry,
    checked_symbol,
    council_date,
    tally_within_council,
    whole_number,
)
from council.rules import adoption_threshold, failed_outcome, has_the_votes
from council.sources import SOURCE_MEETINGS, SOURCE_VETO_LIST
from council.symbols import SymbolError, normalise_meeting_record, resolution_symbol
from scrapers.text import clean_text, decode_page

_DATE = re.compile(
    r"^(?P<day>\d{1,2})(?:\s*[-/+–]\s*\d{1,2})?\s+(?P<month>[A-Za-z]+)\.?(?:\s+(?P<year>\d{2,4}))?$",
    re.ASCII,  # "١٢ June" is not a date the tracker reads: digits are ASCII digits
)
_TALLY = r"(?P<yes>\d+)\s*-\s*(?P<no>\d+)\s*-\s*(?P<abstain>\d+)"
_SYMBOL = r"S/(?:PV\.\d+|\d+(?:/\d+)?(?:/(?:Rev|Corr|Add)\.\d+)*)"


def cell_text(cell: Tag) -> str:
    return clean_text(cell.get_text(" "))


def _cells(tr: Tag) -> list[Tag]:
    """The row's own ``td``/``th`` cells (a plain loop: ``find_all`` is slow per row)."""
    return [c for c in tr.children if isinstance(c, Tag) and c.name in ("td", "th")]


def parse_day(text: str, *, year: int | None, source: str, record: str) -> date:
    """Parse "12 June" (with the page's year), "26 May 2022", "30 January 86", "14-15 October".

    A range of days gives its first day: the day the meeting began.
    """
    match = _DATE.match(text.strip())
    if not match:
        raise ParseError(source, record, f"unreadable date {text!r}")
    month = MONTHS.get(match.group("month").lower())
    if month is None:
        raise ParseError(source, record, f"unknown month in date {text!r}")
    y = match.group("year")
    if y is not None:
        year = int(y) + (1900 if len(y) == 2 else 0)
    if year is None:
        raise ParseError(source, record, f"date without a year: {text!r}")
    try:
        when = date(year, month, int(match.group("day")))
    except ValueError as exc:
        raise ParseError(source, record, f"impossible date {text!r}: {exc}") from None
    return council_date(when, source=source, record=record, what=f"date {text!r}")


def _meeting_record(text: str, *, source: str, record: str) -> str:
    """Return a meeting record's symbol as printed ("S/PV.2970 (Part I)"), normalised and
    checked, or raise ParseError naming the source and record."""
    try:
        meeting = normalise_meeting_record(text)
    except SymbolError as exc:
        raise ParseError(source, record, str(exc)) from None
    checked_symbol(meeting, source=source, record=record, what="meeting record")
    return meeting


def first_symbol(text: str) -> str | None:
    match = re.search(_SYMBOL, text, re.ASCII)
    return match.group(0) if match else None


def draft_key(symbol: str, *, vetoed: bool, ordinal: int) -> str:
    """Return the key of a draft.

    A draft with a document symbol is keyed by it. Early drafts known only by
    the meeting record are keyed by that record and their order among the
    vetoed (or not adopted) drafts of that record: "S/PV.206 (vetoed draft 2)".
    Both the Veto List and the meetings tables number them the same way, so the
    two sources meet on the same draft.
    """
    if symbol.startswith("S/PV."):
        return f"{symbol} ({'vetoed draft' if vetoed else 'draft not adopted'} {ordinal})"
    return symbol


# --------------------------------------------------------------------------------------
# Veto List


def parse_veto_list(body: bytes, *, url: str | None = None) -> VetoList:
    """Parse the Library's Veto List into one entry per vetoed draft."""
    soup = BeautifulSoup(decode_page(body), "lxml")
    rows = []
    for n, tr in enumerate(soup.find_all("tr"), start=1):
        tds = tr.find_all("td", recursive=False)
        if len(tds) == 5:
            rows.append(tr)
        elif len(tds) > 1:  # a title row has one cell; anything else is a changed shape
            raise ParseError(SOURCE_VETO_LIST, f"{url or 'veto list'} row {n}",
                             f"{len(tds)} cells where 5 were expected: "
                             f"{[cell_text(c) for c in tds]!r}")
    header = [cell_text(th).lower() for th in soup.find_all("th")]
    expected = ("date", "draft", "written record", "agenda item", "permanent member")
    if not all(any(h.startswith(e) for h in header) for e in expected):
        raise ParseError(SOURCE_VETO_LIST, url or "veto list", f"unexpected columns {header!r}")
    if not rows:
        raise ParseError(SOURCE_VETO_LIST, url or "veto list", "no vetoes found on the page")
    findings: list[Finding] = []
    raw: list[tuple[int, tuple[str, ...]]] = []
    for i, tr in enumerate(rows):
        texts = tuple(cell_text(c) for c in tr.find_all("td", recursive=False))
        if raw and texts == raw[-1][1]:
            # The same row twice in a row: one vote printed twice, not a second draft. (Rows
            # repeated apart can be two drafts known by one meeting record: S/PV.49 has two.)
            findings.append(_repeated_row(i + 1, raw[-1][0], texts, url))
            continue
        raw.append((i + 1, texts))
    # Number drafts known only by a meeting record in the order voted (the page is newest first).
    ordinals: dict[str, int] = {}
    entries: list[VetoListEntry] = []
    errors: list[ParseError] = []
    for row, texts in reversed(raw):
        # A row that cannot be read is refused on its own: the other vetoes are stored.
        try:
            entries.append(_veto_list_entry(row, texts, ordinals))
        except PageShapeError:
            raise
        except ParseError as exc:
            errors.append(exc)
    if not entries and errors:
        raise errors[0]
    entries = _one_row_per_vote(entries, findings, url)
    entries.sort(key=lambda e: (e.date, e.row * -1))
    return VetoList(entries=entries, findings=findings, errors=errors)


def _repeated_row(row: int, first: int, texts: tuple[str, ...], url: str | None) -> Finding:
    return Finding(
        SOURCE_VETO_LIST, f"row {row} ({texts[1] or texts[0]})", "repeated_row", Severity.WARNING,
        f"row {row} repeats row {first} cell for cell ({' | '.join(texts)}): one vote printed "
        "twice; counted once", url)


def _one_row_per_vote(entries: list[VetoListEntry], findings: list[Finding],
                      url: str | None) -> list[VetoListEntry]:
    """Keep one entry per vote on a draft with a document symbol (a draft is vetoed once on
    a question); name each further row. Rows that disagree keep the first row on the page
    and, as the members casting the veto, only those every row names."""
    rows: dict[str, list[VetoListEntry]] = {}
    for e in entries:
        if not e.draft.startswith("S/PV."):
            rows.setdefault(e.vote_key, []).append(e)
    dropped: set[int] = set()
    for key, group in rows.items():
        if len(group) < 2:
            continue
        group.sort(key=lambda e: e.row)
        first = group[0]
        shown = {e.row: (e.date_text, e.draft_text, e.meeting_text, e.agenda,
                         ", ".join(e.members)) for e in group}
        members = [m for m in first.members if all(m in e.members for e in group)]
        for e in group[1:]:
            dropped.add(e.row)
            record = f"row {e.row} ({e.draft_text})"
            if shown[e.row] == shown[first.row]:
                findings.append(_repeated_row(e.row, first.row, (
                    e.date_text, e.draft_text, e.meeting_text, e.agenda, ", ".join(e.members)),
                    url))
                continue
            differ = [f"{name} {shown[first.row][i]!r} and {shown[e.row][i]!r}"
                      for i, name in enumerate(("date", "draft", "written record",
                                                "agenda item", "members"))
                      if shown[first.row][i] != shown[e.row][i]]
            kept = (f"the members both name ({', '.join(members)})" if members
                    else "no veto of this vote: the rows name no member in common")
            findings.append(Finding(
                SOURCE_VETO_LIST, record, "rows_disagree", Severity.ERROR,
                f"rows {first.row} and {e.row} both give the veto of {key} and differ: "
                f"{'; '.join(differ)}. Kept: row {first.row} (the first on the page), "
                f"with {kept}", url))
        if members:
            first.members = members
        else:
            dropped.add(first.row)
    return [e for e in entries if e.row not in dropped]


def _veto_list_entry(row: int, texts: tuple[str, ...], ordinals: dict[str, int]
                     ) -> VetoListEntry:
    """Read one row of the Veto List (its cells' texts), or raise ParseError naming it."""
    date_text, draft_text, meeting_text, agenda, members_text = texts
    record = f"row {row} ({draft_text or date_text})"
    symbol = first_symbol(draft_text)
    if symbol is None:
        raise ParseError(SOURCE_VETO_LIST, record, f"no draft symbol in {draft_text!r}")
    # The draft is counted before its other cells are read: an unreadable row keeps the
    # ordinals of the drafts after it ("S/PV.206 (vetoed draft 2)") as printed.
    ordinals[symbol] = ordinals.get(symbol, 0) + 1
    ordinal = ordinals[symbol]
    when = parse_day(date_text, year=None, source=SOURCE_VETO_LIST, record=record)
    try:
        members = split_permanent_members(members_text)
    except UnknownMemberError as exc:  # the members are read wrongly: the page is in doubt
        raise PageShapeError(SOURCE_VETO_LIST, record, str(exc)) from None
    meeting: str | None = None
    if "S/PV." in meeting_text:
        meeting = _meeting_record(meeting_text, source=SOURCE_VETO_LIST, record=record)
    letters: list[str] = []
    if meeting is None:
        # 2020-21: the letters of the written procedure, in no fixed order.
        letters = re.findall(_SYMBOL, meeting_text, re.ASCII)
        meeting = letters[0] if letters else None
    question = None
    if re.search(r"\bpreliminary question\s*$", agenda, re.IGNORECASE):
        # The list marks a vote on the preliminary question (is the draft procedural?)
        # at the end of the agenda item.
        question = "preliminary question"
        agenda = re.sub(r"\s*,?\s*preliminary question\s*$", "", agenda, flags=re.IGNORECASE)
    return VetoListEntry(date=when, date_text=date_text,
                         draft=draft_key(symbol, vetoed=True, ordinal=ordinal),
                         draft_text=draft_text, question=question, meeting=meeting,
                         meeting_text=meeting_text, letters=letters, agenda=agenda,
                         members=members, row=row)


# --------------------------------------------------------------------------------------
# Meetings & outcomes tables

_COLUMNS = {
    "meeting record": "record",
    "date": "date",
    "press release": "press_release",
    "topic": "topic",
    "recording": "recording",
    "letter with vote procedure / briefings": "procedure_letter",
    "letter with vote outcome": "outcome_letter",
    "security council outcome / vote": "outcome",
}
_REQUIRED = {"record", "date", "topic", "outcome"}

_ITEM = re.compile(
    r"(?P<res>S\s*/\s*RES\s*/\s*(?P<res_no>\d+)\s*\(\s*(?P<res_year>\d{4})\s*\)"
    r"(?:\s*(?:" + _TALLY.replace("?P<", "?P<r_") + r"|(?P<res_how>(?:adopted\s+)?unanimously"
    r"|(?:adopted\s+)?without\s+(?:a\s+)?vote|adopted\s+by\s+consensus"
    r"|adopted\s+by\s+acclamation)))?"
    r"(?:\s*\((?P<res_note>[^()]*(?:absent|particip)[^()]*)\))?)"
    r"|(?P<prst>S/PRST/\d{4}/\d+|S/(?:PV\.)?\d+(?:/\d+)?\s*\(PRST\)(?:\s*and\s+Corr\.\d+)?"
    r"|PRST(?:\s+unnumbered)?)"
    r"|(?P<draft>(?:Power\s+Four\s+)?(?:Draft\s+resolutions?\s*)?\(?\s*"
    r"(?P<draft_sym>" + _SYMBOL + r")"
    r"(?P<draft_rest>(?:(?!S/RES|S/PRST|Draft|vetoed|not\s+adopted).)*?)\s*"
    r"(?:(?P<vetoed>vetoed\s+by\s*(?P<members>(?:(?!\d|Draft|S/).)*))|(?:was\s+)?not\s+adopted)"
    r"(?:\s*" + _TALLY.replace("?P<", "?P<d_") + r")?)"
    r"|(?P<other>Communiqu[ée]|Note\s*\(?\s*S/\d{4}/\d+\s*\)?|Letter\s*\(\s*S/\d{4}/\d+\s*\)"
    r"|Decision|Election\s+of\s+[^.]*?(?=$|Draft|S/)|Election of .*|Referral to the Committee"
    r" on the Admission of New Members|Admission of new Members to the United Nations)",
    re.IGNORECASE | re.ASCII,  # numbers are ASCII digits: "١٥-٠-٠" is not read as a tally
)
_GAP_OK = re.compile(r"^(?:[\s,;+&.()]|--|and|Document links will work once the document has "
                     r"been published in the Official Document System)*$", re.IGNORECASE)


@dataclass
class _Row:
    number: int
    cells: dict[str, str]
    spanned: set[str]


def _expand_rows(
    trs: list[Tag], columns: list[str], url: str, findings: list[Finding]
) -> list[_Row]:
    """Return the data rows with rowspans expanded, each cell by its column role."""
    pending: dict[int, tuple[str, int]] = {}
    rows: list[_Row] = []
    header_seen = False
    for n, tr in enumerate(trs, start=1):
        cells = _cells(tr)
        if not header_seen:
            if cells and all(c.name == "th" for c in cells) and any(
                cell_text(c).lower() == "date" for c in cells
            ):
                header_seen = True
            continue
        values: list[str] = []
        spanned: set[int] = set()
        queue = list(cells)
        col = 0
        while queue or col in pending:
            if col in pending:
                text, left = pending[col]
                values.append(text)
                spanned.add(col)
                if left <= 1:
                    del pending[col]
                else:
                    pending[col] = (text, left - 1)
            else:
                cell = queue.pop(0)
                text = cell_text(cell)
                rowspan = str(cell.get("rowspan") or "1")
                span = int(rowspan) if rowspan.isdigit() else 1
                if span > 1:
                    pending[col] = (text, span - 1)
                values.append(text)
            col += 1
        if not any(values):
            continue
        if len(values) == 1:
            # A stray note row ("Document links will work once ..."), not a meeting.
            continue
        if len(values) > len(columns):
            extra = values[len(columns) :]
            if all(v in ("", "--") for v in extra):
                values = values[: len(columns)]
            else:
                raise ParseError(SOURCE_MEETINGS, f"{url} row {n}",
                                 f"{len(values)} cells for {len(columns)} columns: {values!r}")
        if len(values) < len(columns):
            # Seen in 1961: a meeting row without its outcome cell. Read it as "no outcome".
            findings.append(Finding(SOURCE_MEETINGS, f"{url} row {n}", "missing_cells",
                                    Severity.INFO, f"{len(values)} cells for {len(columns)} "
                                    f"columns: {values!r}; the rest read as empty", url))
            values = values + [""] * (len(columns) - len(values))
        roles = dict(zip(columns, values, strict=True))
        rows.append(_Row(n, roles, {columns[i] for i in spanned}))
    if not header_seen:
        raise ParseError(SOURCE_MEETINGS, url, "no header row with the expected columns")
    return rows


def _columns(trs: list[Tag], url: str) -> list[str]:
    for tr in trs:
        cells = _cells(tr)
        if cells and all(c.name == "th" for c in cells):
            names = [cell_text(c).lower() for c in cells]
            if "date" not in names:
                continue
            roles = []
            for name in names:
                if name not in _COLUMNS:
                    raise ParseError(SOURCE_MEETINGS, url, f"unknown column {name!r}")
                roles.append(_COLUMNS[name])
            missing = _REQUIRED - set(roles)
            if missing:
                raise ParseError(SOURCE_MEETINGS, url, f"missing columns {sorted(missing)}")
            return roles
    raise ParseError(SOURCE_MEETINGS, url, "no header row with the expected columns")


def _tally(match: re.Match[str], prefix: str, record: str) -> Tally | None:
    if match.group(f"{prefix}yes") is None:
        return None
    yes, no, abstain = (whole_number(match.group(f"{prefix}{part}"), source=SOURCE_MEETINGS,
                                     record=record, what="a count of the tally")
                        for part in ("yes", "no", "abstain"))
    return Tally(yes, no, abstain)


def _check_tally(
    tally: Tally, year: int, record: str, what: str, url: str, findings: list[Finding]
) -> Tally | None:
    """Return the tally with its non-voting count, or None (and a finding) if it cannot be."""
    checked, problems = tally_within_council(tally, year=year, source=SOURCE_MEETINGS,
                                             record=record, what=what, url=url)
    findings.extend(problems)
    return checked


def _draft_note(rest: str) -> str | None:
    """What a table prints after a draft's symbol, without the separators around it, a
    bracket left unmatched, and the one pair of brackets that encloses all of it: "(Ireland)"
    is "Ireland", but ", S/202 (preliminary question)" keeps its bracket (S/PV.202, 1947)."""
    note = clean_text(rest).strip(" ,")
    # a bracket left over from the symbol's own ("Draft resolution (S/2013/660)")
    while note.endswith(")") and note.count(")") > note.count("("):
        note = note[:-1].strip(" ,")
    while note.startswith("(") and note.count("(") > note.count(")"):
        note = note[1:].strip(" ,")
    if note.startswith("(") and note.endswith(")") and _encloses(note):
        note = note[1:-1].strip(" ,")
    return note or None


def _encloses(text: str) -> bool:
    """Whether the bracket that opens the text is the one that closes it."""
    depth = 0
    for position, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            return position == len(text) - 1
    return False


def parse_outcome(
    text: str, *, year: int, record: str, url: str, written_procedure: bool = False
) -> tuple[list[DecisionRecord], list[Finding]]:
    """Split an outcome cell into decisions. Text that matches nothing becomes a finding."""
    decisions: list[DecisionRecord] = []
    findings: list[Finding] = []
    pos = 0
    threshold = adoption_threshold(year)
    for match in _ITEM.finditer(text):
        gap = text[pos : match.start()]
        pos = match.end()
        if not _GAP_OK.match(gap):
            findings.append(Finding(SOURCE_MEETINGS, record, "unread_outcome", Severity.WARNING,
                                    f"outcome text not understood: {gap.strip()!r}", url))
        item = clean_text(match.group(0))
        if match.group("res"):
            printed_year = int(match.group("res_year"))
            number = whole_number(match.group("res_no"), source=SOURCE_MEETINGS, record=record,
                                  what=f"resolution number in {item!r}")
            if number == 0:
                raise ParseError(SOURCE_MEETINGS, record, f"resolution number 0 in {item!r}")
            symbol = resolution_symbol(number, year)
            if printed_year != year:
                findings.append(Finding(
                    SOURCE_MEETINGS, record, "resolution_year_mismatch", Severity.WARNING,
                    f"{resolution_symbol(number, printed_year)} is printed "
                    f"on the {year} page; stored as {symbol}, the year of its meeting", url))
            tally = _tally(match, "r_", record)
            how = (match.group("res_how") or "").lower()
            note = match.group("res_note")
            if tally is not None:
                tally = _check_tally(tally, year, record, symbol, url, findings)
                outcome = (Outcome.ADOPTED_BY_WRITTEN_PROCEDURE if written_procedure
                           else Outcome.ADOPTED_WITH_VOTE)
            elif "without" in how or "consensus" in how or "acclamation" in how:
                outcome = Outcome.ADOPTED_WITHOUT_VOTE
            elif "unanimously" in how:
                outcome = Outcome.ADOPTED_WITH_VOTE
                note = "adopted unanimously"
            else:
                outcome = (Outcome.ADOPTED_BY_WRITTEN_PROCEDURE if written_procedure
                           else Outcome.ADOPTED_WITH_VOTE)
                findings.append(Finding(SOURCE_MEETINGS, record, "no_tally", Severity.INFO,
                                        f"{symbol}: adopted, no tally given", url))
            decisions.append(DecisionRecord("resolution", symbol, item, outcome, tally,
                                            note=note, written_procedure=written_procedure))
        elif match.group("prst"):
            prst = match.group("prst")
            # Before 1994 statements were issued as ordinary documents: "S/26596 (PRST)".
            prst_symbol = prst if prst.upper().startswith("S/PRST/") else (
                None if prst.startswith(("S/PV", "PRST")) else first_symbol(prst))
            decisions.append(DecisionRecord("presidential_statement", prst_symbol, item))
        elif match.group("draft"):
            symbol = match.group("draft_sym")
            rest = _draft_note(match.group("draft_rest") or "")
            tally = _tally(match, "d_", record)
            what = f"draft {symbol}"
            vetoed_by: list[str] = []
            if match.group("vetoed"):
                try:
                    vetoed_by = split_permanent_members(match.group("members") or "")
                except UnknownMemberError as exc:
                    findings.append(Finding(SOURCE_MEETINGS, record, "unknown_member",
                                            Severity.ERROR, f"{what}: {exc}", url))
                outcome = Outcome.VETOED
                if tally is not None and tally.no == 0:
                    findings.append(Finding(
                        SOURCE_MEETINGS, record, "veto_without_negative_vote", Severity.ERROR,
                        f"{what} printed as vetoed by {', '.join(vetoed_by)} with tally {tally}, "
                        f"which has no negative vote; tally not stored", url))
                    tally = None
                elif tally is not None and tally.no < len(vetoed_by):
                    findings.append(Finding(
                        SOURCE_MEETINGS, record, "veto_tally_mismatch", Severity.ERROR,
                        f"{what} printed as vetoed by {len(vetoed_by)} members with only "
                        f"{tally.no} negative votes ({tally}); tally not stored", url))
                    tally = None
                if tally is not None:
                    tally = _check_tally(tally, year, record, what, url, findings)
                if tally is not None and not has_the_votes(tally.yes, year):
                    findings.append(Finding(
                        SOURCE_MEETINGS, record, "veto_without_majority", Severity.WARNING,
                        f"{what} printed as vetoed, but {tally.yes} votes in favour were fewer "
                        f"than the {threshold} needed", url))
            else:
                if tally is not None:
                    tally = _check_tally(tally, year, record, what, url, findings)
                # No veto printed: the Charter's rule tells a draft short of votes.
                outcome = failed_outcome(tally.yes if tally else None, year)
                if outcome is Outcome.NOT_ADOPTED and tally is not None:
                    findings.append(Finding(
                        SOURCE_MEETINGS, record, "not_adopted_with_majority", Severity.INFO,
                        f"{what} not adopted with {tally.yes} votes in favour (of {threshold} "
                        f"needed) and no veto named", url))
            decisions.append(DecisionRecord("draft", symbol, item, outcome, tally,
                                            vetoed_by=vetoed_by, note=rest,
                                            written_procedure=written_procedure))
        else:
            decisions.append(DecisionRecord("other", None, item))
    tail = text[pos:]
    if not _GAP_OK.match(tail):
        findings.append(Finding(SOURCE_MEETINGS, record, "unread_outcome", Severity.WARNING,
                                f"outcome text not understood: {tail.strip()!r}", url))
    return decisions, findings


def parse_meetings_table(body: bytes, *, year: int, url: str) -> MeetingsTable:
    """Parse one yearly meetings & outcomes table."""
    soup = BeautifulSoup(decode_page(body), "lxml")
    tables = soup.find_all("table")
    if not tables:
        raise ParseError(SOURCE_MEETINGS, url, "no table on the page")
    trs = max((t.find_all("tr") for t in tables), key=len)
    columns = _columns(trs, url)
    findings: list[Finding] = []
    meetings: list[MeetingRecord] = []
    # Group continuation rows with the meeting above them (the page is newest first).
    groups: list[list[_Row]] = []
    for row in _expand_rows(trs, columns, url, findings):
        continues = (not row.cells["record"] and not row.cells["date"]) or (
            "record" in row.spanned and "date" in row.spanned
        )
        if continues and groups:
            groups[-1].append(row)
        else:
            groups.append([row])
    if not groups:
        raise ParseError(SOURCE_MEETINGS, url, "no meetings found in the table")
    # Written-procedure rows have no meeting record: number them per day.
    per_day: dict[tuple[date, str], int] = {}
    by_record: dict[str, MeetingRecord] = {}
    errors: list[ParseError] = []
    for group in reversed(groups):
        # A meeting that cannot be read is refused on its own: the others are stored.
        try:
            meeting, problems = _meeting(group, year=year, url=url, per_day=per_day)
        except ParseError as exc:
            errors.append(exc)
            continue
        findings.extend(problems)
        previous = by_record.get(meeting.record)
        if previous is not None:
            # The same meeting printed on two rows (one per agenda item): one meeting.
            # A meeting resumed on a later day keeps the day it began.
            if meeting.topic and meeting.topic not in previous.topic:
                previous.topic = (f"{previous.topic} / {meeting.topic}" if previous.topic
                                  else meeting.topic)
            previous.outcome_text = f"{previous.outcome_text} {meeting.outcome_text}".strip()
            previous.decisions.extend(meeting.decisions)
            previous.press_release = previous.press_release or meeting.press_release
            continue
        by_record[meeting.record] = meeting
    meetings = list(by_record.values())
    _key_drafts(meetings)
    findings.extend(_drop_repeated_decisions(meetings, url))
    if not meetings and errors:
        raise errors[0]
    return MeetingsTable(year=year, meetings=meetings, findings=findings, errors=errors)


def _meeting(group: list[_Row], *, year: int, url: str, per_day: dict[tuple[date, str], int]
             ) -> tuple[MeetingRecord, list[Finding]]:
    """Read one meeting (a group of rows) of a yearly table, or raise ParseError naming it."""
    first = group[0]
    where = f"{url} row {first.number}"
    when = parse_day(first.cells["date"], year=year, source=SOURCE_MEETINGS, record=where)
    record_text = first.cells["record"]
    letter = first.cells.get("outcome_letter", "")
    written = bool(first_symbol(letter)) if letter else False
    if "S/PV." in record_text:
        record = _meeting_record(record_text, source=SOURCE_MEETINGS, record=where)
    elif written:
        record = first_symbol(letter) or ""
    else:
        base = f"VTC {when.isoformat()}"
        per_day[(when, base)] = per_day.get((when, base), 0) + 1
        record = f"{base} #{per_day[(when, base)]}"
    press = first.cells.get("press_release") or None
    if press and not re.match(r"^(SC|SG)/", press):
        press = None
    topic = " / ".join(dict.fromkeys(r.cells["topic"] for r in group if r.cells["topic"]))
    outcome_text = " ".join(r.cells["outcome"] for r in group if r.cells["outcome"])
    decisions: list[DecisionRecord] = []
    findings: list[Finding] = []
    for r in group:
        found, problems = parse_outcome(r.cells["outcome"], year=year, record=record, url=url,
                                        written_procedure=written)
        decisions.extend(found)
        findings.extend(problems)
    return MeetingRecord(record=record, date=when, topic=topic, press_release=press,
                         outcome_text=outcome_text, decisions=decisions,
                         written_procedure=written, row=first.number), findings


def _key_drafts(meetings: list[MeetingRecord]) -> None:
    """Give drafts known only by a meeting record their ordinal key (see draft_key)."""
    counters: dict[tuple[str, bool], int] = {}
    for meeting in meetings:  # chronological
        for decision in meeting.decisions:
            if decision.kind != "draft" or decision.symbol is None:
                continue
            vetoed = decision.outcome is Outcome.VETOED
            if decision.symbol.startswith("S/PV."):
                counters[(decision.symbol, vetoed)] = counters.get((decision.symbol, vetoed), 0) + 1
                decision.symbol = draft_key(decision.symbol, vetoed=vetoed,
                                            ordinal=counters[(decision.symbol, vetoed)])
            elif decision.note and "preliminary question" in decision.note.lower():
                decision.question = "preliminary question"


def _drop_repeated_decisions(meetings: list[MeetingRecord], url: str) -> list[Finding]:
    """Keep the first of a decision printed twice on a page; say so when the copies differ."""
    findings: list[Finding] = []
    seen: dict[tuple[str, str | None], tuple[DecisionRecord, str]] = {}
    for meeting in meetings:
        kept: list[DecisionRecord] = []
        for decision in meeting.decisions:
            if decision.symbol is None or decision.kind == "other":
                kept.append(decision)
                continue
            key = (decision.kind, decision.vote_key)
            if key not in seen:
                seen[key] = (decision, meeting.record)
                kept.append(decision)
                continue
            first, first_meeting = seen[key]
            if (decision.kind == "draft" and first_meeting != meeting.record
                    and decision.tally is not None and first.tally is not None
                    and decision.tally != first.tally):
                # Put to the vote again at a later meeting, with another result: a vote of its
                # own. (The same result at another meeting is the page repeating itself.)
                decision.question = " ".join(filter(None, [decision.question,
                                                           f"vote at {meeting.record}"]))
                seen[(decision.kind, decision.vote_key)] = (decision, meeting.record)
                kept.append(decision)
                continue
            if first_meeting != meeting.record and meeting.record not in first.also_printed_at:
                first.also_printed_at.append(meeting.record)
            if (first.outcome, first.tally, first.vetoed_by) != (
                decision.outcome, decision.tally, decision.vetoed_by
            ):
                findings.append(Finding(
                    SOURCE_MEETINGS, meeting.record, "decision_listed_twice", Severity.WARNING,
                    f"{decision.symbol} is listed twice on the page, differently: "
                    f"{first.text!r} and {decision.text!r}; the first is kept", url))
        meeting.decisions = kept
    return findings
