"""Text from every source in Unicode NFC; sponsors matched on whole names; document
records judged drafts by their own fields (issue 11, classes 3 and 4)."""

from __future__ import annotations

import csv
import datetime as dt
import unicodedata
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from db.models import Finding
from scrapers.http import PoliteClient
from scrapers.undl.dataset import parse_dataset
from scrapers.undl.documents import parse_document_page, parse_document_xml, sponsors_of
from scrapers.undl.parse import parse_record_xml
from tests.conftest import Replay
from tests.test_sync import serve_fixtures
from tests.undl_replay import Document, Record, Vote, from_pcrc_csv
from tracker.settings import Settings
from tracker.sync import sync

PCRC = Path("pcrc_unsc_dataset") / "undl_export_089_B02_security_council.csv"
DECOMPOSED = unicodedata.normalize("NFD", "Côte d'Ivoire")  # "o" + U+0302
COMPOSED = "C\u00f4te d'Ivoire"


def collection(*documents: Document) -> bytes:
    return ('<!-- Search-Engine-Total-Number-Of-Results: 1 -->'
            '<collection xmlns="http://www.loc.gov/MARC21/slim">'
            + "".join(d.xml() for d in documents) + "</collection>").encode()


def pcrc_row(shared_data: Path, symbol: str) -> Document:
    return next(d for d in from_pcrc_csv(shared_data / PCRC) if d.symbol == symbol)


# --- class 3: text in NFC, sponsors on whole names -------------------------------------

def test_document_text_leaves_the_parser_in_nfc() -> None:
    """Titles, sponsors and bodies must come out in NFC, whatever form the record used."""
    body = collection(Document(
        "1", "S/2003/783", descriptive=f"Draft resolution [on ECOWAS forces in {DECOMPOSED}]",
        sponsors=DECOMPOSED, bodies=[f"UN Mission in {DECOMPOSED}"]))
    record = parse_document_xml(body)
    assert record is not None
    assert record.title == f"Draft resolution [on ECOWAS forces in {COMPOSED}]"
    assert record.sponsors_text == COMPOSED and record.bodies == [f"UN Mission in {COMPOSED}"]
    assert record.sponsors == ["CIV"] and record.findings == []


def test_voting_record_and_dataset_text_in_nfc() -> None:
    """The voting records' and the dataset's titles and agenda must be NFC too."""
    xml = Record("9", "2003-08-04", "S/RES/1498(2003)", f"Situation in {DECOMPOSED}",
                 [Vote("CIV", "Y", DECOMPOSED)], None, agenda=f"{DECOMPOSED} situation").xml()
    record = parse_record_xml(('<collection xmlns="http://www.loc.gov/MARC21/slim">' + xml
                               + "</collection>").encode())
    assert record.title == f"Situation in {COMPOSED}"
    assert record.agenda == f"{COMPOSED} situation" and record.votes[0].name == COMPOSED
    header = ("undl_id,ms_code,ms_name,permanent_member,ms_vote,date,resolution,draft,meeting,"
              "description,agenda,subjects,vote_note,total_yes,total_no,total_abstentions,"
              "total_non_voting,total_ms,modality,undl_link\n")
    row = (f'9,CIV,"{DECOMPOSED}",False,Y,2003-08-04,S/RES/1498(2003),,S/PV.4799,'
           f'"Situation in {DECOMPOSED}","{DECOMPOSED}",,,1,0,0,0,1,Vote,\n')
    records, errors = parse_dataset((header + row).encode())
    assert errors == []
    assert records[0].title == f"Situation in {COMPOSED}" and records[0].agenda == COMPOSED
    assert records[0].votes[0].name == COMPOSED


