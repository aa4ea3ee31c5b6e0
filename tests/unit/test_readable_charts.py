"""Charts a reader understands at a glance (issue 13, item 7): one colour per organization and
sub-community in every chart, items by number, grouped comparison bars, units on the axes,
light zero cells, and a waterfall whose bars add up to the table's figures."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from roadmap.domain.plans import PlanSnapshot
from roadmap.services.legend import Legend
from roadmap.services.scenarios import ScenarioResult
from roadmap.ui import figures, palette
from roadmap.ui.comparison_view import comparison_tables

DEMO = json.loads(
    (Path(__file__).resolve().parents[1] / "fixtures" / "demo_scenarios.json").read_text()
)
LEGEND = Legend(
    organizations={"acme": "Acme", "beta": "Beta Labs", "gamma": "Gamma"},
    subcommunities={"kernels": "Kernels", "hub": "JupyterHub"},
    themes={},
)


def scenarios(*rules: str) -> list[ScenarioResult]:
    out = []
    for rule in rules:
        snap = PlanSnapshot.model_validate(DEMO[rule])
        out.append(ScenarioResult(rule, snap.envelope, snap))
    return out


def test_the_same_organization_has_the_same_colour_in_two_charts_and_others_differ() -> None:
    colours = palette.Palette(LEGEND).organizations_by_name()
    voice = figures.voice_bars(
        pd.DataFrame({"Organization": ["Beta Labs", "Acme"], "Share of voice": [0.6, 0.4]}),
        colours,
    )
    flow = figures.money_flow(
        pd.DataFrame({"From": ["Gamma", "Beta Labs"], "To": ["#1 A", "#1 A"], "Weeks": [1, 2]}),
        pd.DataFrame({"From": ["#1 A"], "To": ["Ana"], "Weeks": [3]}),
        colours,
    )
    in_voice = {t.name: t.marker.color for t in voice.data}
    node = flow.data[0].node
    in_flow = dict(zip(node.customdata, node.color, strict=True))
    assert (
        in_voice["Beta Labs"]
        == in_flow["Beta Labs"]
        == palette.colour("beta", list(LEGEND.organizations))
    )
    assert len({colours[n] for n in ("Acme", "Beta Labs", "Gamma")}) == 3
    # A key's colour depends only on the key and the registration order, not on the chart.
    assert palette.Palette(LEGEND).organization("beta") == palette.Palette(LEGEND).organization(
        "beta"
    )
    assert palette.colour("late-joiner", []) == palette.colour("late-joiner", [])


def test_the_treemap_colours_sub_communities_by_the_palette_and_hovers_full_titles() -> None:
    pal = palette.Palette(LEGEND)
    tiles = pd.DataFrame(
        {
            "#": [5, 10],
            "Item": ["A long title " * 5, "Short"],
            "Sub-community": ["Kernels", "JupyterHub"],
            "Effort": [2.25, 4.0],
        }
    )
    figure = figures.funded_treemap(tiles, pal.subcommunities_by_name())
    trace = figure.data[0]
    colours = dict(zip(trace.labels, trace.marker.colors, strict=True))
    assert colours["Kernels"] == pal.subcommunity("kernels")
    assert all(len(label) <= 32 for label in trace.labels)  # "#n" and a short title
    assert "A long title " * 5 in [row[0] for row in trace.customdata]


def test_the_signal_heatmap_orders_items_by_number_and_zero_is_not_an_alarm_colour() -> None:
    cells = pd.DataFrame(
        {
            "Organization": ["B", "A", "A"],
            "Item": ["#10", "#5", "#48"],
            "Title": ["t10", "t5", "t48"],
            "Weight": [1, 1, 3],
        }
    )
    figure = figures.signal_heatmap(cells)
    assert list(figure.data[0].x) == ["#5", "#10", "#48"]
    assert list(figure.data[0].y) == ["A", "B"]
    low = figure.layout.coloraxis.colorscale[0][1]
    assert low.startswith("rgb(247") or low.startswith("rgb(255")  # near white, not red
    assert "Item" in figure.layout.xaxis.title.text


def test_the_comparison_chart_groups_the_scenarios_bars_side_by_side() -> None:
    tables = comparison_tables(scenarios("equal_shares", "greedy", "phragmen"))
    figure = figures.effort_comparison(tables.effort_per["Sub-community"], "Sub-community")
    assert figure.layout.barmode == "group"
    assert {t.name for t in figure.data} == {"equal_shares", "greedy", "phragmen"}
    assert "person-weeks" in figure.layout.xaxis.title.text


def test_every_plan_chart_s_quantity_axis_names_its_unit() -> None:
    use = pd.DataFrame({"Person": ["Ana"], "Sub-period": ["2027-01"], "Assigned": [2.0]})
    accounts = pd.DataFrame(
        {"Organization": ["Acme"], "Share of voice": [0.5], figures.EFFORT_SHARE: [0.7]}
    )
    steps = pd.DataFrame(
        {
            "Step": ["Capacity", "Reserve", "Left"],
            "Person-weeks": [10.0, -2.0, 8.0],
            "Measure": ["absolute", "relative", "total"],
        }
    )
    assert figures.capacity_use(use).layout.yaxis.title.text == "Assigned (person-weeks)"
    assert figures.fairness(accounts).layout.xaxis.title.text == "Share (%)"
    assert figures.accounting_waterfall(steps).layout.xaxis.title.text == "Person-weeks"
    voice = pd.DataFrame({"Organization": ["Acme"], "Share of voice": [1.0]})
    assert figures.voice_bars(voice).layout.xaxis.title.text == "Share of voice (%)"


@pytest.mark.parametrize(
    ("rules", "line"),
    [
        (
            ("equal_shares", "greedy"),
            "Both scenarios fund the same 23 items; they differ only in who pays.",
        ),
        (
            ("equal_shares", "equal_shares"),
            "Both scenarios fund the same 23 items, paid for the same way.",
        ),
        (
            ("equal_shares", "greedy", "phragmen"),
            "The three scenarios fund different items: "
            "4 items are funded in some and not in others.",
        ),
    ],
)
def test_the_comparison_says_first_whether_the_scenarios_fund_the_same_items(
    rules: tuple[str, ...], line: str
) -> None:
    tables = comparison_tables(scenarios(*rules))
    assert tables.summary == line
    assert tables.differences.empty is (len(set(rules) - {"greedy"}) == 1)


def test_beyond_thirty_items_the_flow_folds_the_smaller_ones_into_one_node_in_both_columns() -> (
    None
):
    """40 funded items: the 30 largest keep a node, the other 10 share "10 other items", on
    both sides of it (paid in, worked on), and every person-week is still there."""
    items = [f"#{n} Item {n}" for n in range(1, 41)]
    payments = pd.DataFrame(
        {"From": ["Acme"] * 40, "To": items, "Weeks": [float(n) for n in range(1, 41)]}
    )
    work = pd.DataFrame(
        {"From": items, "To": ["Ana"] * 40, "Weeks": [float(n) for n in range(1, 41)]}
    )
    flow = figures.money_flow(payments, work).data[0]
    labels = list(flow.node.customdata)
    assert "10 other items" in labels
    assert {label for label in labels if label.startswith("#")} == set(items[10:])
    assert "#1 Item 1" not in labels and "#11 Item 11" in labels
    other = labels.index("10 other items")
    into = sum(v for t, v in zip(flow.link.target, flow.link.value, strict=True) if t == other)
    out_of = sum(v for s, v in zip(flow.link.source, flow.link.value, strict=True) if s == other)
    assert into == out_of == sum(range(1, 11))
    assert sum(flow.link.value) == 2 * sum(range(1, 41))
