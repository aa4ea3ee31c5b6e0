"""The executive's gate between a proposal and scope: comment periods (when one is open, how
it may end and be extended), comments, and the scope decision with its rationale."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import Field

from roadmap.domain.enums import ItemStatus, ScopeOutcome
from roadmap.domain.errors import ValidationError
from roadmap.domain.records import Model

DEFAULT_COMMENT_DAYS = 10
# The statuses a decision may be revisited from (an item in comment is decided once it closes).
DECISION_STATUSES = (ItemStatus.IN_SCOPE, ItemStatus.OUT_OF_SCOPE, ItemStatus.DEFERRED)


@dataclass(frozen=True)
class CommentPeriod:
    opens_at: datetime
    closes_at: datetime
    closed_early: bool

    def is_open(self, now: datetime) -> bool:
        """Open from its start to its end, both included, unless the executive closed it."""
        return not self.closed_early and self.opens_at <= now <= self.closes_at


def check_comment_end(now: datetime, closes_at: datetime) -> None:
    """Refuse a new comment period that would end at or before ``now``."""
    if closes_at <= now:
        raise ValidationError(
            "The comment period must end in the future.", {"closes_at": "Pick a later end."}
        )


def check_extension(period: CommentPeriod, closes_at: datetime) -> None:
    """Refuse an extension that does not end later than the period's current end."""
    if closes_at <= period.closes_at:
        raise ValidationError(
            "An extension must end later than the current end "
            f"({period.closes_at:%Y-%m-%d %H:%M} UTC).",
            {"closes_at": "Pick a later end."},
        )


def check_decidable(
    status: ItemStatus, period: CommentPeriod | None, now: datetime, outcome: ScopeOutcome
) -> ItemStatus:
    """The status an item in ``status`` moves to on ``outcome``; refuses while its comment
    period is open, for statuses not up for a decision, and for the status it already has."""
    if status == ItemStatus.IN_COMMENT:
        if period is not None and period.is_open(now):
            raise ValidationError(
                "The comment period is still open "
                f"(until {period.closes_at:%Y-%m-%d %H:%M} UTC); decide after it closes."
            )
    elif status not in DECISION_STATUSES:
        raise ValidationError(f"An item that is {status.label} is not up for a scope decision.")
    target = ItemStatus(outcome.value)
    if target == status:
        raise ValidationError(f"The item is already {status.label}.")
    return target


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
