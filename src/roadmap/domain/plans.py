"""The plan snapshot: a scenario's funding and staffing, frozen as the JSON a plan row keeps.

A published plan row, and each scenario of a kept comparison, stores
``PlanSnapshot.model_dump(mode="json")``; reading it back is ``PlanSnapshot.model_validate``.
The fields and their order are the ones the plain dict written before this model had, so a
snapshot stored then reads back, and dumps again, unchanged. ``format`` names the layout:
format 1 is that first layout, and it is not written (a stored snapshot without ``format``
is format 1); a later layout writes its number. Format 2 adds each funded line's
``pledges`` (which organization's pledge paid how much of the item); a format 1 line reads
with none, and only its unattributed ``pledged`` total. Format 3 adds the effort an earlier
period carried into the budget (``carried``), the items each organization asked for
(``AccountLine.supported``) and each unfunded line's ``effective_support`` (equal shares
only); a format 1 or 2 snapshot reads with none of them recorded (``None``), and dumps as it
was stored.

Beside the record, its pure rules: what a new version changed (``plan_diff``) and whether
a fresh run funds what an executive reviewed (``funding_change``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)

from roadmap.domain.periods import Envelope

# The payer named for what no single organization paid (``roadmap.allocation.explanation``'s
# ``POOL``, which the domain does not import).
POOL = "(pool)"


class SnapshotLine(BaseModel):
    """One row of a snapshot: frozen, and refusing a key the layout does not know."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class FundedLine(SnapshotLine):
    """A funded item and who paid for it: the pledges (per organization) and the rest."""

    item: int
    title: str
    subcommunity: str
    theme: str | None
    effort: float  # person-weeks
    stage: str  # the rule's stage that funded it
    pledged: float  # person-weeks paid by pledges
    payments: dict[str, float]  # organization key (or "(pool)") -> person-weeks
    # Format 2: organization key -> person-weeks its earmarked pledge paid (they sum to
    # ``pledged``); empty in format 1, which kept only the total.
    pledges: dict[str, float] = Field(default_factory=dict)
    # Set in a reader's view whose hidden payers are summed (``roadmap.domain.privacy``):
    # how many organizations paid. Never stored.
    payers: int | None = Field(default=None, exclude=True)
    # Set in such a view when the payers are hidden only because the reader is signed out
    # (the period is attributed): members who sign in see who paid what. Never stored.
    members_see: bool = Field(default=False, exclude=True)

    def paying_organizations(self) -> int:
        """How many organizations paid for the item, by pledge or otherwise (the pool is not
        one)."""
        if self.payers is not None:
            return self.payers
        return len(
            {
                k
                for table in (self.payments, self.pledges)
                for k, w in table.items()
                if w > 0 and not k.startswith("(")
            }
        )

    def who_paid(self, names: Mapping[str, str]) -> str:
        """Who paid, in words: each pledging organization (by its name in ``names``, else
        its key) with its person-weeks and "(pledge)", a pledged total no organization is
        recorded for (format 1), then each payer of the rest: an organization (or the
        organizations a reader may not see) with the stage it paid in, which is the rule's,
        and the pool. E.g. "Acme Corp: 4 person-weeks (pledge), Beta: 2 person-weeks (rule)"."""
        parts = [
            f"{names.get(k, k)}: {person_weeks(w)} (pledge)"
            for k, w in sorted(self.pledges.items())
        ]
        unattributed = self.pledged - sum(self.pledges.values())
        if unattributed > 1e-9:
            parts.append(f"pledges: {person_weeks(unattributed)}")
        parts += [
            f"{names.get(k, k)}: {person_weeks(w)}" + ("" if k == POOL else f" ({self.stage})")
            for k, w in sorted(self.payments.items())
        ]
        return ", ".join(parts)


def person_weeks(weeks: float) -> str:
    """``4`` -> "4 person-weeks", ``2.25`` -> "2.2 person-weeks", ``1`` -> "1 person-week"."""
    text = f"{weeks:.1f}".removesuffix(".0")
    return f"{text} person-week{'' if text == '1' else 's'}"


