"""Effective support (``roadmap.allocation.support``): pabutools' definition, checked on an
example computed by hand and against pabutools' own ``calculate_effective_supports``."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from allocation_support import as_pabutools, sat_class

from roadmap.allocation import Constraints, Earmark, Election, Project, Voter, support
from roadmap.allocation.election import BallotType
from roadmap.allocation.support import effective_supports


def _hand_example() -> Election:
    # Budget 3, three voters with 1 each. a (cost 2: v1, v2) and c (cost 2: v2, v3) tie at
    # rho 1/2; a wins on its id. d (cost 3) has only v3.
    return Election(
        3,
        BallotType.APPROVAL,
        (Project("a", 2), Project("c", 2), Project("d", 3)),
        (Voter("v1", ("a",)), Voter("v2", ("a", "c")), Voter("v3", ("c", "d"))),
    )


def test_effective_support_of_a_hand_computed_example() -> None:
    """By hand: round 1 funds a at rho 1/2, v1 and v2 pay 1 each (v2 is left with 0, v3
    with 1). Then, with the budgets after that payment, c's supporters cover min(0, 1/2 * 2)
    + min(1, 1/2 * 2) = 1 of its 2: 50 %; d's cover min(1, 1/2 * 3) = 1 of 3: 33 %. At the
    end (nothing affordable) they hold 1 each: the same. So c reads 50 and d 33, although c
    tied with the winner on the budgets before the round (pabutools reads them after)."""
    assert effective_supports(_hand_example()) == {"c": 50, "d": 33}


def test_a_pledge_counts_towards_the_cover() -> None:
    """A pledge of 1 to d: (1 + 1) / 3 = 66 %."""
    pledged = Constraints(pledges=(Earmark("v1", "d", 1),))
    assert effective_supports(_hand_example(), constraints=pledged)["d"] == 66


def test_a_funded_item_asked_for_reads_at_least_one_hundred() -> None:
    assert effective_supports(_hand_example(), items=["a"]) == {"a": 100}


@pytest.mark.parametrize("arithmetic", ["exact", "floats"])
def test_the_figure_is_pabutools_on_random_approval_elections(
    arithmetic: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In exact arithmetic (small elections) and in floats (the large elections' path, forced
    here), pabutools' ``calculate_effective_supports`` (plain equal shares, cost utilities) gives
    the same whole percentages for every project our run leaves out, on random elections
    (every project supported by someone: pabutools cannot skip one nobody supports)."""
    from pabutools.analysis.mesanalytics import calculate_effective_supports
    from pabutools.rules import method_of_equal_shares

    if arithmetic == "floats":
        monkeypatch.setattr(support, "EXACT_UP_TO", 0)
    rng = random.Random(13)
    compared = 0
    for _ in range(80):
        m, n = rng.randint(2, 7), rng.randint(2, 9)
        projects = tuple(Project(f"p{k}", rng.randint(1, 12)) for k in range(m))
        voters = tuple(
            Voter(f"v{i}", tuple(p.id for p in projects if rng.random() < 0.45)) for i in range(n)
        )
        if any(all(p.id not in v.items for v in voters) for p in projects):
            continue  # pabutools' analysis cannot skip a project nobody supports
        election = Election(rng.randint(5, 30), BallotType.APPROVAL, projects, voters)
        ours = effective_supports(election)
        instance, profile = as_pabutools(election)
        sat = sat_class(profile)
        outcome = method_of_equal_shares(instance, profile, sat_class=sat)
        theirs = calculate_effective_supports(
            instance, profile, outcome, mes_params={"sat_class": sat}
        )
        theirs_by_id = {p.name: v for p, v in theirs.items()}
        for item, figure in ours.items():
            assert figure == theirs_by_id[item], (election, item)
            compared += 1
        assert {p.name for p in outcome}.isdisjoint(ours)
    assert compared >= 40


def test_voter_weights_scale_the_shares() -> None:
    """Weights 1/2, 1/4, 1/4 on the hand example: v1 holds 3/2, v2 and v3 3/4 each. a (v1,
    v2; utility 2): min(3/2, 2r) + min(3/4, 2r) = 2 gives v2 paying its 3/4 in full and v1
    5/4, so rho = 5/8. c's supporters hold 3/2 < 2: not affordable. So a wins at 5/8; then
    c's cover is min(0, 5/4) + min(3/4, 5/4) = 3/4 of 2: 37 %; d's is min(3/4, 15/8) = 3/4
    of 3: 25 %."""
    weights = [Fraction(1, 2), Fraction(1, 4), Fraction(1, 4)]
    assert effective_supports(_hand_example(), weights=weights) == {"c": 37, "d": 25}
