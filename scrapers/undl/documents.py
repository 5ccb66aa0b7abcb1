"""Parse the UN Digital Library's document records of Security Council drafts (MARCXML).

Pure functions. Fields (checked against the Library's own export of such records,
1994-2022, in ../shared/data/pcrc_unsc_dataset):

- 191 $a document symbol (``S/2009/301``); 269 $a date; 239 $a descriptive
  title ("Draft resolution [on measures against ...]"); 245 $a "Draft
  resolution /" and 245 $c the sponsors, official long names with "and" before
  the last ("France, Japan, Republic of Korea, United Kingdom of Great Britain
  and Northern Ireland and United States of America"); older records say
  "submitted by the representative of ..." and "at the 427th meeting ...".
- 993 $a the resolution the draft became (``S/RES/1874(2009)``); vetoed and
  failed drafts have none.
- 610 $a corporate subjects: the bodies a draft concerns ("UN. Panel of Experts
  Established pursuant to Security Council Resolution 1874 (2009)"); 650 $a
  subjects.

Sponsor names map to member codes through one table of official and historical
names (``council.members``); a name it does not know is a finding, not a guess.
The record's own fields say whether it is a draft resolution (see ``not_a_draft``):
older drafts are titled by subject or by sponsor ("Complaint of bombing ... : draft
resolution", "Joint draft resolution", "Revised draft resolution"); letters, notes,
reports and amendments are skipped, and a page says why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from council.members import split_member_names
from council.records import (
    DocumentRecord,
    Finding,
    ParseError,
    Severity,
    checked_record_id,
    checked_resolution,
    checked_symbol,
    iso_date,
    nfc,
)
from council.sources import SOURCE_DOCUMENTS
from council.symbols import SymbolError, normalise_document_symbol
from scrapers.source import RawRecord
from scrapers.undl.parse import _NS, MARC, record_url, safe_xml, split_search_page

# A title part (245 $a $b, 239 $a, split at ":") that calls the document a draft resolution,
# in the forms the Library's records use: "Draft resolution", "Joint draft resolution",
# "[Revised] draft resolution", "Second revised draft proposal", "Projet de résolution",
# "Proyecto de resolución", "Sovmestnyi proekt rezoliutsii".
_DRAFT_TITLE = re.compile(
    r"^[\s\[]*(?:(?:revised|second|third|joint|amended|united|further)\]?\s+)*"
    r"(?:draft\]?\s+(?:joint\s+)?(?:resolutions?|proposals?)\b"
    r"|(?:projec?t|proyecto)\s+de\s+r[ée]solu|(?:sovmestnyi\s+)?proekt\s+rezol[iy]u)",
    re.IGNORECASE)
# A title that names another kind of document, even when it mentions a draft
# ("Amendments to the draft resolution ...", "Note / by the Secretary-General").
_OTHER_DOCUMENT = re.compile(
    r"^[\s\[]*(?:(?:revised|draft|australian)\s+)?(?:amendm?e?nts?|amendement|corrigendum"
    r"|(?:special\s+|periodic\s+)?report|rapport|notes?|nota|letter|cable|cablegram|telegram"
    r"|summary\s+statement|provisional\s+verbatim\s+record|decision|projet\s+de\s+d[ée]cision"
    r"|proyecto\s+de\s+decisi[óo]n|r[ée]solution(?!s?\s+on\b)|suggestions|notification)\b",
    re.IGNORECASE)
DRAFT_RECORD_TYPE = "B02"  # 089 $b of the Library's records of Council drafts
_LEAD = re.compile(r"^\s*(?:(?:submitted|introduced)\s+)?by\s+(?:the\s+)?"
                   r"(?:(?:representatives?|delegations?)\s+of\s+(?:the\s+)?)?", re.IGNORECASE)
_TAIL = re.compile(r"\s*(?:,\s*)?(?:at the \d+\w* meeting.*|\(S/\d+\)|/)\s*$", re.IGNORECASE)


@dataclass
class DocumentPage:
    total: int
    records: list[DocumentRecord]
    skipped: int
    errors: list[ParseError]
    refused: dict[str, str] = field(default_factory=dict)  # symbol: why it is not a draft
    # The records the parser refused, as the Library wrote them (kept in the record archive,
    # so that a rebuild reads them once the parser does).
    unread: list[RawRecord] = field(default_factory=list)


Fields = dict[tuple[str, str], list[str]]  # (tag, code): the non-empty texts, in order

_DATAFIELD = f"{{{MARC}}}datafield"
_SUBFIELD = f"{{{MARC}}}subfield"


def record_fields(element: etree._Element) -> Fields:
    """Index a ``<record>``'s data fields once: {(tag, code): [text]}, each text with its
    white space collapsed and in NFC, empty ones left out, in the record's order."""
    fields: Fields = {}
    for datafield in element:
        if datafield.tag != _DATAFIELD:
            continue
        tag = datafield.get("tag")
        for sub in datafield:
            if sub.tag != _SUBFIELD or not sub.text:
                continue
            text = " ".join(sub.text.split())
            if not text:
                continue
            if not text.isascii():  # ASCII text is NFC already
                text = nfc(text)
            fields.setdefault((tag, sub.get("code")), []).append(text)
    return fields


