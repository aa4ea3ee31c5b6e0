"""Values from outside are typed at the boundary (domain/boundary.py), on SQLite and
PostgreSQL: an id beyond the database's integer range and text with a NUL or another control
character are refused with a sentence naming the field, and nothing is written. Each test
names the crash it proves fixed (issue 14, part 1)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest
from support import Clock, dump, run_coroutine
from support.world import World

from roadmap import config
from roadmap.domain.access import Actor
from roadmap.domain.enums import ItemStatus, Role
from roadmap.domain.errors import ValidationError
from roadmap.services import (
    audit,
    backup,
    catalog,
    comparisons,
    demo,
    governance,
    imports,
    items,
    periods,
    progress,
    publishing,
    scenarios,
    signals,
)
from roadmap.services.context import Context
from roadmap.services.sessions import authenticate
from roadmap.store.engine import make_engine
from roadmap.store.migrate import upgrade

pytestmark = pytest.mark.security

SYSTEM = Actor.system()
ITEM = {"subcommunity": "jupyter-frontends", "effort_low": 4, "effort_high": 8}


@pytest.fixture
def demo_ctx(ctx: Context) -> Context:
    demo.load_demo(ctx, SYSTEM, config.demo_dir())
    return ctx


def _who(ctx: Context, username: str) -> Actor:
    actor = authenticate(ctx, username, "demo")
    assert actor is not None
    return actor


def test_a_comment_with_a_nul_is_refused_naming_the_comment_and_nothing_is_written(
    world: World, clock: Clock
) -> None:
    # Was: a traceback on PostgreSQL (it refuses a NUL); stored as it came on SQLite.
    ctx, lead, execu = world.ctx, world.actors["lead"], world.actors["exec"]
    item = items.create_item(ctx, lead, {**ITEM, "title": "Faster start-up"})
    items.change_status(ctx, lead, item.id, ItemStatus.PROPOSED)
    governance.open_comment_period(ctx, execu, item.id, clock.now + timedelta(days=3))
    before = dump(ctx.engine)
    for body in ("null\x00byte", "bell\x07", "escape\x1b[31m", "delete\x7f", "c1\x85c1"):
        with pytest.raises(ValidationError, match="The comment contains a control character"):
            governance.add_comment(ctx, world.actors["member"], item.id, body)
    assert dump(ctx.engine) == before
    kept = governance.add_comment(ctx, world.actors["member"], item.id, "Tabs\tand\r\nlines.")
    assert kept.body == "Tabs\tand\nlines."


@pytest.mark.parametrize("huge", ["9223372036854775808", "2147483648", "0", "-3"])
def test_a_csv_dependency_outside_the_id_range_is_a_problem_of_its_cell_not_a_crash(
    world: World, huge: str
) -> None:
    # Was: an unchecked int() sent 2**63 to SQLite and 2**31 to PostgreSQL: a traceback.
    ctx, lead = world.ctx, world.actors["lead"]
    text = (
        "title,subcommunity,effort_low,effort_high,depends_on\n"
        f"Start-up,jupyter-frontends,1,2,{huge}\n"
    )
    checked = imports.preview(ctx, lead, "items", text.encode())
    assert [(p.line, p.column) for p in checked.problems] == [(2, "depends_on")]
    before = dump(ctx.engine)
    with pytest.raises(ValidationError):
        imports.import_csv(ctx, lead, "items", text.encode())
    assert dump(ctx.engine) == before


def test_a_csv_cell_with_a_nul_is_refused_naming_its_column(world: World) -> None:
    ctx, lead = world.ctx, world.actors["lead"]
    text = (
        "title,summary,subcommunity,effort_low,effort_high\nStart-up,a\x07b,jupyter-frontends,1,2\n"
    )
    checked = imports.preview(ctx, lead, "items", text.encode())
    assert [(p.column, p.problem) for p in checked.problems] == [
        (
            "summary",
            "The summary contains a control character (U+0007); only text, newlines "
            "and tabs are allowed.",
        )
    ]


def test_the_cli_refuses_a_dependency_beyond_the_id_range_with_a_sentence(tmp_path: Path) -> None:
    # Was: `roadmap import-csv items` ended in an OverflowError traceback.
    env = {**os.environ, "ROADMAP_DATABASE_URL": f"sqlite:///{tmp_path / 'r.db'}"}
    roadmap = str(Path(sys.executable).parent / "roadmap")
    assert subprocess.run([roadmap, "init-db", "--demo-if-empty"], env=env).returncode == 0
    csv_file = tmp_path / "items.csv"
    csv_file.write_text(
        "title,subcommunity,effort_low,effort_high,depends_on\n"
        "Start-up,jupyter-frontends,1,2,9223372036854775808\n"
    )
    done = subprocess.run(
        [roadmap, "import-csv", "items", str(csv_file)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert f"{csv_file}: line 2, depends_on: Dependencies must be item numbers" in done.stderr


@pytest.fixture
def one_subcommunity(tmp_path: Path) -> dict[str, object]:
    """A backup (from SQLite, as the documented migration takes it) with one sub-community."""
    engine = make_engine(f"sqlite:///{tmp_path / 'source.db'}")
    upgrade(engine)
    source = Context(engine, Clock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC)))
    catalog.create_subcommunity(source, SYSTEM, "voila", "Voilà")
    data = backup.export_backup(source, SYSTEM)
    engine.dispose()
    return data


@pytest.mark.parametrize(
    ("column", "value", "sentence"),
    [
        (
            "name",
            "Vo\x00ila",
            "subcommunities row id=1, field name: The name contains a control character",
        ),
        (
            "description",
            "\x1b[2J",
            "field description: The description contains a control character",
        ),
        (
            "id",
            2**31,
            "subcommunities row id=2147483648, field id: The value must be at most 2147483647",
        ),
        (
            "version",
            -(2**31) - 1,
            "subcommunities row id=1, field version: The value must be at least 1",
        ),
    ],
)
def test_a_backup_row_with_a_control_character_or_a_huge_number_is_refused_whole(
    ctx: Context, one_subcommunity: dict, column: str, value: object, sentence: str
) -> None:
    # Was: SQLite stored the NUL, and the SQLite -> PostgreSQL migration refused the backup.
    one_subcommunity["tables"]["subcommunities"][0][column] = value
    before = dump(ctx.engine)
    with pytest.raises(ValidationError, match=sentence):
        backup.import_backup(ctx, SYSTEM, json.loads(json.dumps(one_subcommunity)))
    assert dump(ctx.engine) == before


def test_a_progress_note_with_a_control_character_is_refused_and_nothing_is_written(
    demo_ctx: Context,
) -> None:
    execu, staff = _who(demo_ctx, "exec"), _who(demo_ctx, "staff")
    publishing.publish_plan(demo_ctx, execu, periods.get_period(demo_ctx).settings.envelope)
    _, mine = progress.my_assignments(demo_ctx, staff)
    before = dump(demo_ctx.engine)
    with pytest.raises(ValidationError, match="The progress note contains a control character"):
        progress.report_progress(demo_ctx, staff, mine[0].item, 40, "half\x00way")
    assert dump(demo_ctx.engine) == before


def test_a_pledge_note_with_a_nul_or_too_long_is_refused_and_nothing_is_written(
    demo_ctx: Context,
) -> None:
    # Was: the note went straight into the pledges table (a traceback on PostgreSQL).
    rep = _who(demo_ctx, "orgrep")
    org = next(scope for role, scope in rep.grants if role == Role.REPRESENTATIVE)
    assert org is not None
    before = dump(demo_ctx.engine)
    for note, sentence in [("a\x00b", "control character"), ("x" * 2001, "at most 2,000")]:
        pledge = signals.PledgeInput(1, 1.0, 0.0, note)
        with pytest.raises(ValidationError, match=f"The pledge note .*{sentence}"):
            signals.save_signal(demo_ctx, rep, org, [], {}, [], [pledge])
    assert dump(demo_ctx.engine) == before


def test_scenarios_need_plain_names_of_their_own(demo_ctx: Context) -> None:
    # Was: two scenarios named alike were kept, and the scenarios page then failed on every
    # load with pyarrow's "Duplicate column names" (found by tests/app/test_security_fuzz.py).
    execu = _who(demo_ctx, "exec")
    envelope = periods.get_period(demo_ctx).settings.envelope
    with pytest.raises(ValidationError, match="The scenario name contains a control character"):
        scenarios.run_scenario(demo_ctx, execu, envelope, "A\x00")
    snap = scenarios.snapshot(scenarios.run_scenario(demo_ctx, execu, envelope, "A"))
    twins = [
        scenarios.ScenarioResult("A", envelope, snap),
        scenarios.ScenarioResult("A", envelope, snap),
    ]
    before = dump(demo_ctx.engine)
    with pytest.raises(ValidationError, match="a name of its own"):
        comparisons.keep_comparison(demo_ctx, execu, twins)
    assert dump(demo_ctx.engine) == before


def test_the_audit_filter_refuses_a_nul_with_a_sentence(world: World) -> None:
    # Was: a traceback on PostgreSQL, which refuses a NUL even in a query's parameter.
    with pytest.raises(ValidationError, match="The person contains a control character"):
        audit.list_events(world.ctx, world.actors["exec"], person="exec\x00")
    with pytest.raises(ValidationError, match="The person contains a control character"):
        audit.count_events(world.ctx, world.actors["exec"], person="exec\x00")


def _post_login(form: dict[str, str]) -> tuple[int, bytes]:
    """POST /auth/login through the ASGI app of web/routes.py, as the server would."""
    from starlette.applications import Starlette

    from roadmap.web import routes

    body = urlencode(form).encode()
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/auth/login",
        "raw_path": b"/auth/login",
        "query_string": b"",
        "headers": [
            (b"host", b"roadmap.test"),
            (b"origin", b"http://roadmap.test"),
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("203.0.113.9", 50000),
        "server": ("roadmap.test", 80),
        "scheme": "http",
        "http_version": "1.1",
        "root_path": "",
    }
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    async def request() -> None:
        await Starlette(routes=routes.routes)(scope, receive, send)

    run_coroutine(request)  # not asyncio.run: see run_coroutine
    start = next(m for m in sent if m["type"] == "http.response.start")
    return start["status"], b"".join(m.get("body", b"") for m in sent)


@pytest.mark.parametrize("username", ["admin\x00", "\x00", "ad\x1bmin"])
def test_a_control_character_in_the_sign_in_username_is_an_ordinary_failed_sign_in(
    demo_ctx: Context, monkeypatch: pytest.MonkeyPatch, username: str
) -> None:
    # Was: 500 (PostgreSQL refused the NUL in the throttle's and the account's lookups).
    from roadmap.web import routes

    monkeypatch.setattr(routes, "default_context", lambda: demo_ctx)
    monkeypatch.setenv("ROADMAP_PUBLIC_URL", "http://roadmap.test")  # the Origin it sends
    status, page = _post_login({"username": username, "password": "demo", "next": "/\x00"})
    assert status == 401
    assert b"That username and password do not match an active account." in page
