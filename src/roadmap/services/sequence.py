"""Periods in sequence: what a period took over from the one it was started from (its
source): the effort the source left unspent (unallocated, and its reserve), and the
unfinished items carried over with the progress reported on them."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from roadmap.domain.enums import ItemStatus, UnspentPolicy
from roadmap.domain.items import PLANNABLE, remaining_effort
from roadmap.services.context import Context
from roadmap.services.period_setup import unspent
from roadmap.services.periods import find_period_row
from roadmap.services.planning import earlier_progress
from roadmap.services.publishing import final_snapshot
from roadmap.store.engine import reading
from roadmap.store.tables import ItemRow, PeriodRow


@dataclass(frozen=True)
class CarriedItem:
    """An unfinished item from an earlier period: its effort estimate's midpoint, the percent
    done last reported in an earlier period (``None``: nothing reported), and what is left
    (its cost in this period's plans)."""

    id: int
    title: str
    status: ItemStatus
    percent: int | None
    effort: float
    remaining: float


@dataclass(frozen=True)
class PeriodSequence:
    key: str
    name: str
    source_key: str | None = None  # the period this one was started from
    source_policy: UnspentPolicy | None = None
    # What the source's final plan leaves unspent today (``period_setup.unspent``): what it
    # left unallocated and the reserve, which no plan allots; ``reserve_now`` is the part of
    # ``unspent_now`` that is the reserve.
    unspent_now: float = 0.0
    carried_weeks: float = 0.0  # what was carried into this period's pool when it started
    next_key: str | None = None  # the period started from this one
    items: list[CarriedItem] = field(default_factory=list)
    source_planned: bool = False  # whether the source has a final plan
    reserve_now: float = 0.0

    def _left(self) -> str:
        """What the source's final plan leaves unspent now, in a sentence (never "nothing":
        the callers say that themselves)."""
        src = self.source_key
        total = round(self.unspent_now, 3)
        reserve = round(self.reserve_now, 3)
        unallocated = max(round(total - reserve, 3), 0.0)
        if not reserve:
            return f"{src}'s final plan left {_weeks(unallocated)} unallocated."
        left = f"left {_weeks(unallocated)}" if unallocated else "left nothing"
        return (
            f"{src} left {_weeks(total)} unspent: the final plan {left} unallocated, and the "
            f"reserve of {_weeks(reserve)} counts as unspent{' too' if unallocated else ''} "
            "(no plan allots the reserve, and the app records no use of it)."
        )

    def unspent_sentence(self) -> str | None:
        """What became of the effort the source left unspent (unallocated, and its reserve),
        in plain sentences for every amount, 0 included; ``None`` for a period not started
        from another."""
        if self.source_key is None:
            return None
        src, key = self.source_key, self.key
        if not self.source_planned and not self.carried_weeks:
            return f"{src} has no final plan: it left no effort to carry into {key}."
        nothing = f"{src} left nothing unspent, so nothing was added to the pool of {key}."
        if self.source_policy == UnspentPolicy.LAPSE:
            if _none(self.unspent_now):
                return nothing
            return (
                f"{self._left()} This effort lapsed with {src}, so nothing was added to the "
                f"pool of {key}."
            )
        if _none(self.unspent_now - self.carried_weeks):
            if _none(self.carried_weeks):
                return nothing
            return (
                f"{self._left()} This effort was returned to the pool of {key} (its budget "
                "includes it)."
            )
        # The source's final plan changed after this period was started from it.
        if _none(self.carried_weeks):
            then = f"{src} had left nothing unspent, so nothing was added to the pool of {key}."
        else:
            then = (
                f"{src} had left {_weeks(self.carried_weeks)} unspent, and this effort was "
                f"returned to the pool of {key} (its budget includes it)."
            )
        now = "nothing" if _none(self.unspent_now) else _weeks(round(self.unspent_now, 3))
        reserve = ", the reserve included" if self.reserve_now and now != "nothing" else ""
        return (
            f"When {key} was started, {then} {src}'s final plan has changed since: it now "
            f"leaves {now} unspent{reserve}. What was carried was settled when {key} was "
            "started and does not change."
        )


def _none(weeks: float) -> bool:
    """Whether ``weeks`` is no effort at all (to the 3 decimals the sentences show)."""
    return abs(round(weeks, 3)) < 1e-9


def _weeks(weeks: float) -> str:
    """``weeks`` in words: "1 person-week", "2.5 person-weeks"."""
    return f"{weeks:g} person-week" + ("" if weeks == 1 else "s")


def period_sequence(ctx: Context, period_key: str | None = None) -> PeriodSequence:
    """The period (the open one by default), where it came from, and what it carried over."""
    with reading(ctx.engine) as session:
        row = find_period_row(session, period_key)
        next_key = session.scalar(select(PeriodRow.key).where(PeriodRow.source_id == row.id))
        source = session.get(PeriodRow, row.source_id) if row.source_id is not None else None
        if source is None:
            return PeriodSequence(row.key, row.name, next_key=next_key)
        progress = earlier_progress(session, row)
        left = unspent(session, source)
        plan = final_snapshot(session, source)
        funded = {f.item for f in plan.funded} if plan is not None else set()
        items = session.scalars(
            select(ItemRow)
            .where(
                ItemRow.id.in_(funded | set(progress)),
                ItemRow.status.in_([s.value for s in PLANNABLE]),
            )
            .order_by(ItemRow.id)
        )
        carried = [
            CarriedItem(
                r.id,
                r.title,
                ItemStatus(r.status),
                progress.get(r.id),
                (r.effort_low + r.effort_high) / 2,
                remaining_effort(r.effort_low, r.effort_high, progress.get(r.id)),
            )
            for r in items
        ]
        return PeriodSequence(
            row.key,
            row.name,
            source.key,
            UnspentPolicy(source.unspent_policy or UnspentPolicy.POOL.value),
            left.weeks,
            float(row.carried_weeks or 0.0),
            next_key,
            carried,
            plan is not None,
            left.reserve,
        )
