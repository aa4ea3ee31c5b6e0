"""Every CSV the product writes, on the demo data with item titles a spreadsheet would run
as formulas: those titles come out with a leading quote, and no cell but a number begins
with =, +, -, @, a tab or a CR (on SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select, update
from support import Clock

from roadmap import config
from roadmap.domain.access import Actor
from roadmap.services import demo, imports, item_reads, periods, publishing, reports, signals
from roadmap.services.context import Context
from roadmap.services.csv_export import FORMULA_STARTS, frame_csv
from roadmap.services.sessions import authenticate
from roadmap.store.engine import transaction
from roadmap.store.tables import ItemRow
from roadmap.ui.roadmap_view import _frame

HOSTILE = ['=HYPERLINK("http://x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(1)"]


@pytest.fixture
def hostile(ctx: Context, clock: Clock) -> Context:
    """The demo, every item retitled with one of the hostile titles (the store takes them as
    they come, as an import or an older version might have)."""
    demo.load_demo(ctx, Actor.system(), config.demo_dir())
    with transaction(ctx.engine) as session:
        ids = session.scalars(select(ItemRow.id).order_by(ItemRow.id)).all()
        for n, item_id in enumerate(ids):
            title = f"{HOSTILE[n % len(HOSTILE)]} #{item_id}"
            session.execute(update(ItemRow).where(ItemRow.id == item_id).values(title=title))
    return ctx


def cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def assert_safe(text: str, titles: list[str]) -> None:
    found = cells(text)
    runnable = [c for c in found if c.startswith(FORMULA_STARTS) and not is_number(c)]
    assert runnable == []
    for title in titles:
        assert "'" + title in found
        assert title not in found


def who(ctx: Context, username: str) -> Actor:
    actor = authenticate(ctx, username, "demo")
    assert actor is not None
    return actor


def test_the_public_roadmap_csv_neutralises_formula_titles(hostile: Context) -> None:
    shown = item_reads.list_items(hostile, Actor.public(), brief=True)
    assert_safe(frame_csv(_frame(shown)), [i.title for i in shown])


def test_the_signals_csv_neutralises_formula_titles(hostile: Context) -> None:
    execu = who(hostile, "exec")
    totals = signals.signal_board(hostile, execu).totals
    assert totals
    assert_safe(signals.signals_csv(hostile, execu), [t.title for t in totals])


def test_the_plan_csv_neutralises_formula_titles_and_keeps_numbers(hostile: Context) -> None:
    execu = who(hostile, "exec")
    plan = publishing.publish_plan(hostile, execu, periods.get_period(hostile).settings.envelope)
    text = reports.plan_csv(plan)
    assert_safe(text, sorted({f.title for f in plan.snapshot.funded}))
    weeks = [row["weeks"] for row in csv.DictReader(io.StringIO(text, newline=""))]
    assert weeks and all(is_number(w) for w in weeks)


def test_the_import_template_and_problems_csv_are_safe(hostile: Context) -> None:
    for kind in imports.KINDS.values():
        assert_safe(kind.template(), [])
    data = b"title,subcommunity,effort_low,effort_high\n=1+1,@x,-2+3,+4\n"
    checked = imports.preview(hostile, who(hostile, "admin"), "items", data)
    assert checked.problems
    import pandas as pd

    problems = pd.DataFrame(
        [{"Line": p.line, "Column": p.column, "Problem": p.problem} for p in checked.problems]
    )
    assert_safe(frame_csv(problems), [])
