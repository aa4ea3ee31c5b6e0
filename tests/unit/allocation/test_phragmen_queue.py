"""Sequential Phragmén's queue (only the items sharing a supporter with the item bought are
timed again, availability checked as items surface) against the rule of before, which timed
every available item every round (phragmen_reference): the same rounds, times, stop,
payments and reasons, in exact arithmetic and in floats (where the float run either gives
up, as before, or buys the same)."""

from __future__ import annotations

from fractions import Fraction

import pytest
from allocation_strategies import constraints_for, elections, weights_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from phragmen_reference import NeedExact, reference_phragmen

from roadmap.allocation import (
    Allocation,
    BallotType,
    Constraints,
    Earmark,
    Election,
    Project,
    Stage,
    Voter,
    phragmen,
)
from roadmap.allocation.prepared import prepare

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def tie_prone_elections(draw: st.DrawFn) -> Election:
    """Many items, few voters, few distinct costs: equal times, shared supporters and items
    nobody supports are common."""
    m = draw(st.integers(1, 16))
    n = draw(st.integers(1, 6))
    ids = [f"p{k:02d}" for k in range(m)]
    projects = tuple(Project(pid, draw(st.sampled_from([1, 2, 3, 6]))) for pid in ids)
    voters = tuple(
        Voter(f"v{i}", tuple(draw(st.lists(st.sampled_from(ids), unique=True, max_size=4))))
        for i in range(n)
    )
    # Up to everything: the rule often gets to the items nobody supports.
    budget = draw(st.integers(0, sum(int(p.cost) for p in projects)))
    meta = {"budget": str(budget), "vote_type": BallotType.APPROVAL.value}
    return Election(budget, BallotType.APPROVAL, projects, voters, meta)


