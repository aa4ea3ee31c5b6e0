"""Errors a user can cause. Each carries a sentence fit to show on a page."""

from __future__ import annotations


class RoadmapError(Exception):
    """Base of the errors a user can cause; ``str(error)`` is the sentence to show."""


class PermissionDenied(RoadmapError):
    """The actor lacks the role (or the scope) the action needs."""


class ValidationError(RoadmapError):
    """Input broke a rule; ``fields`` maps each field name to its sentence (every field that
    failed, not only the first), ``labels`` each such field to its name in plain words."""

    def __init__(
        self,
        message: str,
        fields: dict[str, str] | None = None,
        labels: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.fields: dict[str, str] = dict(fields or {})
        self.labels: dict[str, str] = dict(labels or {})

    @property
    def summary(self) -> str:
        """One sentence over the whole refusal: how many fields need fixing and which (the
        message itself when no field is named)."""
        if not self.fields:
            return str(self)
        names = [self.labels.get(name, name.replace("_", " ")) for name in self.fields]
        if len(names) == 1:
            return f"Nothing was saved: the {names[0]} needs fixing."
        listed = ", ".join(names[:-1]) + " and " + names[-1]
        return f"Nothing was saved: {len(names)} fields need fixing ({listed})."


class ConflictError(RoadmapError):
    """Someone else changed the record since the actor read it."""

    def __init__(self, message: str, changed: dict[str, tuple[object, object]] | None = None):
        super().__init__(message)
        # field -> (value the actor saw, value now stored)
        self.changed: dict[str, tuple[object, object]] = dict(changed or {})


class NotFound(RoadmapError):
    """The record asked for does not exist (or is not visible to the actor)."""
