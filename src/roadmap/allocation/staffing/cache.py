"""One staff assignment per distinct input: scenarios that fund the same items with the same
staff share a plan instead of solving again.

Pure and in memory: :class:`PlanCache` keeps the last few plans, keyed by everything
:func:`~roadmap.allocation.staffing.solve.assign_staff` reads (items in order, staff, options),
so a hit returns exactly the plan a new solve would be asked for. The service layer owns one
per run of scenarios (or per session) and calls :meth:`PlanCache.assign` where it called
``assign_staff``.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

from roadmap.allocation.staffing.plan import StaffPlan
from roadmap.allocation.staffing.problem import Worker, WorkItem
from roadmap.allocation.staffing.solve import assign_staff


def _frozen(value: Any) -> Hashable:
    if isinstance(value, Mapping):
        return tuple(sorted((str(k), _frozen(v)) for k, v in value.items()))
    if isinstance(value, set | frozenset):
        return ("set", tuple(sorted(str(v) for v in value)))
    if isinstance(value, str):
        return value
    if isinstance(value, Sequence):
        return tuple(_frozen(v) for v in value)
    if value is None or isinstance(value, bool | int | float):
        return value
    if hasattr(value, "__iter__"):  # another collection, e.g. an earmark given as keys()
        return ("set", tuple(sorted(str(v) for v in value)))
    raise TypeError(f"Cannot key a staff assignment on {type(value).__name__}.")


def plan_key(
    items: Sequence[WorkItem], staff: Sequence[Worker], options: Mapping[str, Any]
) -> Hashable:
    """A hashable key of everything the assignment reads: items in order, staff in order, and
    the keyword options of ``assign_staff``."""
    return (
        tuple(
            (
                i.id,
                float(i.effort),
                _frozen(i.skills),
                _frozen(i.depends_on),
                float(i.weight),
                _frozen(i.skill_split),
            )
            for i in items
        ),
        tuple(
            (p.id, _frozen(p.skills), _frozen(p.capacity), p.active, _frozen(p.allowed_items))
            for p in staff
        ),
        _frozen(dict(options)),
    )


class PlanCache:
    """The last ``size`` staff plans by input (least recently used dropped first).

    Parameters
    ----------
    size : int
        How many plans to keep (>= 1).
    """

    def __init__(self, size: int = 8) -> None:
        if size < 1:
            raise ValueError("A plan cache keeps at least one plan.")
        self.size = size
        self.hits = 0
        self.misses = 0
        self._plans: OrderedDict[Hashable, StaffPlan] = OrderedDict()

    def assign(
        self, items: Sequence[WorkItem], staff: Sequence[Worker], **options: Any
    ) -> StaffPlan:
        """``assign_staff(items, staff, **options)``, solved once per distinct input.

        A plan stopped by the time limit is kept too: asking again with the same input returns
        it rather than a possibly different one.
        """
        key = plan_key(items, staff, options)
        known = self.known(key)
        if known is not None:
            return known
        self.misses += 1
        plan = assign_staff(items, staff, **options)
        self.keep(key, plan)
        return plan

    def known(self, key: Hashable) -> StaffPlan | None:
        """The plan kept for ``key`` (a :func:`plan_key`), if any (counted as a hit)."""
        plan = self._plans.get(key)
        if plan is not None:
            self.hits += 1
            self._plans.move_to_end(key)
        return plan

    def keep(self, key: Hashable, plan: StaffPlan) -> None:
        """Keep ``plan`` as the answer for ``key`` (solved elsewhere: in a worker process)."""
        self._plans[key] = plan
        self._plans.move_to_end(key)
        if len(self._plans) > self.size:
            self._plans.popitem(last=False)
