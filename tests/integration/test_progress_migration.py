"""Migration 0014 (progress reported per assignment) on both databases: going down drops
``progress_reports.staff_id`` and keeps every report; coming back up adds it empty, and a
report without a staff member counts for every person on its item."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic import command
from sqlalchemy import Engine, inspect, select, text
from support import PG_URL, Clock, need, pg_schema

from roadmap import config
from roadmap.domain.access import Actor
from roadmap.services import delivery, demo, periods, progress, publishing
from roadmap.services.context import Context
from roadmap.services.sessions import authenticate
from roadmap.store.engine import make_engine, reading
from roadmap.store.migrate import alembic_config, current_revision, head_revision, upgrade
from roadmap.store.tables import StaffRow

REVISION, BELOW = "0014", "0013"


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """A database of its own for each test (migrations change the schema under it)."""
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path_factory.mktemp('db') / 'roadmap.db'}")
        upgrade(eng)
        yield eng
        eng.dispose()
        return
    need(bool(PG_URL), "PostgreSQL tests need ROADMAP_TEST_DATABASE_URL")
    with pg_schema("roadmap_mig") as url:
        eng = make_engine(url)
        upgrade(eng)
        yield eng
        eng.dispose()


def columns(engine: Engine) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns("progress_reports")}


def test_0014_goes_down_and_up_keeping_every_report_which_then_counts_for_everyone_on_it(
    engine: Engine, ctx: Context, clock: Clock
) -> None:
    demo.load_demo(ctx, Actor.system(), config.demo_dir())
    execu, staff = authenticate(ctx, "exec", "demo"), authenticate(ctx, "staff", "demo")
    assert execu is not None and staff is not None
    plan = publishing.publish_plan(ctx, execu, periods.get_period(ctx).settings.envelope, "A")
    _, mine = progress.my_assignments(ctx, staff)
    people: dict[int, set[str]] = {}
    for line in plan.snapshot.assignments:
        people.setdefault(line.item, set()).add(line.staff)
    item = min(a.item for a in mine if len(people[a.item]) > 1)  # shared with someone else
    clock.advance(weeks=4)
    progress.report_progress(ctx, staff, item, 30, "Started.")
    reported = clock.now
    with reading(engine) as session:
        jonah = session.scalar(select(StaffRow.id).where(StaffRow.key == "jonah-whitcombe"))
    assert current_revision(engine) == head_revision() and "staff_id" in columns(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT staff_id FROM progress_reports")).all() == [(jonah,)]

    command.downgrade(alembic_config(engine), BELOW)
    engine.dispose()
    assert current_revision(engine) == BELOW and "staff_id" not in columns(engine)
    with engine.connect() as conn:
        kept = conn.execute(text("SELECT item_id, percent_done, note FROM progress_reports"))
        assert [tuple(r) for r in kept] == [(item, 30, "Started.")]

    command.upgrade(alembic_config(engine), "head")
    engine.dispose()
    assert current_revision(engine) == REVISION == head_revision()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT staff_id FROM progress_reports")).all() == [(None,)]
    # The report kept without its staff member counts for each person on the item, as it
    # counted for the item before: none of them is overdue until 8 weeks after it.
    clock.advance(weeks=8)
    schedule = delivery.reports_overdue(ctx, execu)
    assert schedule is not None
    lines = [d for d in schedule.items if d.item == item]
    assert len(lines) == len(people[item]) > 1
    assert {(d.last_report, d.overdue) for d in lines} == {(reported, False)}
    clock.advance(minutes=1)
    schedule = delivery.reports_overdue(ctx, execu)
    assert schedule is not None
    assert {d.staff_key for d in schedule.overdue if d.item == item} == people[item]
