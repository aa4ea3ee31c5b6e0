"""Publishing a scenario as the period's plan, the objection window, and reading the
published versions.

A published plan is a snapshot: a new row per publish (version 1, 2, ...) that no use case
updates; the store refuses any UPDATE of a plan row (see ``roadmap.store.tables``). A
version is a decision about the whole period: publishing version n+1 plans what it funds and
returns to scope what it no longer funds. In a period with an objection window a version is
first *proposed*; representatives may object, and it becomes final (what staff work on) when
the executive finalizes it after the window, or is replaced by a revised version.

What a version that becomes final moves (:func:`_make_final`), for a version of period P:
- an item it funds that is ``in scope`` becomes ``planned``; one already planned (by an
  earlier version of P, or by another period's plan: unfinished work carried over from
  2027-H1 and funded again by 2027-H2) stays planned, and one under way or done stays as
  it is;
- a ``planned`` item it does not fund returns to ``in scope``, unless the final plan of
  another period (that period's newest final version) funds it: 2027-H2's plan decides
  2027-H2, and leaves alone what 2027-H1's plan planned, which staff may still be working
  on and reporting progress on. So the items that return are those an earlier final
  version of P planned and P no longer funds (and, as before, an item marked planned
  that no plan funds at all, such as one loaded as planned).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.orm import Session

from roadmap.domain import boundary
from roadmap.domain.access import Actor, require
from roadmap.domain.enums import ItemStatus, Privacy, Role
from roadmap.domain.errors import ConflictError, NotFound, ValidationError
from roadmap.domain.periods import Envelope
from roadmap.domain.plans import (
    FundedItem,
    FundingChange,
    PlanDiff,
    PlanSnapshot,
    digest,
    funding_change,
    plan_diff,
)
from roadmap.domain.privacy import plan_as_seen, sees_signal, sign_in_shows
from roadmap.services.audit import record
from roadmap.services.bundles import evidence_of
from roadmap.services.context import Context
from roadmap.services.notifications import EventKind, holders, notify
from roadmap.services.periods import find_period_row
from roadmap.services.scenarios import run_scenario, snapshot
from roadmap.services.transitions import move_item
from roadmap.store.engine import reading, transaction
from roadmap.store.tables import (
    AssignmentRow,
    ItemRow,
    OrganizationRow,
    PeriodRow,
    PlanFinalizationRow,
    PlanObjectionRow,
    PlanRow,
    StaffRow,
    UserRow,
)


@dataclass(frozen=True)
class PlanView:
    period: str
    version: int
    published_by: str
    published_at: datetime
    snapshot: PlanSnapshot
    # A proposed version: representatives may object until ``review_until``; it is final
    # once the executive finalizes it. ``None``: final when it was published.
    review_until: datetime | None = None
    finalized_at: datetime | None = None
    superseded: bool = False  # a newer version was published after this one

    @property
    def final(self) -> bool:
        """Whether this version is (or was) what staff work on."""
        return self.review_until is None or self.finalized_at is not None

    @property
    def proposed(self) -> bool:
        """Proposed and still open to a decision: neither final nor replaced."""
        return not self.final and not self.superseded

    @property
    def state(self) -> str:
        """The version's state, in words."""
        if self.final:
            return "final"
        return "replaced before it was final" if self.superseded else "proposed"


@dataclass(frozen=True)
class Objection:
    version: int
    organization: str  # its key
    organization_name: str
    by: str
    at: datetime
    reason: str


