"""The explanation names who pledged for an item the pledges fund in full (stage
``pledges``), under every rule the app runs: the engine records it; the app used to drop it
(issue 12, item 7)."""

from __future__ import annotations

import pytest

from roadmap.allocation import BallotType, Constraints, Earmark, Election, Project, Voter, allocate
from roadmap.allocation.explanation import Stage


@pytest.mark.parametrize("rule", ["equal-shares-add1-greedy", "greedy", "phragmen"])
def test_an_item_pledged_in_full_names_its_pledgers_and_no_other_payer(rule: str) -> None:
    projects = (Project("x", 4), Project("y", 6))
    voters = (Voter("o1", ("y",)), Voter("o2", ("y",)))
    election = Election(10, BallotType.APPROVAL, projects, voters)
    pledges = (Earmark("o1", "x", 3), Earmark("o2", "x", 5))  # o2's is capped at what is left
    result = allocate(election, rule, constraints=Constraints(pledges=pledges))
    x = next(f for f in result.explanation.funded if f.item_id == "x")
    assert x.stage is Stage.PLEDGES
    assert x.pledges == {"o1": 3, "o2": 1} and x.pledged == 4
    assert x.payments == {}
    paid = {a.voter_id: a.paid for a in result.explanation.voters}
    for voter in ("o1", "o2"):
        lines = [(*f.payments.items(), *f.pledges.items()) for f in result.explanation.funded]
        assert paid[voter] == sum(w for line in lines for k, w in line if k == voter)
