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

    def _what(self, weeks: float) -> str:
        """``weeks`` unspent, and what they are when the source had a reserve."""
        if not self.reserve_now:
            return f"{weeks:g} person-weeks unallocated"
        unallocated = round(self.unspent_now - self.reserve_now, 3)
        return (
            f"{weeks:g} person-weeks unspent: {unallocated:g} its final plan left "
            f"unallocated, and its reserve of {self.reserve_now:g}, which no plan allots (the "
            "app records no use of the reserve, so all of it counts as unspent)"
        )

    def unspent_sentence(self) -> str | None:
        """What became of the effort the source left unspent (unallocated, and its reserve),
        in a sentence; ``None`` for a period not started from another."""
        if self.source_key is None:
            return None
        src, key = self.source_key, self.key
        if not self.source_planned and not self.carried_weeks:
            return f"{src} has no final plan: it left no effort to carry into {key}."
        if self.source_policy == UnspentPolicy.LAPSE:
            return (
                f"{src} left {self._what(self.unspent_now)}; they lapsed with "
                f"{src}, so nothing was added to the pool of {key}."
            )
        if abs(self.unspent_now - self.carried_weeks) <= 1e-9:
            return (
                f"{src} left {self._what(self.carried_weeks)}; returned to the pool of {key} "
                "(its budget includes them)."
            )
        return (
            f"{src} left {self.carried_weeks:g} person-weeks unspent; returned to the pool "
            f"of {key} (its budget includes them). {src}'s final plan now leaves "
            f"{self._what(self.unspent_now)}; the carried effort was settled when {key} was "
            "started."
        )


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
