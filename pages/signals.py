from roadmap.ui.guard import page_setup

actor = page_setup("signals")

import streamlit as st

from roadmap.domain.enums import Role, SignalForm
from roadmap.domain.signals import PledgeInput
from roadmap.services import catalog, periods, signals
from roadmap.ui import glossary_view, session
from roadmap.ui.actions import Report, clicked_once, write_button
from roadmap.ui.our_signals_view import (
    copied_report,
    history_table,
    period_caption,
    remember_copied,
    show_copied,
)
from roadmap.ui.text import plain

ctx = session.context()
mine = sorted(actor.scopes(Role.REPRESENTATIVE))
orgs = {o.key: o for o in catalog.list_organizations(ctx, mine)}
org_key = st.selectbox("Organization", mine, format_func=lambda k: orgs[k].name if k in orgs else k)
period = periods.get_period(ctx).settings
board = signals.signal_board(ctx, actor)
titles = {t.item_id: f"#{t.item_id} {t.title}" for t in board.totals}
current, inactive = signals.my_signal(ctx, actor, org_key)

st.title("Our signals")
st.caption(period_caption(period))
glossary_view.words_used_here(["Voice", "Pledge"])
source = periods.source_key(ctx)
if source is not None and current is None:
    # Once copied, the page starts again: the form below from the copied signal, with what
    # the copy answered above it (once) in place of the button.
    write_button(
        f"Start from our {source} signal",
        "copy-previous-signal",
        lambda report: copied_report(report, signals.copy_previous_signal(ctx, actor, org_key)),
        inputs=org_key,
        then=remember_copied,
    )
else:
    show_copied()
if inactive:
    st.warning(
        "Kept but inactive, because these items left scope: "
        + ", ".join(f"#{i}" for i in inactive)
        + ". Save again to drop them."
    )
forms = set(period.signal_forms)
eligible = list(titles)


def keep(ids: list[int]) -> list[int]:
    return [i for i in ids if i in titles]


approvals: list[int] = []
if SignalForm.APPROVAL in forms:
    st.subheader("Approve")
    approvals = st.multiselect(
        "Items we support",
        eligible,
        default=keep(current.approvals if current else []),
        format_func=titles.__getitem__,
    )

points: dict[int, int] = {}
if SignalForm.POINTS in forms:
    st.subheader(f"Spread {period.points_budget} points")
    chosen = st.multiselect(
        "Items to give points",
        eligible,
        default=keep(list(current.points) if current else []),
        format_func=titles.__getitem__,
    )
    for item_id in chosen:
        start = current.points.get(item_id, 0) if current else 0
        points[item_id] = int(
            st.number_input(
                plain(titles[item_id]), min_value=0, step=1, value=start, key=f"pts-{item_id}"
            )
        )
    spent = sum(points.values())
    remaining = period.points_budget - spent
    (st.error if remaining < 0 else st.caption)(
        f"Spent {spent} of {period.points_budget} points; {remaining} remaining."
    )

ranking: list[int] = []
if SignalForm.RANKING in forms:
    st.subheader("Rank")
    ranking = st.multiselect(
        "Items in order of preference (the first picked ranks first)",
        eligible,
        default=keep(current.ranking if current else []),
        format_func=titles.__getitem__,
    )
    if ranking:
        st.markdown("\n".join(f"{n}. {plain(titles[i])}" for n, i in enumerate(ranking, 1)))

pledges: list[PledgeInput] = []
if SignalForm.PLEDGE in forms:
    st.subheader("Earmarked pledges")
    rate = period.weeks_per_currency
    st.caption(
        "Fund person-weeks of one item, paid first."
        + (f" Money converts at {rate:g} person-weeks per currency unit." if rate else "")
    )
    existing = current.pledges if current else []
    rows = st.session_state.setdefault("pledge_rows", max(1, len(existing)))
    for n in range(rows):
        first = existing[n] if n < len(existing) else None
        cols = st.columns([3, 1, 1, 2])
        item = cols[0].selectbox(
            f"Pledge {n + 1}: item",
            [None, *eligible],
            key=f"pl-item-{n}",
            index=([None, *eligible].index(first[0]) if first and first[0] in titles else 0),
            format_func=lambda i: "—" if i is None else titles[i],
        )
        weeks = cols[1].number_input(
            "Person-weeks",
            min_value=0.0,
            step=0.5,
            key=f"pl-w-{n}",
            value=float(first[1]) if first else 0.0,
        )
        money = cols[2].number_input("or money", min_value=0.0, step=1000.0, key=f"pl-m-{n}")
        note = cols[3].text_input("Note", key=f"pl-n-{n}", value=first[2] if first else "")
        if item is not None:
            pledges.append(PledgeInput(int(item), weeks, money, note))
    if clicked_once("Add a pledge row", "add-pledge-row"):
        st.session_state["pledge_rows"] = rows + 1
        st.rerun()


def save(report: Report) -> None:
    signals.save_signal(ctx, actor, org_key, approvals, points, ranking, pledges)
    report.success("Saved. The latest signal counts; earlier ones stay in the history.")


write_button(
    "Save signals",
    "save-signals",
    save,
    inputs=[org_key, approvals, points, ranking, pledges],
    type="primary",
)

with st.expander("History"):
    history = signals.signal_history(ctx, actor, org_key)
    st.dataframe(history_table(history), hide_index=True, width="stretch")
