"""The database schema as SQLAlchemy 2 typed ORM classes.

Editable rows carry a ``version`` column that SQLAlchemy bumps on every update and checks
in the UPDATE's WHERE clause, so two writers racing on one row cannot both win; services
also compare it with the version the person read, to report what changed meanwhile.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship

from roadmap.domain.errors import ValidationError
from roadmap.store.types import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {  # noqa: RUF012
        datetime: UTCDateTime,
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class Versioned:
    """Optimistic concurrency: SQLAlchemy bumps and checks ``version`` on every UPDATE."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


class UserRow(Versioned, Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    email: Mapped[str | None] = mapped_column(String(254))  # migration 0010; None: no mail
    # Not edits of the account: written without moving its version (services.home).
    last_seen_at: Mapped[datetime | None]  # migration 0011
    previous_visit_at: Mapped[datetime | None]  # last_seen_at when the current visit began
    # Migration 0012: when an admin reset the password; set, the owner must change it first.
    password_reset_at: Mapped[datetime | None]
    grants: Mapped[list[RoleGrantRow]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )


class RoleGrantRow(Base):
    __tablename__ = "role_grants"
    __table_args__ = (UniqueConstraint("user_id", "role", "scope", name="uq_role_grants_grant"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    scope: Mapped[str | None] = mapped_column(String(63))
    granted_at: Mapped[datetime]
    user: Mapped[UserRow] = relationship(back_populates="grants")


class AuthSessionRow(Base):
    """A signed-in browser. The cookie holds the token; the table holds its hash."""

    __tablename__ = "auth_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class SignInFailureRow(Base):
    """Failed sign-ins of one account (``user:NAME``) or address (``addr:IP``), shared by
    every replica (:mod:`roadmap.services.throttle`)."""

    __tablename__ = "sign_in_failures"
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_failure: Mapped[datetime] = mapped_column(index=True)
    locked_until: Mapped[datetime | None]


class SubCommunityRow(Versioned, Base):
    __tablename__ = "subcommunities"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    archived_at: Mapped[datetime | None]  # kept for the records that name it


class ThemeRow(Versioned, Base):
    __tablename__ = "themes"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    archived_at: Mapped[datetime | None]  # kept for the records that name it


class SkillRow(Base):
    __tablename__ = "skills"
    slug: Mapped[str] = mapped_column(String(63), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    archived_at: Mapped[datetime | None]


class ItemRow(Versioned, Base):
    __tablename__ = "items"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(Text, default="")
    subcommunity_id: Mapped[int] = mapped_column(ForeignKey("subcommunities.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id"), index=True)
    effort_low: Mapped[float] = mapped_column(Float)
    effort_high: Mapped[float] = mapped_column(Float)
    skills: Mapped[list[Any]] = mapped_column(default=list)
    links: Mapped[list[Any]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(20), index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    subcommunity: Mapped[SubCommunityRow] = relationship(lazy="joined")
    theme: Mapped[ThemeRow | None] = relationship(lazy="joined")


class ItemDependencyRow(Base):
    __tablename__ = "item_dependencies"
    item_id: Mapped[int] = mapped_column(
        ForeignKey("items.id", ondelete="CASCADE"), primary_key=True
    )
    depends_on_id: Mapped[int] = mapped_column(
        ForeignKey("items.id", ondelete="CASCADE"), primary_key=True
    )


class CommentPeriodRow(Base):
    __tablename__ = "comment_periods"
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    opened_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]


class CommentRow(Base):
    __tablename__ = "comments"
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


DECISION_KEPT = "A scope decision cannot be changed; amend or reverse it (a new entry) instead."


class ScopeDecisionRow(Base):
    __tablename__ = "scope_decisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    rationale: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime]
    # An amendment (same outcome, new rationale) or a reversal (new outcome) names the entry
    # it changes and the reason; rows are only ever added, so the original text is kept.
    amends_id: Mapped[int | None] = mapped_column(ForeignKey("scope_decisions.id"))
    reason: Mapped[str | None] = mapped_column(Text)


class PeriodRow(Versioned, Base):
    __tablename__ = "periods"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    envelope: Mapped[dict[str, Any]] = mapped_column(default=dict)
    signal_forms: Mapped[list[Any]] = mapped_column(default=list)
    points_budget: Mapped[int] = mapped_column(Integer, default=100)
    privacy: Mapped[str] = mapped_column(String(20))
    signal_window_start: Mapped[date | None] = mapped_column(Date)
    signal_window_end: Mapped[date | None] = mapped_column(Date)
    archived_at: Mapped[datetime | None]
    weeks_per_currency: Mapped[float] = mapped_column(Float, default=0.0)
    # Null means the default, so that rows written before migration 0008 read the same.
    review_days: Mapped[int | None] = mapped_column(Integer)  # None: 0, final at once
    report_every_weeks: Mapped[int | None] = mapped_column(Integer)  # None: 8
    unspent_policy: Mapped[str | None] = mapped_column(String(20))  # None: "pool"
    source_id: Mapped[int | None] = mapped_column(ForeignKey("periods.id"), unique=True)
    carried_weeks: Mapped[float | None] = mapped_column(Float)  # None: 0


class OrganizationRow(Versioned, Base):
    __tablename__ = "organizations"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    kind: Mapped[str] = mapped_column(String(20))
    tier: Mapped[str] = mapped_column(String(20))
    annual_commitment: Mapped[float] = mapped_column(Float)
    currency: Mapped[str] = mapped_column(String(3))
    term_start: Mapped[date] = mapped_column(Date)
    term_end: Mapped[date] = mapped_column(Date)
    basis: Mapped[str] = mapped_column(String(20))
    exception_reason: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    representative_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class SignalRow(Base):
    """One saved signal; a new row per save, the latest per organization and period counts."""

    __tablename__ = "signals"
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"), index=True)
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime]
    approvals: Mapped[list[Any]] = mapped_column(default=list)
    points: Mapped[dict[str, Any]] = mapped_column(default=dict)
    ranking: Mapped[list[Any]] = mapped_column(default=list)


class PledgeRow(Base):
    __tablename__ = "pledges"
    id: Mapped[int] = mapped_column(primary_key=True)
    signal_id: Mapped[int] = mapped_column(ForeignKey("signals.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    weeks: Mapped[float] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")


class StaffRow(Versioned, Base):
    __tablename__ = "staff"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    skills: Mapped[dict[str, Any]] = mapped_column(default=dict)
    capacity_weeks: Mapped[float] = mapped_column(Float)
    paid_by_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Person-weeks per sub-period (time off lowers a month); None: capacity spread evenly.
    capacity_by_subperiod: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)


class PlanRow(Base):
    """A published plan: immutable once written; a new publish makes a new version."""

    __tablename__ = "plans"
    __table_args__ = (UniqueConstraint("period_id", "version", name="uq_plans_period_version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    published_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime]
    snapshot: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # A proposed version: representatives may object until then, and it is final only once
    # the executive finalizes it (a ``PlanFinalizationRow``). None: final when published.
    review_until: Mapped[datetime | None]
    # The election, outcome and certificate of the plan's bundle
    # (``roadmap.domain.bundle.PlanEvidence``); None for plans published before 0009.
    evidence: Mapped[dict[str, Any] | None]
    # The SHA-256 of the snapshot's canonical JSON (``roadmap.domain.plans.digest``); None
    # for plans published before 0013.
    snapshot_digest: Mapped[str | None] = mapped_column(String(64))


class PlanObjectionRow(Base):
    """A representative's objection to a proposed plan version, with the reason."""

    __tablename__ = "plan_objections"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(Text)


class PlanFinalizationRow(Base):
    """The executive made a proposed plan version final (plan rows are never updated)."""

    __tablename__ = "plan_finalizations"
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), primary_key=True)
    finalized_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    finalized_at: Mapped[datetime]


class ScenarioComparisonRow(Base):
    """Scenarios an executive ran side by side: kept so that a reload, or another member of
    the executive body, sees the same comparison (only the newest few per period stay)."""

    __tablename__ = "scenario_comparisons"
    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"), index=True)
    run_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    run_at: Mapped[datetime]
    # [{"name": ..., "envelope": {...}, "snapshot": {...}}, ...] in the order shown
    scenarios: Mapped[list[Any]] = mapped_column(JSON, default=list)


class AssignmentRow(Base):
    __tablename__ = "assignments"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    weeks: Mapped[float] = mapped_column(Float)
    subperiod: Mapped[int] = mapped_column(Integer, default=0)


class AuditEventRow(Base):
    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    actor_name: Mapped[str | None] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(40), index=True)
    entity_id: Mapped[str] = mapped_column(String(63))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)


class ProgressReportRow(Base):
    """A staff member's report on their assignment to an item in a published plan."""

    __tablename__ = "progress_reports"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    reported_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The staff member whose assignment (staff member, item) this reports on (migration
    # 0014). None on reports written before: those count for every person on the item.
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    reported_at: Mapped[datetime]
    percent_done: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")


class NotificationRow(Base):
    """One entry of a person's inbox (:mod:`roadmap.services.notifications`)."""

    __tablename__ = "notifications"
    __table_args__ = (
        # A reminder computed from the clock (signalling closes, a report is due) is told
        # once per person: its key names the occasion.
        UniqueConstraint("user_id", "dedupe_key", name="uq_notifications_user_dedupe"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(300))  # a path on this site: "/item?id=5"
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]
    dedupe_key: Mapped[str | None] = mapped_column(String(120))


class EmailOptOutRow(Base):
    """A person does not want email of one kind (or of any kind: ``kind`` = "*")."""

    __tablename__ = "email_opt_outs"
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    at: Mapped[datetime]


class MailOutboxRow(Base):
    """An email written in the transaction of the act it tells of, sent afterwards by the
    sender (:mod:`roadmap.services.mail`), retried with backoff until ``sent_at``."""

    __tablename__ = "mail_outbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(30))
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    unsubscribe_url: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(index=True)  # None: given up
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)


@event.listens_for(ScopeDecisionRow, "before_update")
def _scope_decisions_are_kept(_mapper: Any, _connection: Any, target: Any) -> None:
    raise ValidationError(DECISION_KEPT)


@event.listens_for(PlanRow, "before_update")
@event.listens_for(AssignmentRow, "before_update")
def _published_plans_are_immutable(_mapper: Any, _connection: Any, target: Any) -> None:
    raise ValidationError("A published plan cannot be changed; publish a new version instead.")