def publish_plan(
    ctx: Context,
    actor: Actor,
    envelope: Envelope,
    name: str = "plan",
    period_key: str | None = None,
    reviewed: PlanSnapshot | None = None,
) -> PlanView:
    """Publish a scenario as a new immutable version of the period's plan.

    In a period with an objection window (``review_days`` > 0) the version is *proposed*:
    nothing moves until the executive finalizes it (:func:`finalize_plan`) after the window.
    Otherwise it is final at once: its funded items become ``planned`` and planned items it
    no longer funds return to ``in scope`` unless another period's final plan funds them
    (each an audited move).

    The scenario is run again here. With ``reviewed`` (the snapshot the executive looked
    at) a funding that differs from it is refused as a conflict and nothing is written: a
    signal, item or envelope changed meanwhile, and the plan would not be the one reviewed.
    """
    require(actor, Role.EXECUTIVE, to="publish plans")
    scenario = run_scenario(ctx, actor, envelope, name, period_key)
    frozen = snapshot(scenario)
    stored = frozen.model_dump(mode="json")
    # The election, exact outcome and certificate of the plan's bundle (``services.bundles``).
    assert scenario.funding.run is not None
    evidence = evidence_of(scenario.funding.run).model_dump(mode="json")
    if reviewed is not None and (change := funding_change(reviewed, frozen)) is not None:
        raise ConflictError(_refusal(change))
    now = ctx.now()
    with transaction(ctx.engine) as session:
        period = find_period_row(session, period_key)
        version = 1 + int(
            session.scalar(select(func.max(PlanRow.version)).where(PlanRow.period_id == period.id))
            or 0
        )
        days = period.review_days or 0
        review_until = now + timedelta(days=days) if days else None
        row = PlanRow(
            period_id=period.id,
            version=version,
            published_by=actor.user_id,
            published_at=now,
            snapshot=stored,
            snapshot_digest=digest(stored),
            review_until=review_until,
            evidence=evidence,
        )
        session.add(row)
        session.flush()
        staff_ids = dict(session.execute(select(StaffRow.key, StaffRow.id)).all())
        for a in frozen.assignments:
            session.add(
                AssignmentRow(
                    plan_id=row.id,
                    staff_id=staff_ids[a.staff],
                    item_id=a.item,
                    weeks=a.weeks,
                    subperiod=a.subperiod,
                )
            )
        funded = [f.item for f in frozen.funded]
        if review_until is None:
            _make_final(session, actor, now, period, version, funded)
            _tell_final(session, actor, now, period, version, frozen)
        else:
            notify(
                session,
                EventKind.PLAN_PROPOSED,
                holders(session, Role.REPRESENTATIVE),
                now,
                f"Plan for {period.name}, version {version} proposed: objections until "
                f"{review_until:%d %b %Y %H:%M} UTC",
                "/plan",
                _funded_text(frozen),
                actor=actor,
            )
        record(
            session,
            actor,
            now,
            "publish" if review_until is None else "propose",
            "plan",
            f"{period.key} v{version}",
            None,
            {"funded": funded, "name": name}
            | ({"objections until": review_until.isoformat()} if review_until else {}),
        )
        return PlanView(
            period.key, version, actor.username or "", now, frozen, review_until, None, False
        )


def _make_final(
    session: Session,
    actor: Actor,
    now: datetime,
    period: PeriodRow,
    version: int,
    funded: list[int],
) -> None:
    """Make ``version`` of ``period`` final: its funded items become
    planned, and planned items it does not fund return to in scope, except those the final
    plan of another period funds (items under way or done stay as they are; the rule is in
    the module's docstring)."""
    # The reason each move gives in the item's history, in words.
    label = f"{period.key}'s final plan (version {version})"
    wanted = set(funded)
    moving = wanted | set(_unfunded(session, period, wanted).returning)
    rows = session.scalars(select(ItemRow).where(ItemRow.id.in_(moving)))
    for item in sorted(rows, key=lambda r: r.id):
        if item.id in wanted and item.status == ItemStatus.IN_SCOPE.value:
            move_item(session, actor, now, item, ItemStatus.PLANNED, f"funded by {label}")
        elif item.id not in wanted and item.status == ItemStatus.PLANNED.value:
            move_item(session, actor, now, item, ItemStatus.IN_SCOPE, f"{label} does not fund it")


