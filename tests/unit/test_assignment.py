"""Staff assignment: the MILP against an independent brute force, its constraints and bound on
larger instances, gaps, earmarks, continuity, degenerate inputs and bad arguments."""

from __future__ import annotations

import itertools
import random
import time
from collections import defaultdict
from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog
from scipy.sparse import vstack

import roadmap.allocation.staffing.flow as flow_module
from roadmap.allocation.staffing import (
    PlanCache,
    SolveStatus,
    StaffingProblem,
    StaffPlan,
    Worker,
    WorkItem,
    assign_staff,
    greedy_assignment,
    plan_key,
    prepare_problem,
    summarize_plan,
)
from roadmap.allocation.staffing.flow import (
    FlowResult,
    Network,
    build_network,
    consolidate,
    repair,
    solve_network,
    split_flow,
)
from roadmap.allocation.staffing.greedy import greedy_weeks
from roadmap.allocation.staffing.model import (
    Built,
    build_model,
    feasible_point,
    objective_of,
    point_of,
    run_mip,
    to_weeks,
)
from roadmap.allocation.staffing.search import lagrangian_bound, relaxation, relaxed_cost

SKILLS = ("py", "js", "ux")

# ---------------------------------------------------------------------------------------------
# Brute force, independent of the MILP.
#
# With integer requirements and capacities the optimum is attained at integer person-weeks:
# once we fix which items must be completed by the end of sub-period 0 and which may be worked
# in sub-period 1, what is left is a flow network (staff-and-sub-period nodes with capacities,
# item-skill nodes with requirements, eligibility edges, lower bounds for the completed items),
# whose linear program has integer vertices. So enumerating integer coverage per item-skill and
# sub-period searches a set that contains an optimum of the continuous model. A coverage vector
# of one sub-period can be staffed exactly when Hall's condition holds: for every set S of
# item-skills, what S asks is at most the capacity of the people who can work on some of S.
# ---------------------------------------------------------------------------------------------


def brute_force_optimum(items: Sequence[WorkItem], staff: Sequence[Worker]) -> float:
    """Largest priority-weighted covered effort, by enumeration."""
    pairs = [(item, s, int(r)) for item in items for s, r in requirements(item).items() if r > 0]
    if not pairs or not staff:
        return 0.0
    periods = len(staff[0].capacity)
    need = np.array([r for _, _, r in pairs])
    weight = np.array([float(item.weight) for item, _, _ in pairs])
    subsets = [m for m in range(1, 2 ** len(pairs))]
    member = np.array([[(m >> k) & 1 for m in subsets] for k in range(len(pairs))])
    vectors = np.array(list(itertools.product(*(range(r + 1) for r in need))))
    dependent = {item.id for item in items if item.depends_on}
    feasible = []
    for t in range(periods):
        reach = np.array(
            [
                sum(
                    p.capacity[t]
                    for p in staff
                    if p.active
                    and any(
                        (m >> k) & 1 and can_work(p, pairs[k][0].id, pairs[k][1])
                        for k in range(len(pairs))
                    )
                )
                for m in subsets
            ]
        )
        ok = np.all(vectors @ member <= reach, axis=1)
        if t == 0:  # nothing that depends on something can start in the first sub-period
            for k, (item, _, _) in enumerate(pairs):
                if item.id in dependent:
                    ok &= vectors[:, k] == 0
        feasible.append(vectors[ok])
    if periods == 1:
        return float((feasible[0] @ weight).max())
    best = 0.0
    first, second = feasible
    for v0 in first:
        ok = np.all(second + v0 <= need, axis=1)
        done = {
            item.id: all(v0[k] == need[k] for k, p in enumerate(pairs) if p[0].id == item.id)
            for item in items
        }
        for k, (item, _, _) in enumerate(pairs):
            if not all(done[d] for d in item.depends_on):
                ok &= second[:, k] == 0
        if ok.any():
            best = max(best, float(((second[ok] + v0) @ weight).max()))
    return best


def requirements(item: WorkItem) -> dict[str, float]:
    if item.skill_split is not None:
        return dict(item.skill_split)
    return {s: item.effort / len(item.skills) for s in item.skills}


def can_work(person: Worker, item_id: str, skill: str) -> bool:
    allowed = person.allowed_items
    return skill in person.skills and (allowed is None or item_id in allowed)


@st.composite
def small_instances(draw: st.DrawFn) -> tuple[list[WorkItem], list[Worker]]:
    """<= 4 items, <= 6 item-skills needing 1-2 person-weeks, <= 3 staff, <= 2 sub-periods."""
    periods = draw(st.integers(1, 2))
    items: list[WorkItem] = []
    pairs = 0
    for n in range(draw(st.integers(1, 4))):
        skills = draw(st.lists(st.sampled_from(SKILLS), min_size=1, max_size=2, unique=True))
        if pairs + len(skills) > 6:
            break
        pairs += len(skills)
        split = {s: draw(st.integers(1, 2)) for s in skills}
        even = len(set(split.values())) == 1 and draw(st.booleans())
        earlier = [i.id for i in items]
        items.append(
            WorkItem(
                id=f"i{n}",
                effort=sum(split.values()),
                skills=skills,
                depends_on=draw(st.lists(st.sampled_from(earlier), unique=True, max_size=2))
                if earlier
                else [],
                weight=draw(st.integers(1, 5)),
                skill_split=None if even else split,
            )
        )
    staff = []
    for n in range(draw(st.integers(1, 3))):
        skills = draw(st.lists(st.sampled_from(SKILLS), min_size=1, max_size=2, unique=True))
        earmark = draw(st.booleans())
        staff.append(
            Worker(
                id=f"s{n}",
                skills={s: draw(st.integers(1, 3)) for s in skills},
                capacity=draw(st.lists(st.integers(0, 3), min_size=periods, max_size=periods)),
                active=draw(st.integers(0, 5)) > 0,
                allowed_items=set(
                    draw(st.lists(st.sampled_from([i.id for i in items]), unique=True))
                )
                if earmark
                else None,
            )
        )
    return items, staff


