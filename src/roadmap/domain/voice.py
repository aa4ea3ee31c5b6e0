"""How much voice each member organization has in a period, and how signals add up."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from roadmap.domain.enums import VoiceMode


def voice_shares(
    commitments: Mapping[str, float], mode: VoiceMode, alpha: float = 0.5
) -> dict[str, float]:
    """Each organization's share of the total voice (the shares sum to 1).

    ``equal``: 1/n each. ``contribution``: commitment over the total (equal when nobody pays).
    ``blend``: ``alpha`` times the equal share plus ``1 - alpha`` times the contribution share,
    so an associate member paying nothing still has ``alpha / n``.
    """
    n = len(commitments)
    if n == 0:
        return {}
    equal = {org: 1.0 / n for org in commitments}
    total = sum(commitments.values())
    by_money = (
        {org: value / total for org, value in commitments.items()} if total > 0 else dict(equal)
    )
    if mode == VoiceMode.EQUAL:
        return equal
    if mode == VoiceMode.CONTRIBUTION:
        return by_money
    return {org: alpha * equal[org] + (1 - alpha) * by_money[org] for org in commitments}


def rank_scores(ranking: Sequence[int]) -> dict[int, int]:
    """Borda-style points of one ranking: the first of k items gets k, the last gets 1."""
    k = len(ranking)
    return {item: k - position for position, item in enumerate(ranking)}


def agreement(a: set[int], b: set[int]) -> float:
    """Jaccard agreement of two organizations' supported items (1: the same, 0: disjoint)."""
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)
