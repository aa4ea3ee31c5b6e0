from roadmap.ui.guard import page_setup

actor = page_setup("review")

from datetime import UTC, date, datetime, time, timedelta

import streamlit as st

from roadmap.domain.enums import ItemStatus, ScopeOutcome
from roadmap.services import catalog, governance, item_reads
from roadmap.ui import session
from roadmap.ui.actions import Report, form_key, write_button
from roadmap.ui.item_view import item_link
from roadmap.ui.paging import page_of
from roadmap.ui.text import plain

ctx = session.context()
now = ctx.now()
every = {i.id: i for i in item_reads.headings(ctx, actor)}


def label(item_id: int) -> str:
    item = every[item_id]
    return f"#{item.id} {item.title} ({item.subcommunity_name})"


def end_of(day: object) -> datetime:
    return datetime.combine(day, time(23, 59, 59), UTC)  # type: ignore[arg-type]


st.title("Scope review")
queue_tab, comment_tab, decide_tab, theme_tab = st.tabs(
    ["Review queue", "In comment", "Decide", "Themes"]
)

with queue_tab:
    queue = governance.review_queue(ctx, actor)
    st.write(f"{len(queue)} proposed item(s), oldest first.")
    shown = list(page_of(queue, "queue", size=10))
    details = {i.id: i for i in item_reads.list_items(ctx, actor, ids=shown)}  # with links
    for item_id in shown:
        proposed = details[item_id]
        with st.container(border=True):
            st.markdown(
                item_link(proposed.id, proposed.title) + f" · {plain(proposed.subcommunity_name)}"
            )
            for link in proposed.links:
                st.caption(f"{plain(link.get('kind', 'link'))}: {plain(link['url'])}")
            until = st.date_input(
                "Comment period ends", now.date() + timedelta(days=10), key=f"end-{item_id}"
            )

            def open_it(report: Report, item_id: int = item_id, until: date = until) -> None:
                governance.open_comment_period(ctx, actor, item_id, end_of(until))
                report.success("Opened for comment.")

            write_button("Open for comment", f"open-{item_id}", open_it, type="primary")

with comment_tab:
    open_items = [i for i in every.values() if i.status == ItemStatus.IN_COMMENT]
    periods = governance.comment_periods(ctx, [i.id for i in open_items])
    with_period = [i for i in open_items if i.id in periods]
    for item in page_of(with_period, "in-comment", size=10):
        period = periods[item.id]
        state = "open" if period.is_open(now) else "closed"
        with st.container(border=True):
            st.markdown(
                item_link(item.id, item.title)
                + f" · {state}, ends {period.closes_at:%Y-%m-%d %H:%M} UTC"
            )
            if period.is_open(now):
                new_end = st.date_input(
                    "New end", period.closes_at.date() + timedelta(days=7), key=f"ext-{item.id}"
                )
                extend, close = st.columns(2)

                def extend_it(report: Report, item_id: int = item.id, end: date = new_end) -> None:
                    governance.extend_comment_period(ctx, actor, item_id, end_of(end))
                    report.success("Extended.")

                def close_it(report: Report, item_id: int = item.id) -> None:
                    governance.close_comment_period(ctx, actor, item_id)
                    report.success("Closed.")

                with extend:
                    write_button("Extend", f"extend-{item.id}", extend_it, inputs=new_end)
                with close:
                    write_button("Close now", f"close-{item.id}", close_it)

with decide_tab:
    decidable = [
        i.id
        for i in every.values()
        if i.status
        in (
            ItemStatus.IN_COMMENT,
            ItemStatus.IN_SCOPE,
            ItemStatus.OUT_OF_SCOPE,
            ItemStatus.DEFERRED,
        )
    ]
    with st.form("decide"):
        chosen = st.selectbox("Item", decidable, format_func=label)
        outcome = st.radio(
            "Decision",
            [o.value for o in ScopeOutcome],
            format_func=lambda v: v.replace("_", " "),
            horizontal=True,
        )
        rationale = st.text_area("Rationale (shown publicly)")

        def decide(report: Report) -> None:
            if chosen is not None:
                governance.decide_scope(ctx, actor, chosen, outcome or "", rationale)
                report.success("Decision recorded.")

        write_button("Record decision", "decide-scope", decide, submit=True, type="primary")

with theme_tab:
    themes = catalog.list_themes(ctx)
    st.dataframe(
        [{"Theme": t.name, "Short name": t.slug, "Description": t.description} for t in themes],
        hide_index=True,
        width="stretch",
    )
    with st.form(form_key("new_theme")):
        st.subheader("New theme")
        slug = st.text_input("Short name")
        name = st.text_input("Name")
        description = st.text_area("Description")

        def create_theme(report: Report) -> None:
            catalog.create_theme(ctx, actor, slug, name, description)
            report.success("Theme created.")

        write_button("Create theme", "create-theme", create_theme, submit=True, clears="new_theme")
    with st.form("file_theme"):
        st.subheader("File an item under a theme")
        item_id = st.selectbox("Item", sorted(every), format_func=label)
        offered = catalog.list_themes(ctx, active_only=True)  # archived: not for new filings
        theme = st.selectbox("Theme", [None, *[t.slug for t in offered]])

        def file_it(report: Report) -> None:
            if item_id is not None:
                governance.file_under_theme(ctx, actor, item_id, theme)
                report.success("Filed.")

        write_button("File", "file-under-theme", file_it, submit=True)