@pytest.mark.parametrize(
    ("text", "codes", "unknown"),
    [
        # S/2011/650 writes the United Kingdom's name short: "Northern Ireland" is not Ireland.
        ("Spain, Ukraine, United Kingdom and Northern Ireland and United States of America",
         ["ESP", "UKR", "GBR", "USA"], ["Northern Ireland"]),
        # S/2003/1100, S/3666: a misspelt long name keeps the United Kingdom, not Ireland.
        ("Spain and United Kingdom of Britain and Northern Ireland",
         ["ESP", "GBR"], ["of Britain and Northern Ireland"]),
        ("France and United Kingdom of Great Birtain and Northern Ireland",
         ["FRA", "GBR"], ["of Great Birtain and Northern Ireland"]),
        # S/2006/201: the bracketed rest of the name is not a sponsor either.
        ("Slovakia, United Kingdom of Great Britain [and Northern Ireland] and the United "
         "States of America", ["SVK", "GBR", "USA"], ["[and Northern Ireland]"]),
        # A name after a list item without its comma is still a whole name.
        ("Argentina, Burundi, Japan Nicaragua, Sierra Leone and Somalia",
         ["ARG", "BDI", "JPN", "NIC", "SLE", "SOM"], []),
        ("Benin, Mauritius and the Socialist People's Libyan Arab Jamahiriya",
         ["BEN", "MUS", "LBY"], []),
        (DECOMPOSED, ["CIV"], []),
        (f"{DECOMPOSED}, Equatorial Guinea and France", ["CIV", "GNQ", "FRA"], []),
        ("Ireland and Norway", ["IRL", "NOR"], []),
    ],
)
def test_sponsor_names_match_whole_names(text: str, codes: list[str], unknown: list[str]) -> None:
    """A name inside a longer name must not yield a member; decomposed text must match."""
    assert sponsors_of(text) == (codes, unknown)


def test_real_sponsor_lists_of_s_2011_650_and_s_2003_783(shared_data: Path) -> None:
    """The Library's own records: no Ireland in S/2011/650; Côte d'Ivoire kept in S/2003/783."""
    s2011 = parse_document_xml(collection(pcrc_row(shared_data, "S/2011/650")))
    assert s2011 is not None
    assert s2011.sponsors == ["DNK", "FRA", "GAB", "DEU", "GRC", "IND", "ITA", "LBN", "NGA",
                              "NOR", "PRT", "RUS", "ESP", "UKR", "GBR", "USA"]
    assert [f.kind for f in s2011.findings] == ["unknown_sponsor"]
    assert "'Northern Ireland'" in s2011.findings[0].message
    s2003 = parse_document_xml(collection(pcrc_row(shared_data, "S/2003/783")))
    assert s2003 is not None and s2003.sponsors == ["CIV"] and s2003.findings == []
    assert s2003.sponsors_text == COMPOSED


def test_no_real_sponsor_list_yields_ireland_from_the_uk(shared_data: Path) -> None:
    """Across the whole export, Ireland must be a sponsor only where the list names it."""
    with (shared_data / PCRC).open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["245__c"]]
    wrong = [r["191__a"] for r in rows if "IRL" in sponsors_of(r["245__c"])[0]
             and not any(part.strip().startswith("Ireland")
                         for part in r["245__c"].replace(" and ", ",").split(","))]
    assert wrong == []


# --- class 4: a record's type from its fields ------------------------------------------

