"""Signals: only a representative, for its own organization, on in-scope items, within budget
and window; refusals change nothing; privacy decides who sees what."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from support import Clock, dump
from support.world import World

from roadmap.domain.access import Actor
from roadmap.domain.enums import ItemStatus, Privacy
from roadmap.domain.errors import PermissionDenied, ValidationError
from roadmap.domain.signals import PledgeInput
from roadmap.services import catalog, governance, items, periods, signals
from roadmap.store.engine import transaction
from roadmap.store.tables import PeriodRow

ITEM = {"subcommunity": "jupyter-frontends", "kind": "feature", "effort_low": 2, "effort_high": 4}


@pytest.fixture
def market(world: World, clock: Clock) -> dict[str, int]:
    """Three in-scope items, one proposed item, a second organization, an open period."""
    ctx, lead, execu = world.ctx, world.actors["lead"], world.actors["exec"]
    ids = {}
    for name in ("alpha", "beta", "gamma", "delta"):
        ids[name] = items.create_item(ctx, lead, {**ITEM, "title": f"Item {name}"}).id
        items.change_status(ctx, lead, ids[name], ItemStatus.PROPOSED)
    for name in ("alpha", "beta", "gamma"):
        governance.open_comment_period(ctx, execu, ids[name], clock.now + timedelta(days=1))
    clock.advance(days=2)
    for name in ("alpha", "beta", "gamma"):
        governance.decide_scope(ctx, execu, ids[name], "in_scope", "The members want this.")
    catalog.create_organization(
        ctx,
        Actor.system(),
        {
            "key": "beta-labs",
            "name": "Beta Labs",
            "kind": "university",
            "tier": "associate",
            "annual_commitment": 0,
            "term_start": date(2026, 1, 1),
            "term_end": date(2027, 12, 31),
        },
    )
    with transaction(ctx.engine) as session:
        period = session.scalars(select(PeriodRow).where(PeriodRow.key == "2027-H1")).one()
        period.envelope = {"voice": "blend", "blend_alpha": 0.5}
        period.signal_forms = ["approval", "points", "ranking", "pledge"]
        period.signal_window_start = clock.now.date() - timedelta(days=1)
        period.signal_window_end = clock.now.date() + timedelta(days=10)
        period.weeks_per_currency = 0.001
    return ids


def save(world: World, who: str, org: str, **kwargs: object) -> signals.SignalView:
    args = {"approvals": [], "points": {}, "ranking": [], "pledges": [], **kwargs}
    return signals.save_signal(world.ctx, world.actors[who], org, **args)  # type: ignore[arg-type]


def test_a_representative_saves_a_signal_and_the_latest_counts_with_history_kept(
    world: World, market: dict[str, int], clock: Clock
) -> None:
    a, b = market["alpha"], market["beta"]
    save(world, "orgrep", "acme-notebooks", approvals=[a], points={a: 60, b: 40}, ranking=[b, a])
    clock.advance(hours=1)
    save(
        world,
        "orgrep",
        "acme-notebooks",
        approvals=[a, b],
        pledges=[PledgeInput(b, weeks=3, note="ours")],
    )
    current, inactive = signals.my_signal(world.ctx, world.actors["orgrep"], "acme-notebooks")
    assert current is not None and inactive == []
    assert (
        current.approvals == [a, b]
        and current.points == {}
        and current.pledges == [(b, 3.0, "ours")]
    )
    history = signals.signal_history(world.ctx, world.actors["orgrep"], "acme-notebooks")
    assert [h.points for h in history] == [{}, {a: 60, b: 40}]


def test_a_money_pledge_converts_at_the_periods_rate(world: World, market: dict[str, int]) -> None:
    view = save(
        world, "orgrep", "acme-notebooks", pledges=[PledgeInput(market["gamma"], money=4000)]
    )
    assert view.pledges == [(market["gamma"], 4.0, "")]


@pytest.mark.parametrize(
    ("who", "org", "kwargs", "error", "sentence"),
    [
        (
            "orgrep",
            "beta-labs",
            {"approvals": ["alpha"]},
            PermissionDenied,
            "representative of beta-labs",
        ),
        ("member", "acme-notebooks", {"approvals": ["alpha"]}, PermissionDenied, "representative"),
        ("exec", "acme-notebooks", {"approvals": ["alpha"]}, PermissionDenied, "representative"),
        (
            "orgrep",
            "acme-notebooks",
            {"approvals": ["delta"]},
            ValidationError,
            "Only items in scope, planned or in progress",
        ),
        (
            "orgrep",
            "acme-notebooks",
            {"points": {"alpha": 70, "beta": 50}},
            ValidationError,
            "That spends 120 points but the budget is 100: 20 too many.",
        ),
        (
            "orgrep",
            "acme-notebooks",
            {"pledges": ["alpha"]},
            ValidationError,
            "needs person-weeks or money",
        ),
    ],
)
def test_refused_signals_leave_the_database_unchanged(
    world: World,
    market: dict[str, int],
    who: str,
    org: str,
    kwargs: dict[str, object],
    error: type[Exception],
    sentence: str,
) -> None:
    resolved: dict[str, object] = {}
    for name, value in kwargs.items():
        if name == "approvals":
            resolved[name] = [market[v] for v in value]  # type: ignore[attr-defined]
        elif name == "points":
            resolved[name] = {market[k]: v for k, v in value.items()}  # type: ignore[attr-defined]
        elif name == "pledges":
            resolved[name] = [PledgeInput(market[v]) for v in value]  # type: ignore[attr-defined]
    before = dump(world.ctx.engine)
    with pytest.raises(error) as caught:
        save(world, who, org, **resolved)
    assert sentence in str(caught.value)
    assert dump(world.ctx.engine) == before


@pytest.mark.parametrize("offset", [timedelta(days=-3), timedelta(days=12)])
def test_signals_outside_the_window_are_refused(
    world: World, market: dict[str, int], clock: Clock, offset: timedelta
) -> None:
    clock.advance(days=offset.days)
    before = dump(world.ctx.engine)
    with pytest.raises(ValidationError, match=r"Signalling for 2027 H1 (opens|closed)"):
        save(world, "orgrep", "acme-notebooks", approvals=[market["alpha"]])
    assert dump(world.ctx.engine) == before


def test_a_signal_on_an_item_that_leaves_scope_is_kept_but_marked_inactive(
    world: World, market: dict[str, int], clock: Clock
) -> None:
    a, b = market["alpha"], market["beta"]
    save(world, "orgrep", "acme-notebooks", approvals=[a, b])
    clock.advance(days=1)
    governance.decide_scope(
        world.ctx, world.actors["exec"], a, "deferred", "Not this half-year.", "Budget cut."
    )
    current, inactive = signals.my_signal(world.ctx, world.actors["orgrep"], "acme-notebooks")
    assert current is not None and current.approvals == [a, b]
    assert inactive == [a]
    totals = {t.item_id: t for t in signals.signal_board(world.ctx, world.actors["exec"]).totals}
    assert a not in totals and totals[b].supporters == 1


def _set_privacy(world: World, privacy: Privacy) -> None:
    period = periods.get_period(world.ctx)
    periods.update_period(
        world.ctx, world.actors["exec"], "2027-H1", {"privacy": privacy}, period.version
    )


def test_in_aggregate_mode_a_representative_sees_only_its_own_signal_and_the_totals(
    world: World, market: dict[str, int]
) -> None:
    from roadmap.services import accounts

    accounts.grant_role(world.ctx, world.actors["admin"], "member", "representative", "beta-labs")
    from roadmap.services.sessions import authenticate

    beta_rep = authenticate(world.ctx, "member", "password-123")
    assert beta_rep is not None
    save(
        world, "orgrep", "acme-notebooks", approvals=[market["alpha"]], points={market["alpha"]: 77}
    )
    signals.save_signal(
        world.ctx, beta_rep, "beta-labs", [market["beta"]], {market["beta"]: 33}, [], []
    )
    _set_privacy(world, Privacy.AGGREGATE)
    mine = signals.signal_board(world.ctx, world.actors["orgrep"])
    assert [s.organization for s in mine.signals] == ["acme-notebooks"]
    assert {t.item_id: t.points for t in mine.totals}[market["beta"]] == 33
    csv_text = signals.signals_csv(world.ctx, world.actors["orgrep"])
    assert "beta-labs" not in csv_text and "acme-notebooks" in csv_text
    assert signals.signal_board(world.ctx, world.actors["staff"]).signals == []
    assert len(signals.signal_board(world.ctx, world.actors["exec"]).signals) == 2
    _set_privacy(world, Privacy.ATTRIBUTED)
    assert len(signals.signal_board(world.ctx, world.actors["staff"]).signals) == 2
    assert signals.signal_board(world.ctx, world.actors["public"]).signals == []


def test_only_the_executive_changes_the_period(world: World, market: dict[str, int]) -> None:
    period = periods.get_period(world.ctx)
    for name in ("admin", "orgrep", "lead", "member"):
        with pytest.raises(PermissionDenied):
            periods.update_period(
                world.ctx, world.actors[name], "2027-H1", {"points_budget": 5}, period.version
            )
    with pytest.raises(ValidationError, match="points budget"):
        periods.update_period(
            world.ctx, world.actors["exec"], "2027-H1", {"points_budget": 0}, period.version
        )
