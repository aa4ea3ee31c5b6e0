"""The bodies items and signals belong to: sub-communities, themes, skills, and member
organizations with their terms."""

from __future__ import annotations

from datetime import date

from pydantic import Field, field_validator, model_validator

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
    exception_reason: str | None = Field(default=None, max_length=2000, title="exception reason")
    status: OrgStatus = Field(default=OrgStatus.ACTIVE, title="status")
    representative: str | None = Field(default=None, title="seat holder")

    @field_validator("key")
    @classmethod
    def _check_key(cls, v: str) -> str:
        return check_slug(v, "short name")

    @model_validator(mode="after")
    def _consistent(self) -> Organization:
        if self.term_end <= self.term_start:
            raise ValueError("The term end must come after the term start.")
        if self.basis == OrgBasis.EXCEPTION and not (self.exception_reason or "").strip():
            raise ValueError("An exception needs a reason.")
        return self
