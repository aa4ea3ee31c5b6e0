"""Planning periods and their rules: the envelope the executive sets, the signal window, the
signal forms a period takes, its points budget, and pledge conversion at its exchange rate."""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from pydantic import Field, ValidationInfo, field_validator, model_validator

from roadmap.domain.enums import (
    AllocationRule,
    GroupKind,
    PeriodStatus,
    Privacy,
    SignalForm,
    UnspentPolicy,
    VoiceMode,
)
from roadmap.domain.errors import ValidationError
from roadmap.domain.records import Model, Weeks


class GroupConstraint(Model):
    """A cap or a floor on the effort funded in one theme or sub-community."""

    group_kind: GroupKind = Field(title="group kind")
    group: str = Field(title="group")
    cap_weeks: Weeks | None = Field(default=None, title="cap (person-weeks)")
    floor_weeks: Weeks | None = Field(default=None, title="floor (person-weeks)")

    @model_validator(mode="after")
    def _floor_below_cap(self) -> GroupConstraint:
        if self.cap_weeks is None and self.floor_weeks is None:
            raise ValueError("A constraint needs a cap, a floor or both.")
        if (
            self.cap_weeks is not None
            and self.floor_weeks is not None
            and self.floor_weeks > self.cap_weeks
        ):
            raise ValueError("The floor must not exceed the cap.")
        return self


class Envelope(Model):
    """What the executive sets for a planning period's allocation."""

    reserve_weeks: Weeks = Field(default=0, title="reserve (person-weeks)")
    rule: AllocationRule = Field(default=AllocationRule.EQUAL_SHARES, title="allocation rule")
    voice: VoiceMode = Field(default=VoiceMode.EQUAL, title="voice")
    blend_alpha: float = Field(default=0.5, ge=0, le=1, title="blend (share of equal voice)")
    constraints: list[GroupConstraint] = Field(default_factory=list, title="caps and floors")


class PlanningPeriod(Model):
    key: str = Field(title="period key", min_length=2, max_length=40)
    name: str = Field(min_length=1, max_length=120, title="name")
    start: date = Field(title="start date")
    end: date = Field(title="end date")
    status: PeriodStatus = PeriodStatus.DRAFT
    envelope: Envelope = Field(default_factory=Envelope)
    signal_forms: list[SignalForm] = Field(
        default_factory=lambda: [SignalForm.APPROVAL], title="signal forms"
    )
    points_budget: int = Field(default=100, ge=1, le=100_000, title="points budget")
    privacy: Privacy = Field(default=Privacy.ATTRIBUTED, title="signal privacy")
    signal_window_start: date | None = Field(default=None, title="signalling opens")
    signal_window_end: date | None = Field(default=None, title="signalling closes")
    weeks_per_currency: float = Field(default=0.0, ge=0, title="person-weeks per currency unit")
    review_days: int = Field(default=0, ge=0, le=60, title="objection window (days)")
    report_every_weeks: int = Field(default=8, ge=1, le=52, title="progress report every (weeks)")
    unspent_policy: UnspentPolicy = Field(default=UnspentPolicy.POOL, title="unspent effort")
    carried_weeks: Weeks = Field(default=0, title="effort carried in (person-weeks)")

    # Checks across fields sit on the later field (not a model check), so they run even when
    # another field failed and a person sees every problem of the form at once.
    @field_validator("end")
    @classmethod
    def _end_after_start(cls, v: date, info: ValidationInfo) -> date:
        start = info.data.get("start")
        if start is not None and v <= start:
            raise ValueError("The end date must come after the start date.")
        return v

    @field_validator("signal_window_end")
    @classmethod
    def _window_in_order(cls, v: date | None, info: ValidationInfo) -> date | None:
        opens = info.data.get("signal_window_start")
        if v is not None and opens is not None and v < opens:
            raise ValueError("Signalling must close after it opens.")
        return v

    def check_window_open(self, today: date) -> None:
        """Refuse unless the period is signalling and ``today`` lies in its window (both ends
        included; a window without an end stays open while the period signals)."""
        start, end = self.signal_window_start, self.signal_window_end
        if self.status != PeriodStatus.SIGNALLING:
            raise ValidationError(f"Signalling for {self.name} is not open.")
        if start is not None and today < start:
            raise ValidationError(f"Signalling for {self.name} opens on {start:%Y-%m-%d}.")
        if end is not None and today > end:
            raise ValidationError(f"Signalling for {self.name} closed on {end:%Y-%m-%d}.")

    def check_forms(self, used: Iterable[SignalForm]) -> None:
        """Refuse a signal that uses a form this period does not take, naming those forms."""
        off = [form.value for form in used if form not in self.signal_forms]
        if off:
            raise ValidationError(
                f"This period does not take these signal forms: {', '.join(off)}."
            )

    def check_points(self, points: dict[int, int]) -> None:
        """Refuse negative points, and points that spend more than the period's budget."""
        if any(p < 0 for p in points.values()):
            raise ValidationError(
                "Points must not be negative.", {"points": "Points must not be negative."}
            )
        spent = sum(points.values())
        if spent > self.points_budget:
            sentence = (
                f"That spends {spent} points but the budget is {self.points_budget}: "
                f"{spent - self.points_budget} too many. Nothing was saved."
            )
            raise ValidationError(sentence, {"points": sentence})

    def pledged_weeks(self, item_id: int, weeks: float, money: float) -> float:
        """The person-weeks a pledge of ``weeks`` and ``money`` is worth at this period's
        rate, to three decimals; refuses negative amounts, money without a rate, and nothing."""
        if weeks < 0 or money < 0:
            raise ValidationError(
                "A pledge must be positive.", {"pledges": "A pledge must be positive."}
            )
        total = weeks
        if money:
            if self.weeks_per_currency <= 0:
                raise ValidationError(
                    "This period has no exchange rate for money pledges; "
                    "pledge person-weeks instead.",
                    {"pledges": "Pledge person-weeks."},
                )
            total += money * self.weeks_per_currency
        if total <= 0:
            raise ValidationError(
                f"The pledge to item #{item_id} needs person-weeks or money.",
                {"pledges": "A pledge needs an amount."},
            )
        return round(total, 3)


