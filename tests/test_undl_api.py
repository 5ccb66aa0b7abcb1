"""The Digital Library's API-token route (``/api/v1/search``), against a local server that
speaks it as the Library's own sync tool reads it (dag-hammarskjold-library/dlx-dl,
``dlx_dl/scripts/sync.py``, ``find_undeleted.py``): ``Authorization: Token <key>``,
``format=xml``, a ``<response>`` with ``<total>``, ``<search_id>`` and a MARCXML
``<collection>``; the next page asked for by sending the ``search_id`` back, until a page
comes back empty; 429 to wait; a refused token."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from council.records import ParseError
from db.engine import make_engine
from db.models import Draft, MemberVote, VoteEvent
from scrapers.http import PoliteClient
from scrapers.undl import fetch as undl_fetch
from scrapers.undl.parse import MARC, parse_record, split_api_page, split_search_page
from tests.conftest import Replay
from tests.undl_replay import (
    DigitalLibrary,
    Document,
    Record,
    Vote,
    _strip_declaration,
    from_pcrc_csv,
    from_scrape_csv,
    send,
)
from tracker.settings import Settings
from tracker.sync import sync

TOKEN = "k3y-0f-the-L1brary"
REAL_2722 = Path("undl_records") / "record_4033397_S-RES-2722(2024)_vote.marcxml.xml"
COUNCIL_2022 = (("CHN", "CHINA"), ("FRA", "FRANCE"), ("RUS", "RUSSIAN FEDERATION"),
                ("GBR", "UNITED KINGDOM"), ("USA", "UNITED STATES"))


def answer(total: int, search_id: str | None, records: list[bytes]) -> bytes:
    """An API search answer in the shape the Library's tool reads."""
    sid = f"<search_id>{search_id}</search_id>" if search_id is not None else ""
    return (b'<?xml version="1.0" encoding="UTF-8"?>\n<response>'
            + f"<total>{total}</total>{sid}".encode()
            + b'<collection xmlns="http://www.loc.gov/MARC21/slim">'
            + b"".join(_strip_declaration(r) for r in records) + b"</collection></response>")


def small_records(n: int) -> list[Record]:
    """``n`` adoptions in the shape of the real record, newest first by date."""
    return [Record(str(100 + i), f"2022-0{1 + i}-1{i}", f"S/RES/26{10 + i}(2022)",
                   f"Resolution {i}", [Vote(c, "Y", name) for c, name in COUNCIL_2022],
                   (5, 0, 0, 0, 5)) for i in range(n)]


def quiet_client(sleep: Callable[[float], None] = lambda _: None, attempts: int = 2
                 ) -> PoliteClient:
    return PoliteClient(requests_per_second=0, max_attempts=attempts, sleep=sleep)


def run(engine: Engine, settings: Settings, **kwargs) -> object:
    kwargs.setdefault("client", quiet_client())
    kwargs.setdefault("sources", ["voting-records"])
    return sync(engine, settings, today=dt.date(2024, 6, 1), **kwargs)


def count(engine: Engine, model: type) -> int:
    with Session(engine) as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def served(settings: Settings, replay: Replay, *, token: str | None = TOKEN,
           page_size: int = 200) -> Settings:
    update: dict[str, object] = {"undl_url": replay.url, "press_url": replay.url,
                                 "docs_url": replay.url, "undl_page_size": page_size}
    if token is not None:
        update["undl_token"] = SecretStr(token)
    return settings.model_copy(update=update)