class UnfundedLine(SnapshotLine):
    item: int
    title: str
    effort: float
    reason: str
    # Format 3, equal-shares scenarios: the item's effective support in whole percent
    # (``roadmap.allocation.support``; the glossary states it); None before format 3 and
    # for the other rules.
    effective_support: int | None = None


class AccountLine(SnapshotLine):
    """One organization's fairness account: its voice beside what it got."""

    org: str  # the organization's key
    name: str
    voice: float  # share of voice, 0 to 1
    paid: float  # person-weeks
    supported_effort: float  # funded person-weeks of the items it asked for
    effort_share: float  # that effort as a share of all funded effort, 0 to 1
    # Format 3: the candidate items it asked for (approved, gave points to, ranked or
    # pledged to) in the signal the run read; ``None`` where not recorded (formats 1, 2).
    supported: list[int] | None = None
    # True in a reader's view that may not see this organization's signal: paid and the
    # effort it asked for are zero there (``roadmap.domain.privacy``). Never stored.
    private: bool = Field(default=False, exclude=True)


class AssignmentLine(SnapshotLine):
    """Who works on what in which sub-period, and how much."""

    staff: str  # the staff member's key
    name: str
    item: int
    skill: str
    subperiod: int  # an index into ``PlanSnapshot.subperiods``
    weeks: float


class CoverageLine(SnapshotLine):
    item: int
    required: float
    covered: float
    gap: float


class GapLine(SnapshotLine):
    """Person-weeks of a skill that nobody covers: a hiring or training need."""

    skill: str
    subperiod: int
    weeks: float
    items: list[int]


class SolverOutcome(SnapshotLine):
    status: str  # the staff assignment's status, e.g. "optimal"
    gap: float | None  # the solver's relative gap
    message: str | None


