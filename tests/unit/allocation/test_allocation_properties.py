"""Properties on random small elections: budgets, constraints, determinism, agreement with
pabutools, the add1 jump against the literal unit-step loop, price systems and EJR."""

from __future__ import annotations

from fractions import Fraction

import pytest
from allocation_strategies import constraints_for, elections, weights_for
from allocation_support import as_pabutools, pabutools_outcome, sat_class
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roadmap.allocation import (
    POOL,
    RULES,
    Allocation,
    Constraints,
    Election,
    NotApplicable,
    Reason,
    Stage,
    add1_unit_steps,
    allocate,
    equal_shares,
    mes_core,
    price_system_of,
)

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _supporters(election: Election) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {p.id: [] for p in election.projects}
    for v in election.voters:
        for pid, u in election.utilities(v).items():
            if u > 0:
                out[pid].append(v.id)
    return out


def _run(election: Election, rule: str, **kw: object) -> Allocation | None:
    try:
        return allocate(election, rule, **kw)  # type: ignore[arg-type]
    except NotApplicable:
        assert rule == "phragmen" and election.ballot_type.has_points
        return None


@SETTINGS
@given(data=st.data(), rule=st.sampled_from(RULES))
def test_constraints_hold_and_budget_is_never_exceeded(data: st.DataObject, rule: str) -> None:
    election = data.draw(elections())
    constraints = data.draw(constraints_for(election))
    weights = data.draw(weights_for(election))
    result = _run(election, rule, weights=weights, constraints=constraints)
    if result is None:
        return
    costs = {p.id: p.cost for p in election.projects}
    pledged = {f.item_id: f.pledged for f in result.explanation.funded}
    assert constraints.eligible is not None
    assert set(result.selected) <= constraints.eligible
    rule_spent = sum(costs[p] - pledged[p] for p in result.selected)
    assert rule_spent <= election.budget - constraints.reserve
    for group, cap in constraints.caps.items():
        funded_in = [p for p in result.selected if group in constraints.groups[p]]
        assert sum(costs[p] for p in funded_in) <= cap
    position = {p: k for k, p in enumerate(result.selected)}
    for item, deps in constraints.depends_on.items():
        if item in position:
            assert all(d in position and position[d] < position[item] for d in deps)
    for item in result.explanation.funded:
        paid = sum(item.payments.values()) + sum(item.pledges.values())
        assert abs(paid - item.cost) <= 1e-6 * max(1, item.cost)
        assert sum(item.pledges.values()) == item.pledged
    assert {u.item_id for u in result.explanation.unfunded} | set(result.selected) == set(costs)
    for missed in result.explanation.unfunded:
        if missed.item_id not in constraints.eligible:
            assert missed.reason is Reason.NOT_ELIGIBLE


@SETTINGS
@given(data=st.data(), rule=st.sampled_from(RULES))
def test_same_input_gives_the_same_output(data: st.DataObject, rule: str) -> None:
    election = data.draw(elections())
    constraints = data.draw(constraints_for(election))
    first = _run(election, rule, constraints=constraints)
    second = _run(election, rule, constraints=constraints)
    assert first == second


@SETTINGS
@given(election=elections(), rule=st.sampled_from(RULES))
def test_rules_agree_with_pabutools_without_constraints(election: Election, rule: str) -> None:
    ours = _run(election, rule, explain=False)
    if ours is None:
        return
    instance, profile = as_pabutools(election)
    assert set(ours.selected) == pabutools_outcome(rule, instance, profile)


@SETTINGS
@given(data=st.data())
def test_add1_jumps_give_the_literal_unit_step_outcome(data: st.DataObject) -> None:
    election = data.draw(elections(max_voters=5, max_projects=5))
    weights = data.draw(weights_for(election))
    constraints = data.draw(st.sampled_from([Constraints(), data.draw(constraints_for(election))]))
    fast = equal_shares(
        election, weights=weights, constraints=constraints, completion="add1", explain=False
    )
    literal, _ = add1_unit_steps(election, weights=weights, constraints=constraints)
    assert fast.selected == literal


@SETTINGS
@given(data=st.data())
def test_float_path_equals_exact_path(data: st.DataObject) -> None:
    election = data.draw(elections())
    weights = data.draw(weights_for(election))
    completion = data.draw(st.sampled_from(["none", "add1"]))
    exact = equal_shares(election, weights=weights, completion=completion, exact=True)
    fast = equal_shares(election, weights=weights, completion=completion, exact=False)
    assert exact.selected == fast.selected


