"""The raw archive keeps every response, keyed by source and id."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from scrapers.archive import RawArchive

T1 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
T2 = dt.datetime(2024, 2, 1, tzinfo=dt.UTC)


def test_unchanged_body_keeps_its_first_fetch_time(tmp_path: Path) -> None:
    archive = RawArchive(tmp_path)
    archive.save("dhl-meetings", "2022", "http://x/2022", b"<html>a</html>", T1)
    page, changed = archive.save("dhl-meetings", "2022", "http://x/2022", b"<html>a</html>", T2)
    assert not changed and page.fetched_at == T1


def test_changed_body_keeps_the_earlier_version(tmp_path: Path) -> None:
    archive = RawArchive(tmp_path)
    archive.save("dhl-meetings", "2022", "http://x/2022", b"old", T1)
    page, changed = archive.save("dhl-meetings", "2022", "http://x/2022", b"new", T2)
    assert changed and page.fetched_at == T2
    loaded = archive.load("dhl-meetings", "2022")
    assert loaded is not None and loaded.body == b"new"
    history = list((tmp_path / "dhl-meetings" / "history").glob("*.body"))
    assert [p.read_bytes() for p in history] == [b"old"]
    assert list(archive.page_ids("dhl-meetings")) == ["2022"]


@pytest.mark.parametrize("page_id", ["../etc", "a/b", ".hidden", ""])
def test_unsafe_page_ids_are_refused(tmp_path: Path, page_id: str) -> None:
    with pytest.raises(ValueError):
        RawArchive(tmp_path).save("dhl", page_id, "u", b"x", T1)
