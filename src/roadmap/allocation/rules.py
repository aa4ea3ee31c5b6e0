"""One entry point for every rule, by name (what services and the ``roadmap pb`` command call)."""

from __future__ import annotations

from collections.abc import Sequence

from roadmap.allocation.constraints import NO_CONSTRAINTS, Constraints
from roadmap.allocation.election import Election, Number
from roadmap.allocation.explanation import Allocation
from roadmap.allocation.greedy import greedy_by_support
from roadmap.allocation.mes import Completion, SharedSearch, equal_shares
from roadmap.allocation.phragmen import sequential_phragmen

RULES = (
    "equal-shares",
    "equal-shares-add1",
    "equal-shares-add1-greedy",
    "greedy",
    "phragmen",
)
"""Rule names, the default first."""


def allocate(
    election: Election,
    rule: str = "equal-shares-add1-greedy",
    *,
    weights: Sequence[Number] | None = None,
    constraints: Constraints = NO_CONSTRAINTS,
    explain: bool = True,
    shared: SharedSearch | None = None,
) -> Allocation:
    """Run the named rule.

    Parameters
    ----------
    election : Election
        Items, ballots and the budget (the period's capacity in person-weeks).
    rule : str
        One of :data:`RULES`.
    weights : Sequence[Number] or None
        Voter weights summing to 1 (see
        :func:`~roadmap.allocation.constraints.voice_weights`); None for equal voice.
    constraints : Constraints
        Reserve, eligibility, caps, floors, dependencies and pledges.
    explain : bool
        Build the explanation.
    shared : SharedSearch or None
        Equal shares: its search shared with other processes running the same call
        (:func:`~roadmap.allocation.mes.equal_shares`); ignored by the other rules.

    Raises
    ------
    HeldElsewhere
        With ``shared``, in every process but the one that returns the allocation.
    ValueError
        For an unknown rule, or constraints that do not fit the election.
    NotApplicable
        If the rule cannot run on these ballots (Phragmén on points).
    """
    kw = weights, constraints, explain, shared
    if rule == "equal-shares":
        return _mes(election, "none", *kw)
    if rule == "equal-shares-add1":
        return _mes(election, "add1", *kw)
    if rule == "equal-shares-add1-greedy":
        return _mes(election, "add1-greedy", *kw)
    if rule == "greedy":
        return greedy_by_support(
            election, weights=weights, constraints=constraints, explain=explain
        )
    if rule == "phragmen":
        return sequential_phragmen(
            election, weights=weights, constraints=constraints, explain=explain
        )
    raise ValueError(f"unknown rule {rule!r}; choose one of {', '.join(RULES)}")


def _mes(
    election: Election,
    completion: Completion,
    weights: Sequence[Number] | None,
    constraints: Constraints,
    explain: bool,
    shared: SharedSearch | None,
) -> Allocation:
    return equal_shares(
        election,
        weights=weights,
        constraints=constraints,
        completion=completion,
        explain=explain,
        shared=shared,
    )