@SETTINGS
@given(data=st.data())
def test_budget_classes_equal_one_budget_per_voter(data: st.DataObject) -> None:
    election = data.draw(elections())
    weights = data.draw(weights_for(election))
    constraints = data.draw(st.sampled_from([Constraints(), data.draw(constraints_for(election))]))
    completion = data.draw(st.sampled_from(["none", "add1"]))
    kw = {"weights": weights, "constraints": constraints, "completion": completion}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(mes_core, "CLASSES_FROM", 0)
        grouped = equal_shares(election, exact=False, **kw)  # type: ignore[arg-type]
        patch.setattr(mes_core, "CLASSES_FROM", 10**9)
        per_voter = equal_shares(election, exact=False, **kw)  # type: ignore[arg-type]
    assert grouped.selected == per_voter.selected


@SETTINGS
@given(data=st.data())
def test_phragmen_float_path_equals_exact_path(data: st.DataObject) -> None:
    election = data.draw(elections())
    constraints = data.draw(st.sampled_from([Constraints(), data.draw(constraints_for(election))]))
    fast = _run(election, "phragmen", constraints=constraints, explain=False)
    exact = _run(election, "phragmen", constraints=constraints, explain=True)
    assert (fast and fast.selected) == (exact and exact.selected)


@SETTINGS
@given(data=st.data())
def test_equal_shares_payments_form_a_price_system(data: st.DataObject) -> None:
    election = data.draw(elections())
    weights = data.draw(weights_for(election))
    constraints = data.draw(st.sampled_from([Constraints(), data.draw(constraints_for(election))]))
    completion = data.draw(st.sampled_from(["none", "add1"]))
    result = equal_shares(election, weights=weights, constraints=constraints, completion=completion)
    certificate = price_system_of(result, _supporters(election))
    assert certificate.holds, [c for c in certificate.conditions if not c.holds]
    for voter in result.explanation.voters:
        assert voter.share == result.rule_budget * voter.weight


@settings(max_examples=50, deadline=None)
@given(election=elections(max_voters=4, max_projects=4))
def test_equal_shares_satisfies_ejr_up_to_one_project(election: Election) -> None:
    from pabutools.analysis.justifiedrepresentation import (
        is_EJR_one_approval,
        is_EJR_one_cardinal,
    )

    result = equal_shares(election, explain=False)
    instance, profile = as_pabutools(_with_zero_points(election))
    funded = [p for p in instance if p.name in set(result.selected)]
    if election.ballot_type.has_points:
        assert is_EJR_one_cardinal(instance, profile, funded)
    else:
        assert is_EJR_one_approval(instance, profile, sat_class(profile), funded)


def _with_zero_points(election: Election) -> Election:
    """pabutools' cardinal EJR check reads every project's points: write the zeros out."""
    if not election.ballot_type.has_points:
        return election
    ids = [p.id for p in election.projects]
    voters = []
    for v in election.voters:
        given = dict(zip(v.items, v.points or (), strict=True))
        voters.append(v._replace(items=tuple(ids), points=tuple(given.get(p, 0) for p in ids)))
    return Election(election.budget, election.ballot_type, election.projects, tuple(voters))


def test_price_system_check_catches_a_tampered_payment() -> None:
    from roadmap.allocation import verify_price_system

    costs = {"a": 10, "b": 10}
    supporters = {"a": ["x", "y"], "b": ["y"]}
    budgets = {"x": 6, "y": 6}
    good = verify_price_system(costs, supporters, budgets, {"a": {"x": 5, "y": 5}}, ["a"])
    assert good.holds
    short = verify_price_system(costs, supporters, budgets, {"a": {"x": 5, "y": 4}}, ["a"])
    assert not short.conditions[2].holds
    stranger = verify_price_system(costs, supporters, budgets, {"b": {"x": 5, "y": 5}}, ["b"])
    assert not stranger.conditions[0].holds
    overspent = verify_price_system(costs, supporters, budgets, {"a": {"x": 7, "y": 3}}, ["a"])
    assert not overspent.conditions[1].holds
    affordable = verify_price_system(
        {"a": 10, "b": 1}, supporters, budgets, {"a": {"x": 5, "y": 5}}, ["a"]
    )
    assert not affordable.conditions[4].holds


def test_equal_shares_is_priceable_but_not_always_stable() -> None:
    """The counterexample of docs/allocation.md: three voters, three pair projects."""
    from roadmap.allocation import BallotType, Project, Voter

    projects = tuple(Project(pid, 3) for pid in "abc")
    voters = (Voter("1", ("a", "c")), Voter("2", ("a", "b")), Voter("3", ("b", "c")))
    election = Election(6, BallotType.APPROVAL, projects, voters)
    result = equal_shares(election)
    assert result.selected == ("a",)
    certificate = price_system_of(result, _supporters(election))
    assert certificate.holds
    assert not certificate.stable.holds


