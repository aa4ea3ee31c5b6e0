"""A plan's accounting in person-weeks, and each organization's outcome, from its snapshot.

The accounting answers "how do the figures add up?" in one chain of steps, each a change to
a running total or a subtotal of it:

    staff capacity  + carried in  - reserve                   = shared budget
    shared budget   + pledges                                 = effort to allocate
    effort to allocate - funded by pledges alone, floors, the rule, the completion
                                                              = left unallocated
    funded effort   - uncovered skill gaps                    = staffed effort

Pledges bring effort beyond the shared budget: an item's pledged part is not paid from it, so
the funded effort can exceed capacity less the reserve. Each "funded by" step is the whole
effort of the items that stage funded (their pledged parts included), as the funded table's
"Funded by" column groups them. The uncovered skill gaps are part of the funded effort that
no staff member with the skill could be assigned: a hiring or training need, not a cost.

The organization outcome is what equalshares.net reports per voter: its voice, the share of
all funded effort spent on items it asked for, how many of those items were funded, and what
it paid, by the rule and by its pledges.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from roadmap.domain.enums import AllocationRule
from roadmap.domain.plans import POOL, PlanSnapshot

Measure = Literal["absolute", "relative", "total"]

# The stages of a run, in the order the run funds them (``roadmap.allocation.explanation``'s
# ``Stage`` values, which the domain does not import).
STAGES = ("pledges", "floor", "rule", "completion")


def stage_label(stage: str, rule: AllocationRule | None = None) -> str:
    """A stage in words: ``"rule"`` -> "the Equal Shares rule" (with the rule's name),
    ``"completion"`` -> "the completion (greedy fill)"."""
    if stage == "rule":
        return f"the {rule.label} rule" if rule is not None else "the rule"
    return {
        "pledges": "pledges alone",
        "floor": "the floors",
        "completion": "the completion (greedy fill)",
    }.get(stage, stage)


@dataclass(frozen=True)
class Step:
    """One row of the accounting: a start (``absolute``), a change (``relative``, signed) or
    the running total so far (``total``), in person-weeks, with what it is in words."""

    label: str
    weeks: float
    measure: Measure
    note: str


@dataclass(frozen=True)
class Accounting:
    steps: tuple[Step, ...]

    def running(self) -> list[float]:
        """The running total after each step (a total step's own value)."""
        out: list[float] = []
        level = 0.0
        for step in self.steps:
            if step.measure == "absolute":
                level = step.weeks
            elif step.measure == "relative":
                level += step.weeks
            out.append(level)
        return out

    def rounded(self, digits: int = 1) -> Accounting:
        """The same steps rounded for people so that the rounded figures still add up:
        every running total is rounded, and each change is the difference of the rounded
        totals around it (each off by at most one unit of the last digit)."""
        running = [round(level, digits) for level in self.running()]
        steps = []
        for n, step in enumerate(self.steps):
            if step.measure == "relative":
                weeks = round(running[n] - (running[n - 1] if n else 0.0), digits)
            else:
                weeks = running[n]
            steps.append(replace(step, weeks=weeks + 0.0))  # no "-0.0"
        return Accounting(tuple(steps))

    def step(self, label: str) -> Step:
        return next(s for s in self.steps if s.label == label)


def plan_accounting(snap: PlanSnapshot) -> Accounting:
    """The chain of steps from the staff's capacity to what is left unallocated, then from the
    funded effort to the staffed effort (see the module's docstring)."""
    rule = snap.envelope.rule
    carried = snap.carried or 0.0
    pledged = sum(f.pledged for f in snap.funded)
    by_stage: dict[str, float] = {}
    for f in snap.funded:
        by_stage[f.stage] = by_stage.get(f.stage, 0.0) + f.effort
    stages = [*STAGES, *sorted(set(by_stage) - set(STAGES))]
    funded = sum(by_stage.values())
    gaps = sum(g.weeks for g in snap.gaps)
    if snap.carried is None:
        start = Step(
            "Budget",
            snap.budget,
            "absolute",
            "The staff's capacity in the period (with any effort an earlier period carried "
            "in: this plan did not record it apart).",
        )
    else:
        start = Step("Staff capacity", snap.budget - carried, "absolute", CAPACITY)
    steps = [start]
    if carried:
        steps.append(Step("Carried in", carried, "relative", CARRIED))
    steps += [
        Step("Reserve", -snap.reserve, "relative", RESERVE),
        Step("Shared budget", snap.budget - snap.reserve, "total", SHARED),
        Step("Pledges", pledged, "relative", PLEDGES),
        Step("Effort to allocate", snap.budget - snap.reserve + pledged, "total", TO_ALLOCATE),
    ]
    steps += [
        Step(
            f"Funded by {stage_label(stage, rule)}",
            -by_stage.get(stage, 0.0),
            "relative",
            STAGE_NOTES.get(stage, "The effort of the items this stage funded."),
        )
        for stage in stages
        if stage in STAGES or by_stage.get(stage)
    ]
    steps += [
        Step(
            "Left unallocated",
            snap.budget - snap.reserve + pledged - funded,
            "total",
            UNALLOCATED,
        ),
        Step("Funded effort", funded, "absolute", FUNDED),
        Step("Uncovered (skill gaps)", -gaps, "relative", GAPS),
        Step("Staffed effort", funded - gaps, "total", STAFFED),
    ]
    return Accounting(tuple(steps))


CAPACITY = "The active staff's capacity in the period."
CARRIED = (
    "Effort an earlier period left unspent (unallocated, or its reserve) and returned to the pool."
)
RESERVE = "Kept out of the member allocation by the executive."
SHARED = "What the allocation shares out among the organizations' voices."
PLEDGES = (
    "Effort organizations earmarked for items that were funded: it comes on top of the shared "
    "budget (a pledge above an item's cost, or to an item not funded, is not spent)."
)
TO_ALLOCATE = "The shared budget and the pledges spent."
STAGE_NOTES = {
    "pledges": "Items their pledges paid for in full.",
    "floor": "Items funded to meet a theme's or sub-community's floor, paid from the pool.",
    "rule": "Items the rule funded (their pledged parts included).",
    "completion": "Items funded from what the rule left, by support per person-week.",
}
UNALLOCATED = "What no stage spent; with the reserve, it is effort not yet committed."
FUNDED = "All funded items' effort: the four stages above together."
GAPS = (
    "Funded effort no staff member with the skill is free for: a hiring or training need, "
    "part of the funded effort (not an extra cost)."
)
STAFFED = "Funded effort assigned to staff."


@dataclass(frozen=True)
class OrganizationOutcome:
    """One organization's outcome. ``None`` where the reader may not see it (its row is
    then not shown) or the snapshot did not record it (``supported``, ``asked``)."""

    org: str
    name: str
    voice: float  # share of voice, 0 to 1; the voices sum to 1
    effort_share: float | None  # share of all funded effort spent on items it asked for
    funded: int | None  # how many of the items it asked for were funded
    asked: int | None  # how many items it asked for
    paid_rule: float | None  # person-weeks it paid in the rule, not by pledges
    paid_pledges: float | None  # person-weeks its pledges paid
    private: bool

    @property
    def paid(self) -> float | None:
        if self.paid_rule is None or self.paid_pledges is None:
            return None
        return self.paid_rule + self.paid_pledges


def organization_outcomes(snap: PlanSnapshot) -> list[OrganizationOutcome]:
    """Each organization's outcome, in the order of the snapshot's accounts."""
    funded_ids = {f.item for f in snap.funded}
    # What each organization paid in the rule, in one pass over the payments (not one pass
    # per organization: hundreds of organizations times a thousand funded items).
    paid_in_rule: dict[str, float] = {}
    for f in snap.funded:
        for org, weeks in f.payments.items():
            paid_in_rule[org] = paid_in_rule.get(org, 0.0) + weeks
    out = []
    for a in snap.accounts:
        if a.private:
            out.append(
                OrganizationOutcome(a.org, a.name, a.voice, None, None, None, None, None, True)
            )
            continue
        rule = 0.0 if a.org == POOL else paid_in_rule.get(a.org, 0.0)
        supported = None if a.supported is None else set(a.supported)
        out.append(
            OrganizationOutcome(
                a.org,
                a.name,
                a.voice,
                a.effort_share,
                None if supported is None else len(supported & funded_ids),
                None if supported is None else len(supported),
                rule,
                max(a.paid - rule, 0.0),
                False,
            )
        )
    return out
