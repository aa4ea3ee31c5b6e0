from roadmap.ui.guard import page_setup

actor = page_setup("my_items")

from collections.abc import Callable

import pandas as pd
import streamlit as st

from roadmap.domain.enums import ItemStatus, Role
from roadmap.domain.errors import ConflictError
from roadmap.services import catalog, item_reads, items
from roadmap.ui import session
from roadmap.ui.actions import Report, write_button
from roadmap.ui.item_form import item_form

ctx = session.context()
mine = sorted(actor.scopes(Role.LEAD))
subs = [s for s in catalog.list_subcommunities(ctx) if s.slug in mine]
all_items = item_reads.headings(ctx, actor)
own = [i for i in all_items if i.subcommunity in mine]

st.title("My sub-community's items")
st.caption("You lead: " + ", ".join(s.name for s in subs))

tab_list, tab_new, tab_status = st.tabs(["Items", "New item", "Submit or withdraw"])

with tab_list:
    # With their skills, links and dependencies: an edit saves every field.
    editable = [
        i
        for i in item_reads.list_items(ctx, actor, (ItemStatus.DRAFT, ItemStatus.PROPOSED))
        if i.subcommunity in mine
    ]
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
    # The lock is the version the person saw: the table is read afresh on every rerun, so
    # a row keeps the item and version shown before its first edit until it is saved.
    # Without this a save would carry the version read by the save's own rerun and silently
    # overwrite what another lead saved meanwhile (or, if rows moved, edit another item).
    editing = {int(pos) for pos in st.session_state.get("items_editor", {}).get("edited_rows", {})}
    seen = st.session_state.setdefault("items_seen", {})
    for pos, item in enumerate(editable):
        if pos not in editing or pos not in seen:
            seen[pos] = (item.id, item.version)

    def save_table(report: Report) -> None:
        by_id = {i.id: i for i in editable}
        changed = 0
        for pos, row in enumerate(edited.to_dict("records")):
            item = by_id[int(row["id"])]
            fields = item.fields()
            new = {k: row[k] for k in ("title", "kind", "effort_low", "effort_high")}
            if all(fields[k] == v for k, v in new.items()):
                continue
            shown_id, shown_version = seen.get(pos, (item.id, item.version))
            # After a refusal the warning has shown what changed: the next save is judged
            # against the table as it is shown now.
            seen[pos] = (item.id, item.version)
            with report.attempt():
                if shown_id != item.id:
                    raise ConflictError(
                        "The list of items changed while you were editing it. "
                        "Your changes were not saved; reload to see it."
                    )
                view = items.update_item(ctx, actor, item.id, {**fields, **new}, shown_version)
                seen[pos] = (item.id, view.version)
                changed += 1
        if changed:
            report.success(f"Saved {changed} changed item(s).")
        elif not report.refused:
            report.info("Nothing changed.")

    write_button(
        "Save table changes",
        "save-items-table",
        save_table,
        inputs=st.session_state.get("items_editor", {}).get("edited_rows", {}),
    )
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
    active = {s.slug for s in catalog.list_subcommunities(ctx, active_only=True)}
    item_form(
        [s for s in subs if s.slug in active],
        catalog.list_themes(ctx, active_only=True),
        catalog.list_skills(ctx, active_only=True),
        {i.id: i.title for i in all_items if i.status != ItemStatus.WITHDRAWN},
        lambda fields: items.create_item(ctx, actor, fields),
    )

with tab_status:
    # Newest first: the item just drafted is the one most likely to be submitted next.
    choices = {i.id: f"#{i.id} {i.title} ({i.status.label})" for i in reversed(own)}
    chosen = st.selectbox("Item", list(choices), format_func=lambda i: choices[i])
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
            write_button(
                "Withdraw",
                "withdraw-item",
                to(chosen, ItemStatus.WITHDRAWN, "Withdrawn."),
                inputs=chosen,
            )
