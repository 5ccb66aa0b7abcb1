"""Resolutions given by their titles, and the mandates derived from them, for the mandate
tests: small hand-written titles, or the real titles of ``undl_scrape_un_data``."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from sqlalchemy import Engine

from council.mandates import load_registry
from council.symbols import normalise_resolution_symbol, parse_resolution_symbol
from db.engine import session_scope, upgrade
from db.mandates import derive_mandates
from db.models import Resolution
from db.upsert import upsert

SCRAPE = Path("undl_scrape_un_data") / "un_data_security_council_rows.csv"
TODAY = dt.date(2022, 12, 31)


def store_titles(engine: Engine, titles: dict[str, tuple[str, str | None]]) -> None:
    """Store resolutions (symbol -> (date, title)) and derive the mandates as of TODAY."""
    upgrade(engine)
    with session_scope(engine) as session:
        upsert(session, Resolution, [
            {"symbol": normalise_resolution_symbol(symbol),
             "number": parse_resolution_symbol(symbol)[0],
             "year": parse_resolution_symbol(symbol)[1], "title": title,
             "date": dt.date.fromisoformat(date)} for symbol, (date, title) in titles.items()],
            key="symbol")
        derive_mandates(session, load_registry(), today=TODAY)


def scrape_titles(shared_data: Path) -> dict[str, tuple[str, str | None]]:
    """Return the real resolutions' dates and titles of ``undl_scrape_un_data``."""
    with (shared_data / SCRAPE).open(encoding="utf-8-sig") as handle:
        return {r["Resolution"]: (r["Date"], r["Title"]) for r in csv.DictReader(handle)}
