from roadmap.ui.guard import page_setup

actor = page_setup("scenarios")

import streamlit as st

from roadmap.domain.enums import AllocationRule, VoiceMode
from roadmap.domain.periods import Envelope
from roadmap.domain.plans import PlanSnapshot
from roadmap.services import comparisons, periods, publishing, scenarios
from roadmap.ui import (
    background,
    explanation_view,
    figures,
    glossary_view,
    palette,
    plan_review_view,
    plan_view,
    session,
)
from roadmap.ui.actions import Report, clicked_once, write_button
from roadmap.ui.comparison_view import comparison_tables
from roadmap.ui.dates import when
from roadmap.ui.feedback import user_errors
from roadmap.ui.item_links import LINKED, linked
from roadmap.ui.text import plain

ctx = session.context()
period = periods.get_period(ctx).settings
if not st.session_state.get("scenario-workers-warmed"):
    # A large period runs its scenarios in worker processes: start them now, not on the click.
    scenarios.warm_up(ctx, actor)
    st.session_state["scenario-workers-warmed"] = True
st.title("Scenarios")
st.caption(
    f"{plain(period.name)}: compare envelopes side by side, then publish one as the period's plan."
)
glossary_view.words_used_here(["Envelope", "Equal Shares", "Voice", "Reserve", "Floor", "Cap"])
count = st.radio("Scenarios", [1, 2, 3], index=1, horizontal=True)
defaults = [AllocationRule.EQUAL_SHARES, AllocationRule.GREEDY, AllocationRule.PHRAGMEN]
envelopes: list[tuple[str, Envelope]] = []
for n, column in enumerate(st.columns(count or 1)):
    with column, st.container(border=True):
        name = st.text_input("Name", f"Scenario {chr(65 + n)}", key=f"name-{n}")
        rule = st.selectbox(
            "Rule",
            [r.value for r in AllocationRule],
            key=f"rule-{n}",
            index=[r.value for r in AllocationRule].index(defaults[n].value),
            format_func=lambda r: AllocationRule(r).label,
            help=glossary_view.help_for("Equal Shares"),
        )
        voice = st.selectbox(
            "Voice",
            [v.value for v in VoiceMode],
            key=f"voice-{n}",
            index=[v.value for v in VoiceMode].index(period.envelope.voice.value),
            format_func=lambda v: VoiceMode(v).label,
            help=glossary_view.help_for("Voice"),
        )
        alpha = st.slider(
            "Blend: share of equal voice", 0.0, 1.0, period.envelope.blend_alpha, key=f"a-{n}"
        )
        reserve = st.number_input(
            "Reserve (person-weeks)",
            min_value=0.0,
            value=float(period.envelope.reserve_weeks),
            key=f"r-{n}",
            help=glossary_view.help_for("Reserve"),
        )
        envelopes.append(
            (
                name,
                period.envelope.model_copy(
                    update={
                        "rule": AllocationRule(rule),
                        "voice": VoiceMode(voice),
                        "blend_alpha": alpha,
                        "reserve_weeks": reserve,
                    }
                ),
            )
        )

# The comparison this session ran last (a plain dict: set without a Streamlit call).
last_run: dict[str, int] = st.session_state.setdefault("comparison-run", {})


def run_all(job: background.Job) -> int | None:
    """The scenarios, in a thread of their own (``roadmap.ui.background``): a rerun of the
    page does not stop them, and the page draws their stages as they end."""
    ran: list[scenarios.ScenarioResult] = []
    outcomes: list[scenarios.Outcome] = []
    with job.report.attempt():
        outcomes = scenarios.run_scenarios(ctx, actor, envelopes, progress=job.stage)
    for outcome in outcomes:
        with job.report.attempt():
            ran.append(outcome.get())
    if not ran:
        return None
    # Kept in the database: a reload, or another executive, sees this comparison.
    kept_id = comparisons.keep_comparison(ctx, actor, ran).id
    job.stage(f"Comparison #{kept_id} kept.")
    return kept_id


# One run at a time per person (another tab of theirs follows it too): while one runs, the
# button is off and a click starts nothing. Its answer is shown to the session that ran it.
owner = f"{actor.username}:scenarios"
job = background.current(owner)
busy = job is not None and job.running
my_job = st.session_state.get("scenario-job")
if clicked_once(
    "Run scenarios",
    "run-scenarios",
    type="primary",
    disabled=busy,
    help="Running: the page follows it below." if busy else None,
):
    started = background.start(owner, "scenarios", 2 * len(envelopes) + 1, run_all)
    if started is not None:
        st.session_state["scenario-job"] = job = my_job = started
    busy = True
progress_area = st.container()  # where the run's progress, then its answer, are drawn
if isinstance(my_job, background.Job) and not my_job.running and not my_job.applied:
    my_job.applied = True
    if isinstance(my_job.result, int):
        last_run["id"] = my_job.result

