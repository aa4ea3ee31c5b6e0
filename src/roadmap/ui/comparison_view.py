"""Scenarios side by side: the tables the scenarios page lays out, one column per scenario,
and first of all what differs between them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from roadmap.domain.plans import PlanSnapshot
from roadmap.services.scenarios import ScenarioResult
from roadmap.ui.figures import EFFORT_SHARE
from roadmap.ui.plan_view import accounts_frame

GROUPINGS = ("Sub-community", "Theme")
NUMBERS = {2: "two", 3: "three"}
SOLVER_SHORT = {
    "optimal": "best assignment (proven)",
    "time limit": "best found in the time limit",
    "nothing to solve": "nothing to assign",
    "no solution": "no assignment found",
    "greedy": "greedy assignment",
    "time limit, greedy kept": "greedy assignment kept",
}


@dataclass(frozen=True)
class ComparisonTables:
    summary: str  # one line: what the scenarios have in common, or that they differ
    differences: pd.DataFrame  # the items funded in some scenarios and not in others
    funded: pd.DataFrame  # every item some scenario funds: ✓ or — per scenario
    effort_per: dict[str, pd.DataFrame]  # per grouping: funded effort per group and scenario
    fairness: pd.DataFrame  # per organization: share of effort per scenario, then its voice
    coverage: pd.DataFrame  # per scenario: funded effort, covered, gap, solver status
    effort_differs: dict[str, bool] = field(default_factory=dict)  # per grouping


def comparison_tables(
    results: list[ScenarioResult],
    subcommunities: Mapping[str, str] | None = None,
    themes: Mapping[str, str] | None = None,
) -> ComparisonTables:
    """The comparison of one or more scenarios (``results`` must not be empty); groups are
    named by ``subcommunities`` and ``themes`` (slug -> name), else by their slugs."""
    names = {"Sub-community": dict(subcommunities or {}), "Theme": dict(themes or {})}
    funded = _funded(results)
    effort_per = {g: _effort_per(results, g, names[g]) for g in GROUPINGS}
    return ComparisonTables(
        summary=summary(results),
        differences=funded[funded[[r.name for r in results]].nunique(axis=1) > 1].reset_index(
            drop=True
        ),
        funded=funded,
        effort_per=effort_per,
        fairness=_fairness(results),
        coverage=_coverage(results),
        effort_differs={
            g: bool((frame.round(1).nunique(axis=1) > 1).any()) for g, frame in effort_per.items()
        },
    )


def summary(results: list[ScenarioResult]) -> str:
    """One line on what the scenarios share: the same items (and payments), or how many
    items only some of them fund."""
    if len(results) == 1:
        return f"{results[0].name} funds {len(results[0].snapshot.funded)} items."
    count = NUMBERS.get(len(results), str(len(results)))
    sets = [frozenset(f.item for f in r.snapshot.funded) for r in results]
    if len(set(sets)) == 1:
        same_pay = len({_payments(r.snapshot) for r in results}) == 1
        both = "Both scenarios" if len(results) == 2 else f"All {count} scenarios"
        return f"{both} fund the same " + (
            f"{len(sets[0])} items, paid for the same way."
            if same_pay
            else f"{len(sets[0])} items; they differ only in who pays."
        )
    differing = len(frozenset.union(*sets) - frozenset.intersection(*sets))
    return (
        f"The {count} scenarios fund different items: {differing} "
        f"item{'s are' if differing != 1 else ' is'} funded in some and not in others."
    )


def _payments(snap: PlanSnapshot) -> tuple[tuple[int, tuple[tuple[str, float], ...]], ...]:
    return tuple(
        (
            f.item,
            tuple(sorted((k, round(w, 6)) for k, w in {**f.payments, **f.pledges}.items())),
        )
        for f in sorted(snap.funded, key=lambda f: f.item)
    )


def _funded(results: list[ScenarioResult]) -> pd.DataFrame:
    every = sorted({f.item: f.title for r in results for f in r.snapshot.funded}.items())
    funded = {r.name: {f.item for f in r.snapshot.funded} for r in results}
    return pd.DataFrame(
        [
            {
                "#": i,
                "Item": t,
                **{name: ("✓" if i in ids else "—") for name, ids in funded.items()},
            }
            for i, t in every
        ],
        columns=["#", "Item", *funded],
    )


def _effort_per(
    results: list[ScenarioResult], grouping: str, names: Mapping[str, str]
) -> pd.DataFrame:
    def group(slug: str | None) -> str:
        return names.get(slug, slug) if slug else "(no theme)"

    column = "subcommunity" if grouping == "Sub-community" else "theme"
    frame = pd.concat(
        [
            pd.Series(
                [f.effort for f in r.snapshot.funded],
                index=[group(getattr(f, column)) for f in r.snapshot.funded],
                dtype=float,
            )
            .groupby(level=0)
            .sum()
            .rename(r.name)
            for r in results
        ],
        axis=1,
    ).fillna(0)
    return frame.rename_axis(grouping).sort_index()


def _fairness(results: list[ScenarioResult]) -> pd.DataFrame:
    return pd.concat(
        [
            accounts_frame(r.snapshot).set_index("Organization")[EFFORT_SHARE].rename(r.name)
            for r in results
        ]
        + [
            accounts_frame(results[0].snapshot)
            .set_index("Organization")["Share of voice"]
            .rename("Voice")
        ],
        axis=1,
    )


def _coverage(results: list[ScenarioResult]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Scenario": r.name,
                "Funded effort": r.snapshot.spent,
                "Covered": sum(c.covered for c in r.snapshot.coverage),
                "Gap": sum(g.weeks for g in r.snapshot.gaps),
                "Staff plan": SOLVER_SHORT.get(r.snapshot.solver.status, r.snapshot.solver.status),
            }
            for r in results
        ]
    )
