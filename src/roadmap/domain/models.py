"""The entities of DOMAIN.md as pydantic models: validation without I/O."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from roadmap.domain import boundary
from roadmap.domain.enums import (
    AllocationRule,
    GroupKind,
    ItemKind,
    ItemStatus,
    LinkKind,
    OrgBasis,
    OrgKind,
    OrgStatus,
    OrgTier,
    PeriodStatus,
    Privacy,
    Role,
    ScopeOutcome,
    SignalForm,
    VoiceMode,
)

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,39}$")
Weeks = Annotated[float, Field(ge=0, le=10_000)]


class Model(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, frozen=False, extra="forbid")

    @field_validator("*")
    @classmethod
    def _plain_text(cls, v: Any, info: ValidationInfo) -> Any:
        # Every text of every model, from a form, a CSV cell or a backup row (domain/boundary).
        field = cls.model_fields[info.field_name or ""]
        return boundary.check_texts(v, field.title or str(info.field_name).replace("_", " "))


def _slug(value: str, what: str) -> str:
    if not SLUG.match(value):
        raise ValueError(
            f"The {what} must be lower-case letters, digits and dashes, starting with a letter "
            "or digit (at most 63 characters)."
        )
    return value


class SubCommunity(Model):
    slug: str = Field(title="short name")
    name: str = Field(min_length=1, max_length=120, title="name")
    description: str = Field(default="", max_length=4000, title="description")

    @field_validator("slug")
    @classmethod
    def _check_slug(cls, v: str) -> str:
        return _slug(v, "short name")


class Theme(SubCommunity):
    """An area of scope the executive files items under."""


class Skill(Model):
    slug: str = Field(title="short name")
    name: str = Field(min_length=1, max_length=80, title="name")

    @field_validator("slug")
    @classmethod
    def _check_slug(cls, v: str) -> str:
        return _slug(v, "short name")


class Link(Model):
    kind: LinkKind = Field(default=LinkKind.OTHER, title="link kind")
    url: str = Field(title="link address", max_length=2000)
    title: str = Field(default="", max_length=200, title="link title")

    @field_validator("url")
    @classmethod
    def _http_only(cls, v: str) -> str:
        # Only web links: a javascript: or data: link would run in the reader's browser.
        if not re.match(r"^https?://[^\s/$.?#][^\s]*$", v, re.IGNORECASE):
            raise ValueError("The link address must start with http:// or https://.")
        return v


class ItemFields(Model):
    """What a sub-community lead enters for a roadmap item."""

    title: str = Field(min_length=3, max_length=120, title="title")
    summary: str = Field(default="", max_length=20_000, title="summary")
    subcommunity: str = Field(title="sub-community")
    kind: ItemKind = Field(default=ItemKind.FEATURE, title="kind")
    theme: str | None = Field(default=None, title="theme")
    effort_low: float = Field(gt=0, le=1000, title="effort estimate (low)")
    effort_high: float = Field(gt=0, le=1000, title="effort estimate (high)")
    skills: list[str] = Field(default_factory=list, max_length=12, title="skills")
    depends_on: list[int] = Field(default_factory=list, title="dependencies")
    links: list[Link] = Field(default_factory=list, max_length=20, title="links")

    @field_validator("title")
    @classmethod
    def _title_has_words(cls, v: str) -> str:
        if not any(ch.isalnum() for ch in v):
            raise ValueError("The title must contain letters or digits.")
        return v

    @model_validator(mode="after")
    def _high_not_below_low(self) -> ItemFields:
        if self.effort_high < self.effort_low:
            raise ValueError(
                "The effort estimate (high) must be at least the effort estimate (low)."
            )
        return self


class RoadmapItem(ItemFields):
    id: int
    status: ItemStatus = ItemStatus.DRAFT
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None


class Comment(Model):
    id: int | None = None
    item_id: int
    author: str
    body: str = Field(min_length=1, max_length=10_000, title="comment")
    created_at: datetime


class ScopeDecision(Model):
    item_id: int
    outcome: ScopeOutcome = Field(title="decision")
    rationale: str = Field(min_length=10, max_length=10_000, title="rationale")
    decided_by: str
    decided_at: datetime


class GroupConstraint(Model):
    """A cap or a floor on the effort funded in one theme or sub-community."""

    group_kind: GroupKind = Field(title="group kind")
    group: str = Field(title="group")
    cap_weeks: Weeks | None = Field(default=None, title="cap (person-weeks)")
    floor_weeks: Weeks | None = Field(default=None, title="floor (person-weeks)")

    @model_validator(mode="after")
    def _floor_below_cap(self) -> GroupConstraint:
        if self.cap_weeks is None and self.floor_weeks is None:
            raise ValueError("A constraint needs a cap, a floor or both.")
        if (
            self.cap_weeks is not None
            and self.floor_weeks is not None
            and self.floor_weeks > self.cap_weeks
        ):
            raise ValueError("The floor must not exceed the cap.")
        return self


class Envelope(Model):
    """What the executive sets for a planning period's allocation."""

    reserve_weeks: Weeks = Field(default=0, title="reserve (person-weeks)")
    rule: AllocationRule = Field(default=AllocationRule.EQUAL_SHARES, title="allocation rule")
    voice: VoiceMode = Field(default=VoiceMode.EQUAL, title="voice")
    blend_alpha: float = Field(default=0.5, ge=0, le=1, title="blend (share of equal voice)")
    constraints: list[GroupConstraint] = Field(default_factory=list, title="caps and floors")


