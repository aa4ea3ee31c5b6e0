"""The audit log as a table: one row per event, with who, when, what and why.

On the page an event reads as a sentence ("Status: proposed → in comment"), its time in the
viewer's zone, an item's event with a link to the item; the CSV keeps the stored values and
ISO 8601 times in UTC, for machines."""

from __future__ import annotations

from datetime import tzinfo

import pandas as pd
import streamlit as st

from roadmap.services.audit import AuditEventView
from roadmap.ui.changes import event_sentence
from roadmap.ui.dates import format_when

_ENTITIES = {"subcommunity": "sub-community", "mail": "mail outbox"}


def audit_table(events: list[AuditEventView]) -> pd.DataFrame:
    """The audit events as the CSV has them, newest first: stored values, UTC times."""
    return pd.DataFrame(
        [
            {
                "When (UTC)": e.at.isoformat(timespec="seconds"),
                "Who": e.actor,
                "Action": e.action,
                "Entity": e.entity,
                "Id": e.entity_id,
                "Before": "" if e.before is None else str(e.before),
                "After": "" if e.after is None else str(e.after),
                "Why": e.reason or "",
            }
            for e in events
        ],
        columns=["When (UTC)", "Who", "Action", "Entity", "Id", "Before", "After", "Why"],
    )


def readable_audit_table(events: list[AuditEventView], zone: tzinfo) -> pd.DataFrame:
    """The audit events as the page shows them, newest first: what happened as a sentence,
    times in ``zone`` with the offset from UTC, an item's events linked to the item."""
    return pd.DataFrame(
        [
            {
                "When": format_when(e.at, zone),
                "Who": e.actor,
                "On": f"{_ENTITIES.get(e.entity, e.entity)} {e.entity_id}",
                "What happened": event_sentence(
                    e.action, e.entity, e.entity_id, e.before, e.after, zone
                ),
                "Why": e.reason or "",
                "Item": f"/item?id={e.entity_id}" if e.entity == "item" else None,
            }
            for e in events
        ],
        columns=["When", "Who", "On", "What happened", "Why", "Item"],
    )


def show_audit_table(events: list[AuditEventView], zone: tzinfo) -> None:
    st.dataframe(
        readable_audit_table(events, zone),
        hide_index=True,
        width="stretch",
        column_config={
            "What happened": st.column_config.TextColumn(width="large"),
            "Item": st.column_config.LinkColumn(display_text="Open the item"),
        },
    )
