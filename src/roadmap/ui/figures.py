"""Plotly figures shared by pages; each is drawn from a table the page also shows."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from roadmap.domain.enums import ItemStatus

STATUS_ORDER = [s.label for s in ItemStatus]
WEEKS = "Person-weeks"
# Sequential scales that start near white: zero is the lightest cell, never an alarm colour.
SEQUENTIAL = "Blues"
# The waterfall's colours: what comes in, what is spent or kept out, and the subtotals.
ADDED, TAKEN, SUBTOTAL = "#2a9d8f", "#8d99ae", "#264653"


def status_board(frame: pd.DataFrame, colours: Mapping[str, str] | None = None) -> go.Figure:
    """Items per status (the board's columns), stacked by sub-community (the parts of one
    whole: a status's items), each in its colour (``colours``: name -> colour)."""
    counts = frame.groupby(["Status", "Sub-community"]).size().reset_index(name="Items")
    figure = px.bar(
        counts,
        x="Status",
        y="Items",
        color="Sub-community",
        color_discrete_map=dict(colours or {}),
        category_orders={"Status": [s for s in STATUS_ORDER if s in set(frame["Status"])]},
        title="Items by status",
    )
    figure.update_layout(legend_title_text="", margin={"t": 40, "b": 10})
    figure.update_yaxes(title_text="Items (count)")
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


def item_number(label: str) -> int:
    """``"#12"`` -> 12: items sort by number, not as text (#5 before #10)."""
    return int(label.lstrip("#").split()[0])


def signal_heatmap(frame: pd.DataFrame) -> go.Figure:
    """Organizations (by name, in order) against items (by number); the cell is the
    organization's points, or 1 for an approval; hovering names the item's title when the
    frame has a "Title" column."""
    pivot = frame.pivot_table(index="Organization", columns="Item", values="Weight", fill_value=0)
    pivot = pivot[sorted(pivot.columns, key=lambda c: item_number(str(c)))].sort_index()
    titles = (
        dict(zip(frame["Item"], frame["Title"], strict=False)) if "Title" in frame.columns else {}
    )
    figure = px.imshow(
        pivot,
        aspect="auto",
        color_continuous_scale=SEQUENTIAL,
        labels={"color": "Points (1 = approved)", "x": "Item", "y": "Organization"},
        title="Who asked for what",
    )
    figure.update_traces(
        customdata=[[titles.get(c, c) for c in pivot.columns] for _ in pivot.index],
        hovertemplate="%{y} · %{x} %{customdata}<br>%{z} points<extra></extra>",
    )
    figure.update_xaxes(type="category", title_text="Item (by number)")
    figure.update_yaxes(title_text="Organization")
    return figure


def agreement_heatmap(matrix: pd.DataFrame) -> go.Figure:
    """Pairwise agreement (Jaccard) of organizations' supported items: 0 (nothing in common)
    is the lightest cell."""
    figure = px.imshow(
        matrix.sort_index().sort_index(axis=1),
        zmin=0,
        zmax=1,
        color_continuous_scale=SEQUENTIAL,
        text_auto=".0%",
        labels={"color": "Items in common (share)"},
        title="Agreement between organizations (100 % = the same items)",
    )
    figure.update_coloraxes(colorbar_tickformat=".0%")
    return figure


def voice_bars(frame: pd.DataFrame, colours: Mapping[str, str] | None = None) -> go.Figure:
    """Each organization's share of the voice, in its colour (``colours``: name -> colour)."""
    figure = px.bar(
        frame.sort_values("Share of voice"),
        x="Share of voice",
        y="Organization",
        color="Organization",
        color_discrete_map=dict(colours or {}),
        orientation="h",
        title="Each organization's share of the voice (they sum to 100 %)",
    )
    figure.update_xaxes(tickformat=".0%", title_text="Share of voice (%)")
    figure.update_layout(showlegend=False)
    return figure


def short(text: str, length: int = 28) -> str:
    """A label that fits a tile or a bar: ``text`` cut at ``length`` characters with "…"."""
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def funded_treemap(funded: pd.DataFrame, colours: Mapping[str, str] | None = None) -> go.Figure:
    """Funded effort by sub-community (each in its colour; ``colours``: name -> colour), then
    item: a tile shows "#n" and a short title with its person-weeks; hovering gives the
    full title. Built as one ``go.Treemap`` from ids and parents (plotly express's path
    grouping costs most of a second at a thousand items)."""
    palette_of = {"(?)": "#ffffff", **dict(colours or {})}
    effort = funded["Effort"].round(1)
    groups = list(dict.fromkeys(funded["Sub-community"]))
    ids = [f"group:{g}" for g in groups] + [f"item:{n}" for n in funded["#"]]
    figure = go.Figure(
        go.Treemap(
            ids=ids,
            labels=groups
            + [f"#{n} {short(t)}" for n, t in zip(funded["#"], funded["Item"], strict=True)],
            parents=[""] * len(groups) + [f"group:{g}" for g in funded["Sub-community"]],
            # A sub-community adds up its items (plotly sums them: no float mismatch).
            values=[0.0] * len(groups) + [float(v) for v in effort],
            branchvalues="remainder",
            customdata=[[g] for g in groups] + [[t] for t in funded["Item"]],
            marker={
                "colors": [palette_of.get(g, "#cccccc") for g in groups]
                + [palette_of.get(g, "#cccccc") for g in funded["Sub-community"]],
                "line": {"width": 1},
            },
            texttemplate="%{label}<br>%{value:.1f} person-weeks",
            hovertemplate="%{customdata[0]}<br>%{value:.1f} person-weeks<extra></extra>",
            textfont={"size": 13},
            tiling={"pad": 2},
        )
    )
    figure.update_layout(
        title="Funded effort by sub-community and item (person-weeks)",
        uniformtext={"minsize": 9, "mode": "hide"},
        margin={"t": 50},
        height=620,
    )
    return figure


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
    return _merged(frame, column, rest, f"{len(rest)} other {what}")


def _merged(frame: pd.DataFrame, column: str, rest: set[str], label: str) -> pd.DataFrame:
    """``frame`` (From, To, Weeks) with the ``column`` labels in ``rest`` made ``label``,
    and the links that then join the same two nodes added together."""
    folded = frame.assign(**{column: frame[column].where(~frame[column].isin(rest), label)})
    return folded.groupby(["From", "To"], sort=False)["Weeks"].sum().reset_index()


def _fold_items(payments: pd.DataFrame, work: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The items (``payments``' To, ``work``'s From): all but the MANY largest by funded
    weeks merged into one "N other items" node in both frames."""
    totals = payments.groupby("To")["Weeks"].sum().sort_values(ascending=False)
    if len(totals) <= MANY:
        return payments, work
    rest = set(totals.index[MANY:])
    label = f"{len(rest)} other items"
    return _merged(payments, "To", rest, label), _merged(work, "From", rest, label)


def money_flow(
    payments: pd.DataFrame, work: pd.DataFrame, colours: Mapping[str, str] | None = None
) -> go.Figure:
    """A Sankey from organizations through items to staff (person-weeks); beyond MANY
    organizations, items or staff the smaller ones are folded together. An organization's node
    and its links are in its colour (``colours``: name -> colour)."""
    payments, work = _fold_items(payments, work)
    payments = _fold(payments, "From", "organizations")
    work = _fold(work, "To", "staff")
    labels = list(dict.fromkeys([*payments["From"], *payments["To"], *work["From"], *work["To"]]))
    index = {label: n for n, label in enumerate(labels)}
    links = pd.concat([payments, work])
    colours = dict(colours or {})
    grey = "rgba(160,160,160,0.8)"
    figure = go.Figure(
        go.Sankey(
            node={
                "label": [short(x, 40) for x in labels],
                "customdata": labels,
                "hovertemplate": "%{customdata}<br>%{value:.1f} person-weeks<extra></extra>",
                "pad": 12,
                "color": [colours.get(x, grey) for x in labels],
            },
            link={
                "source": [index[x] for x in links["From"]],
                "target": [index[x] for x in links["To"]],
                "value": list(links["Weeks"]),
                "color": [_faded(colours.get(x)) for x in links["From"]],
            },
            valueformat=".1f",
            valuesuffix=" person-weeks",
        )
    )
    figure.update_layout(title="Organizations → items → staff (person-weeks)", height=600)
    return figure


def _faded(hex_colour: str | None) -> str:
    """A link's colour: its organization's, translucent (grey when it has none)."""
    if not hex_colour or not hex_colour.startswith("#") or len(hex_colour) != 7:
        return "rgba(160,160,160,0.35)"
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},0.35)"


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
            color_continuous_scale=SEQUENTIAL,
            labels={"color": "Assigned (person-weeks)", "y": "Person"},
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
    figure.update_xaxes(title_text="Month")
    if use["Person"].nunique() <= MANY:
        figure.update_yaxes(title_text="Assigned (person-weeks)")
    return figure


EFFORT_SHARE = "Share of funded effort on items it asked for"


def fairness(accounts: pd.DataFrame) -> go.Figure:
    """Each organization's share of voice against the share of all funded effort spent on
    items it asked for (no bar where that share is private: an empty cell). Drawn as two
    bar traces (plotly express's grouping costs about a second at 800 organizations)."""
    figure = go.Figure()
    for measure, colour in (("Share of voice", "#264653"), (EFFORT_SHARE, "#e9c46a")):
        shown = accounts.dropna(subset=[measure])
        figure.add_trace(
            go.Bar(
                x=list(shown[measure]),
                y=list(shown["Organization"]),
                orientation="h",
                name=measure,
                marker_color=colour,
                hovertemplate="%{y}<br>" + measure + ": %{x:.1%}<extra></extra>",
            )
        )
    figure.update_layout(
        title="Voice against funded effort on the items each asked for",
        barmode="group",
        legend={"orientation": "h", "y": -0.2, "title_text": ""},
        yaxis={"title_text": "Organization", "autorange": "reversed"},
    )
    figure.update_xaxes(tickformat=".0%", title_text="Share (%)")
    return figure


def gantt(rows: pd.DataFrame) -> go.Figure:
    """Assignments over the sub-periods (plotly timeline); hovering names the item, the
    person, the person-weeks and the skill, and clicking a bar opens its item (its id is
    the points' first ``customdata``)."""
    figure = px.timeline(
        rows,
        x_start="Start",
        x_end="End",
        y="Item",
        color="Person",
        custom_data=["Id", "Weeks", "Skill", "Person"],
        title="Assignments",
    )
    figure.update_traces(
        hovertemplate="%{y}<br>%{customdata[3]}: %{customdata[1]:.1f} person-weeks of "
        "%{customdata[2]}<br>Click to open<extra></extra>"
    )
    figure.update_yaxes(autorange="reversed")
    # A tick at each month's start, labelled "Jan 2027" (plotly's default ticks by weeks).
    figure.update_xaxes(dtick="M1", tickformat="%b %Y")
    return figure


def planned_work(rows: pd.DataFrame) -> go.Figure:
    """The plan's items over the months (``rows``: Id, Item, Start, End, Person-weeks): a bar
    per item; hovering names it, clicking opens it (its id is the points' ``customdata``)."""
    figure = px.timeline(
        rows,
        x_start="Start",
        x_end="End",
        y="Item",
        custom_data=["Id", "Person-weeks"],
        title="Planned work",
    )
    figure.update_traces(
        hovertemplate="%{y}<br>%{customdata[1]:.1f} person-weeks<br>Click to open<extra></extra>"
    )
    figure.update_yaxes(autorange="reversed", title_text="")
    figure.update_xaxes(dtick="M1", tickformat="%b %Y")
    figure.update_layout(height=max(300, 40 + 28 * len(rows)), margin={"t": 40, "l": 10})
    return figure


def accounting_waterfall(steps: pd.DataFrame) -> go.Figure:
    """The plan's accounting (``roadmap.domain.accounting``) from ``steps`` (Step,
    Person-weeks, Measure): a horizontal waterfall read top to bottom, what comes in in
    one colour, what is spent or kept out in another, subtotals in a third."""
    measure = list(steps["Measure"])
    values = list(steps["Person-weeks"])
    figure = go.Figure(
        go.Waterfall(
            orientation="h",
            y=list(steps["Step"]),
            x=values,
            measure=measure,
            text=[
                f"{v:+.1f}" if m == "relative" else f"{v:.1f}"
                for v, m in zip(values, measure, strict=True)
            ],
            textposition="auto",
            increasing={"marker": {"color": ADDED}},
            decreasing={"marker": {"color": TAKEN}},
            totals={"marker": {"color": SUBTOTAL}},
            connector={"line": {"color": "#bbbbbb", "width": 1}},
            hovertemplate="%{y}: %{x:.1f} person-weeks<extra></extra>",
        )
    )
    figure.update_yaxes(autorange="reversed", title_text="")
    figure.update_xaxes(title_text="Person-weeks", rangemode="tozero")
    figure.update_layout(
        title="Where the effort goes (person-weeks)",
        height=max(360, 34 * len(steps) + 120),
        margin={"l": 10, "r": 10, "t": 50, "b": 40},
        showlegend=False,
    )
    return figure


def effort_comparison(per_group: pd.DataFrame, grouping: str) -> go.Figure:
    """Funded effort per group (rows: group names) and scenario (columns), grouped bars side
    by side: one bar per scenario in each group, never stacked."""
    long = (
        per_group.rename_axis(grouping)
        .reset_index()
        .melt(id_vars=grouping, var_name="Scenario", value_name="Effort")
    )
    long["Effort"] = long["Effort"].round(1)
    figure = px.bar(
        long,
        x="Effort",
        y=grouping,
        color="Scenario",
        barmode="group",
        orientation="h",
        text="Effort",
        color_discrete_sequence=["#264653", "#2a9d8f", "#e9c46a"],
        title=f"Funded effort per {grouping.lower()} and scenario (person-weeks)",
    )
    figure.update_traces(textposition="outside", textangle=0)
    figure.update_xaxes(title_text="Funded effort (person-weeks)")
    figure.update_yaxes(title_text="", autorange="reversed")
    figure.update_layout(
        height=max(320, 28 * len(per_group) * max(len(per_group.columns), 1) + 120),
        legend={"orientation": "h", "y": -0.15, "title_text": ""},
    )
    return figure
