"""Staff assignment (allocation step 4): who works how many person-weeks on which funded item.

One module per idea, each importing only those listed after it: :mod:`.solve` (the MILP solved
and its fall-backs), :mod:`.greedy` (the greedy baseline) and :mod:`.model` (the MILP builder),
:mod:`.plan` (the result) and :mod:`.problem` (the input and its validation). The import-linter
contract in ``pyproject.toml`` keeps that direction.
"""

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
    "SkillGap",
    "SolveStatus",
    "StaffPlan",
    "StaffingLine",
    "StaffingProblem",
    "WorkItem",
    "Worker",
    "assign_staff",
    "greedy_assignment",
    "prepare_problem",
    "summarize_plan",
]
