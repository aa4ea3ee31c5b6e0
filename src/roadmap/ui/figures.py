"""Plotly figures shared by pages; each is drawn from a table the page also shows."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from roadmap.domain.enums import ItemStatus

STATUS_ORDER = [s.label for s in ItemStatus]


def status_board(frame: pd.DataFrame) -> go.Figure:
    """Items per status (the board's columns), stacked by sub-community."""
    counts = frame.groupby(["Status", "Sub-community"]).size().reset_index(name="Items")
    figure = px.bar(
        counts,
        x="Status",
        y="Items",
        color="Sub-community",
        category_orders={"Status": [s for s in STATUS_ORDER if s in set(frame["Status"])]},
        title="Items by status",
    )
    figure.update_layout(legend_title_text="", margin={"t": 40, "b": 10})
    return figure


def timeline(frame: pd.DataFrame) -> go.Figure:
    """Each item from its proposal to its latest change, coloured by status."""
    figure = px.timeline(
        frame.sort_values("Created"),
        x_start="Created",
        x_end="Last change",
        y="Title",
        color="Status",
        hover_data=["Sub-community", "Effort (person-weeks)"],
        title="Items over time",
    )
    figure.update_yaxes(visible=False)
    figure.update_layout(height=max(300, 18 * len(frame)), margin={"t": 40, "b": 10})
    return figure
