"""Parse the UN Digital Library's Security Council voting records (MARCXML).

Pure functions: bytes in, records out. The record format (confirmed on the real
record of resolution 2722 (2024)):

- 001 record id; 005 last change (``20240119110628.0``); 245 $a title;
  269 $a vote date; 590 $a "Vote" (or a without-vote note); 791 $a resolution
  symbol, written without a space (``S/RES/2722(2024)``); 952 $a meeting
  record; 991 agenda ($a symbol, $c title, $d subject); 993 $a draft symbol.
- 967, one per member: $a sequence, $b ``P`` permanent / ``R`` rotating (a
  source quirk: CHE carries ``P`` in the 2722 record, so the flag is kept as
  given, never used to decide who is permanent), $c three-letter code,
  $d vote Y/N/A (absent: non-voting, X), $e name at the time.
- 996 totals, zero-padded: $b yes, $c no, $d abstentions, $e non-voting, $f total.
- An adoption without a vote may say so in 590, or only by its roll call: every
  967 without a vote ($d) and totals empty or 0-0-0 (resolutions 726 (1992),
  1691 (2006)). Both are read as without a vote: no roll call, no tally.

Search pages wrap records in ``<collection>`` and give the total hits in the
comment ``<!-- Search-Engine-Total-Number-Of-Results: N -->``. The API search
(``/api/v1/search``, with a token) wraps the same records in ``<response>``:
``<total>``, ``<search_id>`` (sent back for the next page) and a MARCXML
``<collection>``, empty once the search has ended.

XML is parsed with entity expansion, DTD loading and network access off; a
document that declares a DOCTYPE or entities is refused before parsing.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from lxml import etree

from council.members import known_members
from council.records import (
    Finding,
    MemberVoteRecord,
    ParseError,
    Severity,
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
from council.sources import SOURCE_VOTES
from council.symbols import SymbolError, normalise_meeting_record
from scrapers.source import RawRecord, SplitPage

MARC = "http://www.loc.gov/MARC21/slim"
_NS = {"m": MARC}
_TOTAL = re.compile(rb"<!--\s*Search-Engine-Total-Number-Of-Results:\s*(\d+)\s*-->")
VOTES = {"Y", "N", "A", "X"}


def record_url(base_url: str, record_id: str) -> str:
    """Return a record's address on the Library (relative, ``record/{id}``, without a base)."""
    return f"{base_url.rstrip('/')}/record/{record_id}" if base_url else f"record/{record_id}"


@dataclass
class SearchPage:
    """One page of search results: the total number of hits and the records on it."""

    total: int
    records: list[VotingRecord]
    errors: list[ParseError]


def check_roll_call(source: str, where: str, key: str, votes: list[MemberVoteRecord],
                    totals: Tally, total_members: int | None) -> list[Finding]:
    """Return a finding if a roll call does not add up to the totals its record gives."""
    cast = Counter(m.vote for m in votes)
    counted = {v: cast[v] for v in VOTES}
    given = {"Y": totals.yes, "N": totals.no, "A": totals.abstain, "X": totals.non_voting}
    if counted == given and (total_members is None or total_members == len(votes)):
        return []
    return [Finding(
        source, where, "roll_call_disagrees_with_totals", Severity.ERROR,
        f"{key}: the roll call counts {counted['Y']}-{counted['N']}-{counted['A']} "
        f"({counted['X']} not voting, {len(votes)} members) but the totals say "
        f"{totals} ({totals.non_voting} not voting, {total_members} members)")]


_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                          dtd_validation=False, huge_tree=False, remove_blank_text=True)


