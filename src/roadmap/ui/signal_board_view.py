"""The tables and the organizations charted on the member-signals page, shaped from the
signal board a service returns."""

from __future__ import annotations

import pandas as pd

from roadmap.domain.voice import agreement
from roadmap.services.signals import SignalBoard, SignalView
from roadmap.ui.item_links import item_url

# Charts of organizations show at most TOP of them (those with the most voice): beyond that
# a chart is unreadable and slow to draw; the tables and the CSV keep every organization.
TOP = 30


def _name(board: SignalBoard, key: str) -> str:
    return board.names.get(key, key)


def voice_table(board: SignalBoard) -> pd.DataFrame:
    """Each organization's share of voice."""
    return pd.DataFrame(
        [{"Organization": _name(board, k), "Share of voice": v} for k, v in board.voice.items()]
    )


def totals_table(board: SignalBoard) -> pd.DataFrame:
    """The totals per in-scope item; "Item" is the item's link (``item_links.title_column``)."""
    return pd.DataFrame(
        [
            {
                "Item": item_url(t.item_id, t.title),
                "Organizations in support": t.supporters,
                "Points": t.points,
                "Rank score": t.rank_score,
                "Pledged person-weeks": t.pledged_weeks,
            }
            for t in board.totals
        ]
    )


def signal_cells(board: SignalBoard) -> pd.DataFrame:
    """One row per organization and item it signalled, weighted by its points (else 1),
    with the item's title (the heatmap's hover) and its link (the table's)."""
    titles = {t.item_id: t.title for t in board.totals}
    return pd.DataFrame(
        [
            {
                "Organization": _name(board, s.organization),
                "Item": f"#{item}",
                "Title": titles.get(item, ""),
                "Link": item_url(item, titles.get(item) or f"#{item}"),
                "Weight": s.points.get(item, 1),
            }
            for s in board.signals
            for item in sorted(s.items())
        ]
    )


def charted(board: SignalBoard) -> list[SignalView]:
    """The signals of the TOP organizations with the most voice (else the first TOP)."""
    by_voice = sorted(board.voice, key=lambda k: (-board.voice[k], k))
    top = set(by_voice[:TOP])
    return [s for s in board.signals if s.organization in top] or board.signals[:TOP]


def charted_names(board: SignalBoard, signals: list[SignalView]) -> set[str]:
    return {_name(board, s.organization) for s in signals}


def agreement_matrix(board: SignalBoard, signals: list[SignalView]) -> pd.DataFrame:
    """How much each pair of these organizations' signals agree."""
    names = [_name(board, s.organization) for s in signals]
    sets = [s.items() for s in signals]
    return pd.DataFrame([[agreement(a, b) for b in sets] for a in sets], index=names, columns=names)
