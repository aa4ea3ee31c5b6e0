"""The executive's settings for a planning period: signalling, privacy and voice."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from roadmap.auth.roles import require
from roadmap.domain.actor import Actor
from roadmap.domain.enums import Role
from roadmap.domain.errors import ConflictError, NotFound
from roadmap.domain.models import Envelope, PlanningPeriod
from roadmap.domain.validation import parse
from roadmap.services.audit import plain, record
from roadmap.services.context import Context
from roadmap.services.signals import Period, period_from_row
from roadmap.store.engine import transaction
from roadmap.store.tables import PeriodRow

SETTINGS = (
    "status",
    "signal_forms",
    "points_budget",
    "privacy",
    "signal_window_start",
    "signal_window_end",
    "weeks_per_currency",
)


def update_period(
    ctx: Context, actor: Actor, key: str, changes: dict[str, Any], expected_version: int
) -> Period:
    """Change a period's signalling settings and its envelope (voice, reserve, rule, caps)."""
    require(actor, Role.EXECUTIVE, to="change the planning period")
    now = ctx.now()
    with transaction(ctx.engine) as session:
        row = session.scalar(select(PeriodRow).where(PeriodRow.key == key))
        if row is None:
            raise NotFound(f"There is no period {key!r}.")
        if row.version != expected_version:
            raise ConflictError("The period was changed by someone else meanwhile; reload.")
        current = period_from_row(row).settings
        envelope_changes = changes.get("envelope", {})
        envelope = parse(Envelope, {**current.envelope.model_dump(), **envelope_changes})
        merged = {**current.model_dump(), **{k: v for k, v in changes.items() if k != "envelope"}}
        settings = parse(PlanningPeriod, {**merged, "envelope": envelope.model_dump()})
        before = plain({k: getattr(current, k) for k in SETTINGS})
        before["envelope"] = current.envelope.model_dump(mode="json")
        for name in SETTINGS:
            value = getattr(settings, name)
            if name == "signal_forms":
                value = [f.value for f in value]
            elif hasattr(value, "value"):
                value = value.value
            setattr(row, name, value)
        row.envelope = settings.envelope.model_dump(mode="json")
        session.flush()
        after = plain({k: getattr(settings, k) for k in SETTINGS})
        after["envelope"] = row.envelope
        changed = {k for k in after if after[k] != before[k]}
        record(
            session,
            actor,
            now,
            "update",
            "period",
            key,
            {k: before[k] for k in changed},
            {k: after[k] for k in changed},
        )
        return period_from_row(row)