kept = {c.id: c for c in comparisons.comparisons(ctx, actor)}
results: list[scenarios.ScenarioResult] = []
if kept:
    ids = list(kept)
    mine = last_run.get("id")
    chosen = st.selectbox(
        "Comparison (the newest kept first)",
        ids,
        index=ids.index(mine) if mine in ids else 0,
        format_func=lambda i: (
            f"Comparison #{i}: {', '.join(kept[i].names)} · run by {kept[i].run_by or 'someone'} "
            f"on {when(kept[i].run_at)}"
        ),
        key=f"comparison-{mine}",  # a new run shows itself, not the choice made before it
    )
    if chosen is not None:
        with user_errors():
            results = comparisons.comparison(ctx, actor, chosen).scenarios
if results:
    names = palette.current().legend
    tables = comparison_tables(results, names.subcommunities, names.themes)
    st.header("Comparison")
    # What differs first: one line when they fund the same items, else the differences.
    st.info(plain(tables.summary))
    if not tables.differences.empty:
        st.subheader("Items funded in one scenario and not another")
        st.dataframe(
            linked(tables.differences), hide_index=True, width="stretch", column_config=LINKED
        )
    if tables.effort_differs.get("Sub-community"):
        per_group = tables.effort_per["Sub-community"]
        st.subheader("Effort per sub-community")
        st.plotly_chart(
            figures.effort_comparison(per_group, "Sub-community"),
            width="stretch",
            key="compare-subcommunity",
        )
        st.dataframe(per_group.style.format("{:.1f}"), width="stretch")
    st.subheader("Items funded")
    st.dataframe(linked(tables.funded), hide_index=True, width="stretch", column_config=LINKED)
    for grouping, per_group in tables.effort_per.items():
        if grouping == "Sub-community" and tables.effort_differs.get(grouping):
            continue  # drawn above, with the differences
        st.subheader(f"Effort per {grouping.lower()}")
        st.plotly_chart(
            figures.effort_comparison(per_group, grouping),
            width="stretch",
            key=f"compare-{grouping}",
        )
        st.dataframe(per_group.style.format("{:.1f}"), width="stretch")
    st.subheader("Each organization: share of voice and of funded effort on items it asked for")
    st.caption(
        "Each scenario's column is the share of all funded effort spent on items the "
        "organization asked for; an item several asked for counts for each, so a column sums "
        "to more than 100 %. The voices sum to 100 %."
    )
    st.dataframe(tables.fairness.style.format("{:.1%}"), width="stretch")
    st.subheader("Coverage and gaps")
    st.dataframe(
        tables.coverage.style.format(
            {"Funded effort": "{:.1f}", "Covered": "{:.1f}", "Gap": "{:.1f}"}
        ),
        hide_index=True,
        width="stretch",
    )
    tabs = st.tabs([plain(r.name) for r in results])
    for n, (tab, result) in enumerate(zip(tabs, results, strict=True)):
        with tab:
            # Keyed by position: two scenarios may draw identical charts.
            plan_view.overview(result.snapshot, key=f"scenario-{n}")
            plan_view.fairness_panel(result.snapshot, key=f"scenario-{n}")
            plan_view.flows(result.snapshot, key=f"scenario-{n}")
            plan_view.staffing(result.snapshot, key=f"scenario-{n}")
            explanation_view.scenario(ctx, actor, result, key=f"scenario-{chosen}-{n}")

            st.subheader("Before publishing")
            current, diff = publishing.publish_preview(ctx, actor, result.snapshot)
            titles = {**(current.snapshot.titles() if current else {}), **result.snapshot.titles()}
            unfunded = publishing.unfunded_preview(ctx, actor, result.snapshot)
            plan_review_view.preview(current, diff, titles, unfunded)
            days = period.review_days
            verb = "Propose" if days else "Publish"
            confirmed = st.checkbox(
                (
                    f"I have reviewed these changes: propose {plain(result.name)} for "
                    f"{days} days of objections"
                    if days
                    else f"I have reviewed these changes: publish {plain(result.name)} as final"
                ),
                key=f"confirm-{chosen}-{n}",
            )

            def publish(
                report: Report,
                envelope: Envelope = result.envelope,
                name: str = result.name,
                reviewed: PlanSnapshot = result.snapshot,
                confirmed: bool = confirmed,
            ) -> None:
                if not confirmed:
                    report.lines.append(
                        ("warning", "Tick the box to confirm you reviewed the changes first.")
                    )
                    return
                published = publishing.publish_plan(ctx, actor, envelope, name, reviewed=reviewed)
                if published.review_until is not None:
                    report.success(
                        f"Proposed version {published.version} of the {published.period} plan: "
                        "representatives may object until "
                        f"{plan_review_view.when(published.review_until)}; finalize it then on "
                        "the Published plan page."
                    )
                else:
                    report.success(
                        f"Published version {published.version} of the {published.period} "
                        "plan: it is final, and staff work on it."
                    )

            write_button(
                f"{verb} {plain(result.name)} as the plan",
                f"publish-{chosen}-{n}",
                publish,
                inputs=(chosen, n, confirmed),
                type="primary" if confirmed else "secondary",
            )

# Last, so the page above stays drawn and usable while the scenarios run.
if busy and job is not None:
    background.follow(job, progress_area.empty(), "Running the scenarios")
    st.rerun()  # done: draw the new comparison
if isinstance(my_job, background.Job):
    background.show_answer(my_job, progress_area)
