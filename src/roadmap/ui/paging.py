"""Long lists shown a page at a time, so a page's rerun does not grow with the data."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import pandas as pd
import streamlit as st

T = TypeVar("T")


def page_of(rows: Sequence[T], key: str, size: int = 20) -> Sequence[T]:
    """The rows of the page chosen in a page selector shown above them (only when more than
    ``size`` rows), with a caption saying which rows are shown."""
    if len(rows) <= size:
        return rows
    pages = -(-len(rows) // size)
    # The page count is in the key: when it changes, the selector starts again at page 1.
    page = st.number_input(
        f"Page (of {pages})", min_value=1, max_value=pages, value=1, key=f"{key}-page-{pages}"
    )
    start = (int(page) - 1) * size
    st.caption(f"Showing {start + 1}–{min(start + size, len(rows))} of {len(rows)}.")
    return rows[start : start + size]


TABLE_ROWS = 500
"""Rows of a large table drawn at once: beyond, the table is shown a page at a time (its
whole content is in the page's downloads)."""


def frame_page(frame: pd.DataFrame, key: str, size: int = TABLE_ROWS) -> pd.DataFrame:
    """The rows of ``frame`` on the page chosen (:func:`page_of`; all of them up to ``size``)."""
    if len(frame) <= size:
        return frame
    shown = page_of(range(len(frame)), key, size)
    return frame.iloc[shown[0] : shown[-1] + 1] if len(shown) else frame.iloc[0:0]
