"""Every item of a scenario or published plan explained in sentences, and "what would fund it".

Two parts:

* **Sentences** (pure functions of a plan snapshot, as the reader may see it): for a funded
  item, the stage that funded it in words and who paid how much; for an item left out, its
  reason in words and its effective support (equal shares). The snapshot passed in is the
  one the reader may see (``roadmap.domain.privacy.plan_as_seen``): organizations whose
  signals are private to the reader are already summed there, so the sentences give totals
  and the number of paying organizations for them.
* **What would fund it** (:func:`what_would_fund_in_scenario`,
  :func:`what_would_fund_in_plan`): for one item left out, the engine's exact answers
  (``roadmap.allocation.counterfactual``) on the election the scenario ran
  (``planning.funding_input``): the largest effort at which it would be funded, the smallest
  additional earmarked pledge, and for each organization that does not support it, whether
  approving it would fund it. Computed **on demand**, one item at a time, and kept in a
  cache keyed by the whole election, so a changed signal gives a fresh answer: computing them
  for every item at scenario time would multiply the scenario's time (``bench/explain.py``).
  An answer naming an organization is shown only to readers who may see its signal
  (``roadmap.domain.privacy.sees_signal``).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from roadmap.allocation import allocate, largest_funded_cost, smallest_pledge, voter_changes
from roadmap.domain.access import Actor, require
from roadmap.domain.enums import AllocationRule, GroupKind, ItemStatus, Privacy, Role
from roadmap.domain.errors import NotFound
from roadmap.domain.periods import Envelope
from roadmap.domain.plans import (
    POOL,
    FundedLine,
    PlanSnapshot,
    UnfundedLine,
    explaining_plan,
    person_weeks,
)
from roadmap.domain.privacy import ORGANIZATIONS, sees_signal, sign_in_shows
from roadmap.services import catalog, item_reads, period_setup, periods, publishing
from roadmap.services.context import Context
from roadmap.services.planning import FundingInput, funding_input
from roadmap.services.publishing import PlanView

RULE_WORDS = {
    AllocationRule.EQUAL_SHARES: "equal shares",
    AllocationRule.GREEDY: "greedy by support",
    AllocationRule.PHRAGMEN: "sequential Phragmén",
}


@dataclass(frozen=True)
class ItemExplanation:
    """One item of a plan, explained: funded or not, in sentences."""

    item: int
    title: str
    funded: bool
    sentences: list[str]
    effort: float
    effective_support: int | None = None


# ---- sentences (pure) ---------------------------------------------------------------------


def explain_plan(
    snap: PlanSnapshot, group_names: Mapping[str, str] | None = None
) -> list[ItemExplanation]:
    """Every item of ``snap``, funded first (in funding order), then those left out.
    ``group_names``: ``"theme:<slug>"`` / ``"subcommunity:<slug>"`` to a display name."""
    groups = group_names or {}
    names = snap.names()
    return [
        ItemExplanation(f.item, f.title, True, funded_sentences(f, snap, names, groups), f.effort)
        for f in snap.funded
    ] + [
        ItemExplanation(
            u.item, u.title, False, unfunded_sentences(u, snap), u.effort, u.effective_support
        )
        for u in snap.unfunded
    ]


def funded_sentences(
    line: FundedLine,
    snap: PlanSnapshot,
    names: Mapping[str, str],
    group_names: Mapping[str, str],
) -> list[str]:
    """The stage that funded ``line`` in words, then who paid how much."""
    payers = line.paying_organizations()
    rule = RULE_WORDS.get(snap.envelope.rule, str(snap.envelope.rule))
    if line.stage == "pledges":
        pledgers = [k for k, w in line.pledges.items() if w > 0]
        if pledgers and ORGANIZATIONS not in line.pledges:
            who = _and([names.get(k, k) for k in sorted(pledgers)])
            kind = "an earmarked pledge" if len(pledgers) == 1 else "earmarked pledges"
            stage = f"Funded by {kind} from {who}."
        else:
            stage = "Funded by earmarked pledges."
    elif line.stage == "floor":
        group = floor_group(line, snap)
        label = group_names.get(group, group.split(":", 1)[-1]) if group else None
        stage = (
            f"Funded by the floor the executive set for {label}: paid from the pool."
            if label
            else "Funded by a floor the executive set: paid from the pool."
        )
    elif line.stage == "rule":
        if set(line.payments) <= {POOL}:
            stage = f"Funded by {rule}, paid from the pool."
        else:
            stage = f"Funded by {rule}: {_count(payers, 'organization')} paid."
    elif line.stage == "completion":
        stage = (
            "Funded in the completion step that spends what equal shares left, paid from the pool."
        )
    else:
        stage = f"Funded ({line.stage})."
    return [stage, "Who paid: " + who_paid(line, names) + "."]


def who_paid(line: FundedLine, names: Mapping[str, str]) -> str:
    """Each payer with its person-weeks: pledges per organization, then the rest; the
    organizations a reader may not see as one total with their number."""
    parts: list[str] = []
    for key, weeks in sorted(line.pledges.items()):
        if key == ORGANIZATIONS:
            parts.append(f"earmarked pledges, {person_weeks(weeks)}")
        else:
            parts.append(f"{names.get(key, key)} by an earmarked pledge, {person_weeks(weeks)}")
    unattributed = line.pledged - sum(line.pledges.values())
    if unattributed > 1e-9:
        parts.append(f"earmarked pledges, {person_weeks(unattributed)}")
    hidden = line.payments.get(ORGANIZATIONS)
    for key, weeks in sorted(line.payments.items()):
        if key == POOL:
            parts.append(f"the pool, {person_weeks(weeks)}")
        elif key != ORGANIZATIONS and weeks > 0:
            parts.append(f"{names.get(key, key)}, {person_weeks(weeks)}")
    if hidden:
        why = (
            "members who sign in see who paid what"
            if line.members_see
            else "who paid what is private in this period"
        )
        parts.append(
            f"{_count(line.paying_organizations(), 'organization')} in all, "
            f"{person_weeks(hidden)} ({why})"
        )
    return "; ".join(parts) or "nobody (it cost nothing)"


def floor_group(line: FundedLine, snap: PlanSnapshot) -> str | None:
    """The ``"theme:<slug>"`` or ``"subcommunity:<slug>"`` whose floor funded ``line``."""
    for c in snap.envelope.constraints:
        if c.floor_weeks is None:
            continue
        if c.group_kind == GroupKind.THEME and c.group == line.theme:
            return f"theme:{c.group}"
        if c.group_kind == GroupKind.SUBCOMMUNITY and c.group == line.subcommunity:
            return f"subcommunity:{c.group}"
    return None


REASONS = {
    "not eligible": "Not funded: it was not eligible (only items in scope can be funded).",
    "too little support": (
        "Not funded: too little support. The organizations that asked for it could not "
        "together pay its effort from their shares of the budget."
    ),
    "no budget left": (
        "Not funded: no budget left. The budget was spent on the items that came before it "
        "(its supporters' shares on other items they asked for, and the completion step's "
        "rest on items with more support per person-week)."
    ),
    "a cap": (
        "Not funded: a cap. Funding it would have taken its sub-community or theme over the "
        "cap the executive set."
    ),
    "a missing dependency": "Not funded: an item it depends on was not funded.",
    "no support": "Not funded: no member organization asked for it.",
}
LEFT_OVER = (
    "Not funded: no budget left. It did not fit in what was left of the budget when its turn came."
)


def unfunded_sentences(line: UnfundedLine, snap: PlanSnapshot) -> list[str]:
    """The reason ``line`` was left out in words, and its effective support (equal shares;
    none for an item nobody asked for, which has no supporters to measure)."""
    if line.reason == "no budget left" and snap.envelope.rule != AllocationRule.EQUAL_SHARES:
        sentences = [LEFT_OVER]
    else:
        sentences = [REASONS.get(line.reason, f"Not funded: {line.reason}.")]
    if line.effective_support is not None and line.reason != "no support":
        sentences.append(effective_support_sentence(line.effective_support))
    return sentences


def reason_words(reason: str) -> str:
    """A reason as a short phrase: "no budget left", "no member organization asked for it"."""
    sentence = REASONS.get(reason, f"Not funded: {reason}.")
    return sentence.removeprefix("Not funded: ").split(". ")[0].removesuffix(".")


def effective_support_sentence(percent: int) -> str:
    meaning = (
        "its supporters held enough to buy it at a price no worse than an item funded; it "
        "lost a tie, or a cap or dependency held it back"
        if percent >= 100
        else f"at the prices equal shares paid for the items it funded, its supporters could "
        f"have paid {percent}% of its effort"
        + (" (none had anything left for it, or nobody asked for it)" if percent == 0 else "")
    )
    return f"Effective support: {percent}% ({meaning})."


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


# ---- what would fund it (on demand) -------------------------------------------------------


@dataclass(frozen=True)
class WhatWouldFund:
    """The exact answers for one item left out, as a reader may see them."""

    item: int
    # The sentence saying why nothing was computed (the signals changed since the plan), or
    # None.
    stale: str | None = None
    max_effort: int | None = None  # person-weeks
    pledge_weeks: int | None = None
    pledge_money: float | None = None  # at the period's rate; None without a rate
    has_rate: bool = False
    # Organization name -> whether approving it would fund it (those the reader may see).
    approvals: dict[str, bool] = field(default_factory=dict)
    hidden: int = 0  # organizations whose answer the reader may not see
    # The hidden answers are shown to members who sign in (an attributed period read signed
    # out: ``privacy.sign_in_shows``), not private.
    members_see: bool = False

    def sentences(self) -> list[str]:
        if self.stale:
            return [self.stale]
        out = [
            (
                f"A scope cut would fund it: at {person_weeks(self.max_effort)} of effort or "
                "less (the largest whole number of person-weeks at which the same rule, with "
                "everything else unchanged, funds it)."
            )
            if self.max_effort is not None
            else "No cut of its effort (to a whole number of person-weeks) would fund it."
        ]
        if self.pledge_weeks is None:
            out.append("No additional earmarked pledge would fund it (a cap or a dependency).")
        else:
            money = (
                f", about {self.pledge_money:,.0f} in money at the period's rate"
                if self.pledge_money is not None
                else " (this period has no rate for money pledges)"
            )
            out.append(
                "An additional earmarked pledge of "
                f"{person_weeks(self.pledge_weeks)}{money} would fund it."
            )
        funds = sorted(n for n, yes in self.approvals.items() if yes)
        not_enough = sorted(n for n, yes in self.approvals.items() if not yes)
        out += [f"If {name} approved it, it would be funded." for name in funds]
        if not_enough:
            out.append(
                f"Approving it alone would not fund it for {_and(not_enough)}."
                if len(not_enough) <= 5
                else f"Approving it alone would not fund it for {len(not_enough)} other "
                "organizations that do not support it."
            )
        if not self.approvals and not self.hidden:
            out.append("Every organization already supports it: no signal change would fund it.")
        if self.hidden:
            out.append(
                f"What {_count(self.hidden, 'other organization')} could change is shown to "
                "members who sign in."
                if self.members_see
                else f"What {_count(self.hidden, 'other organization')} could change is "
                "private in this period."
            )
        out.append(
            "Points and rankings do not weigh in the allocation (every signal counts as "
            "support), so moving points to an item an organization already supports changes "
            "nothing."
        )
        return out


_CACHE: OrderedDict[tuple[str, int], WhatWouldFund] = OrderedDict()
_FUNDED: OrderedDict[str, frozenset[int]] = OrderedDict()
_LOCK = threading.Lock()
CACHE_SIZE = 512


def what_would_fund_in_scenario(
    ctx: Context,
    actor: Actor,
    envelope: Envelope,
    item_id: int,
    funded: Iterable[int],
    period_key: str | None = None,
) -> WhatWouldFund:
    """What would fund ``item_id`` in a scenario the executive ran with ``envelope``
    (``funded``: the items the scenario funded, to tell whether the signals changed since)."""
    require(actor, Role.EXECUTIVE, to="run allocation scenarios")
    return _answer(ctx, actor, envelope, item_id, frozenset(funded), period_key)


def what_would_fund_in_plan(
    ctx: Context, actor: Actor, period_key: str, version: int, item_id: int
) -> WhatWouldFund:
    """What would fund ``item_id`` in version ``version`` of the period's published plan (as
    ``actor`` may see it; anyone may read a published plan)."""
    plan = next(
        (p for p in publishing.published_plans(ctx, actor, period_key) if p.version == version),
        None,
    )
    if plan is None:
        raise NotFound(f"There is no version {version} of the {period_key} plan.")
    snap = plan.snapshot
    return _answer(ctx, actor, snap.envelope, item_id, _funded_ids(snap), period_key)


def _funded_ids(snap: PlanSnapshot) -> frozenset[int]:
    return frozenset(f.item for f in snap.funded)


def _answer(
    ctx: Context,
    actor: Actor,
    envelope: Envelope,
    item_id: int,
    funded: frozenset[int],
    period_key: str | None,
) -> WhatWouldFund:
    period = periods.get_period(ctx, period_key).settings
    run = funding_input(ctx, envelope, period.key)
    key = _fingerprint(run)
    if _funded_now(run, key) != funded:
        return WhatWouldFund(
            item_id,
            stale="The signals, items or staff have changed since this was run, so what "
            "would have funded it cannot be worked out from them; run it again.",
        )
    with _LOCK:
        full = _CACHE.get((key, item_id))
    if full is None:
        full = _compute(run, item_id, period.weeks_per_currency)
        with _LOCK:
            _CACHE[(key, item_id)] = full
            while len(_CACHE) > CACHE_SIZE:
                _CACHE.popitem(last=False)
    return as_seen(
        full,
        run.names,
        lambda org: sees_signal(actor, period.privacy, org),
        sign_in_shows(actor, period.privacy),
    )


def as_seen(
    full: WhatWouldFund,
    names: Mapping[str, str],
    sees: Callable[[str], bool],
    members_see: bool = False,
) -> WhatWouldFund:
    """``full`` (approvals by organization key) as a reader sees it: by name, only the
    organizations whose signals the reader may see; the others counted in ``hidden``
    (``members_see``: shown to members who sign in)."""
    shown = {names.get(k, k): yes for k, yes in full.approvals.items() if sees(k)}
    return WhatWouldFund(
        full.item,
        full.stale,
        full.max_effort,
        full.pledge_weeks,
        full.pledge_money,
        full.has_rate,
        shown,
        len(full.approvals) - len(shown),
        members_see,
    )


def _fingerprint(run: FundingInput) -> str:
    text = repr((run.election, run.rule, run.weights, run.constraints))
    return hashlib.sha256(text.encode()).hexdigest()


def _funded_now(run: FundingInput, key: str) -> frozenset[int]:
    with _LOCK:
        known = _FUNDED.get(key)
    if known is None:
        selected = allocate(
            run.election, run.rule, weights=run.weights, constraints=run.constraints, explain=False
        ).selected
        known = frozenset(int(i) for i in selected)
        with _LOCK:
            _FUNDED[key] = known
            while len(_FUNDED) > 32:
                _FUNDED.popitem(last=False)
    return known


def _compute(run: FundingInput, item_id: int, rate: float) -> WhatWouldFund:
    """The engine's exact answers, approvals by organization key (every organization)."""
    item = str(item_id)
    kw = {"weights": run.weights, "constraints": run.constraints}
    cost = largest_funded_cost(run.election, item, run.rule, **kw)  # type: ignore[arg-type]
    pledger = run.election.voters[0].id
    pledge = smallest_pledge(
        run.election,
        item,
        run.rule,
        voter_id=pledger,
        **kw,  # type: ignore[arg-type]
    )
    changes = voter_changes(run.election, item, run.rule, **kw)  # type: ignore[arg-type]
    return WhatWouldFund(
        item_id,
        max_effort=cost,
        pledge_weeks=pledge,
        pledge_money=pledge / rate if pledge is not None and rate > 0 else None,
        has_rate=rate > 0,
        approvals={k: bool(c.approve) for k, c in changes.items()},
    )


