"""The one role check every write goes through."""

from __future__ import annotations

from roadmap.domain.actor import Actor
from roadmap.domain.enums import Role
from roadmap.domain.errors import PermissionDenied


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
