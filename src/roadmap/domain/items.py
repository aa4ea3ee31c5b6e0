"""Roadmap items and their rules: what a lead enters, the item as every page reads it, the
lifecycle (which status may follow which, and who may make which move), who may read a
draft, and the dependency rules (known items, no self-dependency, no cycle)."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from pydantic import Field, ValidationInfo, field_validator

from roadmap.domain.access import Actor
from roadmap.domain.enums import ItemKind, LinkKind, Role
from roadmap.domain.enums import ItemStatus as S
from roadmap.domain.errors import PermissionDenied, ValidationError
from roadmap.domain.records import Model

# Never part of a web address we keep: white space, control characters, and the signs that
# end a Markdown link destination or start HTML.
_NOT_IN_ADDRESS = re.compile(r"[\s\x00-\x1f\x7f<>\"\\`]")


def check_web_address(v: str) -> str:
    """``v`` if it is an http(s) address with a host, no white space, and parentheses only in
    its path, in pairs; else a sentence naming the link address."""
    if not re.match(r"^https?://", v, re.IGNORECASE):
        raise ValueError("The link address must start with http:// or https://.")
    if re.search(r"\s", v):
        raise ValueError("The link address must not contain spaces or line breaks.")
    if _NOT_IN_ADDRESS.search(v):
        raise ValueError('The link address must not contain control characters, <, >, ", \\ or `.')
    try:
        parts = urlsplit(v)
        host = parts.hostname
    except ValueError:
        host = None
    if not host:
        raise ValueError("The link address must name a host after http:// or https://.")
    outside = parts.netloc + parts.query + parts.fragment
    if "(" in outside or ")" in outside or not _paired(parts.path):
        raise ValueError("The link address may contain parentheses only in pairs, in its path.")
    return v


def _paired(path: str) -> bool:
    depth = 0
    for ch in path:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


class Link(Model):
    kind: LinkKind = Field(default=LinkKind.OTHER, title="link kind")
    url: str = Field(title="link address", max_length=2000)
    title: str = Field(default="", max_length=200, title="link title")

    @field_validator("url")
    @classmethod
    def _http_only(cls, v: str) -> str:
        # Only web links: a javascript: or data: link would run in the reader's browser. A
        # space or a parenthesis outside the path would end a Markdown link early, and what
        # follows it (an image from another host, say) would render. Links stored before
        # this check are read as they are (pages percent-encode them when drawing).
        return check_web_address(v)


class ItemFields(Model):
    """What a sub-community lead enters for a roadmap item."""

    title: str = Field(min_length=3, max_length=120, title="title")
    summary: str = Field(default="", max_length=20_000, title="summary")
    subcommunity: str = Field(title="sub-community")
    kind: ItemKind = Field(default=ItemKind.FEATURE, title="kind")
    theme: str | None = Field(default=None, title="theme")
    effort_low: float = Field(gt=0, le=1000, title="effort estimate (low)")
    effort_high: float = Field(gt=0, le=1000, title="effort estimate (high)")
    skills: list[str] = Field(default_factory=list, max_length=12, title="skills")
    depends_on: list[int] = Field(default_factory=list, title="dependencies")
    links: list[Link] = Field(default_factory=list, max_length=20, title="links")

    @field_validator("title")
    @classmethod
    def _title_has_words(cls, v: str) -> str:
        if not any(ch.isalnum() for ch in v):
            raise ValueError("The title must contain letters or digits.")
        return v

    @field_validator("effort_high")
    @classmethod
    def _high_not_below_low(cls, v: float, info: ValidationInfo) -> float:
        # A field check on the later field, not a model check: it runs even when another
        # field failed, so a person sees every problem of the form at once.
        low = info.data.get("effort_low")
        if low is not None and v < low:
            raise ValueError(
                "The effort estimate (high) must be at least the effort estimate (low)."
            )
        return v


@dataclass(frozen=True)
class RoadmapItem:
    """A roadmap item as it is stored, with the names of its sub-community and theme."""

    id: int
    title: str
    summary: str
    subcommunity: str
    subcommunity_name: str
    kind: str
    theme: str | None
    theme_name: str | None
    effort_low: float
    effort_high: float
    skills: list[str]
    links: list[dict[str, str]]
    status: S
    version: int
    created_at: datetime
    updated_at: datetime
    depends_on: list[int] = field(default_factory=list)

    def fields(self) -> dict[str, Any]:
        """The editable fields, as the edit form and the conflict report name them."""
        return {
            "title": self.title,
            "summary": self.summary,
            "subcommunity": self.subcommunity,
            "kind": self.kind,
            "theme": self.theme,
            "effort_low": self.effort_low,
            "effort_high": self.effort_high,
            "skills": list(self.skills),
            "depends_on": list(self.depends_on),
            "links": list(self.links),
        }


# The statuses the public roadmap shows unless the reader picks others.
PUBLIC_DEFAULT = (S.IN_SCOPE, S.PLANNED, S.IN_PROGRESS, S.DONE)

# The items a period's plan decides about: in scope, or planned or under way (funded by an
# earlier version or an earlier period, and not done). Every scenario considers them all, so
# a new version is a decision about the whole period; they are also the items that take
# signals.
PLANNABLE = (S.IN_SCOPE, S.PLANNED, S.IN_PROGRESS)


def remaining_effort(low: float, high: float, percent_done: int | None) -> float:
    """An item's cost in a period's plan, in person-weeks: the midpoint of its estimate, less
    the share of it done (``percent_done``, 0 to 100, as last reported in a plan of an earlier
    period; ``None``: nothing reported). Work carried over from an earlier period costs only
    what is left of it."""
    mid = (low + high) / 2
    if not percent_done:
        return mid
    done = min(max(percent_done, 0), 100)
    return mid * (100 - done) / 100


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

# The moves a lead may make; every other status is the executive's to set.
LEAD_MOVES = (S.PROPOSED, S.DRAFT, S.WITHDRAWN)


def check_transition(current: S, requested: S) -> None:
    """Raise :class:`ValidationError` naming both states unless the move is allowed."""
    if requested not in TRANSITIONS[current]:
        raise ValidationError(f"An item that is {current.label} cannot become {requested.label}.")


def check_lead_move(requested: S) -> None:
    """Raise :class:`PermissionDenied` unless a lead may ask for ``requested``."""
    if requested not in LEAD_MOVES:
        raise PermissionDenied(f"Only the executive can make an item {requested.label}.")


def check_editable(status: S) -> None:
    """Raise :class:`ValidationError` unless an item in ``status`` may still be edited."""
    if status not in EDITABLE:
        raise ValidationError(f"An item that is {status.label} can no longer be edited.")


def may_read(actor: Actor, status: S, subcommunity: str) -> bool:
    """Everyone reads an item once it leaves draft; a draft only its sub-community's leads."""
    return status != S.DRAFT or actor.has(Role.LEAD, subcommunity)


def makes_cycle(graph: Mapping[int, Collection[int]], item_id: int, deps: Collection[int]) -> bool:
    """Whether ``item_id`` depending on ``deps`` closes a loop in ``graph`` (item -> the items
    it depends on; its own current entry is ignored)."""
    stack, seen = list(deps), set()
    while stack:
        node = stack.pop()
        if node == item_id:
            return True
        if node not in seen:
            seen.add(node)
            stack.extend(graph.get(node, ()))
    return False


def dependency_refusal(
    item_id: int | None,
    deps: list[int],
    existing: Collection[int],
    graph: Mapping[int, Collection[int]],
) -> dict[str, str]:
    """What is wrong with ``item_id`` (``None``: a new item) depending on ``deps``, keyed by
    the field, or nothing: unknown items first, then itself, then a cycle through ``graph``."""
    missing = [d for d in deps if d not in existing]
    if missing:
        return {"depends_on": f"No such items: {', '.join(f'#{d}' for d in missing)}."}
    if item_id is None:
        return {}
    if item_id in deps:
        return {"depends_on": "An item cannot depend on itself."}
    if makes_cycle(graph, item_id, deps):
        return {"depends_on": "These dependencies would make a cycle."}
    return {}
