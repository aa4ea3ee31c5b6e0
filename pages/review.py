from roadmap.ui.guard import page_setup

actor = page_setup("review")

from datetime import UTC, datetime, time, timedelta

import streamlit as st

from roadmap.domain.enums import ItemStatus, ScopeOutcome
from roadmap.services import catalog, governance, items
from roadmap.ui import session
from roadmap.ui.feedback import user_errors
from roadmap.ui.item_view import item_link
from roadmap.ui.paging import page_of

ctx = session.context()
now = ctx.now()
every = {i.id: i for i in items.headings(ctx, actor)}


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
    details = {i.id: i for i in items.list_items(ctx, actor, ids=shown)}  # with links
    for item_id in shown:
        item = details[item_id]
        with st.container(border=True):
            st.markdown(item_link(item.id, item.title) + f" · {item.subcommunity_name}")
            for link in item.links:
                st.caption(f"{link.get('kind', 'link')}: {link['url']}")
            until = st.date_input(
                "Comment period ends", now.date() + timedelta(days=10), key=f"end-{item_id}"
            )
            if st.button("Open for comment", key=f"open-{item_id}", type="primary"):
                with user_errors():
                    governance.open_comment_period(ctx, actor, item_id, end_of(until))
                    st.success("Opened for comment.")

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
                if extend.button("Extend", key=f"extend-{item.id}"):
                    with user_errors():
                        governance.extend_comment_period(ctx, actor, item.id, end_of(new_end))
                        st.success("Extended.")
                if close.button("Close now", key=f"close-{item.id}"):
                    with user_errors():
                        governance.close_comment_period(ctx, actor, item.id)
                        st.success("Closed.")

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
        if st.form_submit_button("Record decision", type="primary") and chosen is not None:
            with user_errors():
                governance.decide_scope(ctx, actor, chosen, outcome or "", rationale)
                st.success("Decision recorded.")

with theme_tab:
    themes = catalog.list_themes(ctx)
    st.dataframe(
        [{"Theme": t.name, "Short name": t.slug, "Description": t.description} for t in themes],
        hide_index=True,
        width="stretch",
    )
    with st.form("new_theme", clear_on_submit=True):
        st.subheader("New theme")
        slug = st.text_input("Short name")
        name = st.text_input("Name")
        description = st.text_area("Description")
        if st.form_submit_button("Create theme"):
            with user_errors():
                catalog.create_theme(ctx, actor, slug, name, description)
                st.success("Theme created.")
    with st.form("file_theme"):
        st.subheader("File an item under a theme")
        item_id = st.selectbox("Item", sorted(every), format_func=label)
        theme = st.selectbox("Theme", [None, *[t.slug for t in themes]])
        if st.form_submit_button("File") and item_id is not None:
            with user_errors():
                governance.file_under_theme(ctx, actor, item_id, theme)
                st.success("Filed.")
