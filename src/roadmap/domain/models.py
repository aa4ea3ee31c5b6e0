"""The records of DOMAIN.md that have no module of their own yet: comments and scope
decisions, staff members, accounts and role grants (pydantic models: validation without I/O)."""

from __future__ import annotations

import re
from datetime import datetime

from pydantic import Field, field_validator, model_validator

from roadmap.domain.enums import (
    Role,
    ScopeOutcome,
)

# The envelope lives with the planning period now; this name stays for the modules other
# branches are rewriting (services/plans.py, services/planning.py, pages/scenarios.py).
from roadmap.domain.periods import Envelope as Envelope
from roadmap.domain.records import Model, Weeks

USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,39}$")


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
