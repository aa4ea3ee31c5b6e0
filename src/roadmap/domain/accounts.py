"""People's accounts and the roles granted to them (the role check itself is in
``domain.access``)."""

from __future__ import annotations

import re

from pydantic import Field, ValidationInfo, field_validator

from roadmap.domain.enums import Role
from roadmap.domain.notifications import check_email
from roadmap.domain.records import Model

USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,39}$")


class RoleGrant(Model):
    role: Role = Field(title="role")
    scope: str | None = Field(default=None, title="scope", validate_default=True)

    @field_validator("scope")
    @classmethod
    def _scope_matches_role(cls, v: str | None, info: ValidationInfo) -> str | None:
        role = info.data.get("role")
        if role is None:
            return v  # the role itself was refused
        article = "An" if role.label[0] in "aeiou" else "A"
        if role.scoped and not v:
            what = "sub-community" if role == Role.LEAD else "organization"
            raise ValueError(f"{article} {role.label} grant must name its {what}.")
        if not role.scoped and v:
            raise ValueError(f"{article} {role.label} grant takes no scope.")
        return v


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


class PasswordChange(Model):
    """A new password typed twice (the current one is checked against its hash)."""

    current_password: str = Field(min_length=1, max_length=256, title="current password")
    new_password: str = Field(min_length=8, max_length=256, title="new password")
    repeated: str = Field(max_length=256, title="new password, again")

    @field_validator("repeated")
    @classmethod
    def _same_twice(cls, v: str, info: ValidationInfo) -> str:
        new = info.data.get("new_password")
        if new is not None and v != new:
            raise ValueError("The new password, typed again, does not match.")
        return v


class PasswordReset(Model):
    """The password an admin sets for an account's owner to replace at the next sign-in."""

    new_password: str = Field(min_length=8, max_length=256, title="new password")
