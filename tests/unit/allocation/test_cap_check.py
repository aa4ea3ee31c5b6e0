"""``FundedSoFar.within_caps`` answers from a float shadow of each cap's room, exactly near
the cap: checked against the exact definition (group total + cost <= cap, in fractions) where
floats alone would be wrong, and on random fractional costs and caps."""

from __future__ import annotations

import random
from fractions import Fraction

from roadmap.allocation import Constraints, Election, Project, Voter
from roadmap.allocation.election import BallotType
from roadmap.allocation.prepared import FundedSoFar, prepare


def _funding(costs: list[Fraction], cap: Fraction) -> FundedSoFar:
    ids = [f"p{k}" for k in range(len(costs))]
    election = Election(
        sum(costs, Fraction(0)) + 1,
        BallotType.APPROVAL,
        tuple(Project(i, c) for i, c in zip(ids, costs, strict=True)),
        (Voter("v", tuple(ids)),),
    )
    constraints = Constraints(groups={i: ("g",) for i in ids}, caps={"g": cap})
    return FundedSoFar(prepare(election, constraints=constraints))


def _exact(funding: FundedSoFar, p: int) -> bool:
    prep = funding.prep
    return all(
        prep.caps[g] is None or funding.group_total[g] + prep.full_cost[p] <= prep.caps[g]
        for g in prep.groups_of[p]
    )


def test_an_item_that_exactly_fills_the_cap_fits_and_a_hair_more_does_not() -> None:
    """Thirds sum to the cap exactly (in floats 1/3 + 1/3 leaves a room a hair off 1/3): the
    last third fits; an item dearer by 10^-18 (the same float) does not."""
    third = Fraction(1, 3)
    funding = _funding([third, third, third, third + Fraction(1, 10**18)], Fraction(1))
    funding.add(0)
    funding.add(1)
    assert funding.within_caps(2) is True
    assert funding.within_caps(3) is False
    funding.add(2)
    assert funding.within_caps(3) is False


def test_on_random_fractions_the_check_equals_the_exact_definition() -> None:
    rng = random.Random(17)
    checked = 0
    for _ in range(300):
        costs = [Fraction(rng.randint(1, 40), rng.choice([1, 3, 7, 10, 49])) for _ in range(8)]
        # Caps at or near sums of some costs: the boundary is where the floats could err.
        cap = sum(rng.sample(costs, rng.randint(1, 6)), Fraction(0)) + rng.choice(
            [0, 0, Fraction(1, 10**18), -Fraction(1, 10**18)]
        )
        funding = _funding(costs, cap)
        for p in rng.sample(range(len(costs)), len(costs)):
            for q in range(len(costs)):
                if not funding.funded[q]:
                    assert funding.within_caps(q) == _exact(funding, q)
                    checked += 1
            if _exact(funding, p):
                funding.add(p)
        copy = funding.copy()
        assert copy.room == funding.room
    assert checked > 5_000
