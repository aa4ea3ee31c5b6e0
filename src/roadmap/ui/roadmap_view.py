"""The filterable list of roadmap items shown on the public roadmap."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd
import streamlit as st

from roadmap.domain.access import Actor
from roadmap.domain.enums import ItemKind, ItemStatus
from roadmap.domain.items import PUBLIC_DEFAULT, RoadmapItem
from roadmap.services import item_reads
from roadmap.services.catalog import Named
from roadmap.services.context import Context
from roadmap.services.csv_export import frame_csv
from roadmap.ui.paging import page_of

COLUMNS = [
    "#",
    "Title",
    "Sub-community",
    "Theme",
    "Kind",
    "Status",
    "Effort (person-weeks)",
    "Created",
    "Last change",
    "Page",
]


def filtered_table(
    ctx: Context, actor: Actor, total: int, subs: list[Named], themes: list[Named]
) -> None:
    """The filters, then the matching items (``total``: how many items there are in all).

    The table shows PAGE rows at a time (a page selector appears beyond): without a search
    text only that page is read, filtered in SQL; a search reads the filtered items and
    matches the text here. The CSV has every matching item and is written when the button
    is pressed, not on every rerun.
    """
    statuses = [s for s in ItemStatus if s != ItemStatus.DRAFT]
    cols = st.columns(4)
    chosen_subs = cols[0].multiselect(
        "Sub-community", [s.slug for s in subs], format_func=_names(subs)
    )
    chosen_themes = cols[1].multiselect(
        "Theme", [t.slug for t in themes], format_func=_names(themes)
    )
    chosen_kinds = cols[2].multiselect("Kind", [k.value for k in ItemKind])
    chosen_statuses = cols[3].multiselect(
        "Status", statuses, default=list(PUBLIC_DEFAULT), format_func=lambda s: s.label
    )
    text = st.text_input("Search titles and summaries", placeholder="e.g. accessibility")
    where = item_reads.ItemFilter(
        tuple(chosen_statuses), tuple(chosen_subs), tuple(chosen_themes), tuple(chosen_kinds)
    )

    def every() -> list[RoadmapItem]:
        found = item_reads.list_items(ctx, actor, brief=True, where=where)
        if not text:
            return found
        needle = text.lower()
        return [i for i in found if needle in (i.title + " " + i.summary).lower()]

    if text:
        matching = every()
        count = len(matching)
        shown = page_of(matching, "roadmap", PAGE)
    else:
        count = item_reads.count_items(ctx, actor, where)
        rows = page_of(range(count), "roadmap", PAGE)
        offset = rows[0] if rows else 0
        shown = item_reads.list_items(
            ctx, actor, brief=True, where=where, limit=PAGE, offset=offset
        )
    st.write(f"{count} of {total} items")
    st.dataframe(_frame(shown), hide_index=True, width="stretch")
    st.download_button(
        "Download as CSV",
        lambda: frame_csv(_frame(every())),
        "roadmap.csv",
        mime="text/csv",
    )


PAGE = 100


def _frame(shown: Sequence[RoadmapItem]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "#": item.id,
                "Title": item.title,
                "Sub-community": item.subcommunity_name,
                "Theme": item.theme_name or "",
                "Kind": item.kind,
                "Status": item.status.label,
                "Effort (person-weeks)": f"{item.effort_low:g}–{item.effort_high:g}",
            }
            for item in shown
        ],
        columns=["#", "Title", "Sub-community", "Theme", "Kind", "Status", "Effort (person-weeks)"],
    )


def _names(named: list[Named]) -> Callable[[str], str]:
    lookup = {n.slug: n.name for n in named}
    return lambda slug: lookup.get(slug, slug)
