"""Roll calls that a source gives only in part: the Council's membership in a year, and the
one rule by which the members a source does not name may be derived.

A press release usually names the members against and abstaining, not those in favour. The
members in favour are then the Council's other members that day, but only when the named
members and the count account for every seat exactly: every side but one named in full,
and the members left over as many as that side's count. Anything short of that derives
nothing, and the reason is said (``Underived``), never guessed around.

Elected members change on 1 January; the seats of the USSR and the Russian Federation, and
of the Republic of China and the People's Republic, keep one code each (``SUN``/``RUS``
count as one seat through ``council.members.seat_of``), so a year's membership is the set
of seats that cast a vote in that year's complete roll calls.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from council.members import seat_of
from council.records import Tally
from council.rules import council_size

SIDES = ("Y", "N", "A")
SIDE_WORDS = {"Y": "in favour", "N": "against", "A": "abstaining"}


@dataclass(frozen=True)
class Membership:
    """The Council's members in one year, and where the tracker learnt them."""

    year: int
    seats: Mapping[str, frozenset[str]]  # seat (``seat_of``): the codes it voted under
    roll_calls: int  # how many complete roll calls of the year name them
    complete: bool  # as many seats as the Council had that year

    @property
    def members(self) -> frozenset[str]:
        """The codes the year's members voted under ("SUN" in 1980, "RUS" in 2000)."""
        return frozenset(c for codes in self.seats.values() for c in codes)


def membership_by_year(roll_calls: Iterable[tuple[dt.date, Iterable[str]]]
                       ) -> dict[int, Membership]:
    """The Council's membership in each year, from complete roll calls (a date and the codes
    of every member voting or not). A year whose roll calls name more seats than the
    Council had (a member replaced during the year) or fewer is not complete: it is kept,
    marked so, and derives nothing."""
    seats: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    counted: dict[int, int] = defaultdict(int)
    for day, codes in roll_calls:
        for code in codes:
            seats[day.year][seat_of(code)].add(code)
        counted[day.year] += 1
    return {
        year: Membership(year, {seat: frozenset(c) for seat, c in sorted(found.items())},
                         counted[year], len(found) == council_size(year))
        for year, found in sorted(seats.items())
    }


@dataclass(frozen=True)
class Underived:
    """Why the members a source did not name could not be derived."""

    reason: str


def derive_roll_call(tally: Tally, named: Mapping[str, Iterable[str]],
                     membership: Membership | None) -> dict[str, str] | Underived:
    """Complete a roll call a source names in part: ``named`` maps "Y"/"N"/"A" to the
    member codes it names on that side. Return every member's vote (code: Y/N/A), those
    named and those derived, or why none can be derived.

    The rule: the Council's membership that year is complete; every member named is one of
    its members, named once; every side but one is named in full (as many names as its
    count); the members left over are exactly as many as the last side's count, and no
    member is left over beyond it (``tally.non_voting`` must be 0 or unknown-and-zero by
    the count: the count covers every seat).
    """
    counts = {"Y": tally.yes, "N": tally.no, "A": tally.abstain}
    if all(len(list(named.get(s, ()))) == counts[s] for s in SIDES) and len(
            {c for codes in named.values() for c in codes}) == tally.cast:
        # every side named in full: nothing to derive, whatever is known of the membership
        return {c: side for side, codes in named.items() for c in codes}
    if membership is None:
        return Underived("the Council's membership that year is not known")
    if not membership.complete:
        return Underived(f"the Council's membership in {membership.year} is not known in "
                         f"full ({len(membership.seats)} of "
                         f"{council_size(membership.year)} seats)")
    seats = council_size(membership.year)
    if tally.cast != seats:
        return Underived(f"the count {tally} accounts for {tally.cast} of {seats} seats")
    votes: dict[str, str] = {}
    voted: set[str] = set()
    for side, codes in named.items():
        for code in codes:
            seat = seat_of(code)
            if seat not in membership.seats:
                return Underived(f"{code} is named {SIDE_WORDS[side]} but was not a member "
                                 f"in {membership.year}")
            if seat in voted:
                return Underived(f"{code} is named twice")
            voted.add(seat)
            votes[code] = side
    unnamed = [s for s in SIDES if len(list(named.get(s, ()))) != counts[s]]
    if not unnamed:
        return votes  # every side named in full: nothing to derive
    if len(unnamed) > 1:
        sides = " and ".join(f"{SIDE_WORDS[s]} ({len(list(named.get(s, ())))} of "
                             f"{counts[s]} named)" for s in unnamed)
        return Underived(f"more than one side is not named in full: {sides}")
    side = unnamed[0]
    if named.get(side):
        return Underived(f"the members {SIDE_WORDS[side]} are named in part "
                         f"({len(list(named[side]))} of {counts[side]})")
    rest = sorted(seat for seat in membership.seats if seat not in voted)
    if len(rest) != counts[side]:
        return Underived(f"{len(rest)} members are left for the {counts[side]} "
                         f"{SIDE_WORDS[side]}")
    twice = [seat for seat in rest if len(membership.seats[seat]) > 1]
    if twice:
        return Underived(f"the seat of {twice[0]} voted under two codes that year "
                         f"({', '.join(sorted(membership.seats[twice[0]]))})")
    return votes | {next(iter(membership.seats[seat])): side for seat in rest}
