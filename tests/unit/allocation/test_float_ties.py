"""Float runs of equal shares settle exact ties between items without redoing the run in
exact arithmetic, when the tie is provable (one budget per voter, approval ballots):

* every supporter still holding money pays ``rho * u`` and the others are exactly at 0, so
  rho is exactly ``cost / (u * supporters holding money)``;
* or two items of the same cost have the same supporters apart from those exactly at 0, or
  the same voters paying their whole budget and as many paying ``rho * u``, both surely.

With unequal voice weights, redoing a run exactly is what made the product's scenarios take
minutes (exact budgets' denominators explode). Each decision the float run now takes must be
the exact run's: checked here against the exact run, on elections shaped like planning data
and on small random ones full of equal costs.
"""

from __future__ import annotations

import random
from fractions import Fraction
from unittest import mock

import pytest
from allocation_strategies import constraints_for, elections, weights_for
from allocation_support import planning_like
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from roadmap.allocation import (
    Constraints,
    Election,
    Project,
    Voter,
    equal_shares,
    mes_budgets,
    mes_core,
)
from roadmap.allocation import mes as mes_module
from roadmap.allocation.election import BallotType
from roadmap.allocation.mes_core import NeedExact, replay_exact, run_mes
from roadmap.allocation.prepared import prepare
from roadmap.allocation.prepass import start


def float_run(election: Election, weights: list[Fraction] | None) -> mes_core.MESRun:
    prep = prepare(election, weights)
    begin = start(prep)
    return run_mes(prep, begin, begin.budget, exact=False)


def exact_run(election: Election, weights: list[Fraction] | None) -> mes_core.MESRun:
    prep = prepare(election, weights)
    begin = start(prep)
    return run_mes(prep, begin, begin.budget, exact=True)


def assert_same_run(fast: mes_core.MESRun, exact: mes_core.MESRun) -> None:
    """The float run funds what the exact run funds, in its order, each voter paying what
    it pays exactly (to within float rounding)."""
    assert fast.funding.order == exact.funding.order
    for p, (who, paid) in exact.paid.items():
        fast_who, fast_paid = fast.paid[p]
        assert fast_who.tolist() == who.tolist()
        assert [float(x) for x in paid] == pytest.approx(fast_paid.tolist(), abs=1e-9)


def _plain_rho(ledger: mes_budgets.VoterLedger, p: int, held: object) -> tuple[object, ...]:
    """The ledger's rho without the zero-budget proof."""
    return mes_budgets._rho(held, ledger.items.util[p], ledger.items.cost[p], ledger.exact)[:4]


@pytest.mark.parametrize("seed", [1, 5, 13])
def test_planning_ties_are_settled_in_floats_as_the_exact_run_settles_them(seed: int) -> None:
    election, weights = planning_like(120, 40, seed)
    # Without the two proofs the float run gives up on this election (so they are used here).
    with (
        mock.patch.object(mes_budgets.VoterLedger, "same_rho", lambda *_: False),
        mock.patch.object(mes_budgets.VoterLedger, "rho", _plain_rho),
        pytest.raises(NeedExact),
    ):
        float_run(election, weights)
    fast = float_run(election, weights)  # no NeedExact
    exact = exact_run(election, weights)
    assert_same_run(fast, exact)


def tiered(m: int, n: int, seed: int) -> tuple[Election, list[Fraction]]:
    """Organizations in two weight tiers (4 to 1, as paying members and others), each backing
    2 to 8 of items of four costs: organizations of one tier paying alike for look-alike
    items hold exactly equal budgets without having paid for the same items."""
    rng = random.Random(seed)
    costs = [Fraction(c, 2) for c in (4, 8, 12, 17)]
    projects = tuple(Project(str(k), rng.choice(costs)) for k in range(m))
    voters = tuple(
        Voter(f"o{i}", tuple(str(p) for p in sorted(rng.sample(range(m), rng.randint(2, 8)))))
        for i in range(n)
    )
    tiers = [rng.choice([4, 1]) for _ in range(n)]
    weights = [Fraction(t, sum(tiers)) for t in tiers]
    return Election(Fraction(2 * m), BallotType.APPROVAL, projects, voters), weights


@pytest.mark.parametrize("seed", [2, 4, 5])
def test_ties_between_alike_organizations_are_settled_as_the_exact_run_settles_them(
    seed: int,
) -> None:
    election, weights = tiered(150, 60, seed)
    # Without keys for what fixes an item's rho (so without classes of equal budgets across
    # items), the float run gives up on this election.
    with (
        mock.patch.object(mes_budgets.VoterLedger, "_key", lambda *_: None),
        pytest.raises(NeedExact),
    ):
        float_run(election, weights)
    fast = float_run(election, weights)
    exact = exact_run(election, weights)
    assert_same_run(fast, exact)