def wall(status: int) -> Callable[[BaseHTTPRequestHandler], None]:
    def answer_(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        handler.send_header("Content-Length", "0")
        handler.end_headers()
    return answer_


def queries(replay: Replay, path: str) -> list[dict[str, str]]:
    return [{k: v[0] for k, v in parse_qs(urlparse(p).query, keep_blank_values=True).items()}
            for p, _ in replay.requests if p.startswith(path + "?")]


# --- the answer, parsed (pure) -------------------------------------------------------------


def test_an_api_answer_splits_into_the_real_record_with_its_total_and_search_id(
        shared_data: Path) -> None:
    """An API page must be read as the public page is: the same MARCXML records (here the real
    record of resolution 2722 (2024)), its total from <total>, its search_id for the next."""
    body = answer(1, "abc-123", [(shared_data / REAL_2722).read_bytes()])
    page, search_id = split_api_page(body, source="undl-votes", url="api")
    assert (page.total, search_id, [r.record_id for r in page.records]) == (1, "abc-123",
                                                                          ["4033397"])
    assert page.records[0].modified == "20240119110628.0" and page.errors == []
    record = parse_record(page.records[0].element, raw=page.records[0].raw)
    assert (record.resolution, record.date, record.totals.yes if record.totals else None) == (
        "S/RES/2722 (2024)", "2024-01-10", 11)
    # The public splitter reads the same answer the same way (the lookups use it).
    assert split_search_page(body, source="undl-votes", url="api").total == 1


def test_an_empty_api_page_is_the_end_of_the_search() -> None:
    page, search_id = split_api_page(answer(3, "abc", []), source="undl-votes", url="api")
    assert (page.total, page.records, search_id) == (3, [], "abc")
    page, search_id = split_api_page(b"<response><total>0</total><collection xmlns="
                                     b'"http://www.loc.gov/MARC21/slim"/></response>',
                                     source="undl-votes", url="api")
    assert (page.total, page.records, search_id) == (0, [], None)


@pytest.mark.parametrize(("body", "message"), [
    (b"<response><search_id>x</search_id></response>", "the API answer gives no total"),
    (b"<response><total>many</total></response>", "the API answer gives no total"),
    (b"<response><total>1</total><collection><record/></collection></response>",
     f"no {MARC} namespace"),
    (b'<!DOCTYPE r [<!ENTITY e "x">]><response><total>1</total></response>',
     "DOCTYPE or entity declarations is refused"),
    (b'<collection xmlns="http://www.loc.gov/MARC21/slim"></collection>',
     "expected an answer of the API search"),
    (b"<html><body>Just a moment...</body></html>", "expected MARCXML, got HTML"),
], ids=["no-total", "total-not-a-number", "collection-not-marc", "entities", "public-page",
        "challenge-page"])
def test_an_api_answer_that_is_not_one_is_refused(body: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message.replace("(", r"\(").replace(")", r"\)")):
        split_api_page(body, source="undl-votes", url="api")


def test_api_params_start_a_search_then_send_its_search_id_back() -> None:
    """The first page carries the pattern and an empty search_id; the next ones the
    search_id and an empty pattern (as dlx-dl's find_undeleted.py asks)."""
    first = undl_fetch.api_params(query="089__b:B02", search_id=None,
                                  collection="Documents and Publications", rg=50)
    assert first == {"ln": "en", "format": "xml", "search_id": "", "p": "089__b:B02",
                     "cc": "Documents and Publications", "c": "Documents and Publications",
                     "fct__2": "Security Council", "rg": 50, "so": "d"}
    following = undl_fetch.api_params(query="089__b:B02", search_id="s1",
                                      collection="Documents and Publications", rg=50)
    assert (following["search_id"], following["p"]) == ("s1", "")
    assert undl_fetch.api_params(query='191__a:"S/2009/301"', search_id=None) == {
        "ln": "en", "format": "xml", "search_id": "", "p": '191__a:"S/2009/301"'}


# --- a sync through the API route -------------------------------------------------------------


def test_a_sync_with_a_token_pages_the_api_by_search_id_while_the_public_search_is_walled(
        engine: Engine, replay: Replay, settings: Settings, shared_data: Path) -> None:
    """With a token, every page must come from /api/v1/search, the first asked with the
    pattern, each next one by sending back the search_id; /search (walled) is never asked;
    every record is stored, the real one among them; no archived page holds the token."""
    records: list = small_records(3)
    records.append(("2024-01-10", "4033397", (shared_data / REAL_2722).read_bytes()))
    library = DigitalLibrary(records, api_token=TOKEN)
    library.serve(replay)
    replay.pages["/search"] = wall(202)
    settings = served(settings, replay, page_size=2)
    summary = run(engine, settings)
    assert summary.ok, summary.problems
    asked = queries(replay, "/api/v1/search")
    assert [(q["search_id"], q["p"], q.get("rg")) for q in asked] == [
        ("", "", "2"), ("search-1", "", "2")]
    assert not [p for p, _ in replay.requests if p.startswith("/search")]
    assert {h.get("Authorization") for p, h in replay.requests} == {f"Token {TOKEN}"}
    assert (count(engine, VoteEvent), count(engine, MemberVote)) == (4, 3 * 5 + 15)
    assert summary.sources["voting-records"].pages_fetched == 2
    for path in settings.raw_dir.rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes()
    # The answers are archived as the public pages are, under the URL asked (no token in it).
    archived = sorted(p.name for p in (settings.raw_dir / "undl-votes-search").iterdir())
    assert archived == ["jrec-1.body", "jrec-1.json", "jrec-3.body", "jrec-3.json"]

    # A second sync starts a new search and reads it whole: the API's order is not known
    # to be newest first, so a page with nothing new is no reason to stop.
    replay.requests.clear()
    again = run(engine, settings)
    assert again.ok and [q["search_id"] for q in queries(replay, "/api/v1/search")] == [
        "", "search-2"]  # the server's second search
    assert again.sources["voting-records"].counts.new == 0


def test_an_api_page_that_comes_back_empty_before_the_total_is_a_problem(
        engine: Engine, replay: Replay, settings: Settings) -> None:
    """The search ends with an empty page: one that comes before the total is reached means
    records were not seen (dlx-dl: "Only seen/total ... were seen"), never a clean end."""
    xml = [r.xml().encode() for r in small_records(2)]
    pages = iter([answer(5, "s1", xml), answer(5, "s1", [])])

    def api(handler: BaseHTTPRequestHandler) -> None:
        send(handler, next(pages))

    replay.pages["/api/v1/search"] = api
    summary = run(engine, served(settings, replay, page_size=2))
    assert not summary.ok
    (problem,) = summary.problems
    assert "an empty page at record 3 of 5: the search ended early" in problem
    assert TOKEN not in problem
    assert count(engine, VoteEvent) == 2


def test_a_429_waits_as_retry_after_asks_then_the_sync_goes_on(
        engine: Engine, replay: Replay, settings: Settings) -> None:
    """A 429 must be waited out (Retry-After honoured by the polite client) and the page asked
    again, not reported as a failure."""
    library = DigitalLibrary(small_records(2), api_token=TOKEN)
    library.serve(replay)
    limited = {"left": 1}

    def api(handler: BaseHTTPRequestHandler) -> None:
        if limited["left"]:
            limited["left"] -= 1
            body = b'{"error": "Max 100 requests per 5 minutes"}'
            handler.send_response(429)
            handler.send_header("Retry-After", "120")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
            return
        library.api_search(handler)

    replay.pages["/api/v1/search"] = api
    slept: list[float] = []
    summary = run(engine, served(settings, replay), client=quiet_client(slept.append, 3))
    assert summary.ok, summary.problems
    assert slept == [120.0]
    assert count(engine, VoteEvent) == 2


def test_a_429_on_every_attempt_says_to_wait_and_sync_again(
        engine: Engine, replay: Replay, settings: Settings) -> None:
    replay.pages["/api/v1/search"] = wall(429)
    summary = run(engine, served(settings, replay))
    assert not summary.ok
    (problem,) = summary.problems
    assert "answered 429 (too many requests) on every attempt" in problem
    assert "Wait five minutes and sync again" in problem and TOKEN not in problem


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_token_is_an_error_naming_the_source_and_what_to_do(
        engine: Engine, replay: Replay, settings: Settings, status: int) -> None:
    """A refused token must say so (not "bot wall", not "nothing new"), tell to check
    TRACKER_UNDL_TOKEN or unset it, never quote the token, and ask the API only once."""
    if status == 401:
        DigitalLibrary(small_records(1), api_token="another-token").serve(replay)
    else:
        replay.pages["/api/v1/search"] = wall(403)
    summary = run(engine, served(settings, replay),
                  sources=["voting-records", "documents"])
    assert not summary.ok
    problems = " ".join(summary.problems)
    assert f"answered {status}: the UN Digital Library's API refused the token" in problems
    assert "Check TRACKER_UNDL_TOKEN" in problems and "unset it to use the public" in problems
    assert "/api/v1/search?" in problems and TOKEN not in problems
    assert count(engine, VoteEvent) == 0


@pytest.mark.parametrize("status", [202, 403])
def test_without_a_token_the_walled_public_search_gives_the_bot_wall_error(
        engine: Engine, replay: Replay, settings: Settings, status: int) -> None:
    """The same walled site, without a token: the public route, and its bot-wall error
    (which names the token and the dataset import as the ways past)."""
    DigitalLibrary(small_records(2), api_token=TOKEN).serve(replay)
    replay.pages["/search"] = wall(status)
    summary = run(engine, served(settings, replay, token=None))
    assert not summary.ok
    (problem,) = summary.problems
    assert "bot wall" in problem and "TRACKER_UNDL_TOKEN" in problem
    assert "import undl-dataset" in problem
    assert not [p for p, _ in replay.requests if p.startswith("/api/")]
    assert count(engine, VoteEvent) == 0


def test_the_api_route_stores_what_the_public_route_stores(
        tmp_path: Path, replay: Replay, settings: Settings, shared_data: Path) -> None:
    """The real roll calls of undl_scrape_un_data (2,600 records, 14 pages), synced once
    through each route, must give the same vote events and member votes."""
    records = from_scrape_csv(shared_data / "undl_scrape_un_data"
                              / "un_data_security_council_rows.csv")
    DigitalLibrary(records, api_token=TOKEN).serve(replay)
    stored = []
    for route, token in (("public", None), ("api", TOKEN)):
        folder = tmp_path / route
        route_settings = served(settings.model_copy(update={"data_dir": folder / "data"}),
                                replay, token=token)
        engine = make_engine(f"sqlite:///{folder / 'tracker.sqlite'}")
        run(engine, route_settings)
        with Session(engine) as session:
            stored.append((
                sorted(tuple(row) for row in session.execute(select(
                    VoteEvent.key, VoteEvent.date, VoteEvent.yes, VoteEvent.no,
                    VoteEvent.abstain, VoteEvent.non_voting)).all()),
                session.execute(select(func.count()).select_from(MemberVote)).scalar_one()))
        engine.dispose()
    assert stored[0] == stored[1]
    assert len(stored[0][0]) > 2000 and stored[0][1] > 25_000


def test_documents_and_lookups_go_through_the_api_with_a_token(
        engine: Engine, replay: Replay, settings: Settings, shared_data: Path) -> None:
    """The drafts search (with the drafts query) and a lookup by symbol must both use the
    API route with a token: here the real records of S/2009/301 and S/2022/431."""
    documents = [d for d in from_pcrc_csv(shared_data / "pcrc_unsc_dataset"
                                          / "undl_export_089_B02_security_council.csv")
                 if d.symbol in ("S/2009/301", "S/2022/431")]
    letter = Document("99", "S/2022/1", title="Letter dated 1 January 2022 /",
                      record_type="B18")
    library = DigitalLibrary([], [*documents, letter], strict=True, api_token=TOKEN)
    library.serve(replay)
    replay.pages["/search"] = wall(403)
    summary = run(engine, served(settings, replay), sources=["documents"])
    assert summary.ok, summary.problems
    (first,) = queries(replay, "/api/v1/search")
    assert (first["p"], first["search_id"], first["cc"]) == ("089__b:B02", "",
                                                             "Documents and Publications")
    with Session(engine) as session:
        stored = dict(session.execute(select(Draft.symbol, Draft.sponsors_text)).all())
    assert set(stored) == {"S/2009/301", "S/2022/431"}
    assert stored["S/2022/431"] == "United States of America"

    from tracker.sources import REGISTRY

    source = REGISTRY["documents"].build(served(settings, replay))
    with quiet_client() as client:
        response = source.look_up(client, "S/2009/301")  # type: ignore[attr-defined]
    assert response.url.startswith(f"{replay.url}/api/v1/search?")
    lookup = source.parse_lookup(response.body, url=response.url,  # type: ignore[attr-defined]
                                 symbol="S/2009/301")
    assert [r.record_id for r in lookup.records] == [documents[0].record_id]
