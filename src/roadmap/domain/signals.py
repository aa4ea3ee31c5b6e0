"""An organization's signal for a period, checked against the period's rules: the forms it
takes, its points budget, a ranking without repeats, pledges converted to person-weeks, and
only in-scope items."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import ConfigDict, Field

from roadmap.domain.access import Actor
from roadmap.domain.enums import ItemStatus, SignalForm
from roadmap.domain.errors import ValidationError
from roadmap.domain.items import PLANNABLE
from roadmap.domain.periods import PlanningPeriod
from roadmap.domain.privacy import sees_signal
from roadmap.domain.records import Model

# The statuses whose items may receive signals: those a plan decides about.
SIGNALLABLE = PLANNABLE


@dataclass(frozen=True)
class PledgeInput:
    """What a representative offers an item: person-weeks, money, or both."""

    item_id: int
    weeks: float = 0.0
    money: float = 0.0
    note: str = ""


class Pledge(Model):
    """A pledge as it counts: person-weeks (money already converted at the period's rate)."""

    # The note is kept as the representative wrote it.
    model_config = ConfigDict(extra="forbid")

    item_id: int
    weeks: float = Field(title="pledged person-weeks")
    note: str = Field(default="", title="note")


class Signal(Model):
    """The contents of one organization's signal for a period; the latest one counts.

    Build it with :meth:`within`, which applies the period's rules; zero points are dropped.
    """

    approvals: list[int] = Field(default_factory=list, title="approved items")
    points: dict[int, int] = Field(default_factory=dict, title="points")
    ranking: list[int] = Field(default_factory=list, title="ranking")
    pledges: list[Pledge] = Field(default_factory=list, title="pledges")

    @classmethod
    def within(
        cls,
        period: PlanningPeriod,
        approvals: list[int],
        points: Mapping[int, int],
        ranking: list[int],
        pledges: list[PledgeInput],
    ) -> Signal:
        """The signal if ``period`` takes it, else :class:`ValidationError` with the first
        rule it breaks: a form the period does not take, negative points, points over the
        budget, an item ranked twice, then each pledge in turn."""
        points = {int(k): int(v) for k, v in points.items() if int(v) != 0}
        used = {
            SignalForm.APPROVAL: bool(approvals),
            SignalForm.POINTS: bool(points),
            SignalForm.RANKING: bool(ranking),
            SignalForm.PLEDGE: bool(pledges),
        }
        period.check_forms(form for form, present in used.items() if present)
        period.check_points(points)
        if len(set(ranking)) != len(ranking):
            raise ValidationError(
                "An item may appear only once in a ranking.", {"ranking": "Duplicate item."}
            )
        counted = [
            Pledge(
                item_id=p.item_id,
                weeks=period.pledged_weeks(p.item_id, p.weeks, p.money),
                note=p.note,
            )
            for p in pledges
        ]
        return cls(approvals=list(approvals), points=points, ranking=list(ranking), pledges=counted)

    def items(self) -> set[int]:
        """Every item the signal names, in any form."""
        return (
            set(self.approvals)
            | set(self.points)
            | set(self.ranking)
            | {p.item_id for p in self.pledges}
        )


def carry_over(
    period: PlanningPeriod,
    approvals: list[int],
    points: Mapping[int, int],
    ranking: list[int],
    pledges: list[tuple[int, float, str]],
    statuses: Mapping[int, ItemStatus],
) -> tuple[Signal, list[str]]:
    """An organization's signal of an earlier period, as ``period`` takes it, and a sentence
    for each thing left out: items no longer open to signals (``statuses`` lacks them or
    names a status outside ``SIGNALLABLE``), forms ``period`` does not take, and points
    above its budget (the largest allocations are kept first, ties by item number; the
    first that no longer fits keeps what is left of the budget). Pledges keep their
    person-weeks (already converted when they were made)."""
    dropped: list[str] = []
    named = set(approvals) | set(points) | set(ranking) | {p[0] for p in pledges}
    gone = sorted(i for i in named if statuses.get(i) not in SIGNALLABLE)
    if gone:
        dropped.append(
            "Left out, no longer open to signals: "
            + ", ".join(f"#{i} ({statuses[i].label})" if i in statuses else f"#{i}" for i in gone)
            + "."
        )
    keep = set(named) - set(gone)
    approvals = [i for i in approvals if i in keep]
    points = {i: p for i, p in points.items() if i in keep and p > 0}
    ranking = [i for i in ranking if i in keep]
    offered = [PledgeInput(i, w, 0.0, note) for i, w, note in pledges if i in keep]
    parts = {
        SignalForm.APPROVAL: ("approvals", bool(approvals)),
        SignalForm.POINTS: ("points", bool(points)),
        SignalForm.RANKING: ("ranking", bool(ranking)),
        SignalForm.PLEDGE: ("pledges", bool(offered)),
    }
    for form, (word, present) in parts.items():
        if present and form not in period.signal_forms:
            dropped.append(
                f"Left out the {word}: {period.name} does not take {form.value} signals."
            )
            if form == SignalForm.APPROVAL:
                approvals = []
            elif form == SignalForm.POINTS:
                points = {}
            elif form == SignalForm.RANKING:
                ranking = []
            else:
                offered = []
    if sum(points.values()) > period.points_budget:
        left, kept, cut = period.points_budget, {}, []
        for item, value in sorted(points.items(), key=lambda kv: (-kv[1], kv[0])):
            share = min(value, left)
            left -= share
            if share:
                kept[item] = share
            cut.append(f"#{item} ({value - share} of {value})" if share < value else "")
        dropped.append(
            f"Points above the budget of {period.points_budget} were dropped: "
            + ", ".join(c for c in cut if c)
            + "."
        )
        points = kept
    return Signal.within(period, approvals, points, ranking, offered), dropped


def check_signallable(items: set[int], statuses: Mapping[int, ItemStatus]) -> None:
    """Refuse a signal naming an item that does not exist (is not in ``statuses``) or is not
    in scope; the sentence lists each by number."""
    missing = sorted(i for i in items if i not in statuses)
    if missing:
        raise ValidationError(f"No such items: {', '.join(f'#{i}' for i in missing)}.")
    closed = sorted(i for i in items if statuses[i] not in SIGNALLABLE)
    if closed:
        raise ValidationError(
            "Only items in scope, planned or in progress can receive signals; these are not: "
            + ", ".join(f"#{i} ({statuses[i].label})" for i in closed)
            + "."
        )


def sees_attributed(actor: Actor, period: PlanningPeriod) -> bool:
    """Whether ``actor`` sees every organization's signal in ``period`` (the privacy rule,
    :func:`roadmap.domain.privacy.sees_signal`, asked of no one organization)."""
    return sees_signal(actor, period.privacy)