@st.composite
def tie_prone(draw: st.DrawFn) -> tuple[Election, list[Fraction] | None]:
    """Up to 12 voters and 8 items of only two costs: exact ties at every turn."""
    m = draw(st.integers(2, 8))
    n = draw(st.integers(2, 12))
    ids = [f"p{k}" for k in range(m)]
    projects = tuple(Project(pid, draw(st.sampled_from([3, 6]))) for pid in ids)
    voters = tuple(
        Voter(f"v{i}", tuple(draw(st.lists(st.sampled_from(ids), unique=True, max_size=m))))
        for i in range(n)
    )
    election = Election(draw(st.integers(1, 40)), BallotType.APPROVAL, projects, voters)
    return election, draw(weights_for(election))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tie_prone(), st.sampled_from(["none", "add1"]))
def test_on_tie_prone_elections_the_float_path_funds_what_the_exact_path_funds(
    case: tuple[Election, list[Fraction] | None], completion: str
) -> None:
    election, weights = case
    exact = equal_shares(election, weights=weights, completion=completion, exact=True)  # type: ignore[arg-type]
    fast = equal_shares(election, weights=weights, completion=completion, exact=False)  # type: ignore[arg-type]
    assert fast.selected == exact.selected


def _by_budgets(
    budgets: list[Fraction],
    ballots: dict[str, tuple[int, ...]],
    costs: dict[str, int] | None = None,
) -> Election:
    """An election of 10-unit items (unless ``costs`` says otherwise) whose voters start with
    exactly these budgets."""
    voters = tuple(
        Voter(f"v{i}", tuple(item for item, who in ballots.items() if i in who))
        for i in range(len(budgets))
    )
    projects = tuple(Project(item, (costs or {}).get(item, 10)) for item in ballots)
    return Election(sum(budgets), BallotType.APPROVAL, projects, voters)


def _weights(budgets: list[Fraction]) -> list[Fraction]:
    return [b / sum(budgets) for b in budgets]


def test_a_near_tie_between_different_payers_is_not_taken_for_a_tie() -> None:
    """a and b cost the same and rho differs by 1e-15: v1 and v2 pay their whole budgets,
    4 + 1e-14 and 4 + 2e-14, so b is cheaper; what the shared v0 has left cannot then help
    afford a. Taking the near tie for a tie would fund a (the smaller id) instead."""
    tiny = Fraction(1, 10**14)
    budgets = [Fraction(7), 4 + tiny, 4 + 2 * tiny]
    election = _by_budgets(budgets, {"a": (0, 1), "b": (0, 2)})
    weights = _weights(budgets)
    exact = equal_shares(election, weights=weights, exact=True)
    assert exact.selected == ("b",)
    assert equal_shares(election, weights=weights, exact=False).selected == ("b",)


def test_a_voter_on_the_edge_of_paying_in_full_is_not_taken_for_a_sure_split() -> None:
    """a and b both have v0 paying its whole budget (1) and two voters paying rho * u; but
    a's v2 holds 4.5 - 1e-20, which floats cannot tell from rho * u = 4.5: exactly, v2 pays
    in full and a's rho is above b's. Taking the float split as sure would call it a tie and
    fund a (the smaller id), then b too; exactly, b is funded and a is then out of reach."""
    budgets = [Fraction(1), Fraction(6), Fraction(9, 2) - Fraction(1, 10**20), Fraction(6), 5]
    election = _by_budgets(budgets, {"a": (0, 2, 4), "b": (0, 1, 3)})
    weights = _weights(budgets)
    exact = equal_shares(election, weights=weights, exact=True)
    assert exact.selected == ("b",)
    assert equal_shares(election, weights=weights, exact=False).selected == ("b",)


def test_a_budget_left_below_float_precision_is_not_taken_for_zero() -> None:
    """v0 pays 3 for a0 from 3 + 1e-20: floats show 0.0 left, exactly 1e-20 is left. q's
    supporters are p's plus v0, so q's rho is below p's by 5e-22, and q is funded, leaving p
    out of reach. Counting v0 as exactly 0 would make them tie, and fund p (the smaller id)."""
    budgets = [3 + Fraction(1, 10**20), *[Fraction(5)] * 3, Fraction(6), Fraction(6)]
    ballots = {"a0": (0, 1, 2, 3), "p": (4, 5), "q": (0, 4, 5)}
    election = _by_budgets(budgets, ballots, {"a0": 12})
    weights = _weights(budgets)
    exact = equal_shares(election, weights=weights, exact=True)
    assert exact.selected == ("a0", "q")
    assert equal_shares(election, weights=weights, exact=False).selected == ("a0", "q")


