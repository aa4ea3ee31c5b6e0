"""The bodies items and signals belong to: sub-communities, themes, skills, and member
organizations with their terms."""

from __future__ import annotations

from datetime import date

from pydantic import Field, ValidationInfo, field_validator

from roadmap.domain.enums import OrgBasis, OrgKind, OrgStatus, OrgTier
from roadmap.domain.records import Model, check_slug


class SubCommunity(Model):
    slug: str = Field(title="short name")
    name: str = Field(min_length=1, max_length=120, title="name")
    description: str = Field(default="", max_length=4000, title="description")

    @field_validator("slug")
    @classmethod
    def _check_slug(cls, v: str) -> str:
        return check_slug(v, "short name")


class Theme(SubCommunity):
    """An area of scope the executive files items under."""


class Skill(Model):
    slug: str = Field(title="short name")
    name: str = Field(min_length=1, max_length=80, title="name")

    @field_validator("slug")
    @classmethod
    def _check_slug(cls, v: str) -> str:
        return check_slug(v, "short name")


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
    exception_reason: str | None = Field(
        default=None, max_length=2000, title="exception reason", validate_default=True
    )
    status: OrgStatus = Field(default=OrgStatus.ACTIVE, title="status")
    representative: str | None = Field(default=None, title="seat holder")

    @field_validator("key")
    @classmethod
    def _check_key(cls, v: str) -> str:
        return check_slug(v, "short name")

    # Checks across fields sit on the later field (not a model check), so they run even when
    # another field failed and a person sees every problem of the form at once.
    @field_validator("term_end")
    @classmethod
    def _end_after_start(cls, v: date, info: ValidationInfo) -> date:
        start = info.data.get("term_start")
        if start is not None and v <= start:
            raise ValueError("The term end must come after the term start.")
        return v

    @field_validator("exception_reason")
    @classmethod
    def _exception_has_reason(cls, v: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("basis") == OrgBasis.EXCEPTION and not (v or "").strip():
            raise ValueError("An exception needs a reason.")
        return v
