"""A plan's accounting (``roadmap.domain.accounting``): its steps add up to every subtotal,
exactly and as rounded for people, on the demo's scenarios, on stored format 1 plans and on
snapshots with carried effort and every stage; each organization's outcome is what its
payments and signal say."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from roadmap.domain.accounting import Accounting, organization_outcomes, plan_accounting
from roadmap.domain.plans import PlanSnapshot
from roadmap.domain.privacy import plan_as_seen

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
DEMO = json.loads((FIXTURES / "demo_scenarios.json").read_text())
BACKUP = json.loads((FIXTURES / "backup_0005_two_plans.json").read_text())["tables"]


def demo(rule: str = "equal_shares") -> PlanSnapshot:
    return PlanSnapshot.model_validate(DEMO[rule])


def snapshots() -> dict[str, PlanSnapshot]:
    """The demo's three scenarios, the backup's two format 1 plans, and the demo's equal
    shares with 9.5 person-weeks carried in from an earlier period."""
    out = {rule: demo(rule) for rule in DEMO}
    for n, plan in enumerate(BACKUP["plans"]):
        out[f"stored-{n}"] = PlanSnapshot.model_validate(plan["snapshot"])
    base = demo()
    out["carried"] = base.model_copy(update={"budget": base.budget + 9.5, "carried": 9.5})
    return out


def adds_up(accounting: Accounting, tolerance: float = 1e-9) -> None:
    """Each total is its start and the changes since; the last is the staffed effort."""
    level = 0.0
    for step in accounting.steps:
        if step.measure == "absolute":
            level = step.weeks
        elif step.measure == "relative":
            level += step.weeks
        else:
            assert step.weeks == pytest.approx(level, abs=tolerance), step.label


@pytest.mark.parametrize("name", list(snapshots()))
def test_the_steps_add_up_to_every_total_and_name_every_figure(name: str) -> None:
    snap = snapshots()[name]
    accounting = plan_accounting(snap)
    adds_up(accounting)
    funded = sum(f.effort for f in snap.funded)
    assert accounting.step("Shared budget").weeks == pytest.approx(snap.budget - snap.reserve)
    assert accounting.step("Funded effort").weeks == pytest.approx(snap.spent)
    assert accounting.step("Funded effort").weeks == pytest.approx(funded)
    stages = [s for s in accounting.steps if s.label.startswith("Funded by")]
    assert -sum(s.weeks for s in stages) == pytest.approx(funded)
    assert accounting.step("Pledges").weeks == pytest.approx(sum(f.pledged for f in snap.funded))
    assert accounting.step("Left unallocated").weeks >= -1e-9
    gaps = sum(g.weeks for g in snap.gaps)
    assert accounting.step("Staffed effort").weeks == pytest.approx(funded - gaps)


@pytest.mark.parametrize("name", list(snapshots()))
def test_the_rounded_figures_add_up_exactly_and_stay_within_a_tenth(name: str) -> None:
    exact = plan_accounting(snapshots()[name])
    shown = exact.rounded()
    adds_up(shown, tolerance=0)  # as people read them: 0.1 + 0.2 is 0.3 here
    for a, b in zip(exact.steps, shown.steps, strict=True):
        assert b.weeks == round(b.weeks, 1)
        assert abs(a.weeks - b.weeks) <= 0.1 + 1e-9, a.label


def test_the_demo_s_funded_effort_beyond_capacity_less_reserve_is_its_pledges() -> None:
    """The demo: 152 capacity less 23 reserve is a 129 shared budget, yet 139 are funded:
    the 12 pledged come on top, and 2 are left unallocated; 1.83 of the funded effort has no
    one with the skill."""
    accounting = plan_accounting(demo())
    figures = {s.label: s.weeks for s in accounting.steps}
    assert figures["Staff capacity"] == 152
    assert figures["Reserve"] == -23
    assert figures["Shared budget"] == 129
    assert figures["Pledges"] == 12
    assert figures["Effort to allocate"] == 141
    assert figures["Funded by pledges alone"] == -8
    assert figures["Funded by the floors"] == -31
    assert figures["Funded by the Equal Shares rule"] == -94.5
    assert figures["Funded by the completion (greedy fill)"] == -5.5
    assert figures["Left unallocated"] == pytest.approx(2)
    assert figures["Funded effort"] == 139
    assert figures["Uncovered (skill gaps)"] == pytest.approx(-1.83)
    assert "Carried in" not in figures


def test_carried_effort_is_its_own_step_and_an_old_plan_starts_from_its_budget() -> None:
    carried = plan_accounting(snapshots()["carried"])
    assert [s.label for s in carried.steps[:3]] == ["Staff capacity", "Carried in", "Reserve"]
    assert carried.steps[0].weeks == 152 and carried.steps[1].weeks == 9.5
    old = plan_accounting(snapshots()["stored-0"])
    assert old.steps[0].label == "Budget" and "did not record" in old.steps[0].note


def test_greedy_names_its_rule_and_has_no_completion() -> None:
    labels = {s.label: s.weeks for s in plan_accounting(demo("greedy")).steps}
    assert labels["Funded by the Greedy by support rule"] == -100
    assert labels["Funded by the completion (greedy fill)"] == 0


def test_each_organization_s_outcome_is_its_payments_and_its_signal() -> None:
    snap = demo()
    funded = {f.item for f in snap.funded}
    outcomes = {o.org: o for o in organization_outcomes(snap)}
    assert sum(o.voice for o in outcomes.values()) == pytest.approx(1)
    for account in snap.accounts:
        o = outcomes[account.org]
        assert account.supported is not None
        assert (o.funded, o.asked) == (len(set(account.supported) & funded), len(account.supported))
        assert o.paid_rule == pytest.approx(
            sum(f.payments.get(account.org, 0) for f in snap.funded)
        )
        assert o.paid_pledges == pytest.approx(
            sum(f.pledges.get(account.org, 0) for f in snap.funded)
        )
        assert o.paid == pytest.approx(account.paid)
        supported = [f.effort for f in snap.funded if f.item in account.supported]
        assert o.effort_share == pytest.approx(sum(supported) / snap.spent)
    # Shares of all funded effort, one per organization: they are not meant to sum to 1.
    assert sum(o.effort_share or 0 for o in outcomes.values()) > 2
    cirrovane, slatebridge = outcomes["cirrovane-compute"], outcomes["slatebridge-learning"]
    assert (cirrovane.funded, cirrovane.asked, cirrovane.paid_pledges) == (6, 6, 8.0)
    assert (slatebridge.funded, slatebridge.asked, slatebridge.paid_pledges) == (3, 6, 0.0)


def test_an_outcome_the_reader_may_not_see_is_private_and_empty() -> None:
    seen = plan_as_seen(demo(), lambda org: org == "cirrovane-compute")
    outcomes = {o.org: o for o in organization_outcomes(seen)}
    assert not outcomes["cirrovane-compute"].private
    hidden = outcomes["orbisome-genomics"]
    assert hidden.private
    assert (hidden.effort_share, hidden.funded, hidden.asked, hidden.paid) == (None,) * 4
    assert seen.accounts[5].supported == []


def test_a_stored_format_one_plan_has_no_supported_items_recorded() -> None:
    outcomes = organization_outcomes(snapshots()["stored-0"])
    assert all(o.asked is None and o.funded is None for o in outcomes)
    assert all(o.paid is not None for o in outcomes)


def test_the_pledges_caption_gives_what_was_pledged_not_a_difference_it_is_not() -> None:
    """The waterfall's caption said the funded effort "can be larger than the capacity less
    the reserve (here by 12.0 person-weeks pledged)" on a plan where it was larger by 10.0
    (2.0 were left unallocated): it now gives the pledged amount as what it is."""
    from roadmap.ui.plan_view import pledges_caption

    said = pledges_caption(12.0)
    assert "(here 12.0 person-weeks pledged), so the funded effort can be larger" in said
    assert "here by" not in said
    assert "(here" not in pledges_caption(0.0)


def test_the_funded_table_names_sub_communities_and_themes_not_their_slugs() -> None:
    """The "Funded items and who paid" table showed slugs ("jupyter-kernels"); given the
    groups' names it shows those, and without them (no names known) the slugs."""
    from roadmap.ui.plan_view import funded_frame

    snap = demo()
    line = next(f for f in snap.funded if f.theme)
    names = {
        f"subcommunity:{line.subcommunity}": "Kernels and more",
        f"theme:{line.theme}": "A theme's name",
    }
    row = funded_frame(snap, names).set_index("#").loc[line.item]
    assert (row["Sub-community"], row["Theme"]) == ("Kernels and more", "A theme's name")
    bare = funded_frame(snap).set_index("#").loc[line.item]
    assert (bare["Sub-community"], bare["Theme"]) == (line.subcommunity, line.theme)
