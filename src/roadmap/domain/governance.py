"""The executive's gate between a proposal and scope: comment periods (when one is open, how
it may end and be extended), comments, and the scope decision with its rationale, which may
later be amended (a corrected rationale) or reversed (a new outcome), always with a reason."""

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
# Statuses whose decision stands because a published plan acted on it: not reversed here.
FUNDED_REFUSALS = {
    ItemStatus.PLANNED: (
        "Item #{id} is planned: a published plan funds it, so its scope decision cannot be "
        "reversed. Publish a plan version that no longer funds it (the item returns to in "
        "scope), then reverse the decision; its rationale can still be amended."
    ),
    ItemStatus.IN_PROGRESS: (
        "Item #{id} is in progress: staff are working on it under a published plan, so its "
        "scope decision cannot be reversed. Withdraw the item to stop the work; its rationale "
        "can still be amended."
    ),
    ItemStatus.DONE: (
        "Item #{id} is done, so its scope decision cannot be reversed; its rationale can "
        "still be amended."
    ),
}
REASON_MIN, REASON_MAX = 3, 2_000


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


def reversal_refusal(item_id: int, status: ItemStatus) -> str | None:
    """Why the decision on an item in ``status`` cannot be reversed now, or ``None``."""
    refusal = FUNDED_REFUSALS.get(status)
    return refusal.format(id=item_id) if refusal is not None else None


def check_decidable(
    status: ItemStatus,
    period: CommentPeriod | None,
    now: datetime,
    outcome: ScopeOutcome,
    reason: str | None = None,
    item_id: int = 0,
) -> ItemStatus:
    """The status an item in ``status`` moves to on ``outcome``; refuses while its comment
    period is open, for statuses not up for a decision (a planned, in-progress or done item
    with a sentence saying why and what to do), for the status it already has, and a reversal
    of a decided item (in scope, out of scope, deferred) without a reason."""
    if status == ItemStatus.IN_COMMENT:
        if period is not None and period.is_open(now):
            raise ValidationError(
                "The comment period is still open "
                f"(until {period.closes_at:%Y-%m-%d %H:%M} UTC); decide after it closes."
            )
    elif (refusal := reversal_refusal(item_id, status)) is not None:
        raise ValidationError(refusal)
    elif status not in DECISION_STATUSES:
        raise ValidationError(f"An item that is {status.label} is not up for a scope decision.")
    target = ItemStatus(outcome.value)
    if target == status:
        raise ValidationError(f"The item is already {status.label}.")
    if status in DECISION_STATUSES:
        check_reason(reason, "Reversing a decision")
    return target


def check_reason(reason: str | None, what: str = "Amending a decision") -> str:
    """The reason for changing a decision, stripped; refuses a missing, short or long one."""
    text = (reason or "").strip()
    if not text:
        raise ValidationError(
            f"{what} needs a reason: say why it changes (the item's history keeps it).",
            {"reason": "Give a reason."},
        )
    if len(text) < REASON_MIN:
        raise ValidationError(
            f"The reason must have at least {REASON_MIN} characters.",
            {"reason": "Say a little more."},
        )
    if len(text) > REASON_MAX:
        raise ValidationError(
            f"The reason must have at most {REASON_MAX} characters.",
            {"reason": "Shorten it."},
        )
    return text


def check_amendment(current_rationale: str | None, rationale: str, reason: str | None) -> str:
    """The reason for amending the standing decision's rationale to ``rationale``; refuses
    when there is no decision, when the text is unchanged, and without a reason. The
    original text is never overwritten: an amendment is a new entry in the history."""
    if current_rationale is None:
        raise ValidationError("This item has no scope decision to amend.")
    if rationale.strip() == current_rationale.strip():
        raise ValidationError(
            "The rationale is unchanged: edit the text before amending it.",
            {"rationale": "Edit the text."},
        )
    return check_reason(reason)


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
    # An amendment or a reversal names the entry it changes and why; the first decision none.
    amends_id: int | None = None
    reason: str | None = Field(default=None, max_length=REASON_MAX, title="reason")