@dataclass(frozen=True)
class Unfunded:
    """The planned items a version of a period does not fund, and what becomes of them when
    it is final (:func:`_make_final`): ``returning`` go back to in scope; ``kept`` stay
    planned because another period's final plan funds them (item: that period's key)."""

    returning: list[int]
    kept: dict[int, str]
    titles: dict[int, str]  # of these items


def _unfunded(session: Session, period: PeriodRow, funded: set[int]) -> Unfunded:
    planned = dict(
        session.execute(
            select(ItemRow.id, ItemRow.title).where(
                ItemRow.status == ItemStatus.PLANNED.value, ItemRow.id.not_in(funded)
            )
        ).all()
    )
    kept = _planned_elsewhere(session, period, sorted(planned))
    return Unfunded(sorted(set(planned) - set(kept)), kept, planned)


def _planned_elsewhere(session: Session, period: PeriodRow, among: list[int]) -> dict[int, str]:
    """Which of ``among`` the final plan of a period other than ``period`` funds (each
    other period's newest final version), with that period's key (of several, the one
    that starts first)."""
    if not among:
        return {}
    rows = session.execute(
        select(PlanRow.id, PlanRow.period_id, PeriodRow.key)
        .join(PeriodRow, PeriodRow.id == PlanRow.period_id)
        .outerjoin(PlanFinalizationRow, PlanFinalizationRow.plan_id == PlanRow.id)
        .where(
            PlanRow.period_id != period.id,
            PlanRow.review_until.is_(None) | PlanFinalizationRow.plan_id.is_not(None),
        )
        .order_by(PeriodRow.start.desc(), PlanRow.version)
    ).all()
    # Each period's newest final version (the last of its rows), the latest period first.
    newest = {period_id: (plan_id, key) for plan_id, period_id, key in rows}
    keys = dict(newest.values())
    found = funded_items(session, sorted(keys), among)
    # An earlier period's key overwrites a later one's.
    return {line.item: keys[plan_id] for plan_id in keys for line in found[plan_id]}


def _funded_text(snap: PlanSnapshot) -> str:
    """What a version funds, as a notification says it (items only: no organization)."""
    lines = [f"- #{f.item} {f.title} ({f.effort:g} person-weeks)" for f in snap.funded]
    return "It funds:\n" + "\n".join(lines) if lines else "It funds no item."


def _tell_final(
    session: Session,
    actor: Actor,
    now: datetime,
    period: PeriodRow,
    version: int,
    snap: PlanSnapshot,
) -> None:
    """Tell staff, representatives and leads that a version is what staff work on now."""
    people = (
        holders(session, Role.STAFF)
        | holders(session, Role.REPRESENTATIVE)
        | holders(session, Role.LEAD)
    )
    notify(
        session,
        EventKind.PLAN_FINAL,
        people,
        now,
        f"Plan for {period.name}, version {version} is final",
        "/plan",
        _funded_text(snap),
        actor=actor,
    )


def _plan_row(session: Session, period: PeriodRow, version: int) -> PlanRow:
    row = session.scalar(
        select(PlanRow).where(PlanRow.period_id == period.id, PlanRow.version == version)
    )
    if row is None:
        raise NotFound(f"{period.name} has no plan version {version}.")
    return row


def _latest_version(session: Session, period: PeriodRow) -> int:
    return int(
        session.scalar(select(func.max(PlanRow.version)).where(PlanRow.period_id == period.id)) or 0
    )


def _is_final(session: Session, row: PlanRow) -> bool:
    return row.review_until is None or session.get(PlanFinalizationRow, row.id) is not None


def final_snapshot(session: Session, period: PeriodRow) -> PlanSnapshot | None:
    """The snapshot of ``period``'s newest final version (whole: no reader's privacy view),
    read in ``session``; ``None`` when no version is final."""
    newest = next(iter(final_versions(session, period)), None)
    return None if newest is None else stored_snapshot(session, newest.plan_id)


