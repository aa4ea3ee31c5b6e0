"""The objection window on the published-plan page: what state a version is in, the
representatives' objections, and the executive's finalize button; and the preview of what a
new version would change, shown before it is published."""

from __future__ import annotations

import streamlit as st

from roadmap.domain.access import Actor
from roadmap.domain.enums import Role
from roadmap.domain.plans import PlanDiff
from roadmap.services import publishing
from roadmap.services.context import Context
from roadmap.services.publishing import PlanView
from roadmap.ui.actions import Report, form_key, write_button
from roadmap.ui.dates import day_of, when
from roadmap.ui.text import plain


def version_label(plan: PlanView) -> str:
    """A version as the version picker names it: number, state, scenario, date."""
    state = plan.state
    if plan.proposed and plan.review_until is not None:
        state = f"proposed, objections until {when(plan.review_until)}"
    return (
        f"Version {plan.version} ({state}): {plan.snapshot.name}, "
        f"published {day_of(plan.published_at)} by {plan.published_by or 'someone'}"
    )


def state_banner(plan: PlanView, current: PlanView | None) -> None:
    """Say what a version is: final (what staff work on), proposed, or replaced."""
    if plan.proposed and plan.review_until is not None:
        staff_on = (
            f"Staff keep working on version {current.version} until then."
            if current is not None
            else "Nothing is final yet: staff have no plan until then."
        )
        st.warning(
            f"Version {plan.version} is proposed. Representatives may object until "
            f"{when(plan.review_until)}; then the executive finalizes it or revises it into a "
            f"new version. {staff_on}",
            icon=":material/pending:",
        )
    elif not plan.final:
        st.info(
            f"Version {plan.version} was replaced by a newer version before it became final.",
            icon=":material/history:",
        )
    elif current is not None and current.version != plan.version:
        st.info(
            f"Version {plan.version} was final; version {current.version} replaced it. "
            "Staff work on the newest final version.",
            icon=":material/history:",
        )
    else:
        finalized = f", finalized {when(plan.finalized_at)}" if plan.finalized_at else ""
        st.success(
            f"Version {plan.version} is final{finalized}: staff work on it.",
            icon=":material/task_alt:",
        )


def review_panel(ctx: Context, actor: Actor, plan: PlanView) -> None:
    """Objections to a proposed version (the executive sees all, a representative its own),
    the representative's objection form while the window is open, and the executive's
    finalize button once it has closed."""
    if plan.review_until is None:
        return
    seen = publishing.objections(ctx, actor, plan.version, plan.period)
    if actor.has(Role.EXECUTIVE) or seen:
        st.subheader("Objections")
        if seen:
            for o in seen:
                st.markdown(
                    f"**{plain(o.organization_name)}** ({when(o.at)}, by {plain(o.by)}): "
                    f"{plain(o.reason)}"
                )
        else:
            st.caption("No objection has been recorded for this version.")
    if not plan.proposed:
        return
    open_now = ctx.now() < plan.review_until
    orgs = sorted(actor.scopes(Role.REPRESENTATIVE))
    # The form is offered while the window is open. Once this session has shown it, it stays
    # while the version is proposed: an objection written before the window closed and sent
    # after it then gets the service's refusal as a sentence, instead of the form vanishing
    # with the click and what was typed.
    shown = f"_objection_form_shown_{plan.period}_{plan.version}"
    if orgs and (open_now or st.session_state.get(shown)):
        st.session_state[shown] = True
        with st.form(form_key("objection")):
            st.subheader("Object to this version")
            if not open_now:
                st.caption(
                    f"The objection window closed on {when(plan.review_until)}: an objection "
                    "sent now is not recorded."
                )
            org = st.selectbox("For", orgs) if len(orgs) > 1 else orgs[0]
            reason = st.text_area(
                "Reason (the executive reads it before finalizing)", max_chars=4000
            )

            def object_it(report: Report) -> None:
                publishing.object_to_plan(ctx, actor, str(org), plan.version, reason, plan.period)
                report.success(
                    "Your objection is recorded. The executive sees it before finalizing."
                )

            write_button(
                "Record the objection",
                "object-plan",
                object_it,
                inputs=(plan.version, org),
                submit=True,
                clears="objection",
            )
    if actor.has(Role.EXECUTIVE):
        if open_now:
            st.caption(
                f"You can finalize version {plan.version} after {when(plan.review_until)}, "
                "or revise it now by publishing a new version from the Scenarios page."
            )
            return

        def finalize(report: Report) -> None:
            publishing.finalize_plan(ctx, actor, plan.version, plan.period)
            report.success(
                f"Version {plan.version} is final: staff work on it, and its funded items "
                "are planned."
            )

        write_button(
            f"Finalize version {plan.version}",
            "finalize-plan",
            finalize,
            inputs=plan.version,
            type="primary",
        )


def preview(
    current: PlanView | None,
    diff: PlanDiff | None,
    titles: dict[int, str],
    unfunded: publishing.Unfunded,
) -> None:
    """What publishing a scenario would change against the final version, before it is
    published; and what becomes of the planned items it does not fund: they return to in
    scope, unless another period's final plan keeps them planned (``unfunded``)."""

    titles = {**unfunded.titles, **titles}

    def named(ids: list[int]) -> str:
        return ", ".join(f"#{i} {plain(titles.get(i, ''))}".strip() for i in ids) or "none"

    def under(ids: list[int]) -> list[str]:
        """One line per period: "they stay planned under 2027-H1's final plan: #3 …"."""
        periods = sorted({unfunded.kept[i] for i in ids})
        return [
            f"they stay planned under {plain(p)}'s final plan: "
            + named([i for i in ids if unfunded.kept[i] == p])
            for p in periods
        ]

    returning = set(unfunded.returning)
    if current is None or diff is None:
        st.info("No version is final yet: publishing makes the first one.")
        lead = "These planned items are not funded by this version"
        kept = sorted(unfunded.kept)
        lines = (
            [f"{lead} and go back to in scope: {named(sorted(returning))}"] if returning else []
        ) + [
            f"{lead} but stay planned under {plain(p)}'s final plan: "
            + named([i for i in kept if unfunded.kept[i] == p])
            for p in sorted({unfunded.kept[i] for i in kept})
        ]
        for line in lines:
            st.markdown(line)
        return

    removed = diff.removed
    back = [i for i in removed if i in returning]
    kept = [i for i in removed if i in unfunded.kept]
    as_they_are = [i for i in removed if i not in returning and i not in unfunded.kept]
    fates = (
        ([f"they return to in scope: {named(back)}"] if back else [])
        + under(kept)
        + (
            [f"they stay as they are (work under way or done): {named(as_they_are)}"]
            if as_they_are
            else []
        )
    )
    unplanned = sorted(returning - set(removed))
    st.markdown(
        f"**Against version {current.version}** (what staff work on now):\n\n"
        f"- Newly funded: {named(diff.added)}\n"
        f"- No longer funded: {named(removed)}\n"
        + "".join(f"    - {line}\n" for line in fates)
        + (
            f"- Planned, but funded by no final plan (they return to in scope): "
            f"{named(unplanned)}\n"
            if unplanned
            else ""
        )
        + "- Effort changed: "
        + (
            ", ".join(
                f"#{i} {a:g} → {b:g} person-weeks" for i, (a, b) in diff.effort_changed.items()
            )
            or "none"
        )
        + f"\n- People changed on: {named(diff.reassigned)}"
    )
