"""The filterable list of roadmap items shown on the public roadmap."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from roadmap.domain.enums import ItemKind, ItemStatus
from roadmap.services.catalog import Named
from roadmap.services.items import PUBLIC_DEFAULT, ItemView

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
    load: Callable[[tuple[ItemStatus, ...] | None], list[ItemView]],
    total: int,
    subs: list[Named],
    themes: list[Named],
) -> None:
    """The filters, then the matching items: ``load`` reads the items of the chosen statuses
    (all when none is chosen), ``total`` is how many items there are in all."""
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
    shown = [
        item
        for item in load(tuple(chosen_statuses) or None)
        if (not chosen_subs or item.subcommunity in chosen_subs)
        and (not chosen_themes or item.theme in chosen_themes)
        and (not chosen_kinds or item.kind in chosen_kinds)
        and (not text or text.lower() in (item.title + " " + item.summary).lower())
    ]
    st.write(f"{len(shown)} of {total} items")
    frame = pd.DataFrame(
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
    st.dataframe(frame, hide_index=True, width="stretch")
    # The CSV is written when the button is pressed, not on every rerun.
    st.download_button(
        "Download as CSV", lambda: frame.to_csv(index=False), "roadmap.csv", mime="text/csv"
    )


def _names(named: list[Named]) -> Callable[[str], str]:
    lookup = {n.slug: n.name for n in named}
    return lambda slug: lookup.get(slug, slug)
