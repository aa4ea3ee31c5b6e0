"""The outcome's certificate (``roadmap.allocation.certificate``): every rule's own outcome on
random elections with weights and constraints carries a certificate that its checker accepts,
and the checker alone, without running the rule, refuses outcomes that are not the rule's."""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import pytest
from allocation_strategies import constraints_for, elections, weights_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roadmap.allocation import (
    NO_CONSTRAINTS,
    RULES,
    Allocation,
    BallotType,
    Election,
    NotApplicable,
    Project,
    Stage,
    Voter,
    allocate,
    verify_price_system,
)
from roadmap.allocation.certificate import certificate_of, check_certificate
from roadmap.allocation.explanation import Explanation, FundedItem


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), rule=st.sampled_from(RULES))
def test_every_rule_outcome_has_a_certificate_its_checker_accepts(
    data: st.DataObject, rule: str
) -> None:
    election = data.draw(elections(points=None if rule != "phragmen" else False))
    weights = data.draw(weights_for(election))
    constraints = data.draw(constraints_for(election))
    try:
        result = allocate(election, rule, weights=weights, constraints=constraints)
    except (NotApplicable, ValueError):
        return
    cert = certificate_of(election, weights, constraints, result)
    checks = check_certificate(election, weights, constraints, result, cert)
    assert checks and all(c.holds for c in checks), [c.sentence() for c in checks]


def _three_voters() -> Election:
    """Voters 1 and 2 like a (cost 2); voter 3 alone likes b (cost 1); everyone likes c
    (cost 3). Budget 3, one unit each: equal shares funds c (rho 1/3, every voter pays 1)."""
    projects = (Project("a", 2), Project("b", 1), Project("c", 3))
    voters = (Voter("v1", ("a", "c")), Voter("v2", ("a", "c")), Voter("v3", ("b", "c")))
    return Election(3, BallotType.APPROVAL, projects, voters)


def test_the_small_election_funds_what_its_docstring_says() -> None:
    result = allocate(_three_voters(), "equal-shares")
    assert result.selected == ("c",)
    assert result.explanation.funded[0].price == Fraction(1, 3)


def _claim(selected: tuple[str, ...], payments: dict[str, dict[str, Fraction]]) -> Allocation:
    costs = {"a": 2, "b": 1, "c": 3}
    funded = tuple(FundedItem(i, costs[i], 0, Stage.RULE, payments[i], None) for i in selected)
    return Allocation(
        "equal-shares", selected, 3, sum(costs[i] for i in selected), Explanation(funded, (), ())
    )


def test_the_certificate_alone_refuses_an_outcome_that_is_not_equal_shares() -> None:
    """The greedy-looking outcome {a, b} (a by voters 1 and 2 at rho 1/2, b by voter 3 at rho
    1) spends the budget too, and its payments form a budget-feasible price system, but it is
    not equal shares: at rho 1/2 the three supporters of c would pay 1 each (their whole
    share, 3 in all) for its cost 3, so c is affordable at the lower rho 1/3. The checker
    says so without running the rule."""
    election = _three_voters()
    claim = _claim(
        ("a", "b"),
        {"a": {"v1": Fraction(1), "v2": Fraction(1)}, "b": {"v3": Fraction(1)}},
    )
    cert = {
        "rule": "equal-shares",
        "start_budget": "3",
        "equal_shares": {
            "total": "3",
            "budgets": {"v1": "1", "v2": "1", "v3": "1"},
            "rounds": [{"item": "a", "rho": "1/2"}, {"item": "b", "rho": "1"}],
        },
    }
    # Priceability alone (C1-C5) does not tell it apart from equal shares ...
    supporters = {"a": ["v1", "v2"], "b": ["v3"], "c": ["v1", "v2", "v3"]}
    budgets = {"v1": 1, "v2": 1, "v3": 1}
    payments = {k: dict(f.payments) for k, f in ((f.item_id, f) for f in claim.explanation.funded)}
    priced = verify_price_system(
        {"a": 2, "b": 1, "c": 3}, supporters, budgets, payments, ["a", "b"]
    )
    assert priced.holds
    # ... the round-by-round certificate does.
    checks = check_certificate(election, None, NO_CONSTRAINTS, claim, cert)
    failed = [c for c in checks if not c.holds]
    assert len(failed) == 1
    assert failed[0].name == "no item could have been bought at a lower price in any round"
    assert "c" in failed[0].detail and "comes before a" in failed[0].detail
    # The true outcome, with its own certificate, passes the same checker.
    truth = allocate(election, "equal-shares")
    good = certificate_of(election, None, NO_CONSTRAINTS, truth)
    assert all(c.holds for c in check_certificate(election, None, NO_CONSTRAINTS, truth, good))


