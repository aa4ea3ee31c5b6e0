"""A published plan's reproducible bundle, and its check (``roadmap bundle``,
``roadmap verify``, the plan page's download).

At publish time the plan keeps its evidence (:func:`evidence_of`): the election its rule ran
on, the exact outcome and its certificate. A reader's bundle is that evidence as the reader
may see it (:func:`plan_bundle`): organizations whose signals the period keeps from the
reader (``roadmap.domain.privacy.sees_signal``) appear under pseudonyms. :func:`verify` needs
no database: it recomputes the outcome from the bundle's election with the same rule,
compares it with the stated outcome, and checks the certificate without running the rule.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import pydantic
from sqlalchemy import Text, cast, func, select

from roadmap.allocation import Allocation, NotApplicable, allocate
from roadmap.allocation.certificate import (
    Check,
    certificate_of,
    check_certificate,
    exact_text,
    exact_value,
)
from roadmap.allocation.explanation import Explanation, FundedItem, Reason, Stage, UnfundedItem
from roadmap.domain.access import Actor
from roadmap.domain.bundle import (
    BundleElection,
    BundleOutcome,
    OutcomeFunded,
    OutcomeUnfunded,
    PlanBundle,
    PlanEvidence,
)
from roadmap.domain.enums import Privacy
from roadmap.domain.errors import NotFound
from roadmap.domain.periods import Envelope
from roadmap.domain.plans import PlanSnapshot
from roadmap.domain.privacy import sees_signal
from roadmap.services.context import Context
from roadmap.services.election_record import engine_input, supported
from roadmap.services.periods import find_period_row
from roadmap.services.planning import RULE_NAMES, FundingRun
from roadmap.store.engine import reading
from roadmap.store.tables import PlanRow

PSEUDONYM = "member-{:02d}"


# --- making a bundle ------------------------------------------------------------------------


def outcome_of(allocation: Allocation) -> BundleOutcome:
    """An allocation's outcome as exact text."""
    expl = allocation.explanation
    return BundleOutcome(
        exact=allocation.exact,
        selected=list(allocation.selected),
        spent=exact_text(allocation.spent),
        rule_budget=exact_text(allocation.rule_budget),
        funded=[
            OutcomeFunded(
                item=f.item_id,
                stage=f.stage.value,
                cost=exact_text(f.cost),
                pledged=exact_text(f.pledged),
                pledges={k: exact_text(v) for k, v in f.pledges.items()},
                payments={k: exact_text(v) for k, v in f.payments.items()},
                price=None if f.price is None else exact_text(f.price),
            )
            for f in expl.funded
        ],
        unfunded=[
            OutcomeUnfunded(
                item=u.item_id,
                cost=exact_text(u.cost),
                pledged=exact_text(u.pledged),
                reason=u.reason.value,
            )
            for u in expl.unfunded
        ],
    )


def allocation_of(rule: str, outcome: BundleOutcome) -> Allocation:
    """The stated outcome as an allocation, for the certificate's checker."""
    funded = tuple(
        FundedItem(
            f.item,
            exact_value(f.cost),
            exact_value(f.pledged),
            Stage(f.stage),
            {k: exact_value(v) for k, v in f.payments.items()},
            None if f.price is None else exact_value(f.price),
            {k: exact_value(v) for k, v in f.pledges.items()},
        )
        for f in outcome.funded
    )
    unfunded = tuple(
        UnfundedItem(u.item, exact_value(u.cost), Reason(u.reason), exact_value(u.pledged))
        for u in outcome.unfunded
    )
    return Allocation(
        rule,
        tuple(outcome.selected),
        0,
        exact_value(outcome.spent),
        Explanation(funded, unfunded, ()),
        exact_value(outcome.rule_budget),
        outcome.exact,
    )


