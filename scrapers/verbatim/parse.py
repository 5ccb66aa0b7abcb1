"""Parse a Security Council meeting record (``S/PV.9591``): its roll calls, pure, bytes in.

The verbatim record is the official account of a meeting since 1946, published as PDF by
the UN's documents service. A vote reads:

    A vote was taken by show of hands.
    In favour:
    Algeria, China, Ecuador, France, Guyana, Japan, Malta, Mozambique, Republic of Korea,
    Sierra Leone, Slovenia, Switzerland, United Kingdom of Great Britain and Northern
    Ireland, United States of America
    Against:
    Russian Federation
    Abstaining:
    China
    The President: The draft resolution received 13 votes in favour, 1 against and 1
    abstention. The draft resolution has not been adopted, owing to the negative vote of a
    permanent member of the Council.

Names wrap across lines, and a side may read "None". The parser reads the text, not the
layout: the blocks, the members each side names, the President's count after the block,
and the document put to the vote before it. A block whose names do not match the
President's count is a finding; its names are still what the record says.

The text comes out of the PDF with pypdf (pure Python, BSD, maintained, no system library
to install, and a parser hardened against malformed files); an empty body is a record not
yet published (the documents service answers 200 with nothing), never "no vote".
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass, field

from council.members import split_member_names
from council.records import Finding, ParseError, Severity, Tally
from council.roll_calls import SIDE_WORDS
from council.sources import SOURCE_RECORDS
from scrapers.source import Unpublished
from scrapers.text import vote_counts

# A meeting record runs to tens of pages of a few kilobytes of drawing each: a file with
# more pages, a page that draws more, or more text than this is refused (a hostile PDF can
# make its text cost hours: pages sharing one huge content stream)
MAX_PAGES = 500
MAX_PAGE_CONTENT = 1_000_000  # bytes of a page's decoded content stream
MAX_TEXT = 5_000_000  # characters of text, all pages

_BLOCK = re.compile(
    r"In\s+favou?r\s*:\s*(?P<Y>.*?)\s*Against\s*:\s*(?P<N>.*?)\s*Abstaining\s*:\s*"
    r"(?P<A>.*?)(?=\s+(?:The\s+President|The\s+result|The\s+draft|The\s+amendment|"
    r"A\s+vote\s+was|In\s+favou?r\s*:|Mr\.|Mrs\.|Ms\.)|\s*$)",
    re.IGNORECASE | re.DOTALL,
)
_SYMBOL = re.compile(r"\bS/(?:\d{4}/\d+|\d+)(?:/Rev\.\s?\d+)?", re.IGNORECASE)
_WHAT = re.compile(r"\b(?:draft\s+resolution|amendments?)\b", re.IGNORECASE)
_NONE = re.compile(r"^\s*(?:none|-+|—)?\s*\.?\s*$", re.IGNORECASE)


class NotPublished(Unpublished):
    """The documents service has no text for the record yet (an empty answer)."""


@dataclass(frozen=True)
class RecordVote:
    """One roll call of a meeting record: every member each side names."""

    named: dict[str, tuple[str, ...]]  # "Y" / "N" / "A": member codes, as the block names them
    tally: Tally | None  # the President's count after the block, when it gives one
    symbols: tuple[str, ...]  # the documents named between the previous vote and this one
    amendment: bool  # the text just before the vote speaks of an amendment
    block: str  # the block as read, whitespace collapsed

    def named_codes(self) -> set[str]:
        return {c for codes in self.named.values() for c in codes}


@dataclass
class MeetingRecordVotes:
    record: str  # "S/PV.9591"
    votes: list[RecordVote] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)  # blocks it refused (none yet)


def pdf_text(body: bytes, *, record: str) -> str:
    """The text of a meeting record's PDF, page after page."""
    if not body.strip():
        raise NotPublished(SOURCE_RECORDS, record, "the documents service gave an empty "
                           "answer: the record is not published yet")
    if not body.lstrip().startswith(b"%PDF-"):
        raise ParseError(SOURCE_RECORDS, record, "the answer is not a PDF "
                         f"(it begins {body[:20]!r})")
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings are about layout
    try:
        reader = PdfReader(io.BytesIO(body), strict=False)
        if len(reader.pages) > MAX_PAGES:
            raise ParseError(SOURCE_RECORDS, record, f"the PDF has {len(reader.pages)} pages, "
                             f"more than a meeting record's {MAX_PAGES}")
        texts: list[str] = []
        size = 0
        for number, page in enumerate(reader.pages, start=1):
            contents = page.get_contents()
            drawn = len(contents.get_data()) if contents is not None else 0
            if drawn > MAX_PAGE_CONTENT:
                raise ParseError(SOURCE_RECORDS, record, f"page {number} of the PDF draws "
                                 f"{drawn:,} bytes, more than a meeting record's "
                                 f"{MAX_PAGE_CONTENT:,}")
            texts.append(page.extract_text() or "")
            size += len(texts[-1])
            if size > MAX_TEXT:
                raise ParseError(SOURCE_RECORDS, record, f"the PDF's text runs past "
                                 f"{MAX_TEXT:,} characters, more than a meeting record's")
        return "\n".join(texts)
    except ParseError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            RecursionError) as exc:
        raise ParseError(SOURCE_RECORDS, record, f"the PDF cannot be read: {exc}") from None