@pytest.mark.parametrize("rule", RULES)
def test_an_item_whose_dependency_is_funded_later_still_respects_its_groups_cap(
    rule: str,
) -> None:
    """Found by hypothesis: equal shares checked an item's caps only in rounds after an item
    of its group was funded, so an item waiting for its dependency was never checked."""
    from roadmap.allocation import BallotType, Project, Voter

    projects = (Project("p0", 1), Project("p1", 1))
    voters = (Voter("v", ("p0", "p1")),)
    election = Election(2, BallotType.APPROVAL, projects, voters)
    constraints = Constraints(groups={"p1": ["g2"]}, caps={"g2": 0}, depends_on={"p1": ["p0"]})
    result = _run(election, rule, constraints=constraints)
    assert result is not None
    assert result.selected == ("p0",)


def test_voice_by_contribution_gives_shares_in_proportion() -> None:
    from roadmap.allocation import BallotType, Project, Voter, voice_weights

    weights = voice_weights([3, 1], alpha=0)
    assert weights == [Fraction(3, 4), Fraction(1, 4)]
    assert voice_weights([3, 1], alpha=Fraction(1, 2)) == [Fraction(5, 8), Fraction(3, 8)]
    projects = (Project("big", 6), Project("small", 2))
    voters = (Voter("rich", ("big",)), Voter("poor", ("small",)))
    election = Election(8, BallotType.APPROVAL, projects, voters)
    assert set(equal_shares(election, weights=weights).selected) == {"big", "small"}
    equal = equal_shares(election)
    assert equal.selected == ("small",)
    reason = {u.item_id: u.reason for u in equal.explanation.unfunded}
    assert reason["big"] is Reason.TOO_LITTLE_SUPPORT


def test_pledge_pays_first_and_is_reported_apart() -> None:
    from roadmap.allocation import BallotType, Earmark, Project, Voter

    projects = (Project("x", 10), Project("y", 4))
    voters = (Voter("o1", ("x",)), Voter("o2", ("y",)))
    election = Election(8, BallotType.APPROVAL, projects, voters)
    plain = equal_shares(election)
    assert plain.selected == ("y",)
    pledged = equal_shares(election, constraints=Constraints(pledges=(Earmark("o1", "x", 6),)))
    assert set(pledged.selected) == {"x", "y"}
    x = next(f for f in pledged.explanation.funded if f.item_id == "x")
    assert x.pledges == {"o1": 6} and x.payments == {"o1": 4}


def test_floor_prepass_funds_a_group_from_the_pool() -> None:
    from roadmap.allocation import BallotType, Project, Voter

    projects = (Project("sec", 5), Project("feat", 5))
    voters = (Voter("o1", ("feat",)), Voter("o2", ("feat",)))
    election = Election(6, BallotType.APPROVAL, projects, voters)
    constraints = Constraints(groups={"sec": ("security",)}, floors={"security": 5})
    result = equal_shares(election, constraints=constraints)
    assert result.selected == ("sec",)
    sec = result.explanation.funded[0]
    assert sec.stage is Stage.FLOOR and sec.payments == {POOL: 5}


def test_cap_and_missing_dependency_are_the_reasons_given() -> None:
    from roadmap.allocation import BallotType, Project, Voter

    projects = (Project("a", 2), Project("b", 2), Project("c", 2))
    voters = tuple(Voter(f"o{i}", ("a", "b", "c")) for i in range(3))
    election = Election(6, BallotType.APPROVAL, projects, voters)
    constraints = Constraints(
        groups={"a": ("t",), "b": ("t",)},
        caps={"t": 2},
        depends_on={"c": ("b",)},
        eligible=frozenset({"a", "b", "c"}),
    )
    result = equal_shares(election, constraints=constraints)
    assert result.selected == ("a",)
    reason = {u.item_id: u.reason for u in result.explanation.unfunded}
    assert reason == {"b": Reason.CAP, "c": Reason.MISSING_DEPENDENCY}


@pytest.mark.parametrize("rule", RULES)
def test_reserve_is_kept_out_of_the_rule(rule: str) -> None:
    from roadmap.allocation import BallotType, Project, Voter

    projects = (Project("a", 5), Project("b", 5))
    voters = (Voter("o1", ("a",)), Voter("o2", ("b",)))
    election = Election(10, BallotType.APPROVAL, projects, voters)
    assert len(allocate(election, rule).selected) == 2
    assert len(allocate(election, rule, constraints=Constraints(reserve=5)).selected) <= 1
