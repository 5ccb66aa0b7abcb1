"""Cross-record contradictions never overwrite facts.

A voting record that claims another record's vote, and a Veto List that prints a row
twice (or twice differently), are served from a local server and synced.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

from sqlalchemy import Engine, select
from sqlmodel import Session

from db.models import Finding, MemberVote, Resolution, SourceRecord, Veto, VoteEvent
from reports.vetoes import vetoes
from scrapers.dhl.parse import parse_veto_list
from scrapers.http import PoliteClient
from tests.conftest import FIXTURES, Replay
from tests.undl_replay import DigitalLibrary, Record, Vote
from tracker.settings import Settings
from tracker.sync import rebuild, sync

REAL_2722 = Path("undl_records") / "record_4033397_S-RES-2722(2024)_vote.marcxml.xml"
COUNCIL_2024 = ("CHN", "FRA", "RUS", "GBR", "USA", "DZA", "ECU", "GUY", "JPN", "MLT", "MOZ",
                "KOR", "SLE", "SVN", "CHE")
VETO_LIST = "/depts/dhl/resguide/scact_veto_table_en.html"


def run(engine: Engine, settings: Settings, sources: list[str]) -> object:
    client = PoliteClient(requests_per_second=0, max_attempts=2, sleep=lambda _: None)
    return sync(engine, settings, sources=sources, today=dt.date(2024, 6, 1), client=client)


def forged_2722() -> tuple[str, str, bytes]:
    """A later record claiming resolution 2722 (2024): fifteen votes against."""
    record = Record("4099999", "2024-01-10", "S/RES/2722(2024)", "Forged roll call",
                    [Vote(c, "N", c) for c in COUNCIL_2024], (0, 15, 0, 0, 15),
                    meeting="S/PV.9527", modified="20240301000000.0")
    return ("2024-01-10", "4099999", record.xml().encode())


def roll_call_2722(engine: Engine) -> tuple[tuple, dict[str, str], str | None, str | None]:
    with Session(engine) as session:
        event = session.execute(select(VoteEvent).where(VoteEvent.key == "S/RES/2722 (2024)")
                                ).scalar_one()
        votes = dict(session.execute(select(MemberVote.member_code, MemberVote.vote).where(
            MemberVote.vote_event_id == event.id)).all())
        title = session.execute(select(Resolution.title).where(
            Resolution.symbol == "S/RES/2722 (2024)")).scalar_one()
        forged = session.execute(select(SourceRecord.vote_event_id).where(
            SourceRecord.record_id == "4099999")).scalar_one_or_none()
    return (event.yes, event.no, event.abstain), votes, title, forged


def claimed_twice(engine: Engine) -> list[tuple[str, str, str]]:
    with Session(engine) as session:
        return [tuple(r) for r in session.execute(
            select(Finding.severity, Finding.record, Finding.message)
            .where(Finding.kind == "vote_claimed_by_two_records"))]


def assert_the_real_roll_call_stays(engine: Engine) -> None:
    tally, votes, title, forged = roll_call_2722(engine)
    assert tally == (11, 0, 4)
    assert {c for c, v in votes.items() if v == "A"} == {"CHN", "RUS", "DZA", "MOZ"}
    assert "N" not in votes.values() and len(votes) == 15
    assert title != "Forged roll call"
    assert forged is None  # the forged record is known as read, and owns nothing
    [(severity, record, message)] = claimed_twice(engine)
    assert (severity, record) == ("error", "S/RES/2722 (2024)")
    assert "records 4033397 and 4099999 both give this vote" in message
    assert "Kept: the roll call of record 4033397" in message


def test_a_record_claiming_a_stored_vote_does_not_replace_its_roll_call(
        engine: Engine, shared_data: Path, replay: Replay, settings: Settings) -> None:
    """A later record giving the vote of resolution 2722 (2024), already stored from its
    real record, must not replace the real roll call (11-0-4) with fifteen "N"; it must be
    a finding naming both records; and a rebuild must give the same."""
    library = DigitalLibrary([("2024-01-10", "4033397", (shared_data / REAL_2722).read_bytes())])
    library.serve(replay)
    settings = settings.model_copy(update={"undl_url": replay.url, "press_url": replay.url,
                                           "docs_url": replay.url})
    assert run(engine, settings, ["voting-records"]).ok
    library.items.append(forged_2722())
    library.serve(replay)
    summary = run(engine, settings, ["voting-records"])
    assert summary.ok, summary.problems  # a finding, not a failed sync
    assert_the_real_roll_call_stays(engine)
    assert run(engine, settings, ["voting-records"]).totals().changed == 0  # idempotent
    assert rebuild(engine, settings).ok
    assert_the_real_roll_call_stays(engine)


def test_the_first_record_keeps_the_vote_in_any_order_of_reading(
        engine: Engine, shared_data: Path, replay: Replay, settings: Settings) -> None:
    """Read in one page (the forged record first, as the newest), or the forged record
    synced before the real one, the record the Library made first must keep the vote."""
    library = DigitalLibrary([forged_2722()])
    library.serve(replay)
    settings = settings.model_copy(update={"undl_url": replay.url, "press_url": replay.url,
                                           "docs_url": replay.url})
    assert run(engine, settings, ["voting-records"]).ok
    assert roll_call_2722(engine)[0] == (0, 15, 0)  # alone, it is all the source says
    library.items.append(("2024-01-10", "4033397", (shared_data / REAL_2722).read_bytes()))
    library.serve(replay)
    assert run(engine, settings, ["voting-records"]).ok
    assert_the_real_roll_call_stays(engine)


def test_a_record_claiming_another_in_the_same_page(
        engine: Engine, shared_data: Path, replay: Replay, settings: Settings) -> None:
    real = ("2024-01-10", "4033397", (shared_data / REAL_2722).read_bytes())
    DigitalLibrary([real, forged_2722()]).serve(replay)
    settings = settings.model_copy(update={"undl_url": replay.url, "press_url": replay.url,
                                           "docs_url": replay.url})
    assert run(engine, settings, ["voting-records"]).ok
    assert_the_real_roll_call_stays(engine)


# --- the Veto List ---------------------------------------------------------------------


def _row_of(page: str, symbol: str) -> tuple[int, int]:
    i = page.index(f">{symbol}<")
    start = page.rindex("<tr>", 0, i)
    return start, page.index("</tr>", i) + len("</tr>")


def test_a_real_veto_list_row_repeated_is_counted_once(shared_data: Path) -> None:
    """A row printed twice in a row (here the real row of S/PV.303, 24 May 1948) must not
    invent a draft nor raise the USSR's count of 90; it must be named. The real page's two
    identical rows of S/PV.49 (26 June 1946), apart, are two drafts and stay two."""
    page = (shared_data / "un_org_dhl_html" / "scact_veto_table_en.html").read_bytes()
    real = parse_veto_list(page)
    assert len(real.entries) == 213 and real.findings == []
    assert sum(e.draft.startswith("S/PV.49 ") for e in real.entries) == 3
    text = page.decode("utf-8", errors="surrogateescape")
    i = text.index(">S/PV.303<")
    start = text.rindex("<tr", 0, i)
    end = text.index("</tr>", i) + len("</tr>")
    doubled = (text[:end] + text[start:end] + text[end:]).encode("utf-8", "surrogateescape")
    parsed = parse_veto_list(doubled, url="https://www.un.org/veto")
    assert len(parsed.entries) == 213
    assert sum(e.members.count("SUN") for e in parsed.entries) == 90
    assert [(f.kind, f.severity.value) for f in parsed.findings] == [("repeated_row", "warning")]
    assert parsed.findings[0].message.startswith("row 190 repeats row 189 cell for cell")


def test_a_veto_list_with_repeated_and_disagreeing_rows(
        engine: Engine, replay: Replay, settings: Settings) -> None:
    """Served and synced: S/2022/431's row printed again further down is counted once; a
    second row for S/2024/255 that adds France must not give France a veto, and both are
    findings. The other vetoes of the page are stored."""
    page = (FIXTURES / "dhl" / "veto_list.html").read_text(encoding="utf-8")
    start, end = _row_of(page, "S/2022/431")
    repeated = page[start:end]
    s2, e2 = _row_of(page, "S/2024/255")
    disagreeing = page[s2:e2].replace("<td>Russian Federation</td>",
                                      "<td>France, Russian Federation</td>")
    assert disagreeing != page[s2:e2]
    last = page.rindex("</tr>") + len("</tr>")
    page = page[:last] + repeated + disagreeing + page[last:]
    replay.pages[VETO_LIST] = page.encode("utf-8")
    settings = settings.model_copy(update={"un_org_url": replay.url})
    summary = run(engine, settings, ["veto-list"])
    assert summary.ok, summary.problems
    fixture = parse_veto_list((FIXTURES / "dhl" / "veto_list.html").read_bytes())
    expected = Counter(m for e in fixture.entries for m in e.members)
    by_member = vetoes(engine, by="member").set_index("member_code")["vetoes"].to_dict()
    assert by_member == dict(expected)  # France's count not raised, nothing counted twice
    with Session(engine) as session:
        members_255 = set(session.execute(select(Veto.member_code).join(
            VoteEvent, VoteEvent.id == Veto.vote_event_id).where(
            VoteEvent.key == "S/2024/255")).scalars())
        found = sorted(session.execute(select(Finding.kind, Finding.severity, Finding.message)
                                       .where(Finding.source == "dhl-veto-list")).all())
        drafts_431 = session.execute(select(VoteEvent.key).where(
            VoteEvent.key.like("S/2022/431%"))).scalars().all()
    assert members_255 == {"RUS"}
    assert drafts_431 == ["S/2022/431"]
    kinds = [(k, s) for k, s, _ in found]
    assert kinds == [("repeated_row", "warning"), ("rows_disagree", "error")]
    assert "members 'Russian Federation' and 'France, Russian Federation'" not in found[1][2]
    assert "members 'RUS' and 'FRA, RUS'" in found[1][2]
    assert "Kept: row 1 (the first on the page), with the members both name (RUS)" in found[1][2]
    assert len(vetoes(engine)) == len(parse_veto_list(
        (FIXTURES / "dhl" / "veto_list.html").read_bytes()).entries)
