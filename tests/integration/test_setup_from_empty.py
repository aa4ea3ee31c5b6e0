"""A real deployment from an empty database: the README's steps on the command line, then
items, scope, signals, a scenario and a published plan through the services; and the
set-up use cases' refusals, which write nothing."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from support import PG_URL, Clock, need, pg_schema

from roadmap.cli import main
from roadmap.domain.access import Actor
from roadmap.domain.enums import ItemStatus, PeriodStatus
from roadmap.domain.errors import PermissionDenied, ValidationError
from roadmap.services import (
    accounts,
    catalog,
    catalog_edits,
    comparisons,
    governance,
    item_reads,
    items,
    period_setup,
    periods,
    publishing,
    setup,
    signals,
)
from roadmap.services.context import Context, default_context
from roadmap.services.scenarios import ScenarioResult, run_scenario, snapshot
from roadmap.services.sessions import authenticate
from roadmap.store.engine import make_engine, reading
from roadmap.store.tables import AuditEventRow, PeriodRow, SubCommunityRow

SYSTEM = Actor.system()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a database with nothing in it, not even the schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'roadmap.db'}"
        return
    need(bool(PG_URL), "PostgreSQL tests need ROADMAP_TEST_DATABASE_URL")
    with pg_schema("roadmap_setup") as url:
        yield url


def run_cli(monkeypatch: pytest.MonkeyPatch, *args: str, stdin: str = "") -> str:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    status = main(list(args))
    assert status == 0, f"roadmap {' '.join(args)} exited {status}"
    return out.getvalue()


def test_the_readme_steps_reach_a_published_plan_without_the_demo(
    empty_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ROADMAP_DATABASE_URL", empty_url)
    monkeypatch.setenv("ROADMAP_SECRET_KEY", "setup-test")
    monkeypatch.setenv("ROADMAP_ARGON2_PROFILE", "CHEAPEST")
    default_context.cache_clear()
    try:
        _walk(monkeypatch, tmp_path, empty_url)
    finally:
        default_context().engine.dispose()
        default_context.cache_clear()


def _walk(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, url: str) -> None:
    cli = lambda *a, stdin="": run_cli(monkeypatch, *a, stdin=stdin)  # noqa: E731
    cli("init-db")
    for name in ("alice", "erin", "bob", "carol", "sam", "mo"):
        cli("create-user", name, "--password-stdin", stdin="password-123\n")
    cli("grant", "alice", "admin")
    cli("create-subcommunity", "jupyter-frontends", "Jupyter Frontends")
    subs = tmp_path / "subcommunities.csv"
    subs.write_text("slug,name,description\nvoila,Voilà,Dashboards\njupyterhub,JupyterHub,\n")
    assert "Imported 2 sub-communities" in cli("import-csv", "subcommunities", str(subs))
    cli("create-theme", "ux", "User experience")
    cli("create-skill", "python", "Python")
    cli("create-skill", "react", "React")
    orgs = tmp_path / "orgs.csv"
    orgs.write_text(
        "key,name,kind,tier,annual_commitment,term_start,term_end\n"
        "acme,Acme Labs,company,premier,150000,2027-01-01,2027-12-31\n"
        "uni,A University,university,associate,0,2027-01-01,2027-12-31\n"
    )
    cli("import-csv", "organizations", str(orgs))
    people = tmp_path / "staff.csv"
    people.write_text(
        "key,name,username,skills,capacity_weeks\n"
        "sam,Sam Staff,sam,python:3;react:2,20\n"
        "kim,Kim Staff,,python:2,10\n"
    )
    cli("import-csv", "staff", str(people))
    cli("create-period", "2027-H1", "2027, first half", "2027-01-01", "2027-06-30")
    cli("grant", "erin", "executive")
    cli("grant", "bob", "lead", "jupyter-frontends")
    cli("grant", "carol", "representative", "acme")
    cli("grant", "mo", "representative", "uni")
    cli("grant", "sam", "staff")
    status = cli("setup-status")
    assert status.count("[x]") == 5, status

    clock = Clock(datetime.now(UTC).replace(microsecond=0))
    ctx = Context(make_engine(url), clock)
    try:
        _plan(ctx, clock, monkeypatch)
    finally:
        ctx.engine.dispose()


def _who(ctx: Context, name: str) -> Actor:
    actor = authenticate(ctx, name, "password-123")
    assert actor is not None
    return actor


def _plan(ctx: Context, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    lead, execu, member = _who(ctx, "bob"), _who(ctx, "erin"), _who(ctx, "mo")
    made = []
    for title, effort, skills in (
        ("Faster notebook start-up", 6, ["python"]),
        ("Accessible menus", 10, ["react"]),
        ("Real-time collaboration", 40, ["python", "react"]),
    ):
        item = items.create_item(
            ctx,
            lead,
            {
                "title": title,
                "subcommunity": "jupyter-frontends",
                "effort_low": effort,
                "effort_high": effort,
                "skills": skills,
            },
        )
        items.change_status(ctx, lead, item.id, ItemStatus.PROPOSED)
        governance.open_comment_period(ctx, execu, item.id, clock.now + timedelta(days=1))
        made.append(item.id)
    governance.add_comment(ctx, member, made[0], "We need this for teaching.")
    clock.advance(days=2)
    for item_id in made:
        governance.decide_scope(ctx, execu, item_id, "in_scope", "Fits the roadmap.")
        assert item_reads.get_item(ctx, execu, item_id).status == ItemStatus.IN_SCOPE

    run_cli(monkeypatch, "open-signalling", "2027-H1")
    assert periods.get_period(ctx).settings.status == PeriodStatus.SIGNALLING
    signals.save_signal(ctx, _who(ctx, "carol"), "acme", made[:2], {}, [], [])
    signals.save_signal(ctx, member, "uni", made[1:], {}, [], [])

    envelope = periods.get_period(ctx).settings.envelope
    scenario = run_scenario(ctx, execu, envelope, "Equal shares")
    reviewed = snapshot(scenario)
    comparisons.keep_comparison(ctx, execu, [ScenarioResult("Equal shares", envelope, reviewed)])
    plan = publishing.publish_plan(ctx, execu, envelope, "Equal shares", reviewed=reviewed)
    assert plan.version == 1
    funded = {f.item for f in plan.snapshot.funded}
    assert funded, "the plan funds something"
    assert funded <= set(made)
    for item_id in funded:
        assert item_reads.get_item(ctx, execu, item_id).status == ItemStatus.PLANNED
    assert plan.snapshot.assignments, "staff are assigned"
    assert [p.version for p in publishing.published_plans(ctx, SYSTEM)] == [1]

    # The next period, started from this one on the command line (the README's next step).
    h2 = ("2027-H2", "2027, second half", "2027-07-01", "2027-12-31")
    out = run_cli(monkeypatch, "new-period", "--from", "2027-H1", *h2)
    assert "Started the planning period 2027, second half (2027-H2) from 2027-H1, in draft." in out
    assert "returned to the pool of 2027-H2" in out
    carried = periods.get_period(ctx, "2027-H2").settings.carried_weeks
    assert carried == pytest.approx(plan.snapshot.budget - plan.snapshot.spent)
    monkeypatch.setattr(sys, "stderr", refusal := io.StringIO())
    assert (
        main(["new-period", "--from", "2027-H1", "2028-H1", "2028", "2028-01-01", "2028-06-30"])
        == 2
    )
    assert "2027-H2 was already started from 2027-H1" in refusal.getvalue()


# -- refusals and archive ----------------------------------------------------------------


def _audit_count(ctx: Context) -> int:
    with reading(ctx.engine) as session:
        return int(session.scalar(select(func.count()).select_from(AuditEventRow)) or 0)


def _refused(ctx: Context, call: object, says: str) -> None:
    before = _audit_count(ctx)
    with pytest.raises(ValidationError) as refused:
        call()  # type: ignore[operator]
    assert says in str(refused.value)
    assert _audit_count(ctx) == before, "a refused step writes nothing"


def test_refused_set_up_steps_say_why_and_write_nothing(ctx: Context) -> None:
    catalog.create_subcommunity(ctx, SYSTEM, "voila", "Voilà")
    period_setup.create_period(
        ctx, SYSTEM, "2027-H1", "2027 H1", date(2027, 1, 1), date(2027, 6, 30)
    )
    _refused(
        ctx,
        lambda: period_setup.create_period(
            ctx, SYSTEM, "2027-Q2", "2027 Q2", date(2027, 4, 1), date(2027, 9, 30)
        ),
        "2027 H1 runs from 2027-01-01 to 2027-06-30, which overlaps 2027-04-01 to 2027-09-30",
    )
    _refused(
        ctx,
        lambda: period_setup.create_period(
            ctx, SYSTEM, "2027-H2", "2027 H2", date(2027, 12, 31), date(2027, 7, 1)
        ),
        "The end date must come after the start date.",
    )
    _refused(
        ctx,
        lambda: period_setup.create_period(
            ctx, SYSTEM, "2027-H1", "Another", date(2028, 1, 1), date(2028, 6, 30)
        ),
        "There is already a period '2027-H1'.",
    )
    _refused(ctx, lambda: catalog.create_subcommunity(ctx, SYSTEM, "voila", "V"), "is taken")
    _refused(
        ctx,
        lambda: catalog.create_subcommunity(ctx, SYSTEM, "voila-2", "VOILÀ"),
        "There is already a sub-community named 'VOILÀ'.",
    )
    catalog.create_theme(ctx, SYSTEM, "etude", "ÉTUDE")
    _refused(
        ctx,
        lambda: catalog.create_theme(ctx, SYSTEM, "etude-2", "étude"),
        "There is already a theme named 'étude'.",
    )
    catalog_edits.create_skill(ctx, SYSTEM, "python", "Python")
    _refused(ctx, lambda: catalog_edits.create_skill(ctx, SYSTEM, "py", "python"), "named")
    period_setup.create_period(
        ctx, SYSTEM, "2027-H2", "2027 H2", date(2027, 7, 1), date(2027, 12, 31)
    )
    version = next(p.version for p in period_setup.list_periods(ctx) if p.key == "2027-H2")
    _refused(
        ctx,
        lambda: period_setup.edit_period(
            ctx, SYSTEM, "2027-H2", "2027 H2", date(2027, 6, 30), date(2027, 12, 31), version
        ),
        "overlaps",
    )
    period_setup.open_signalling(ctx, SYSTEM, "2027-H1")
    _refused(
        ctx,
        lambda: period_setup.open_signalling(ctx, SYSTEM, "2027-H2"),
        "Signalling for 2027 H1 is open; one period takes signals at a time.",
    )
    _refused(ctx, lambda: period_setup.archive_period(ctx, SYSTEM, "2027-H1"), "close it")


def test_a_sub_community_with_open_items_cannot_be_archived_and_an_archived_one_is_kept(
    world: object,
) -> None:
    ctx: Context = world.ctx  # type: ignore[attr-defined]
    lead = world.actors["lead"]  # type: ignore[attr-defined]
    fields = {
        "title": "Voilà templates",
        "subcommunity": "voila",
        "effort_low": 1,
        "effort_high": 2,
    }
    accounts.grant_role(ctx, SYSTEM, lead.username, "lead", "voila")
    lead = authenticate(ctx, lead.username, "password-123")
    assert lead is not None
    item = items.create_item(ctx, lead, fields)
    _refused(
        ctx,
        lambda: catalog_edits.archive(ctx, SYSTEM, "subcommunity", "voila"),
        f"Voilà has 1 open item (#{item.id}): an item is open until it is done, withdrawn",
    )
    items.change_status(ctx, lead, item.id, ItemStatus.WITHDRAWN, "Not needed.")
    catalog_edits.archive(ctx, SYSTEM, "subcommunity", "voila")

    assert "voila" not in [s.slug for s in catalog.list_subcommunities(ctx, active_only=True)]
    assert "voila" in [s.slug for s in catalog.list_subcommunities(ctx)]
    shown = item_reads.get_item(ctx, lead, item.id)
    assert shown.subcommunity == "voila", "the existing item still names it"
    _refused(ctx, lambda: items.create_item(ctx, lead, fields), "Voilà is archived")
    _refused(
        ctx,
        lambda: accounts.grant_role(ctx, SYSTEM, "member", "lead", "voila"),
        "Voilà is archived; it takes no new leads.",
    )
    entry = next(e for e in catalog_edits.list_entries(ctx, "subcommunity") if e.slug == "voila")
    assert (entry.archived, entry.items, entry.open_items) == (True, 1, 0)
    catalog_edits.restore(ctx, SYSTEM, "subcommunity", "voila")
    items.create_item(ctx, lead, fields)


def test_renames_archives_and_period_moves_are_audited(world: object) -> None:
    ctx: Context = world.ctx  # type: ignore[attr-defined]
    catalog_edits.rename(ctx, SYSTEM, "subcommunity", "voila", "Voilà dashboards", "Dashboards")
    catalog_edits.rename(ctx, SYSTEM, "theme", "ux", "Usability")
    catalog_edits.archive(ctx, SYSTEM, "skill", "react")
    assert "react" not in catalog.list_skills(ctx, active_only=True)
    period_setup.create_period(
        ctx, SYSTEM, "2027-H2", "2027 H2", date(2027, 7, 1), date(2027, 12, 31)
    )
    period_setup.close_period(ctx, SYSTEM, "2027-H2")
    period_setup.archive_period(ctx, SYSTEM, "2027-H2")
    assert periods.get_period(ctx).key == "2027-H1", "an archived period is not chosen"
    with reading(ctx.engine) as session:
        events = session.execute(
            select(AuditEventRow.action, AuditEventRow.entity, AuditEventRow.entity_id).where(
                AuditEventRow.action.in_(["rename", "archive", "close", "create"])
            )
        ).all()
    assert ("rename", "subcommunity", "voila") in events
    assert ("rename", "theme", "ux") in events
    assert ("archive", "skill", "react") in events
    assert ("create", "period", "2027-H2") in events
    assert ("close", "period", "2027-H2") in events
    assert ("archive", "period", "2027-H2") in events
    with reading(ctx.engine) as session:
        row = session.scalar(select(SubCommunityRow).where(SubCommunityRow.slug == "voila"))
        assert row is not None and row.name == "Voilà dashboards"
        archived = session.scalar(select(PeriodRow.archived_at).where(PeriodRow.key == "2027-H2"))
        assert archived is not None


def test_only_admins_create_sub_communities_and_admins_or_the_executive_periods(
    world: object,
) -> None:
    ctx: Context = world.ctx  # type: ignore[attr-defined]
    actors = world.actors  # type: ignore[attr-defined]
    with pytest.raises(PermissionDenied):
        catalog.create_subcommunity(ctx, actors["exec"], "new-one", "New one")
    with pytest.raises(PermissionDenied):
        period_setup.create_period(
            ctx, actors["lead"], "2028-H1", "2028 H1", date(2028, 1, 1), date(2028, 6, 30)
        )
    period_setup.create_period(
        ctx, actors["exec"], "2028-H1", "2028 H1", date(2028, 1, 1), date(2028, 6, 30)
    )


def test_the_checklist_ticks_itself_off_from_what_the_database_holds(ctx: Context) -> None:
    steps = setup.checklist(ctx, SYSTEM)
    assert [s.done for s in steps] == [False] * 5
    assert setup.needs_setup(ctx)
    catalog.create_subcommunity(ctx, SYSTEM, "voila", "Voilà")
    period_setup.create_period(
        ctx, SYSTEM, "2027-H1", "2027 H1", date(2027, 1, 1), date(2027, 6, 30)
    )
    done = {s.title: s.done for s in setup.checklist(ctx, SYSTEM)}
    assert done["Sub-communities"] and done["The first planning period"]
    assert not done["Staff"]


def test_migration_0006_goes_down_to_0005_and_up_again(empty_url: str) -> None:
    from alembic import command
    from sqlalchemy import inspect

    from roadmap.store.migrate import alembic_config, current_revision, upgrade

    engine = make_engine(empty_url)
    try:
        upgrade(engine)
        command.downgrade(alembic_config(engine), "0005")
        assert current_revision(engine) == "0005"
        assert "archived_at" not in {c["name"] for c in inspect(engine).get_columns("periods")}
        upgrade(engine)
        for table in ("subcommunities", "themes", "skills", "periods"):
            assert "archived_at" in {c["name"] for c in inspect(engine).get_columns(table)}
    finally:
        engine.dispose()


def test_a_nul_in_a_period_or_staff_field_is_refused_as_a_sentence_on_every_database(
    ctx: Context,
) -> None:
    """Every problem is named at once, but a value its own checks refused is never looked up
    in the database: PostgreSQL refuses a NUL in a query's text with an error, not a
    sentence (the slow form fuzz found it on the periods page)."""
    from roadmap.services import staff

    period_setup.create_period(
        ctx, SYSTEM, "2027-H1", "2027 H1", date(2027, 1, 1), date(2027, 6, 30)
    )
    _refused(
        ctx,
        lambda: period_setup.create_period(
            ctx, SYSTEM, "20\x0027", "Half\x00", date(2027, 1, 1), date(2027, 6, 30)
        ),
        "overlaps",
    )
    version = period_setup.list_periods(ctx)[0].version
    _refused(
        ctx,
        lambda: period_setup.edit_period(
            ctx, SYSTEM, "2027-H1", "H\x001", date(2027, 1, 1), date(2027, 6, 30), version
        ),
        "name",
    )
    _refused(
        ctx,
        lambda: staff.save_staff(
            ctx,
            SYSTEM,
            {
                "key": "ana",
                "name": "Ana",
                "username": "a\x00b",
                "paid_by": "o\x00rg",
                "skills": {},
                "capacity_weeks": 10,
            },
        ),
        "user",
    )