# Snapshots read back and validated, by (database, plan id, snapshot digest): a plan row is
# never updated, and the digest names its content, so a snapshot validated once stays right
# even where a database made again reuses the id (a test's, a restore's). A page rerun then
# reads a plan's few columns, not its whole JSON (which on a foundation of 4,000 items took
# most of the roadmap timeline's rerun). Plans published before 0013 have no digest and are
# read whole each time.
_SNAPSHOTS: OrderedDict[tuple[str, int, str], PlanSnapshot] = OrderedDict()
_SNAPSHOTS_KEPT = 16
_SNAPSHOTS_LOCK = threading.Lock()


def stored_snapshot(session: Session, plan_id: int) -> PlanSnapshot:
    """Plan ``plan_id``'s snapshot, validated (whole: no reader's privacy view)."""
    named = session.scalar(select(PlanRow.snapshot_digest).where(PlanRow.id == plan_id))
    return _validated(session, plan_id, named)


def _validated(session: Session, plan_id: int, named: str | None) -> PlanSnapshot:
    """Plan ``plan_id``'s snapshot, whose row's digest is ``named``: kept, or read and
    validated (and kept when it has a digest)."""
    key = (session.get_bind().engine.url.render_as_string(), plan_id, named or "")
    with _SNAPSHOTS_LOCK:
        found = _SNAPSHOTS.get(key) if named else None
        if found is not None:
            _SNAPSHOTS.move_to_end(key)
            return found
    raw = session.scalar(select(PlanRow.snapshot).where(PlanRow.id == plan_id))
    if raw is None:
        raise NotFound(f"There is no plan #{plan_id}.")
    snap = PlanSnapshot.model_validate(raw)
    if not named:
        return snap
    with _SNAPSHOTS_LOCK:
        _SNAPSHOTS[key] = snap
        while len(_SNAPSHOTS) > _SNAPSHOTS_KEPT:
            _SNAPSHOTS.popitem(last=False)
    return snap


def finalize_plan(
    ctx: Context, actor: Actor, version: int, period_key: str | None = None
) -> PlanView:
    """Make a proposed version final once its objection window has closed: staff work on it
    from now on, its funded items become planned and planned items it does not fund return
    to in scope unless another period's final plan funds them. Only the newest version can
    be finalized."""
    require(actor, Role.EXECUTIVE, to="finalize plans")
    now = ctx.now()
    with transaction(ctx.engine) as session:
        period = find_period_row(session, period_key)
        row = _plan_row(session, period, version)
        if _is_final(session, row):
            raise ValidationError(f"Version {version} of the {period.name} plan is final already.")
        if version != _latest_version(session, period):
            raise ValidationError(
                f"Version {version} was replaced by a newer version; finalize that one instead."
            )
        assert row.review_until is not None
        if now < row.review_until:
            raise ValidationError(
                f"Representatives may object to version {version} until "
                f"{row.review_until:%Y-%m-%d %H:%M} UTC; finalize it after that."
            )
        session.add(
            PlanFinalizationRow(plan_id=row.id, finalized_by=actor.user_id, finalized_at=now)
        )
        snap = PlanSnapshot.model_validate(row.snapshot)
        funded = [f.item for f in snap.funded]
        _make_final(session, actor, now, period, version, funded)
        _tell_final(session, actor, now, period, version, snap)
        objections = session.scalar(
            select(func.count())
            .select_from(PlanObjectionRow)
            .where(PlanObjectionRow.plan_id == row.id)
        )
        record(
            session,
            actor,
            now,
            "finalize",
            "plan",
            f"{period.key} v{version}",
            None,
            {"funded": funded, "objections": int(objections or 0)},
        )
        return PlanView(
            period.key, version, actor.username or "", row.published_at, snap, row.review_until, now
        )


