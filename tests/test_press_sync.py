"""The press releases in a sync (issue 15): the release of the DPRK panel's failed renewal
gives S/2024/255's roll call (named, and derived from the 2024 membership), its vetoes and
statements; what no rule allows is a finding, and nothing is concluded from absence."""

from __future__ import annotations

import datetime as dt
import json
import re
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import Engine, select

from db.engine import make_engine
from db.models import (
    CouncilMember,
    Draft,
    Finding,
    MemberVote,
    SourceRecord,
    Statement,
    Veto,
    VoteEvent,
)
from db.upsert import table_of
from tests.conftest import Replay
from tests.test_verbatim_parse import S_PV_9591, tiny_pdf
from tests.undl_replay import DigitalLibrary
from tracker.settings import Settings
from tracker.sync import rebuild, sync

FIXTURES = Path(__file__).resolve().parent / "fixtures"
REAL_2722 = Path("undl_records") / "record_4033397_S-RES-2722(2024)_vote.marcxml.xml"
RELEASE = "/en/2024/sc15648.doc.htm"
IN_FAVOUR = ["CHE", "DZA", "ECU", "FRA", "GBR", "GUY", "JPN", "KOR", "MLT", "MOZ", "SLE", "SVN",
             "USA"]


def field(body: bytes, tag: str) -> str:
    """A MARCXML record's first $a of a field."""
    found = re.search(rb'tag="' + tag.encode() + rb'"[^>]*>\s*<subfield code="a">([^<]+)', body)
    assert found is not None
    return found[1].decode()


def serve(replay: Replay, *, roll_calls: list[bytes], release: bytes | None) -> None:
    for path in (FIXTURES / "dhl").glob("*.htm*"):
        name = "scact_veto_table_en.html" if path.name == "veto_list.html" else path.name
        replay.pages[f"/depts/dhl/resguide/{name}"] = path.read_bytes()

    records = [(field(b, "269"), re.search(rb'tag="001">(\d+)<', b)[1].decode(), b)  # type: ignore[index]
               for b in roll_calls]
    DigitalLibrary(records).serve(replay)
    if release is not None:
        replay.pages[RELEASE] = release


def run(replay: Replay, tmp_path: Path, *, full: bool = False,
        url: str | None = None) -> tuple[Engine, Settings]:
    settings = Settings(data_dir=tmp_path / "data", un_org_url=replay.url, undl_url=replay.url,
                        press_url=replay.url, docs_url=replay.url, requests_per_second=0,
                        max_attempts=1)
    engine = make_engine(url or f"sqlite:///{tmp_path / 'tracker.sqlite'}")
    summary = sync(engine, settings, today=dt.date(2024, 6, 1), until=2024, full=full,
                   sources=("meetings", "veto-list", "voting-records", "press-releases",
                            "meeting-records"))
    assert summary.ok, summary.problems
    return engine, settings


def votes_on(engine: Engine, key: str) -> dict[str, tuple[str, str | None]]:
    mv, ve = table_of(MemberVote), table_of(VoteEvent)
    with engine.connect() as c:
        return {code: (vote, derived) for code, vote, derived in c.execute(
            select(mv.c.member_code, mv.c.vote, mv.c.derived)
            .join(ve, ve.c.id == mv.c.vote_event_id).where(ve.c.key == key))}


def press_findings(engine: Engine) -> list[tuple[str, str]]:
    f = table_of(Finding)
    with engine.connect() as c:
        return sorted(c.execute(select(f.c.kind, f.c.message)
                                .where(f.c.source == "press-releases")).all())


@pytest.fixture
def roll_call_2024(shared_data: Path) -> bytes:
    return (shared_data / REAL_2722).read_bytes()


