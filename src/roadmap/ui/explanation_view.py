"""Every item of a scenario or published plan explained in sentences, with "what would fund
it" worked out on request for an item left out (``roadmap.services.explanations``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pandas as pd
import streamlit as st

from roadmap.domain.access import Actor
from roadmap.domain.plans import PlanSnapshot, person_weeks
from roadmap.services import explanations
from roadmap.services.context import Context
from roadmap.services.explanations import ItemExplanation, WhatWouldFund
from roadmap.services.publishing import PlanView
from roadmap.services.scenarios import ScenarioResult
from roadmap.ui import glossary_view, plan_view
from roadmap.ui.actions import clicked_once
from roadmap.ui.feedback import user_errors
from roadmap.ui.item_links import LINKED, linked
from roadmap.ui.paging import frame_page
from roadmap.ui.text import plain

Counterfactual = Callable[[int], WhatWouldFund]


def frame(items: list[ItemExplanation]) -> pd.DataFrame:
    """One row per item: funded or not, its effort, and why, in sentences."""
    return pd.DataFrame(
        [
            {
                "#": e.item,
                "Item": e.title,
                "Funded": "yes" if e.funded else "no",
                "Effort": person_weeks(e.effort),
                "Why": " ".join(e.sentences),
            }
            for e in items
        ],
        columns=["#", "Item", "Funded", "Effort", "Why"],
    )


def draw(
    snap: PlanSnapshot,
    *,
    group_names: Mapping[str, str] | None = None,
    counterfactual: Counterfactual | None = None,
    key: str = "plan",
) -> None:
    """Every item's explanation in a table, then one item's in full; for an item left out,
    a button works out what would fund it (``counterfactual``), kept for the session."""
    items = explanations.explain_plan(snap, group_names)
    st.subheader("Funded items and who paid")
    st.dataframe(
        linked(frame_page(plan_view.funded_frame(snap, group_names), f"{key}-funded-table")),
        hide_index=True,
        width="stretch",
        column_config=LINKED,
    )
    st.subheader("Why each item was or was not funded")
    st.dataframe(
        linked(frame_page(frame(items), f"{key}-why-table")),
        hide_index=True,
        width="stretch",
        column_config=LINKED,
    )
    if not items:
        return
    by_id = {e.item: e for e in items}
    unfunded = [e.item for e in items if not e.funded]
    chosen = st.selectbox(
        "Explain an item",
        list(by_id),
        index=len(items) - len(unfunded) if unfunded else 0,
        format_func=lambda i: (
            f"#{i} {by_id[i].title} ({'funded' if by_id[i].funded else 'not funded'})"
        ),
        key=f"{key}-explain-item",
    )
    if chosen is None:
        return
    item_sentences(by_id[chosen])
    if not by_id[chosen].funded and counterfactual is not None:
        what_would_fund(chosen, counterfactual, key)


def item_sentences(explanation: ItemExplanation) -> None:
    for sentence in explanation.sentences:
        st.markdown(f"- {plain(sentence)}")


def what_would_fund(item: int, counterfactual: Counterfactual, key: str) -> None:
    """The "What would fund it" answers for ``item``: worked out when asked (each takes
    runs of the rule), then kept for the rest of the session."""
    store: dict[tuple[str, int], WhatWouldFund] = st.session_state.setdefault("what-would-fund", {})
    found = store.get((key, item))
    if found is None:
        st.caption(
            "What would fund it is worked out by running the same rule again on changed "
            "inputs: exact, and it takes a moment."
        )
        if clicked_once("Work out what would fund it", f"{key}-wwf-{item}"):
            with st.spinner("Running the rule on changed inputs…"), user_errors():
                found = counterfactual(item)
                store[(key, item)] = found
    if found is not None:
        st.markdown("**What would fund it**")
        for sentence in found.sentences():
            st.markdown(f"- {plain(sentence)}")


def scenario(ctx: Context, actor: Actor, result: ScenarioResult, key: str) -> None:
    """A scenario's explanations, with what would fund each item left out."""
    snap = result.snapshot
    funded = [f.item for f in snap.funded]
    draw(
        snap,
        group_names=explanations.group_names(ctx),
        counterfactual=lambda item: explanations.what_would_fund_in_scenario(
            ctx, actor, result.envelope, item, funded
        ),
        key=key,
    )


def plan(ctx: Context, actor: Actor, chosen: PlanView) -> None:
    """A published plan's explanations (as ``actor`` may see them), with what would fund
    each item left out."""
    draw(
        chosen.snapshot,
        group_names=explanations.group_names(ctx),
        counterfactual=lambda item: explanations.what_would_fund_in_plan(
            ctx, actor, chosen.period, chosen.version, item
        ),
        key=f"plan-{chosen.period}-{chosen.version}",
    )


def item_section(ctx: Context, actor: Actor, item_id: int) -> None:
    """On the item page: why the final published plan that explains the item (the newest
    that funded it, else the newest that left it out) funded it or not, and what would fund
    it."""
    found = explanations.item_in_its_plan(ctx, actor, item_id)
    if found is None:
        return
    st.subheader("In the published plan")
    st.caption(plain(found.summary()))
    item_sentences(found.explanation)
    if found.later:
        st.markdown(f"- {plain(found.later)}")
    used = glossary_view.terms_in(found.explanation.sentences)
    if used:
        glossary_view.words_used_here(used)
    if not found.explanation.funded:
        what_would_fund(
            item_id,
            lambda item: explanations.what_would_fund_in_plan(
                ctx, actor, found.period, found.version, item
            ),
            f"item-{found.period}-{found.version}",
        )
