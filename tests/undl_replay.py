"""A local replay of the UN Digital Library's search and record endpoints, for tests.

Records are MARCXML built in the shape of the real record of resolution 2722
(2024): from the roll calls of ``undl_scrape_un_data``, from the rows of the
Library's voting dataset, or written by hand in the tests.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlparse
from xml.sax.saxutils import escape

from council.members import code_for_name
from tests.conftest import Replay

P5 = {"CHN", "FRA", "GBR", "RUS", "USA", "SUN"}


def datafield(tag: str, subfields: Iterable[tuple[str, str]], ind1: str = " ") -> str:
    """Return a MARCXML datafield."""
    inner = "".join(f'<subfield code="{c}">{escape(v)}</subfield>' for c, v in subfields)
    return f'<datafield tag="{tag}" ind1="{ind1}" ind2=" ">{inner}</datafield>'


@dataclass
class Vote:
    code: str
    vote: str  # Y N A X
    name: str


@dataclass
class Record:
    record_id: str
    date: str
    resolution: str | None
    title: str
    votes: list[Vote]
    totals: tuple[int, int, int, int, int] | None  # yes, no, abstain, non-voting, members
    meeting: str | None = None
    draft: str | None = None
    agenda: str | None = None
    note: str = "Vote"
    modified: str = "20240101000000.0"
    extra: list[str] = field(default_factory=list)

    def xml(self) -> str:
        parts = [f'<controlfield tag="001">{self.record_id}</controlfield>',
                 f'<controlfield tag="005">{self.modified}</controlfield>',
                 datafield("245", [("a", self.title)]), datafield("269", [("a", self.date)]),
                 datafield("590", [("a", self.note)])]
        if self.resolution:
            parts.append(datafield("791", [("a", self.resolution), ("b", "S/")]))
        if self.meeting:
            parts.append(datafield("952", [("a", self.meeting)]))
        for n, v in enumerate(self.votes, start=1):
            subfields = [("a", f"{n:03d}"), ("b", "P" if v.code in P5 else "R"), ("c", v.code)]
            if v.vote != "X":
                subfields.append(("d", v.vote))
            subfields.append(("e", v.name))
            parts.append(datafield("967", subfields))
        parts.append(datafield("981", [("a", "Security Council")]))
        parts.append(datafield("989", [("a", "Voting Data")]))
        if self.agenda:
            parts.append(datafield("991", [("a", "S/"), ("c", self.agenda)], ind1="3"))
        if self.draft:
            parts.append(datafield("993", [("a", self.draft)], ind1="2"))
        if self.totals:
            y, n, a, x, t = self.totals
            parts.append(datafield("996", [("b", f"{y:03d}"), ("c", f"{n:03d}"),
                                           ("d", f"{a:03d}"), ("e", f"{x:03d}"),
                                           ("f", f"{t:03d}")]))
        parts.extend(self.extra)
        return "<record>" + "".join(parts) + "</record>"


@dataclass
class Document:
    """A document record of a draft, in the shape of the Library's export."""

    record_id: str
    symbol: str
    title: str = "Draft resolution /"
    descriptive: str | None = None
    sponsors: str | None = None
    date: str | None = None
    resolution: str | None = None
    bodies: list[str] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    modified: str = "20220101000000.0"
    record_type: str | None = None  # 089 $b: B02 for the Library's records of drafts
    subtitle: str | None = None  # 245 $b ("draft resolution /" after a subject)

    def xml(self) -> str:
        parts = [f'<controlfield tag="001">{self.record_id}</controlfield>',
                 f'<controlfield tag="005">{self.modified}</controlfield>']
        if self.record_type:
            parts.append(datafield("089", [("b", self.record_type)]))
        parts.append(datafield("191", [("a", self.symbol)]))
        if self.descriptive:
            parts.append(datafield("239", [("a", self.descriptive)]))
        title = ([("a", self.title)] + ([("b", self.subtitle)] if self.subtitle else [])
                 + ([("c", self.sponsors)] if self.sponsors else []))
        parts.append(datafield("245", title))
        if self.date:
            parts.append(datafield("269", [("a", self.date)]))
        parts.extend(datafield("610", [("a", b)], ind1="2") for b in self.bodies)
        parts.extend(datafield("650", [("a", b)], ind1="1") for b in self.subjects)
        if self.resolution:
            parts.append(datafield("993", [("a", self.resolution)], ind1="3"))
        return "<record>" + "".join(parts) + "</record>"