@pytest.mark.parametrize(
    ("document", "sponsors"),
    [
        # S/1759: titled by its subject, "draft resolution" in 245 $b, the sponsor in $c.
        (Document("476538", "S/1759",
                  title="Complaint of bombing by air forces of the territory of China :",
                  subtitle="draft resolution /", sponsors="Union of Soviet Socialist Republics"),
         ["SUN"]),
        # The same as the Library's export gives it (no 245 $b): the sponsor says so.
        (Document("476538", "S/1759",
                  title="Complaint of bombimg by air forces of the territory of China :",
                  sponsors="Union of Soviet Socialist Republics"), ["SUN"]),
        (Document("630757", "S/4733/Rev.1", title="Revised joint draft resolution /",
                  descriptive="Revised joint draft resolution [on assassination of political "
                              "leaders of the Congo]",
                  sponsors="Ceylon, Liberia and United Arab Republic"), ["LKA", "LBR", "EGY"]),
        (Document("2", "S/3000", title="Joint draft resolution :", sponsors="France and Norway"),
         ["FRA", "NOR"]),
        (Document("3", "S/3001", title="Revised draft resolution", sponsors="Iran"), ["IRN"]),
        (Document("4", "S/3002", title="[Draft] resolution on the India-Pakistan question /",
                  sponsors="submitted jointly by the representatives of Belgium and Canada"),
         ["BEL", "CAN"]),
        (Document("5", "S/17000", title="Lebanon :", record_type="B02"), []),
        (Document("6", "S/3545", title="Admission of new members :",
                  sponsors="France, United Kingdom of Great Britain and Northern Ireland"),
         ["FRA", "GBR"]),
    ],
)
def test_drafts_are_recognised_by_their_fields(document: Document, sponsors: list[str]) -> None:
    """A draft titled by subject or sponsor, "Joint" or "Revised", must be read as a draft."""
    record = parse_document_xml(collection(document))
    assert record is not None and record.symbol == document.symbol
    assert record.sponsors == sponsors


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (Document("7", "S/2003/880", title="Letter dated 2003/09/12 from the Permanent "
                  "Representative of Peru", record_type="B02"),
         "its title names another kind of document: 'Letter dated 2003/09/12 from the "
         "Permanent Representative of Peru'"),
        (Document("8", "S/12990", title="Note /", sponsors="by the Secretary-General.",
                  record_type="B02"),
         "its title names another kind of document: 'Note /'"),
        (Document("9", "S/4740", title="Amendments to joint draft resolution (S/4733/Rev.1) /",
                  sponsors="United States of America"),
         "its title names another kind of document: 'Amendments to joint draft resolution "
         "(S/4733/Rev.1) /'"),
        (Document("10", "S/13254", title="Special report of the Secretary-General"),
         "its title names another kind of document: 'Special report of the Secretary-General'"),
        (Document("11", "S/2000/1", title="Draft resolution /", record_type="B01"),
         "its record type (089 $b) is B01, not B02 (draft resolutions)"),
        (Document("12", "S/12057", title="Japan :"),
         "neither its title ('Japan :') nor its record type (089) nor its sponsors (245 $c) "
         "say it is a draft resolution"),
    ],
)
def test_records_that_are_not_drafts_are_refused_with_a_reason(document: Document,
                                                               reason: str) -> None:
    """Letters, notes, reports and amendments must be skipped, and the page must say why."""
    page = parse_document_page(collection(document), url="page")
    assert page.records == [] and page.skipped == 1
    assert page.refused == {document.symbol: reason}


def test_real_old_drafts_are_read_from_the_export(shared_data: Path) -> None:
    """S/1759 and S/4733/Rev.1, refused before for their titles, must give their sponsors."""
    s1759 = parse_document_xml(collection(pcrc_row(shared_data, "S/1759")))
    assert s1759 is not None and s1759.sponsors == ["SUN"]
    rev = parse_document_xml(collection(pcrc_row(shared_data, "S/4733/Rev.1")))
    assert rev is not None and rev.sponsors == ["LKA", "LBR", "EGY"]
    assert parse_document_xml(collection(pcrc_row(shared_data, "S/4740"))) is None
    assert parse_document_xml(collection(pcrc_row(shared_data, "S/12990"))) is None


def test_a_lookup_that_finds_no_draft_record_says_why(engine: Engine, replay: Replay,
                                                      settings: Settings) -> None:
    """A draft the tables know whose record by symbol is a letter: a finding, no sponsors."""
    library = serve_fixtures(replay)
    known = [d for d in library.documents if d[0] != "S/2022/431"]
    letter = Document("99", "S/2022/431", title="Letter dated 2022/05/26 from the Permanent "
                      "Representative of the United States", record_type="B02")
    library.documents = [*known, (letter.symbol, letter.record_id, letter.xml().encode())]
    settings = settings.model_copy(update={"un_org_url": replay.url, "undl_url": replay.url,
                                           "press_url": replay.url, "docs_url": replay.url})
    sync(engine, settings, today=dt.date(2022, 6, 1), client=PoliteClient(requests_per_second=0))
    with Session(engine) as session:
        found = session.exec(select(Finding).where(Finding.kind == "not_a_draft_record")).all()
    assert [(f.record, f.severity) for f in found] == [("S/2022/431", "info")]
    assert "is not a draft resolution's (its title names another kind of document: " \
        "'Letter dated 2022/05/26" in found[0].message
