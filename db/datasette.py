"""The metadata that lets the database be browsed in Datasette as it is: a title, the
sources and their terms, and a description of every table and column
(``db/data/datasette.json``, shipped in the wheel).

Datasette names a database after its file ("tracker" for tracker.sqlite), so the tables'
descriptions are filed under the name of the database they are for.
"""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any


def datasette_metadata(database: str = "tracker") -> dict[str, Any]:
    """Return Datasette's metadata for the database Datasette calls ``database``."""
    from db import tables as schema

    shipped = json.loads(files("db").joinpath("data/datasette.json").read_text("utf-8"))
    common = shipped.pop("common_columns")
    tables = shipped.pop("tables")
    for name, table in tables.items():
        # the columns every table may have, described only where a table has them
        has = ({c.name for c in schema.metadata.tables[name].columns}
               if name in schema.metadata.tables else set())
        table["columns"] = {**{c: d for c, d in common.items() if c in has},
                            **table["columns"]}
    return {**shipped, "databases": {database: {"tables": tables}}}