def evidence_of(run: FundingRun) -> PlanEvidence:
    """What a plan keeps when it is published: the election its rule ran on, the outcome and
    the certificate, and a fresh salt for the pseudonyms."""
    inputs = run.inputs
    certificate = certificate_of(
        inputs.election, inputs.weights, inputs.constraints, run.allocation
    )
    return PlanEvidence(
        election=run.record,
        outcome=outcome_of(run.allocation),
        certificate=certificate,
        salt=secrets.token_hex(16),
    )


@dataclass(frozen=True)
class BundleRead:
    """A reader's bundle, or why there is none."""

    bundle: PlanBundle | None
    missing: str = ""

    def json(self) -> str:
        """The bundle as indented JSON text."""
        assert self.bundle is not None
        return self.bundle.model_dump_json(by_alias=True, indent=2) + "\n"


def plan_bundle(ctx: Context, actor: Actor, period_key: str | None, version: int) -> BundleRead:
    """The bundle of a published plan version as ``actor`` may see it; for a version
    published before plans kept their evidence, ``missing`` says why there is none."""
    with reading(ctx.engine) as session:
        period = find_period_row(session, period_key)
        row = session.scalar(
            select(PlanRow).where(PlanRow.period_id == period.id, PlanRow.version == version)
        )
        if row is None:
            raise NotFound(f"{period.name} has no plan version {version}.")
        privacy = Privacy(period.privacy)
        key, published_at, evidence = period.key, row.published_at, row.evidence
        envelope = PlanSnapshot.model_validate(row.snapshot).envelope
    if evidence is None:
        return BundleRead(None, _no_bundle(key, version))
    kept = PlanEvidence.model_validate(evidence)
    return BundleRead(
        as_seen(
            kept, key, version, published_at, envelope, lambda org: sees_signal(actor, privacy, org)
        )
    )


def missing_bundle(ctx: Context, period_key: str | None, version: int) -> str | None:
    """Why a published plan version has no bundle, or None when it has one; without reading
    the bundle (its election is as large as the period: the plan page asks on every run and
    builds the bundle only when it is downloaded)."""
    with reading(ctx.engine) as session:
        period = find_period_row(session, period_key)
        size = session.execute(
            select(func.coalesce(func.length(cast(PlanRow.evidence, Text)), 0)).where(
                PlanRow.period_id == period.id, PlanRow.version == version
            )
        ).first()
        if size is None:
            raise NotFound(f"{period.name} has no plan version {version}.")
        # SQL NULL, or the JSON text null (a None the ORM wrote as JSON).
        if int(size[0]) <= len("null"):
            return _no_bundle(period.key, version)
    return None


def _no_bundle(period: str, version: int) -> str:
    return (
        f"Version {version} of {period} was published before plans kept their election, "
        "so it has no checkable bundle; a version published now has one."
    )


def bundle_json(ctx: Context, actor: Actor, period_key: str | None, version: int) -> str:
    """The bundle as JSON text (what the plan page and ``roadmap bundle`` give)."""
    found = plan_bundle(ctx, actor, period_key, version)
    if found.bundle is None:
        raise NotFound(found.missing)
    return found.json()


def as_seen(
    evidence: PlanEvidence,
    period: str,
    version: int,
    published_at: Any,
    envelope: Envelope,
    sees: Callable[[str], bool],
) -> PlanBundle:
    """The bundle a reader gets: each organization ``sees`` refuses gets a pseudonym,
    ``member-01`` ..., numbered in an order set by the plan's secret salt (so neither the
    number nor the order says which organization it is), used everywhere the organization
    appears; its name and its signal's time are left out. Its voice weight stays: the rule
    needs it (with voice by contribution, a weight may still point to an organization)."""
    election = evidence.election
    hidden = [o.id for o in election.organizations if not sees(o.id)]
    order = sorted(hidden, key=lambda k: hashlib.sha256(f"{evidence.salt}/{k}".encode()).digest())
    alias = {k: PSEUDONYM.format(n + 1) for n, k in enumerate(order)}
    data = {
        "election": election.model_dump(mode="json"),
        "outcome": evidence.outcome.model_dump(mode="json"),
        "certificate": evidence.certificate,
    }
    if alias:
        data = _renamed(data, alias)
    note = (
        f"{len(alias)} organizations whose signals this period keeps private appear under "
        "pseudonyms (member-NN), the same everywhere in this bundle; the arithmetic is "
        "unchanged."
        if alias
        else ""
    )
    return PlanBundle(
        period=period,
        version=version,
        published_at=published_at,
        envelope=envelope,
        pseudonymised=sorted(alias.values()),
        note=note,
        election=BundleElection.model_validate(data["election"]),
        outcome=BundleOutcome.model_validate(data["outcome"]),
        certificate=data["certificate"],
    )


