"""The agreement matrix, read a range of vote events at a time."""

from __future__ import annotations

import datetime as dt
import random
from itertools import product

import pytest
from sqlalchemy import Engine, insert

from db.engine import session_scope, upgrade
from db.models import MemberVote, VoteEvent
from db.store import ensure_members
from reports import agreement as agreement_module
from reports.agreement import agreement

MEMBERS = ["USA", "GBR", "FRA", "RUS", "CHN", "BRA", "IND"]


def _history(engine: Engine, events: int) -> dict[int, dict[str, str]]:
    """Store random roll calls; return {event id: {member: vote}}."""
    upgrade(engine)
    rng = random.Random(7)
    votes: dict[int, dict[str, str]] = {}
    with session_scope(engine) as session:
        ensure_members(session)
        for n in range(1, events + 1):
            session.execute(insert(VoteEvent).values(
                id=n, key=f"S/RES/{n} (2000)", date=dt.date(2000, 1, 1) + dt.timedelta(days=n)))
            present = rng.sample(MEMBERS, rng.randint(1, len(MEMBERS)))
            votes[n] = {m: rng.choice("YYYNAX") for m in present}
        session.execute(insert(MemberVote), [
            {"vote_event_id": n, "member_code": m, "vote": v}
            for n, cast in votes.items() for m, v in cast.items()])
    return votes


def _expected(votes: dict[int, dict[str, str]], a: str, b: str, since: int = 0) -> float | None:
    both = [(c[a], c[b]) for n, c in votes.items() if n >= since and a in c and b in c
            and c[a] in "YNA" and c[b] in "YNA"]
    return round(sum(x == y for x, y in both) / len(both), 3) if both else None


@pytest.mark.parametrize("chunk", [1, 7, 5_000])
def test_matrix_is_the_same_whatever_the_chunk(engine: Engine, chunk: int,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    votes = _history(engine, 60)
    monkeypatch.setattr(agreement_module, "EVENTS_PER_CHUNK", chunk)
    matrix = agreement(engine).set_index("member")
    assert sorted(matrix.index) == sorted(MEMBERS)
    for a, b in product(MEMBERS, MEMBERS):
        expected = _expected(votes, a, b)
        got = matrix.loc[a, b]
        assert (got is None or got != got) if expected is None else got == expected, (a, b)
    since = agreement(engine, since=dt.date(2000, 1, 1) + dt.timedelta(days=30),
                      members=["USA", "RUS"]).set_index("member")
    assert list(since.columns) == ["USA", "RUS"]
    assert since.loc["USA", "RUS"] == _expected(votes, "USA", "RUS", since=30)


def test_matrix_of_nothing_is_empty(engine: Engine) -> None:
    upgrade(engine)
    assert agreement(engine).empty


def test_a_member_named_twice_is_one_row(engine: Engine) -> None:
    votes = _history(engine, 20)
    matrix = agreement(engine, members=["USA", "United States", "FRA"]).set_index("member")
    assert list(matrix.index) == ["USA", "FRA"] and list(matrix.columns) == ["USA", "FRA"]
    assert matrix.loc["USA", "USA"] == 1.0
    assert matrix.loc["USA", "FRA"] == _expected(votes, "USA", "FRA")
