"""The input of the staff assignment: funded work items, the workers who can do it, and their
validation into a :class:`StaffingProblem` that the solver and the greedy baseline share.

The engine's types are named apart from the app's records on purpose: a :class:`Worker` is a
person as the assignment sees them (skills, capacity per sub-period, the items a funder allows),
built from the app's ``StaffMember`` (``roadmap.domain.staff``) but not the same thing.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

Weeks = Mapping[tuple[str, str, str, int], float]
"""Person-weeks by (staff id, item id, skill, sub-period)."""

TOLERANCE = 1e-6
"""Relative slack below which an item's effort counts as covered."""


@dataclass(frozen=True)
class WorkItem:
    """A funded item as the assignment sees it.

    Parameters
    ----------
    id : str
        The item's id.
    effort : float
        Person-weeks it needs (>= 0).
    skills : Sequence[str]
        Skill slugs it needs; the effort is split evenly across them unless ``skill_split``.
    depends_on : Sequence[str]
        Ids of funded items that must be completed (fully covered) by the end of the sub-period
        before any work on this one.
    weight : float
        Priority weight (> 0); earlier-funded items get larger weights.
    skill_split : Mapping[str, float] or None
        Person-weeks per skill; its keys are exactly ``skills`` and its values sum to ``effort``.
    """

    id: str
    effort: float
    skills: Sequence[str]
    depends_on: Sequence[str] = ()
    weight: float = 1.0
    skill_split: Mapping[str, float] | None = None


@dataclass(frozen=True)
class Worker:
    """A paid staff member as the assignment sees them (not the app's ``StaffMember`` record).

    Parameters
    ----------
    id : str
        The person's id.
    skills : Mapping[str, int]
        Skill slug to level 1 (can do it), 2 (good) or 3 (expert).
    capacity : Sequence[float]
        Person-weeks available in each sub-period; time off is lower capacity.
    active : bool
        Inactive staff are validated but not assigned.
    allowed_items : Collection[str] or None
        Earmark: the only items this person may work on (those their funder paid for);
        None means any item.
    """

    id: str
    skills: Mapping[str, int]
    capacity: Sequence[float]
    active: bool = True
    allowed_items: Collection[str] | None = None


@dataclass(frozen=True)
class StaffingProblem:
    """Validated input: items, the staff who can work (active with capacity), requirements.

    Parameters
    ----------
    items : tuple[WorkItem, ...]
        All funded items, in input order.
    staff : tuple[Worker, ...]
        Active staff with some capacity, in input order.
    periods : int
        Number of sub-periods (1 when there is no staff to tell).
    requirements : dict[str, dict[str, float]]
        Item id to skill to person-weeks.
    order : tuple[str, ...]
        Item ids with every item after its dependencies (ties by weight, then input order).
    message : str or None
        Why nothing can be assigned, when that is so.
    """

    items: tuple[WorkItem, ...]
    staff: tuple[Worker, ...]
    periods: int
    requirements: dict[str, dict[str, float]]
    order: tuple[str, ...]
    message: str | None = None
    index: dict[str, int] = field(default_factory=dict)

    def can_work(self, person: Worker, item_id: str, skill: str) -> bool:
        """Whether ``person`` has ``skill`` and their earmark allows ``item_id``."""
        return _may_work(person, item_id, skill)


def _may_work(person: Worker, item_id: str, skill: str) -> bool:
    allowed = person.allowed_items
    return skill in person.skills and (allowed is None or item_id in allowed)


def _number(value: float, what: str) -> float:
    number = float(value)
    if not math.isfinite(number) or number < 0:
        raise ValueError(f"{what} must be a finite number of at least 0, not {value!r}.")
    return number


def _requirements(item: WorkItem) -> dict[str, float]:
    effort = _number(item.effort, f"The effort of item {item.id!r}")
    skills = list(item.skills)
    if len(set(skills)) != len(skills):
        raise ValueError(f"Item {item.id!r} lists a skill twice.")
    if effort > 0 and not skills:
        raise ValueError(f"Item {item.id!r} needs {effort:g} person-weeks but no skill.")
    if item.skill_split is None:
        return {s: effort / len(skills) for s in skills}
    split = {
        s: _number(w, f"The {s!r} effort of item {item.id!r}") for s, w in item.skill_split.items()
    }
    if set(split) != set(skills):
        raise ValueError(f"The skill split of item {item.id!r} must name exactly its skills.")
    if abs(sum(split.values()) - effort) > 1e-9 * max(1.0, effort):
        raise ValueError(f"The skill split of item {item.id!r} does not add up to its effort.")
    return {s: split[s] for s in skills}


