"""The roadmap as a timeline: the work of the final plan in effect over its period's months.

One bar per planned item, from the first month anyone works on it to the last (the plan's
assignments, whose ``subperiod`` indexes ``snapshot.subperiods``), and a table of the same
items with the person-weeks of each month. The filters are the list's; the bars are shown
ITEMS at a time (a page selector appears beyond), so the chart stays readable and its
rerun does not grow with the plan. Clicking a bar opens its item.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

import pandas as pd
import streamlit as st

from roadmap.domain.access import Actor
from roadmap.domain.plans import PlanSnapshot
from roadmap.services import item_reads, publishing
from roadmap.services.context import Context
from roadmap.ui import figures
from roadmap.ui.item_links import follow_chart_click, item_url, title_column
from roadmap.ui.paging import page_of
from roadmap.ui.roadmap_view import Chosen
from roadmap.ui.text import plain

ITEMS = 25


def timeline(ctx: Context, actor: Actor, chosen: Chosen) -> None:
    plan = publishing.plan_in_effect(ctx, actor)
    if plan is None:
        st.info("No final plan is in effect yet: the timeline shows a published plan's work.")
        return
    snap = plan.snapshot
    st.caption(
        f"Planned work of {plain(plan.period)} (plan version {plan.version}) by month, "
        f"{snap.subperiods[0]} to {snap.subperiods[-1]}."
        if snap.subperiods
        else f"Planned work of {plain(plan.period)} (plan version {plan.version})."
    )
    weeks = monthly_weeks(snap)
    planned = list(weeks)
    # The filters, applied in SQL to the planned items (and the search text here).
    kept = {
        i.id: i
        for i in item_reads.list_items(ctx, actor, brief=True, ids=planned, where=chosen.where)
        if chosen.matches(i)
    }
    rows = [item for item in planned if item in kept]
    st.write(f"{len(rows)} of {len(planned)} planned items")
    if not rows:
        return
    shown = page_of(rows, "timeline", ITEMS)
    bars = bar_rows(snap, weeks, shown, {i: kept[i].title for i in shown})
    event = st.plotly_chart(
        figures.planned_work(bars),
        width="stretch",
        on_select="rerun",
        selection_mode="points",
        key="timeline-chart",
    )
    follow_chart_click(event)
    months = snap.subperiods
    table = pd.DataFrame(
        [
            {
                "Title": item_url(i, kept[i].title),
                "Sub-community": kept[i].subcommunity_name,
                "Status": kept[i].status.label,
                **{month: weeks[i].get(n, 0.0) for n, month in enumerate(months)},
            }
            for i in shown
        ]
    )
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "Title": title_column(width="medium"),
            **{
                m: st.column_config.NumberColumn(_month(m), format="%.1f", width="small")
                for m in months
            },
        },
    )


def monthly_weeks(snap: PlanSnapshot) -> dict[int, dict[int, float]]:
    """Person-weeks per planned item and month index, items in the plan's funded order."""
    weeks: dict[int, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    order = {f.item: n for n, f in enumerate(snap.funded)}
    for a in snap.assignments:
        weeks[a.item][a.subperiod] += a.weeks
    return {
        item: dict(weeks[item]) for item in sorted(weeks, key=lambda i: order.get(i, len(order)))
    }


def bar_rows(
    snap: PlanSnapshot,
    weeks: dict[int, dict[int, float]],
    items: Sequence[int],
    titles: dict[int, str],
) -> pd.DataFrame:
    """One bar per item: from its first planned month's start to its last month's end."""
    rows = []
    for item in items:
        months = sorted(weeks[item])
        rows.append(
            {
                "Id": item,
                "Item": f"{titles[item][:60]} (#{item})",
                "Start": _start(snap.subperiods[months[0]]),
                "End": _next(snap.subperiods[months[-1]]),
                "Person-weeks": round(sum(weeks[item].values()), 1),
            }
        )
    return pd.DataFrame(rows, columns=["Id", "Item", "Start", "End", "Person-weeks"])


def _start(month: str) -> date:
    year, number = (int(x) for x in month.split("-"))
    return date(year, number, 1)


def _next(month: str) -> date:
    year, number = (int(x) for x in month.split("-"))
    return date(year + (number == 12), number % 12 + 1, 1)


def _month(month: str) -> str:
    return _start(month).strftime("%b %Y")
