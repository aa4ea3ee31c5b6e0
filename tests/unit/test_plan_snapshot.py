"""The plan snapshot as a typed record: snapshots stored before it existed read back and dump
unchanged, and its pure rules (what a version changed, whether a funding moved) hold."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from roadmap.domain.plans import (
    AssignmentLine,
    FundedLine,
    FundingChange,
    PlanSnapshot,
    funding_change,
    plan_diff,
)

BACKUP = Path(__file__).resolve().parents[1] / "fixtures" / "backup_0005_two_plans.json"


def stored_snapshots() -> list[dict[str, Any]]:
    """Every snapshot the backup holds: the plan rows', then the kept comparisons'."""
    tables = json.loads(BACKUP.read_text())["tables"]
    return [p["snapshot"] for p in tables["plans"]] + [
        s["snapshot"] for c in tables["scenario_comparisons"] for s in c["scenarios"]
    ]


def exact(value: Any) -> str:
    """JSON text with sorted keys: tells 1 from 1.0 and a missing key from a null one."""
    return json.dumps(value, sort_keys=True)


def test_the_backup_holds_two_plans_and_a_kept_comparison() -> None:
    assert len(stored_snapshots()) == 3


@pytest.mark.parametrize("index", range(3))
def test_a_snapshot_stored_before_the_model_reads_back_and_dumps_unchanged(index: int) -> None:
    stored = stored_snapshots()[index]
    snap = PlanSnapshot.model_validate(stored)
    assert snap.format == 1
    dumped = snap.model_dump(mode="json")
    assert dumped == stored
    assert exact(dumped) == exact(stored)
    assert PlanSnapshot.model_validate_json(json.dumps(dumped)) == snap


def test_format_one_is_not_written_and_no_other_format_is_read() -> None:
    stored = stored_snapshots()[0]
    assert "format" not in PlanSnapshot.model_validate(stored).model_dump(mode="json")
    assert PlanSnapshot.model_validate({**stored, "format": 1}).format == 1
    with pytest.raises(ValidationError):
        PlanSnapshot.model_validate({**stored, "format": 4})


def test_format_two_keeps_each_organization_s_pledge_and_format_one_has_none() -> None:
    """Format 2 writes and reads back each funded line's pledges per organization; a format
    1 snapshot dumps without the key (as stored), and one claiming pledges is refused."""
    stored = stored_snapshots()[0]
    line = {**stored["funded"][0], "pledged": 4.0, "pledges": {"acme": 4.0}}
    two = {**stored, "format": 2, "funded": [line, *stored["funded"][1:]]}
    snap = PlanSnapshot.model_validate(two)
    assert snap.funded[0].pledges == {"acme": 4.0}
    assert exact(snap.model_dump(mode="json")["funded"][0]) == exact(line)
    assert "pledges" not in PlanSnapshot.model_validate(stored).model_dump(mode="json")["funded"][0]
    with pytest.raises(ValidationError, match="no pledges per organization"):
        PlanSnapshot.model_validate({**two, "format": 1})


def test_format_three_keeps_effective_support_and_earlier_formats_dump_unchanged() -> None:
    """Format 3 writes and reads back each unfunded line's effective support; a format 1 or
    2 snapshot reads without it and dumps without the key, and one claiming it is refused."""
    stored = stored_snapshots()[0]
    assert stored["unfunded"], "the stored snapshot should have an unfunded item"
    line = {**stored["unfunded"][0], "effective_support": 42}
    three = {**stored, "format": 3, "unfunded": [line, *stored["unfunded"][1:]]}
    snap = PlanSnapshot.model_validate(three)
    assert snap.unfunded[0].effective_support == 42
    assert exact(snap.model_dump(mode="json")["unfunded"][0]) == exact(line)
    for before in (stored, {**stored, "format": 2}):
        old = PlanSnapshot.model_validate(before)
        assert old.unfunded[0].effective_support is None
        assert "effective_support" not in old.model_dump(mode="json")["unfunded"][0]
        with pytest.raises(ValidationError, match="no effective support"):
            PlanSnapshot.model_validate({**before, "unfunded": [line]})


def test_who_paid_names_each_pledging_organization_then_the_rest() -> None:
    line = FundedLine(
        item=1,
        title="Item",
        subcommunity="voila",
        theme=None,
        effort=11.0,
        stage="rule",
        pledged=5.0,
        payments={"beta": 2.25, "(pool)": 3.0, "gamma": 1.0},
        pledges={"acme": 4.0, "beta": 1.0},
    )
    names = {"acme": "Acme Corp", "beta": "Beta Labs", "gamma": "Gamma"}
    assert line.who_paid(names) == (
        "Acme Corp: 4 person-weeks (pledge), Beta Labs: 1 person-week (pledge), "
        "(pool): 3 person-weeks, Beta Labs: 2.2 person-weeks (rule), Gamma: 1 person-week (rule)"
    )
    assert line.paying_organizations() == 3
    # A format 1 line knows only the pledged total.
    old = line.model_copy(update={"pledges": {}, "payments": {}})
    assert old.who_paid(names) == "pledges: 5 person-weeks"


def test_a_snapshot_with_a_missing_or_unknown_key_is_refused() -> None:
    stored = stored_snapshots()[0]
    with pytest.raises(ValidationError):
        PlanSnapshot.model_validate({k: v for k, v in stored.items() if k != "gaps"})
    with pytest.raises(ValidationError):
        PlanSnapshot.model_validate({**stored, "tampered": True})


def snap(funded: dict[int, float], people: dict[int, list[str]] | None = None) -> PlanSnapshot:
    """A snapshot of the backup's first plan, with only the given funding and staffing."""
    base = PlanSnapshot.model_validate(stored_snapshots()[0])
    return base.model_copy(
        update={
            "funded": [
                FundedLine(
                    item=i,
                    title=f"Item {i}",
                    subcommunity="voila",
                    theme=None,
                    effort=effort,
                    stage="rule",
                    pledged=0.0,
                    payments={"acme": effort},
                )
                for i, effort in funded.items()
            ],
            "assignments": [
                AssignmentLine(staff=who, name=who, item=i, skill="python", subperiod=0, weeks=1.0)
                for i, staff in (people or {}).items()
                for who in staff
            ],
        }
    )


