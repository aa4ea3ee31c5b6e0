"""Planning periods: finding the open one, and the executive's settings for it (signalling,
privacy, voice, the envelope)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from roadmap.domain.access import Actor, require
from roadmap.domain.enums import PeriodStatus, Role, UnspentPolicy
from roadmap.domain.errors import ConflictError, NotFound, ValidationError
from roadmap.domain.periods import Envelope, PlanningPeriod
from roadmap.domain.records import STORED
from roadmap.domain.validation import parse
from roadmap.services.audit import changed_fields, plain, record
from roadmap.services.context import Context
from roadmap.store.engine import reading, transaction
from roadmap.store.tables import PeriodRow


@dataclass(frozen=True)
class Period:
    id: int
    version: int
    settings: PlanningPeriod

    @property
    def key(self) -> str:
        return self.settings.key


def find_period_row(session: Session, key: str | None) -> PeriodRow:
    query = select(PeriodRow)
    if key:
        query = query.where(PeriodRow.key == key)
    else:
        # The open planning period: signalling first, else the latest not archived.
        query = query.where(PeriodRow.archived_at.is_(None)).order_by(
            (PeriodRow.status == PeriodStatus.SIGNALLING.value).desc(), PeriodRow.start.desc()
        )
    row = session.scalars(query).first()
    if row is None:
        raise NotFound("There is no planning period yet." if not key else f"No period {key!r}.")
    return row


def period_from_row(row: PeriodRow) -> Period:
    settings = PlanningPeriod.model_validate(
        {
            "key": row.key,
            "name": row.name,
            "start": row.start,
            "end": row.end,
            "status": row.status,
            "envelope": Envelope.model_validate(row.envelope or {}, context=STORED),
            "signal_forms": row.signal_forms,
            "points_budget": row.points_budget,
            "privacy": row.privacy,
            "signal_window_start": row.signal_window_start,
            "signal_window_end": row.signal_window_end,
            "weeks_per_currency": row.weeks_per_currency,
            # null (rows written before migration 0008) reads as the default
            "review_days": row.review_days or 0,
            "report_every_weeks": row.report_every_weeks or 8,
            "unspent_policy": row.unspent_policy or UnspentPolicy.POOL.value,
            "carried_weeks": row.carried_weeks or 0.0,
        },
        context=STORED,
    )
    return Period(row.id, row.version, settings)


def get_period(ctx: Context, key: str | None = None) -> Period:
    with reading(ctx.engine) as session:
        return period_from_row(find_period_row(session, key))


def source_key(ctx: Context, period_key: str | None = None) -> str | None:
    """The key of the period that ``period_key`` (the open one by default) was started
    from, or ``None``."""
    with reading(ctx.engine) as session:
        row = find_period_row(session, period_key)
        if row.source_id is None:
            return None
        return session.scalar(select(PeriodRow.key).where(PeriodRow.id == row.source_id))


SETTINGS = (
    "status",
    "signal_forms",
    "points_budget",
    "privacy",
    "signal_window_start",
    "signal_window_end",
    "weeks_per_currency",
    "review_days",
    "report_every_weeks",
    "unspent_policy",
)


def _check_policy_open(session: Session, row: PeriodRow, policy: UnspentPolicy) -> None:
    """Refuse changing what happens to a period's unspent effort once the next period was
    started from it: the carried effort was settled then."""
    started = session.scalar(select(PeriodRow.key).where(PeriodRow.source_id == row.id))
    if started is not None:
        sentence = (
            f"{started} was already started from {row.key}, and {row.key}'s unspent effort "
            + ("was returned to the pool" if policy == UnspentPolicy.POOL else "lapsed")
            + " then; its policy no longer changes anything. Nothing was saved."
        )
        raise ValidationError(sentence, {"unspent_policy": sentence})


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
        if settings.unspent_policy != current.unspent_policy:
            _check_policy_open(session, row, current.unspent_policy)
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
        old, new = changed_fields(before, after)
        record(
            session,
            actor,
            now,
            "update",
            "period",
            key,
            old,
            new,
        )
        return period_from_row(row)