def object_to_plan(
    ctx: Context,
    actor: Actor,
    organization: str,
    version: int,
    reason: str,
    period_key: str | None = None,
) -> Objection:
    """A representative objects to a proposed version, with a reason, while its window is
    open. The executive sees the objection before finalizing or revising the plan."""
    require(actor, Role.REPRESENTATIVE, organization, to="object to the plan for this organization")
    reason = boundary.text(reason, "reason").strip()
    if not reason:
        raise ValidationError(
            "Say why the organization objects: the executive reads the reason.",
            {"reason": "Give a reason."},
        )
    if len(reason) > 4000:
        raise ValidationError("Keep the reason under 4,000 characters.", {"reason": "Too long."})
    now = ctx.now()
    with transaction(ctx.engine) as session:
        period = find_period_row(session, period_key)
        row = _plan_row(session, period, version)
        org = session.scalar(select(OrganizationRow).where(OrganizationRow.key == organization))
        if org is None:
            raise NotFound(f"There is no organization {organization!r}.")
        if row.review_until is None or _is_final(session, row):
            raise ValidationError(
                f"Version {version} of the {period.name} plan is final; it takes no objections."
            )
        if version != _latest_version(session, period):
            raise ValidationError(
                f"Version {version} was replaced by a newer version; object to that one instead."
            )
        if now >= row.review_until:
            raise ValidationError(
                f"The objection window for version {version} closed on "
                f"{row.review_until:%Y-%m-%d %H:%M} UTC. Nothing was recorded."
            )
        session.add(
            PlanObjectionRow(
                plan_id=row.id,
                organization_id=org.id,
                submitted_by=actor.user_id,
                submitted_at=now,
                reason=reason,
            )
        )
        record(
            session,
            actor,
            now,
            "object",
            "plan",
            f"{period.key} v{version}",
            None,
            {"organization": org.key},
            reason,
        )
        notify(
            session,
            EventKind.OBJECTION,
            holders(session, Role.EXECUTIVE),
            now,
            f"{org.name} objects to version {version} of the {period.name} plan",
            "/plan",
            reason,
            actor=actor,
        )
        return Objection(version, org.key, org.name, actor.username or "", now, reason)


def objections(
    ctx: Context, actor: Actor, version: int, period_key: str | None = None
) -> list[Objection]:
    """The objections to a version, oldest first: all of them for the executive; a
    representative sees its own organization's."""
    with reading(ctx.engine) as session:
        period = find_period_row(session, period_key)
        row = _plan_row(session, period, version)
        found = session.execute(
            select(PlanObjectionRow, OrganizationRow.key, OrganizationRow.name, UserRow.username)
            .join(OrganizationRow, OrganizationRow.id == PlanObjectionRow.organization_id)
            .outerjoin(UserRow, UserRow.id == PlanObjectionRow.submitted_by)
            .where(PlanObjectionRow.plan_id == row.id)
            .order_by(PlanObjectionRow.id)
        ).all()
    return [
        Objection(version, key, name, who or "", o.submitted_at, o.reason)
        for o, key, name, who in found
        if actor.has(Role.EXECUTIVE) or actor.has(Role.REPRESENTATIVE, key)
    ]


def publish_preview(
    ctx: Context, actor: Actor, candidate: PlanSnapshot, period_key: str | None = None
) -> tuple[PlanView | None, PlanDiff | None]:
    """What publishing ``candidate`` would change against the current final version (what
    staff work on now): ``(None, None)`` when nothing is final yet."""
    require(actor, Role.EXECUTIVE, to="publish plans")
    current = final_plan(ctx, actor, period_key)
    if current is None:
        return None, None
    return current, plan_diff(current.snapshot, candidate)


def unfunded_preview(
    ctx: Context, actor: Actor, candidate: PlanSnapshot, period_key: str | None = None
) -> Unfunded:
    """What publishing ``candidate`` would do, once final, with the planned items it does
    not fund: which return to in scope, and which stay planned under another period's
    final plan (:func:`_make_final`)."""
    require(actor, Role.EXECUTIVE, to="publish plans")
    with reading(ctx.engine) as session:
        period = find_period_row(session, period_key)
        return _unfunded(session, period, {f.item for f in candidate.funded})


