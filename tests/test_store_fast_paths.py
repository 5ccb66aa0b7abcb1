"""The store's fast paths (issue 13, speed) must write what the general paths write: a
first sync's member votes skip the lookup of rows that cannot exist, a re-stored record
that no longer names a member still drops that member's vote, and the parsers read each
record's fields in one pass."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from sqlalchemy import Engine, select

from db.engine import session_scope, upgrade
from db.models import Member, MemberVote
from db.store import ensure_members, store_voting_records
from db.upsert import upsert
from scrapers.undl.documents import parse_document_xml
from scrapers.undl.parse import parse_record_xml

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "undl"
T = dt.datetime(2024, 3, 28, 12, 0, tzinfo=dt.UTC)
LATER = dt.datetime(2024, 4, 2, 9, 30, tzinfo=dt.UTC)


def _votes(engine: Engine) -> dict[str, tuple[str, str | None]]:
    with session_scope(engine) as session:
        mv = MemberVote.__table__  # type: ignore[attr-defined]
        return {code: (vote, name) for code, vote, name in session.execute(
            select(mv.c.member_code, mv.c.vote, mv.c.name_at_time))}


def test_restored_record_without_a_member_drops_its_vote(engine: Engine) -> None:
    """A voting record stored again without one member's 967 field must leave that
    member's vote out (the votes the event held are read before the upsert), keep the
    fourteen others as they were, and a third store of the same record must change nothing."""
    upgrade(engine)
    record = parse_record_xml((FIXTURES / "record_4007327_S-RES-2680(2023).xml").read_bytes(),
                              base_url="http://x")
    assert len(record.votes) == 15
    with session_scope(engine) as session:
        ensure_members(session)
        first = store_voting_records(session, [record], source="undl-votes", fetched_at=T)
    stored = _votes(engine)
    assert len(stored) == 15 and first.deleted == 0
    dropped = record.votes[-1].code
    shorter = dataclasses.replace(record, votes=record.votes[:-1], totals=None,
                                  modified="20240402093000.0", findings=[])
    with session_scope(engine) as session:
        second = store_voting_records(session, [shorter], source="undl-votes",
                                      fetched_at=LATER)
    after = _votes(engine)
    assert second.deleted == 1
    assert dropped not in after
    assert after == {code: value for code, value in stored.items() if code != dropped}
    with session_scope(engine) as session:
        third = store_voting_records(session, [shorter], source="undl-votes",
                                     fetched_at=LATER)
    assert (third.new, third.changed, third.deleted) == (0, 0, 0)
    assert _votes(engine) == after


def test_upsert_of_absent_rows_merges_a_key_as_the_lookup_does(engine: Engine) -> None:
    """``absent=True`` skips the lookup, nothing else: two rows of one key in a batch must be
    one row, the later one's values, counted once; the same batch upserted again without
    the flag must find every row unchanged."""
    upgrade(engine)
    rows = [{"code": "ZZA", "name": "First", "permanent_seat": None, "successor": None,
             "source_url": "http://x/a"},
            {"code": "ZZB", "name": "Other", "permanent_seat": None, "successor": None,
             "source_url": "http://x/b"},
            {"code": "ZZA", "name": "Second", "permanent_seat": "ZZA", "successor": "ZZB",
             "source_url": "http://x/a"}]
    with session_scope(engine) as session:
        _, counts = upsert(session, Member, rows, key="code", new_ids=False, absent=True)
    assert (counts.new, counts.changed, counts.unchanged) == (2, 0, 0)
    with session_scope(engine) as session:
        m = Member.__table__  # type: ignore[attr-defined]
        stored = {code: (name, seat, successor) for code, name, seat, successor in
                  session.execute(select(m.c.code, m.c.name, m.c.permanent_seat, m.c.successor)
                                  .where(m.c.code.like("ZZ%")))}
        assert stored == {"ZZA": ("Second", "ZZA", "ZZB"), "ZZB": ("Other", None, None)}
        _, again = upsert(session, Member, rows, key="code", new_ids=False)
    assert (again.new, again.changed, again.unchanged) == (0, 0, 2)


def test_document_fields_read_once_keep_order_and_first_values() -> None:
    """The document parser's one-pass index must give each (tag, code) its texts in the
    record's order, white space collapsed, empty subfields left out."""
    xml = b"""<record xmlns="http://www.loc.gov/MARC21/slim">
<controlfield tag="001">42</controlfield><controlfield tag="005">20240101000000.0</controlfield>
<datafield tag="191"><subfield code="a">S/2024/255</subfield></datafield>
<datafield tag="245"><subfield code="a">  Draft   resolution </subfield>
  <subfield code="c">United States of America</subfield></datafield>
<datafield tag="610"><subfield code="a">UN. Security Council</subfield>
  <subfield code="a"> </subfield><subfield code="a">Panel of Experts</subfield></datafield>
<datafield tag="610"><subfield code="a">C\xc3\xb4te d'Ivoire</subfield></datafield>
<datafield tag="269"><subfield code="a">20240328</subfield></datafield>
</record>"""
    record = parse_document_xml(xml, base_url="http://x")
    assert record is not None
    assert record.symbol == "S/2024/255"
    assert record.bodies == ["UN. Security Council", "Panel of Experts", "C\u00f4te d'Ivoire"]
    assert record.sponsors == ["USA"]
    assert record.date == "2024-03-28"
    assert record.raw.startswith(b"<record")
