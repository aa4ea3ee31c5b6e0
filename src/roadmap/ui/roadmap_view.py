"""The public roadmap: its filters, then the matching items as a list, a board (a column per
status) or a timeline (the plan in effect over the period's months)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from roadmap.domain.access import Actor
from roadmap.domain.enums import ItemKind, ItemStatus
from roadmap.domain.items import PUBLIC_DEFAULT, RoadmapItem
from roadmap.services import item_reads
from roadmap.services.catalog import Named
from roadmap.services.context import Context
from roadmap.services.csv_export import frame_csv
from roadmap.ui.item_links import item_url, title_column
from roadmap.ui.paging import page_of

# The table's columns, in order: the title (a link to the item's page) first, then what a
# reader scans by. The id is in the link; theme, kind and dates are on the item's page, in
# the filters and in the CSV. Four columns fit the page's 700 px at 1,440 px.
COLUMNS = ["Title", "Sub-community", "Status", "Effort (person-weeks)"]
CSV_COLUMNS = ["#", "Title", "Sub-community", "Theme", "Kind", "Status", "Effort (person-weeks)"]
VIEWS = ("List", "Board", "Timeline")
PAGE = 100


@dataclass(frozen=True)
class Chosen:
    """The filters a reader set: the SQL part, and the search text matched here."""

    where: item_reads.ItemFilter
    text: str

    def matches(self, item: RoadmapItem) -> bool:
        return not self.text or self.text.lower() in (item.title + " " + item.summary).lower()


def filters(subs: list[Named], themes: list[Named]) -> Chosen:
    """The filters shared by the list, the board and the timeline."""
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
    return Chosen(where, text)


def filtered_table(ctx: Context, actor: Actor, total: int, chosen: Chosen) -> None:
    """The matching items as a table.

    The table shows PAGE rows at a time (a page selector appears beyond): without a search
    text only that page is read, filtered in SQL; a search reads the filtered items and
    matches the text here. The CSV has every matching item and is written when the button
    is pressed, not on every rerun.
    """

    def every() -> list[RoadmapItem]:
        found = item_reads.list_items(ctx, actor, brief=True, where=chosen.where)
        return [i for i in found if chosen.matches(i)]

    if chosen.text:
        matching = every()
        count = len(matching)
        shown = page_of(matching, "roadmap", PAGE)
    else:
        count = item_reads.count_items(ctx, actor, chosen.where)
        rows = page_of(range(count), "roadmap", PAGE)
        offset = rows[0] if rows else 0
        shown = item_reads.list_items(
            ctx, actor, brief=True, where=chosen.where, limit=PAGE, offset=offset
        )
    st.write(f"{count} of {total} items")
    st.dataframe(
        table(shown),
        hide_index=True,
        width="stretch",
        column_order=COLUMNS,
        column_config=COLUMN_CONFIG,
    )
    st.download_button(
        "Download as CSV",
        lambda: frame_csv(_frame(every())),
        "roadmap.csv",
        mime="text/csv",
    )


# Widths that keep every column on screen at 1,440 px: the title gets what is left over.
COLUMN_CONFIG = {
    "Title": title_column(width=340),
    "Sub-community": st.column_config.TextColumn("Sub-community", width=130),
    "Status": st.column_config.TextColumn("Status", width=95),
    "Effort (person-weeks)": st.column_config.TextColumn(
        "Effort", width="small", help="Person-weeks, low–high estimate"
    ),
}


def table(shown: Sequence[RoadmapItem]) -> pd.DataFrame:
    """The rows drawn on the page: the title column holds the item's link."""
    frame = _frame(shown)
    frame["Title"] = [item_url(i.id, i.title) for i in shown]
    return frame[COLUMNS]


def _frame(shown: Sequence[RoadmapItem]) -> pd.DataFrame:
    """The rows of the CSV: the id and the plain title."""
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
        columns=CSV_COLUMNS,
    )


def _names(named: list[Named]) -> Callable[[str], str]:
    lookup = {n.slug: n.name for n in named}
    return lambda slug: lookup.get(slug, slug)