def plan_in_effect(ctx: Context, actor: Actor) -> PlanView | None:
    """The final plan staff work on today, across periods: that of the period whose dates
    hold today; before any such, the final plan of the period that starts soonest; after,
    the latest period's. So starting (or signalling for) the next period does not take
    the current plan away from staff; a period's plan takes over on its first day."""
    with reading(ctx.engine) as session:
        chosen = period_in_effect(session, ctx.now().date())
    if chosen is None:
        return None
    return final_plan(ctx, actor, chosen.key)


def period_in_effect(session: Session, today: date) -> PeriodRow | None:
    """The period whose final plan is in effect on ``today`` (:func:`plan_in_effect`)."""
    finals = (
        select(PlanRow.period_id)
        .outerjoin(PlanFinalizationRow, PlanFinalizationRow.plan_id == PlanRow.id)
        .where(PlanRow.review_until.is_(None) | PlanFinalizationRow.plan_id.is_not(None))
    )
    candidates = list(
        session.scalars(
            select(PeriodRow).where(PeriodRow.archived_at.is_(None), PeriodRow.id.in_(finals))
        )
    )
    if not candidates:
        return None
    current = [p for p in candidates if p.start <= today <= p.end]
    upcoming = sorted((p for p in candidates if p.start > today), key=lambda p: p.start)
    past = sorted((p for p in candidates if p.end < today), key=lambda p: p.end, reverse=True)
    return (current or upcoming or past)[0]


@dataclass(frozen=True)
class FinalVersion:
    """A version of a period's plan that is (or was) final, and when staff started on it."""

    plan_id: int
    version: int
    started: datetime  # when it was finalized, or published when final at once


def final_versions(session: Session, period: PeriodRow) -> list[FinalVersion]:
    """``period``'s final versions, newest first, read without their snapshots."""
    rows = session.execute(
        select(PlanRow.id, PlanRow.version, PlanRow.published_at, PlanFinalizationRow.finalized_at)
        .outerjoin(PlanFinalizationRow, PlanFinalizationRow.plan_id == PlanRow.id)
        .where(
            PlanRow.period_id == period.id,
            PlanRow.review_until.is_(None) | PlanFinalizationRow.plan_id.is_not(None),
        )
        .order_by(PlanRow.version.desc())
    ).all()
    return [FinalVersion(i, v, finalized or published) for i, v, published, finalized in rows]


# The funded lines' items and titles, one row per line, read by the database's own JSON
# functions: a large plan's snapshot is mostly payments and accounts, which are then
# neither sent to Python nor parsed there. {only}: an optional condition on the item.
_FUNDED = {
    "sqlite": (
        "SELECT plans.id, json_extract(e.value, '$.item'), json_extract(e.value, '$.title')"
        " FROM plans, json_each(plans.snapshot, '$.funded') AS e"
        " WHERE plans.id IN :ids{only} ORDER BY plans.id, e.key",
        " AND json_extract(e.value, '$.item') IN :only",
    ),
    "postgresql": (
        "SELECT plans.id, e.value ->> 'item', e.value ->> 'title' FROM plans,"
        " json_array_elements(plans.snapshot -> 'funded') WITH ORDINALITY AS e(value, n)"
        " WHERE plans.id IN :ids{only} ORDER BY plans.id, e.n",
        " AND (e.value ->> 'item')::integer IN :only",
    ),
}


