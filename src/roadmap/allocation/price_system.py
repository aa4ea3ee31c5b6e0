"""Check that the payments of an equal-shares outcome form a price system.

Priceability (Peters and Skowron 2020, Definition 4.1, carried to budgets and costs by Peters,
Pierczyński and Skowron 2021): voters with budgets ``b_i`` and payments ``p_i(c) >= 0`` such that

* C1 a voter pays only for items it supports (utility > 0);
* C2 a voter pays at most its budget: ``sum_c p_i(c) <= b_i``;
* C3 each funded item's payments sum to its cost;
* C4 nobody pays for an unfunded item;
* C5 no unfunded item could be bought by its supporters' leftover money:
  ``sum_{i supports c} r_i < cost(c)``, ``r_i = b_i - sum_c p_i(c)``.

Equal shares guarantees C1-C5 (C5 is its stopping condition). Only items the rule could fund
are held to C5: eligible, dependencies funded, no cap in the way.

We also report, without requiring it, *stable* priceability (Peters, Pierczyński, Shah and
Skowron 2021): for every unfunded ``c``, ``sum_{i supports c} max(r_i, max_{c'} p_i(c')) <=
cost(c)``. Equal shares does not guarantee it: three voters with one unit each, items
``a = {1, 2}``, ``b = {2, 3}``, ``c = {1, 3}`` costing 1.5 each: equal shares funds ``a`` (0.75
each from voters 1 and 2); for ``b``, ``max(0.25, 0.75) + max(1, 0) = 1.75 > 1.5``.

All checks run in time linear in the size of the ballots and the payments.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from roadmap.allocation.explanation import Allocation, Amount, Reason, Stage


@dataclass(frozen=True)
class Condition:
    """One checked condition: its name, whether it holds, and the first violation found."""

    name: str
    holds: bool
    violation: str = ""
    checked: int = 0


@dataclass(frozen=True)
class PriceCertificate:
    """The result of :func:`verify_price_system`."""

    conditions: tuple[Condition, ...]
    stable: Condition
    budgets: Mapping[str, Amount] = field(default_factory=dict)

    @property
    def holds(self) -> bool:
        """Whether C1-C5 all hold (stability is reported, not required)."""
        return all(c.holds for c in self.conditions)


def verify_price_system(
    costs: Mapping[str, Amount],
    supporters: Mapping[str, Sequence[str]],
    budgets: Mapping[str, Amount],
    payments: Mapping[str, Mapping[str, Amount]],
    funded: Sequence[str],
    contestable: Sequence[str] | None = None,
    tolerance: Amount = 0,
) -> PriceCertificate:
    """Check conditions C1-C5 (and report stability) for a set of payments.

    Parameters
    ----------
    costs : Mapping[str, Amount]
        Item id to the cost the voters had to pay (its cost less any pledge).
    supporters : Mapping[str, Sequence[str]]
        Item id to the voters with positive utility for it.
    budgets : Mapping[str, Amount]
        Voter id to its budget (equal shares: ``total * weight``).
    payments : Mapping[str, Mapping[str, Amount]]
        Funded item id to voter id to amount.
    funded : Sequence[str]
        The funded item ids.
    contestable : Sequence[str] or None
        Unfunded items held to C5 (default: every unfunded item).
    tolerance : Amount
        Slack for float payments (0 for exact ones).
    """
    funded_set = set(funded)
    support = {c: set(v) for c, v in supporters.items()}
    spent: dict[str, Amount] = {}
    top: dict[str, Amount] = {}
    c1 = _Check("C1 pays only for supported items")
    c3 = _Check("C3 payments of each funded item sum to its cost")
    c4 = _Check("C4 no payment for unfunded items")
    for item, paid in payments.items():
        if item not in funded_set:
            c4.fail(f"{item} is unfunded but received payments")
        total: Amount = 0
        for voter, amount in paid.items():
            c1.count()
            if amount < -tolerance:
                c1.fail(f"{voter} pays a negative amount for {item}")
            if amount > tolerance and voter not in support.get(item, ()):
                c1.fail(f"{voter} pays for {item} without supporting it")
            total += amount
            spent[voter] = spent.get(voter, 0) + amount
            if amount > top.get(voter, 0):
                top[voter] = amount
        c3.count()
        diff = total - costs[item]
        if diff > tolerance or -diff > tolerance:
            c3.fail(f"{item}: payments sum to {total}, cost {costs[item]}")
    for item in funded_set - set(payments):
        if costs[item] > tolerance:
            c3.fail(f"{item} is funded but nobody paid for it")
    c2 = _Check("C2 each voter pays at most its budget")
    for voter, amount in spent.items():
        c2.count()
        if amount > budgets.get(voter, 0) + tolerance:
            c2.fail(f"{voter} pays {amount}, budget {budgets.get(voter, 0)}")
    c5 = _Check("C5 no unfunded item is affordable from its supporters' leftovers")
    stable = _Check("stable: no unfunded item at a better price (informational)")
    pending = [c for c in costs if c not in funded_set] if contestable is None else contestable
    for item in pending:
        leftover: Amount = Fraction(0)
        offer: Amount = Fraction(0)
        for voter in support.get(item, ()):
            rest = budgets.get(voter, 0) - spent.get(voter, 0)
            leftover += rest
            offer += max(rest, top.get(voter, 0))
        c5.count()
        stable.count()
        if leftover >= costs[item] + tolerance and costs[item] > 0:
            c5.fail(f"{item}: supporters keep {leftover} >= cost {costs[item]}")
        if offer > costs[item] + tolerance:
            stable.fail(f"{item}: supporters would offer {offer} > cost {costs[item]}")
    return PriceCertificate(
        (c1.done(), c2.done(), c3.done(), c4.done(), c5.done()), stable.done(), budgets
    )


def price_system_of(
    allocation: Allocation, supporters: Mapping[str, Sequence[str]]
) -> PriceCertificate:
    """Verify the equal-shares payments of an allocation: the rule's part only (pledges, and
    items funded by pledges, floors or a completion, are outside the price system). Exact
    allocations are checked exactly, float ones with a tolerance of 1e-9 of the budget.

    Parameters
    ----------
    allocation : Allocation
        An equal-shares allocation with its explanation.
    supporters : Mapping[str, Sequence[str]]
        Item id to the voters with positive utility for it.
    """
    expl = allocation.explanation
    budgets = {v.voter_id: v.share for v in expl.voters}
    rule_items = [f for f in expl.funded if f.stage == Stage.RULE]
    costs: dict[str, Amount] = {f.item_id: f.cost - f.pledged for f in rule_items}
    payments = {f.item_id: dict(f.payments) for f in rule_items}
    for u in expl.unfunded:
        costs[u.item_id] = u.cost - u.pledged
    contestable = [u.item_id for u in expl.unfunded if u.reason in _CONTESTABLE]
    total = sum(float(b) for b in budgets.values())
    tolerance: Amount = 0 if allocation.exact else 1e-9 * max(total, 1.0)
    return verify_price_system(
        costs,
        supporters,
        budgets,
        payments,
        [f.item_id for f in rule_items],
        contestable,
        tolerance,
    )


_CONTESTABLE = {Reason.TOO_LITTLE_SUPPORT, Reason.NO_BUDGET_LEFT, Reason.NO_SUPPORT}


class _Check:
    def __init__(self, name: str) -> None:
        self.name = name
        self.violation = ""
        self.checked = 0

    def count(self) -> None:
        self.checked += 1

    def fail(self, why: str) -> None:
        if not self.violation:
            self.violation = why

    def done(self) -> Condition:
        return Condition(self.name, not self.violation, self.violation, self.checked)