@st.composite
def binding_constraints(draw: st.DrawFn, election: Election) -> Constraints:
    """Caps that bind, items in two groups or none, dependencies on one or two earlier items,
    and pledges often paying an item in full (a free item waiting for a dependency)."""
    ids = [p.id for p in election.projects]
    cost = {p.id: p.cost for p in election.projects}
    budget = int(election.budget)
    groups = {pid: gs for pid in ids if (gs := tuple(draw(st.sets(st.sampled_from(["g1", "g2"])))))}
    caps = {g: draw(st.integers(0, budget // 2 + 2)) for g in ["g1", "g2"] if draw(st.booleans())}
    floors = {g: draw(st.integers(0, 8)) for g in ["g1", "g2"] if draw(st.integers(0, 3)) == 0}
    depends_on = {
        pid: tuple(draw(st.sets(st.sampled_from(ids[:k]), min_size=1, max_size=2)))
        for k, pid in enumerate(ids)
        if k and draw(st.booleans())
    }
    pledges = [
        Earmark(draw(st.sampled_from([v.id for v in election.voters])), pid, amount)
        for pid in draw(st.lists(st.sampled_from(ids), max_size=4))
        for amount in [draw(st.sampled_from([cost[pid], cost[pid], max(1, int(cost[pid]) // 2)]))]
    ]
    return Constraints(
        reserve=draw(st.integers(0, budget // 4)),
        eligible=None if draw(st.booleans()) else frozenset(draw(st.sets(st.sampled_from(ids)))),
        groups=groups,
        caps=caps,
        floors=floors,
        depends_on=depends_on,
        pledges=tuple(pledges),
    )


def _record(result: Allocation) -> tuple[object, ...]:
    extra = result.extra
    return (result.selected, result.explanation, extra["rounds"], extra["stop"], extra["start"])


@SETTINGS
@given(data=st.data())
def test_the_queue_buys_what_timing_every_item_bought(data: st.DataObject) -> None:
    election = data.draw(st.one_of(elections(max_projects=12, points=False), tie_prone_elections()))
    weights = data.draw(weights_for(election))
    constraints = data.draw(
        st.one_of(st.just(Constraints()), constraints_for(election), binding_constraints(election))
    )
    _same_as_before(election, weights, constraints)


def _same_as_before(
    election: Election, weights: list[Fraction] | None, constraints: Constraints
) -> None:
    new = phragmen.sequential_phragmen(election, weights=weights, constraints=constraints)
    old = reference_phragmen(prepare(election, weights, constraints), True, floats=False)
    assert _record(new) == _record(old)
    if weights is not None:
        return
    # The float run (equal weights, no explanation): gives up exactly where it did, else the
    # same rounds, float times included.
    prep = prepare(election, weights, constraints)
    try:
        old_floats: Allocation | None = reference_phragmen(prep, False, floats=True)
    except NeedExact:
        old_floats = None
    prep = prepare(election, weights, constraints)
    if old_floats is None:
        with pytest.raises(phragmen._NeedExact):
            phragmen._allocate(prep, phragmen._FloatLoads(prep), False)
        return
    new_floats = phragmen._allocate(prep, phragmen._FloatLoads(prep), False)
    assert _record(new_floats) == _record(old_floats)


def test_a_float_near_tie_still_sends_the_rule_to_exact_arithmetic() -> None:
    # Round 3: p0 and p2 are both due at 8/5 (p0 is bought first, then p2 at 13/5), which
    # floats compute as 1.6 and 1.5999999999999999: the float run gives up there, as before.
    ids = ["p0", "p1", "p2", "p3"]
    projects = tuple(Project(pid, c) for pid, c in zip(ids, [5, 1, 3, 2], strict=True))
    ballots = [["p0", "p3", "p1"], ["p1", "p3", "p2", "p0"], ["p2", "p3", "p0"]]
    ballots += [["p1", "p3", "p0"], ["p2", "p3", "p0", "p1"]]
    voters = tuple(Voter(f"v{i}", tuple(b)) for i, b in enumerate(ballots))
    meta = {"budget": "33", "vote_type": BallotType.APPROVAL.value}
    _same_as_before(Election(33, BallotType.APPROVAL, projects, voters, meta), None, Constraints())


@pytest.mark.parametrize("supported", [True, False])
def test_the_rule_stops_when_an_item_tied_with_the_first_does_not_fit(supported: bool) -> None:
    # c is bought first, leaving 1; then a and b are due at the same time (1 when supported,
    # never when nobody supports them): a fits, b does not, and as pabutools the rule stops
    # without buying a.
    if supported:  # c at 1/2 (two supporters), a (one) and b (two) at 1
        costs, ballots, budget = [1, 2, 1], [("a", "b"), ("b",), ("c",), ("c",)], 2
    else:
        costs, ballots, budget = [1, 2, 2], [("c",)], 3
    projects = tuple(Project(pid, c) for pid, c in zip("abc", costs, strict=True))
    voters = tuple(Voter(f"v{i}", b) for i, b in enumerate(ballots))
    meta = {"budget": str(budget), "vote_type": BallotType.APPROVAL.value}
    election = Election(budget, BallotType.APPROVAL, projects, voters, meta)
    result = phragmen.sequential_phragmen(election)
    assert result.selected == ("c",)
    assert result.extra["stop"][1] == [0, 1]
    _same_as_before(election, None, Constraints())


def test_an_item_pledged_in_full_is_funded_once_its_dependency_is_bought() -> None:
    projects = (Project("a", 2), Project("f", 3), Project("g", 1))
    voters = (Voter("v0", ("a", "f")), Voter("v1", ("g",)))
    meta = {"budget": "3", "vote_type": BallotType.APPROVAL.value}
    election = Election(3, BallotType.APPROVAL, projects, voters, meta)
    constraints = Constraints(depends_on={"f": ("a",)}, pledges=(Earmark("v0", "f", 3),))
    result = phragmen.sequential_phragmen(election, constraints=constraints)
    assert result.selected == ("g", "a", "f")
    stages = {item.item_id: item.stage for item in result.explanation.funded}
    assert stages["f"] is Stage.PLEDGES
    _same_as_before(election, None, constraints)
