from roadmap.ui.guard import page_setup

actor = page_setup("plan")

import streamlit as st

from roadmap.domain.enums import Role
from roadmap.domain.plans import plan_diff
from roadmap.services import publishing, reports
from roadmap.ui import (
    bundle_view,
    delivery_view,
    explanation_view,
    plan_review_view,
    plan_view,
    session,
)
from roadmap.ui.period_picker import pick_period
from roadmap.ui.text import plain

ctx = session.context()
st.title("Published plan")
# The current period's plan by default; an earlier or later period's on request.
period_key = pick_period(ctx, key="plan-period", only_with_plans=True)
versions = publishing.published_plans(ctx, actor, period_key) if period_key else []
if not versions:
    st.info("No plan has been published for this period yet.")
    st.stop()
chosen = st.selectbox("Version", versions, format_func=plan_review_view.version_label)
assert chosen is not None
snap = chosen.snapshot
st.caption(
    f"{plain(chosen.period)}, version {chosen.version}. "
    "A published version never changes; a new version replaces it."
)
plan_review_view.state_banner(chosen, next((p for p in versions if p.final), None))
plan_review_view.review_panel(ctx, actor, chosen)
older = [p for p in versions if p.version == chosen.version - 1]
if older:
    diff = plan_diff(older[0].snapshot, snap)
    with st.expander(f"What changed since version {older[0].version}", expanded=True):
        st.write(f"Added: {', '.join(f'#{i}' for i in diff.added) or 'none'}")
        st.write(f"Removed: {', '.join(f'#{i}' for i in diff.removed) or 'none'}")
        changes = [f"#{i} {a:g}→{b:g}" for i, (a, b) in diff.effort_changed.items()]
        st.write(f"Effort changed: {', '.join(changes) or 'none'}")
        st.write(f"People changed on: {', '.join(f'#{i}' for i in diff.reassigned) or 'none'}")
left, right = st.columns(2)
# The reports are written when a button is pressed, not on every rerun.
left.download_button(
    "Download the plan as a Markdown report",
    lambda: reports.plan_markdown(chosen),
    f"plan-{chosen.period}-v{chosen.version}.md",
    mime="text/markdown",
)
right.download_button(
    "Download the assignments as CSV",
    lambda: reports.plan_csv(chosen),
    f"plan-{chosen.period}-v{chosen.version}.csv",
    mime="text/csv",
)
bundle_view.download(ctx, actor, chosen)  # the election, outcome and certificate to check
plan_view.overview(snap)
plan_view.fairness_panel(snap)
plan_view.flows(snap)
plan_view.staffing(snap)
explanation_view.plan(ctx, actor, chosen)
delivery_view.plan_progress(ctx, snap)
if actor.has(Role.EXECUTIVE):
    delivery_view.overdue_reports(ctx, actor, chosen.period)
