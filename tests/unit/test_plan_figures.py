"""The plan's and scenarios' charts label months "Jan 2027", "Feb 2027", ... (issue 12,
item 7): sub-periods ("YYYY-MM") on a date axis were ticked by weeks ("Jan 1 2027",
"Jan 29", "Feb 26")."""

from __future__ import annotations

from datetime import date

import pandas as pd

from roadmap.ui import figures

MONTHS = [f"2027-0{m}" for m in range(1, 7)]
LABELS = ["Jan 2027", "Feb 2027", "Mar 2027", "Apr 2027", "May 2027", "Jun 2027"]


def use(people: int) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"Person": f"P{p}", "Sub-period": m, "Assigned": 1.0}
            for p in range(people)
            for m in reversed(MONTHS)  # out of order: the axis must still run Jan..Jun
        ]
    )


def test_the_capacity_bars_of_a_six_month_plan_are_labelled_by_month() -> None:
    figure = figures.capacity_use(use(3))
    axis = figure.layout.xaxis
    assert axis.type == "category"
    assert list(axis.categoryarray) == LABELS
    assert {x for trace in figure.data for x in trace.x} == set(LABELS)


def test_the_capacity_heatmap_of_many_people_is_labelled_by_month() -> None:
    figure = figures.capacity_use(use(figures.MANY + 1))
    assert figure.layout.xaxis.type == "category"
    assert list(figure.data[0].x) == LABELS


def test_the_assignments_gantt_ticks_each_month_as_jan_2027() -> None:
    rows = pd.DataFrame(
        [
            {
                "Item": "#1 Item",
                "Person": "Ana",
                "Start": date(2027, 1, 1),
                "End": date(2027, 7, 1),
                "Weeks": 6.0,
                "Skill": "python",
                "Page": "/item?id=1",
                "Id": 1,
            }
        ]
    )
    figure = figures.gantt(rows)
    axis = figure.layout.xaxis
    assert (axis.type, axis.dtick, axis.tickformat) == ("date", "M1", "%b %Y")
    # A bar carries its item's id first (a click opens the item) and hovers in words.
    [bar] = figure.data
    assert list(bar.customdata[0]) == [1, 6.0, "python", "Ana"]
    assert bar.hovertemplate.startswith("%{y}<br>%{customdata[3]}: %{customdata[1]:.1f} person")


def test_a_month_without_assignments_still_has_its_place_on_the_axis() -> None:
    busy = use(2)
    busy = busy[busy["Sub-period"] != "2027-03"]
    for people in (2, figures.MANY + 1):
        frame = busy if people == 2 else use(people).query("`Sub-period` != '2027-03'")
        figure = figures.capacity_use(frame, MONTHS)
        assert list(figure.layout.xaxis.categoryarray) == LABELS