def overlap(
    key: str, start: date, end: date, others: Iterable[tuple[str, str, date, date]]
) -> str | None:
    """The sentence refusing a period from ``start`` to ``end`` (both included) that shares
    a day with one of ``others`` (key, name, start, end; the period ``key`` itself is
    skipped), naming it; None when it overlaps none."""
    for other_key, name, other_start, other_end in others:
        if other_key != key and start <= other_end and other_start <= end:
            return (
                f"{name} runs from {other_start:%Y-%m-%d} to {other_end:%Y-%m-%d}, which "
                f"overlaps {start:%Y-%m-%d} to {end:%Y-%m-%d}; periods may not overlap. "
                "Nothing was saved."
            )
    return None


def check_no_overlap(
    key: str, start: date, end: date, others: Iterable[tuple[str, str, date, date]]
) -> None:
    """Refuse a period that overlaps another (:func:`overlap`), on its start date."""
    sentence = overlap(key, start, end, others)
    if sentence is not None:
        raise ValidationError(sentence, {"start": sentence})


@dataclass(frozen=True)
class NextPeriod:
    """What the periods page suggests for the period after another: key and name (empty
    when the source's key follows no known pattern), first and last day."""

    key: str
    name: str
    start: date
    end: date


_HALF = re.compile(r"^(\d{4})-H([12])$")


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def suggest_next(key: str, start: date, end: date) -> NextPeriod:
    """The period after one from ``start`` to ``end``: from the day after it ends, as long
    (whole months stay whole months: 2027-01-01 to 2027-06-30 is followed by 2027-07-01 to
    2027-12-31); a half-year key ``YYYY-H1``/``YYYY-H2`` suggests the next half's key and
    name ("2027-H2", "2027, second half")."""
    first = end + timedelta(days=1)
    whole_months = start.day == 1 and first.day == 1
    if whole_months:
        months = (first.year - start.year) * 12 + first.month - start.month
        last = _add_months(first, months) - timedelta(days=1)
    else:
        last = first + (end - start)
    match = _HALF.match(key)
    if match is None:
        return NextPeriod("", "", first, last)
    year, half = int(match[1]), int(match[2])
    year, half = (year, 2) if half == 1 else (year + 1, 1)
    return NextPeriod(
        f"{year}-H{half}", f"{year}, {('first', 'second')[half - 1]} half", first, last
    )
