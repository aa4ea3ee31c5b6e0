"""Who is acting, and the one role check every write goes through.

An ``Actor`` is a signed-in person with role grants, the public, or the system itself;
``require`` raises :class:`PermissionDenied` with a sentence unless the actor holds a role.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from roadmap.domain.enums import Role
from roadmap.domain.errors import PermissionDenied


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str | None
    display_name: str = ""
    grants: frozenset[tuple[Role, str | None]] = field(default_factory=frozenset)
    # An admin reset the password: every page asks for a new one before anything else.
    must_change_password: bool = False

    @classmethod
    def public(cls) -> Actor:
        return cls(None, None, "the public")

    @classmethod
    def system(cls) -> Actor:
        """The command line and the demo loader: acts as an admin, audited as "system"."""
        return cls(None, "system", "system", frozenset({(Role.ADMIN, None)}))

    @property
    def signed_in(self) -> bool:
        return self.username is not None

    @property
    def roles(self) -> frozenset[Role]:
        """Every role held; every signed-in person is a member."""
        held = {role for role, _ in self.grants}
        if self.user_id is not None:
            held.add(Role.MEMBER)
        return frozenset(held)

    def has(self, role: Role, scope: str | None = None) -> bool:
        """Whether the actor holds ``role`` (for a scoped role: for ``scope``)."""
        if role not in self.roles:
            return False
        if scope is None or not role.scoped:
            return True
        return (role, scope) in self.grants

    def scopes(self, role: Role) -> frozenset[str]:
        return frozenset(s for r, s in self.grants if r == role and s is not None)


def require(actor: Actor, role: Role, scope: str | None = None, *, to: str) -> None:
    """Raise :class:`PermissionDenied` unless ``actor`` holds ``role`` (for ``scope``).

    ``to`` completes the sentence "You need to be ... to ...".
    """
    if actor.has(role, scope):
        return
    if not actor.signed_in:
        raise PermissionDenied(f"Please sign in to {to}.")
    where = f" of {scope}" if scope and role.scoped else ""
    raise PermissionDenied(f"You need to be {_article(role.label)}{where} to {to}.")


def require_any(actor: Actor, roles: list[Role], *, to: str) -> None:
    if any(actor.has(role) for role in roles):
        return
    if not actor.signed_in:
        raise PermissionDenied(f"Please sign in to {to}.")
    names = " or ".join(_article(r.label) for r in roles)
    raise PermissionDenied(f"You need to be {names} to {to}.")


def _article(label: str) -> str:
    return ("an " if label[0] in "aeiou" else "a ") + label