# How an XML document's first bytes name its encoding (XML 1.0, appendix F): byte-order
# marks, then "<?" written in UTF-32 or UTF-16 without one.
_BYTE_ORDER = (
    (b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\x00<", "utf-32-be"), (b"<\x00\x00\x00", "utf-32-le"),
    (b"\xef\xbb\xbf", "utf-8-sig"), (b"\xfe\xff", "utf-16-be"), (b"\xff\xfe", "utf-16-le"),
    (b"\x00<\x00?", "utf-16-be"), (b"<\x00?\x00", "utf-16-le"),
)
_DECLARED = re.compile(rb"^<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']")


def xml_text(body: bytes, *, source: str, record: str) -> str:
    """Return an XML document as text, decoded as its byte-order mark, its first bytes or its
    declaration say: what a parser reads, so that checks on it see what the parser will."""
    encoding = next((name for mark, name in _BYTE_ORDER if body.startswith(mark)), None)
    if encoding is None:
        declared = _DECLARED.match(body.lstrip()[:200])
        encoding = declared.group(1).decode("ascii") if declared else "utf-8"
    try:
        return body.decode(encoding, errors="replace")
    except LookupError:
        raise ParseError(source, record, f"XML in an unknown encoding {encoding!r}") from None


def safe_xml(body: bytes, *, source: str, record: str) -> etree._Element:
    """Parse XML with no DTD, no entity expansion and no network; refuse anything else.

    The refusal of DOCTYPE and entity declarations reads the document as decoded (UTF-16 and
    UTF-32 too, with or without a byte-order mark), and is checked again on the parsed tree.
    """
    text = xml_text(body, source=source, record=record)
    head = text[:4096].lstrip("\ufeff \t\r\n")
    if not head:
        raise ParseError(source, record, "empty response where MARCXML was expected")
    if re.search(r"<!DOCTYPE|<!ENTITY", text, re.IGNORECASE):
        raise ParseError(source, record, "XML with a DOCTYPE or entity declarations is refused")
    if head[:1] != "<" or re.match(r"<(?:!--.*?-->\s*)*<?\s*html", head, re.IGNORECASE | re.S):
        raise ParseError(source, record, "expected MARCXML, got HTML or text (a bot wall or "
                                         "an error page?)")
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise ParseError(source, record, f"malformed XML: {exc}") from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise ParseError(source, record, "XML with a DOCTYPE or entity declarations is refused")
    return root


_CONTROLFIELD = f"{{{MARC}}}controlfield"
_DATAFIELD = f"{{{MARC}}}datafield"
_SUBFIELD = f"{{{MARC}}}subfield"
_MEMBER_CODE = re.compile(r"[A-Z]{3}")


def _subfields(field_: etree._Element) -> dict[str, str]:
    """Return a data field's subfields as {code: text of the first subfield with that code},
    stripped and in NFC: a later subfield with the same code is never read."""
    out: dict[str, str] = {}
    for sub in field_.iterchildren(_SUBFIELD):  # the tag is matched in C
        code = sub.get("code", "")
        if code not in out:
            text = sub.text
            if text:
                text = text.strip()
                out[code] = text if text.isascii() else nfc(text)  # ASCII is NFC already
            else:
                out[code] = ""
    return out


def record_fields(element: etree._Element
                  ) -> tuple[dict[str, str], dict[str, list[dict[str, str]]]]:
    """Return a ``<record>``'s control fields ({tag: text}) and data fields ({tag: [its
    subfields as {code: first text}]}); each kind of field is matched in C, no element's
    tag is read."""
    return _record_fields(element, None)


# The data fields a voting record is read from; the others (981 body, 989 collection, ...)
# are archived, not read.
_READ_TAGS = frozenset({"245", "269", "590", "791", "952", "967", "991", "993", "996"})


def _record_fields(element: etree._Element, only: frozenset[str] | None
                   ) -> tuple[dict[str, str], dict[str, list[dict[str, str]]]]:
    """``record_fields``, reading only the data fields of the tags ``only`` names (all if
    None): a field left out is never walked."""
    control = {c.get("tag"): (c.text or "").strip()
               for c in element.iterchildren(_CONTROLFIELD)}
    data: dict[str, list[dict[str, str]]] = {}
    for child in element.iterchildren(_DATAFIELD):
        tag = child.get("tag", "")
        if only is not None and tag not in only:
            continue
        fields = data.get(tag)
        if fields is None:
            data[tag] = [_subfields(child)]
        else:
            fields.append(_subfields(child))
    return control, data


def _first(fields: dict[str, str], code: str) -> str | None:
    return fields.get(code) or None


def _number(text: str | None, what: str, record: str) -> int | None:
    if text is None or text == "":
        return None
    return whole_number(text, source=SOURCE_VOTES, record=record, what=what)


def parse_record(element: etree._Element, *, base_url: str = "", raw: bytes | None = None
                 ) -> VotingRecord:
    """Read one ``<record>`` element into a VotingRecord; raise ParseError if it cannot be.

    ``raw`` is the element's XML when the caller has it already (the record as archived).
    """
    control, data = _record_fields(element, _READ_TAGS)
    record_id = checked_record_id(control.get("001"), source=SOURCE_VOTES)
    where = f"record {record_id}"

    def one(tag: str, code: str = "a") -> str | None:
        for fields in data.get(tag, []):
            value = _first(fields, code)
            if value:
                return value
        return None

    findings: list[Finding] = []
    resolution = None
    if one("791"):
        resolution = checked_resolution(one("791") or "", source=SOURCE_VOTES, record=where)
    draft = one("993")
    if draft:
        checked_symbol(draft, source=SOURCE_VOTES, record=where, what="draft (993)")
    meeting_text = one("952")
    meeting = None
    if meeting_text:
        try:
            meeting = normalise_meeting_record(meeting_text) if "PV." in meeting_text else (
                meeting_text)
        except SymbolError as exc:
            raise ParseError(SOURCE_VOTES, where, str(exc)) from None
        if "PV." in meeting_text:
            checked_symbol(meeting, source=SOURCE_VOTES, record=where,
                           what="meeting record (952)")
    date = one("269")
    if date:
        iso_date(date, source=SOURCE_VOTES, record=where, what="vote date (269)")
    if resolution is None and draft is None:
        raise ParseError(SOURCE_VOTES, where, "neither a resolution (791) nor a draft (993)")
    note = (one("590") or "").lower()
    without_vote = "without" in note or "acclamation" in note or "consensus" in note
    agenda_parts = [_first(f, "c") or _first(f, "d") for f in data.get("991", [])]
    agenda = " / ".join(dict.fromkeys(p for p in agenda_parts if p)) or None

    votes: list[MemberVoteRecord] = []
    seen: set[str] = set()
    members = known_members()
    for fields in data.get("967", []):
        code = (fields.get("c") or "").upper()
        if code not in members:  # every known code is three letters: else, which is wrong
            if not _MEMBER_CODE.fullmatch(code):
                raise ParseError(SOURCE_VOTES, where, f"member code (967 $c) {code!r} is "
                                                      "not a three-letter code")
            raise ParseError(SOURCE_VOTES, where, f"unknown member code {code!r}")
        if code in seen:
            raise ParseError(SOURCE_VOTES, where, f"member {code} votes twice")
        seen.add(code)
        vote = (fields.get("d") or "X").upper()
        if vote not in VOTES:
            raise ParseError(SOURCE_VOTES, where, f"unknown vote {vote!r} for {code}")
        sequence = fields.get("a")
        votes.append(MemberVoteRecord(code, vote, fields.get("e") or None,
                                      fields.get("b") or None,
                                      int(sequence) if sequence and sequence.isascii()
                                      and sequence.isdigit() and len(sequence) < 6 else None))
    year = int(date[:4]) if date else None
    if year is not None and len(votes) > council_size(year):
        raise ParseError(SOURCE_VOTES, where, f"the roll call names {len(votes)} members on a "
                                              f"Council of {council_size(year)}")

    totals = None
    total_members = None
    counted_any = False  # the 996 counts votes, whether or not they are kept
    if data.get("996"):
        t = data["996"][0]
        yes, no, abstain, non_voting = (_number(_first(t, c), f"996 ${c}", where)
                                        for c in "bcde")
        total_members = _number(_first(t, "f"), "996 $f", where)
        if None not in (yes, no, abstain):
            totals = Tally(yes or 0, no or 0, abstain or 0, non_voting or 0)
            counted_any = totals.cast > 0
            # The same limit as the tables': no more votes than seats (11 until 1965, 15 since).
            seats_year = year if year is not None else (
                int(resolution[-5:-1]) if resolution else 9999)
            checked, problems = tally_within_council(
                totals, year=seats_year, source=SOURCE_VOTES, record=where,
                what=f"{resolution or draft} (996)")
            if checked is None:
                findings.extend(problems)
                totals = None
                total_members = None
    key = resolution or draft
    if data.get("967") and all(not _first(f, "d") for f in data["967"]) and (
            not counted_any):
        # No member's vote given and no vote counted: an adoption without a vote, whatever
        # 590 says. Its fifteen empty 967 fields are not fifteen members "not voting".
        without_vote = True
    if totals is None and not findings:
        findings.append(Finding(SOURCE_VOTES, where, "no_totals", Severity.INFO,
                                f"{key}: the record gives no totals (996)"))
    elif totals is not None and votes and not without_vote:
        findings.extend(check_roll_call(SOURCE_VOTES, where, key or "", votes, totals,
                                        total_members))
    return VotingRecord(
        record_id=record_id, modified=control.get("005"),
        url=record_url(base_url, record_id),
        title=one("245"), date=date, resolution=resolution, draft=draft, meeting=meeting,
        agenda=agenda, without_vote=without_vote, votes=votes, totals=totals,
        total_members=total_members, findings=findings,
        raw=raw if raw is not None else etree.tostring(element, encoding="utf-8"),
    )


def _records(root: etree._Element, *, source: str = SOURCE_VOTES, where: str = "page"
             ) -> list[etree._Element]:
    if root.tag == f"{{{MARC}}}record":
        return [root]
    if root.tag != f"{{{MARC}}}collection":
        raise ParseError(source, where, f"unexpected root element {root.tag!r}")
    return list(root.findall("m:record", _NS))


@dataclass
class ApiAnswer:
    """One page of the Digital Library's API search (``/api/v1/search``): the total hits, the
    ``search_id`` to send back for the next page (None when the answer gives none), and the
    records of its ``<collection>`` (none: the search has ended)."""

    total: int
    search_id: str | None
    elements: list[etree._Element]


def read_api_answer(root: etree._Element, *, source: str, url: str) -> ApiAnswer:
    """Read an API search answer (``<response>`` holding ``<total>``, ``<search_id>`` and a
    MARCXML ``<collection>``, as the Library's own sync tool reads it); refuse one without a
    whole-number total, or whose collection is not MARCXML."""
    total_text = (root.findtext("total") or "").strip()
    if not total_text.isdigit():
        raise ParseError(source, url, f"the API answer gives no total (<total> is "
                                      f"{total_text[:40]!r})")
    search_id = (root.findtext("search_id") or "").strip() or None
    collection = root.find("m:collection", _NS)
    if collection is None:
        if root.find("collection") is not None:
            raise ParseError(source, url, "the API answer's <collection> is not MARCXML (no "
                                          f"{MARC} namespace)")
        elements: list[etree._Element] = []
    else:
        elements = list(collection.findall("m:record", _NS))
    return ApiAnswer(int(total_text), search_id, elements)


def search_elements(body: bytes, *, source: str, url: str) -> tuple[int, list[etree._Element]]:
    """Return a MARCXML search page's total number of results and its record elements;
    refuse a page that is not MARCXML or gives no total. A page of the public search gives
    its total in a comment; an answer of the API search (root ``<response>``) in ``<total>``."""
    root = safe_xml(body, source=source, record=url)
    if root.tag == "response":
        answer = read_api_answer(root, source=source, url=url)
        return answer.total, answer.elements
    match = _TOTAL.search(body[:8192])
    elements = _records(root, source=source, where=url)
    if match is None:
        raise ParseError(source, url, "no Search-Engine-Total-Number-Of-Results comment")
    return int(match.group(1)), elements


def parse_search_page(body: bytes, *, url: str, base_url: str = "") -> SearchPage:
    """Parse a page of search results as the pipeline does: split it into records
    (``split_search_page``), then read each (``parse_record``); records that cannot be read
    are returned as errors."""
    page = split_search_page(body, source=SOURCE_VOTES, url=url)
    records: list[VotingRecord] = []
    errors = list(page.errors)
    for raw in page.records:
        try:
            records.append(parse_record(raw.element, base_url=base_url, raw=raw.raw))
        except ParseError as exc:
            errors.append(exc)
    return SearchPage(total=page.total, records=records, errors=errors)


def parse_record_xml(body: bytes, *, base_url: str = "", record: str = "record") -> VotingRecord:
    """Parse one record's MARCXML (as archived, or from ``/record/{id}/export/xm``)."""
    root = safe_xml(body, source=SOURCE_VOTES, record=record)
    elements = _records(root)
    if len(elements) != 1:
        raise ParseError(SOURCE_VOTES, record, f"expected one record, found {len(elements)}")
    return parse_record(elements[0], base_url=base_url)


def split_search_page(body: bytes, *, source: str, url: str) -> SplitPage:
    """Split a page of MARCXML search results into records (id, change stamp, raw XML).

    Pure, and no more than that: the records are read by the source's parser once each
    is archived. A page that is not MARCXML, or gives no total, is refused whole.
    """
    total, elements = search_elements(body, source=source, url=url)
    return _split(total, elements, source=source)


def split_api_page(body: bytes, *, source: str, url: str) -> tuple[SplitPage, str | None]:
    """Split an answer of the API search into records, as ``split_search_page`` does, and
    return the ``search_id`` that asks for the next page (None if the answer gives none)."""
    root = safe_xml(body, source=source, record=url)
    if root.tag != "response":
        raise ParseError(source, url, "expected an answer of the API search (<response> with "
                                      f"<total> and <search_id>), got <{root.tag}>")
    answer = read_api_answer(root, source=source, url=url)
    return _split(answer.total, answer.elements, source=source), answer.search_id


def _split(total: int, elements: list[etree._Element], *, source: str) -> SplitPage:
    records: list[RawRecord] = []
    errors: list[ParseError] = []
    for element in elements:
        control = {c.get("tag"): (c.text or "").strip()
                   for c in element.iterchildren(_CONTROLFIELD)}
        try:
            record_id = checked_record_id(control.get("001"), source=source)
        except ParseError as exc:
            errors.append(exc)
            continue
        records.append(RawRecord(record_id, control.get("005"),
                                 etree.tostring(element, encoding="utf-8"), element))
    return SplitPage(total, records, errors)
