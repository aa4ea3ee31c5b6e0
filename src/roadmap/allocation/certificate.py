"""The certificate of an outcome: what a checker needs to confirm, without running the rule,
that the stated outcome is the rule's outcome on the election, and the checker itself.

A certificate is plain JSON (numbers as exact strings, ``"7/4"``), keyed by part:

* ``equal_shares`` (the three equal-shares rules): ``total``, the total the run that was
  kept spent from (add1 raises it in steps of one unit per voter), each voter's ``budgets``
  (``total * weight``), and the ``rounds``: for each item the rule stage funded, in order,
  its price per unit of utility ``rho``. Each supporter ``i`` pays ``min(r_i, rho * u_i)``
  of its money left ``r_i``, and these payments sum to the item's rule cost. The conditions
  checked are those that define the Method of Equal Shares (Peters and Skowron 2020; the
  per-round form of equalshares.net's "price per unit of utility"): at every round no other
  available item could be bought at a lower ``rho`` (``sum_i min(r_i, rho * u_i) <
  cost``, or equal with a steeper price and a larger id), and at the end of the rule stage
  no available item is affordable from its supporters' money left (the stopping rule; with
  the budgets these make the payments a price system, C1-C5 of ``price_system.py``).
* ``greedy`` (the greedy rule, and the greedy completion of ``equal-shares-add1-greedy``):
  the ``budget`` it started with and its ``decisions`` in order: each item taken from the
  queue with its ``density`` (weighted support per unit of rule cost), the ``budget`` left
  before it, whether it was ``funded`` and how many items (all stages) were funded before it
  (``after``). Checked: each density, that each item taken had the highest density (ties:
  smallest id) of the items available and not yet decided, that it was funded exactly when
  it fitted the budget and every cap, and that no available item was left undecided.
* ``phragmen``: each voter's earning ``rates`` (``n * weight``), the ``rounds`` (item and the
  time it was bought, its supporters' new load) and the ``stop`` (the earliest time and items
  left when the rule stopped, or null). Checked: each supporter pays what it earned since it
  last paid (``rate * time - spent``), which sums to the rule cost; no available item had an
  earlier time (ties: smallest id); every item tied at that time fitted the budget; and the
  stop is the earliest time, with an item that does not fit.

Every rule: the start budget is the budget less the reserve less the floor items' costs;
each funded item is paid in full by its pledges and payments; each was available when it was
funded (eligible, not funded before, its dependencies funded, within its groups' caps);
pledged-in-full items are free to the rule and floor and completion items are paid by the
pool. The floor pre-pass and add1's choice of total are not certified here: recomputing the
outcome checks them (``roadmap verify`` does both).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from roadmap.allocation.constraints import Constraints
from roadmap.allocation.election import Election, Number
from roadmap.allocation.explanation import POOL, Allocation, FundedItem, Stage
from roadmap.allocation.greedy import Decision
from roadmap.allocation.prepared import FundedSoFar, Prepared, prepare

Json = dict[str, Any]


EXACT_CHARS = 80
"""Amounts whose exact fraction is longer than this are written to :data:`DIGITS`
significant digits, marked ``~`` (sequential Phragmén's loads with unequal voice grow
fractions of thousands of digits); checks then hold to :data:`SLACK` of the budget."""
DIGITS = 40
SLACK = Fraction(1, 10**30)


def exact_text(value: object) -> str:
    """An amount as text: exact (``3``, ``7/4``) when short, else ``~<digits>e<exponent>``;
    a float as its shortest repr."""
    if isinstance(value, bool):
        raise TypeError("a flag is not an amount")
    if isinstance(value, float):
        return repr(value)
    if not isinstance(value, int | Fraction):
        raise TypeError(f"not an amount: {value!r}")
    f = Fraction(value)
    digits = (f.numerator.bit_length() + f.denominator.bit_length()) * 0.302
    if digits <= EXACT_CHARS - 2 and len(text := str(f)) <= EXACT_CHARS:
        return text
    return _approximate(f)


def _approximate(f: Fraction) -> str:
    if f == 0:
        return "0"
    sign, f = ("-" if f < 0 else ""), abs(f)
    scale = DIGITS - (f.numerator.bit_length() - f.denominator.bit_length()) * 30103 // 100000
    if scale >= 0:
        mantissa = f.numerator * 10**scale // f.denominator
    else:
        mantissa = f.numerator // (f.denominator * 10**-scale)
    return f"~{sign}{mantissa}e{-scale}"


def exact_value(text: str) -> Fraction:
    """The inverse of :func:`exact_text` (an approximation, or a float's repr, read as the
    decimal it shows)."""
    if len(text) > 2 * EXACT_CHARS:
        raise ValueError(f"an amount of {len(text)} characters")
    return Fraction(text.removeprefix("~"))


def show(value: object) -> str:
    """An amount for a sentence: exact when short, else about 12 significant digits."""
    if isinstance(value, int | Fraction) and not isinstance(value, bool):
        text = exact_text(value)
        return text if not text.startswith("~") else f"{float(Fraction(value)):.12g}"
    return str(value)


@dataclass(frozen=True)
class Check:
    """One checked statement: its sentence, whether it holds, and why not."""

    name: str
    holds: bool
    detail: str = ""

    def sentence(self) -> str:
        """The check as one line: "ok: ..." or "FAILED: ...: why"."""
        if self.holds:
            return f"ok: {self.name}."
        return f"FAILED: {self.name}: {self.detail}."


def certificate_of(
    election: Election,
    weights: Sequence[Number] | None,
    constraints: Constraints,
    allocation: Allocation,
) -> Json:
    """The certificate of an allocation made by :func:`~roadmap.allocation.rules.allocate`
    with ``explain=True`` on these inputs."""
    prep = prepare(election, weights, constraints)
    extra: Any = allocation.extra
    cert: Json = {"rule": allocation.rule, "start_budget": exact_text(extra["start"])}
    if allocation.rule.startswith("equal-shares"):
        total = extra["total"]
        cert["equal_shares"] = {
            "total": exact_text(total),
            "budgets": {
                v: exact_text(s) for v, s in zip(prep.voter_ids, prep.shares(total), strict=True)
            },
            "rounds": [
                {"item": f.item_id, "rho": exact_text(f.price)}
                for f in allocation.explanation.funded
                if f.stage == Stage.RULE
            ],
        }
        if allocation.rule == "equal-shares-add1-greedy":
            cert["greedy"] = _greedy(prep, extra["completion_budget"], extra["decisions"])
    elif allocation.rule == "greedy":
        cert["greedy"] = _greedy(prep, extra["start"], extra["decisions"])
    elif allocation.rule == "phragmen":
        stop = extra["stop"]
        cert["phragmen"] = {
            "rates": {v: exact_text(r) for v, r in zip(prep.voter_ids, _rates(prep), strict=True)},
            "rounds": [{"item": prep.ids[p], "time": _time_text(t)} for p, t in extra["rounds"]],
            "stop": None
            if stop is None
            else {"time": _time_text(stop[0]), "items": [prep.ids[p] for p in stop[1]]},
        }
    else:
        raise ValueError(f"no certificate for the rule {allocation.rule!r}")
    return cert


def _greedy(prep: Prepared, budget: Number, log: Sequence[Decision]) -> Json:
    return {
        "budget": exact_text(budget),
        "decisions": [
            {
                "item": prep.ids[d.item],
                "density": exact_text(d.density),
                "budget": exact_text(d.budget),
                "funded": d.funded,
                "after": d.after,
            }
            for d in log
        ],
    }


def _rates(prep: Prepared) -> list[Fraction]:
    return [Fraction(1)] * prep.n if prep.equal_weights else [w * prep.n for w in prep.weights]


def _time_text(time: Any) -> str | None:
    return None if time == math.inf else exact_text(time)


class _Failed(Exception):
    def __init__(self, name: str, detail: str) -> None:
        super().__init__(detail)
        self.name = name
        self.detail = detail


def check_certificate(
    election: Election,
    weights: Sequence[Number] | None,
    constraints: Constraints,
    stated: Allocation,
    certificate: Mapping[str, Any],
) -> list[Check]:
    """Check that ``certificate`` proves ``stated`` is the outcome of its rule on the
    election, without running the rule. Returns the checks in order; the first that fails
    ends the list (later ones would build on it)."""
    checker = _Checker(prepare(election, weights, constraints), stated, certificate)
    try:
        checker.run()
    except _Failed as failed:
        checker.checks.append(Check(failed.name, False, failed.detail))
    except (KeyError, TypeError, ValueError, ZeroDivisionError, IndexError) as exc:
        checker.checks.append(
            Check(
                "the certificate is complete and well formed", False, f"{type(exc).__name__}: {exc}"
            )
        )
    return checker.checks


class _Checker:
    def __init__(self, prep: Prepared, stated: Allocation, cert: Mapping[str, Any]) -> None:
        self.prep = prep
        self.stated = stated
        self.cert = cert
        self.checks: list[Check] = []
        self.index = {item: p for p, item in enumerate(prep.ids)}
        self.voter = {v: i for i, v in enumerate(prep.voter_ids)}
        self.funded: dict[str, FundedItem] = {f.item_id: f for f in stated.explanation.funded}
        self.tol: Fraction = (
            SLACK * max(Fraction(prep.budget), Fraction(1))
            if stated.exact
            else Fraction(1, 10**9) * max(Fraction(prep.budget), Fraction(1))
        )

    # --- helpers -----------------------------------------------------------------------
    def ok(self, name: str) -> None:
        self.checks.append(Check(name, True))

    def near(self, a: Number, b: Number) -> bool:
        return abs(Fraction(a) - Fraction(b)) <= self.tol

    def utilities(self, p: int) -> list[tuple[int, Fraction]]:
        util = self.prep.utility[p]
        sup = self.prep.supporters[p].tolist()
        if util is None:
            return [(i, Fraction(self.prep.full_cost[p])) for i in sup]
        return [(i, Fraction(u)) for i, u in zip(sup, util, strict=True)]

    def payments_of(self, item: FundedItem) -> dict[int, Fraction]:
        out: dict[int, Fraction] = {}
        for voter, amount in item.payments.items():
            if voter == POOL:
                continue
            if voter not in self.voter:
                raise _Failed(
                    "every payer is a voter of the election", f"{voter} pays for {item.item_id}"
                )
            out[self.voter[voter]] = Fraction(amount)
        return out

    def available(self, funding: FundedSoFar, p: int) -> bool:
        return (
            self.prep.eligible[p]
            and not funding.funded[p]
            and funding.deps_met(p)
            and funding.within_caps(p)
        )

    # --- the checks ----------------------------------------------------------------------
    def run(self) -> None:
        prep, stated = self.prep, self.stated
        if self.cert.get("rule") != stated.rule:
            raise _Failed(
                "the certificate is for the outcome's rule",
                f"certificate for {self.cert.get('rule')!r}, outcome of {stated.rule!r}",
            )
        self.paid_in_full()
        floors = sum(
            (
                Fraction(prep.rule_cost[self.index[f.item_id]])
                for f in stated.explanation.funded
                if f.stage == Stage.FLOOR
            ),
            Fraction(0),
        )
        start = Fraction(prep.rule_budget) - floors
        if exact_value(self.cert["start_budget"]) != start:
            raise _Failed(
                "the rule's budget is the budget less the reserve and the floor items",
                f"certificate says {self.cert['start_budget']}, the election gives {show(start)}",
            )
        self.ok(
            f"the rule's budget is the budget less the reserve and the floor items ({show(start)})"
        )
        if "equal_shares" in self.cert:
            self.equal_shares(start)
        elif "phragmen" in self.cert:
            self.phragmen(start)
        else:
            self.replay(greedy=self.cert["greedy"], greedy_stage=Stage.RULE)

    def paid_in_full(self) -> None:
        prep = self.prep
        name = "each funded item is paid in full by its pledges and payments"
        for f in self.stated.explanation.funded:
            if f.item_id not in self.index:
                raise _Failed(name, f"{f.item_id} is not an item of the election")
            p = self.index[f.item_id]
            total = sum((Fraction(a) for a in f.payments.values()), Fraction(0))
            total += sum((Fraction(a) for a in f.pledges.values()), Fraction(0))
            if not self.near(total, prep.full_cost[p]) or Fraction(f.cost) != prep.full_cost[p]:
                raise _Failed(
                    name, f"{f.item_id} costs {show(prep.full_cost[p])}, paid {show(total)}"
                )
            pledges: dict[str, Fraction] = {}
            for voter, amount in prep.pledges[p]:
                vid = prep.voter_ids[voter]
                pledges[vid] = pledges.get(vid, Fraction(0)) + Fraction(amount)
            if {k: Fraction(v) for k, v in f.pledges.items() if v} != pledges:
                raise _Failed(
                    "each item's pledges are the earmarks the signals made",
                    f"{f.item_id}: stated {f.pledges}, signals pledge {pledges}",
                )
            pool = Fraction(f.payments.get(POOL, 0))
            if f.stage != Stage.RULE and not self.near(pool, prep.rule_cost[p]):
                raise _Failed(
                    "items funded outside the rule are paid by the pool",
                    f"{f.item_id} ({f.stage.value}): the pool pays {show(pool)} "
                    f"of {show(prep.rule_cost[p])}",
                )
            if f.stage == Stage.PLEDGES and prep.rule_cost[p] != 0:
                raise _Failed(
                    "items funded by pledges are pledged in full",
                    f"{f.item_id} has {show(prep.rule_cost[p])} left to pay",
                )
        if [f.item_id for f in self.stated.explanation.funded] != list(self.stated.selected):
            raise _Failed(name, "the funded items are not those selected, in order")
        spent = sum(
            (Fraction(prep.full_cost[self.index[i]]) for i in self.stated.selected), Fraction(0)
        )
        if not self.near(self.stated.spent, spent):
            raise _Failed(
                name, f"stated spending {show(self.stated.spent)}, the items cost {show(spent)}"
            )
        self.ok(name)
        self.ok("each item's pledges are the earmarks the signals made")

    # --- equal shares ----------------------------------------------------------------------
    def equal_shares(self, start: Fraction) -> None:
        prep, part = self.prep, self.cert["equal_shares"]
        total = exact_value(part["total"])
        steps = (total - start) / prep.n if prep.n else Fraction(0)
        if self.stated.rule == "equal-shares":
            if total != start:
                raise _Failed(
                    "equal shares spends from the rule's budget",
                    f"the run's total {show(total)} is not the rule's budget {show(start)}",
                )
        elif steps < 0 or steps.denominator != 1:
            raise _Failed(
                "add1's total is the rule's budget raised by whole units per voter",
                f"{show(total)} is not {show(start)} plus a whole number of steps of {prep.n}",
            )
        budgets = {v: exact_value(b) for v, b in part["budgets"].items()}
        for v, share in zip(prep.voter_ids, prep.shares(total), strict=True):
            if budgets.get(v) is None or not self.near(budgets[v], share):
                raise _Failed(
                    "each voter's budget is its voice times the total",
                    f"{v}: {show(budgets.get(v))} is not {show(share)}",
                )
        self.ok(f"each voter's budget is its voice times the total ({show(total)})")
        money = [budgets[v] for v in prep.voter_ids]
        rounds = list(part["rounds"])
        state = {"round": 0}

        def rule_step(funding: FundedSoFar, p: int, item: FundedItem) -> None:
            t = state["round"]
            if t >= len(rounds) or rounds[t]["item"] != item.item_id:
                raise _Failed(
                    "the certificate prices each item the rule funded, in order",
                    f"round {t + 1} funds {item.item_id}",
                )
            rho = exact_value(rounds[t]["rho"])
            self.mes_round(funding, p, item, rho, money, t + 1)
            state["round"] = t + 1

        def rule_end(funding: FundedSoFar) -> None:
            if state["round"] != len(rounds):
                raise _Failed(
                    "the certificate prices each item the rule funded, in order",
                    f"{len(rounds)} rounds stated, {state['round']} funded",
                )
            self.mes_stop(funding, money)

        greedy = self.cert.get("greedy")
        if self.stated.rule == "equal-shares-add1-greedy" and greedy is None:
            raise _Failed("the certificate covers the greedy completion", "it has no greedy part")
        self.replay(
            rule_step=rule_step, rule_end=rule_end, greedy=greedy, greedy_stage=Stage.COMPLETION
        )
        self.ok(
            "each payment is min(money left, rho x utility) and sums to the item's cost "
            f"({len(rounds)} rounds)"
        )
        self.ok("no item could have been bought at a lower price in any round")
        self.ok(
            "when the rule stopped, no available item was affordable from its "
            "supporters' money left"
        )

    def mes_round(
        self,
        funding: FundedSoFar,
        p: int,
        item: FundedItem,
        rho: Fraction,
        money: list[Fraction],
        t: int,
    ) -> None:
        prep = self.prep
        paid = self.payments_of(item)
        name = "each payment is min(money left, rho x utility) and sums to the item's cost"
        supporters = dict(self.utilities(p))
        for i in paid:
            if i not in supporters and paid[i] != 0:
                raise _Failed(
                    "voters pay only for items they support",
                    f"{prep.voter_ids[i]} pays {show(paid[i])} for {item.item_id} "
                    "without supporting it",
                )
        total = Fraction(0)
        for i, u in supporters.items():
            want = min(money[i], rho * u)
            if not self.near(paid.get(i, 0), want):
                raise _Failed(
                    name,
                    f"round {t}, {item.item_id}: {prep.voter_ids[i]} pays "
                    f"{show(paid.get(i, 0))}, min(money left {show(money[i])}, "
                    f"rho {show(rho)} x {show(u)}) is {show(want)}",
                )
            total += want
        if not self.near(total, prep.rule_cost[p]):
            raise _Failed(
                name,
                f"round {t}, {item.item_id}: at rho {show(rho)} its supporters pay {show(total)}, "
                f"its cost to the rule is {show(prep.rule_cost[p])}",
            )
        for q in range(prep.m):
            if q == p or prep.rule_cost[q] <= 0 or not self.available(funding, q):
                continue
            offer = Fraction(0)
            slope = Fraction(0)
            for i, u in self.utilities(q):
                offer += min(money[i], rho * u)
                if rho * u <= money[i] + self.tol:
                    slope += u
            cost = Fraction(prep.rule_cost[q])
            cheaper = offer > cost + self.tol
            tied = not cheaper and offer >= cost - self.tol
            if cheaper or (tied and (slope == 0 or prep.ids[q] < prep.ids[p])):
                raise _Failed(
                    "no item could have been bought at a lower price in any round",
                    f"round {t}: at rho {show(rho)} the supporters of {prep.ids[q]} would pay "
                    f"{show(offer)} for its cost {show(cost)}, so it comes before {item.item_id}",
                )
        for i, u in supporters.items():
            money[i] -= min(money[i], rho * u)

    def mes_stop(self, funding: FundedSoFar, money: list[Fraction]) -> None:
        prep = self.prep
        for q in range(prep.m):
            if prep.rule_cost[q] <= 0 or not self.available(funding, q):
                continue
            left = sum((money[i] for i, _ in self.utilities(q)), Fraction(0))
            if left >= Fraction(prep.rule_cost[q]) + self.tol:
                raise _Failed(
                    "when the rule stopped, no available item was affordable from its "
                    "supporters' money left",
                    f"{prep.ids[q]}: its supporters keep {show(left)}, "
                    f"it costs {show(prep.rule_cost[q])}",
                )

    # --- Phragmén -------------------------------------------------------------------------
    def phragmen(self, start: Fraction) -> None:
        prep, part = self.prep, self.cert["phragmen"]
        rates = _rates(prep)
        stated_rates = {v: exact_value(r) for v, r in part["rates"].items()}
        for v, rate in zip(prep.voter_ids, rates, strict=True):
            if v not in stated_rates or not self.near(stated_rates[v], rate):
                raise _Failed(
                    "each voter earns at n x its voice",
                    f"{v}: {show(stated_rates.get(v))} is not {show(rate)}",
                )
        self.ok("each voter earns at n x its voice")
        spent = [Fraction(0)] * prep.n
        budget = {"left": start}
        considered = {p for p in range(prep.m) if prep.rule_cost[p] <= start and prep.eligible[p]}
        rounds = list(part["rounds"])
        state = {"round": 0}

        def time_of(q: int) -> Fraction | None:
            sup = self.prep.supporters[q].tolist()
            rate = sum((rates[i] for i in sup), Fraction(0))
            if not rate:
                return None  # infinity: nobody who earns supports it
            return (Fraction(prep.rule_cost[q]) + sum(spent[i] for i in sup)) / rate

        def key(q: int) -> tuple[int, Fraction, str]:
            t = time_of(q)
            return (1, Fraction(0), prep.ids[q]) if t is None else (0, t, prep.ids[q])

        def rule_step(funding: FundedSoFar, p: int, item: FundedItem) -> None:
            t = state["round"]
            if t >= len(rounds) or rounds[t]["item"] != item.item_id:
                raise _Failed(
                    "the certificate times each item the rule funded, in order",
                    f"round {t + 1} funds {item.item_id}",
                )
            stated_time = rounds[t]["time"]
            when = None if stated_time is None else exact_value(stated_time)
            if p not in considered:
                raise _Failed(
                    "the rule buys only items that fit its budget at the start",
                    f"{item.item_id} costs {show(prep.rule_cost[p])} of {show(start)}",
                )
            exact_time = time_of(p)
            if (exact_time is None) != (when is None) or (
                exact_time is not None and when is not None and not self.near(exact_time, when)
            ):
                raise _Failed(
                    "each item is bought when its supporters have earned its cost",
                    f"round {t + 1}, {item.item_id}: stated time {stated_time}, "
                    f"its supporters earn it at {show(exact_time)}",
                )
            paid = self.payments_of(item)
            sup = prep.supporters[p].tolist()
            for i in sup if exact_time is not None else ():  # at infinity the pool pays
                want = rates[i] * exact_time - spent[i]
                if not self.near(paid.get(i, 0), want):
                    raise _Failed(
                        "each supporter pays what it earned since it last paid",
                        f"{item.item_id}: {prep.voter_ids[i]} pays {show(paid.get(i, 0))}, "
                        f"earned {show(want)}",
                    )
            if set(paid) - set(sup):
                raise _Failed("voters pay only for items they support", item.item_id)
            available = [q for q in considered if self.available(funding, q)]
            first = min(available, key=key)
            if first != p:
                raise _Failed(
                    "no available item had an earlier time (ties: smallest id)",
                    f"round {t + 1}: {prep.ids[first]} at {show(time_of(first))} comes before "
                    f"{item.item_id} at {show(when)}",
                )
            tied = [q for q in available if key(q)[:2] == key(p)[:2]]
            if any(prep.rule_cost[q] > budget["left"] for q in tied):
                raise _Failed(
                    "every item tied at the earliest time fitted the budget",
                    f"round {t + 1}: the rule stops when an item tied at {show(when)} does not fit",
                )
            for i in sup if exact_time is not None else ():
                spent[i] = rates[i] * exact_time
            budget["left"] -= Fraction(prep.rule_cost[p])
            state["round"] = t + 1

        def rule_end(funding: FundedSoFar) -> None:
            name = "the rule stopped at the first earliest item that did not fit"
            available = [q for q in considered if self.available(funding, q)]
            stop = part["stop"]
            if not available:
                if stop is not None:
                    raise _Failed(name, "nothing was left to buy, yet a stop is stated")
                return
            first = min(available, key=key)
            tied = sorted(
                (q for q in available if key(q)[:2] == key(first)[:2]), key=lambda q: prep.ids[q]
            )
            if not any(prep.rule_cost[q] > budget["left"] for q in tied):
                raise _Failed(
                    name, f"{prep.ids[first]} was next, at {show(time_of(first))}, and it fits"
                )
            stated = None if stop is None else [str(i) for i in stop["items"]]
            if stated != [prep.ids[q] for q in tied]:
                raise _Failed(
                    name, f"stated {stated}, the earliest are {[prep.ids[q] for q in tied]}"
                )

        self.replay(rule_step=rule_step, rule_end=rule_end)
        if state["round"] != len(rounds):
            raise _Failed(
                "the certificate times each item the rule funded, in order",
                f"{len(rounds)} rounds stated, {state['round']} funded",
            )
        self.ok(
            "each supporter pays what it earned since it last paid, at the stated times "
            f"({len(rounds)} rounds)"
        )
        self.ok("no available item had an earlier time (ties: smallest id)")
        self.ok("the rule stopped at the first earliest item that did not fit")

    # --- the replay of the funded items, with the greedy part -----------------------------
    def replay(
        self,
        rule_step: Callable[[FundedSoFar, int, FundedItem], None] | None = None,
        rule_end: Callable[[FundedSoFar], None] | None = None,
        greedy: Mapping[str, Any] | None = None,
        greedy_stage: Stage = Stage.RULE,
    ) -> None:
        """Walk the funded items in order: each must be available when funded; rule items go
        to ``rule_step``, and greedy items (``greedy_stage``) are checked against the
        decisions of ``greedy`` as they come."""
        prep = self.prep
        funding = FundedSoFar(prep)
        decisions = list(greedy["decisions"]) if greedy is not None else []
        g_budget = exact_value(greedy["budget"]) if greedy is not None else Fraction(0)
        decided: set[int] = set()
        j = 0
        ended = rule_end is None
        funded_items = list(self.stated.explanation.funded)
        k = 0
        while k < len(funded_items) or j < len(decisions):
            item = funded_items[k] if k < len(funded_items) else None
            if not ended and (item is None or item.stage == Stage.COMPLETION):
                assert rule_end is not None
                rule_end(funding)
                ended = True
                if greedy is not None and greedy_stage == Stage.COMPLETION:
                    left = Fraction(prep.rule_budget) - sum(
                        (Fraction(prep.rule_cost[q]) for q in funding.order), Fraction(0)
                    )
                    if left != g_budget:
                        raise _Failed(
                            "the completion spends what equal shares left",
                            f"certificate says {show(g_budget)}, left {show(left)}",
                        )
            if (
                j < len(decisions)
                and int(decisions[j]["after"]) == k
                and (greedy_stage == Stage.RULE or ended)
            ):
                g_budget, took = self.decision(
                    funding, decisions[j], g_budget, decided, item, greedy_stage
                )
                j += 1
                if took:
                    assert item is not None
                    funding.add(self.index[item.item_id])
                    k += 1
                continue
            if item is None:
                raise _Failed(
                    "the greedy decisions follow the funded items",
                    f"decision {j + 1} comes after every funded item",
                )
            p = self.index[item.item_id]
            if not self.available(funding, p):
                raise _Failed(
                    "each item was available when funded (eligible, dependencies funded, "
                    "within caps)",
                    f"{item.item_id} ({item.stage.value})",
                )
            if item.stage == Stage.RULE:
                if rule_step is None:
                    raise _Failed(
                        "the greedy decisions fund the rule's items",
                        f"{item.item_id} has no decision",
                    )
                rule_step(funding, p, item)
            elif item.stage == greedy_stage:
                raise _Failed(
                    "the greedy decisions fund the rule's items", f"{item.item_id} has no decision"
                )
            funding.add(p)
            k += 1
        if not ended:
            assert rule_end is not None
            rule_end(funding)
        self.ok("each item was available when funded (eligible, dependencies funded, within caps)")
        if greedy is not None:
            for q in range(prep.m):
                if (
                    q not in decided
                    and prep.rule_cost[q] > 0
                    and prep.eligible[q]
                    and not funding.funded[q]
                    and funding.deps_met(q)
                ):
                    raise _Failed(
                        "greedy considered every available item",
                        f"{prep.ids[q]} was available and never considered",
                    )
            self.ok(
                f"greedy took the items by decreasing support per unit of cost and funded "
                f"each that fitted ({len(decisions)} decisions)"
            )

    def decision(
        self,
        funding: FundedSoFar,
        d: Mapping[str, Any],
        budget: Fraction,
        decided: set[int],
        item: FundedItem | None,
        stage: Stage,
    ) -> tuple[Fraction, bool]:
        prep = self.prep
        name = (
            "greedy took the items by decreasing support per unit of cost and funded each "
            "that fitted"
        )
        q = self.index.get(str(d["item"]))
        if q is None:
            raise _Failed(name, f"{d['item']} is not an item of the election")
        density = Fraction(prep.total_utility(q)) / Fraction(prep.rule_cost[q])
        if exact_value(d["density"]) != density and not self.near(
            exact_value(d["density"]), density
        ):
            raise _Failed(
                name, f"{prep.ids[q]}: density {d['density']}, the ballots give {show(density)}"
            )
        if exact_value(d["budget"]) != budget:
            raise _Failed(name, f"{prep.ids[q]}: budget left {d['budget']}, it is {show(budget)}")
        if q in decided or not (
            prep.eligible[q]
            and not funding.funded[q]
            and funding.deps_met(q)
            and prep.rule_cost[q] > 0
        ):
            raise _Failed(name, f"{prep.ids[q]} was not in the queue when taken")
        for r in range(prep.m):
            if (
                r != q
                and r not in decided
                and prep.eligible[r]
                and not funding.funded[r]
                and prep.rule_cost[r] > 0
                and funding.deps_met(r)
            ):
                other = Fraction(prep.total_utility(r)) / Fraction(prep.rule_cost[r])
                if other > density or (other == density and prep.ids[r] < prep.ids[q]):
                    raise _Failed(
                        name,
                        f"{prep.ids[r]} (density {show(other)}) comes before {prep.ids[q]} "
                        f"(density {show(density)})",
                    )
        decided.add(q)
        fits = Fraction(prep.rule_cost[q]) <= budget and funding.within_caps(q)
        if bool(d["funded"]) != fits:
            raise _Failed(
                name,
                f"{prep.ids[q]} costs {show(prep.rule_cost[q])} with {show(budget)} left: "
                f"{'funded' if d['funded'] else 'skipped'} against the rule",
            )
        if fits:
            if item is None or item.item_id != prep.ids[q] or item.stage != stage:
                raise _Failed(name, f"{prep.ids[q]} was funded but is not the next funded item")
            return budget - Fraction(prep.rule_cost[q]), True
        return budget, False
