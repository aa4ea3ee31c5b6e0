"""Who is acting: a signed-in person with role grants, the public, or the system itself."""

from __future__ import annotations

from dataclasses import dataclass, field

from roadmap.domain.enums import Role


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str | None
    display_name: str = ""
    grants: frozenset[tuple[Role, str | None]] = field(default_factory=frozenset)

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
