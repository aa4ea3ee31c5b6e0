"""Who paid for an item a pledge funds (issue 12, item 7): on a small world (support.world)
where Acme Notebooks pledges 4 person-weeks to an item costing 4 (funded by the pledge
alone, stage "pledges") and 2 person-weeks to an item costing 6 (the rule pays the rest),
the published snapshot records Acme's pledges per item, and the plan page's "Who paid",
its CSV and its Markdown report name Acme Notebooks with its person-weeks, on SQLite and
PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest
from support.world import SETUP_EXECUTIVE, World, world

from roadmap.domain.access import Actor
from roadmap.domain.enums import ItemStatus, Role
from roadmap.domain.signals import PledgeInput
from roadmap.services import governance, items, periods, publishing, reports, signals, staff
from roadmap.ui import session

__all__ = ["world"]

ROOT = Path(__file__).resolve().parents[2]
ACME = "acme-notebooks"


def _in_scope(w: World, title: str, effort: int) -> int:
    lead = Actor(None, "setup", "setup", frozenset({(Role.LEAD, "jupyter-frontends")}))
    item = items.create_item(
        w.ctx,
        lead,
        {
            "title": title,
            "summary": "An item of the pledge world.",
            "subcommunity": "jupyter-frontends",
            "kind": "feature",
            "effort_low": effort,
            "effort_high": effort,
            "skills": ["python"],
        },
    )
    items.change_status(w.ctx, lead, item.id, ItemStatus.PROPOSED)
    governance.open_comment_period(w.ctx, SETUP_EXECUTIVE, item.id)
    governance.close_comment_period(w.ctx, SETUP_EXECUTIVE, item.id)
    governance.decide_scope(w.ctx, SETUP_EXECUTIVE, item.id, "in_scope", "Wanted by the members.")
    return item.id


@pytest.fixture
def pledged(world: World) -> tuple[World, int, int]:
    """The world with two in-scope items, a staff member, Acme's pledges and a plan."""
    whole = _in_scope(world, "Pledged in full", 4)
    part = _in_scope(world, "Pledged in part", 6)
    staff.save_staff(
        world.ctx,
        world.actors["exec"],
        {"key": "ana", "name": "Ana", "skills": {"python": 2}, "capacity_weeks": 20},
    )
    period = periods.get_period(world.ctx)
    forms = {"signal_forms": ["approval", "points", "pledge"]}
    periods.update_period(world.ctx, world.actors["exec"], period.key, forms, period.version)
    signals.save_signal(
        world.ctx,
        world.actors["orgrep"],
        ACME,
        [part],
        {},
        [],
        [PledgeInput(whole, 4.0), PledgeInput(part, 2.0)],
    )
    envelope = periods.get_period(world.ctx).settings.envelope
    publishing.publish_plan(world.ctx, world.actors["exec"], envelope)
    return world, whole, part


def test_the_snapshot_csv_and_report_credit_the_pledging_organization(
    pledged: tuple[World, int, int],
) -> None:
    w, whole, part = pledged
    (plan,) = publishing.published_plans(w.ctx, w.actors["exec"])
    lines = {f.item: f for f in plan.snapshot.funded}
    assert plan.snapshot.format == 3  # format 2 and later keep pledges per organization
    assert lines[whole].stage == "pledges"
    assert lines[whole].pledges == {ACME: 4.0}
    assert lines[whole].payments == {}  # before the fix, "who paid" showed nothing
    assert lines[part].pledges == {ACME: 2.0}
    assert sum(lines[part].payments.values()) == 4.0  # the rest, paid by Acme or the pool
    # Every person-week funded is credited to a payer, and Acme's account adds up its lines.
    credited = [
        (k, w) for f in plan.snapshot.funded for t in (f.payments, f.pledges) for k, w in t.items()
    ]
    assert sum(w for _, w in credited) == pytest.approx(plan.snapshot.spent) == 10.0
    (account,) = plan.snapshot.accounts
    assert account.paid == pytest.approx(sum(w for k, w in credited if k == ACME))

    assert lines[whole].who_paid(plan.snapshot.names()) == "Acme Notebooks: 4 person-weeks (pledge)"
    markdown = reports.plan_markdown(plan)
    row = next(ln for ln in markdown.splitlines() if ln.startswith(f"| {whole} | "))
    assert "| pledges | Acme Notebooks: 4 person-weeks (pledge); organizations paying: 1 |" in row
    row = next(ln for ln in markdown.splitlines() if ln.startswith(f"| {part} | "))
    assert "Acme Notebooks: 2 person-weeks (pledge), " in row
    csv_rows = reports.plan_csv(plan).splitlines()
    assert csv_rows[0].endswith(",weeks,who_paid")
    mine = [r for r in csv_rows[1:] if r.split(",")[2] == str(whole)]
    assert mine and all(r.endswith(",Acme Notebooks: 4 person-weeks (pledge)") for r in mine)


def test_the_plan_page_names_the_pledging_organization(
    pledged: tuple[World, int, int],
    monkeypatch: pytest.MonkeyPatch,
    downloads: dict[str, Callable[[], Any]],
) -> None:
    w, whole, part = pledged
    monkeypatch.setattr(session, "context", lambda: w.ctx)
    monkeypatch.setattr(session, "current_actor", lambda: w.actors["member"])
    at = AppTest.from_file(str(ROOT / "pages" / "plan.py"), default_timeout=30).run()
    assert not at.exception, [e.value for e in at.exception]
    funded = next(t.value for t in at.dataframe if "Who paid" in t.value.columns)
    ids = [int(str(link).removeprefix("/item?id=").split("#")[0]) for link in funded["Item"]]
    who = dict(zip(ids, funded["Who paid"], strict=True))
    assert who[whole] == "Acme Notebooks: 4 person-weeks (pledge)"
    assert who[part].startswith("Acme Notebooks: 2 person-weeks (pledge), ")
    paying = dict(zip(ids, funded["Paying organizations"], strict=True))
    assert paying[whole] == 1
    assert "Acme Notebooks: 4 person-weeks (pledge)" in downloads["plan-2027-H1-v1.md"]()
