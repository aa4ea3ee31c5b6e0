"""Paid staff as the executive records them: skills with levels, capacity, who pays them."""

from __future__ import annotations

from pydantic import Field, field_validator

from roadmap.domain.records import Model, Weeks


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
