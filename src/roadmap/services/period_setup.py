"""Planning periods from creation to archive: create, start the next period from an earlier
one (its settings copied, its unspent effort and reserve carried or lapsed), edit the name
and dates, open signalling, close, archive (admins and the executive). The settings of a
period's signals and envelope are :func:`roadmap.services.periods.update_period`'s.

Periods never overlap, and one period at a time takes signals. Nothing is deleted: an
archived period keeps its signals and plans and is no longer chosen as the open period.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from roadmap.domain.access import Actor, require_any
from roadmap.domain.accounting import plan_accounting
from roadmap.domain.enums import PeriodStatus, Role, UnspentPolicy
from roadmap.domain.errors import ConflictError, NotFound, ValidationError
from roadmap.domain.periods import PlanningPeriod, check_no_overlap, overlap
from roadmap.domain.validation import parse_collecting, refuse
from roadmap.services.audit import changed_fields, plain, record
from roadmap.services.context import Context
from roadmap.services.notifications import EventKind, holders, notify
from roadmap.services.periods import period_from_row
from roadmap.services.publishing import final_snapshot
from roadmap.store.engine import reading, transaction
from roadmap.store.tables import PeriodRow, PlanRow, SignalRow

_ROLES = [Role.ADMIN, Role.EXECUTIVE]


@dataclass(frozen=True)
class PeriodEntry:
    """A period as the periods page lists it."""

    key: str
    name: str
    start: date
    end: date
    status: PeriodStatus
    archived: bool
    signal_window_start: date | None
    signal_window_end: date | None
    signals: int
    plans: int
    version: int
    source: str | None = None  # the key of the period it was started from


def list_periods(ctx: Context) -> list[PeriodEntry]:
    """Every period, the newest first, archived ones last."""
    with reading(ctx.engine) as session:
        signals = dict(
            session.execute(
                select(SignalRow.period_id, func.count()).group_by(SignalRow.period_id)
            ).all()
        )
        plans = dict(
            session.execute(
                select(PlanRow.period_id, func.count()).group_by(PlanRow.period_id)
            ).all()
        )
        rows = list(session.scalars(select(PeriodRow).order_by(PeriodRow.start.desc())))
        keys = {r.id: r.key for r in rows}
        entries = [
            PeriodEntry(
                r.key,
                r.name,
                r.start,
                r.end,
                PeriodStatus(r.status),
                r.archived_at is not None,
                r.signal_window_start,
                r.signal_window_end,
                int(signals.get(r.id, 0)),
                int(plans.get(r.id, 0)),
                r.version,
                keys.get(r.source_id) if r.source_id is not None else None,
            )
            for r in rows
        ]
    return sorted(entries, key=lambda e: e.archived)


def _others(session: Session) -> list[tuple[str, str, date, date]]:
    """The periods a new or edited one must not overlap: every one not archived."""
    rows = session.execute(
        select(PeriodRow.key, PeriodRow.name, PeriodRow.start, PeriodRow.end).where(
            PeriodRow.archived_at.is_(None)
        )
    )
    return [(k, n, s, e) for k, n, s, e in rows]


def _row(session: Session, key: str, expected_version: int | None = None) -> PeriodRow:
    row = session.scalar(select(PeriodRow).where(PeriodRow.key == key))
    if row is None:
        raise NotFound(f"There is no period {key!r}.")
    if expected_version is not None and row.version != expected_version:
        raise ConflictError(f"{row.name} was changed by someone else meanwhile; reload.")
    return row


_LABELS = {"key": "period key", "name": "name", "start": "first day", "end": "last day"}


def _new_data(session: Session, values: dict[str, Any]) -> PlanningPeriod:
    """``values`` as a new period, refused with every problem at once: each field pydantic
    refuses, a taken key or name, and dates that overlap another period's."""
    data, problems = parse_collecting(PlanningPeriod, values)
    key, name = str(values["key"]), str(values["name"])
    start, end = values["start"], values["end"]
    # Only a value that passed its own checks is looked up (PostgreSQL refuses a NUL in a
    # query's text, say).
    if "key" not in problems and session.scalar(select(PeriodRow.id).where(PeriodRow.key == key)):
        problems.setdefault("key", f"There is already a period {key!r}.")
    if (
        "name" not in problems
        and name.strip()
        and session.scalar(
            select(PeriodRow.id).where(func.lower(PeriodRow.name) == name.strip().lower())
        )
    ):
        problems.setdefault("name", f"There is already a period named {name!r}.")
    if isinstance(start, date) and isinstance(end, date) and start <= end:
        # A new period has no row yet: every period counts, one with the same key too.
        clash = overlap("", start, end, _others(session))
        if clash is not None:
            problems.setdefault("start", clash)
    refuse(problems, _LABELS)
    assert data is not None
    return data