class PlanSnapshot(SnapshotLine):
    """Everything a reader of a scenario or a published plan needs."""

    format: Literal[1, 2, 3] = 1
    name: str
    envelope: Envelope
    # The staff's capacity plus ``carried``, person-weeks.
    budget: float
    reserve: float
    spent: float  # funded effort
    subperiods: list[str]  # the period's months, "YYYY-MM"
    funded: list[FundedLine]
    unfunded: list[UnfundedLine]
    accounts: list[AccountLine]
    assignments: list[AssignmentLine]
    coverage: list[CoverageLine]
    gaps: list[GapLine]
    solver: SolverOutcome
    # Format 3: person-weeks an earlier period left unspent (unallocated, and its reserve)
    # and returned to the pool, part of ``budget``; ``None`` where not recorded (formats 1,
    # 2).
    carried: float | None = None

    @model_validator(mode="after")
    def _pledges_only_from_format_two(self) -> PlanSnapshot:
        if self.format == 1 and any(f.pledges for f in self.funded):
            raise ValueError("a format 1 snapshot records no pledges per organization")
        if self.format < 3 and (
            self.carried is not None or any(a.supported is not None for a in self.accounts)
        ):
            raise ValueError(
                "a format 1 or 2 snapshot records neither carried effort nor supported items"
            )
        if self.format < 3 and any(u.effective_support is not None for u in self.unfunded):
            raise ValueError("a snapshot before format 3 records no effective support")
        return self

    @model_serializer(mode="wrap")
    def _first_format_unwritten(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        if self.format < 3:
            data.pop("carried", None)
            for account in data["accounts"]:
                account.pop("supported", None)
        if self.format == 1:
            del data["format"]
            for line in data["funded"]:
                line.pop("pledges", None)
        if self.format < 3:
            for line in data["unfunded"]:
                line.pop("effective_support", None)
        return data

    def month(self, subperiod: int) -> str:
        """The ``YYYY-MM`` label of a sub-period index."""
        return self.subperiods[subperiod]

    def names(self) -> dict[str, str]:
        """Each organization's display name, by key (from the accounts)."""
        return {a.org: a.name for a in self.accounts}

    def titles(self) -> dict[int, str]:
        """Each funded item's title, by item id."""
        return {f.item: f.title for f in self.funded}


class FundedItem(BaseModel):
    """A funded line's item and title, read from a stored snapshot on their own (the rest
    of a line, its payments, is most of a large plan): for the report schedule."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    item: int
    title: str


@dataclass(frozen=True)
class PlanDiff:
    added: list[int] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    effort_changed: dict[int, tuple[float, float]] = field(default_factory=dict)
    reassigned: list[int] = field(default_factory=list)


def plan_diff(old: PlanSnapshot, new: PlanSnapshot) -> PlanDiff:
    """What a new version changed: items added or removed, effort changed, people moved."""
    before = {f.item: f.effort for f in old.funded}
    after = {f.item: f.effort for f in new.funded}
    old_people, new_people = _people(old), _people(new)
    return PlanDiff(
        added=sorted(set(after) - set(before)),
        removed=sorted(set(before) - set(after)),
        effort_changed={
            i: (before[i], after[i])
            for i in sorted(set(before) & set(after))
            if before[i] != after[i]
        },
        reassigned=sorted(
            i
            for i in set(before) & set(after)
            if old_people.get(i, set()) != new_people.get(i, set())
        ),
    )


def _people(snap: PlanSnapshot) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for a in snap.assignments:
        out.setdefault(a.item, set()).add(a.staff)
    return out


@dataclass(frozen=True)
class FundingChange:
    """How a fresh run's funding differs from the one reviewed. All three lists empty means
    only the organizations' shares (their accounts) moved."""

    now_funded: list[int]
    no_longer_funded: list[int]
    paid_differently: list[int]


def funding_change(reviewed: PlanSnapshot, now: PlanSnapshot) -> FundingChange | None:
    """``None`` when ``now`` funds the same items with the same effort and payments, and the
    organizations' accounts are the same, as ``reviewed``; otherwise what moved."""
    seen, fresh = _funding(reviewed), _funding(now)
    if seen == fresh and reviewed.accounts == now.accounts:
        return None
    moved = plan_diff(reviewed, now)
    return FundingChange(
        now_funded=moved.added,
        no_longer_funded=moved.removed,
        paid_differently=sorted(i for i in set(seen) & set(fresh) if seen[i] != fresh[i]),
    )


def _funding(
    snap: PlanSnapshot,
) -> dict[int, tuple[float, dict[str, float], dict[str, float]]]:
    return {f.item: (f.effort, f.payments, f.pledges) for f in snap.funded}


@dataclass(frozen=True)
class ExplainingPlan:
    """Which of several periods' final plans an item's explanation is read from (indexes)."""

    index: int
    # The newest plan after that one that left the item out, when that one funded it.
    left_out_later: int | None = None


def explaining_plan(item: int, finals: Sequence[PlanSnapshot]) -> ExplainingPlan | None:
    """For ``finals``, each period's final plan, the newest period first: the plan that
    explains ``item`` is the newest that funded it (what happened to it: a later period's
    plan that left it out, as it does work an earlier plan funded and nobody asks for again,
    does not undo that), else the newest that left it out; None when none considered it."""
    funded = [k for k, snap in enumerate(finals) if any(f.item == item for f in snap.funded)]
    left_out = [k for k, snap in enumerate(finals) if any(u.item == item for u in snap.unfunded)]
    if funded:
        later = [k for k in left_out if k < funded[0]]
        return ExplainingPlan(funded[0], later[0] if later else None)
    return ExplainingPlan(left_out[0]) if left_out else None


def digest(stored: Mapping[str, Any]) -> str:
    """The SHA-256 of a stored snapshot's canonical JSON (keys sorted, no spaces): what a
    plan row keeps beside its snapshot, naming its content."""
    canonical = json.dumps(stored, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(canonical.encode()).hexdigest()