def from_pcrc_csv(path: Path) -> list[Document]:
    """Build document records from the Library's export in ``pcrc_unsc_dataset``: the
    export of the records of type ``089__b`` B02, as its file name says."""
    documents = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if not row["191__a"] or not row["1"].isdigit():
                continue
            documents.append(Document(
                record_id=row["1"], symbol=row["191__a"], title=row["245__a"], record_type="B02",
                descriptive=row["239__a"] or None, sponsors=row["245__c"] or None,
                resolution=row["993__a"] or None,
                bodies=[b for b in row["610__a"].split("; ") if b],
                subjects=[b for b in row["650__a"].split("; ") if b]))
    return documents


def from_scrape_csv(path: Path) -> list[Record]:
    """Build records from ``undl_scrape_un_data``: one row per resolution, one column per state.

    Its quirks stay in: "ABSENT COUNT" is the abstentions, "NO-VOTE COUNT" the
    non-voting; a vote under the column "DONOTKNOW" cannot be given a member and
    is dropped (its roll call then disagrees with its totals); "CHILEs " is Chile.
    """
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        names = header[11:]
        codes: list[str | None] = []
        for name in names:
            if name.strip() == "DONOTKNOW":
                codes.append(None)
            elif name.strip() == "CHILEs":
                codes.append("CHL")
            else:
                codes.append(code_for_name(name))
        records = []
        for row in reader:
            votes = [Vote(code, vote, name.strip())
                     for code, name, vote in zip(codes, names, row[11:], strict=True)
                     if vote and code is not None]
            records.append(Record(
                record_id=row[10], date=row[1], resolution=row[3], title=row[2], votes=votes,
                totals=(int(row[8]), int(row[7]), int(row[6]), int(row[5]), int(row[4]))))
    return records


def from_dataset_csv(body: bytes) -> list[Record]:
    """Build records from rows of the Library's voting dataset (record 4055387)."""
    by_id: dict[str, Record] = {}
    for row in csv.DictReader(io.StringIO(body.decode("utf-8-sig"))):
        record = by_id.get(row["undl_id"])
        if record is None:
            record = by_id[row["undl_id"]] = Record(
                record_id=row["undl_id"], date=row["date"], resolution=row["resolution"],
                title=row["description"], votes=[], meeting=row["meeting"] or None,
                draft=row["draft"] or None, agenda=row["agenda"] or None,
                note="Vote" if row["modality"] == "Vote" else row["modality"],
                totals=(int(row["total_yes"]), int(row["total_no"]),
                        int(row["total_abstentions"]), int(row["total_non_voting"]),
                        int(row["total_ms"])))
        record.votes.append(Vote(row["ms_code"], row["ms_vote"], row["ms_name"]))
    return list(by_id.values())


