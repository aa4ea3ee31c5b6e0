"""What every allocation run returns: the funded items and why, kept apart from the rules
(as pabutools keeps ``mes_details.py`` beside ``mes_rule.py``).

Amounts are exact (``int``/``Fraction``) when the rule ran in exact arithmetic, and ``float``
when a large election ran on the fast path (see ``docs/allocation.md``, "Exactness").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction

from roadmap.allocation.election import Number

Amount = int | Fraction | float
"""Money or effort in an explanation: exact, or float on the fast path."""

POOL = "(pool)"
"""The payer named for money no single voter paid but the common budget did: items funded by a
group's floor in the pre-pass, by greedy (which has no per-voter shares) or by the greedy
completion after equal shares."""


class Reason(StrEnum):
    """Why an item was not funded."""

    NOT_ELIGIBLE = "not eligible"
    TOO_LITTLE_SUPPORT = "too little support"
    NO_BUDGET_LEFT = "no budget left"
    CAP = "a cap"
    MISSING_DEPENDENCY = "a missing dependency"
    NO_SUPPORT = "no support"


class Stage(StrEnum):
    """Which part of the run funded an item."""

    PLEDGES = "pledges"
    FLOOR = "floor"
    RULE = "rule"
    COMPLETION = "completion"


@dataclass(frozen=True)
class FundedItem:
    """A funded item and who paid for it.

    Parameters
    ----------
    item_id : str
        The item.
    cost : Number
        Its full cost.
    pledged : Number
        The part paid by earmarked pledges (detailed in ``pledges``).
    stage : Stage
        What funded it.
    payments : dict[str, Amount]
        Voter id (or :data:`POOL`) to the amount it paid for the rest; with ``pledges`` the
        amounts sum to ``cost``.
    price : Amount or None
        For equal shares, the price per unit of utility (rho) its rich supporters paid.
    """

    item_id: str
    cost: Number
    pledged: Number
    stage: Stage
    payments: dict[str, Amount]
    price: Amount | None = None
    pledges: dict[str, Number] = field(default_factory=dict)


@dataclass(frozen=True)
class UnfundedItem:
    """An item that was not funded, and the reason."""

    item_id: str
    cost: Number
    reason: Reason
    pledged: Number = 0


@dataclass(frozen=True)
class VoterAccount:
    """One voter's side of the outcome.

    Parameters
    ----------
    voter_id : str
        The voter (member organization).
    weight : Fraction
        Its voice (weights sum to 1).
    share : Amount
        Its share of the budget in the rule (equal shares: ``budget * weight``; for rules
        without shares, the same number, for comparison).
    paid : Amount
        What it paid for funded items (equal shares and pledges only).
    utility : Number
        The total utility of funded items to it (approval: their cost; points: the points).
    supported_effort : Number
        Total cost of the funded items it supported.
    """

    voter_id: str
    weight: Fraction
    share: Amount
    paid: Amount
    utility: Number
    supported_effort: Number


@dataclass(frozen=True)
class Explanation:
    """Why the outcome is what it is: items funded, items not funded, and each voter's account."""

    funded: tuple[FundedItem, ...]
    unfunded: tuple[UnfundedItem, ...]
    voters: tuple[VoterAccount, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Allocation:
    """The result of a rule: the funded items with their explanation.

    Parameters
    ----------
    rule : str
        The rule that ran (``equal-shares``, ``equal-shares-add1``, ...).
    selected : tuple[str, ...]
        Funded item ids in the order they were funded.
    budget : Number
        The budget of the election or period (before the reserve).
    spent : Number
        Total cost of the funded items (pledged parts included).
    explanation : Explanation
        Payments, reasons and accounts.
    rule_budget : Number
        What the rule itself could spend (budget less reserve and floor pre-pass; for add1,
        the raised budget the last accepted outcome was computed with).
    exact : bool
        Whether every amount was computed in exact arithmetic.
    """

    rule: str
    selected: tuple[str, ...]
    budget: Number
    spent: Number
    explanation: Explanation
    rule_budget: Amount = 0
    exact: bool = True
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def selected_set(self) -> frozenset[str]:
        """The funded item ids as a set."""
        return frozenset(self.selected)
