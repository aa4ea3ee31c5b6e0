"""People's accounts and the roles granted to them (the role check itself is in
``domain.access``)."""

from __future__ import annotations

import re

from pydantic import Field, field_validator, model_validator

from roadmap.domain.enums import Role
from roadmap.domain.notifications import check_email
from roadmap.domain.records import Model

USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,39}$")


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
    email: str | None = Field(default=None, title="email")

    @field_validator("email")
    @classmethod
    def _check_email(cls, v: str | None) -> str | None:
        return check_email(v) if v else None

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
