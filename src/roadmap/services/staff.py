"""The staff registry: skills, capacity per sub-period, who pays for them (admins, executive)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from roadmap.domain.access import Actor, require_any
from roadmap.domain.enums import Role
from roadmap.domain.errors import ConflictError, NotFound, ValidationError
from roadmap.domain.staff import StaffMember
from roadmap.domain.validation import parse_collecting, refuse
from roadmap.services.audit import record
from roadmap.services.context import Context
from roadmap.store.engine import reading, transaction
from roadmap.store.tables import OrganizationRow, SkillRow, StaffRow, UserRow


@dataclass(frozen=True)
class StaffView:
    member: StaffMember
    capacity_by_subperiod: list[float] | None
    version: int


def list_staff(ctx: Context, actor: Actor) -> list[StaffView]:
    require_any(actor, [Role.ADMIN, Role.EXECUTIVE], to="see the staff registry")
    with reading(ctx.engine) as session:
        users = dict(session.execute(select(UserRow.id, UserRow.username)).all())
        orgs = dict(session.execute(select(OrganizationRow.id, OrganizationRow.key)).all())
        return [
            StaffView(
                StaffMember(
                    key=s.key,
                    name=s.name,
                    username=users.get(s.user_id or -1),
                    skills=dict(s.skills),
                    capacity_weeks=s.capacity_weeks,
                    paid_by=orgs.get(s.paid_by_id or -1),
                    active=s.active,
                ),
                s.capacity_by_subperiod,
                s.version,
            )
            for s in session.scalars(select(StaffRow).order_by(StaffRow.name))
        ]


def save_staff(
    ctx: Context,
    actor: Actor,
    fields: dict[str, Any],
    expected_version: int | None = None,
    capacity_by_subperiod: list[float] | None = None,
) -> StaffView:
    """Register a staff member (``expected_version`` None) or edit one."""
    require_any(actor, [Role.ADMIN, Role.EXECUTIVE], to="edit the staff registry")
    # Every problem at once: the fields pydantic refuses, a negative month, and the account,
    # organization and skills that do not exist.
    data, problems = parse_collecting(StaffMember, fields)
    if capacity_by_subperiod is not None and any(c < 0 for c in capacity_by_subperiod):
        problems["capacity"] = "Capacity by month cannot be negative."
    now = ctx.now()
    with transaction(ctx.engine) as session:
        # Only a value that passed its own checks is looked up (no NUL reaches PostgreSQL).
        found, user_id, paid_by = _references(
            session,
            None if "skills" in problems else fields.get("skills"),
            None if "username" in problems else fields.get("username"),
            None if "paid_by" in problems else fields.get("paid_by"),
        )
        for name, sentence in found.items():
            problems.setdefault(name, sentence)
        refuse(problems)
        assert data is not None
        row = session.scalar(select(StaffRow).where(StaffRow.key == data.key))
        values = _values(data, user_id, paid_by, capacity_by_subperiod)
        if expected_version is None:
            if row is not None:
                raise _taken(data.key)
            row = StaffRow(key=data.key, **values)
            session.add(row)
            before = None
        else:
            if row is None:
                raise NotFound(f"There is no staff member {data.key!r}.")
            if row.version != expected_version:
                raise ConflictError(f"{row.name} was changed by someone else meanwhile; reload.")
            before = {k: getattr(row, k) for k in values if getattr(row, k) != values[k]}
            for name, value in values.items():
                setattr(row, name, value)
        session.flush()
        after = values if before is None else {k: values[k] for k in before}
        record(session, actor, now, "save", "staff", data.key, before, after)
        return StaffView(data, capacity_by_subperiod, row.version)


def staff_references(session: Session, data: StaffMember) -> tuple[int | None, int | None]:
    """The account and paying organization of ``data``, by id; raise :class:`ValidationError`
    naming every unknown skill, account or organization."""
    errors, user_id, paid_by = _references(session, data.skills, data.username, data.paid_by)
    refuse(errors)
    return user_id, paid_by


def _references(
    session: Session, skills: Any, username: Any, paid_by: Any
) -> tuple[dict[str, str], int | None, int | None]:
    """Each unknown skill, account or organization as a field's sentence, with the ids of
    those found (what was typed is looked up even when other fields are refused)."""
    errors: dict[str, str] = {}
    unknown = {str(s) for s in (skills or {})} - set(session.scalars(select(SkillRow.slug)))
    if unknown:
        errors["skills"] = f"Unknown skills: {', '.join(sorted(unknown))}."
    user_id = None
    if isinstance(username, str) and username:
        user_id = session.scalar(select(UserRow.id).where(UserRow.username == username))
        if user_id is None:
            errors["username"] = f"There is no account {username!r}."
    payer = None
    if isinstance(paid_by, str) and paid_by:
        payer = session.scalar(select(OrganizationRow.id).where(OrganizationRow.key == paid_by))
        if payer is None:
            errors["paid_by"] = f"There is no organization {paid_by!r}."
    return errors, user_id, payer


def insert_staff(session: Session, actor: Actor, now: datetime, data: StaffMember) -> None:
    """Register a new staff member and record it (the caller has checked the role)."""
    user_id, paid_by = staff_references(session, data)
    check_staff_key(session, data.key)
    values = _values(data, user_id, paid_by, None)
    session.add(StaffRow(key=data.key, **values))
    session.flush()
    record(session, actor, now, "import", "staff", data.key, None, values)


def check_staff_key(session: Session, key: str) -> None:
    if session.scalar(select(StaffRow.id).where(StaffRow.key == key)) is not None:
        raise _taken(key)


def _taken(key: str) -> ValidationError:
    sentence = f"The short name {key!r} is taken."
    return ValidationError(sentence, {"key": sentence})


def _values(
    data: StaffMember, user_id: int | None, paid_by: int | None, capacity: list[float] | None
) -> dict[str, Any]:
    return {
        "name": data.name,
        "user_id": user_id,
        "skills": dict(data.skills),
        "capacity_weeks": data.capacity_weeks,
        "paid_by_id": paid_by,
        "active": data.active,
        "capacity_by_subperiod": capacity,
    }