def test_the_failed_renewal_of_the_dprk_panel_gets_its_roll_call(
        replay: Replay, tmp_path: Path, roll_call_2024: bytes) -> None:
    serve(replay, roll_calls=[roll_call_2024],
          release=(FIXTURES / "press" / "sc15648.htm").read_bytes())
    engine, settings = run(replay, tmp_path)
    votes = votes_on(engine, "S/2024/255")
    basis = ("the Council's membership in 2024 (from 1 roll call) and the release's count "
             "13-1-1")
    assert votes == {"RUS": ("N", None), "CHN": ("A", None)} | {
        c: ("Y", basis) for c in IN_FAVOUR}
    assert press_findings(engine) == []
    with engine.connect() as c:
        vetoes = sorted(c.execute(select(table_of(Veto).c.member_code, table_of(Veto).c.source)
                                  .join(table_of(VoteEvent))
                                  .where(table_of(VoteEvent).c.key == "S/2024/255")).all())
        statements = c.execute(select(table_of(Statement).c.member_code,
                                      table_of(Statement).c.position)
                               .order_by(table_of(Statement).c.position)).all()
        members_2024 = sorted(c.execute(select(table_of(CouncilMember).c.member_code)
                                        .where(table_of(CouncilMember).c.year == 2024)).scalars())
    assert ("RUS", "roll-call") in vetoes
    assert [tuple(s) for s in statements] == [("USA", 1), ("RUS", 2), ("CHN", 3), ("CHE", 4)]
    assert members_2024 == sorted([*IN_FAVOUR, "RUS", "CHN"])

    # a normal sync does not ask for a release it has read
    asked = len([r for r in replay.requests if r[0] == RELEASE])
    run(replay, tmp_path)
    assert len([r for r in replay.requests if r[0] == RELEASE]) == asked == 1
    # and a rebuild from the raw archive stores the same roll call
    summary = rebuild(engine, settings)
    assert summary.ok, summary.problems
    assert votes_on(engine, "S/2024/255") == votes


def test_without_the_years_membership_only_the_named_votes_are_stored(
        replay: Replay, tmp_path: Path) -> None:
    serve(replay, roll_calls=[(FIXTURES / "undl" / "record_4007327_S-RES-2680(2023).xml")
                              .read_bytes()],
          release=(FIXTURES / "press" / "sc15648.htm").read_bytes())
    engine, _ = run(replay, tmp_path)
    assert votes_on(engine, "S/2024/255") == {"RUS": ("N", None), "CHN": ("A", None)}
    assert press_findings(engine) == [(
        "press_votes_not_derived",
        "the release names 2 of the members on S/2024/255; the others' votes were not "
        "derived: the Council's membership that year is not known")]


def test_a_release_whose_count_disagrees_with_the_table_stores_no_roll_call(
        replay: Replay, tmp_path: Path, roll_call_2024: bytes) -> None:
    release = (FIXTURES / "press" / "sc15648.htm").read_bytes().replace(
        b"13 in favour to 1 against (Russian Federation), with 1 abstention (China)",
        b"12 in favour to 1 against (Russian Federation), with 2 abstentions (China, Japan)")
    serve(replay, roll_calls=[roll_call_2024], release=release)
    engine, _ = run(replay, tmp_path)
    assert votes_on(engine, "S/2024/255") == {}
    assert press_findings(engine) == [(
        "press_tally_mismatch",
        "the release counts S/2024/255 12-1-2, the meetings table 13-1-1; the release's "
        "roll call was not stored")]


def test_a_release_not_found_is_noted_remembered_and_asked_again_by_full(
        replay: Replay, tmp_path: Path, roll_call_2024: bytes) -> None:
    serve(replay, roll_calls=[roll_call_2024], release=None)
    engine, _ = run(replay, tmp_path)
    assert votes_on(engine, "S/2024/255") == {}
    with engine.connect() as c:
        assert c.execute(select(table_of(SourceRecord).c.record_id).where(
            table_of(SourceRecord).c.source == "press-releases")).all() == []
    replay.pages[RELEASE] = (FIXTURES / "press" / "sc15648.htm").read_bytes()
    run(replay, tmp_path)  # a normal sync does not ask again for a release not found
    assert len([r for r in replay.requests if r[0] == RELEASE]) == 1
    assert votes_on(engine, "S/2024/255") == {}
    run(replay, tmp_path, full=True)  # --full does
    assert votes_on(engine, "S/2024/255")["RUS"] == ("N", None)


