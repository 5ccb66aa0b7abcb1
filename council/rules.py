"""The Council's rules (Charter Art. 23 and 27): its size by year, the votes a draft needs,
the veto, the outcome of a vote that failed, and how a tally is written.

One home for each rule: the parsers, the store and the reports ask this module, so a
table's printed outcome, a roll call's derived outcome and a report's figures are held
to the same rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from council.members import PERMANENT_CODES


class Outcome(StrEnum):
    """How a vote event ended."""

    ADOPTED_WITH_VOTE = "adopted_with_vote"
    ADOPTED_WITHOUT_VOTE = "adopted_without_vote"
    ADOPTED_BY_WRITTEN_PROCEDURE = "adopted_by_written_procedure"
    VETOED = "vetoed"
    INSUFFICIENT_VOTES = "insufficient_votes"
    NOT_ADOPTED = "not_adopted"  # failed, and the source does not say why


# The outcomes (and draft statuses) of a vote that failed: every failing outcome, the veto
# included, and the same without the veto (a draft that failed for want of votes or
# unexplained).
FAILED_STATUSES: tuple[str, ...] = (
    Outcome.VETOED.value, Outcome.INSUFFICIENT_VOTES.value, Outcome.NOT_ADOPTED.value)
FAILED_WITHOUT_VETO: tuple[str, ...] = (
    Outcome.INSUFFICIENT_VOTES.value, Outcome.NOT_ADOPTED.value)
# The outcomes of an adoption by votes counted (in the chamber or by letter).
ADOPTED_WITH_A_VOTE: tuple[str, ...] = (
    Outcome.ADOPTED_WITH_VOTE.value, Outcome.ADOPTED_BY_WRITTEN_PROCEDURE.value)

# A roll call whose date no source gives is held to the Council of fifteen (since 1966).
_UNDATED_YEAR = 2000


def council_size(year: int) -> int:
    """Return the number of seats on the Council in a year (11 until 1965, then 15)."""
    return 11 if year < 1966 else 15


def adoption_threshold(year: int) -> int:
    """Return the affirmative votes a draft needs to pass in a year (7 of 11, then 9 of 15)."""
    return 7 if council_size(year) == 11 else 9


def has_the_votes(yes: int, year: int) -> bool:
    """Return whether a draft had the affirmative votes to pass in its year."""
    return yes >= adoption_threshold(year)


def failed_outcome(yes: int | None, year: int, *, vetoed_by: Iterable[str] = ()) -> Outcome:
    """Return how a draft that was not adopted failed.

    Vetoed: a permanent member voted against a draft that had the votes to pass (a
    permanent member's "no" on a draft short of votes is not a veto); ``vetoed_by`` are the
    members a source names as vetoing it (the Veto List, a table's "vetoed by", a roll
    call's permanent members against), so a veto named where no count is known is a veto.
    Insufficient votes: fewer in favour than the threshold of its year, whoever is named.
    Otherwise (no count known and no veto named, or the votes to pass and no veto named) the
    sources do not say why: not adopted.
    """
    if yes is not None and not has_the_votes(yes, year):
        return Outcome.INSUFFICIENT_VOTES
    if any(True for _ in vetoed_by):
        return Outcome.VETOED
    return Outcome.NOT_ADOPTED


def vetoes_in_roll_call(votes: Iterable[tuple[str, str]], *, yes: int | None,
                        year: int | None) -> list[str]:
    """Return the members whose vote vetoed a draft not adopted, from its roll call
    (``(member code, vote)`` pairs, votes Y/N/A/X): every code that held a permanent seat
    and voted against, when the draft had the votes to pass; none otherwise."""
    if yes is None or not has_the_votes(yes, _UNDATED_YEAR if year is None else year):
        return []
    return [code for code, vote in votes if vote == "N" and code in PERMANENT_CODES]


def roll_call_outcome(votes: Iterable[tuple[str, str]], *, yes: int | None,
                      year: int | None) -> Outcome:
    """Return how a draft not adopted failed, from its roll call and its count in favour
    (``year`` None: a roll call no source dates, held to the Council of fifteen)."""
    year = _UNDATED_YEAR if year is None else year
    return failed_outcome(yes, year, vetoed_by=vetoes_in_roll_call(votes, yes=yes, year=year))


def format_tally(yes: int, no: int, abstain: int) -> str:
    """Write a tally as the Council's records print it: in favour, against, abstaining
    ("13-1-1")."""
    return f"{int(yes)}-{int(no)}-{int(abstain)}"


def decided_outcome(recorded: str | None, *, yes: int | None, year: int | None,
                    vetoed_by: Iterable[str] = ()) -> str | None:
    """Return how a vote ended, every source heard: the outcome its record gives, except
    that a vote recorded as failed for a reason not given is read again by the rule of
    ``failed_outcome`` with the vetoing members every source names (the Veto List names
    S/5407's veto; the meetings table prints it only "not adopted"). A failure for want of
    votes stays so: a negative vote on a draft short of votes is no veto, whoever names it.
    """
    if recorded != Outcome.NOT_ADOPTED.value:
        return recorded
    return failed_outcome(yes, _UNDATED_YEAR if year is None else year,
                          vetoed_by=vetoed_by).value


def draft_status(outcome: str | None) -> str:
    """Return a draft's status from the outcome of its deciding vote: ``adopted`` for every
    way of adoption, the failed outcome as it is, ``no_vote_recorded`` when no source gives
    a vote."""
    if outcome is None:
        return "no_vote_recorded"
    return "adopted" if outcome.startswith("adopted") else outcome
