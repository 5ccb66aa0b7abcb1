"""The bulk insert of ``db.upsert`` on SQLite: the driver's executemany with the columns'
own bind processors must store exactly what SQLAlchemy's insert stores."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text
from sqlmodel import SQLModel

from db.engine import make_engine, upgrade
from db.models import Draft, Finding, Meeting
from db.upsert import _insert_many, table_of

WHEN = dt.datetime(2024, 3, 28, 15, 4, 5, 123456, tzinfo=dt.UTC)
ROWS: dict[type[SQLModel], list[dict[str, Any]]] = {
    Meeting: [{"record": "S/PV.9591", "number": 9591, "date": dt.date(2024, 3, 28),
               "topic": "Non-proliferation: DPRK", "press_release": "SC/15648",
               "outcome_text": None, "written_procedure": False,
               "source_url": "http://h/scact2024", "fetched_at": WHEN},
              {"record": "S/2020/870", "number": None, "date": dt.date(2020, 9, 2),
               "topic": "Ünïcode — “quotes”", "press_release": None, "outcome_text": "x",
               "written_procedure": True, "source_url": None, "fetched_at": None}],
    Draft: [{"symbol": "S/2024/255", "date": dt.date(2024, 3, 28), "title": None,
             "status": "vetoed", "source_url": "http://h/record/1", "fetched_at": WHEN}],
    Finding: [{"source": "undl-documents", "page": "record/1", "record": "S/2024/255",
               "kind": "not_a_draft_record", "severity": "info", "message": "m", "url": None,
               "first_seen": WHEN}],
}


def test_bulk_insert_stores_what_sqlalchemy_stores(tmp_path: Path) -> None:
    """Each value (dates, times with and without a zone, booleans, NULLs, text) must be
    stored as SQLAlchemy's own insert stores it, byte for byte."""
    stored = []
    for name, bulk in (("core", False), ("bulk", True)):
        engine = make_engine(f"sqlite:///{tmp_path / name}.sqlite")
        upgrade(engine)
        with engine.begin() as connection:
            for model, rows in ROWS.items():
                if bulk:
                    _insert_many(connection, table_of(model), rows)
                else:
                    connection.execute(insert(table_of(model)), rows)
        with engine.connect() as connection:
            stored.append({model.__name__: connection.execute(text(
                f"SELECT * FROM {table_of(model).name} ORDER BY id")).mappings().all()
                for model in ROWS})
        engine.dispose()
    assert stored[0] == stored[1]
    meetings = stored[1]["Meeting"]
    assert (meetings[0]["fetched_at"], meetings[0]["date"], meetings[0]["written_procedure"]
            ) == ("2024-03-28 15:04:05.123456", "2024-03-28", 0)
    assert (meetings[1]["fetched_at"], meetings[1]["written_procedure"]) == (None, 1)


def test_bulk_insert_leaves_json_and_unknown_columns_to_sqlalchemy(tmp_path: Path) -> None:
    """A JSON column stores None as JSON null and an unknown key is SQLAlchemy's to judge:
    the fast path must hand both over rather than store SQL NULL or raise a KeyError."""
    from sqlalchemy import JSON, Column, Integer, MetaData, Table

    table = Table("t", MetaData(), Column("id", Integer, primary_key=True),
                  Column("data", JSON))
    engine = make_engine(f"sqlite:///{tmp_path / 'j.sqlite'}")
    table.create(engine)
    with engine.begin() as connection:
        _insert_many(connection, table, [{"data": None}, {"data": {"a": [1]}}])
        _insert_many(connection, table, [{"data": [2], "ignored": 1}])
    with engine.connect() as connection:
        assert connection.execute(text("SELECT data FROM t ORDER BY id")).scalars().all() == [
            "null", '{"a": [1]}', "[2]"]
    engine.dispose()