def serve_record(replay: Replay, symbol: str, body: bytes) -> None:
    """Answer the documents service's request for one meeting record; 404 for the others."""
    def answer(handler: BaseHTTPRequestHandler) -> None:
        asked = parse_qs(urlparse(handler.path).query).get("s", [""])[0]
        found = asked == symbol
        handler.send_response(200 if found else 404)
        handler.send_header("Content-Length", str(len(body) if found else 0))
        handler.end_headers()
        if found:
            handler.wfile.write(body)
    replay.pages["/api/symbol/access"] = answer


def findings_of(engine: Engine, source: str) -> list[tuple[str, str]]:
    f = table_of(Finding)
    with engine.connect() as c:
        return sorted(c.execute(select(f.c.kind, f.c.message).where(f.c.source == source)).all())


def test_the_meeting_record_names_every_vote_and_replaces_the_derived_ones(
        replay: Replay, tmp_path: Path, roll_call_2024: bytes) -> None:
    serve(replay, roll_calls=[roll_call_2024],
          release=(FIXTURES / "press" / "sc15648.htm").read_bytes())
    serve_record(replay, "S/PV.9591", tiny_pdf(S_PV_9591))
    engine, _ = run(replay, tmp_path)
    votes = votes_on(engine, "S/2024/255")
    assert votes == {"RUS": ("N", None), "CHN": ("A", None)} | {
        c: ("Y", None) for c in IN_FAVOUR}  # named by the record: none derived any more
    mv = table_of(MemberVote)
    with engine.connect() as c:
        sources = set(c.execute(select(mv.c.source_url).join(table_of(VoteEvent)).where(
            table_of(VoteEvent).c.key == "S/2024/255")).scalars())
    assert sources == {f"{replay.url}/api/symbol/access?s=S%2FPV.9591&l=en&t=pdf"}
    assert findings_of(engine, "meeting-records") == []
    # asked for once: a record read (or not found) is not asked for again by a normal sync
    asked = [r[0] for r in replay.requests if r[0].startswith("/api/symbol/access")]
    run(replay, tmp_path)
    again = [r[0] for r in replay.requests if r[0].startswith("/api/symbol/access")]
    assert again == asked and asked.count("/api/symbol/access?s=S%2FPV.9591&l=en&t=pdf") == 1


def test_a_meeting_record_that_differs_keeps_its_own_roll_call_and_says_so(
        replay: Replay, tmp_path: Path, roll_call_2024: bytes) -> None:
    serve(replay, roll_calls=[roll_call_2024],
          release=(FIXTURES / "press" / "sc15648.htm").read_bytes())
    lines = [line.replace("Guyana, Japan, ", "Guyana, ") for line in S_PV_9591]
    lines[lines.index("China")] = "China, Japan"
    serve_record(replay, "S/PV.9591", tiny_pdf(lines))
    engine, _ = run(replay, tmp_path)
    assert votes_on(engine, "S/2024/255")["JPN"] == ("A", None)
    assert findings_of(engine, "meeting-records") == [
        ("record_count_mismatch", "the roll call names 12-1-2 but the President announced "
         "13-1-1; the names were stored as the record gives them"),
        ("record_disagrees_with_press", "the meeting record's roll call on S/2024/255 differs "
         "from the one stored before (JPN Y there, A here); the record's was kept"),
        ("record_disagrees_with_tally", "the meeting record's roll call on S/2024/255 counts "
         "12-1-2, the meetings table 13-1-1; the record's roll call was stored (it is the "
         "official account)"),
    ]


@pytest.fixture
def with_press(replay: Replay, tmp_path: Path, roll_call_2024: bytes) -> dict[str, str]:
    """Every source of a default sync, served locally: the small fixtures, the real roll call
    of S/RES/2722 (2024) (the 2024 membership), the release of S/PV.9591, no meeting record."""
    roll_calls = [roll_call_2024, *[p.read_bytes() for p in
                                    sorted((FIXTURES / "undl").glob("record_*.xml"))]]
    serve(replay, roll_calls=roll_calls, release=(FIXTURES / "press" / "sc15648.htm").read_bytes())

    records = [(field(b, "269"), re.search(rb'tag="001">(\d+)<', b)[1].decode(), b)  # type: ignore[index]
               for b in roll_calls]
    documents = [(field(p.read_bytes(), "191"), p.name.split("_")[1], p.read_bytes())
                 for p in sorted((FIXTURES / "undl" / "documents").glob("document_*.xml"))]
    DigitalLibrary(records, documents).serve(replay)
    settings = Settings(data_dir=tmp_path / "data", un_org_url=replay.url, undl_url=replay.url,
                        press_url=replay.url, docs_url=replay.url, requests_per_second=0,
                        max_attempts=1)
    engine = make_engine(f"sqlite:///{tmp_path / 'tracker.sqlite'}")
    summary = sync(engine, settings, today=dt.date(2024, 6, 1), until=2024)
    assert summary.ok, summary.problems
    return {"TRACKER_DATA_DIR": str(tmp_path / "data"),
            "TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 'tracker.sqlite'}",
            "COLUMNS": "120"}


