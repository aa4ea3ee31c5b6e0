"""The published plan's checkable bundle: its download button, or why there is none."""

from __future__ import annotations

import streamlit as st

from roadmap.domain.access import Actor
from roadmap.services import bundles
from roadmap.services.context import Context
from roadmap.services.publishing import PlanView


def download(ctx: Context, actor: Actor, plan: PlanView) -> None:
    """The button that downloads ``plan``'s bundle as ``actor`` may see it (built on click),
    with a line on how to check it; for a plan published before plans kept their election,
    that sentence instead."""
    missing = bundles.missing_bundle(ctx, plan.period, plan.version)
    if missing is not None:
        st.caption(missing)
        return
    st.download_button(
        "Download the election and outcome to check (JSON)",
        # Built when pressed: a period's whole election, too large to build on every run.
        lambda: bundles.bundle_json(ctx, actor, plan.period, plan.version),
        f"plan-{plan.period}-v{plan.version}-bundle.json",
        mime="application/json",
        help="The election as this plan used it, its outcome and the certificate. "
        "Run `roadmap verify FILE` to recompute the outcome and check the certificate.",
    )
