from roadmap.ui.guard import page_setup

actor = page_setup("my_plan")

import streamlit as st

from roadmap.domain.delivery import REPORTING
from roadmap.domain.errors import ValidationError
from roadmap.services import item_reads, progress
from roadmap.ui import delivery_view, figures, plan_view, session
from roadmap.ui.actions import Report, field_error, form_key, write_button
from roadmap.ui.item_links import follow_chart_click, title_column
from roadmap.ui.text import plain

ctx = session.context()
st.title("My plan")
plan, mine = progress.my_assignments(ctx, actor)
if plan is None:
    st.info("No plan has been published yet.")
    st.stop()
st.caption(f"{plain(plan.period)}, plan version {plan.version}")
if not mine:
    st.write("You have no assignments in the published plan.")
    delivery_view.my_history(ctx, actor)
    st.stop()
rows = plan_view.gantt_rows(plan.snapshot, mine)
follow_chart_click(
    st.plotly_chart(
        figures.gantt(rows),
        width="stretch",
        on_select="rerun",
        selection_mode="points",
        key="my-plan-chart",
    )
)
st.dataframe(
    rows,
    hide_index=True,
    width="stretch",
    column_order=["Page", "Person", "Weeks", "Skill"],
    column_config={"Page": title_column("Item")},
)
titles = plan.snapshot.titles()
items = sorted({a.item for a in mine})
statuses = {i.id: i.status for i in item_reads.headings(ctx, actor)}
st.subheader("Reports due")
delivery_view.my_due_dates(ctx, actor, titles, items)
st.subheader("Report progress")
# A report is on one assignment: (item, staff member). An account standing for several
# staff members picks which of them reports; otherwise the item is enough.
names = {a.staff: a.name for a in mine}
several = len(names) > 1
with st.form(form_key("progress")):
    # Only items still taking reports (planned or in progress), none picked at first.
    choice = st.selectbox(
        "Item",
        sorted(
            {
                (a.item, a.staff if several else "")
                for a in mine
                if statuses.get(a.item) in REPORTING
            }
        ),
        format_func=lambda c: (
            f"#{c[0]} {titles.get(c[0], '')}" + (f" (as {names[c[1]]})" if several else "")
        ),
        index=None,
        placeholder="Choose an item to report on",
    )
    field_error("report-progress", "item")
    percent = st.slider("Percent done", 0, 100, 0, step=5)
    field_error("report-progress", "percent")
    note = st.text_area("Note", max_chars=4000, help="Progress and its notes are public.")
    field_error("report-progress", "note")

    def report_it(report: Report) -> None:
        if choice is None:
            sentence = "Choose the item this report is about."
            raise ValidationError(sentence, {"item": sentence})
        item, staff = choice
        progress.report_progress(ctx, actor, item, percent, note, staff or None)
        report.success("Reported. It shows on the item page and the published plan.")

    write_button(
        "Report",
        "report-progress",
        report_it,
        submit=True,
        clears="progress",
        inline_errors=True,
        type="primary",
    )
delivery_view.my_history(ctx, actor)
