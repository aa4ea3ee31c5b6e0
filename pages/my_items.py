from roadmap.ui.guard import page_setup

actor = page_setup("my_items")

import pandas as pd
import streamlit as st

from roadmap.domain.enums import ItemStatus, Role
from roadmap.services import catalog, items
from roadmap.ui import session
from roadmap.ui.feedback import user_errors
from roadmap.ui.item_form import item_form

ctx = session.context()
mine = sorted(actor.scopes(Role.LEAD))
subs = [s for s in catalog.list_subcommunities(ctx) if s.slug in mine]
all_items = items.list_items(ctx, actor)
own = [i for i in all_items if i.subcommunity in mine]

st.title("My sub-community's items")
st.caption("You lead: " + ", ".join(s.name for s in subs))

tab_list, tab_new, tab_status = st.tabs(["Items", "New item", "Submit or withdraw"])

with tab_list:
    editable = [i for i in own if i.status in (ItemStatus.DRAFT, ItemStatus.PROPOSED)]
    st.write("Drafts and proposed items can be edited here; the server checks every change.")
    frame = pd.DataFrame(
        [
            {
                "id": i.id,
                "title": i.title,
                "kind": i.kind,
                "effort_low": i.effort_low,
                "effort_high": i.effort_high,
                "status": i.status.label,
                "version": i.version,
            }
            for i in editable
        ],
        columns=["id", "title", "kind", "effort_low", "effort_high", "status", "version"],
    )
    edited = st.data_editor(
        frame,
        key="items_editor",
        hide_index=True,
        disabled=["id", "status", "version"],
        column_config={
            "kind": st.column_config.SelectboxColumn(
                "kind",
                options=[
                    "feature",
                    "maintenance",
                    "security",
                    "docs",
                    "infrastructure",
                    "community",
                ],
            ),
            "effort_low": st.column_config.NumberColumn("effort low", min_value=0.0),
            "effort_high": st.column_config.NumberColumn("effort high", min_value=0.0),
        },
    )
    if st.button("Save table changes"):
        by_id = {i.id: i for i in editable}
        changed = 0
        for row in edited.to_dict("records"):
            item = by_id[int(row["id"])]
            fields = item.fields()
            new = {k: row[k] for k in ("title", "kind", "effort_low", "effort_high")}
            if all(fields[k] == v for k, v in new.items()):
                continue
            with user_errors():
                items.update_item(ctx, actor, item.id, {**fields, **new}, int(row["version"]))
                changed += 1
        st.success(f"Saved {changed} changed item(s).") if changed else st.info("Nothing changed.")
    st.subheader("All items of your sub-communities")
    st.dataframe(
        pd.DataFrame(
            [
                {"#": i.id, "Title": i.title, "Status": i.status.label, "Link": f"/item?id={i.id}"}
                for i in own
            ],
            columns=["#", "Title", "Status", "Link"],
        ),
        hide_index=True,
        column_config={"Link": st.column_config.LinkColumn("Page", display_text="open")},
        width="stretch",
    )

with tab_new:
    item_form(
        subs,
        catalog.list_themes(ctx),
        catalog.list_skills(ctx),
        {i.id: i.title for i in all_items if i.status != ItemStatus.WITHDRAWN},
        lambda fields: items.create_item(ctx, actor, fields),
    )

with tab_status:
    # Newest first: the item just drafted is the one most likely to be submitted next.
    choices = {i.id: f"#{i.id} {i.title} ({i.status.label})" for i in reversed(own)}
    chosen = st.selectbox("Item", list(choices), format_func=lambda i: choices[i])
    submit, withdraw = st.columns(2)
    if chosen is not None and submit.button("Submit for review", type="primary"):
        with user_errors():
            items.change_status(ctx, actor, chosen, ItemStatus.PROPOSED)
            st.success("Submitted: the executive will open it for comment.")
    if chosen is not None and withdraw.button("Withdraw"):
        with user_errors():
            items.change_status(ctx, actor, chosen, ItemStatus.WITHDRAWN)
            st.success("Withdrawn.")