def create_period(
    ctx: Context, actor: Actor, key: str, name: str, start: date, end: date
) -> PeriodEntry:
    """A new planning period in draft, with the default settings (approval signals, equal
    voice, equal shares); refused when its key or name is taken or its dates overlap
    another period's."""
    require_any(actor, _ROLES, to="create planning periods")
    now = ctx.now()
    with transaction(ctx.engine) as session:
        data = _new_data(session, {"key": key, "name": name, "start": start, "end": end})
        row = _new_row(data)
        session.add(row)
        session.flush()
        after = plain({"name": data.name, "start": data.start, "end": data.end})
        record(session, actor, now, "create", "period", data.key, None, after)
    return next(p for p in list_periods(ctx) if p.key == data.key)


@dataclass(frozen=True)
class Unspent:
    """What a period's final plan leaves unspent, in person-weeks: what it left unallocated
    and the executive's reserve, which no plan allots."""

    unallocated: float
    reserve: float

    @property
    def weeks(self) -> float:
        return round(self.unallocated + self.reserve, 3)


def unspent(session: Session, period: PeriodRow) -> Unspent:
    """What ``period`` leaves unspent: its final plan's "Left unallocated" (the shared budget
    and the pledges less what it funded; :mod:`roadmap.domain.accounting`), never below 0,
    and its reserve. The reserve is held out of the allocation for unplanned work; the app
    records no use of it, so all of it counts as unspent: the policy that returns the
    unallocated effort to the next period's pool returns the reserve with it, and the one
    that lets it lapse lets the reserve lapse too. Both 0 without a final plan."""
    plan = final_snapshot(session, period)
    if plan is None:
        return Unspent(0.0, 0.0)
    left = plan_accounting(plan).step("Left unallocated").weeks
    return Unspent(round(max(left, 0.0), 3), round(plan.reserve, 3))


def unspent_weeks(session: Session, period: PeriodRow) -> float:
    """The person-weeks ``period`` leaves unspent, the reserve included (:func:`unspent`)."""
    return unspent(session, period).weeks


def _new_row(data: PlanningPeriod, **more: object) -> PeriodRow:
    """A new period's row from its settings (a period starts in draft); ``more`` sets the
    columns a period started from another also records."""
    return PeriodRow(
        key=data.key,
        name=data.name,
        start=data.start,
        end=data.end,
        status=PeriodStatus.DRAFT.value,
        envelope=data.envelope.model_dump(mode="json"),
        signal_forms=[f.value for f in data.signal_forms],
        points_budget=data.points_budget,
        privacy=data.privacy.value,
        weeks_per_currency=data.weeks_per_currency,
        **more,
    )


