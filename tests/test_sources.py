"""One Source per UN source: archive before parse, the registry, draft lookups in batches."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, event, select
from sqlmodel import Session

from council.records import Finding as FindingRecord
from council.records import ParseError, Severity
from db.models import Draft, Finding, SymbolLookup, VoteEvent
from db.store import store_findings_of
from db.upsert import Counts
from scrapers.archive import ArchivedPage, RawArchive, RecordArchive
from scrapers.http import PoliteClient, Response
from scrapers.source import Page, PageSource, Plan, SyncState
from scrapers.undl import parse as undl_parse
from tests.conftest import Replay
from tests.undl_replay import DigitalLibrary, Document, Record, Vote
from tracker.settings import Settings
from tracker.sources import REGISTRY, SOURCES, Registered
from tracker.sync import open_database, rebuild, sync

COUNCIL_2022 = ("CHN", "FRA", "RUS", "GBR", "USA", "BRA", "JPN", "IND", "KEN", "MEX", "NOR",
                "IRL", "GAB", "GHA", "ARE")
REAL_2722 = Path("undl_records") / "record_4033397_S-RES-2722(2024)_vote.marcxml.xml"
TODAY = dt.date(2024, 6, 1)


def quiet_client() -> PoliteClient:
    return PoliteClient(requests_per_second=0, max_attempts=2, sleep=lambda _: None)


def adopted(n: int, record_id: str) -> Record:
    """Resolution 2600 + n (2022), adopted 15-0-0, in the shape of the real 2722 record."""
    return Record(record_id, f"2022-03-{n + 1:02d}", f"S/RES/{2600 + n}(2022)", f"res {n}",
                  [Vote(c, "Y", c) for c in COUNCIL_2022], (15, 0, 0, 0, 15),
                  meeting=f"S/PV.{9000 + n}")


def tallies(engine: Engine) -> dict[str, tuple[int | None, int | None, int | None]]:
    with Session(engine) as session:
        return {e.key: (e.yes, e.no, e.abstain)
                for e in session.execute(select(VoteEvent)).scalars()}


def refuse(monkeypatch: pytest.MonkeyPatch, record_id: str) -> None:
    """Make the voting-record parser refuse one record, as a parser with a bug would."""
    real = undl_parse.parse_record

    def parse_record(element, **kwargs):  # type: ignore[no-untyped-def]
        record = real(element, **kwargs)
        if record.record_id == record_id:
            raise ParseError(undl_parse.SOURCE_VOTES, f"record {record_id}",
                             "a roll call this parser cannot read yet")
        return record

    monkeypatch.setattr(undl_parse, "parse_record", parse_record)


# --- archive before parse -----------------------------------------------------------------


def test_a_record_the_parser_refuses_is_archived_and_rebuild_stores_it_once_read(
        engine: Engine, replay: Replay, settings: Settings,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A record the parser refuses must be named, store nothing, and stay archived as the
    Library wrote it; once the parser reads it, `rebuild` (no network) must store it."""
    DigitalLibrary([adopted(n, str(500 + n)) for n in range(3)]).serve(replay)
    settings = settings.model_copy(update={"undl_url": replay.url, "press_url": replay.url,
                                           "docs_url": replay.url})
    refuse(monkeypatch, "501")
    summary = sync(engine, settings, sources=["voting-records"], client=quiet_client(),
                   today=TODAY)
    assert summary.sources["voting-records"].records_refused == ["record 501"]
    assert summary.problems == ["undl-votes: record 501: a roll call this parser cannot read yet"]
    assert set(tallies(engine)) == {"S/RES/2600 (2022)", "S/RES/2602 (2022)"}
    with RecordArchive(settings.raw_dir, "undl-votes") as archive:
        kept = archive.load("501")
        assert kept is not None and kept.url == f"{replay.url}/record/501"
        assert b'<controlfield tag="001">501</controlfield>' in kept.body
        assert archive.count() == 3

    monkeypatch.undo()  # the parser is fixed
    rebuilt = rebuild(engine, settings)
    assert rebuilt.ok, rebuilt.problems
    assert tallies(engine) == {f"S/RES/{2600 + n} (2022)": (15, 0, 0) for n in range(3)}