# ---- reading ------------------------------------------------------------------------------


def group_names(ctx: Context) -> dict[str, str]:
    """``"theme:<slug>"`` and ``"subcommunity:<slug>"`` to the group's name."""
    return {f"subcommunity:{g.slug}": g.name for g in catalog.list_subcommunities(ctx)} | {
        f"theme:{g.slug}": g.name for g in catalog.list_themes(ctx)
    }


@dataclass(frozen=True)
class ItemInPlan:
    """An item's explanation in the final published plan that explains it
    (:func:`item_in_its_plan`)."""

    period: str
    version: int
    privacy: Privacy
    explanation: ItemExplanation
    done: bool = False  # the item is done
    # For an item this plan funded that is not done yet: what the newest later final plan
    # that left it out says, e.g. "2027-H2's final plan (version 1) does not fund it again:
    # no member organization asked for it."; None otherwise.
    later: str | None = None

    def summary(self) -> str:
        """E.g. "Funded in 2027-H1's final plan (version 1); done."."""
        verdict = "Funded in" if self.explanation.funded else "Not funded in"
        end = "; done." if self.done else "."
        return f"{verdict} {self.period}'s final plan (version {self.version}){end}"


def item_in_its_plan(ctx: Context, actor: Actor, item_id: int) -> ItemInPlan | None:
    """The item explained, as ``actor`` may see it, by the final published plan of the
    newest period that funded it (an item done, or carried into a later period that left it
    out, is explained by what funded it), else by the newest that left it out; None when no
    final plan considered it (``roadmap.domain.plans.explaining_plan``)."""
    finals: list[tuple[str, PlanView]] = []
    for entry in period_setup.list_periods(ctx):  # the newest first
        final = publishing.final_plan(ctx, actor, entry.key) if entry.plans else None
        if final is not None:
            finals.append((entry.key, final))
    chosen = explaining_plan(item_id, [plan.snapshot for _, plan in finals])
    if chosen is None:
        return None
    key, plan = finals[chosen.index]
    found = next(e for e in explain_plan(plan.snapshot, group_names(ctx)) if e.item == item_id)
    privacy = periods.get_period(ctx, key).settings.privacy
    status = item_reads.item_status(ctx, item_id)
    later = None
    if chosen.left_out_later is not None and status is not None and status.is_open:
        later_key, later_plan = finals[chosen.left_out_later]
        line = next(u for u in later_plan.snapshot.unfunded if u.item == item_id)
        later = (
            f"{later_key}'s final plan (version {later_plan.version}) does not fund it again: "
            f"{reason_words(line.reason)}."
        )
    return ItemInPlan(key, plan.version, privacy, found, status == ItemStatus.DONE, later)
