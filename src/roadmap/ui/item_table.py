"""The lead's table of drafts and proposed items, edited in place and saved with a version
check per row."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from roadmap.domain.access import Actor
from roadmap.domain.enums import ItemKind
from roadmap.domain.errors import ConflictError
from roadmap.domain.items import RoadmapItem
from roadmap.services import items
from roadmap.services.context import Context
from roadmap.ui.actions import Report, write_button


def editable_items_table(ctx: Context, actor: Actor, editable: list[RoadmapItem]) -> None:
    """Draw the table and its save button; each changed row is saved against the version the
    person saw, so an edit over someone else's newer save is refused, never silently lost."""
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
            "version": None,  # kept for the save's conflict check, never shown
            "kind": st.column_config.SelectboxColumn(
                "kind",
                options=[kind.value for kind in ItemKind],
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