def _first(fields: Fields, tag: str, code: str) -> str | None:
    values = fields.get((tag, code))
    return values[0] if values else None


def _fields(fields: Fields, tag: str, code: str) -> list[str]:
    return list(fields.get((tag, code), ()))


def sponsors_of(text: str) -> tuple[list[str], list[str]]:
    """Return the member codes named as sponsors, and any names not known."""
    cleaned = _TAIL.sub("", _LEAD.sub("", text)).strip(" .;")
    return split_member_names(cleaned)


def not_a_draft(element: etree._Element | Fields) -> str | None:
    """Return why a record is not a draft resolution's, or None if it is one.

    The record's own fields decide, in this order: a record type (089 $b) other than
    the drafts' B02; a title that calls it a draft resolution, in any of its forms and
    languages, or after a subject ("Complaint of bombing ... : draft resolution"); a
    title that names another kind of document (a letter, a report, an amendment);
    else the record type B02, or sponsors (245 $c) that are all members the tracker
    knows, as in the older drafts titled by subject or by sponsor.
    """
    if not isinstance(element, dict):
        element = record_fields(element)
    record_types = _fields(element, "089", "b")
    if record_types and DRAFT_RECORD_TYPE not in record_types:
        return (f"its record type (089 $b) is {', '.join(record_types)}, not "
                f"{DRAFT_RECORD_TYPE} (draft resolutions)")
    titles = [" ".join(_fields(element, "245", "a") + _fields(element, "245", "b")),
              *_fields(element, "239", "a")]
    if any(_DRAFT_TITLE.match(part) for title in titles for part in title.split(":")):
        return None
    for title in titles:
        if _OTHER_DOCUMENT.match(title):
            return f"its title names another kind of document: {title!r}"
    if record_types:
        return None
    sponsors_text = _first(element, "245", "c")
    if sponsors_text:
        sponsors, unknown = sponsors_of(sponsors_text)
        if sponsors and not unknown:
            return None
    title = next((t for t in titles if t), "")
    return (f"neither its title ({title!r}) nor its record type (089) nor its sponsors "
            "(245 $c) say it is a draft resolution")