def test_plan_diff_names_added_removed_resized_and_restaffed_items() -> None:
    old = snap({1: 2.0, 2: 3.0, 3: 4.0}, {1: ["ana"], 2: ["ben"], 3: ["cy"]})
    new = snap({2: 5.0, 3: 4.0, 4: 1.0}, {2: ["ben"], 3: ["ana", "cy"], 4: ["ben"]})
    diff = plan_diff(old, new)
    assert diff.added == [4]
    assert diff.removed == [1]
    assert diff.effort_changed == {2: (3.0, 5.0)}
    assert diff.reassigned == [3]
    same = plan_diff(old, old)
    assert (same.added, same.removed, same.effort_changed, same.reassigned) == ([], [], {}, [])


def test_the_same_funding_is_no_change_even_with_other_staffing() -> None:
    assert funding_change(snap({1: 2.0}, {1: ["ana"]}), snap({1: 2.0}, {1: ["ben"]})) is None
    stored = stored_snapshots()[0]
    assert funding_change(PlanSnapshot.model_validate(stored), PlanSnapshot(**stored)) is None


def test_a_moved_funding_names_the_items_funded_dropped_and_paid_differently() -> None:
    reviewed = snap({1: 2.0, 2: 3.0, 3: 1.0})
    now = snap({2: 3.0, 3: 1.0, 4: 6.0})
    repaid = now.funded[1].model_copy(update={"payments": {"acme": 0.5, "pool": 0.5}})
    now = now.model_copy(update={"funded": [now.funded[0], repaid, now.funded[2]]})
    assert funding_change(reviewed, now) == FundingChange(
        now_funded=[4], no_longer_funded=[1], paid_differently=[3]
    )


def test_accounts_that_moved_alone_are_a_change_with_no_item_named() -> None:
    reviewed = snap({1: 2.0})
    shifted = reviewed.accounts[0].model_copy(update={"paid": reviewed.accounts[0].paid + 1})
    now = reviewed.model_copy(update={"accounts": [shifted, *reviewed.accounts[1:]]})
    assert funding_change(reviewed, now) == FundingChange([], [], [])


def test_format_three_keeps_carried_effort_and_supported_items_and_older_formats_have_none() -> (
    None
):
    """Format 3 writes and reads back the carried effort and each organization's supported
    items; a format 1 or 2 snapshot dumps without them, and one claiming them is refused."""
    stored = stored_snapshots()[0]
    accounts = [{**stored["accounts"][0], "supported": [3, 5]}, *stored["accounts"][1:]]
    three = {**stored, "format": 3, "carried": 9.5, "accounts": accounts}
    snap = PlanSnapshot.model_validate(three)
    assert snap.carried == 9.5 and snap.accounts[0].supported == [3, 5]
    dumped = snap.model_dump(mode="json")
    assert dumped["carried"] == 9.5 and dumped["accounts"][0]["supported"] == [3, 5]
    old = PlanSnapshot.model_validate(stored)
    assert old.carried is None and old.accounts[0].supported is None
    assert "carried" not in old.model_dump(mode="json")
    for fmt in (1, 2):
        with pytest.raises(ValidationError, match="neither carried effort nor supported"):
            PlanSnapshot.model_validate({**three, "format": fmt})
