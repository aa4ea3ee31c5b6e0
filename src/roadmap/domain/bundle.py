"""The reproducible bundle of a published plan: the election as the plan used it, the outcome
and its certificate, as JSON any member can check with ``roadmap verify``.

Amounts are exact text: ``"12"``, ``"29/4"`` (or, for a fraction too long to print, ``"~"``
and 40 significant digits; ``roadmap.allocation.certificate``). Ids are text: item ids are
the items' numbers, organization ids their keys (or pseudonyms, below).

Two records:

* :class:`PlanEvidence`, stored with the plan row when it is published (``plans.evidence``,
  migration 0009): the election, the outcome and the certificate with every organization
  by its key, and a random ``salt`` that orders the pseudonyms. Plans published before
  that have none.
* :class:`PlanBundle`, what a reader downloads: the evidence as that reader may see it
  (``roadmap.domain.privacy.sees_signal``). An organization whose signal the reader may not
  see appears under a pseudonym (``member-01``, ...) everywhere, consistently, so the
  arithmetic still verifies; its name and its signal's time are left out. The salt is never
  in a bundle.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from roadmap.domain.periods import Envelope

BUNDLE_KIND = "roadmap plan bundle"


class BundleLine(BaseModel):
    """A part of a bundle: frozen, refusing keys the layout does not know."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class BundleItem(BundleLine):
    """An item of the election: a candidate (in scope, planned or in progress), or an item
    a candidate depends on that is not one (cost 0, never funded: its dependants wait)."""

    id: str
    title: str
    cost: str  # person-weeks, exact
    subcommunity: str | None = None
    theme: str | None = None
    depends_on: list[str] = Field(default_factory=list)
    candidate: bool = True


class BundleOrganization(BundleLine):
    id: str  # the organization's key, or its pseudonym
    name: str
    weight: str  # its voice, exact; the weights sum to 1


class BundlePledge(BundleLine):
    item: int
    weeks: str


class BundleSignal(BundleLine):
    """An organization's latest signal when the plan was published, in the order the plan
    read them (newest first; pledges are applied in this order)."""

    organization: str
    submitted_at: datetime | None = None
    approvals: list[int] = Field(default_factory=list)
    points: dict[str, int] = Field(default_factory=dict)
    ranking: list[int] = Field(default_factory=list)
    pledges: list[BundlePledge] = Field(default_factory=list)


class BundleElection(BundleLine):
    """What the rule ran on. Each organization supports every item its signal approves,
    gives points to, ranks or pledges to (approval ballots: the utility of an item is its
    cost); the groups of an item are ``subcommunity:<slug>`` and ``theme:<slug>``."""

    rule: str  # the engine's rule name, e.g. "equal-shares-add1-greedy"
    budget: str  # person-weeks: the staff's capacity plus effort carried in
    carried: str = "0"  # the part of ``budget`` an earlier period returned to the pool
    reserve: str
    caps: dict[str, str] = Field(default_factory=dict)
    floors: dict[str, str] = Field(default_factory=dict)
    items: list[BundleItem]
    organizations: list[BundleOrganization]
    signals: list[BundleSignal]


class OutcomeFunded(BundleLine):
    item: str
    stage: str  # pledges, floor, rule, completion
    cost: str
    pledged: str
    pledges: dict[str, str] = Field(default_factory=dict)
    payments: dict[str, str] = Field(default_factory=dict)  # organization or "(pool)"
    price: str | None = None  # equal shares: rho


class OutcomeUnfunded(BundleLine):
    item: str
    cost: str
    pledged: str
    reason: str


class BundleOutcome(BundleLine):
    exact: bool
    selected: list[str]  # in funding order
    spent: str
    rule_budget: str
    funded: list[OutcomeFunded]
    unfunded: list[OutcomeUnfunded]


class PlanEvidence(BundleLine):
    """What a plan keeps at publish time to make its bundle (never shown as it is)."""

    format: Literal[1] = 1
    election: BundleElection
    outcome: BundleOutcome
    certificate: dict[str, Any]
    salt: str


class PlanBundle(BundleLine):
    """The downloadable bundle."""

    kind: Literal["roadmap plan bundle"] = Field(default="roadmap plan bundle", alias="bundle")
    format: Literal[1] = 1
    period: str
    version: int
    published_at: datetime
    envelope: Envelope
    pseudonymised: list[str] = Field(default_factory=list)  # the pseudonyms used
    note: str = ""
    election: BundleElection
    outcome: BundleOutcome
    certificate: dict[str, Any]

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)