def test_the_real_2722_record_refused_then_rebuilt(
        shared_data: Path, engine: Engine, replay: Replay, settings: Settings,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The real record of resolution 2722 (2024), refused by a parser, must be archived
    byte for byte as the search page held it and stored by `rebuild` once read: 11-0-4."""
    body = (shared_data / REAL_2722).read_bytes()
    DigitalLibrary([("2024-01-10", "4033397", body)]).serve(replay)
    settings = settings.model_copy(update={"undl_url": replay.url, "press_url": replay.url,
                                           "docs_url": replay.url})
    refuse(monkeypatch, "4033397")
    summary = sync(engine, settings, sources=["voting-records"], client=quiet_client(),
                   today=TODAY)
    assert summary.sources["voting-records"].records_refused == ["record 4033397"]
    assert tallies(engine) == {}
    with RecordArchive(settings.raw_dir, "undl-votes") as archive:
        kept = archive.load("4033397")
    assert kept is not None
    assert b'<controlfield tag="001">4033397</controlfield>' in kept.body
    assert b"S/RES/2722(2024)" in kept.body

    monkeypatch.undo()
    assert rebuild(engine, settings).ok
    assert tallies(engine) == {"S/RES/2722 (2024)": (11, 0, 4)}


def test_a_search_page_is_archived_before_it_is_parsed(
        engine: Engine, replay: Replay, settings: Settings) -> None:
    """A search page the splitter refuses (no total) must fail, store no record, and be
    kept in the raw archive as it was served."""
    page = (b'<collection xmlns="http://www.loc.gov/MARC21/slim">'
            + adopted(0, "500").xml().encode() + b"</collection>")
    replay.pages["/search"] = page
    settings = settings.model_copy(update={"undl_url": replay.url, "press_url": replay.url,
                                           "docs_url": replay.url})
    summary = sync(engine, settings, sources=["voting-records"], client=quiet_client(),
                   today=TODAY)
    assert summary.sources["voting-records"].pages_failed == ["jrec=1"]
    assert summary.problems[0].endswith("no Search-Engine-Total-Number-Of-Results comment")
    archived = RawArchive(settings.raw_dir).load("undl-votes-search", "jrec-1")
    assert archived is not None and archived.body == page
    with RecordArchive(settings.raw_dir, "undl-votes") as records:
        assert records.count() == 0
    assert tallies(engine) == {}


def test_a_search_page_keeps_its_newest_copy_only(
        engine: Engine, replay: Replay, settings: Settings) -> None:
    """A search page shifts with every new record, and its records are archived one by
    one: the raw archive keeps its newest copy, not a history of every shift."""
    settings = settings.model_copy(update={"undl_url": replay.url, "press_url": replay.url,
                                           "docs_url": replay.url})
    library = DigitalLibrary([adopted(0, "500")])
    library.serve(replay)
    sync(engine, settings, sources=["voting-records"], client=quiet_client(), today=TODAY)
    library = DigitalLibrary([adopted(0, "500"), adopted(1, "501")])
    library.serve(replay)
    summary = sync(engine, settings, sources=["voting-records"], client=quiet_client(),
                   today=TODAY, full=True)
    assert summary.ok, summary.problems
    archived = RawArchive(settings.raw_dir).load("undl-votes-search", "jrec-1")
    assert archived is not None and b"<controlfield tag=\"001\">501<" in archived.body
    folder = settings.raw_dir / "undl-votes-search"
    assert sorted(p.name for p in folder.rglob("*")) == ["jrec-1.body", "jrec-1.json"]


# --- draft lookups in batches -------------------------------------------------------------


def lookup_sync(tmp_path: Path, replay: Replay, settings: Settings, drafts: list[str]
                ) -> tuple[int, Engine, DigitalLibrary]:
    """Sync the documents of a Library that knows S/2022/1 and whose tables name
    ``drafts`` too; return the transactions committed by the documents sync."""
    engine = create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    library = DigitalLibrary([], [Document("1", "S/2022/1", sponsors="France")])
    library.serve(replay)
    settings = settings.model_copy(update={"undl_url": replay.url, "press_url": replay.url,
                                           "docs_url": replay.url,
                                           "data_dir": tmp_path / "data"})
    open_database(engine)
    with Session(engine) as session:  # drafts the tables know
        session.add_all(Draft(symbol=s, source_url="t",
                              fetched_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
                        for s in drafts)
        session.commit()
    commits: list[int] = []
    event.listen(engine, "commit", lambda _: commits.append(1))
    summary = sync(engine, settings, sources=["documents"], client=quiet_client(), today=TODAY)
    assert summary.ok, summary.problems
    return len(commits), engine, library


def test_draft_lookups_are_stored_in_batches(tmp_path: Path, replay: Replay,
                                            settings: Settings) -> None:
    """Asking for many drafts by symbol must not cost a transaction each: nine misses
    commit as many transactions as one; each is still asked once and remembered."""
    one, _, _ = lookup_sync(tmp_path / "one", replay, settings, ["S/2022/2"])
    nine, engine, library = lookup_sync(tmp_path / "nine", replay, settings,
                                        [f"S/2022/{n}" for n in range(2, 11)])
    assert nine == one
    asked = sorted(q["p"] for q in library.searches if q.get("p", "").startswith("191__a:"))
    assert asked == sorted(f'191__a:"S/2022/{n}"' for n in range(2, 11))
    with Session(engine) as session:
        misses = session.execute(select(SymbolLookup.symbol).where(
            SymbolLookup.source == "undl-documents", SymbolLookup.record_id.is_(None))
        ).scalars().all()
    assert sorted(misses) == sorted(f"S/2022/{n}" for n in range(2, 11))
    answer = RawArchive(tmp_path / "nine" / "data" / "raw").load("undl-documents-lookup",
                                                                  "S_2022_5")
    assert answer is not None and b"Search-Engine-Total-Number-Of-Results: 0" in answer.body


class LookupOnlyLibrary(DigitalLibrary):
    """A Library whose search pages leave out some drafts: they are found only by symbol."""

    def __init__(self, documents: list[Document], hidden: set[str]) -> None:
        super().__init__([], documents)
        self.hidden = hidden

    def search(self, handler):  # type: ignore[no-untyped-def]
        if "p=191__a" in handler.path:  # a lookup by symbol
            return super().search(handler)
        every = self.documents
        self.documents = [d for d in every if d[0] not in self.hidden]
        try:
            return super().search(handler)
        finally:
            self.documents = every


def test_a_lookup_answer_the_parser_refuses_is_archived_and_rebuilt_once_read(
        tmp_path: Path, replay: Replay, settings: Settings,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A draft found only by symbol whose record the parser refuses must be named, store
    nothing, and be kept in the record archive; once the parser reads it, `rebuild` (no
    network) must store it, as it does for a record of the search pages."""
    from scrapers.undl import documents as undl_documents

    engine = create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    LookupOnlyLibrary([Document("1", "S/2022/1", sponsors="France"),
                       Document("7", "S/2022/7", sponsors="Albania, United States of America")],
                      hidden={"S/2022/7"}).serve(replay)
    settings = settings.model_copy(update={"undl_url": replay.url, "press_url": replay.url,
                                           "docs_url": replay.url,
                                           "data_dir": tmp_path / "data"})
    open_database(engine)
    with Session(engine) as session:  # a draft the tables know
        session.add(Draft(symbol="S/2022/7", source_url="t",
                          fetched_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC)))
        session.commit()
    real = undl_documents.parse_document

    def parse_document(element, **kwargs):  # type: ignore[no-untyped-def]
        record = real(element, **kwargs)
        if record is not None and record.record_id == "7":
            raise ParseError(undl_documents.SOURCE_DOCUMENTS, "record 7",
                             "a record this parser cannot read yet")
        return record

    monkeypatch.setattr(undl_documents, "parse_document", parse_document)
    summary = sync(engine, settings, sources=["documents"], client=quiet_client(), today=TODAY)
    assert summary.sources["documents"].records_refused == ["record 7"]

    def sponsors() -> str | None:
        with Session(engine) as session:
            return session.execute(select(Draft.sponsors_text).where(
                Draft.symbol == "S/2022/7")).scalar_one()

    assert sponsors() is None
    with RecordArchive(settings.raw_dir, "undl-documents") as archive:
        kept = archive.load("7")
        assert kept is not None and kept.url == f"{replay.url}/record/7"
        assert b'<controlfield tag="001">7</controlfield>' in kept.body

    monkeypatch.undo()  # the parser is fixed
    rebuilt = rebuild(engine, settings)
    assert rebuilt.ok, rebuilt.problems
    assert sponsors() == "Albania, United States of America"