def _renamed(data: dict[str, Any], alias: dict[str, str]) -> dict[str, Any]:
    def name(key: str) -> str:
        return alias.get(key, key)

    election = data["election"]
    organizations = []
    for o in election["organizations"]:
        if o["id"] in alias:
            o = {**o, "id": alias[o["id"]], "name": alias[o["id"]]}
        organizations.append(o)
    # Sorted by id, so that the list's order does not give the organizations' keys away.
    election["organizations"] = sorted(organizations, key=lambda o: o["id"])
    for s in election["signals"]:
        if s["organization"] in alias:
            s["organization"] = alias[s["organization"]]
            s["submitted_at"] = None
    for f in data["outcome"]["funded"]:
        f["payments"] = {name(k): v for k, v in f["payments"].items()}
        f["pledges"] = {name(k): v for k, v in f["pledges"].items()}
    cert = data["certificate"]
    for part, table in (("equal_shares", "budgets"), ("phragmen", "rates")):
        if part in cert:
            cert[part] = {**cert[part], table: {name(k): v for k, v in cert[part][table].items()}}
    return data


# --- checking a bundle ----------------------------------------------------------------------


class Unreadable(ValueError):
    """The file is not a bundle this version reads."""


def read_bundle(text: str | bytes) -> PlanBundle:
    """Parse a bundle; :class:`Unreadable` names what is wrong."""
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Unreadable(f"it is not JSON ({exc})") from None
    try:
        return PlanBundle.model_validate(data)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise Unreadable(f"it is not a plan bundle ({where}: {first['msg']})") from None


def verify(bundle: PlanBundle, recompute: bool = True) -> list[Check]:
    """Every check of a bundle, in order. Stops at the first that fails only where later
    checks would be meaningless (an election that does not hold together)."""
    checks: list[Check] = []
    election = bundle.election
    wanted = RULE_NAMES.get(bundle.envelope.rule)
    checks.append(
        Check(
            f"the rule {election.rule} is the envelope's ({bundle.envelope.rule.value})",
            wanted == election.rule,
            f"the envelope's rule runs as {wanted}",
        )
    )
    problem = _election_problem(election)
    checks.append(
        Check(
            f"the election holds together ({len(election.items)} items, "
            f"{len(election.organizations)} organizations, {len(election.signals)} signals; "
            "voice weights sum to 1)",
            problem is None,
            problem or "",
        )
    )
    if problem is not None:
        return checks
    inputs = engine_input(election)
    if recompute:
        try:
            again = allocate(
                inputs.election,
                inputs.rule,
                weights=inputs.weights,
                constraints=inputs.constraints,
            )
        except (ValueError, NotApplicable) as exc:
            checks.append(Check("the rule runs on the bundle's election", False, str(exc)))
            return checks
        difference = _first_difference(bundle.outcome, outcome_of(again))
        checks.append(
            Check(
                f"recomputing {inputs.rule} on the bundle's election gives the stated outcome "
                f"({len(again.selected)} items funded, every payment the same)",
                difference is None,
                difference or "",
            )
        )
    stated = allocation_of(inputs.rule, bundle.outcome)
    found = check_certificate(
        inputs.election, inputs.weights, inputs.constraints, stated, bundle.certificate
    )
    checks += [Check(f"certificate: {c.name}", c.holds, c.detail) for c in found]
    return checks


