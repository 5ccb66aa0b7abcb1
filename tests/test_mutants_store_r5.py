"""Tests that kill the killable survivors of db/store.py in the fifth round of mutation
testing (issue 18: a random sample of the module's mutants); the other survivors are sorted,
with their reasons, in the list of accepted survivors. Each test asserts the exact rows and
counts a store leaves, on a SQLite database at the migrations' head.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session

from council.records import DocumentRecord, Severity
from council.records import Finding as FindingRecord
from db.engine import make_engine, upgrade
from db.models import Draft, Finding, SourceRecord, Sponsorship
from db.store import ensure_members, store_documents
from db.upsert import Counts

T1 = dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
T2 = dt.datetime(2024, 2, 3, 4, 5, 6, tzinfo=dt.UTC)
LIBRARY = "https://digitallibrary.un.org/record"


@pytest.fixture
def tracker(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'store.sqlite'}")
    upgrade(engine)
    yield engine
    engine.dispose()


def document(record_id: str, symbol: str, *, date: str | None, sponsors: list[str],
             findings: list[FindingRecord] | None = None) -> DocumentRecord:
    return DocumentRecord(
        record_id=record_id, modified="20220527094512.0", url=f"{LIBRARY}/{record_id}",
        symbol=symbol, date=date, title="Draft resolution", sponsors_text=None,
        sponsors=sponsors, resolution=None, bodies=[], subjects=[], findings=findings or [])


def test_a_document_record_must_give_a_new_draft_its_date_and_count_every_row(
        tracker: Engine) -> None:
    """A draft the tables do not know yet takes the record's date; the counts returned are
    those of every table written: the draft, its sponsors, its findings, its source record."""
    odd = FindingRecord("undl-documents", "3975193", "unreadable_date", Severity.WARNING,
                        "3975193: the date '2022-05-2x' is not a date")
    records = [document("3975193", "S/2022/431", date="2022-05-26", sponsors=["USA", "ALB"],
                        findings=[odd]),
               document("3975200", "S/2022/438", date=None, sponsors=[])]
    with Session(tracker) as session:
        ensure_members(session)
        first = store_documents(session, records, source="undl-documents", fetched_at=T1)
        again = store_documents(session, records, source="undl-documents", fetched_at=T2)
        session.commit()
    # 2 drafts, 2 sponsorships, 1 finding, 2 source records; the symbol lookups are not counted
    assert first == Counts(new=7)
    # read again, the same: every row unchanged (a later fetched_at is not a change)
    assert again == Counts(unchanged=7)
    with tracker.connect() as connection:
        drafts = connection.execute(select(Draft.symbol, Draft.date, Draft.source_url)
                                    .order_by(Draft.symbol)).all()
        sponsors = connection.execute(select(Sponsorship.member_code)
                                      .order_by(Sponsorship.member_code)).scalars().all()
        findings = connection.execute(select(Finding.page, Finding.kind)).all()
        sources = connection.execute(select(SourceRecord.record_id)
                                     .order_by(SourceRecord.record_id)).scalars().all()
    assert [tuple(d) for d in drafts] == [
        ("S/2022/431", dt.date(2022, 5, 26), f"{LIBRARY}/3975193"),
        ("S/2022/438", None, f"{LIBRARY}/3975200")]
    assert sponsors == ["ALB", "USA"]
    assert [tuple(f) for f in findings] == [("record/3975193", "unreadable_date")]
    assert sources == ["3975193", "3975200"]
