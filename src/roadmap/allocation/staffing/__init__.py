"""Staff assignment (allocation step 4): who works how many person-weeks on which funded item.

One module per idea, each importing only those listed after it: :mod:`.cache` (one plan per
distinct input, for scenarios that fund the same items), :mod:`.solve` (the flow network, the
relaxation, the MIPs and the fall-backs put together), :mod:`.search` (the linear relaxation
solved by pricing, and its bound) and :mod:`.flow` (the model gathered into a flow network: a
bound and a plan fast), :mod:`.greedy` (the greedy baseline) and :mod:`.model` (the MILP
builder and HiGHS runs), :mod:`.plan` (the result) and :mod:`.problem` (the input and its
validation). The import-linter contract in ``pyproject.toml`` keeps that direction.
"""

from roadmap.allocation.staffing.cache import PlanCache, plan_key
from roadmap.allocation.staffing.greedy import greedy_assignment
from roadmap.allocation.staffing.plan import (
    ItemCoverage,
    SkillGap,
    SolveStatus,
    StaffingLine,
    StaffPlan,
    summarize_plan,
)
from roadmap.allocation.staffing.problem import StaffingProblem, Worker, WorkItem, prepare_problem
from roadmap.allocation.staffing.solve import assign_staff

__all__ = [
    "ItemCoverage",
    "PlanCache",
    "SkillGap",
    "SolveStatus",
    "StaffPlan",
    "StaffingLine",
    "StaffingProblem",
    "WorkItem",
    "Worker",
    "assign_staff",
    "greedy_assignment",
    "plan_key",
    "prepare_problem",
    "summarize_plan",
]