def _election_problem(election: BundleElection) -> str | None:
    orgs = [o.id for o in election.organizations]
    if len(set(orgs)) != len(orgs):
        return "an organization appears twice"
    items = [i.id for i in election.items]
    if len(set(items)) != len(items):
        return "an item appears twice"
    try:
        total = sum((exact_value(o.weight) for o in election.organizations), Fraction(0))
        for i in election.items:
            if exact_value(i.cost) < 0:
                return f"item {i.id} has a negative cost"
    except (ValueError, ZeroDivisionError) as exc:
        return f"an amount is not a number ({exc})"
    if total != 1:
        return f"the voice weights sum to {total}, not 1"
    known = set(orgs)
    for s in election.signals:
        if s.organization not in known:
            return f"a signal of {s.organization}, which is not an organization of the election"
    seen: set[str] = set()
    for s in election.signals:
        if s.organization in seen:
            return f"{s.organization} has two signals"
        seen.add(s.organization)
        if any(not str(i).isdigit() for i in supported(s)):
            return f"{s.organization}'s signal names an item that is not a number"
    return None


# Before the rules said "no support" of an item nobody asked for, they gave it the reason
# they reached it with: a bundle published then states the same outcome in those words.
EARLIER_REASONS = {
    Reason.NO_SUPPORT.value: frozenset(
        {Reason.NO_BUDGET_LEFT.value, Reason.TOO_LITTLE_SUPPORT.value}
    ),
}


def _same_unfunded(stated: OutcomeUnfunded, computed: OutcomeUnfunded) -> bool:
    """Whether a stated item left out is the computed one, its reason possibly in the words
    of an earlier version of the rules (:data:`EARLIER_REASONS`)."""
    if stated.reason in EARLIER_REASONS.get(computed.reason, ()):
        return stated.model_copy(update={"reason": computed.reason}) == computed
    return stated == computed


def _first_difference(stated: BundleOutcome, computed: BundleOutcome) -> str | None:
    if stated.selected != computed.selected:
        extra = [i for i in stated.selected if i not in computed.selected]
        missing = [i for i in computed.selected if i not in stated.selected]
        if extra or missing:
            return (
                f"the bundle funds {', '.join('#' + i for i in extra) or 'nothing more'} "
                f"and not {', '.join('#' + i for i in missing) or 'less'}; the rule funds "
                f"{', '.join('#' + i for i in computed.selected)}"
            )
        return "the funded items are stated in another order than the rule funds them"
    for a, b in zip(stated.funded, computed.funded, strict=True):
        for field in ("stage", "cost", "pledged", "pledges", "payments", "price"):
            if getattr(a, field) != getattr(b, field):
                return (
                    f"item #{a.item}: the bundle says {field} {getattr(a, field)}, "
                    f"the rule gives {getattr(b, field)}"
                )
    unfunded = {u.item: u for u in computed.unfunded}
    for u in stated.unfunded:
        if u.item not in unfunded or not _same_unfunded(u, unfunded[u.item]):
            other = unfunded.get(u.item)
            return (
                f"item #{u.item}: the bundle says it is not funded ({u.reason}, cost {u.cost}), "
                + (
                    f"the rule gives {other.reason}, cost {other.cost}"
                    if other
                    else "the rule funds it"
                )
            )
    if len(stated.unfunded) != len(computed.unfunded):
        return "the items not funded differ"
    if (stated.spent, stated.rule_budget, stated.exact) != (
        computed.spent,
        computed.rule_budget,
        computed.exact,
    ):
        return (
            f"the bundle says {stated.spent} spent of a rule budget {stated.rule_budget}, "
            f"the rule gives {computed.spent} of {computed.rule_budget}"
        )
    return None
