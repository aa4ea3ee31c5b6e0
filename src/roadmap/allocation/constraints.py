"""The executive's envelope around a rule: reserve, eligibility, caps, floors, dependencies,
earmarked pledges, and each voter's voice.

How each constraint enters each rule is described in ``docs/allocation.md``; in short:
the reserve is taken off the budget; ineligible items are never considered; a pledge pays its
item first and the rule pays only the rest; items whose groups have a floor are funded in a
pre-pass before the rule; a cap removes an item the moment funding it would exceed the cap;
an item is available only once everything it depends on is funded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from roadmap.allocation.election import Number


@dataclass(frozen=True)
class Earmark:
    """An earmarked pledge as the rule sees it: ``voter_id`` funds ``amount`` of ``item_id`` itself.

    Named apart from the app's ``Pledge`` (``roadmap.domain.signals``), the pledge a member makes
    in its signal: the planning service turns each pledge into an earmark of exact weeks.

    The pledged effort is added to the pool and goes to that item first; the rule has to find
    only the rest of the item's cost. The part of a pledge above the item's cost, and pledges to
    items that end up unfunded, are not spent.
    """

    voter_id: str
    item_id: str
    amount: Number


@dataclass(frozen=True)
class Constraints:
    """Constraints the executive sets on top of any rule.

    Parameters
    ----------
    reserve : Number
        Kept out of the member allocation (taken off the budget before the rule runs).
    eligible : frozenset[str] or None
        Items in scope; None means every item is eligible.
    groups : Mapping[str, Sequence[str]]
        The groups (themes, sub-communities) each item belongs to, by item id.
    caps : Mapping[str, Number]
        Per group, the largest total cost that may be funded in it.
    floors : Mapping[str, Number]
        Per group, the total cost the plan should fund in it if eligible items allow.
    depends_on : Mapping[str, Sequence[str]]
        Per item, the items it needs: it can be funded only once they all are.
    pledges : Sequence[Earmark]
        Earmarked pledges, paid first.
    """

    reserve: Number = 0
    eligible: frozenset[str] | None = None
    groups: Mapping[str, Sequence[str]] = field(default_factory=dict)
    caps: Mapping[str, Number] = field(default_factory=dict)
    floors: Mapping[str, Number] = field(default_factory=dict)
    depends_on: Mapping[str, Sequence[str]] = field(default_factory=dict)
    pledges: Sequence[Earmark] = ()


NO_CONSTRAINTS = Constraints()


def voice_weights(contributions: Sequence[Number], alpha: Number) -> list[Fraction]:
    """Each member's voice: ``alpha / n + (1 - alpha) * contribution_i / sum(contributions)``.

    ``alpha = 1`` gives equal voice, ``alpha = 0`` voice by contribution. The weights are exact
    and sum to 1; in equal shares a member's share of the budget is ``budget * weight``.

    Parameters
    ----------
    contributions : Sequence[Number]
        What each member contributed (any unit), in voter order; not negative.
    alpha : Number
        Between 0 and 1.

    Raises
    ------
    ValueError
        If alpha is outside [0, 1], a contribution is negative, or the contributions are all 0
        while alpha < 1.
    """
    n = len(contributions)
    alpha = Fraction(alpha)
    if not 0 <= alpha <= 1:
        raise ValueError("alpha must be between 0 and 1")
    if any(c < 0 for c in contributions):
        raise ValueError("contributions cannot be negative")
    total = sum(contributions, Fraction(0))
    if total == 0 and alpha < 1:
        raise ValueError("contributions are all zero: only equal voice (alpha = 1) is possible")
    if n == 0:
        return []
    return [alpha / n + ((1 - alpha) * c / total if alpha < 1 else 0) for c in contributions]
