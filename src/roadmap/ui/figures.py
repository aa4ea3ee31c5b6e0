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


def funded_treemap(funded: pd.DataFrame) -> go.Figure:
    """Funded effort by sub-community, then item."""
    return px.treemap(
        funded, path=["Sub-community", "Item"], values="Effort", title="Funded effort"
    )


# Beyond this many organizations or people, a chart folds the smaller ones together (or, for
# capacity use, draws a heatmap): hundreds of bars or nodes are unreadable and slow to draw.
MANY = 30


def _fold(frame: pd.DataFrame, column: str, what: str) -> pd.DataFrame:
    """``frame`` (From, To, Weeks) with all but the MANY largest ``column`` labels by weeks
    merged into one "N other ..." label."""
    totals = frame.groupby(column)["Weeks"].sum().sort_values(ascending=False)
    if len(totals) <= MANY:
        return frame
    rest = set(totals.index[MANY:])
    label = f"{len(rest)} other {what}"
    folded = frame.assign(**{column: frame[column].where(~frame[column].isin(rest), label)})
    return folded.groupby(["From", "To"], sort=False)["Weeks"].sum().reset_index()


def money_flow(payments: pd.DataFrame, work: pd.DataFrame) -> go.Figure:
    """A Sankey from organizations through items to staff (person-weeks); beyond MANY
    organizations or staff the smaller ones are folded together."""
    payments = _fold(payments, "From", "organizations")
    work = _fold(work, "To", "staff")
    labels = list(dict.fromkeys([*payments["From"], *payments["To"], *work["From"], *work["To"]]))
    index = {label: n for n, label in enumerate(labels)}
    links = pd.concat([payments, work])
    figure = go.Figure(
        go.Sankey(
            node={"label": labels, "pad": 12},
            link={
                "source": [index[x] for x in links["From"]],
                "target": [index[x] for x in links["To"]],
                "value": list(links["Weeks"]),
            },
        )
    )
    figure.update_layout(title="Organizations → items → staff (person-weeks)", height=600)
    return figure


def month_label(subperiod: str) -> str:
    """A sub-period's label on a chart axis: ``"2027-01"`` -> ``"Jan 2027"``."""
    year, month = subperiod.split("-")
    return f"{MONTHS[int(month) - 1]} {year}"


MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def capacity_use(use: pd.DataFrame, months: list[str] | None = None) -> go.Figure:
    """Assigned person-weeks per person and sub-period, against capacity: grouped bars, or a
    heatmap (person against sub-period) beyond MANY people. The sub-periods (``YYYY-MM``;
    ``months``, the plan's, else those in ``use``) are categories in time order, labelled
    "Jan 2027", ...: on a date axis plotly would tick them by weeks ("Jan 1 2027", "Jan 29",
    ...)."""
    months = sorted(set(months or []) | set(use["Sub-period"]))
    labels = [month_label(m) for m in months]
    use = use.assign(**{"Sub-period": use["Sub-period"].map(month_label)})
    if use["Person"].nunique() > MANY:
        grid = use.pivot_table(
            index="Person", columns="Sub-period", values="Assigned", aggfunc="sum", fill_value=0
        ).reindex(columns=labels, fill_value=0)
        figure = px.imshow(
            grid,
            aspect="auto",
            color_continuous_scale="Blues",
            labels={"color": "assigned"},
            title="Capacity use per person and sub-period",
        )
    else:
        figure = px.bar(
            use,
            x="Sub-period",
            y="Assigned",
            color="Person",
            barmode="group",
            category_orders={"Sub-period": labels},
            title="Capacity use per person and sub-period",
        )
    figure.update_xaxes(type="category", categoryorder="array", categoryarray=labels)
    return figure


def fairness(accounts: pd.DataFrame) -> go.Figure:
    """Each organization's share of voice against its share of funded effort it asked for
    (no bar where that share is private: an empty cell)."""
    long = accounts.melt(
        id_vars="Organization",
        value_vars=["Share of voice", "Share of effort it asked for"],
        var_name="Measure",
        value_name="Share",
    ).dropna(subset=["Share"])
    figure = px.bar(
        long,
        x="Share",
        y="Organization",
        color="Measure",
        barmode="group",
        orientation="h",
        title="Fairness: voice against effort received",
    )
    figure.update_xaxes(tickformat=".0%")
    return figure


def gantt(rows: pd.DataFrame) -> go.Figure:
    """Assignments over the sub-periods (plotly timeline)."""
    figure = px.timeline(
        rows,
        x_start="Start",
        x_end="End",
        y="Item",
        color="Person",
        hover_data=["Weeks", "Skill"],
        title="Assignments",
    )
    figure.update_yaxes(autorange="reversed")
    # A tick at each month's start, labelled "Jan 2027" (plotly's default ticks by weeks).
    figure.update_xaxes(dtick="M1", tickformat="%b %Y")
    return figure