def cli(env: dict[str, str], *args: str) -> str:
    from typer.testing import CliRunner

    from tracker.cli import app

    result = CliRunner().invoke(app, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_votes_shows_which_votes_are_named_and_which_derived(with_press: dict[str, str]) -> None:
    shown = cli(with_press, "votes", "S/2024/255").splitlines()
    assert shown[0] == "S/2024/255 (2024-03-28): vetoed by RUS, 13-1-1"
    rows = {line.split()[0]: line.split() for line in shown[3:18]}
    assert (rows["RUS"][-2:], rows["CHN"][-2:], rows["USA"][-2:], rows["JPN"][-2:]) == (
        ["True", "named"], ["True", "named"], ["True", "derived"], ["False", "derived"])
    assert [r[-3] for r in rows.values()].count("Y") == 13
    assert shown[-1] == ("derived from the Council's membership in 2024 (from 1 roll call) "
                         "and the release's count 13-1-1")
    as_json = json.loads(cli(with_press, "votes", "S/2024/255", "--format", "json"))
    chn = next(v for v in as_json["roll_call"] if v["member_code"] == "CHN")
    assert (chn["vote"], chn["known"], chn["derived"]) == ("A", "named", None)
    assert chn["source_url"].endswith("/en/2024/sc15648.doc.htm")


def test_votes_explain_and_statements_give_the_releases_words(
        with_press: dict[str, str]) -> None:
    explained = cli(with_press, "votes", "S/2024/255", "--explain")
    assert ("CHN China (A, named):\n  China's representative said that sanctions are not an "
            "end in themselves.\n") in explained
    assert "RUS Russian Federation (N, named):\n  The speaker for the Russian Federation" in (
        explained)
    listed = json.loads(cli(with_press, "statements", "S/PV.9591", "--format", "json"))
    assert [(s["position"], s["member_code"], s["after_vote"]) for s in listed] == [
        (1, "USA", True), (2, "RUS", None), (3, "CHN", None), (4, "CHE", None)]
    assert listed[0]["text"] == (
        "Speaking after the vote, the representative of the United States said that the "
        "Russian Federation's veto was deeply regrettable.\n\nShe added that the Panel had "
        "provided objective analysis for 15 years.")
    # the same meeting named by the vote taken at it
    assert json.loads(cli(with_press, "statements", "S/2024/255", "--format", "json")) == listed


def test_vetoes_drafts_and_the_mandate_name_the_abstention(with_press: dict[str, str]) -> None:
    vetoes = json.loads(cli(with_press, "vetoes", "--since", "2022", "--format", "json"))
    assert [(v["draft"], v["abstaining"]) for v in vetoes] == [
        ("S/2022/431", None), ("S/2024/255", ["CHN"])]  # None: no roll call, not known
    drafts = json.loads(cli(with_press, "drafts", "--since", "2024", "--format", "json"))
    assert {d["symbol"]: d["abstaining"] for d in drafts}["S/2024/255"] == ["CHN"]
    timeline = json.loads(cli(with_press, "mandate", "dprk-panel-of-experts", "--format",
                              "json"))
    failed = [e for e in timeline["timeline"] if e["reference"] == "S/2024/255"]
    assert [(e["event"], e["tally"], e["vetoed_by"], e["abstained"]) for e in failed] == [
        ("renewal_failed", "13-1-1", ["RUS"], ["CHN"])]


def test_member_agreement_status_and_membership_count_the_failed_drafts_roll_calls(
        with_press: dict[str, str]) -> None:
    china = json.loads(cli(with_press, "member", "CHN", "--since", "2024", "--format", "json"))
    assert (china["member"]["votes"], china["member"]["votes_on_failed_drafts"]) == (2, 1)
    assert cli(with_press, "member", "CHN", "--since", "2024").splitlines()[0] == (
        "CHN China (permanent member): 2 votes (1 on drafts that failed)")

    def pair(*extra: str) -> float:
        matrix = json.loads(cli(with_press, "agreement", "--members", "CHN,RUS", "--since",
                                "2024", "--min-shared", "1", "--format", "json", *extra))
        return float(next(r for r in matrix if r["member"] == "CHN")["RUS"])

    # 2722 (2024): both abstained; S/2024/255: China abstained, Russia against
    assert (pair(), pair("--include-failed")) == (1.0, 0.5)

    status = json.loads(cli(with_press, "status", "--format", "json"))
    counted = {r["roll_call"]: r["failed_votes"] for r in status["roll_calls_of_failed_votes"]}
    assert counted["press release, the rest derived"] == 1
    assert counted["meeting record"] == counted["press release"] == 0
    assert sum(counted.values()) == counted["none stored"] + 1

    members = json.loads(cli(with_press, "membership", "--year", "2024", "--format", "json"))
    assert len(members) == 15 and {m["roll_calls"] for m in members} == {1}


def test_an_amendment_is_a_vote_of_its_own_linked_to_its_draft(
        replay: Replay, tmp_path: Path, roll_call_2024: bytes) -> None:
    amendment = (
        b"<p>The Council first voted on an amendment (document S/2024/256) proposed by the "
        b"Russian Federation. By a vote of 2 in favour (China, Russian Federation) to 11 "
        b"against (Algeria, Ecuador, France, Guyana, Japan, Malta, Republic of Korea, "
        b"Slovenia, Switzerland, United Kingdom, United States), with 2 abstentions "
        b"(Mozambique, Sierra Leone), the amendment was not adopted.</p>\n")
    release = (FIXTURES / "press" / "sc15648.htm").read_bytes().replace(
        b"<p>The Council rejected draft", amendment + b"<p>The Council rejected draft")
    serve(replay, roll_calls=[roll_call_2024], release=release)
    engine, _ = run(replay, tmp_path)
    ve, d = table_of(VoteEvent), table_of(Draft)
    with engine.connect() as c:
        events = c.execute(select(ve.c.key, ve.c.question, ve.c.outcome, ve.c.yes, ve.c.no,
                                  ve.c.abstain, d.c.symbol)
                           .join(d, d.c.id == ve.c.draft_id)
                           .where(d.c.symbol == "S/2024/255").order_by(ve.c.key)).all()
    assert [tuple(e) for e in events] == [
        ("S/2024/255", None, "vetoed", 13, 1, 1, "S/2024/255"),
        ("S/2024/255 (amendment S/2024/256)", "amendment S/2024/256", "insufficient_votes",
         2, 11, 2, "S/2024/255")]
    amended = votes_on(engine, "S/2024/255 (amendment S/2024/256)")
    assert {c: v for c, (v, _) in amended.items() if v != "N"} == {
        "CHN": "Y", "RUS": "Y", "MOZ": "A", "SLE": "A"}
    assert len(amended) == 15 and all(d is None for _, d in amended.values())  # all named
    assert votes_on(engine, "S/2024/255")["RUS"] == ("N", None)  # the draft's own vote
    assert press_findings(engine) == []
    with engine.connect() as c:  # no veto is recorded of an amendment
        assert c.execute(select(table_of(Veto).c.member_code).join(ve).where(
            ve.c.key.like("%amendment%"))).all() == []
    # read again (--full), the same events and votes, and no vote left unmatched
    before = {key: votes_on(engine, key) for key in
              ("S/2024/255", "S/2024/255 (amendment S/2024/256)")}
    run(replay, tmp_path, full=True)
    assert {key: votes_on(engine, key) for key in before} == before
    assert press_findings(engine) == []


def test_a_release_that_disagrees_with_the_meeting_record_changes_nothing(
        replay: Replay, tmp_path: Path, roll_call_2024: bytes) -> None:
    """The record (China in favour, Japan abstaining) against the release (China
    abstaining): the record's roll call holds, read in either order; each says so."""
    serve(replay, roll_calls=[roll_call_2024],
          release=(FIXTURES / "press" / "sc15648.htm").read_bytes())
    lines = [line.replace("Algeria, Ecuador,", "Algeria, China, Ecuador,")
             .replace("Guyana, Japan, ", "Guyana, ") for line in S_PV_9591]
    lines[lines.index("China")] = "Japan"
    serve_record(replay, "S/PV.9591", tiny_pdf(lines))
    engine, _ = run(replay, tmp_path)
    assert votes_on(engine, "S/2024/255")["CHN"] == ("Y", None)
    assert findings_of(engine, "meeting-records") == [
        ("record_disagrees_with_press", "the meeting record's roll call on S/2024/255 differs "
         "from the one stored before (CHN A there, Y here; JPN Y there, A here); the "
         "record's was kept")]
    run(replay, tmp_path, full=True)  # the release read again, after the record
    assert votes_on(engine, "S/2024/255")["CHN"] == ("Y", None)
    assert press_findings(engine) == [
        ("press_roll_call_disagrees", "the release's roll call on S/2024/255 disagrees with "
         "the stored one (CHN Y there, A here); the stored one was kept")]


def test_a_release_naming_another_vetoing_member_than_the_veto_list_is_a_finding(
        replay: Replay, tmp_path: Path, roll_call_2024: bytes) -> None:
    """The release's "no" of a permanent member on a draft with the votes is a veto by the
    Charter's rule (source roll-call); where the Veto List names another, `tracker check`
    says so."""
    release = (FIXTURES / "press" / "sc15648.htm").read_bytes().replace(
        b"1 against (Russian Federation), with 1 abstention (China)",
        b"1 against (China), with 1 abstention (Russian Federation)")
    serve(replay, roll_calls=[roll_call_2024], release=release)
    engine, settings = run(replay, tmp_path)
    env = {"TRACKER_DATA_DIR": str(settings.data_dir),
           "TRACKER_DATABASE_URL": str(engine.url), "COLUMNS": "200"}
    found = json.loads(cli(env, "check", "--format", "json"))
    assert [(f["kind"], f["message"]) for f in found if f["record"] == "S/2024/255"] == [(
        "veto_sources_disagree", "the sources disagree on the veto of S/2024/255: "
        "dhl-meetings: RUS; dhl-veto-list: RUS; roll-call: CHN")]


def test_the_roll_calls_and_the_membership_on_both_backends(
        replay: Replay, tmp_path: Path, roll_call_2024: bytes, database_url: str) -> None:
    """The release, the amendment, the meeting record and the membership, stored alike on
    SQLite and PostgreSQL (the year read from a date in SQL, the derived column, the
    questions), and read again with --full to the same rows."""
    amendment = (
        b"<p>The Council first voted on an amendment (document S/2024/256). By a vote of 2 in "
        b"favour (China, Russian Federation) to 11 against (Algeria, Ecuador, France, Guyana, "
        b"Japan, Malta, Republic of Korea, Slovenia, Switzerland, United Kingdom, United "
        b"States), with 2 abstentions (Mozambique, Sierra Leone), it was not adopted.</p>\n")
    serve(replay, roll_calls=[roll_call_2024], release=(
        FIXTURES / "press" / "sc15648.htm").read_bytes().replace(
        b"<p>The Council rejected draft", amendment + b"<p>The Council rejected draft"))
    engine, _ = run(replay, tmp_path, url=database_url)
    first = {key: votes_on(engine, key)
             for key in ("S/2024/255", "S/2024/255 (amendment S/2024/256)")}
    assert first["S/2024/255"]["USA"] == (
        "Y", "the Council's membership in 2024 (from 1 roll call) and the release's count "
        "13-1-1")
    assert len(first["S/2024/255 (amendment S/2024/256)"]) == 15
    with engine.connect() as c:
        assert c.execute(select(table_of(CouncilMember).c.member_code).where(
            table_of(CouncilMember).c.year == 2024)).scalars().all().__len__() == 15
    run(replay, tmp_path, url=database_url, full=True)
    assert {key: votes_on(engine, key) for key in first} == first
    assert press_findings(engine) == []
