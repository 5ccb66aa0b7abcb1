"""The raw archive keeps every response, keyed by source and id."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest

from scrapers import archive as archive_module
from scrapers.archive import RawArchive, RecordArchive

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


@pytest.mark.parametrize("fail_at", [1, 2, 3, 4])
def test_a_save_cut_short_reads_as_a_whole_version(tmp_path: Path, fail_at: int,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Killed between any two writes of a changed page, the archive holds a whole
    version (old or new, body matching its metadata); the next save completes it."""
    archive = RawArchive(tmp_path)
    archive.save("dhl-meetings", "2022", "http://x/2022", b"old", T1)
    real_write = archive_module._atomic_write
    calls = 0

    def dying_write(path: Path, data: bytes) -> None:
        nonlocal calls
        calls += 1
        if calls == fail_at:
            raise KeyboardInterrupt  # the process stops here
        real_write(path, data)

    monkeypatch.setattr(archive_module, "_atomic_write", dying_write)
    with pytest.raises(KeyboardInterrupt):
        archive.save("dhl-meetings", "2022", "http://x/2022", b"new", T2)
    monkeypatch.setattr(archive_module, "_atomic_write", real_write)
    torn = archive.load("dhl-meetings", "2022")
    assert torn is not None and (torn.body, torn.fetched_at) == (b"old", T1)
    _, changed = archive.save("dhl-meetings", "2022", "http://x/2022", b"new", T2)
    assert changed
    loaded = archive.load("dhl-meetings", "2022")
    assert loaded is not None and (loaded.body, loaded.fetched_at) == (b"new", T2)
    history = tmp_path / "dhl-meetings" / "history"
    assert [p.read_bytes() for p in history.glob("*.body")] == [b"old"]
    assert [json.loads(p.read_text())["fetched_at"] for p in history.glob("*.json")] == [
        T1.isoformat()]


def test_a_body_moved_to_history_without_its_metadata_is_still_read(tmp_path: Path) -> None:
    """Archives written by earlier versions moved the body, then the metadata, into
    the history: killed in between, the page is read from the history."""
    archive = RawArchive(tmp_path)
    archive.save("dhl-meetings", "2022", "http://x/2022", b"old", T1)
    history = tmp_path / "dhl-meetings" / "history"
    history.mkdir()
    (tmp_path / "dhl-meetings" / "2022.body").rename(history / "2022.20240101T000000.body")
    loaded = archive.load("dhl-meetings", "2022")
    assert loaded is not None and loaded.body == b"old"
    archive.save("dhl-meetings", "2022", "http://x/2022", b"new", T2)
    loaded = archive.load("dhl-meetings", "2022")
    assert loaded is not None and loaded.body == b"new"


def test_a_page_only_in_the_history_is_still_archived(tmp_path: Path) -> None:
    """Earlier versions moved both files of the current version into the history before
    writing the new ones: killed then, the page is only there, and is still read."""
    archive = RawArchive(tmp_path)
    archive.save("dhl-meetings", "2022", "http://x/2022", b"old", T1, {"ETag": '"a"'})
    history = tmp_path / "dhl-meetings" / "history"
    history.mkdir()
    for suffix in ("body", "json"):
        (tmp_path / "dhl-meetings" / f"2022.{suffix}").rename(
            history / f"2022.20240101T000000.{suffix}")
    assert list(archive.page_ids("dhl-meetings")) == ["2022"]
    loaded = archive.load("dhl-meetings", "2022")
    assert loaded is not None and (loaded.body, loaded.validators) == (b"old", {"ETag": '"a"'})
    _, changed = archive.save("dhl-meetings", "2022", "http://x/2022", b"old", T2)
    assert not changed and (tmp_path / "dhl-meetings" / "2022.json").exists()
    loaded = archive.load("dhl-meetings", "2022")
    assert loaded is not None and (loaded.body, loaded.fetched_at) == (b"old", T1)


def test_a_body_that_does_not_match_its_digest_is_not_read(tmp_path: Path) -> None:
    archive = RawArchive(tmp_path)
    archive.save("dhl-meetings", "2022", "http://x/2022", b"good", T1)
    (tmp_path / "dhl-meetings" / "2022.body").write_bytes(b"rot")
    assert archive.load("dhl-meetings", "2022") is None
    page, changed = archive.save("dhl-meetings", "2022", "http://x/2022", b"good", T2)
    assert changed and page.body == b"good"


@pytest.mark.parametrize("page_id", ["../etc", "a/b", ".hidden", ""])
def test_unsafe_page_ids_are_refused(tmp_path: Path, page_id: str) -> None:
    with pytest.raises(ValueError):
        RawArchive(tmp_path).save("dhl", page_id, "u", b"x", T1)


def test_records_keep_first_fetch_time_and_every_version(tmp_path: Path) -> None:
    with RecordArchive(tmp_path, "undl-votes") as records:
        times = records.save_many([("1", "http://x/record/1", b"<a/>"),
                                   ("2", "http://x/record/2", b"<b/>")], T1)
        assert times == {"1": T1, "2": T1}
        times = records.save_many([("1", "http://x/record/1", b"<a/>"),
                                   ("2", "http://x/record/2", b"<b2/>")], T2)
        assert times == {"1": T1, "2": T2}  # only the changed record is new
        assert records.count() == 2
        assert [(p.page_id, p.body, p.fetched_at) for p in records.latest()] == [
            ("1", b"<a/>", T1), ("2", b"<b2/>", T2)]
        assert records.load("2").body == b"<b2/>"  # type: ignore[union-attr]
        assert records.load("3") is None
    # Nothing is lost: the first version of record 2 is still there.
    with sqlite3.connect(tmp_path / "undl-votes.sqlite") as connection:
        assert connection.execute("SELECT body FROM version WHERE record_id = '2' ORDER BY seq"
                                  ).fetchall() == [(b"<b/>",), (b"<b2/>",)]


def test_records_written_as_files_are_copied_in_with_their_history(tmp_path: Path) -> None:
    """Archives from before the record store (a file pair per record) still rebuild."""
    files = RawArchive(tmp_path)
    files.save("undl-votes", "7", "http://x/record/7", b"<old/>", T1)
    files.save("undl-votes", "7", "http://x/record/7", b"<new/>", T2)
    files.save("undl-votes", "8", "http://x/record/8", b"<c/>", T1)
    with RecordArchive(tmp_path, "undl-votes") as records:
        assert [(p.page_id, p.body, p.fetched_at) for p in records.latest()] == [
            ("7", b"<new/>", T2), ("8", b"<c/>", T1)]
        assert records.save("7", "http://x/record/7", b"<new/>", T2) == T2
    with RecordArchive(tmp_path, "undl-votes") as records:  # copied once, not again
        assert records.count() == 2
    with sqlite3.connect(tmp_path / "undl-votes.sqlite") as connection:
        assert connection.execute("SELECT count(*) FROM version").fetchone() == (3,)
    assert (tmp_path / "undl-votes" / "7.body").exists()  # the files are left in place


def test_an_empty_record_store_reads_as_empty(tmp_path: Path) -> None:
    records = RecordArchive(tmp_path, "undl-documents")
    assert records.count() == 0 and list(records.latest()) == []
    assert not (tmp_path / "undl-documents.sqlite").exists()  # reading creates nothing
    with pytest.raises(ValueError, match="not safe"):
        records.save("../x", "u", b"x", T1)
