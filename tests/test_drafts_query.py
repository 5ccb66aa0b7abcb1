"""The documents sync searches the Council's drafts only: record type ``089__b:B02``, the
Library's "Draft Resolutions and Decisions" (the Library's own export of Council drafts is
named after it: ``089_B02_-_SECURITY_COUNCIL``, asked for with ``p=089:B02`` and
``fct__2=Security Council``, see ../shared/data/pcrc_unsc_dataset/README.upstream.md), not
every Council document of "Documents and Publications"."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine, select
from sqlmodel import Session

from db.models import Draft
from scrapers.http import PoliteClient
from scrapers.undl import fetch as undl_fetch
from tests.conftest import Replay
from tests.undl_replay import DigitalLibrary, Document, from_pcrc_csv
from tracker.settings import Settings
from tracker.sync import sync

TOKEN = "k3y-0f-the-L1brary"
PCRC = Path("pcrc_unsc_dataset") / "undl_export_089_B02_security_council.csv"
# The draft resolutions among the export's first 250 records (1978-1979); the other 94 are
# notes and letters of the Secretary-General the export holds too (S/12990 "Note /").
KEPT_OF_FIRST_250 = 156


def other_documents(n: int) -> list[Document]:
    """Council documents that are not drafts, as the collection holds many: letters (B18),
    reports (B04), meeting records (B03)."""
    kinds = [("Letter dated 3 March 2022 from the Permanent Representative /", "B18"),
             ("Report of the Secretary-General /", "B04"),
             ("Provisional verbatim record of the 9000th meeting /", "B03")]
    return [Document(str(5_000_000 + i), f"S/2023/{100 + i}", title=kinds[i % 3][0],
                     record_type=kinds[i % 3][1]) for i in range(n)]


def documents_sync(engine: Engine, replay: Replay, settings: Settings,
                   documents: list[Document], *, token: str | None, page_size: int = 200
                   ) -> tuple[object, DigitalLibrary, list[dict[str, str]]]:
    library = DigitalLibrary([], documents, strict=True, api_token=TOKEN)
    library.serve(replay)
    update: dict[str, object] = {"undl_url": replay.url, "press_url": replay.url,
                                 "docs_url": replay.url, "undl_page_size": page_size}
    if token:
        update["undl_token"] = SecretStr(token)
    summary = sync(engine, settings.model_copy(update=update), sources=["documents"],
                   today=dt.date(2024, 6, 1),
                   client=PoliteClient(requests_per_second=0, max_attempts=2,
                                       sleep=lambda _: None))
    asked = [{k: v[0] for k, v in parse_qs(urlparse(path).query,
                                            keep_blank_values=True).items()}
             for path, _ in replay.requests if "search?" in path]
    return summary, library, asked


def stored_drafts(engine: Engine) -> set[str]:
    with Session(engine) as session:
        return set(session.execute(select(Draft.symbol)).scalars())


def test_the_default_drafts_query_is_record_type_b02() -> None:
    assert Settings().undl_drafts_query == "089__b:B02" == undl_fetch.DRAFTS_QUERY
    assert Settings().undl_documents_collection == "Documents and Publications"
    assert undl_fetch.search_params(1, 200, "Documents and Publications", "089__b:B02") == {
        "ln": "en", "cc": "Documents and Publications", "c": "Documents and Publications",
        "fct__2": "Security Council", "of": "xm", "rg": 200, "jrec": 1, "so": "d",
        "p": "089__b:B02"}
    # The voting records' search is as it was: no pattern.
    assert "p" not in undl_fetch.search_params(1)


@pytest.mark.parametrize("token", [None, TOKEN], ids=["public", "api"])
def test_the_documents_sync_asks_for_the_drafts_only(
        engine: Engine, replay: Replay, settings: Settings, shared_data: Path,
        token: str | None) -> None:
    """Against a Library that answers what the query asks for, the first documents sync must
    fetch the drafts (the real records of the Library's B02 export) and none of the other
    documents of the collection: its pages hold drafts only, on either route."""
    drafts = from_pcrc_csv(shared_data / PCRC)[:250]
    others = other_documents(400)
    summary, _, asked = documents_sync(engine, replay, settings, [*drafts, *others],
                                       token=token)
    assert summary.ok, summary.problems[:3]
    walk = [q for q in asked if not q.get("p", "").startswith("191__a:")]
    assert walk[0]["p"] == "089__b:B02" and walk[0]["cc"] == "Documents and Publications"
    assert walk[0]["fct__2"] == "Security Council"
    # 250 records: two pages of 200, whichever route; the 400 other documents never sent.
    assert len(walk) == 2
    source = summary.sources["documents"]
    assert source.records == 250
    # The export holds some records that are not draft resolutions (notes, letters typed B02):
    # the parser still skips those, by their own fields.
    kept = stored_drafts(engine)
    assert not kept & {d.symbol for d in others}
    assert len(kept) == KEPT_OF_FIRST_250


def test_the_drafts_query_is_a_setting(engine: Engine, replay: Replay,
                                       settings: Settings) -> None:
    """TRACKER_UNDL_DRAFTS_QUERY is what the sync sends as the pattern."""
    drafts = [Document("10", "S/2022/431", title="Draft resolution /", record_type="B02",
                       sponsors="United States of America")]
    library = DigitalLibrary([], [*drafts, *other_documents(3)], strict=True)
    library.serve(replay)
    summary = sync(engine, settings.model_copy(update={
        "undl_url": replay.url, "press_url": replay.url, "docs_url": replay.url,
        "undl_drafts_query": '089__b:B02 AND 269__a:"2022"'}), sources=["documents"],
        today=dt.date(2024, 6, 1),
        client=PoliteClient(requests_per_second=0, max_attempts=2, sleep=lambda _: None))
    assert [q.get("p") for q in library.searches] == ['089__b:B02 AND 269__a:"2022"']
    # This Library knows no such pattern: an empty answer, a problem, never "nothing new".
    assert not summary.ok and "found no documents" in summary.problems[0]
