"""Drawing a plan snapshot (a scenario's or a published plan's): tables beside every chart."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import pandas as pd
import streamlit as st

from roadmap.domain.accounting import organization_outcomes, plan_accounting, stage_label
from roadmap.domain.glossary import ENTRIES
from roadmap.domain.plans import POOL, AssignmentLine, PlanSnapshot
from roadmap.domain.privacy import ORGANIZATIONS
from roadmap.ui import figures, glossary_view, palette
from roadmap.ui.figures import EFFORT_SHARE
from roadmap.ui.item_links import follow_chart_click, item_url
from roadmap.ui.paging import frame_page

# How the payers no single organization is named for show on a chart.
PAYER_NAMES = {POOL: "Shared pool", ORGANIZATIONS: "Organizations (private)"}
SOLVER = {
    "optimal": "Staff plan: the best assignment of people to items (proven within {gap}).",
    "time limit": "Staff plan: the best assignment found before the time limit (within {gap} "
    "of the best possible).",
    "nothing to solve": "Staff plan: no funded item could receive work.",
    "no solution": "Staff plan: the solver stopped without an assignment.",
    "greedy": "Staff plan: assigned greedily, item by item (no bound on how good it is).",
    "time limit, greedy kept": "Staff plan: the solver ran out of time; the greedy assignment "
    "was better and is kept.",
}


def funded_frame(snap: PlanSnapshot, group_names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The funded items; "Who paid" names each pledging organization and the payers of the
    rest (``FundedLine.who_paid``). ``group_names`` (``explanations.group_names``) gives the
    sub-communities' and themes' names; without it their slugs are shown."""
    names = snap.names()
    groups = group_names or {}
    return pd.DataFrame(
        [
            {
                "#": f.item,
                "Item": f.title,
                "Sub-community": groups.get(f"subcommunity:{f.subcommunity}", f.subcommunity),
                "Theme": groups.get(f"theme:{f.theme}", f.theme) if f.theme else "",
                "Effort": f.effort,
                "Funded by": stage_label(f.stage, snap.envelope.rule),
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
    """Each organization's voice, and (where the reader may see its signal) the share of all
    funded effort spent on items it asked for and what it paid; an empty cell where that is
    private."""
    return pd.DataFrame(
        [
            {
                "Organization": a.name,
                "Share of voice": a.voice,
                EFFORT_SHARE: None if a.private else a.effort_share,
                "Paid (person-weeks)": None if a.private else a.paid,
            }
            for a in snap.accounts
        ]
    )


def accounting_frame(snap: PlanSnapshot) -> pd.DataFrame:
    """The plan's accounting as people read it: each step rounded to one decimal so that the
    rounded figures add up (``Accounting.rounded``), with what it is in words."""
    steps = plan_accounting(snap).rounded().steps
    return pd.DataFrame(
        [
            {
                "Step": s.label,
                "Person-weeks": s.weeks,
                "Measure": s.measure,
                "Shown as": (f"{s.weeks:+.1f}" if s.measure == "relative" else f"= {s.weeks:.1f}")
                if s.measure != "absolute"
                else f"{s.weeks:.1f}",
                "What it is": s.note,
            }
            for s in steps
        ]
    )


def pledges_caption(pledged: float) -> str:
    """What the waterfall's pledges step means (it said "larger ... by" the pledged amount,
    which is not by how much the funded effort exceeds the budget: part of the budget may
    be left unallocated)."""
    return (
        "Pledges come on top of the shared budget"
        + (f" (here {pledged:.1f} person-weeks pledged)" if pledged else "")
        + ", so the funded effort can be larger than the capacity less the reserve. "
        "Uncovered skill gaps are part of the funded effort that no one with the skill is "
        "free for."
    )


def accounting_panel(snap: PlanSnapshot, key: str = "plan") -> None:
    """The waterfall from capacity to what is left unallocated and to staffed effort, with
    the same figures in a table beside it."""
    st.subheader("How the effort adds up")
    frame = accounting_frame(snap)
    pledged = frame.loc[frame["Step"] == "Pledges", "Person-weeks"].iloc[0]
    st.caption(pledges_caption(float(pledged)))
    chart, table = st.columns([3, 2])
    chart.plotly_chart(
        figures.accounting_waterfall(frame), width="stretch", key=f"{key}-accounting"
    )
    table.dataframe(
        frame[["Step", "Shown as"]].rename(columns={"Shown as": "Person-weeks"}),
        hide_index=True,
        width="stretch",
        height=35 * (len(frame) + 1) + 3,
    )
    with st.expander("What each step is"):
        st.markdown(
            "\n".join(
                f"- **{s}**: {n}" for s, n in zip(frame["Step"], frame["What it is"], strict=True)
            )
        )


def outcomes_frame(snap: PlanSnapshot) -> pd.DataFrame:
    """Each organization's outcome the reader may see (``roadmap.domain.privacy``: the row of
    an organization whose signal is private to the reader is left out)."""
    rows = []
    for o in organization_outcomes(snap):
        if o.private:
            continue
        rows.append(
            {
                "Organization": o.name,
                "Share of voice": o.voice,
                EFFORT_SHARE: o.effort_share,
                "Items it asked for, funded": "—"
                if o.asked is None
                else f"{o.funded} of {o.asked}",
                "Paid in the rule (person-weeks)": o.paid_rule,
                "Paid by its pledges (person-weeks)": o.paid_pledges,
                "Paid in all (person-weeks)": o.paid,
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "Organization",
            "Share of voice",
            EFFORT_SHARE,
            "Items it asked for, funded",
            "Paid in the rule (person-weeks)",
            "Paid by its pledges (person-weeks)",
            "Paid in all (person-weeks)",
        ],
    )


def explanation(snap: PlanSnapshot, key: str = "plan") -> None:
    """Who paid for each funded item, and every item explained in sentences
    (``roadmap.ui.explanation_view``, which draws with this module's tables)."""
    from roadmap.ui import explanation_view

    explanation_view.draw(snap, key=key)


def fairness_panel(snap: PlanSnapshot, key: str = "plan") -> None:
    """Each organization's outcome: voice against the funded effort on the items it asked
    for (chart), then its row in the outcome table where the reader may see it."""
    st.subheader("Each organization's outcome")
    frame = accounts_frame(snap)
    st.plotly_chart(figures.fairness(frame), width="stretch", key=f"{key}-fairness")
    outcomes = outcomes_frame(snap)
    hidden = len(snap.accounts) - len(outcomes)
    st.caption(
        "Shares of voice sum to 100 %. Each organization's share of funded effort is out of "
        "all funded effort, and an item several organizations asked for counts for each of "
        "them, so those shares do not sum to 100 %."
        + (
            f" {hidden} organization{'s' if hidden != 1 else ''}' outcomes are private in "
            "this period: only the executive and each organization itself see its row."
            if hidden
            else ""
        )
    )
    # Formats by column, not a pandas Styler: a Styler formats every cell on every rerun
    # (a tenth of a second at 800 organizations). Private rows are left out above.
    weeks = st.column_config.NumberColumn(format="%.1f")
    st.dataframe(
        frame_page(outcomes, f"{key}-outcomes"),
        hide_index=True,
        width="stretch",
        column_config={
            "Share of voice": st.column_config.NumberColumn(format="percent"),
            EFFORT_SHARE: st.column_config.NumberColumn(format="percent"),
            "Paid in the rule (person-weeks)": weeks,
            "Paid by its pledges (person-weeks)": weeks,
            "Paid in all (person-weeks)": weeks,
        },
    )


def settings_line(snap: PlanSnapshot) -> str:
    """The envelope and the staff plan's outcome in words."""
    env = snap.envelope
    voice = env.voice.label + (
        f" ({env.blend_alpha:.0%} equal)" if env.voice.value == "blend" else ""
    )
    gap = snap.solver.gap
    solver = SOLVER.get(snap.solver.status, f"Staff plan: {snap.solver.status}.").format(
        gap="the solver's tolerance"
        if gap is None
        else ("0.01 %" if gap < 0.0001 else f"{gap:.2%}".replace("%", " %"))
    )
    return (
        f"Rule: {env.rule.label} · Voice: {voice} · Reserve: "
        f"{env.reserve_weeks:.1f} person-weeks. {solver}"
    )


def overview(snap: PlanSnapshot, key: str = "plan") -> None:
    st.caption(settings_line(snap))
    gaps = sum(g.weeks for g in snap.gaps)
    cols = st.columns(4)
    cols[0].metric("Budget (person-weeks)", f"{snap.budget:.1f}")
    cols[1].metric("Reserve (person-weeks)", f"{snap.reserve:.1f}")
    cols[2].metric("Funded effort (person-weeks)", f"{snap.spent:.1f}")
    cols[3].metric("Uncovered (person-weeks)", f"{gaps:.1f}")
    accounting_panel(snap, key)
    tiles = treemap_frame(snap)
    if not tiles.empty:
        colours = palette.current()
        # Clicking an item's tile opens its page (a sub-community's tile zooms in).
        follow_chart_click(
            st.plotly_chart(
                figures.funded_treemap(tiles, colours.subcommunities_by_name()),
                width="stretch",
                key=f"{key}-treemap",
                on_select="rerun",
                selection_mode="points",
            )
        )
    glossary_view.words_used_here(
        list(ENTRIES),
        key=key,
    )


def treemap_frame(snap: PlanSnapshot) -> pd.DataFrame:
    """The funded items with their sub-community's name: the treemap's tiles."""
    names = palette.current()
    return pd.DataFrame(
        [
            {
                "#": f.item,
                "Item": f.title,
                "Sub-community": names.subcommunity_name(f.subcommunity),
                "Effort": f.effort,
            }
            for f in snap.funded
        ],
        columns=["#", "Item", "Sub-community", "Effort"],
    )


def flows(snap: PlanSnapshot, key: str = "plan") -> None:
    titles = {f.item: f"#{f.item} {f.title}" for f in snap.funded}
    names = {**snap.names(), **PAYER_NAMES}
    payments = pd.DataFrame(
        [
            {"From": names.get(org, org), "To": titles[f.item], "Weeks": weeks}
            for f in snap.funded
            for org, weeks in f.payments.items()
            if weeks > 0
        ]
        + [
            {"From": names.get(org, org) + " (pledge)", "To": titles[f.item], "Weeks": weeks}
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
        by_key = palette.current()
        colours = by_key.organizations_by_name(snap.names())
        colours |= {f"{name} (pledge)": c for name, c in colours.items()}
        st.plotly_chart(
            figures.money_flow(payments, work, colours), width="stretch", key=f"{key}-flows"
        )
        st.dataframe(
            frame_page(
                pd.concat([payments, work]).rename(columns={"Weeks": "Person-weeks"}),
                f"{key}-flows-table",
            ),
            hide_index=True,
            width="stretch",
            column_config={"Person-weeks": st.column_config.NumberColumn(format="%.1f")},
        )


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
        st.dataframe(
            frame_page(
                use.rename(columns={"Assigned": "Assigned (person-weeks)"}), f"{key}-capacity-table"
            ),
            hide_index=True,
            width="stretch",
            column_config={"Assigned (person-weeks)": st.column_config.NumberColumn(format="%.1f")},
        )
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
        st.dataframe(
            gaps,
            hide_index=True,
            width="stretch",
            column_config={"Person-weeks": st.column_config.NumberColumn(format="%.1f")},
        )


def gantt_rows(snap: PlanSnapshot, assignments: list[AssignmentLine]) -> pd.DataFrame:
    titles = {f.item: f"#{f.item} {f.title[:50]}" for f in snap.funded}
    full = snap.titles()
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
                "Page": item_url(a.item, full.get(a.item) or f"#{a.item}"),
                "Id": a.item,
            }
        )
    columns = ["Item", "Person", "Start", "End", "Weeks", "Skill", "Page", "Id"]
    return pd.DataFrame(rows, columns=columns)