def funded_items(
    session: Session, plan_ids: list[int], only: list[int] | None = None
) -> dict[int, list[FundedItem]]:
    """What each of these plan rows funds (public, like the plan), without reading the rest
    of their snapshots; ``only``: of these items."""
    found: dict[int, list[FundedItem]] = {i: [] for i in plan_ids}
    if not plan_ids or only == []:
        return found
    query, condition = _FUNDED[session.get_bind().dialect.name]
    statement = text(query.format(only=condition if only is not None else ""))
    params: dict[str, Any] = {"ids": plan_ids}
    statement = statement.bindparams(bindparam("ids", expanding=True))
    if only is not None:
        statement = statement.bindparams(bindparam("only", expanding=True))
        params["only"] = only
    for plan_id, item, title in session.execute(statement, params):
        # Text on PostgreSQL: the record converts the item's number.
        found[plan_id].append(FundedItem.model_validate({"item": item, "title": title}))
    return found


def assigned_people(session: Session, plan_id: int) -> dict[int, set[tuple[str, str]]]:
    """Who works on each item in a plan: (name, staff key) pairs, from its assignment rows
    (the same lines as its snapshot's assignments)."""
    people: dict[int, set[tuple[str, str]]] = {}
    for item_id, name, key in session.execute(
        select(AssignmentRow.item_id, StaffRow.name, StaffRow.key)
        .join(StaffRow, StaffRow.id == AssignmentRow.staff_id)
        .where(AssignmentRow.plan_id == plan_id)
    ):
        people.setdefault(item_id, set()).add((name, key))
    return people


def final_plan(ctx: Context, actor: Actor, period_key: str | None = None) -> PlanView | None:
    """The newest final version of the period's plan (what staff work on), or ``None``."""
    return next(iter(_plan_views(ctx, actor, period_key, newest_final_only=True)), None)


def _refusal(change: FundingChange) -> str:
    """The sentence refusing a publish whose funding moved since it was reviewed."""
    parts = [
        f"{label} {', '.join(f'#{i}' for i in ids)}"
        for label, ids in (
            ("now funded:", change.now_funded),
            ("no longer funded:", change.no_longer_funded),
            ("paid differently:", change.paid_differently),
        )
        if ids
    ] or ["the organizations' shares moved"]
    return (
        "The signals or items changed since you ran this scenario ("
        + "; ".join(parts)
        + "). Nothing was published; run the scenarios again and review the new result."
    )


def published_plans(ctx: Context, actor: Actor, period_key: str | None = None) -> list[PlanView]:
    """Every published version of the period's plan, newest first (public), as ``actor``
    may see it: the payments and accounts of organizations whose signals the period keeps
    private from ``actor`` are totals (``roadmap.domain.privacy``)."""
    return _plan_views(ctx, actor, period_key)


def _plan_views(
    ctx: Context, actor: Actor, period_key: str | None, *, newest_final_only: bool = False
) -> list[PlanView]:
    """The period's published versions as ``actor`` sees them, newest first; with
    ``newest_final_only``, only the newest final one (the others' snapshots unread)."""
    with reading(ctx.engine) as session:
        period = find_period_row(session, period_key)
        privacy = Privacy(period.privacy)
        rows = session.execute(
            select(
                PlanRow.id,
                PlanRow.version,
                PlanRow.published_at,
                PlanRow.review_until,
                PlanRow.snapshot_digest,
                UserRow.username,
                PlanFinalizationRow.finalized_at,
            )
            .outerjoin(UserRow, UserRow.id == PlanRow.published_by)
            .outerjoin(PlanFinalizationRow, PlanFinalizationRow.plan_id == PlanRow.id)
            .where(PlanRow.period_id == period.id)
            .order_by(PlanRow.version.desc())
        ).all()
        views = []
        for n, row in enumerate(rows):
            final = row.review_until is None or row.finalized_at is not None
            if newest_final_only and not final:
                continue
            views.append(
                PlanView(
                    period.key,
                    row.version,
                    row.username or "",
                    row.published_at,
                    plan_as_seen(
                        _validated(session, row.id, row.snapshot_digest),
                        lambda org: sees_signal(actor, privacy, org),
                        members_see=sign_in_shows(actor, privacy),
                    ),
                    row.review_until,
                    row.finalized_at,
                    superseded=n > 0,
                )
            )
            if newest_final_only:
                break
        return views