@settings(max_examples=60, deadline=None)
@given(small_instances())
def test_milp_optimum_equals_brute_force_optimum_on_small_instances(
    instance: tuple[list[WorkItem], list[Worker]],
) -> None:
    items, staff = instance
    plan = assign_staff(
        items, staff, person_item_penalty=0.0, early_finish_bonus=0.0, mip_rel_gap=0.0
    )
    expected = brute_force_optimum(items, staff)
    assert plan.objective == pytest.approx(expected, abs=1e-5)
    assert plan.weighted_covered == pytest.approx(expected, abs=1e-5)
    assert_plan_respects_constraints(plan, items, staff)


@settings(max_examples=40, deadline=None)
@given(small_instances())
def test_greedy_never_beats_the_brute_force_optimum_and_respects_constraints(
    instance: tuple[list[WorkItem], list[Worker]],
) -> None:
    items, staff = instance
    plan = greedy_assignment(items, staff)
    assert plan.weighted_covered <= brute_force_optimum(items, staff) + 1e-6
    assert_plan_respects_constraints(plan, items, staff)


# ---------------------------------------------------------------------------------------------
# Constraints on larger random instances.
# ---------------------------------------------------------------------------------------------


def random_instance(
    seed: int, n_staff: int, n_items: int, n_skills: int, periods: int
) -> tuple[list[WorkItem], list[Worker]]:
    rng = random.Random(seed)
    skills = [f"skill-{k}" for k in range(n_skills)]
    items: list[WorkItem] = []
    for n in range(n_items):
        needs = rng.sample(skills, rng.choice([1, 1, 2, 3]))
        effort = round(rng.uniform(0.5, 6.0), 1)
        split = None
        if len(needs) > 1 and rng.random() < 0.3:
            parts = [rng.uniform(0.2, 1.0) for _ in needs]
            split = {s: effort * w / sum(parts) for s, w in zip(needs, parts, strict=True)}
            split[needs[-1]] = effort - sum(split[s] for s in needs[:-1])
        deps = rng.sample([i.id for i in items], min(len(items), rng.choice([0, 0, 0, 1, 2])))
        items.append(WorkItem(f"item-{n}", effort, needs, deps, n_items - n + 0.5, split))
    ids = [i.id for i in items]
    staff = [
        Worker(
            id=f"person-{n}",
            skills={s: rng.randint(1, 3) for s in rng.sample(skills, rng.randint(1, 3))},
            capacity=[rng.choice([0.0, 2.0, 3.5, 4.0, 4.0]) for _ in range(periods)],
            active=rng.random() > 0.1,
            allowed_items=set(rng.sample(ids, len(ids) // 3)) if rng.random() < 0.2 else None,
        )
        for n in range(n_staff)
    ]
    return items, staff


def assert_plan_respects_constraints(
    plan: StaffPlan, items: Sequence[WorkItem], staff: Sequence[Worker]
) -> None:
    """Capacity per person and sub-period, skills, earmarks, activity, no item over-covered,
    dependency order, and coverage and gaps that add up. Output is rounded to 0.01, so sums
    of n entries may be off by 0.005 n."""
    people = {p.id: p for p in staff}
    by_id = {i.id: i for i in items}
    load: dict[tuple[str, int], list[float]] = defaultdict(list)
    pair: dict[tuple[str, str], list[float]] = defaultdict(list)
    per_period: dict[tuple[str, int], list[float]] = defaultdict(list)
    for a in plan.assignments:
        person = people[a.staff_id]
        assert person.active
        assert a.skill in person.skills
        assert a.skill in by_id[a.item_id].skills
        assert person.allowed_items is None or a.item_id in person.allowed_items
        assert a.weeks > 0
        load[a.staff_id, a.period].append(a.weeks)
        pair[a.item_id, a.skill].append(a.weeks)
        per_period[a.item_id, a.period].append(a.weeks)
    for (person_id, t), weeks in load.items():
        assert sum(weeks) <= people[person_id].capacity[t] + 0.005 * len(weeks) + 1e-9
    for (item_id, skill), weeks in pair.items():
        assert sum(weeks) <= requirements(by_id[item_id])[skill] + 0.005 * len(weeks) + 1e-9
    for a in plan.assignments:
        for dep in by_id[a.item_id].depends_on:
            done = [w for t in range(a.period) for w in per_period[dep, t]]
            effort = by_id[dep].effort
            assert sum(done) >= effort - 0.005 * len(done) - 1e-9, (a, dep)
    coverage = {c.item_id: c for c in plan.coverage}
    assert list(coverage) == [i.id for i in items]
    for item in items:
        c = coverage[item.id]
        assert c.required == pytest.approx(item.effort, abs=0.01)
        assert c.covered + c.gap == pytest.approx(c.required, abs=0.02)
        assert sum(c.gap_by_skill.values()) == pytest.approx(c.gap, abs=0.01 * len(item.skills))
    gap_by_skill: dict[str, float] = defaultdict(float)
    for c in plan.coverage:
        for skill, missing in c.gap_by_skill.items():
            gap_by_skill[skill] += missing
    shown: dict[str, float] = defaultdict(float)
    for gap in plan.gaps:
        shown[gap.skill] += gap.weeks
    for skill in set(gap_by_skill) | set(shown):
        assert shown[skill] == pytest.approx(gap_by_skill[skill], abs=0.01 * len(items))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_milp_plan_respects_constraints_and_objective_is_within_reported_gap_of_bound(
    seed: int,
) -> None:
    items, staff = random_instance(seed, n_staff=10, n_items=40, n_skills=5, periods=3)
    plan = assign_staff(items, staff, time_limit=20, mip_rel_gap=1e-3)
    assert plan.status in (SolveStatus.OPTIMAL, SolveStatus.TIME_LIMIT)
    assert plan.message is None
    assert plan.assignments
    assert_plan_respects_constraints(plan, items, staff)
    assert plan.bound is not None and plan.relative_gap is not None
    assert plan.bound >= plan.objective - 1e-6
    assert plan.bound - plan.objective <= plan.relative_gap * abs(plan.objective) + 1e-4
    if plan.status is SolveStatus.OPTIMAL:
        assert plan.relative_gap <= 1e-3 + 1e-9


@pytest.mark.parametrize("seed", [4, 5])
def test_milp_covers_at_least_the_greedy_weighted_effort_within_its_gap(seed: int) -> None:
    items, staff = random_instance(seed, n_staff=8, n_items=30, n_skills=4, periods=3)
    greedy = greedy_assignment(items, staff)
    plan = assign_staff(
        items, staff, person_item_penalty=0, early_finish_bonus=0, time_limit=20, mip_rel_gap=1e-4
    )
    assert_plan_respects_constraints(greedy, items, staff)
    assert plan.relative_gap is not None
    assert plan.objective >= greedy.weighted_covered * (1 - plan.relative_gap) - 1e-4


def test_same_input_gives_the_same_plan() -> None:
    items, staff = random_instance(7, n_staff=6, n_items=20, n_skills=4, periods=2)
    first = assign_staff(items, staff, mip_rel_gap=0.0)
    second = assign_staff(items, staff, mip_rel_gap=0.0)
    assert first.assignments == second.assignments
    assert first.coverage == second.coverage
    assert first.gaps == second.gaps


# ---------------------------------------------------------------------------------------------
# Behaviour on hand-made cases.
# ---------------------------------------------------------------------------------------------


def person(pid: str, skills: dict[str, int], capacity: list[float], **kw: object) -> Worker:
    return Worker(pid, skills, capacity, **kw)  # type: ignore[arg-type]


def test_skill_nobody_has_shows_its_whole_effort_as_gap_under_that_skill() -> None:
    items = [
        WorkItem("rewrite", 6, ["rust"], weight=2),
        WorkItem("docs", 4, ["py", "rust"], skill_split={"py": 1, "rust": 3}),
    ]
    plan = assign_staff(items, [person("ann", {"py": 3}, [4, 4])])
    coverage = {c.item_id: c for c in plan.coverage}
    assert coverage["rewrite"].gap_by_skill == {"rust": 6.0}
    assert coverage["rewrite"].covered == 0
    assert coverage["docs"].gap_by_skill == {"rust": 3.0}
    assert coverage["docs"].covered == 1.0
    assert [(g.skill, g.weeks, g.item_ids) for g in plan.gaps] == [
        ("rust", 9.0, ("rewrite", "docs"))
    ]


def test_dependent_item_waits_for_the_sub_period_after_its_dependency_completes() -> None:
    items = [
        WorkItem("base", 3, ["py"], weight=1),
        WorkItem("on-top", 2, ["py"], depends_on=["base"], weight=10),
    ]
    plan = assign_staff(items, [person("ann", {"py": 2}, [2, 2, 2])])
    on_top = {(a.period, a.weeks) for a in plan.assignments if a.item_id == "on-top"}
    assert on_top == {(2, 2.0)}
    assert sum(a.weeks for a in plan.assignments if a.item_id == "base" and a.period < 2) == 3.0
    assert {c.item_id: c.completed_in for c in plan.coverage} == {"base": 1, "on-top": 2}


def test_dependent_item_gets_no_work_in_a_single_sub_period_and_its_gap_comes_later() -> None:
    items = [WorkItem("base", 1, ["py"]), WorkItem("on-top", 1, ["py"], depends_on=["base"])]
    plan = assign_staff(items, [person("ann", {"py": 2}, [5])])
    assert {a.item_id for a in plan.assignments} == {"base"}
    assert plan.coverage[1].gap == 1.0
    assert [(g.skill, g.period) for g in plan.gaps] == [("py", 0)]  # clamped to the last


def test_gap_of_an_item_is_placed_after_its_dependency_completes() -> None:
    items = [WorkItem("base", 2, ["py"]), WorkItem("ui", 2, ["ux"], depends_on=["base"])]
    plan = assign_staff(items, [person("ann", {"py": 2}, [2, 2, 2])])
    assert [(g.skill, g.period, g.weeks) for g in plan.gaps] == [("ux", 1, 2.0)]


def test_earmarked_person_works_only_on_items_their_funder_paid_for() -> None:
    items = [WorkItem("important", 4, ["py"], weight=10), WorkItem("paid", 4, ["py"], weight=1)]
    staff = [person("ann", {"py": 3}, [4]), person("bob", {"py": 3}, [4], allowed_items={"paid"})]
    plan = assign_staff(items, staff)
    assert {(a.staff_id, a.item_id) for a in plan.assignments} == {
        ("ann", "important"),
        ("bob", "paid"),
    }


def test_inactive_staff_get_no_work() -> None:
    items = [WorkItem("a", 4, ["py"])]
    staff = [person("ann", {"py": 3}, [4], active=False), person("bob", {"py": 1}, [2])]
    plan = assign_staff(items, staff)
    assert {a.staff_id for a in plan.assignments} == {"bob"}
    assert plan.coverage[0].gap == 2.0


def test_person_item_penalty_keeps_one_person_on_an_item_one_person_can_cover() -> None:
    items = [WorkItem("a", 2, ["py"]), WorkItem("b", 2, ["py"])]
    staff = [person("ann", {"py": 1}, [2, 2]), person("bob", {"py": 1}, [2, 2])]
    plan = assign_staff(items, staff, person_item_penalty=0.1, mip_rel_gap=0.0)
    pairs = {(a.staff_id, a.item_id) for a in plan.assignments}
    assert len(pairs) == 2
    assert len({item for _, item in pairs}) == 2
    assert plan.covered_effort == 4.0


def test_max_people_per_item_caps_the_people_on_an_item_even_if_coverage_drops() -> None:
    items = [WorkItem("big", 8, ["py"])]
    staff = [person("ann", {"py": 1}, [4]), person("bob", {"py": 1}, [4])]
    assert assign_staff(items, staff).covered_effort == 8.0
    capped = assign_staff(items, staff, max_people_per_item=1)
    assert capped.covered_effort == 4.0
    assert len({a.staff_id for a in capped.assignments}) == 1


def test_max_items_per_person_caps_the_items_of_a_person() -> None:
    items = [WorkItem(f"i{n}", 1, ["py"]) for n in range(3)]
    plan = assign_staff(items, [person("ann", {"py": 1}, [3])], max_items_per_person=2)
    assert plan.covered_effort == 2.0
    assert len({a.item_id for a in plan.assignments}) == 2


def test_level_bonus_prefers_the_expert_when_coverage_is_the_same() -> None:
    items = [WorkItem("a", 2, ["py"])]
    staff = [person("novice", {"py": 1}, [2]), person("expert", {"py": 3}, [2])]
    plan = assign_staff(items, staff, level_bonus=0.1, person_item_penalty=0.0)
    assert {a.staff_id for a in plan.assignments} == {"expert"}


def test_higher_weight_item_is_covered_first_when_capacity_is_short() -> None:
    items = [WorkItem("low", 3, ["py"], weight=1), WorkItem("high", 3, ["py"], weight=5)]
    plan = assign_staff(items, [person("ann", {"py": 2}, [2, 2])])
    coverage = {c.item_id: c.covered for c in plan.coverage}
    assert coverage == {"low": 1.0, "high": 3.0}


def test_output_is_rounded_to_a_hundredth_of_a_person_week() -> None:
    items = [WorkItem("a", 1, ["py", "js", "ux"])]
    staff = [person("ann", {"py": 1, "js": 1, "ux": 1}, [5])]
    plan = assign_staff(items, staff)
    assert sorted(a.weeks for a in plan.assignments) == [0.33, 0.33, 0.33]
    assert plan.coverage[0].completed_in == 0


# ---------------------------------------------------------------------------------------------
# Degenerate inputs: a sentence, not a traceback.
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("staff", "words"),
    [
        ([], "no active staff"),
        ([person("ann", {"py": 1}, [2], active=False)], "no active staff"),
        ([person("ann", {"py": 1}, [0, 0])], "no capacity"),
        ([person("ann", {"go": 1}, [2, 2])], "can work on any funded item"),
    ],
)
def test_no_staff_or_no_capacity_gives_a_sentence_and_all_effort_as_gap(
    staff: list[Worker], words: str
) -> None:
    items = [WorkItem("a", 3, ["py"])]
    for plan in (assign_staff(items, staff), greedy_assignment(items, staff)):
        assert plan.message is not None and words in plan.message.lower()
        assert plan.message.endswith(".")
        assert plan.assignments == ()
        assert plan.coverage[0].gap == 3.0
        assert [(g.skill, g.weeks) for g in plan.gaps] == [("py", 3.0)]


def test_no_funded_items_gives_a_sentence_and_an_empty_plan() -> None:
    for plan in (
        assign_staff([], [person("ann", {"py": 1}, [2])]),
        greedy_assignment([], [person("ann", {"py": 1}, [2])]),
    ):
        assert plan.message == "There are no funded items to assign."
        assert plan.assignments == () and plan.coverage == () and plan.gaps == ()
        assert plan.covered_share == 1.0


# ---------------------------------------------------------------------------------------------
# Bad arguments: ValueError with a sentence.
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("items", "staff", "words"),
    [
        ([WorkItem("a", -1, ["py"])], [], "effort of item 'a'"),
        ([WorkItem("a", 1, ["py"], depends_on=["zz"])], [], "'zz', which is not funded"),
        ([WorkItem("a", 1, ["py"], depends_on=["a"])], [], "depends on itself"),
        (
            [WorkItem("a", 1, ["py"], depends_on=["b"]), WorkItem("b", 1, ["py"], ["a"])],
            [],
            "cycle",
        ),
        ([WorkItem("a", 1, ["py"], weight=0)], [], "weight"),
        ([WorkItem("a", 1, [])], [], "no skill"),
        ([WorkItem("a", 2, ["py", "js"], skill_split={"py": 1, "js": 2})], [], "add up"),
        ([WorkItem("a", 2, ["py"], skill_split={"js": 2})], [], "exactly its skills"),
        ([WorkItem("a", 1, ["py"]), WorkItem("a", 1, ["py"])], [], "share an id"),
        (
            [WorkItem("a", 1, ["py"])],
            [person("ann", {"py": 1}, [1, 1]), person("bob", {"py": 1}, [1])],
            "one capacity per sub-period",
        ),
        ([WorkItem("a", 1, ["py"])], [person("ann", {"py": 1}, [-1])], "capacity of 'ann'"),
        ([WorkItem("a", 1, ["py"])], [person("ann", {"py": 4}, [1])], "1, 2 or 3"),
    ],
)
def test_bad_arguments_raise_value_error_with_a_sentence(
    items: list[WorkItem], staff: list[Worker], words: str
) -> None:
    with pytest.raises(ValueError, match=words.replace("(", r"\(")):
        prepare_problem(items, staff)
    with pytest.raises(ValueError):
        assign_staff(items, staff)
    with pytest.raises(ValueError):
        greedy_assignment(items, staff)


