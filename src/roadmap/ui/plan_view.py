"""Drawing a plan snapshot (a scenario's or a published plan's): tables beside every chart."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from roadmap.domain.plans import AssignmentLine, PlanSnapshot
from roadmap.domain.privacy import PRIVATE
from roadmap.ui import figures


def funded_frame(snap: PlanSnapshot) -> pd.DataFrame:
    """The funded items; "Who paid" names each pledging organization and the payers of the
    rest (``FundedLine.who_paid``)."""
    names = snap.names()
    return pd.DataFrame(
        [
            {
                "#": f.item,
                "Item": f.title,
                "Sub-community": f.subcommunity,
                "Theme": f.theme or "",
                "Effort": f.effort,
                "Funded by": f.stage,
                "Pledged": f.pledged,
                "Who paid": f.who_paid(names),
                "Paying organizations": f.paying_organizations(),
            }
            for f in snap.funded
        ],
        columns=[
            "#",
            "Item",
            "Sub-community",
            "Theme",
            "Effort",
            "Funded by",
            "Pledged",
            "Who paid",
            "Paying organizations",
        ],
    )


def accounts_frame(snap: PlanSnapshot) -> pd.DataFrame:
    """Each organization's voice, and (where the reader may see its signal) the share of
    effort it asked for and what it paid; an empty cell where that is private."""
    return pd.DataFrame(
        [
            {
                "Organization": a.name,
                "Share of voice": a.voice,
                "Share of effort it asked for": None if a.private else a.effort_share,
                "Paid (person-weeks)": None if a.private else a.paid,
            }
            for a in snap.accounts
        ]
    )


def explanation(snap: PlanSnapshot, key: str = "plan") -> None:
    """Who paid for each funded item, and every item explained in sentences
    (``roadmap.ui.explanation_view``, which draws with this module's tables)."""
    from roadmap.ui import explanation_view

    explanation_view.draw(snap, key=key)


def fairness_panel(snap: PlanSnapshot, key: str = "plan") -> None:
    frame = accounts_frame(snap)
    st.plotly_chart(figures.fairness(frame), width="stretch", key=f"{key}-fairness")
    st.dataframe(
        frame.style.format(
            {"Share of voice": "{:.1%}", "Share of effort it asked for": "{:.1%}"},
            na_rep=PRIVATE,
        ),
        hide_index=True,
        width="stretch",
    )


def overview(snap: PlanSnapshot, key: str = "plan") -> None:
    funded = funded_frame(snap)
    cols = st.columns(4)
    cols[0].metric("Capacity (person-weeks)", f"{snap.budget:g}")
    cols[1].metric("Reserve", f"{snap.reserve:g}")
    cols[2].metric("Funded effort", f"{snap.spent:g}")
    gaps = sum(g.weeks for g in snap.gaps)
    cols[3].metric("Uncovered (gap)", f"{gaps:g}")
    if not funded.empty:
        st.plotly_chart(figures.funded_treemap(funded), width="stretch", key=f"{key}-treemap")


def flows(snap: PlanSnapshot, key: str = "plan") -> None:
    titles = {f.item: f"#{f.item} {f.title[:40]}" for f in snap.funded}
    payments = pd.DataFrame(
        [
            {"From": org, "To": titles[f.item], "Weeks": weeks}
            for f in snap.funded
            for org, weeks in f.payments.items()
            if weeks > 0
        ]
        + [
            {"From": org, "To": titles[f.item], "Weeks": weeks}
            for f in snap.funded
            for org, weeks in f.pledges.items()
            if weeks > 0
        ]
        + [  # a format 1 snapshot's pledges, recorded for no organization
            {"From": "pledges", "To": titles[f.item], "Weeks": unattributed}
            for f in snap.funded
            if (unattributed := f.pledged - sum(f.pledges.values())) > 1e-9
        ],
        columns=["From", "To", "Weeks"],
    )
    work = pd.DataFrame(
        [
            {"From": titles.get(a.item, str(a.item)), "To": a.name, "Weeks": a.weeks}
            for a in snap.assignments
        ],
        columns=["From", "To", "Weeks"],
    )
    if not payments.empty:
        st.plotly_chart(figures.money_flow(payments, work), width="stretch", key=f"{key}-flows")
        st.dataframe(pd.concat([payments, work]), hide_index=True, width="stretch")


def staffing(snap: PlanSnapshot, key: str = "plan") -> None:
    months = snap.subperiods
    use = (
        pd.DataFrame(
            [
                {"Person": a.name, "Sub-period": months[a.subperiod], "Assigned": a.weeks}
                for a in snap.assignments
            ],
            columns=["Person", "Sub-period", "Assigned"],
        )
        .groupby(["Person", "Sub-period"], as_index=False)
        .sum()
    )
    if not use.empty:
        st.plotly_chart(figures.capacity_use(use, months), width="stretch", key=f"{key}-capacity")
        st.dataframe(use, hide_index=True, width="stretch")
    st.subheader("Gaps: hiring or training needs")
    gaps = pd.DataFrame(
        [
            {
                "Skill": g.skill,
                "Sub-period": months[g.subperiod],
                "Person-weeks": g.weeks,
                "Items": ", ".join(f"#{i}" for i in g.items),
            }
            for g in snap.gaps
        ],
        columns=["Skill", "Sub-period", "Person-weeks", "Items"],
    )
    if gaps.empty:
        st.write("Every funded person-week is covered by someone with the skill.")
    else:
        st.dataframe(gaps, hide_index=True, width="stretch")


def gantt_rows(snap: PlanSnapshot, assignments: list[AssignmentLine]) -> pd.DataFrame:
    titles = {f.item: f"#{f.item} {f.title[:50]}" for f in snap.funded}
    rows = []
    for a in assignments:
        year, month = (int(x) for x in snap.subperiods[a.subperiod].split("-"))
        end = date(year + (month == 12), month % 12 + 1, 1)
        rows.append(
            {
                "Item": titles.get(a.item, str(a.item)),
                "Person": a.name,
                "Start": date(year, month, 1),
                "End": end,
                "Weeks": a.weeks,
                "Skill": a.skill,
                "Page": f"/item?id={a.item}",
            }
        )
    return pd.DataFrame(rows, columns=["Item", "Person", "Start", "End", "Weeks", "Skill", "Page"])