def _side_names(text: str, side: str, *, record: str, findings: list[Finding]
                ) -> tuple[str, ...] | None:
    if _NONE.match(text):
        return ()
    codes, unknown = split_member_names(text)
    if unknown:
        findings.append(Finding(
            SOURCE_RECORDS, record, "record_name_unknown", Severity.WARNING,
            f"the roll call names {', '.join(repr(u) for u in unknown)} "
            f"{SIDE_WORDS[side]}, which is no known member; the roll call was not stored"))
        return None
    return tuple(codes)


def _put_to_the_vote(text: str, start: int, end: int) -> tuple[str | None, bool]:
    """The document a vote is on, named between the previous vote and this one: the last
    symbol the text calls a draft resolution or an amendment ("the draft resolution
    contained in document S/2004/313", "document S/2008/447, which contains the text of a
    draft resolution"), else the last symbol; and whether it is an amendment."""
    chosen: tuple[str, bool] | None = None
    last: str | None = None
    for match in _SYMBOL.finditer(text, start, end):
        last = match.group(0)
        said_before = list(_WHAT.finditer(text, max(start, match.start() - 120), match.start()))
        said_after = _WHAT.search(text, match.end(), min(end, match.end() + 80))
        what = said_before[-1] if said_before else said_after
        if what is not None:
            chosen = (last, what.group(0).lower().startswith("amendment"))
    if chosen is not None:
        return chosen
    return last, False


def read_vote_blocks(text: str, *, record: str) -> MeetingRecordVotes:
    """Read every roll call in a meeting record's text."""
    text = " ".join(text.replace("\u00ad", "").split())
    result = MeetingRecordVotes(record)
    previous_end = 0
    for block in _BLOCK.finditer(text):
        findings: list[Finding] = []
        named: dict[str, tuple[str, ...]] = {}
        for side in ("Y", "N", "A"):
            codes = _side_names(block.group(side), side, record=record, findings=findings)
            if codes is not None:
                named[side] = codes
        symbol, amendment = _put_to_the_vote(text, previous_end, block.start())
        after = text[block.end(): block.end() + 400]
        counted = next((c for c in vote_counts(after) if {"Y", "N"} <= set(c)), None)
        tally = (Tally(counted["Y"].count, counted["N"].count,
                       counted["A"].count if "A" in counted else 0)
                 if counted is not None else None)
        previous_end = block.end()
        result.findings += findings
        if findings:
            continue
        twice = [c for c in {c for codes in named.values() for c in codes}
                 if sum(c in codes for codes in named.values()) > 1]
        if twice:
            result.findings.append(Finding(
                SOURCE_RECORDS, record, "record_member_twice", Severity.ERROR,
                f"the roll call names {', '.join(sorted(twice))} on two sides; "
                "the roll call was not stored"))
            continue
        if tally is not None:
            given = (len(named["Y"]), len(named["N"]), len(named["A"]))
            if given != (tally.yes, tally.no, tally.abstain):
                result.findings.append(Finding(
                    SOURCE_RECORDS, record, "record_count_mismatch", Severity.ERROR,
                    f"the roll call names {given[0]}-{given[1]}-{given[2]} but the President "
                    f"announced {tally}; the names were stored as the record gives them"))
        result.votes.append(RecordVote(
            named=named, tally=tally, symbols=(symbol,) if symbol else (),
            amendment=amendment, block=block.group(0)))
    return result


def parse_meeting_record(body: bytes, *, record: str) -> MeetingRecordVotes:
    """Read the roll calls of a meeting record's PDF."""
    return read_vote_blocks(pdf_text(body, record=record), record=record)