def test_budgets_paid_down_by_different_rhos_stay_apart() -> None:
    """A and B start alike. A pays 2 for x (no full payer); B pays 2 - 1e-20 / 4 for y, whose
    tiny supporter e pays its whole budget. Then P = {A, p1} and Q = {B, q1}, where A and B
    pay in full: Q's rho is below P's by 1e-20 / 40, so Q is funded before P. Were A and B
    counted as holding equal budgets, P and Q would tie and P (the smaller id) go first."""
    ten = Fraction(10)
    tiny = Fraction(1, 10**20)
    budgets = [Fraction(4), Fraction(4), ten, ten, ten, ten, tiny, ten, ten]
    ballots = {"P": (0, 7), "Q": (1, 8), "x": (0, 2), "y": (1, 3, 4, 5, 6)}
    election = _by_budgets(budgets, ballots, {"P": 10, "Q": 10, "x": 4, "y": 8})
    weights = _weights(budgets)
    exact = exact_run(election, weights)
    assert [election.projects[p].id for p in exact.funding.order] == ["y", "x", "Q", "P"]
    fast = equal_shares(election, weights=weights, exact=False)
    assert fast.selected == ("y", "x", "Q", "P")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_exact_amounts_replayed_from_the_float_run_are_the_exact_runs(data: st.DataObject) -> None:
    """The float run's funded items replayed in exact arithmetic (one rho per item) are the
    exact run at the same total, price for price and payment for payment."""
    election = data.draw(elections())
    weights = data.draw(weights_for(election))
    constraints = data.draw(st.sampled_from([Constraints(), data.draw(constraints_for(election))]))
    prep = prepare(election, weights, constraints)
    begin = start(prep)
    total = begin.budget + data.draw(st.integers(0, 3)) * prep.n  # totals add1 may run
    try:
        fast = run_mes(prep, begin, total, exact=False)
    except NeedExact:
        assume(False)
    replayed = replay_exact(prep, begin, fast)
    exact = run_mes(prep, begin, total, exact=True)
    assert replayed.exact
    assert replayed.funding.order == exact.funding.order
    assert replayed.price == exact.price
    assert {p: (w.tolist(), list(x)) for p, (w, x) in replayed.paid.items()} == {
        p: (w.tolist(), list(x)) for p, (w, x) in exact.paid.items()
    }
    assert list(replayed.leftover) == list(exact.leftover)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_plain_equal_shares_explains_with_the_exact_runs_amounts(data: st.DataObject) -> None:
    election = data.draw(elections())
    weights = data.draw(weights_for(election))
    replayed = equal_shares(election, weights=weights)
    exact = equal_shares(election, weights=weights, exact=True)
    assert replayed.exact and exact.exact
    assert replayed.explanation == exact.explanation


def test_the_replay_is_what_explains_a_weighted_election() -> None:
    """On an election the float run settles alone, the explanation's amounts are exact
    Fractions and come from the replay (the exact run is not run at all)."""
    election, weights = tiered(150, 60, 2)
    with mock.patch.object(mes_module, "run_mes", wraps=mes_core.run_mes) as runs:
        allocation = equal_shares(election, weights=weights)
    assert [call.kwargs["exact"] for call in runs.call_args_list] == [False]
    assert allocation.exact
    assert allocation.explanation == equal_shares(election, weights=weights, exact=True).explanation


def test_a_tie_between_items_of_different_costs_is_found_from_exact_class_budgets() -> None:
    """A and A' pay 1 each for x and keep exactly 2. Then y (cost 8: A and A' pay in full, p1
    the rest) and q (cost 4, two voters paying alike) both have rho exactly 1/2: a tie, won by
    q (the smaller id). The float run proves it from the exact budget of A's class."""
    ten = Fraction(10)
    budgets = [Fraction(3)] * 4 + [ten, ten, ten]
    ballots = {"x": (0, 1, 2, 3), "y": (0, 1, 4), "q": (5, 6)}
    election = _by_budgets(budgets, ballots, {"x": 4, "y": 8, "q": 4})
    weights = _weights(budgets)
    exact = exact_run(election, weights)
    assert [election.projects[p].id for p in exact.funding.order] == ["x", "q", "y"]
    fast = float_run(election, weights)  # no NeedExact: the tie is proven
    assert fast.funding.order == exact.funding.order
