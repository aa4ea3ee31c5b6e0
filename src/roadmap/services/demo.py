"""The demo data set: a Jupyter-modelled project with fictional organizations.

Loaded by ``roadmap demo`` and by ``make run`` on an empty database. The demo accounts
(password ``demo``) exist only here; a real deployment creates its own.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from roadmap.domain.access import Actor, require
from roadmap.domain.enums import ItemStatus, Role
from roadmap.domain.items import ItemFields
from roadmap.domain.organizations import Organization, SubCommunity, Theme
from roadmap.domain.periods import Envelope, PlanningPeriod
from roadmap.domain.staff import StaffMember
from roadmap.services.audit import record
from roadmap.services.context import Context
from roadmap.services.passwords import hash_password
from roadmap.store.engine import reading, transaction
from roadmap.store.tables import (
    CommentPeriodRow,
    CommentRow,
    ItemDependencyRow,
    ItemRow,
    OrganizationRow,
    PeriodRow,
    PledgeRow,
    RoleGrantRow,
    ScopeDecisionRow,
    SignalRow,
    SkillRow,
    StaffRow,
    SubCommunityRow,
    ThemeRow,
    UserRow,
)

DEMO_PASSWORD = "demo"
DECIDED = {
    ItemStatus.IN_SCOPE,
    ItemStatus.OUT_OF_SCOPE,
    ItemStatus.DEFERRED,
    ItemStatus.PLANNED,
    ItemStatus.IN_PROGRESS,
    ItemStatus.DONE,
}


def is_empty(ctx: Context) -> bool:
    with reading(ctx.engine) as session:
        return not session.scalar(select(func.count()).select_from(UserRow))


def _read(folder: Path, name: str) -> Any:
    return json.loads((folder / name).read_text(encoding="utf-8"))


def load_demo(ctx: Context, actor: Actor, folder: Path) -> dict[str, int]:
    """Load every demo file in one transaction; returns how many of each were loaded."""
    require(actor, Role.ADMIN, to="load the demo data")
    now = ctx.now()
    with transaction(ctx.engine) as session:
        users = _load_users(session, _read(folder, "users.json"), now)
        subs = _load_named(
            session, SubCommunityRow, SubCommunity, _read(folder, "subcommunities.json")
        )
        themes = _load_named(session, ThemeRow, Theme, _read(folder, "themes.json"))
        for skill in _read(folder, "skills.json"):
            session.add(SkillRow(slug=skill["slug"], name=skill["name"]))
        orgs = _load_organizations(session, _read(folder, "organizations.json"))
        session.flush()
        _load_grants(session, _read(folder, "users.json"), users, orgs, now)
        items = _load_items(session, _read(folder, "items.json"), subs, themes, users, now)
        _load_staff(session, _read(folder, "staff.json"), users, orgs)
        period = _load_period(session, _read(folder, "period.json"))
        signals = _load_signals(session, _read(folder, "signals.json"), orgs, items, period, now)
        counts = {
            "users": len(users),
            "subcommunities": len(subs),
            "themes": len(themes),
            "organizations": len(orgs),
            "items": len(items),
            "signals": signals,
        }
        record(session, actor, now, "load_demo", "database", "demo", None, counts)
        return counts


def _load_users(session: Session, data: list[dict[str, Any]], now: datetime) -> dict[str, UserRow]:
    password_hash = hash_password(DEMO_PASSWORD)
    users = {}
    for entry in data:
        user = UserRow(
            username=entry["username"],
            display_name=entry["display_name"],
            password_hash=password_hash,
            active=True,
            created_at=now,
        )
        session.add(user)
        users[user.username] = user
    session.flush()
    return users


def _load_grants(
    session: Session,
    data: list[dict[str, Any]],
    users: dict[str, UserRow],
    orgs: dict[str, OrganizationRow],
    now: datetime,
) -> None:
    for entry in data:
        user = users[entry["username"]]
        for grant in entry["roles"]:
            if grant["role"] == Role.MEMBER.value:
                continue  # implicit for everyone signed in
            session.add(
                RoleGrantRow(
                    user_id=user.id, role=grant["role"], scope=grant["scope"], granted_at=now
                )
            )
            if grant["role"] == Role.REPRESENTATIVE.value:
                orgs[grant["scope"]].representative_id = user.id


def _load_named(
    session: Session,
    row_type: type[SubCommunityRow] | type[ThemeRow],
    model: type[SubCommunity],
    data: list[dict[str, Any]],
) -> dict[str, Any]:
    rows = {}
    for entry in data:
        valid = model.model_validate(entry)
        row = row_type(slug=valid.slug, name=valid.name, description=valid.description)
        session.add(row)
        rows[valid.slug] = row
    session.flush()
    return rows


def _load_organizations(session: Session, data: list[dict[str, Any]]) -> dict[str, OrganizationRow]:
    orgs = {}
    for entry in data:
        valid = Organization.model_validate({**entry, "representative": None})
        row = OrganizationRow(**valid.model_dump(exclude={"representative"}))
        session.add(row)
        orgs[valid.key] = row
    session.flush()
    return orgs


def _load_items(
    session: Session,
    data: list[dict[str, Any]],
    subs: dict[str, SubCommunityRow],
    themes: dict[str, ThemeRow],
    users: dict[str, UserRow],
    now: datetime,
) -> dict[str, ItemRow]:
    items: dict[str, ItemRow] = {}
    count = len(data)
    for index, entry in enumerate(data):
        fields = {k: entry[k] for k in ("title", "summary", "subcommunity", "kind", "theme")}
        valid = ItemFields.model_validate(
            {
                **fields,
                "effort_low": entry["effort_low"],
                "effort_high": entry["effort_high"],
                "skills": entry["skills"],
                "links": entry["links"],
            }
        )
        # Spread creation over the last months so history and timelines look lived-in.
        created = now - timedelta(days=10 + 3 * (count - index))
        status = ItemStatus(entry["status"])
        row = ItemRow(
            title=valid.title,
            summary=valid.summary,
            subcommunity_id=subs[valid.subcommunity].id,
            kind=valid.kind.value,
            theme_id=themes[valid.theme].id if valid.theme else None,
            effort_low=valid.effort_low,
            effort_high=valid.effort_high,
            skills=list(valid.skills),
            links=[link.model_dump(mode="json") for link in valid.links],
            status=status.value,
            created_by=users["lead"].id,
            created_at=created,
            updated_at=created,
        )
        session.add(row)
        items[entry["key"]] = row
    session.flush()
    for entry in data:
        row = items[entry["key"]]
        for dep in entry.get("depends_on", []):
            session.add(ItemDependencyRow(item_id=row.id, depends_on_id=items[dep].id))
        _load_governance(session, row, entry, users, now)
    return items


def _load_governance(
    session: Session, row: ItemRow, entry: dict[str, Any], users: dict[str, UserRow], now: datetime
) -> None:
    """The comment period, comments and decision an item in this status would have had."""
    status = ItemStatus(row.status)
    if status == ItemStatus.IN_COMMENT:
        opens, closes, closed = now - timedelta(days=3), now + timedelta(days=7), None
    elif status in DECIDED or entry.get("decision_rationale"):
        opens = row.created_at + timedelta(days=2)
        closes = opens + timedelta(days=10)
        closed = closes
    else:
        return
    session.add(
        CommentPeriodRow(
            item_id=row.id,
            opened_by=users["exec"].id,
            opens_at=opens,
            closes_at=closes,
            closed_at=closed,
        )
    )
    for offset, comment in enumerate(entry.get("comments", [])):
        session.add(
            CommentRow(
                item_id=row.id,
                author_id=users[comment["author"]].id,
                body=comment["body"],
                created_at=opens + timedelta(hours=6 + 20 * offset),
            )
        )
    if status in DECIDED and entry.get("decision_rationale"):
        outcome = (
            status
            if status in (ItemStatus.OUT_OF_SCOPE, ItemStatus.DEFERRED)
            else ItemStatus.IN_SCOPE
        )
        session.add(
            ScopeDecisionRow(
                item_id=row.id,
                outcome=outcome.value,
                rationale=entry["decision_rationale"],
                decided_by=users["exec"].id,
                decided_at=closes + timedelta(days=1),
            )
        )


def _load_staff(
    session: Session,
    data: list[dict[str, Any]],
    users: dict[str, UserRow],
    orgs: dict[str, OrganizationRow],
) -> None:
    for entry in data:
        valid = StaffMember.model_validate(entry)
        session.add(
            StaffRow(
                key=valid.key,
                name=valid.name,
                user_id=users[valid.username].id if valid.username else None,
                skills=dict(valid.skills),
                capacity_weeks=valid.capacity_weeks,
                paid_by_id=orgs[valid.paid_by].id if valid.paid_by else None,
                active=valid.active,
            )
        )


def _load_period(session: Session, data: dict[str, Any]) -> PeriodRow:
    envelope = Envelope.model_validate(
        {k: data[k] for k in ("reserve_weeks", "rule", "voice", "blend_alpha", "constraints")}
    )
    period = PlanningPeriod.model_validate(
        {
            **{k: data[k] for k in ("key", "name", "start", "end", "status", "signal_forms")},
            **{k: data[k] for k in ("points_budget", "privacy", "weeks_per_currency")},
            "signal_window_start": data.get("signal_window_start"),
            "signal_window_end": data.get("signal_window_end"),
            "envelope": envelope,
        }
    )
    row = PeriodRow(
        key=period.key,
        name=period.name,
        start=period.start,
        end=period.end,
        status=period.status.value,
        envelope=envelope.model_dump(mode="json"),
        signal_forms=[f.value for f in period.signal_forms],
        points_budget=period.points_budget,
        privacy=period.privacy.value,
        signal_window_start=period.signal_window_start,
        signal_window_end=period.signal_window_end,
        weeks_per_currency=period.weeks_per_currency,
    )
    session.add(row)
    session.flush()
    return row


def _load_signals(
    session: Session,
    data: list[dict[str, Any]],
    orgs: dict[str, OrganizationRow],
    items: dict[str, ItemRow],
    period: PeriodRow,
    now: datetime,
) -> int:
    for offset, entry in enumerate(data):
        org = orgs[entry["organization"]]
        signal = SignalRow(
            organization_id=org.id,
            period_id=period.id,
            submitted_by=org.representative_id,
            submitted_at=now - timedelta(days=5, hours=offset),
            approvals=[items[k].id for k in entry.get("approvals", [])],
            points={str(items[k].id): int(v) for k, v in entry.get("points", {}).items()},
            ranking=[items[k].id for k in entry.get("ranking", [])],
        )
        session.add(signal)
        session.flush()
        for pledge in entry.get("pledges", []):
            session.add(
                PledgeRow(
                    signal_id=signal.id,
                    item_id=items[pledge["item"]].id,
                    weeks=float(pledge["weeks"]),
                    note=pledge.get("note", ""),
                )
            )
    return len(data)