class PlanningPeriod(Model):
    key: str = Field(title="period key", min_length=2, max_length=40)
    name: str = Field(min_length=1, max_length=120, title="name")
    start: date = Field(title="start date")
    end: date = Field(title="end date")
    status: PeriodStatus = PeriodStatus.DRAFT
    envelope: Envelope = Field(default_factory=Envelope)
    signal_forms: list[SignalForm] = Field(
        default_factory=lambda: [SignalForm.APPROVAL], title="signal forms"
    )
    points_budget: int = Field(default=100, ge=1, le=100_000, title="points budget")
    privacy: Privacy = Field(default=Privacy.ATTRIBUTED, title="signal privacy")
    signal_window_start: date | None = Field(default=None, title="signalling opens")
    signal_window_end: date | None = Field(default=None, title="signalling closes")
    weeks_per_currency: float = Field(default=0.0, ge=0, title="person-weeks per currency unit")

    @model_validator(mode="after")
    def _dates_in_order(self) -> PlanningPeriod:
        if self.end <= self.start:
            raise ValueError("The end date must come after the start date.")
        if (
            self.signal_window_start is not None
            and self.signal_window_end is not None
            and self.signal_window_end < self.signal_window_start
        ):
            raise ValueError("Signalling must close after it opens.")
        return self


class Organization(Model):
    key: str = Field(title="short name")
    name: str = Field(min_length=1, max_length=160, title="name")
    kind: OrgKind = Field(title="kind")
    tier: OrgTier = Field(title="tier")
    annual_commitment: float = Field(ge=0, le=1e9, title="annual commitment")
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$", title="currency")
    term_start: date = Field(title="term start")
    term_end: date = Field(title="term end")
    basis: OrgBasis = Field(default=OrgBasis.PAID, title="basis")
    exception_reason: str | None = Field(default=None, max_length=2000, title="exception reason")
    status: OrgStatus = Field(default=OrgStatus.ACTIVE, title="status")
    representative: str | None = Field(default=None, title="seat holder")

    @field_validator("key")
    @classmethod
    def _check_key(cls, v: str) -> str:
        return _slug(v, "short name")

    @model_validator(mode="after")
    def _consistent(self) -> Organization:
        if self.term_end <= self.term_start:
            raise ValueError("The term end must come after the term start.")
        if self.basis == OrgBasis.EXCEPTION and not (self.exception_reason or "").strip():
            raise ValueError("An exception needs a reason.")
        return self


class Pledge(Model):
    item_id: int
    weeks: float = Field(gt=0, le=1000, title="pledged person-weeks")
    note: str = Field(default="", max_length=2000, title="note")


class Signal(Model):
    """One organization's signal for a period; the latest one counts."""

    organization: str
    period: str
    approvals: list[int] = Field(default_factory=list, title="approved items")
    points: dict[int, int] = Field(default_factory=dict, title="points")
    ranking: list[int] = Field(default_factory=list, title="ranking")
    pledges: list[Pledge] = Field(default_factory=list, title="pledges")

    @field_validator("points")
    @classmethod
    def _points_non_negative(cls, v: dict[int, int]) -> dict[int, int]:
        if any(p < 0 for p in v.values()):
            raise ValueError("Points must not be negative.")
        return {k: p for k, p in v.items() if p > 0}

    @field_validator("ranking")
    @classmethod
    def _ranking_unique(cls, v: list[int]) -> list[int]:
        if len(set(v)) != len(v):
            raise ValueError("An item may appear only once in a ranking.")
        return v


class StaffMember(Model):
    key: str = Field(title="short name")
    name: str = Field(min_length=1, max_length=160, title="name")
    username: str | None = None
    skills: dict[str, int] = Field(default_factory=dict, title="skills")
    capacity_weeks: Weeks = Field(title="capacity (person-weeks)")
    paid_by: str | None = Field(default=None, title="paid by")
    active: bool = True

    @field_validator("skills")
    @classmethod
    def _levels(cls, v: dict[str, int]) -> dict[str, int]:
        if any(level not in (1, 2, 3) for level in v.values()):
            raise ValueError("Each skill level must be 1, 2 or 3.")
        return v


class Assignment(Model):
    staff: str
    item_id: int
    weeks: float = Field(gt=0)
    subperiod: int = Field(default=0, ge=0)


class Plan(Model):
    period: str
    version: int = Field(ge=1)
    published_by: str
    published_at: datetime
    assignments: list[Assignment] = Field(default_factory=list)


class RoleGrant(Model):
    role: Role = Field(title="role")
    scope: str | None = Field(default=None, title="scope")

    @model_validator(mode="after")
    def _scope_matches_role(self) -> RoleGrant:
        article = "An" if self.role.label[0] in "aeiou" else "A"
        if self.role.scoped and not self.scope:
            what = "sub-community" if self.role == Role.LEAD else "organization"
            raise ValueError(f"{article} {self.role.label} grant must name its {what}.")
        if not self.role.scoped and self.scope:
            raise ValueError(f"{article} {self.role.label} grant takes no scope.")
        return self


class NewUser(Model):
    username: str = Field(title="username")
    display_name: str = Field(min_length=1, max_length=120, title="display name")
    password: str = Field(min_length=8, max_length=256, title="password")

    @field_validator("username")
    @classmethod
    def _check_username(cls, v: str) -> str:
        v = v.lower()
        if not USERNAME.match(v):
            raise ValueError(
                "The username must be 2 to 40 lower-case letters, digits, dots, dashes "
                "or underscores."
            )
        return v


class AuditEvent(Model):
    id: int | None = None
    actor: str | None
    at: datetime
    action: str
    entity: str
    entity_id: str
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    reason: str | None = None
