from roadmap.ui.guard import page_setup

actor = page_setup("review")

from datetime import UTC, date, datetime, time, timedelta

import streamlit as st

from roadmap.domain.enums import ItemStatus, ScopeOutcome
from roadmap.domain.governance import reversal_refusal
from roadmap.services import catalog, governance, item_reads
from roadmap.ui import session
from roadmap.ui.actions import Report, form_key, write_button
from roadmap.ui.dates import when
from roadmap.ui.feedback import draw
from roadmap.ui.item_view import item_link
from roadmap.ui.paging import page_of
from roadmap.ui.text import plain, safe_markdown

ctx = session.context()
now = ctx.now()
every = {i.id: i for i in item_reads.headings(ctx, actor)}


# The statuses whose decision the Decide tab shows: in comment (to decide), decided (to reverse
# or amend), and those a published plan acted on (to amend; reversing is refused with why).
DECIDED = (
    ItemStatus.IN_COMMENT,
    ItemStatus.IN_SCOPE,
    ItemStatus.OUT_OF_SCOPE,
    ItemStatus.DEFERRED,
    ItemStatus.PLANNED,
    ItemStatus.IN_PROGRESS,
    ItemStatus.DONE,
)


def label(item_id: int) -> str:
    item = every[item_id]
    return f"#{item.id} {item.title} ({item.subcommunity_name})"


def end_of(day: object) -> datetime:
    return datetime.combine(day, time(23, 59, 59), UTC)  # type: ignore[arg-type]


st.title("Scope review")
# What the last comment-period button did. The page runs again after it, so the item moves
# at once (from the queue to "In comment", or from open to closed) and its button goes; the
# answer is then shown here, not beside a button that is no longer drawn.
# Always drawn, so the tabs below keep their place (and the tab open stays open).
DONE = "review-done"
with st.container():
    if done := st.session_state.pop(DONE, None):
        draw(done)


def shown_above(report: Report) -> None:
    st.session_state[DONE] = report.lines


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

            write_button(
                "Open for comment",
                f"open-{item_id}",
                open_it,
                then=shown_above,
                type="primary",
            )

with comment_tab:
    open_items = [i for i in every.values() if i.status == ItemStatus.IN_COMMENT]
    periods = governance.comment_periods(ctx, [i.id for i in open_items])
    with_period = [i for i in open_items if i.id in periods]
    for item in page_of(with_period, "in-comment", size=10):
        period = periods[item.id]
        state = "open" if period.is_open(now) else "closed"
        with st.container(border=True):
            st.markdown(
                item_link(item.id, item.title) + f" · {state}, ends {when(period.closes_at)}"
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
                    write_button(
                        "Extend", f"extend-{item.id}", extend_it, inputs=new_end, then=shown_above
                    )
                with close:
                    write_button("Close now", f"close-{item.id}", close_it, then=shown_above)

with decide_tab:
    # The item is picked outside the forms, so each pick redraws what follows for that item:
    # its summary, comment count and status, and boxes keyed by its id (a text typed for one
    # item never stays in the box, nor is recorded, for another).
    decidable = [i.id for i in every.values() if i.status in DECIDED]
    chosen = st.selectbox(
        "Item",
        decidable,
        format_func=label,
        index=None,
        placeholder="Choose an item to decide on",
        key="decide-item",
    )
    if chosen is not None:
        picked = item_reads.get_item(ctx, actor, chosen)
        standing = governance.decisions(ctx, chosen)
        count = len(governance.comments(ctx, chosen))
        with st.container(border=True):
            st.markdown(
                item_link(picked.id, picked.title)
                + f" · **{picked.status.label}** · {count} comment{'' if count == 1 else 's'}"
            )
            st.markdown(safe_markdown(picked.summary) or "_No summary._")
            if standing:
                st.caption(
                    f"Standing decision: {standing[0].outcome.label}, "
                    f"{when(standing[0].decided_at)} by {plain(standing[0].decided_by)}"
                )
        refusal = reversal_refusal(chosen, picked.status)
        reversing = picked.status != ItemStatus.IN_COMMENT
        box = f"{form_key('decide')}-{chosen}"
        if refusal is not None:
            st.info(refusal)
        else:
            with st.form(box):
                st.subheader("Reverse the decision" if reversing else "Decide")
                outcome = st.radio(
                    "Decision",
                    [o.value for o in ScopeOutcome if not reversing or o.value != picked.status],
                    format_func=lambda v: ScopeOutcome(v).label,
                    horizontal=True,
                    key=f"{box}-outcome",
                )
                rationale = st.text_area("Rationale (shown publicly)", key=f"{box}-rationale")
                reason = (
                    st.text_input(
                        "Reason for reversing (kept in the decision history)",
                        key=f"{box}-reason",
                    )
                    if reversing
                    else None
                )

                def decide(
                    report: Report,
                    item_id: int = chosen,
                    outcome: str | None = outcome,
                    rationale: str = rationale,
                    reason: str | None = reason,
                    read: int | None = standing[0].id if standing else None,
                ) -> None:
                    governance.decide_scope(
                        ctx, actor, item_id, outcome or "", rationale, reason, reverses=read
                    )
                    report.success(f"Decision recorded for #{item_id}.")

                write_button(
                    "Reverse decision" if reversing else "Record decision",
                    "decide-scope",
                    decide,
                    inputs=chosen,
                    submit=True,
                    clears="decide",
                    type="primary",
                )
        if standing:
            amend_box = f"{form_key('amend')}-{chosen}"
            with st.form(amend_box):
                st.subheader("Amend the rationale")
                st.caption("The outcome stays; the original text stays in the item's history.")
                amended = st.text_area(
                    "Amended rationale (shown publicly)",
                    value=standing[0].rationale,
                    key=f"{amend_box}-rationale",
                )
                why = st.text_input(
                    "Reason for the amendment (kept in the decision history)",
                    key=f"{amend_box}-reason",
                )

                def amend(
                    report: Report,
                    item_id: int = chosen,
                    text: str = amended,
                    why: str = why,
                    read: int = standing[0].id,
                ) -> None:
                    governance.amend_decision(ctx, actor, item_id, text, why, amends=read)
                    report.success(f"Rationale amended for #{item_id}.")

                write_button(
                    "Amend rationale",
                    "amend-decision",
                    amend,
                    inputs=chosen,
                    submit=True,
                    clears="amend",
                )

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
    st.subheader("File an item under a theme")
    filed_id = st.selectbox(
        "Item",
        sorted(every),
        format_func=label,
        index=None,
        placeholder="Choose an item to file",
        key="theme-item",
    )
    # The theme box belongs to the picked item and starts at its current theme, so filing
    # without touching it never removes a theme (kept in the list even when archived;
    # archived themes are not offered for new filings).
    current = item_reads.get_item(ctx, actor, filed_id).theme if filed_id is not None else None
    offered = [t.slug for t in catalog.list_themes(ctx, active_only=True)]
    theme_names = {t.slug: t.name for t in catalog.list_themes(ctx)}
    options = [None, *offered, *([current] if current and current not in offered else [])]
    with st.form(f"file_theme-{filed_id}"):
        theme = st.selectbox(
            "Theme",
            options,
            index=options.index(current) if current in options else 0,
            format_func=lambda slug: "(none)" if slug is None else theme_names.get(slug, slug),
            key=f"theme-{filed_id}",
        )

        def file_it(report: Report) -> None:
            if filed_id is not None:
                governance.file_under_theme(ctx, actor, filed_id, theme)
                report.success("Filed.")

        write_button("File", "file-under-theme", file_it, inputs=filed_id, submit=True)