def _dependency_order(items: Sequence[WorkItem]) -> tuple[str, ...]:
    """Items after their dependencies, the heaviest first among those ready; refuses cycles."""
    position = {item.id: n for n, item in enumerate(items)}
    waiting = {item.id: len(set(item.depends_on)) for item in items}
    dependents: dict[str, list[str]] = defaultdict(list)
    for item in items:
        for dep in set(item.depends_on):
            if dep not in position:
                raise ValueError(f"Item {item.id!r} depends on {dep!r}, which is not funded.")
            if dep == item.id:
                raise ValueError(f"Item {item.id!r} depends on itself.")
            dependents[dep].append(item.id)
    weight = {item.id: float(item.weight) for item in items}
    ready = [(-weight[i], position[i], i) for i, n in waiting.items() if n == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        _, _, item_id = heapq.heappop(ready)
        order.append(item_id)
        for later in dependents[item_id]:
            waiting[later] -= 1
            if waiting[later] == 0:
                heapq.heappush(ready, (-weight[later], position[later], later))
    if len(order) < len(items):
        stuck = sorted(set(position) - set(order), key=position.__getitem__)
        raise ValueError(f"Items {', '.join(stuck)} depend on each other in a cycle.")
    return tuple(order)


def _check_staff(staff: Sequence[Worker]) -> int:
    lengths = {len(person.capacity) for person in staff}
    if len(lengths) > 1:
        raise ValueError("Every staff member needs one capacity per sub-period (lists differ).")
    if lengths == {0}:
        raise ValueError("Capacities need at least one sub-period.")
    ids = [person.id for person in staff]
    if len(set(ids)) != len(ids):
        raise ValueError("Two staff members share an id.")
    for person in staff:
        for n, cap in enumerate(person.capacity):
            _number(cap, f"The capacity of {person.id!r} in sub-period {n}")
        for skill, level in person.skills.items():
            if level not in (1, 2, 3):
                raise ValueError(f"{person.id!r} has level {level!r} in {skill!r}; use 1, 2 or 3.")
    return lengths.pop() if lengths else 1


def prepare_problem(items: Sequence[WorkItem], staff: Sequence[Worker]) -> StaffingProblem:
    """Validate the input and derive the per-skill requirements and a dependency order.

    Parameters
    ----------
    items : Sequence[WorkItem]
        The funded items.
    staff : Sequence[Worker]
        All staff; inactive ones and those without capacity are left out of the problem.

    Returns
    -------
    StaffingProblem
        With ``message`` set when nothing can be assigned (no items, no active staff, no
        capacity).

    Raises
    ------
    ValueError
        Negative or non-finite effort or capacity, weight <= 0, unknown or cyclic dependencies,
        capacity lists of different lengths, duplicate ids, a level outside 1-3, or a skill
        split that does not match the item.
    """
    ids = [item.id for item in items]
    if len(set(ids)) != len(ids):
        raise ValueError("Two funded items share an id.")
    for item in items:
        if not (math.isfinite(float(item.weight)) and item.weight > 0):
            raise ValueError(f"The weight of item {item.id!r} must be above 0.")
    requirements = {item.id: _requirements(item) for item in items}
    order = _dependency_order(items)
    periods = _check_staff(staff)
    active = [person for person in staff if person.active]
    working = tuple(person for person in active if sum(person.capacity) > 0)
    message = None
    if not items:
        message = "There are no funded items to assign."
    elif not active:
        message = "There is no active staff member, so all funded effort is a gap."
    elif not working:
        message = "Active staff have no capacity in any sub-period, so all funded effort is a gap."
    elif not any(
        r > 0 and _may_work(person, item_id, skill)
        for person in working
        for item_id, needs in requirements.items()
        for skill, r in needs.items()
    ):
        message = "No active staff member can work on any funded item, so all its effort is a gap."
    return StaffingProblem(
        items=tuple(items),
        staff=working,
        periods=periods,
        requirements=requirements,
        order=order,
        message=message,
        index={item_id: n for n, item_id in enumerate(ids)},
    )
