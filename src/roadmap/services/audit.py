"""The audit trail: every change with who, when, what, before and after."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from roadmap.domain import boundary
from roadmap.domain.access import Actor, require_any
from roadmap.domain.enums import Privacy, Role
from roadmap.domain.privacy import sees_signal, signal_entry_as_seen
from roadmap.store.engine import reading
from roadmap.store.tables import AuditEventRow, PeriodRow, UserRow

if TYPE_CHECKING:
    from roadmap.services.context import Context

T = TypeVar("T")


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


def changed_fields(
    before: dict[str, Any], after: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields ``after`` changes, as an audit event's before and after (both empty when
    nothing changed)."""
    changed = [k for k in after if after[k] != before[k]]
    return {k: before[k] for k in changed}, {k: after[k] for k in changed}


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


@dataclass(frozen=True)
class AuditEventView:
    id: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    reason: str | None


def _views(session: Session, query: Select[AuditEventRow]) -> list[AuditEventView]:
    return [_view(e, e.actor_name) for e in session.scalars(query)]


def list_events(
    ctx: Context,
    actor: Actor,
    person: str | None = None,
    entity: str | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: int = 5000,
    offset: int = 0,
) -> list[AuditEventView]:
    """The audit log, newest first, for the executive and admins, filtered as asked:
    ``limit`` events from the ``offset``-th. A signal's before and after are
    ``(private)`` unless ``actor`` may see that organization's signal in its period
    (``roadmap.domain.privacy``: an admin is not the executive)."""
    require_any(actor, [Role.EXECUTIVE, Role.ADMIN], to="read the audit log")
    query = _filtered(select(AuditEventRow), person, entity, since, until)
    query = query.order_by(AuditEventRow.id.desc()).limit(limit).offset(offset)
    with reading(ctx.engine) as session:
        return _as_seen(session, actor, _views(session, query))


def _is_signal(event: AuditEventView) -> bool:
    return event.action == "signal" and event.entity == "organization"


def _as_seen(session: Session, actor: Actor, events: list[AuditEventView]) -> list[AuditEventView]:
    """``events`` with the signals ``actor`` may not see reduced to their period; a period
    that is gone counts as private."""
    if not any(_is_signal(e) for e in events):
        return events
    privacy = {
        key: Privacy(p) for key, p in session.execute(select(PeriodRow.key, PeriodRow.privacy))
    }

    def hidden(event: AuditEventView) -> bool:
        period = (event.after or event.before or {}).get("period")
        setting = privacy.get(str(period), Privacy.AGGREGATE)
        return _is_signal(event) and not sees_signal(actor, setting, event.entity_id)

    return [
        replace(e, before=signal_entry_as_seen(e.before), after=signal_entry_as_seen(e.after))
        if hidden(e)
        else e
        for e in events
    ]


def count_events(
    ctx: Context,
    actor: Actor,
    person: str | None = None,
    entity: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> int:
    """How many events ``list_events`` would find with these filters and no limit."""
    require_any(actor, [Role.EXECUTIVE, Role.ADMIN], to="read the audit log")
    query = _filtered(select(func.count(AuditEventRow.id)), person, entity, since, until)
    with reading(ctx.engine) as session:
        return int(session.scalar(query) or 0)


def _filtered(
    query: Select[T],
    person: str | None,
    entity: str | None,
    since: date | None,
    until: date | None,
) -> Select[T]:
    if person:
        query = query.where(AuditEventRow.actor_name == boundary.text(person, "person"))
    if entity:
        query = query.where(AuditEventRow.entity == entity)
    if since:
        query = query.where(AuditEventRow.at >= datetime.combine(since, time(), UTC))
    if until:
        query = query.where(
            AuditEventRow.at < datetime.combine(until + timedelta(days=1), time(), UTC)
        )
    return query


def item_history(ctx: Context, item_id: int) -> list[AuditEventView]:
    """Every recorded change of one item, oldest first (public, like the item itself). Its
    ``actor`` is the person's display name, as the item's comments name them (the recorded
    username when the account is gone)."""
    query = (
        select(AuditEventRow, UserRow.display_name)
        .outerjoin(UserRow, UserRow.id == AuditEventRow.actor_id)
        .where(AuditEventRow.entity == "item", AuditEventRow.entity_id == str(item_id))
        .order_by(AuditEventRow.id)
    )
    with reading(ctx.engine) as session:
        return [_view(e, name or e.actor_name) for e, name in session.execute(query)]


def _view(e: AuditEventRow, actor: str | None) -> AuditEventView:
    """An event as read, with ``actor`` as the name it shows."""
    return AuditEventView(
        e.id, e.at, actor or "", e.action, e.entity, e.entity_id, e.before, e.after, e.reason
    )
