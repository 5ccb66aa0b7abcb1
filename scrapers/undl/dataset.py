"""Parse the Library's Security Council voting dataset (UN Digital Library record 4055387).

One CSV row per member and resolution; the same facts as the voting records,
so the rows become the same VotingRecords the scraper stores. Quirks:

- Adoptions without a vote are coded as all "Y" (``modality`` says so): the
  store keeps no roll call for them rather than invent votes.
- ``draft`` is blank before 1998; ``resolution`` has no space
  (``S/RES/2644(2022)``); rows are not in date order; the USSR is ``SUN``.
- ``permanent_member`` is ``True``/``False``; ``ms_vote`` is Y/N/A/X.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from council.members import known_members
from council.records import (
    MemberVoteRecord,
    ParseError,
    Tally,
    VotingRecord,
    checked_record_id,
    checked_resolution,
    checked_symbol,
    iso_date,
    nfc,
    tally_within_council,
    whole_number,
)
from council.rules import council_size
from council.sources import SOURCE_DATASET
from council.symbols import SymbolError, normalise_meeting_record
from scrapers.undl.parse import VOTES, check_roll_call

COLUMNS = ("undl_id", "ms_code", "ms_name", "permanent_member", "ms_vote", "date", "resolution",
           "draft", "meeting", "description", "agenda", "subjects", "vote_note", "total_yes",
           "total_no", "total_abstentions", "total_non_voting", "total_ms", "modality",
           "undl_link")
_SAME = ("date", "resolution", "draft", "meeting", "description", "agenda", "total_yes",
         "total_no", "total_abstentions", "total_non_voting", "total_ms", "modality", "undl_link")


def read_rows(text: Iterable[str]) -> Iterator[dict[str, str]]:
    """Yield the dataset's rows as dicts; refuse a file whose columns are not the Library's."""
    reader = csv.DictReader(text)
    try:
        missing = set(COLUMNS) - set(reader.fieldnames or ())
    except csv.Error as exc:
        raise ParseError(SOURCE_DATASET, "header", f"unreadable CSV: {exc}") from None
    if missing:
        raise ParseError(SOURCE_DATASET, "header",
                         f"not the Library's voting dataset: missing columns {sorted(missing)}")
    try:
        for row in reader:
            if None in row or any(value is None for value in row.values()):
                raise ParseError(SOURCE_DATASET, f"line {reader.line_num}",
                                 f"{len([v for v in row.values() if v is not None])} fields "
                                 f"where {len(reader.fieldnames or ())} were expected")
            yield row
    except csv.Error as exc:
        # the DictReader's own line_num is set only once a row is read: the csv reader's
        # counts the line that could not be read
        raise ParseError(SOURCE_DATASET, f"line {reader.reader.line_num}",
                         f"unreadable CSV: {exc}") from None


def _int(row: dict[str, str], column: str, where: str) -> int:
    value = (row.get(column) or "").strip()
    return whole_number(value, source=SOURCE_DATASET, record=where, what=column)


def _record(undl_id: str, rows: list[dict[str, str]]) -> VotingRecord:
    where = f"undl_id {undl_id}"
    first = rows[0]
    for row in rows[1:]:
        for column in _SAME:
            if row[column] != first[column]:
                raise ParseError(SOURCE_DATASET, where, f"rows disagree on {column}: "
                                 f"{first[column]!r} and {row[column]!r}")
    resolution = checked_resolution(first["resolution"], source=SOURCE_DATASET, record=where)
    try:
        meeting = (normalise_meeting_record(first["meeting"]) if "PV." in first["meeting"]
                   else first["meeting"] or None)
    except SymbolError as exc:
        raise ParseError(SOURCE_DATASET, where, str(exc)) from None
    if meeting and "PV." in meeting:
        checked_symbol(meeting, source=SOURCE_DATASET, record=where, what="meeting")
    if first["draft"]:
        checked_symbol(first["draft"], source=SOURCE_DATASET, record=where, what="draft")
    if first["date"]:
        iso_date(first["date"], source=SOURCE_DATASET, record=where, what="date")
    year = int(first["date"][:4]) if first["date"] else int(resolution[-5:-1])
    if len(rows) > council_size(year):
        raise ParseError(SOURCE_DATASET, where, f"{len(rows)} members' rows on a Council of "
                                                f"{council_size(year)}")
    votes: list[MemberVoteRecord] = []
    seen: set[str] = set()
    for n, row in enumerate(rows, start=1):
        code = row["ms_code"].strip().upper()
        vote = row["ms_vote"].strip().upper()
        if code not in known_members():
            raise ParseError(SOURCE_DATASET, where, f"unknown member code {code!r}")
        if code in seen:
            raise ParseError(SOURCE_DATASET, where, f"member {code} votes twice")
        if vote not in VOTES:
            raise ParseError(SOURCE_DATASET, where, f"unknown vote {vote!r} for {code}")
        seen.add(code)
        flag = {"true": "P", "false": "R"}.get(row["permanent_member"].strip().lower())
        votes.append(MemberVoteRecord(code, vote, row["ms_name"] or None, flag, n))
    printed = Tally(_int(first, "total_yes", where), _int(first, "total_no", where),
                    _int(first, "total_abstentions", where),
                    _int(first, "total_non_voting", where))
    total_members: int | None = _int(first, "total_ms", where)
    without_vote = first["modality"].strip().lower() != "vote"
    # The same limit as the tables': no more votes than seats (11 until 1965, 15 since).
    totals, findings = tally_within_council(printed, year=year, source=SOURCE_DATASET,
                                            record=where, what=resolution)
    if totals is None:
        total_members = None
    elif not without_vote:
        findings = check_roll_call(SOURCE_DATASET, where, resolution, votes, totals,
                                   total_members)
    return VotingRecord(
        record_id=undl_id, modified=None,
        url=first["undl_link"] or f"https://digitallibrary.un.org/record/{undl_id}",
        title=first["description"] or None, date=first["date"] or None, resolution=resolution,
        draft=first["draft"] or None, meeting=meeting, agenda=first["agenda"] or None,
        without_vote=without_vote, votes=sorted(votes, key=lambda v: v.code), totals=totals,
        total_members=total_members, findings=findings,
    )


def parse_dataset(body: bytes) -> tuple[list[VotingRecord], list[ParseError]]:
    """Return the dataset's records (one per undl_id) and the groups that could not be read."""
    try:
        text = io.StringIO(nfc(body.decode("utf-8-sig")))
    except UnicodeDecodeError as exc:
        raise ParseError(SOURCE_DATASET, "file", f"not UTF-8 text: {exc}") from None
    groups: dict[str, list[dict[str, str]]] = {}
    for row in read_rows(text):
        groups.setdefault(row["undl_id"].strip(), []).append(row)
    if not groups:
        raise ParseError(SOURCE_DATASET, "file", "the dataset has no rows")
    records: list[VotingRecord] = []
    errors: list[ParseError] = []
    for undl_id, rows in groups.items():
        try:
            if not undl_id.isdigit():
                raise ParseError(SOURCE_DATASET, f"undl_id {undl_id!r}", "undl_id is not a number")
            checked_record_id(undl_id, source=SOURCE_DATASET)
            records.append(_record(undl_id, rows))
        except ParseError as exc:
            errors.append(exc)
    return records, errors
