"""The audit trail: every change with who, when, what, before and after."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy.orm import Session

from roadmap.domain.actor import Actor
from roadmap.store.tables import AuditEventRow


def plain(value: Any) -> Any:
    """A JSON-ready copy of ``value`` (dates as ISO text, enums as their value)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def record(
    session: Session,
    actor: Actor,
    at: datetime,
    action: str,
    entity: str,
    entity_id: object,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str | None = None,
) -> None:
    session.add(
        AuditEventRow(
            actor_id=actor.user_id,
            actor_name=actor.username,
            at=at,
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            before=plain(before) if before is not None else None,
            after=plain(after) if after is not None else None,
            reason=reason,
        )
    )
