"""The reason given for an item nobody asked for: every rule says nobody asked for it (not
"no budget left" or "too little support"), after the reasons that hold whatever the support
(not eligible, a missing dependency, a cap); the funded items stay what they were."""

from __future__ import annotations

import pytest
from allocation_strategies import constraints_for, elections, weights_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roadmap.allocation import (
    RULES,
    BallotType,
    Constraints,
    Election,
    NotApplicable,
    Project,
    Reason,
    Voter,
    allocate,
)

# o1 asks for a and b, o2 and o3 for a only; nobody asks for y or z. 8 to spend: every rule
# funds a (4) and, but for plain equal shares, b (3, o1 alone); z (5) never fits what is left.
ELECTION = Election(
    8,
    BallotType.APPROVAL,
    (Project("a", 4), Project("b", 3), Project("y", 1), Project("z", 5)),
    (Voter("o1", ("a", "b")), Voter("o2", ("a",)), Voter("o3", ("a",))),
)
# y is in a group whose cap (0) keeps it out whatever its support.
CAPPED = Constraints(groups={"y": ("t",)}, caps={"t": 0})
FUNDED = {
    "equal-shares": ("a",),
    "equal-shares-add1": ("a", "b"),
    "equal-shares-add1-greedy": ("a", "b"),
    "greedy": ("a", "b"),
    "phragmen": ("a", "b"),
}


@pytest.mark.parametrize("rule", RULES)
def test_every_rule_says_nobody_asked_for_an_item_nobody_supports(rule: str) -> None:
    result = allocate(ELECTION, rule, constraints=CAPPED)
    assert result.selected == FUNDED[rule]  # the outcome is the rule's, as before
    reasons = {u.item_id: u.reason for u in result.explanation.unfunded}
    assert reasons["z"] is Reason.NO_SUPPORT
    assert reasons["y"] is Reason.CAP  # a cap holds it back whatever its support
    if rule == "equal-shares":  # o1's whole share (8/3) could never pay b's 3
        assert reasons["b"] is Reason.TOO_LITTLE_SUPPORT


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), rule=st.sampled_from(RULES))
def test_no_support_is_said_of_exactly_the_unsupported_items_support_would_have_decided(
    data: st.DataObject, rule: str
) -> None:
    election = data.draw(elections())
    constraints = data.draw(constraints_for(election))
    weights = data.draw(weights_for(election))
    try:
        result = allocate(election, rule, weights=weights, constraints=constraints)
    except NotApplicable:
        return
    asked = {p for v in election.voters for p, u in election.utilities(v).items() if u > 0}
    asked |= {e.item_id for e in constraints.pledges}
    for missed in result.explanation.unfunded:
        if missed.item_id in asked:
            assert missed.reason is not Reason.NO_SUPPORT, missed
        else:
            assert missed.reason not in (Reason.NO_BUDGET_LEFT, Reason.TOO_LITTLE_SUPPORT), missed