def new_period_from(
    ctx: Context,
    actor: Actor,
    source_key: str,
    key: str,
    name: str,
    start: date,
    end: date,
) -> PeriodEntry:
    """A new planning period in draft that follows ``source_key``: it takes the source's
    settings (envelope, signal forms, points budget, privacy, exchange rate, objection
    window, report interval, unspent-effort policy), not its status or signalling window.

    The effort the source leaves unspent (its final plan's "Left unallocated" and its
    reserve, at this moment; see :func:`unspent`) is carried into the new period's pool when
    the source's policy returns it to the pool, and is 0 when it lapses. A source starts at most
    one period; a source that does not exist, a taken key or name, and overlapping dates are
    refused, and nothing is written."""
    require_any(actor, _ROLES, to="start planning periods")
    now = ctx.now()
    with transaction(ctx.engine) as session:
        source = session.scalar(select(PeriodRow).where(PeriodRow.key == source_key))
        if source is None:
            raise NotFound(f"There is no period {source_key!r} to start from. Nothing was created.")
        started = session.scalar(select(PeriodRow.key).where(PeriodRow.source_id == source.id))
        if started is not None:
            sentence = (
                f"{started} was already started from {source.key}; a period is followed by "
                "one period at most. Nothing was created."
            )
            raise ValidationError(sentence, {"source": sentence})
        settings = period_from_row(source).settings
        data = _new_data(
            session,
            {
                **settings.model_dump(
                    exclude={"status", "signal_window_start", "signal_window_end"}
                ),
                "key": key,
                "name": name,
                "start": start,
                "end": end,
                "carried_weeks": 0.0,
            },
        )
        policy = settings.unspent_policy
        left = unspent(session, source)
        carried = left.weeks if policy == UnspentPolicy.POOL else 0.0
        row = _new_row(
            data,
            review_days=data.review_days,
            report_every_weeks=data.report_every_weeks,
            unspent_policy=policy.value,
            source_id=source.id,
            carried_weeks=carried,
        )
        session.add(row)
        session.flush()
        after = plain(
            {
                "name": data.name,
                "start": data.start,
                "end": data.end,
                "source": source.key,
                "unspent_weeks": left.weeks,
                "unallocated_weeks": left.unallocated,
                "unspent_reserve_weeks": left.reserve,
                "unspent_policy": policy,
                "carried_weeks": carried,
            }
        )
        record(session, actor, now, "create", "period", data.key, None, after)
    return next(p for p in list_periods(ctx) if p.key == data.key)


def edit_period(
    ctx: Context,
    actor: Actor,
    key: str,
    name: str,
    start: date,
    end: date,
    expected_version: int,
) -> None:
    """Change a period's name and dates; its key, which links and backups use, stays."""
    require_any(actor, _ROLES, to="edit planning periods")
    now = ctx.now()
    with transaction(ctx.engine) as session:
        row = _row(session, key, expected_version)
        if row.archived_at is not None:
            raise ValidationError(f"{row.name} is archived; restore it before editing.")
        _, problems = parse_collecting(
            PlanningPeriod, {"key": key, "name": name, "start": start, "end": end}
        )
        # Looked up only once the name passed its own checks (no NUL reaches PostgreSQL).
        taken = (
            None
            if "name" in problems
            else session.scalar(
                select(PeriodRow.key).where(
                    func.lower(PeriodRow.name) == name.strip().lower(), PeriodRow.key != key
                )
            )
        )
        if taken is not None and name.strip():
            problems.setdefault("name", f"There is already a period named {name!r} ({taken}).")
        clash = overlap(key, start, end, _others(session)) if start <= end else None
        if clash is not None:
            problems.setdefault("start", clash)
        refuse(problems, _LABELS)
        before = plain({"name": row.name, "start": row.start, "end": row.end})
        after = plain({"name": name.strip(), "start": start, "end": end})
        old, new = changed_fields(before, after)
        if not new:
            raise ValidationError("Nothing changed.")
        row.name, row.start, row.end = name.strip(), start, end
        session.flush()
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


def _move(
    ctx: Context,
    actor: Actor,
    key: str,
    action: str,
    change: dict[str, object],
    check: str,
    then: Callable[[Session, PeriodRow, datetime], object] | None = None,
) -> None:
    """Apply ``change`` to period ``key`` after ``check`` and record it as ``action``;
    ``then`` runs in the same transaction afterwards (to tell people)."""
    now = ctx.now()
    with transaction(ctx.engine) as session:
        row = _row(session, key)
        if row.archived_at is not None and action != "restore":
            raise ValidationError(f"{row.name} is archived.")
        _CHECKS[check](session, row, change)
        before = plain({k: getattr(row, k) for k in change})
        for name, value in change.items():
            setattr(row, name, value)
        session.flush()
        after = plain({k: getattr(row, k) for k in change})
        record(session, actor, now, action, "period", key, before, after)
        if then is not None:
            then(session, row, now)


