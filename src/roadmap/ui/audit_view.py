"""The audit log as a table: one row per event, with who, when, what and why."""

from __future__ import annotations

import pandas as pd

from roadmap.services.audit import AuditEventView


def audit_table(events: list[AuditEventView]) -> pd.DataFrame:
    """The audit events as the page's table and its CSV show them, newest first."""
    return pd.DataFrame(
        [
            {
                "When (UTC)": e.at.strftime("%Y-%m-%d %H:%M:%S"),
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