class DigitalLibrary:
    """Serve ``/search`` (voting records with ``cc=Voting Data``, documents otherwise, or
    one document with ``p=191__a:"SYMBOL"``), paged newest first, and
    ``/record/{id}/export/xm``; and the API search ``/api/v1/search`` (the same searches,
    paged by ``search_id``, for the token ``api_token``: any other Authorization is 401).

    With ``strict``, a documents search answers what its pattern asks for: ``089__b:B02``
    the documents of record type B02 only, no pattern every document of the collection;
    else every document, whatever the pattern."""

    def __init__(self, records: Sequence[Record | tuple[str, str, bytes]],
                 documents: Sequence[Document | tuple[str, str, bytes]] = (), *,
                 strict: bool = False, api_token: str | None = None) -> None:
        self.items: list[tuple[str, str, bytes]] = [
            (r.date, r.record_id, r.xml().encode()) if isinstance(r, Record) else r
            for r in records]
        self.documents: list[tuple[str, str, bytes]] = [
            (d.symbol, d.record_id, d.xml().encode()) if isinstance(d, Document) else d
            for d in documents]
        self.searches: list[dict[str, str]] = []
        self.strict = strict
        self.api_token = api_token
        self.api_searches: dict[str, tuple[list[tuple[str, str, bytes]], int, int]] = {}

    def sorted_items(self) -> list[tuple[str, str, bytes]]:
        return sorted(self.items, key=lambda i: (i[0], int(i[1])), reverse=True)

    def found(self, query: dict[str, str]) -> list[tuple[str, str, bytes]]:
        """The records a search finds, newest first."""
        pattern = query.get("p", "")
        if pattern.startswith("191__a:"):
            symbol = pattern.split(":", 1)[1].strip('"')
            return [d for d in self.documents if d[0] == symbol]
        if query.get("cc") == "Voting Data":
            return self.sorted_items()
        documents = self.documents
        if self.strict and pattern == "089__b:B02":
            documents = [d for d in documents
                         if b'<datafield tag="089" ind1=" " ind2=" "><subfield code="b">B02<'
                         in d[2]]
        elif self.strict and pattern:
            documents = []
        return sorted(documents, key=lambda d: int(d[1]), reverse=True)

    def search(self, handler: BaseHTTPRequestHandler) -> None:
        query = {k: v[0] for k, v in parse_qs(urlparse(handler.path).query).items()}
        self.searches.append(query)
        items = self.found(query)
        jrec, rg = int(query.get("jrec", "1")), int(query.get("rg", "10"))
        page = items[jrec - 1 : jrec - 1 + rg]
        body = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
                + f"<!-- Search-Engine-Total-Number-Of-Results: {len(items)} -->\n".encode()
                + b'<collection xmlns="http://www.loc.gov/MARC21/slim">\n'
                + b"\n".join(_strip_declaration(x) for _, _, x in page) + b"\n</collection>\n")
        send(handler, body)

    def api_search(self, handler: BaseHTTPRequestHandler) -> None:
        """Answer as the Library's API does: ``<response>`` with ``<total>``,
        ``<search_id>`` and a ``<collection>`` of records; a new search without a
        ``search_id``, the next page of one with it; an empty collection at the end."""
        query = {k: v[0] for k, v in
                 parse_qs(urlparse(handler.path).query, keep_blank_values=True).items()}
        self.searches.append(query)
        if handler.headers.get("Authorization") != f"Token {self.api_token}":
            body = b'{"error": "Invalid token"}'
            handler.send_response(401)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
            return
        search_id = query.get("search_id", "")
        if search_id:
            items, start, rg = self.api_searches[search_id]
        else:
            items, start, rg = self.found(query), 0, int(query.get("rg", "10"))
            search_id = f"search-{len(self.api_searches) + 1}"
        page = items[start : start + rg]
        self.api_searches[search_id] = (items, start + len(page), rg)
        body = (b'<?xml version="1.0" encoding="UTF-8"?>\n<response>'
                + f"<total>{len(items)}</total><search_id>{search_id}</search_id>".encode()
                + b'<collection xmlns="http://www.loc.gov/MARC21/slim">\n'
                + b"\n".join(_strip_declaration(x) for _, _, x in page)
                + b"\n</collection></response>\n")
        send(handler, body)

    def record(self, handler: BaseHTTPRequestHandler) -> None:
        record_id = urlparse(handler.path).path.split("/")[2]
        for _, rid, xml in [*self.items, *self.documents]:
            if rid == record_id:
                send(handler, b'<collection xmlns="http://www.loc.gov/MARC21/slim">'
                      + _strip_declaration(xml) + b"</collection>")
                return
        handler.send_response(404)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    def serve(self, replay: Replay) -> None:
        replay.pages["/search"] = self.search
        replay.pages["/api/v1/search"] = self.api_search
        for _, rid, _ in [*self.items, *self.documents]:
            replay.pages[f"/record/{rid}/export/xm"] = self.record


def _strip_declaration(xml: bytes) -> bytes:
    """Return the ``<record>`` element of a record or a one-record collection."""
    start = xml.find(b"<record")
    end = xml.rfind(b"</record>")
    return xml[start : end + len(b"</record>")]


def send(handler: BaseHTTPRequestHandler, body: bytes) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "application/xml; charset=utf-8")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)
