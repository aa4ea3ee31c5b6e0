"""The roadmap item lifecycle: which status may follow which."""

from __future__ import annotations

from roadmap.domain.enums import ItemStatus as S
from roadmap.domain.errors import ValidationError

TRANSITIONS: dict[S, frozenset[S]] = {
    S.DRAFT: frozenset({S.PROPOSED, S.WITHDRAWN}),
    S.PROPOSED: frozenset({S.IN_COMMENT, S.DRAFT, S.WITHDRAWN}),
    S.IN_COMMENT: frozenset({S.IN_SCOPE, S.OUT_OF_SCOPE, S.DEFERRED, S.WITHDRAWN}),
    # A decision can be revisited later, with a new rationale.
    S.IN_SCOPE: frozenset({S.PLANNED, S.OUT_OF_SCOPE, S.DEFERRED, S.WITHDRAWN}),
    S.OUT_OF_SCOPE: frozenset({S.IN_SCOPE, S.DEFERRED, S.WITHDRAWN}),
    S.DEFERRED: frozenset({S.IN_SCOPE, S.OUT_OF_SCOPE, S.WITHDRAWN}),
    S.PLANNED: frozenset({S.IN_PROGRESS, S.IN_SCOPE, S.WITHDRAWN}),
    S.IN_PROGRESS: frozenset({S.DONE, S.WITHDRAWN}),
    S.DONE: frozenset(),
    S.WITHDRAWN: frozenset(),
}

# Statuses whose items the sub-community may still edit freely.
EDITABLE = frozenset({S.DRAFT, S.PROPOSED})


def check_transition(current: S, requested: S) -> None:
    """Raise :class:`ValidationError` naming both states unless the move is allowed."""
    if requested not in TRANSITIONS[current]:
        raise ValidationError(f"An item that is {current.label} cannot become {requested.label}.")
