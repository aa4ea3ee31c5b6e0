"""The scenarios page's comparison tables, from two snapshots of a backup (no database)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from roadmap.domain.plans import PlanSnapshot
from roadmap.services.scenarios import ScenarioResult
from roadmap.ui.comparison_view import comparison_tables

BACKUP = Path(__file__).resolve().parents[1] / "fixtures" / "backup_0005_two_plans.json"


def results() -> list[ScenarioResult]:
    """The backup's two published plans as scenarios A (equal shares) and B (Phragmén)."""
    plans = sorted(json.loads(BACKUP.read_text())["tables"]["plans"], key=lambda p: p["version"])
    out = []
    for name, plan in zip("AB", plans, strict=True):
        snap = PlanSnapshot.model_validate(plan["snapshot"])
        out.append(ScenarioResult(name, snap.envelope, snap))
    return out


def test_every_item_funded_by_some_scenario_is_marked_per_scenario() -> None:
    a, b = results()
    funded = comparison_tables([a, b]).funded
    assert list(funded.columns) == ["#", "Item", "A", "B"]
    assert list(funded["#"]) == sorted({f.item for r in (a, b) for f in r.snapshot.funded})
    for scenario in (a, b):
        marked = set(funded.loc[funded[scenario.name] == "✓", "#"])
        assert marked == {f.item for f in scenario.snapshot.funded}


@pytest.mark.parametrize("grouping", ["Sub-community", "Theme"])
def test_the_effort_per_group_adds_up_to_each_scenarios_funded_effort(grouping: str) -> None:
    per_group = comparison_tables(results()).effort_per[grouping]
    for r in results():
        assert per_group[r.name].sum() == pytest.approx(sum(f.effort for f in r.snapshot.funded))


def test_fairness_and_coverage_have_a_column_or_row_per_scenario() -> None:
    a, b = results()
    tables = comparison_tables([a, b])
    assert list(tables.fairness.columns) == ["A", "B", "Voice"]
    assert len(tables.fairness) == len(a.snapshot.accounts)
    assert list(tables.coverage["Scenario"]) == ["A", "B"]
    assert list(tables.coverage["Funded effort"]) == [a.snapshot.spent, b.snapshot.spent]
    assert list(tables.coverage["Staff plan"]) == ["best assignment (proven)"] * 2
    assert {a.snapshot.solver.status, b.snapshot.solver.status} == {"optimal"}
