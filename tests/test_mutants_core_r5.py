"""Tests that kill the killable survivors of the fifth round of mutation testing (issue 18)
in council/, db/upsert.py and scrapers/http.py; the other survivors are sorted, with their
reasons, in the list of accepted survivors. Each test asserts what a caller sees.
"""

from __future__ import annotations

import datetime as dt
import gzip
import random
from collections.abc import Callable

import httpx
import pytest
from sqlalchemy import Engine, func, select

from council.mandates import load_registry, normalise_body
from db.engine import session_scope, upgrade
from db.models import Finding
from db.upsert import Counts, upsert
from scrapers.http import PoliteClient, TransientError

# --- council/mandates.py ----------------------------------------------------------------


def test_a_registry_name_that_brackets_its_resolution_must_lose_only_the_year() -> None:
    """The registry names the Counter-Terrorism Committee "(established pursuant to
    resolution 1373 (2001))": normalised, "resolution 1373 (2001)" is "resolution 1373",
    and the closing bracket follows it at once (x_normalise_body__mutmut_49 left a space)."""
    entry = load_registry().by_slug("counter-terrorism-committee")
    assert entry is not None
    assert entry.name == (
        "Counter-Terrorism Committee (established pursuant to resolution 1373 (2001))")
    assert normalise_body(entry.name) == (
        "counter-terrorism committee (established pursuant to resolution 1373)")
    assert normalise_body("Panel of Experts (Security Council resolution 1874 (2009))") == (
        "panel of experts (resolution 1874)")


# --- db/upsert.py -------------------------------------------------------------------------

SEEN = dt.datetime(2024, 3, 28, 15, 4, 5, tzinfo=dt.UTC)


def _findings(messages: list[str]) -> list[dict[str, object]]:
    return [{"source": "undl-documents", "page": "record/4033397", "record": "S/2024/255",
             "kind": "not_a_draft_record", "severity": "info", "message": m, "url": None,
             "first_seen": SEEN} for m in messages]


def test_rows_of_a_key_of_five_columns_must_be_found_again(engine: Engine) -> None:
    """A finding is known by five columns (source, page, record, kind, message); a page's
    findings share the first four, so they are looked up as ``lead = v AND message IN
    (...)``, which must list the messages, the key's last column
    (x__where_keys__mutmut_14 listed its second, the pages: nothing was found again)."""
    upgrade(engine)
    key = ("source", "page", "record", "kind", "message")
    with session_scope(engine) as session:
        ids, counts = upsert(session, Finding, _findings(["a", "b"]), key=key)
    assert counts == Counts(new=2)
    first = dict(ids)
    with session_scope(engine) as session:
        ids, counts = upsert(session, Finding, _findings(["a", "b", "c"]), key=key)
        stored = session.execute(select(func.count()).select_from(Finding)).scalar()
    assert counts == Counts(new=1, unchanged=2)
    assert stored == 3
    prefix = ("undl-documents", "record/4033397", "S/2024/255", "not_a_draft_record")
    assert {k: v for k, v in ids.items() if k[-1] != "c"} == first == {
        (*prefix, "a"): first[(*prefix, "a")], (*prefix, "b"): first[(*prefix, "b")]}


# --- scrapers/http.py ---------------------------------------------------------------------

URL = "https://library.example/page"


def _client(handler: Callable[[httpx.Request], httpx.Response], **options: object
            ) -> PoliteClient:
    options.setdefault("requests_per_second", 0)
    return PoliteClient(transport=httpx.MockTransport(handler), sleep=lambda s: None,
                        **options)  # type: ignore[arg-type]


def test_a_gzip_body_broken_past_its_first_piece_must_name_the_break() -> None:
    """A gzip body spoilt after its first kilobyte (a proxy that garbles a stream) fails
    where it is spoilt: zlib's own reason, not a gzip decoder started again on the rest
    of the body, which names a header it never saw (x_Layer_feed__mutmut_6)."""
    rng = random.Random(3)
    data = bytes(rng.getrandbits(8) for _ in range(3000)) * 20
    spoilt = bytearray(gzip.compress(data))
    for i in range(2000, 2100):
        spoilt[i] ^= 0xFF

    def handler(request: httpx.Request) -> httpx.Response:
        # the body as a server's stream brings it: a first kilobyte, then the rest
        return httpx.Response(200, headers={"Content-Encoding": "gzip"},
                              content=iter([bytes(spoilt[:1000]), bytes(spoilt[1000:])]))

    with _client(handler, max_attempts=1) as polite, pytest.raises(TransientError) as caught:
        polite.get(URL)
    assert str(caught.value) == (
        f"{URL}: connection failed: the body could not be decoded (Error -3 while "
        "decompressing data: invalid distance too far back)")