def _can_open(session: Session, row: PeriodRow, change: dict[str, object]) -> None:
    if row.status == PeriodStatus.SIGNALLING.value:
        raise ValidationError(f"Signalling for {row.name} is already open.")
    if row.status == PeriodStatus.CLOSED.value:
        raise ValidationError(f"{row.name} is closed; it takes no more signals.")
    other = session.scalar(
        select(PeriodRow.name).where(
            PeriodRow.status == PeriodStatus.SIGNALLING.value,
            PeriodRow.key != row.key,
            PeriodRow.archived_at.is_(None),
        )
    )
    if other is not None:
        raise ValidationError(
            f"Signalling for {other} is open; one period takes signals at a time. "
            "Nothing was changed."
        )
    closes = change.get("signal_window_end")
    opens = change.get("signal_window_start")
    if isinstance(closes, date) and isinstance(opens, date) and closes < opens:
        raise ValidationError(
            f"Signalling cannot close on {closes:%Y-%m-%d}, before it opens on {opens:%Y-%m-%d}."
        )


def _can_close(session: Session, row: PeriodRow, change: dict[str, object]) -> None:
    if row.status == PeriodStatus.CLOSED.value:
        raise ValidationError(f"{row.name} is already closed.")


def _can_archive(session: Session, row: PeriodRow, change: dict[str, object]) -> None:
    if row.status not in (PeriodStatus.DRAFT.value, PeriodStatus.CLOSED.value):
        raise ValidationError(
            f"{row.name} is {row.status}: close it before archiving it. Nothing was archived."
        )


def _can_restore(session: Session, row: PeriodRow, change: dict[str, object]) -> None:
    if row.archived_at is None:
        raise ValidationError(f"{row.name} is not archived.")
    check_no_overlap(row.key, row.start, row.end, _others(session))


_CHECKS = {"open": _can_open, "close": _can_close, "archive": _can_archive, "restore": _can_restore}


def open_signalling(ctx: Context, actor: Actor, key: str, closes: date | None = None) -> None:
    """Open a period for signals from today (until ``closes``, when given)."""
    require_any(actor, _ROLES, to="open signalling")
    today = ctx.now().date()
    change: dict[str, object] = {
        "status": PeriodStatus.SIGNALLING.value,
        "signal_window_start": today,
        "signal_window_end": closes,
    }

    def tell(session: Session, row: PeriodRow, now: datetime) -> None:
        until = f" until {closes:%d %b %Y}" if closes else ""
        notify(
            session,
            EventKind.SIGNALLING_OPEN,
            holders(session, Role.REPRESENTATIVE),
            now,
            f"Signalling for {row.name} is open{until}",
            "/signals",
            "Say which items your organization wants funded this period.",
            actor=actor,
        )

    _move(ctx, actor, key, "open_signalling", change, "open", tell)


def close_period(ctx: Context, actor: Actor, key: str) -> None:
    """Close a period: it takes no more signals; its plans stay published."""
    require_any(actor, _ROLES, to="close planning periods")
    _move(ctx, actor, key, "close", {"status": PeriodStatus.CLOSED.value}, "close")


def archive_period(ctx: Context, actor: Actor, key: str) -> None:
    """Archive a draft or closed period: kept with its signals and plans, no longer chosen."""
    require_any(actor, _ROLES, to="archive planning periods")
    _move(ctx, actor, key, "archive", {"archived_at": ctx.now()}, "archive")


def restore_period(ctx: Context, actor: Actor, key: str) -> None:
    require_any(actor, _ROLES, to="restore planning periods")
    _move(ctx, actor, key, "restore", {"archived_at": None}, "restore")