@pytest.mark.parametrize(
    ("part", "change", "named"),
    [
        ("rho", "1/4", "each payment is min(money left, rho x utility)"),
        ("budget", "2", "each voter's budget is its voice times the total"),
        ("stop", "drop c", "the certificate prices each item the rule funded, in order"),
    ],
)
def test_a_changed_certificate_value_is_refused_by_name(part: str, change: str, named: str) -> None:
    election = _three_voters()
    truth = allocate(election, "equal-shares")
    cert = certificate_of(election, None, NO_CONSTRAINTS, truth)
    mes = cert["equal_shares"]
    if part == "rho":
        mes["rounds"][0]["rho"] = change
    elif part == "budget":
        mes["budgets"]["v1"] = change
    else:
        mes["rounds"] = []
    checks = check_certificate(election, None, NO_CONSTRAINTS, truth, cert)
    assert not checks[-1].holds and checks[-1].name.startswith(named), checks[-1]


@pytest.mark.parametrize("rule", ["greedy", "phragmen"])
def test_greedy_and_phragmen_certificates_refuse_a_swapped_outcome(rule: str) -> None:
    """The rule's outcome passes; the same outcome with the last funded item swapped for an
    item the rule left out fails the checker, which names the broken condition."""
    projects = tuple(Project(f"p{k}", 2 + k) for k in range(5))
    voters = tuple(
        Voter(f"v{i}", tuple(f"p{k}" for k in range(5) if (i + k) % 3 != 0)) for i in range(6)
    )
    election = Election(9, BallotType.APPROVAL, projects, voters)
    truth = allocate(election, rule)
    cert = certificate_of(election, None, NO_CONSTRAINTS, truth)
    assert all(c.holds for c in check_certificate(election, None, NO_CONSTRAINTS, truth, cert))
    left_out = next(p.id for p in projects if p.id not in truth.selected)
    last = truth.explanation.funded[-1]
    swapped_item = dataclasses.replace(
        last, item_id=left_out, cost=dict((p.id, p.cost) for p in projects)[left_out]
    )
    funded = (*truth.explanation.funded[:-1], swapped_item)
    claim = dataclasses.replace(
        truth,
        selected=(*truth.selected[:-1], left_out),
        explanation=dataclasses.replace(truth.explanation, funded=funded),
    )
    checks = check_certificate(election, None, NO_CONSTRAINTS, claim, cert)
    assert not all(c.holds for c in checks)


def test_phragmen_certificate_of_an_item_whose_supporters_earn_nothing() -> None:
    """Supporters with no voice earn nothing: the item's time is infinite and the pool pays
    (the case hypothesis found, kept)."""
    election = Election(
        1,
        BallotType.APPROVAL,
        (Project("p0", 1),),
        tuple(Voter(f"v{i}", ("p0",) if i == 3 else ()) for i in range(5)),
    )
    weights = [Fraction(0)] * 4 + [Fraction(1)]
    result = allocate(election, "phragmen", weights=weights)
    cert = certificate_of(election, weights, NO_CONSTRAINTS, result)
    assert cert["phragmen"]["rounds"] == [{"item": "p0", "time": None}]
    checks = check_certificate(election, weights, NO_CONSTRAINTS, result, cert)
    assert all(c.holds for c in checks), [c.sentence() for c in checks]