@pytest.mark.parametrize(
    "options",
    [
        {"time_limit": 0},
        {"mip_rel_gap": -1},
        {"person_item_penalty": -1},
        {"max_people_per_item": 0},
    ],
)
def test_bad_solver_parameters_raise_value_error(options: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        assign_staff([WorkItem("a", 1, ["py"])], [person("ann", {"py": 1}, [1])], **options)  # type: ignore[arg-type]


@pytest.mark.parametrize("penalty", [0.0, 0.1])
def test_time_limited_plan_is_never_worse_than_greedy_and_keeps_constraints(
    penalty: float,
) -> None:
    items, staff = random_instance(8, n_staff=15, n_items=80, n_skills=5, periods=4)
    greedy = greedy_assignment(items, staff)
    plan = assign_staff(
        items, staff, person_item_penalty=penalty, early_finish_bonus=0, time_limit=0.05
    )
    assert plan.status in (SolveStatus.OPTIMAL, SolveStatus.TIME_LIMIT, SolveStatus.GREEDY_KEPT)
    pairs = {(a.staff_id, a.item_id) for a in greedy.assignments}
    unit = min(i.weight for i in items)
    assert plan.objective >= greedy.weighted_covered - penalty * unit * len(pairs) - 1e-4
    assert plan.bound is None or plan.bound >= plan.objective - 1e-6
    assert_plan_respects_constraints(plan, items, staff)


# ---------------------------------------------------------------------------------------------
# The relaxation solved by pricing, its bound, its rounding, and the restricted MIP.
# ---------------------------------------------------------------------------------------------


def built_model(
    items: Sequence[WorkItem], staff: Sequence[Worker], early_bonus: float = 0.0
) -> tuple[StaffingProblem, Built | None]:
    problem = prepare_problem(items, staff)
    timed = {i.id for i in items if i.depends_on} | {d for i in items for d in i.depends_on}
    if problem.message is not None:
        return problem, None
    return problem, build_model(problem, timed, 0.0, early_bonus)


def no_dependencies(items: Sequence[WorkItem]) -> list[WorkItem]:
    return [WorkItem(i.id, i.effort, i.skills, (), i.weight, i.skill_split) for i in items]


@settings(max_examples=60, deadline=None)
@given(small_instances(), st.integers(0, 2**32 - 1))
def test_relaxation_bound_and_any_multipliers_bound_the_brute_force_optimum(
    instance: tuple[list[WorkItem], list[Worker]], seed: int
) -> None:
    items, staff = instance
    expected = brute_force_optimum(items, staff)
    _, built = built_model(items, staff)
    if built is None:
        return
    start = np.zeros(len(built.cost), dtype=bool)
    relaxed = relaxation(built, 0.0, start, time.perf_counter() + 30)
    assert relaxed.exact
    assert relaxed.bound >= expected - 1e-6
    # The Lagrangian bound holds for any multipliers, not only the LP's duals.
    rng = np.random.default_rng(seed)
    duals = rng.normal(0, 5, size=built.matrix.shape[0])
    found, _ = lagrangian_bound(built, built.cost, duals)
    assert found >= expected - 1e-6
    plan = assign_staff(items, staff, person_item_penalty=0.0, early_finish_bonus=0.0)
    assert plan.bound is not None and plan.bound >= expected - 1e-6


@settings(max_examples=60, deadline=None)
@given(small_instances())
def test_without_dependencies_the_rounded_relaxation_covers_what_the_brute_force_does(
    instance: tuple[list[WorkItem], list[Worker]],
) -> None:
    """Without dependency timing the model is a transportation problem: its relaxation is
    exact, and the relaxation's plan covers the optimal weighted effort."""
    items = no_dependencies(instance[0])
    staff = instance[1]
    expected = brute_force_optimum(items, staff)
    problem, built = built_model(items, staff)
    if built is None:
        return
    relaxed = relaxation(
        built, 0.0, np.zeros(len(built.cost), dtype=bool), time.perf_counter() + 30
    )
    assert relaxed.bound == pytest.approx(expected, abs=1e-5)
    point = feasible_point(problem, built, relaxed.values)
    weeks = to_weeks(problem, built, point)
    assert objective_of(problem, weeks, 0.0, 0.0, 0.0) == pytest.approx(expected, abs=1e-5)
    plan = summarize_plan(problem, weeks, SolveStatus.OPTIMAL)
    assert_plan_respects_constraints(plan, items, staff)


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_pricing_reaches_the_relaxation_of_all_columns_and_its_rounding_is_feasible(
    seed: int,
) -> None:
    items, staff = random_instance(seed, n_staff=12, n_items=50, n_skills=5, periods=3)
    problem, built = built_model(items, staff, early_bonus=0.01)
    assert built is not None
    penalty = 0.1 * min(i.weight for i in items)
    cost = relaxed_cost(built, penalty)
    upper, lower = finite(built.hi), finite(built.lo)
    everything = linprog(
        cost,
        A_ub=vstack([built.matrix[upper], -built.matrix[lower]]),
        b_ub=np.r_[built.hi[upper], -built.lo[lower]],
        bounds=list(zip(np.zeros(len(cost)), built.upper, strict=True)),
        method="highs",
    )
    relaxed = relaxation(
        built, penalty, np.zeros(len(built.cost), dtype=bool), time.perf_counter() + 60
    )
    assert relaxed.exact and relaxed.rounds > 1
    assert relaxed.bound == pytest.approx(-everything.fun, rel=1e-7)
    point = feasible_point(problem, built, relaxed.values)
    plan = summarize_plan(problem, to_weeks(problem, built, point), SolveStatus.OPTIMAL)
    assert_plan_respects_constraints(plan, items, staff)


def finite(values: np.ndarray) -> np.ndarray:
    return np.flatnonzero(np.isfinite(values))


@pytest.mark.parametrize("seed", [21, 22, 23, 24])
@pytest.mark.parametrize("time_limit", [0.05, 5.0])
def test_default_plan_is_never_worse_than_greedy_and_its_bound_is_above_both(
    seed: int, time_limit: float
) -> None:
    items, staff = random_instance(seed, n_staff=12, n_items=50, n_skills=5, periods=4)
    problem = prepare_problem(items, staff)
    greedy = greedy_weeks(problem)
    plan = assign_staff(items, staff, time_limit=time_limit, mip_rel_gap=1e-2)
    floor = objective_of(problem, greedy, 0.0, 0.1, 0.01)
    assert plan.objective >= floor - 1e-6
    assert plan.bound is None or plan.bound >= max(plan.objective, floor) - 1e-6
    assert_plan_respects_constraints(plan, items, staff)
    if time_limit > 1:
        assert plan.bound is not None and plan.relative_gap is not None
        assert plan.bound - plan.objective <= plan.relative_gap * abs(plan.objective) + 1e-6


def test_restricted_mip_from_a_start_returns_at_least_the_start() -> None:
    items, staff = random_instance(31, n_staff=15, n_items=60, n_skills=5, periods=4)
    problem, built = built_model(items, staff, early_bonus=0.01)
    assert built is not None
    greedy = greedy_weeks(problem)
    start = feasible_point(problem, built, point_of(problem, built, greedy))
    pairs = np.unique(built.pair[built.is_work & (start > 0)])
    chosen = np.zeros(len(built.most), dtype=bool)
    chosen[pairs] = True
    columns = np.flatnonzero(~built.is_work | chosen[np.maximum(built.pair, 0)])
    solved = run_mip(built, columns, 0.1, None, None, start, 5.0, 1e-4)
    assert solved.values is not None
    floor = objective_of(problem, greedy, 0.0, 0.1, 0.01)
    found = objective_of(problem, to_weeks(problem, built, solved.values), 0.0, 0.1, 0.01)
    assert found >= floor - 1e-6
    assert set(np.unique(built.pair[built.is_work & (solved.values > 1e-9)])) <= set(pairs)


# ---------------------------------------------------------------------------------------------
# The flow network: its bound, its dive's plan, and sabotages the bound check catches.
# ---------------------------------------------------------------------------------------------


def flow_of(
    items: Sequence[WorkItem],
    staff: Sequence[Worker],
    penalty: float = 0.0,
    early_bonus: float = 0.0,
    level_bonus: float = 0.0,
) -> tuple[StaffingProblem, Network | None, FlowResult | None]:
    problem = prepare_problem(items, staff)
    if problem.message is not None:
        return problem, None, None
    timed = {i.id for i in items if i.depends_on} | {d for i in items for d in i.depends_on}
    unit = min(float(i.weight) for i in items)
    network = flow_module.build_network(problem, timed, level_bonus, early_bonus, penalty * unit)
    if network is None:
        return problem, None, None
    return problem, network, solve_network(network, problem, time.perf_counter() + 30)


def flow_weeks(problem: StaffingProblem, network: Network, flow: FlowResult) -> dict:
    """The flow's plan as assign_staff makes it: split, repaired, consolidated."""
    assert flow.values is not None
    timed = {i.id for i in problem.items if i.depends_on}
    timed |= {d for i in problem.items for d in i.depends_on}
    return consolidate(problem, repair(problem, split_flow(problem, network, flow.values)), timed)


def model_optimum(
    items: Sequence[WorkItem],
    staff: Sequence[Worker],
    penalty: float,
    early_bonus: float,
    level_bonus: float,
) -> float:
    """The whole model's optimum by HiGHS over all columns with continuity flags (gap 0),
    independent of the flow network; 0 when nothing can be worked."""
    problem = prepare_problem(items, staff)
    if problem.message is not None:
        return 0.0
    timed = {i.id for i in items if i.depends_on} | {d for i in items for d in i.depends_on}
    built = build_model(problem, timed, level_bonus, early_bonus)
    if built is None:
        return 0.0
    unit = min(float(i.weight) for i in items)
    columns = np.arange(len(built.cost))
    solved = run_mip(built, columns, penalty * unit, None, None, None, 30.0, 0.0)
    assert solved.optimal and solved.values is not None
    weeks = to_weeks(problem, built, solved.values)
    return objective_of(problem, weeks, level_bonus, penalty, early_bonus)


def assert_flow_bounds_the_model(
    items: Sequence[WorkItem],
    staff: Sequence[Worker],
    penalty: float,
    early_bonus: float,
    level_bonus: float,
) -> None:
    """The flow's bound is at least the model's optimum, and its plan obeys the model and is
    worth at most that optimum under the full objective."""
    optimum = model_optimum(items, staff, penalty, early_bonus, level_bonus)
    problem, network, flow = flow_of(items, staff, penalty, early_bonus, level_bonus)
    if network is None or flow is None:
        assert optimum <= 1e-9
        return
    assert flow.bound is not None and flow.bound >= optimum - 1e-6
    weeks = flow_weeks(problem, network, flow)
    value = objective_of(problem, weeks, level_bonus, penalty, early_bonus)
    assert value <= optimum + 1e-6
    assert_plan_respects_constraints(
        summarize_plan(problem, weeks, SolveStatus.OPTIMAL), items, staff
    )


@settings(max_examples=60, deadline=None)
@given(small_instances())
def test_flow_bound_is_at_least_the_brute_force_optimum_and_its_plan_obeys_the_model(
    instance: tuple[list[WorkItem], list[Worker]],
) -> None:
    items, staff = instance
    expected = brute_force_optimum(items, staff)
    problem, network, flow = flow_of(items, staff)
    if network is None or flow is None:
        assert expected == 0.0
        return
    assert flow.bound is not None and flow.bound >= expected - 1e-6
    weeks = flow_weeks(problem, network, flow)
    assert objective_of(problem, weeks, 0.0, 0.0, 0.0) <= expected + 1e-6
    # The dive's flags are integral, so the repair drops nothing but rounding.
    assert flow.values is not None
    used = flow.values[network.first_use : network.first_pool].sum()
    assert sum(weeks.values()) == pytest.approx(used, abs=1e-6)
    plan = summarize_plan(problem, weeks, SolveStatus.OPTIMAL)
    assert_plan_respects_constraints(plan, items, staff)


@settings(max_examples=60, deadline=None)
@given(small_instances())
def test_without_dependencies_the_flow_plan_covers_what_the_brute_force_does(
    instance: tuple[list[WorkItem], list[Worker]],
) -> None:
    """Without dependency timing the network is a transportation problem: its LP is exact."""
    items, staff = no_dependencies(instance[0]), instance[1]
    expected = brute_force_optimum(items, staff)
    problem, network, flow = flow_of(items, staff)
    if network is None or flow is None:
        assert expected == 0.0
        return
    assert flow.bound == pytest.approx(expected, abs=1e-5)
    weeks = flow_weeks(problem, network, flow)
    assert objective_of(problem, weeks, 0.0, 0.0, 0.0) == pytest.approx(expected, abs=1e-5)


@settings(max_examples=40, deadline=None)
@given(small_instances(), st.sampled_from([0.0, 0.5]))
def test_flow_bound_with_penalty_and_bonuses_is_at_least_the_whole_models_optimum(
    instance: tuple[list[WorkItem], list[Worker]], level_bonus: float
) -> None:
    items, staff = instance
    assert_flow_bounds_the_model(items, staff, 0.3, 0.05, level_bonus)


@pytest.mark.parametrize("seed", [51, 52, 53])
def test_flow_plan_obeys_the_model_on_larger_instances_and_its_bound_is_above_the_best_plan(
    seed: int,
) -> None:
    items, staff = random_instance(seed, n_staff=10, n_items=40, n_skills=5, periods=3)
    problem, network, flow = flow_of(items, staff, 0.1, 0.01)
    assert network is not None and flow is not None and flow.bound is not None
    weeks = flow_weeks(problem, network, flow)
    plan = summarize_plan(problem, weeks, SolveStatus.OPTIMAL)
    assert_plan_respects_constraints(plan, items, staff)
    best = assign_staff(items, staff, time_limit=20, mip_rel_gap=1e-3)
    assert flow.bound >= best.objective - 1e-6
    assert objective_of(problem, weeks, 0.0, 0.1, 0.01) <= flow.bound + 1e-6


# A small instance where the bonus, the penalty, the levels and the timing all matter and the
# flow's bound is tight: b waits for a; at the optimum one person does each item.
SABOTAGE_ITEMS = [
    WorkItem("a", 2.0, ["py"], weight=3),
    WorkItem("b", 2.0, ["py", "js"], ["a"], weight=2),
    WorkItem("c", 2.0, ["js"], weight=1),
]
SABOTAGE_STAFF = [
    Worker("s0", {"py": 2, "js": 1}, [2.0, 2.0, 1.0]),
    Worker("s1", {"py": 1}, [1.0, 1.0, 1.0]),
    Worker("s2", {"js": 3}, [1.0, 1.0, 0.0]),
]


def test_the_flow_bound_check_holds_on_the_sabotage_instance() -> None:
    for level_bonus in (0.0, 0.5):
        assert_flow_bounds_the_model(SABOTAGE_ITEMS, SABOTAGE_STAFF, 0.1, 0.05, level_bonus)


@pytest.mark.parametrize(
    ("sabotage", "level_bonus"),
    [
        # The bound without the early-finish bonus.
        ({"early_bonus": 0.0}, 0.0),
        # Continuity charged as a whole pair per person-week (more than a plan must pay).
        ({"penalty_times": 20.0}, 0.0),
        # Levels ignored although the level bonus pays for them.
        ({"level_bonus": 0.0}, 0.5),
    ],
)
def test_a_sabotaged_flow_bound_is_caught(
    monkeypatch: pytest.MonkeyPatch, sabotage: dict[str, float], level_bonus: float
) -> None:
    real = build_network

    def sabotaged(
        problem: StaffingProblem,
        timed: set[str],
        level_bonus: float,
        early_bonus: float,
        penalty: float,
    ) -> Network | None:
        return real(
            problem,
            timed,
            sabotage.get("level_bonus", level_bonus),
            sabotage.get("early_bonus", early_bonus),
            penalty * sabotage.get("penalty_times", 1.0),
        )

    monkeypatch.setattr(flow_module, "build_network", sabotaged)
    with pytest.raises(AssertionError):
        assert_flow_bounds_the_model(SABOTAGE_ITEMS, SABOTAGE_STAFF, 0.1, 0.05, level_bonus)


def test_consolidate_hands_a_sliver_to_someone_already_on_the_item_with_room() -> None:
    items = [WorkItem("a", 3.0, ["py"]), WorkItem("b", 2.0, ["py"], ["a"])]
    staff = [
        Worker("s0", {"py": 1}, [2.0, 2.0]),
        Worker("s1", {"py": 1}, [2.0, 2.0]),
        Worker("s2", {"js": 1}, [2.0, 2.0]),
    ]
    problem = prepare_problem(items, staff)
    weeks = {
        ("s0", "a", "py", 0): 2.0,
        ("s1", "a", "py", 0): 1.0,
        ("s0", "b", "py", 1): 1.0,
        ("s1", "b", "py", 1): 1.0,
    }
    tidy = consolidate(problem, weeks, {"a", "b"})
    # a: s0 has no room in sub-period 0, so s1 stays; b: s1 takes s0's week in sub-period 1.
    assert tidy == {
        ("s0", "a", "py", 0): 2.0,
        ("s1", "a", "py", 0): 1.0,
        ("s1", "b", "py", 1): 2.0,
    }
    before = objective_of(problem, weeks, 0.0, 0.1, 0.01)
    assert objective_of(problem, tidy, 0.0, 0.1, 0.01) == pytest.approx(before + 0.1)


def test_assign_staff_stops_at_the_flow_when_within_the_gap_asked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import roadmap.allocation.staffing.solve as solve_module

    monkeypatch.setattr(solve_module, "_FLOW_FIRST", 0)  # the flow first at any size
    items, staff = random_instance(61, n_staff=30, n_items=150, n_skills=6, periods=6)
    problem = prepare_problem(items, staff)
    plan = assign_staff(items, staff, time_limit=30, mip_rel_gap=0.02)
    assert plan.status is SolveStatus.OPTIMAL
    assert plan.relative_gap is not None and plan.relative_gap <= 0.02
    assert plan.objective >= objective_of(problem, greedy_weeks(problem), 0.0, 0.1, 0.01) - 1e-6
    assert_plan_respects_constraints(plan, items, staff)


# ---------------------------------------------------------------------------------------------
# One plan per distinct input.
# ---------------------------------------------------------------------------------------------


def test_plan_cache_solves_each_distinct_input_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import roadmap.allocation.staffing.cache as cache_module

    calls: list[int] = []
    real = cache_module.assign_staff

    def counted(*args: object, **kwargs: object) -> StaffPlan:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(cache_module, "assign_staff", counted)
    items, staff = random_instance(41, n_staff=5, n_items=12, n_skills=3, periods=2)
    cache = PlanCache(size=2)
    first = cache.assign(items, staff, time_limit=5)
    # Equal input built anew (lists and sets, not the same objects) is a hit.
    again = [
        WorkItem(
            i.id,
            i.effort,
            list(i.skills),
            list(i.depends_on),
            i.weight,
            None if i.skill_split is None else dict(i.skill_split),
        )
        for i in items
    ]
    assert cache.assign(again, staff, time_limit=5) is first
    assert len(calls) == 1 and cache.hits == 1
    # Another funded set, other options, or other staff: solved anew.
    cache.assign(items[:-1], staff, time_limit=5)
    cache.assign(items, staff, time_limit=5, person_item_penalty=0.0)
    assert len(calls) == 3
    # Only the last two are kept.
    cache.assign(items, staff, time_limit=5)
    assert len(calls) == 4
    assert plan_key(items, staff, {"time_limit": 5}) != plan_key(
        items, staff[1:], {"time_limit": 5}
    )
