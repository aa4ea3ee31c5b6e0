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


def signal_heatmap(frame: pd.DataFrame) -> go.Figure:
    """Organizations against items; the cell is the organization's points (or 1 for approval)."""
    pivot = frame.pivot_table(index="Organization", columns="Item", values="Weight", fill_value=0)
    figure = px.imshow(
        pivot,
        aspect="auto",
        color_continuous_scale="Oranges",
        labels={"color": "weight"},
        title="Who asked for what",
    )
    figure.update_xaxes(type="category")
    return figure


def agreement_heatmap(matrix: pd.DataFrame) -> go.Figure:
    """Pairwise agreement (Jaccard) of organizations' supported items."""
    figure = px.imshow(
        matrix,
        zmin=0,
        zmax=1,
        color_continuous_scale="RdBu",
        text_auto=".2f",
        title="Agreement between organizations (1 = same items)",
    )
    return figure


def voice_bars(frame: pd.DataFrame) -> go.Figure:
    figure = px.bar(
        frame.sort_values("Share of voice"),
        x="Share of voice",
        y="Organization",
        orientation="h",
        title="Each organization's share of the voice",
    )
    figure.update_xaxes(tickformat=".0%")
    return figure
