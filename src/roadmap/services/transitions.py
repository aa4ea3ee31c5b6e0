"""Moving an item along its lifecycle: the one place a status changes, always audited."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from roadmap.domain.access import Actor
from roadmap.domain.enums import ItemStatus
from roadmap.domain.items import check_transition
from roadmap.services.audit import record
from roadmap.store.tables import ItemRow


def move_item(
    session: Session, actor: Actor, now: datetime, row: ItemRow, to: ItemStatus, why: str | None
) -> None:
    """Change ``row``'s status to ``to`` if the lifecycle allows it, and record the event."""
    current = ItemStatus(row.status)
    check_transition(current, to)
    row.status = to.value
    row.updated_at = now
    session.flush()
    record(
        session,
        actor,
        now,
        "status",
        "item",
        row.id,
        {"status": current.value},
        {"status": to.value, "version": row.version},
        why,
    )
