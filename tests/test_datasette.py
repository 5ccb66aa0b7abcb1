"""Browsing the database in Datasette as it is (issue 17, item 4): the shipped metadata
describes every table and column of the schema, and Datasette serves the database with it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from datasette.app import Datasette
from sqlalchemy import Engine
from typer.testing import CliRunner

from db import tables
from db.datasette import datasette_metadata
from tests.conftest import sync_small_fixtures
from tracker.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, dict[str, str]]]:
    engine, env = sync_small_fixtures(tmp_path_factory.mktemp("datasette"))
    yield engine, env
    engine.dispose()


def test_every_table_and_column_of_the_schema_is_described() -> None:
    described = datasette_metadata("tracker")["databases"]["tracker"]["tables"]
    schema = {name: [c.name for c in table.columns]
              for name, table in tables.metadata.tables.items()}
    assert sorted(set(schema) - set(described)) == []
    assert sorted(set(described) - set(schema)) == ["alembic_version"]
    for name, columns in schema.items():
        missing = [c for c in columns if not described[name]["columns"].get(c, "").strip()]
        assert missing == [], f"{name}: no description for {missing}"
    # a column described but not in the schema (a rename the metadata missed) is an error,
    # and the columns many tables have are described only where a table has them
    for name, table in described.items():
        if name in schema:
            assert sorted(set(table["columns"]) - set(schema[name])) == [], name
        label = table.get("label_column")
        assert label is None or label in schema[name]


def test_the_metadata_names_the_sources_and_their_terms() -> None:
    metadata = datasette_metadata("mine")
    assert list(metadata["databases"]) == ["mine"]
    assert metadata["license_url"] == "https://digitallibrary.un.org/pages/?ln=en&page=tos"
    assert metadata["source_url"].startswith("https://www.un.org/depts/dhl/")
    vetoes = metadata["databases"]["mine"]["tables"]["veto"]
    assert vetoes["columns"]["source_url"].startswith("The page or record this row was read")


def _get(datasette: Datasette, path: str) -> Any:
    async def fetch() -> Any:
        return await datasette.client.get(path)
    return asyncio.run(fetch())


def test_datasette_serves_the_database_with_the_metadata(
        small: tuple[Engine, dict[str, str]], tmp_path: Path) -> None:
    _, env = small
    out = tmp_path / "metadata.json"
    written = runner.invoke(app, ["datasette-metadata", "--out", str(out)], env=env)
    assert written.exit_code == 0, written.output
    database = Path(env["TRACKER_DATABASE_URL"].removeprefix("sqlite:///"))
    assert f"browse with: datasette {database} --metadata {out}" in written.output
    metadata = json.loads(out.read_text())
    assert list(metadata["databases"]) == ["tracker"]  # Datasette's name for tracker.sqlite

    datasette = Datasette([str(database)], metadata=metadata)
    vetoes = _get(datasette, "/tracker/veto.json?_shape=array&member_code=USA&_sort=id")
    assert vetoes.status_code == 200
    assert [(v["member_code"], v["source"]) for v in vetoes.json()][:1] == [
        ("USA", "dhl-meetings")]
    page = _get(datasette, "/tracker/vote_event")
    assert page.status_code == 200
    assert "One row per vote on a draft or an adoption" in page.text
    assert "Votes in favour" in page.text  # a column's description
    served = _get(datasette, "/-/metadata.json").json()
    assert served["title"] == "UN Security Council votes (unsc-tracker)"


def test_the_metadata_goes_to_standard_output_too(small: tuple[Engine, dict[str, str]]) -> None:
    _, env = small
    shown = runner.invoke(app, ["datasette-metadata", "--out", "-"], env=env)
    assert shown.exit_code == 0
    assert json.loads(shown.stdout)["databases"]["tracker"]["tables"]["veto"]["facets"] == [
        "member_code", "source"]
