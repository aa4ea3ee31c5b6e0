"""Turn a rule's internal outcome into an :class:`~roadmap.allocation.explanation.Allocation`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from roadmap.allocation.election import Number
from roadmap.allocation.explanation import (
    POOL,
    Allocation,
    Amount,
    Explanation,
    FundedItem,
    Reason,
    Stage,
    UnfundedItem,
    VoterAccount,
)
from roadmap.allocation.prepared import FundedSoFar, IntArray, Prepared


@dataclass
class Outcome:
    """What a rule hands to :func:`build_allocation`.

    ``paid`` holds voter payments per item (supporter indices, amounts); items funded with no
    entry there are paid from the pool (the pledged part always by the pledgers). ``reasons``
    overrides the default reason of an unfunded item.
    """

    funding: FundedSoFar
    stage: dict[int, Stage]
    shares: Sequence[Any]
    rule_budget: Number | float
    exact: bool = True
    paid: dict[int, tuple[IntArray, Any]] = field(default_factory=dict)
    price: dict[int, Any] = field(default_factory=dict)
    reasons: dict[int, Reason] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def default_reason(prep: Prepared, funding: FundedSoFar, p: int, capped: set[int]) -> Reason | None:
    """The reasons that do not depend on the rule: eligibility, dependencies, caps, and then
    nobody asking for the item (no supporter, no pledge). Only an item someone asked for is
    left to the rule to explain (too little support, no budget left): for one nobody asked
    for, its support is nil whatever budget was left."""
    if not prep.eligible[p]:
        return Reason.NOT_ELIGIBLE
    if not funding.deps_met(p):
        return Reason.MISSING_DEPENDENCY
    if p in capped or not funding.within_caps(p):
        return Reason.CAP
    if not prep.asked_for(p):
        return Reason.NO_SUPPORT
    return None


def build_allocation(rule: str, prep: Prepared, out: Outcome, explain: bool) -> Allocation:
    """Assemble the result; with ``explain=False`` the explanation is left empty (fast path)."""
    funding = out.funding
    selected = tuple(prep.ids[p] for p in funding.order)
    spent = sum((prep.full_cost[p] for p in funding.order), 0)
    if not explain:
        return Allocation(
            rule, selected, prep.budget, spent, Explanation((), (), ()), out.rule_budget, out.exact
        )
    funded = tuple(_funded_item(prep, out, p) for p in funding.order)
    unfunded = tuple(
        UnfundedItem(
            prep.ids[p],
            prep.full_cost[p],
            out.reasons.get(p, Reason.NO_BUDGET_LEFT),
            prep.pledged[p],
        )
        for p in range(prep.m)
        if not funding.funded[p]
    )
    explanation = Explanation(funded, unfunded, _accounts(prep, out, funded), tuple(out.notes))
    return Allocation(rule, selected, prep.budget, spent, explanation, out.rule_budget, out.exact)


def _funded_item(prep: Prepared, out: Outcome, p: int) -> FundedItem:
    payments: dict[str, Amount] = {}
    pledges: dict[str, Number] = {}
    for voter, amount in prep.pledges[p]:
        vid = prep.voter_ids[voter]
        pledges[vid] = pledges.get(vid, 0) + amount
    rest = prep.rule_cost[p]
    if p in out.paid:
        sup, amounts = out.paid[p]
        values = amounts.tolist() if hasattr(amounts, "tolist") else list(amounts)
        for voter, amount in zip(sup.tolist(), values, strict=True):
            if amount:
                vid = prep.voter_ids[voter]
                payments[vid] = payments.get(vid, 0) + amount
    elif rest:
        payments[POOL] = rest
    return FundedItem(
        prep.ids[p],
        prep.full_cost[p],
        prep.pledged[p],
        out.stage[p],
        payments,
        out.price.get(p),
        pledges,
    )


def _accounts(
    prep: Prepared, out: Outcome, funded: tuple[FundedItem, ...]
) -> tuple[VoterAccount, ...]:
    paid: dict[str, Amount] = {}
    for item in funded:
        for table in (item.payments, item.pledges):
            for vid, amount in table.items():
                paid[vid] = paid.get(vid, 0) + amount
    utility: list[Number] = [0] * prep.n
    effort: list[Number] = [0] * prep.n
    for p in out.funding.order:
        util = prep.utility[p]
        sup = prep.supporters[p].tolist()
        values = [prep.full_cost[p]] * len(sup) if util is None else util
        for i, u in zip(sup, values, strict=True):
            utility[i] += u
            effort[i] += prep.full_cost[p]
    return tuple(
        VoterAccount(
            prep.voter_ids[i],
            prep.weights[i],
            out.shares[i],
            paid.get(prep.voter_ids[i], 0),
            utility[i],
            effort[i],
        )
        for i in range(prep.n)
    )
