from roadmap.ui.guard import page_setup

actor = page_setup("my_items")

from collections.abc import Callable

import pandas as pd
import streamlit as st

from roadmap.domain.enums import ItemStatus, Role
from roadmap.domain.items import TRANSITIONS
from roadmap.services import catalog, item_reads, items
from roadmap.ui import session
from roadmap.ui.actions import Report, write_button
from roadmap.ui.item_form import item_form
from roadmap.ui.item_links import item_url, title_column
from roadmap.ui.item_table import editable_items_table
from roadmap.ui.text import plain

ctx = session.context()
mine = sorted(actor.scopes(Role.LEAD))
subs = [s for s in catalog.list_subcommunities(ctx) if s.slug in mine]
all_items = item_reads.headings(ctx, actor)
own = [i for i in all_items if i.subcommunity in mine]

st.title("My sub-community's items")
st.caption("You lead: " + ", ".join(plain(s.name) for s in subs))

tab_list, tab_new, tab_status = st.tabs(["Items", "New item", "Submit or withdraw"])

with tab_list:
    # With their skills, links and dependencies: an edit saves every field.
    editable = [
        i
        for i in item_reads.list_items(ctx, actor, (ItemStatus.DRAFT, ItemStatus.PROPOSED))
        if i.subcommunity in mine
    ]
    editable_items_table(ctx, actor, editable)
    st.subheader("All items of your sub-communities")
    st.dataframe(
        pd.DataFrame(
            [{"Title": item_url(i.id, i.title), "Status": i.status.label} for i in own],
            columns=["Title", "Status"],
        ),
        hide_index=True,
        column_config={"Title": title_column()},
        width="stretch",
    )

with tab_new:
    active = {s.slug for s in catalog.list_subcommunities(ctx, active_only=True)}
    item_form(
        [s for s in subs if s.slug in active],
        catalog.list_themes(ctx, active_only=True),
        catalog.list_skills(ctx, active_only=True),
        {i.id: i.title for i in all_items if i.status != ItemStatus.WITHDRAWN},
        lambda fields: items.create_item(ctx, actor, fields),
    )

with tab_status:
    # Only items a lead can still submit or withdraw (never a done or withdrawn one), newest
    # first; none is picked until the person picks one.
    movable = [
        i
        for i in reversed(own)
        if {ItemStatus.PROPOSED, ItemStatus.WITHDRAWN} & TRANSITIONS[i.status]
    ]
    choices = {i.id: f"#{i.id} {i.title} ({i.status.label})" for i in movable}
    moves = {i.id: TRANSITIONS[i.status] for i in movable}
    if not choices:
        st.caption("None of your items can be submitted or withdrawn now.")
    chosen = st.selectbox(
        "Item",
        list(choices),
        format_func=lambda i: choices[i],
        index=None,
        placeholder="Choose an item to submit or withdraw",
    )
    submit, withdraw = st.columns(2)
    if chosen is not None:

        def to(item_id: int, status: ItemStatus, done: str) -> Callable[[Report], None]:
            def change(report: Report) -> None:
                items.change_status(ctx, actor, item_id, status)
                report.success(done)

            return change

        with submit:
            write_button(
                "Submit for review",
                "submit-item",
                to(
                    chosen,
                    ItemStatus.PROPOSED,
                    "Submitted: the executive will open it for comment.",
                ),
                inputs=chosen,
                type="primary",
            )
        with withdraw:
            if ItemStatus.WITHDRAWN in moves[chosen]:
                write_button(
                    "Withdraw",
                    "withdraw-item",
                    to(chosen, ItemStatus.WITHDRAWN, "Withdrawn."),
                    inputs=chosen,
                )
