"""Scenarios side by side: the tables the scenarios page lays out, one column per scenario."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from roadmap.services.scenarios import ScenarioResult
from roadmap.ui.plan_view import accounts_frame, funded_frame

GROUPINGS = ("Sub-community", "Theme")


@dataclass(frozen=True)
class ComparisonTables:
    funded: pd.DataFrame  # every item some scenario funds: ✓ or — per scenario
    effort_per: dict[str, pd.DataFrame]  # per grouping: funded effort per group and scenario
    fairness: pd.DataFrame  # per organization: share of effort per scenario, then its voice
    coverage: pd.DataFrame  # per scenario: funded effort, covered, gap, solver status


def comparison_tables(results: list[ScenarioResult]) -> ComparisonTables:
    """The comparison of one or more scenarios (``results`` must not be empty)."""
    return ComparisonTables(
        funded=_funded(results),
        effort_per={grouping: _effort_per(results, grouping) for grouping in GROUPINGS},
        fairness=_fairness(results),
        coverage=_coverage(results),
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
        ]
    )


def _effort_per(results: list[ScenarioResult], grouping: str) -> pd.DataFrame:
    return pd.concat(
        [
            funded_frame(r.snapshot)
            .replace({"Theme": {"": "(no theme)"}})
            .groupby(grouping)["Effort"]
            .sum()
            .rename(r.name)
            for r in results
        ],
        axis=1,
    ).fillna(0)


def _fairness(results: list[ScenarioResult]) -> pd.DataFrame:
    return pd.concat(
        [
            accounts_frame(r.snapshot)
            .set_index("Organization")["Share of effort it asked for"]
            .rename(r.name)
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
                "Solver": r.snapshot.solver.status,
            }
            for r in results
        ]
    )
