"""The roadmap as a board: a column per status, a card per item (its title a link to its
page, its sub-community and effort).

Each column reads only its first cards (a count of the rest and a "Show more" button that
adds CARDS more), so the board's rerun does not grow with the number of items. A search
text reads the filtered items and matches the text here, as the list does.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from roadmap.domain.access import Actor
from roadmap.domain.enums import ItemStatus
from roadmap.domain.items import RoadmapItem
from roadmap.services import item_reads
from roadmap.services.context import Context
from roadmap.ui.item_view import item_link
from roadmap.ui.roadmap_view import Chosen
from roadmap.ui.text import plain

CARDS = 10  # first cards per column, and how many more each "Show more" adds


def columns(chosen: Chosen) -> list[ItemStatus]:
    """The board's columns: the statuses chosen in the filter, in lifecycle order (every
    public status when none is chosen)."""
    picked = set(chosen.where.statuses or ())
    return [s for s in ItemStatus if s != ItemStatus.DRAFT and (not picked or s in picked)]


def board(ctx: Context, actor: Actor, chosen: Chosen) -> None:
    statuses = columns(chosen)
    matching: dict[ItemStatus, list[RoadmapItem]] | None = None
    if chosen.text:
        found = item_reads.list_items(ctx, actor, brief=True, where=chosen.where)
        matching = {s: [] for s in statuses}
        for item in found:
            if chosen.matches(item) and item.status in matching:
                matching[item.status].append(item)
    # Columns stack one under another on a narrow screen (Streamlit does this itself).
    for status, column in zip(statuses, st.columns(len(statuses)), strict=True):
        shown_key = f"board-{status.value}-shown"
        limit = st.session_state.get(shown_key, CARDS)
        if matching is not None:
            count, cards = len(matching[status]), matching[status][:limit]
        else:
            where = replace(chosen.where, statuses=(status,))
            count = item_reads.count_items(ctx, actor, where)
            cards = item_reads.list_items(ctx, actor, brief=True, where=where, limit=limit)
        with column:
            st.markdown(f"**{status.label.capitalize()}** · {count}")
            for item in cards:
                card(item)
            if count > len(cards):
                st.caption(f"{len(cards)} of {count} shown")
                if st.button("Show more", key=f"board-more-{status.value}"):
                    st.session_state[shown_key] = limit + CARDS
                    st.rerun()


def card(item: RoadmapItem) -> None:
    with st.container(border=True):
        st.markdown(item_link(item.id, item.title))
        st.caption(
            f"{plain(item.subcommunity_name)} · {item.effort_low:g}–{item.effort_high:g} "
            "person-weeks"
        )
