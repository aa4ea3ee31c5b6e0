"""Item titles as links to their pages, wherever a table or a chart names an item.

A table's title column holds ``/item?id=N#Title`` and is drawn by ``title_column()``: a
link column whose text is the title (the part after ``#``, which the item page ignores), so
the title itself is the link and no separate "open" column is needed. Lists use
``item_view.item_link`` (Markdown). Clicking a chart's point goes to its item through
``follow_chart_click``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

# The title shown for a cell: everything after the first "#" of the URL.
TITLE_TEXT = r"^/item\?id=\d+#([\s\S]*)$"


def item_url(item_id: int, title: str | None = None) -> str:
    """The item page's path; with ``title``, the form a ``title_column`` shows as the title."""
    path = f"/item?id={item_id}"
    if title is None:
        return path
    return f"{path}#{' '.join(title.split()) or f'#{item_id}'}"


def title_column(label: str = "Title", width: str | int | None = "large") -> Any:
    """The column config of a column of ``item_url(id, title)`` values: the title, linked."""
    return st.column_config.LinkColumn(
        label,
        display_text=TITLE_TEXT,
        width=width,  # type: ignore[arg-type]
        help="Opens the item's page",
    )


def follow_chart_click(event: Any) -> None:
    """After a click on a chart drawn with ``on_select="rerun"`` whose points carry the item
    id as their first ``customdata`` (or, a treemap's tiles, as the id ``item:<id>``): open
    that item's page."""
    points = (event or {}).get("selection", {}).get("points", []) if event else []
    for point in points:
        # A treemap's tile is sent by its id ("item:<id>"; a group's tile is not an item),
        # not with its customdata.
        tile = str(point.get("id") or "")
        data = (
            tile.removeprefix("item:")
            if tile.startswith("item:")
            else first_customdata(point.get("customdata"))
        )
        try:
            item_id = int(data)
        except (TypeError, ValueError):
            continue
        st.switch_page("pages/item.py", query_params={"id": str(item_id)})


def first_customdata(data: Any) -> Any:
    """A clicked point's first ``customdata`` value. Plotly sends a point's customdata as a
    list, or, when the figure's custom data are all numbers (sent as a typed array), as an
    object keyed "0", "1", ... (the roadmap timeline's bars once opened nothing for it)."""
    if isinstance(data, list | tuple):
        return data[0] if data else None
    if isinstance(data, dict):
        return data.get("0", data.get(0))
    return data


def linked(frame: pd.DataFrame, number: str = "#", title: str = "Item") -> pd.DataFrame:
    """A table's ``number`` and ``title`` columns made one: ``title`` holds the item's link
    (draw it with ``column_config=LINKED``). The table built for a CSV keeps both."""
    if number not in frame.columns or title not in frame.columns:
        return frame
    out = frame.copy()
    out[title] = [
        item_url(int(n), str(t)) for n, t in zip(frame[number], frame[title], strict=True)
    ]
    columns = [title, *(c for c in frame.columns if c not in (number, title))]
    return out[columns]


# The column config of a ``linked`` table's "Item" column.
LINKED = {"Item": title_column("Item")}