def parse_document(element: etree._Element, *, base_url: str = "", raw: bytes | None = None
                   ) -> DocumentRecord | None:
    """Read one ``<record>``; return None if it is not a draft resolution.

    ``raw`` is the element's XML when the caller has it already (the record as archived).
    """
    fields = record_fields(element)
    control = {c.get("tag"): (c.text or "").strip()
               for c in element.findall("m:controlfield", _NS)}
    record_id = checked_record_id(control.get("001"), source=SOURCE_DOCUMENTS)
    where = f"record {record_id}"
    symbols = _fields(fields, "191", "a")
    title_a = (_fields(fields, "245", "a") or [""])[0]
    descriptive = _first(fields, "239", "a")
    if not symbols:
        raise ParseError(SOURCE_DOCUMENTS, where, "no document symbol (191)")
    if not_a_draft(fields):
        return None
    try:
        symbol = normalise_document_symbol(symbols[0])
    except SymbolError as exc:
        raise ParseError(SOURCE_DOCUMENTS, where, str(exc)) from None
    checked_symbol(symbol, source=SOURCE_DOCUMENTS, record=where, what="document symbol (191)")
    findings: list[Finding] = []
    sponsors_text = _first(fields, "245", "c")
    sponsors: list[str] = []
    if sponsors_text:
        sponsors, unknown = sponsors_of(sponsors_text)
        for name in unknown:
            findings.append(Finding(SOURCE_DOCUMENTS, where, "unknown_sponsor", Severity.WARNING,
                                    f"{symbol}: sponsor {name!r} is not a member the tracker "
                                    f"knows (in {sponsors_text!r})"))
    resolution = None
    linked = _fields(fields, "993", "a")
    for text in linked:
        if text.upper().replace(" ", "").startswith("S/RES/"):
            try:
                resolution = checked_resolution(text, source=SOURCE_DOCUMENTS, record=where)
            except ParseError:
                findings.append(Finding(SOURCE_DOCUMENTS, where, "unreadable_link",
                                        Severity.WARNING, f"{symbol}: linked document {text!r} "
                                        "is not a resolution symbol"))
            break
    date = _first(fields, "269", "a")
    if date and re.fullmatch(r"\d{8}", date):
        date = f"{date[:4]}-{date[4:6]}-{date[6:]}"
    if date:
        try:  # a day that does not exist, or outside the Council's life, is not a date either
            iso_date(date, source=SOURCE_DOCUMENTS, record=where, what="date (269)")
        except ParseError as exc:
            findings.append(Finding(SOURCE_DOCUMENTS, where, "unreadable_date", Severity.INFO,
                                    f"{symbol}: date (269) {date!r} is not a date "
                                    f"({exc.message}); the record is kept without it"))
            date = None
    return DocumentRecord(
        record_id=record_id, modified=control.get("005"),
        url=record_url(base_url, record_id),
        symbol=symbol, date=date, title=descriptive or title_a.rstrip(" /") or None,
        sponsors_text=sponsors_text, sponsors=sponsors, resolution=resolution,
        bodies=_fields(fields, "610", "a"), subjects=_fields(fields, "650", "a"),
        findings=findings,
        raw=raw if raw is not None else etree.tostring(element, encoding="utf-8"),
    )


def parse_document_page(body: bytes, *, url: str, base_url: str = "") -> DocumentPage:
    """Parse a page of document search results (drafts kept, other documents skipped):
    split into its records, then each read, as the search walker reads them."""
    page = split_search_page(body, source=SOURCE_DOCUMENTS, url=url)
    records: list[DocumentRecord] = []
    errors: list[ParseError] = list(page.errors)
    unread: list[RawRecord] = []
    skipped = 0
    refused: dict[str, str] = {}
    for raw in page.records:
        try:
            record = parse_document(raw.element, base_url=base_url, raw=raw.raw)
        except ParseError as exc:
            errors.append(exc)
            unread.append(raw)
            continue
        if record is None:
            skipped += 1
            fields = record_fields(raw.element)
            symbol = _first(fields, "191", "a") or ""
            refused[symbol] = not_a_draft(fields) or "not a draft resolution"
        else:
            records.append(record)
    return DocumentPage(total=page.total, records=records, skipped=skipped,
                        errors=errors, refused=refused, unread=unread)


def parse_document_xml(body: bytes, *, base_url: str = "", record: str = "record"
                       ) -> DocumentRecord | None:
    """Parse one archived document record."""
    root = safe_xml(body, source=SOURCE_DOCUMENTS, record=record)
    element = root if root.tag == f"{{{MARC}}}record" else root.find("m:record", _NS)
    if element is None:
        raise ParseError(SOURCE_DOCUMENTS, record, "no record in the document")
    return parse_document(element, base_url=base_url)
