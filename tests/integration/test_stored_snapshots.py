"""Plans and comparisons stored by the code before the snapshot was typed (a backup written
then, tests/fixtures/README.md) restore and read back through the services unchanged, on
SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

from roadmap.domain.access import Actor
from roadmap.domain.plans import PlanSnapshot
from roadmap.services import backup, comparisons, publishing
from roadmap.services.context import Context
from roadmap.services.sessions import authenticate

BACKUP = Path(__file__).resolve().parents[1] / "fixtures" / "backup_0007_two_plans.json"


def test_a_restored_backup_reads_back_the_snapshots_it_was_written_with(ctx: Context) -> None:
    data = json.loads(BACKUP.read_text())
    backup.import_backup(ctx, Actor.system(), data)
    tables = data["tables"]

    execu = authenticate(ctx, "exec", "demo")
    assert execu is not None
    stored = {p["version"]: p["snapshot"] for p in tables["plans"]}
    plans = publishing.published_plans(ctx, execu)  # the executive sees every payment
    assert [p.version for p in plans] == [2, 1]
    for plan in plans:
        assert plan.snapshot == PlanSnapshot.model_validate(stored[plan.version])
        assert plan.snapshot.model_dump(mode="json") == stored[plan.version]

    (kept,) = tables["scenario_comparisons"]
    back = comparisons.comparison(ctx, execu, kept["id"])
    assert [s.name for s in back.scenarios] == [s["name"] for s in kept["scenarios"]]
    for result, saved in zip(back.scenarios, kept["scenarios"], strict=True):
        assert result.snapshot == PlanSnapshot.model_validate(saved["snapshot"])
        assert result.snapshot.model_dump(mode="json") == saved["snapshot"]
        assert result.envelope.model_dump(mode="json") == saved["envelope"]

    # And an export of the restored database gives the same rows back.
    again = backup.export_backup(ctx, Actor.system())["tables"]
    assert again["plans"] == tables["plans"]
    assert again["scenario_comparisons"] == tables["scenario_comparisons"]