# --- one registry ---------------------------------------------------------------------------


@dataclass
class PressRelease:
    findings: list[FindingRecord]
    errors: list[ParseError] = field(default_factory=list)


class PressReleases(PageSource):
    """A made-up source of one page, as the press releases will be."""

    name = "press-releases"
    archive_name = "un-press"

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def plan(self, state: SyncState, *, since: int | None, until: int | None,
             today: dt.date) -> Plan:
        return Plan([Page("sc15000", "press release SC/15000")], complete=True)

    def archived(self, page_ids: list[str]) -> list[Page]:  # type: ignore[override]
        return [Page(i, f"press release {i}") for i in sorted(page_ids)]

    def fetch(self, client: PoliteClient, page: Page, archived: ArchivedPage | None
              ) -> Response:
        return client.get(f"{self.base_url}/press/en/{page.page_id}.htm")

    def parse(self, body: bytes, *, url: str, page: Page) -> PressRelease:
        return PressRelease([FindingRecord("un-press", page.page_id, "press_release",
                                           Severity.INFO, body.decode())])


def store_press(session: Session, page: PressRelease, *, url: str,
                fetched_at: dt.datetime) -> Counts:
    return store_findings_of(session, "un-press", {url: (page.findings, fetched_at)})


def test_a_new_source_is_one_registry_line(
        engine: Engine, replay: Replay, settings: Settings,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A source registered in `tracker.sources` must be synced (fetched, archived, parsed,
    stored) and rebuilt with no other change to the pipeline."""
    assert SOURCES == ("meetings", "veto-list", "voting-records", "documents", "press-releases",
                       "meeting-records")
    replay.pages["/press/en/sc15000.htm"] = b"The Security Council met."
    monkeypatch.setitem(REGISTRY, "press-releases",
                        Registered(PressReleases, lambda s: PressReleases(s.un_org_url),
                                   store_press))
    settings = settings.model_copy(update={"un_org_url": replay.url})
    summary = sync(engine, settings, sources=["press-releases"], client=quiet_client(),
                   today=TODAY)
    assert summary.ok and summary.sources["press-releases"].pages_fetched == 1
    assert RawArchive(settings.raw_dir).load("un-press", "sc15000") is not None

    def stored() -> list[tuple[str, str, str]]:
        with Session(engine) as session:
            return [(f.source, f.record, f.message) for f in session.execute(
                select(Finding).where(Finding.kind == "press_release")).scalars()]

    assert stored() == [("un-press", "sc15000", "The Security Council met.")]
    rebuilt = rebuild(engine, settings)
    assert rebuilt.ok and rebuilt.sources["press-releases"].pages_fetched == 1
    assert stored() == [("un-press", "sc15000", "The Security Council met.")]
