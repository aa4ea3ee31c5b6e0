"""A bounded load test: nine browser sessions at once against one running server, each a
headless Chromium context signed in as its own account, signal, comment and edit for a fixed
number of rounds through the real pages. No request fails, and afterwards the database
holds exactly the writes the pages acknowledged: every acknowledged signal, comment and
edit with its content, nothing that was refused. Run on SQLite and on PostgreSQL.

Two leads edit the same item's title, so an edit may be refused as a conflict (the
optimistic lock); a refusal must be a sentence and must leave nothing written.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, Server, database_url, retitle
from playwright.sync_api import Browser, expect
from sqlalchemy import Engine, create_engine, select, update
from support import need

from roadmap.domain.access import Actor
from roadmap.services import accounts
from roadmap.services.context import Context
from roadmap.store.engine import make_engine
from roadmap.store.tables import (
    AuditEventRow,
    CommentRow,
    ItemRow,
    OrganizationRow,
    PeriodRow,
    PledgeRow,
    SignalRow,
    SubCommunityRow,
    UserRow,
)

ROUNDS = 3
PASSWORD = "load-test-password"
MAIN = '[data-testid="stMain"]'
SAVED_SIGNAL = "Saved. The latest signal counts"
SAVED_EDIT = "Saved 1 changed item(s)."
CONFLICT = "Someone else saved this item while you were editing it"
# Representatives of three demo organizations that have no demo account of their own.
REPS = {
    "load-rep-1": "cirrovane-compute",
    "load-rep-2": "orbisome-genomics",
    "load-rep-3": "brackwater-quant",
}
COMMENTERS = ["load-member-1", "load-member-2", "load-member-3"]
# Two leads share a sub-community and edit the same draft; the third edits its own.
LEADS = {
    "load-lead-1": "foundations-standards",
    "load-lead-2": "foundations-standards",
    "load-lead-3": "jupyter-kernels",
}
# Streamlit's frontend first looks for its endpoints under the page's own path
# (/my_items/_stcore/health) and falls back to the root: those 404s are its design.
PROBE = re.compile(r"/[^/]+/_stcore/(health|host-config)$")


@dataclass
class Plan:
    """What each session writes to, read from the server's database before it starts."""

    signal_item: dict[str, tuple[int, str, int]]  # rep -> item id, label, points before
    signal_before: dict[str, SignalRow]
    comment_item: dict[str, int]
    edit_item: dict[str, int]
    edit_version: dict[int, int]


@dataclass
class Outcome:
    user: str
    acked: list[Any] = field(default_factory=list)
    refused: list[tuple[Any, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    page: Any = None


def prepare(server: Server) -> None:
    """Accounts for every session, and a signalling window that is open whatever the date."""
    ctx = Context(make_engine(server.env["ROADMAP_DATABASE_URL"]))
    system = Actor.system()
    for user, org in REPS.items():
        accounts.create_user(ctx, system, user, user, PASSWORD)
        accounts.grant_role(ctx, system, user, "representative", org)
    for user in COMMENTERS:
        accounts.create_user(ctx, system, user, user, PASSWORD)
    for user, sub in LEADS.items():
        accounts.create_user(ctx, system, user, user, PASSWORD)
        accounts.grant_role(ctx, system, user, "lead", sub)
    with ctx.engine.begin() as conn:
        conn.execute(update(PeriodRow).values(signal_window_start=None, signal_window_end=None))
    ctx.engine.dispose()


def plan(engine: Engine) -> Plan:
    with engine.connect() as conn:
        in_comment = list(
            conn.scalars(
                select(ItemRow.id).where(ItemRow.status == "in_comment").order_by(ItemRow.id)
            )
        )
        signal_item, signal_before = {}, {}
        for user, org in REPS.items():
            row = conn.execute(
                select(SignalRow)
                .join(OrganizationRow)
                .where(OrganizationRow.key == org)
                .order_by(SignalRow.id.desc())
            ).first()
            assert row is not None and row.points, f"the demo gives {org} a points signal"
            item_id, points = max(
                ((int(k), v) for k, v in row.points.items()), key=lambda kv: kv[1]
            )
            assert points > ROUNDS, "room to take a point off in every round"
            title = conn.scalar(select(ItemRow.title).where(ItemRow.id == item_id))
            signal_item[user] = (item_id, f"#{item_id} {title}", points)
            signal_before[user] = row
        edit_item = {}
        for user, sub in LEADS.items():
            edit_item[user] = conn.scalar(
                select(ItemRow.id)
                .join(SubCommunityRow)
                .where(SubCommunityRow.slug == sub, ItemRow.status.in_(["draft", "proposed"]))
                .order_by(ItemRow.id)
            )
        versions = dict(
            conn.execute(
                select(ItemRow.id, ItemRow.version).where(ItemRow.id.in_(edit_item.values()))
            ).all()
        )
    # Two commenters on one item, the third on another.
    comment_item = dict(zip(COMMENTERS, [in_comment[0], in_comment[0], in_comment[1]], strict=True))
    return Plan(signal_item, signal_before, comment_item, edit_item, versions)


def watch(page: Any, base: str, problems: list[str]) -> None:
    """Collect every script error, console error and failed request to the app."""

    def console(msg: Any) -> None:
        # "Failed to load resource" repeats a response the handlers below judge.
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            problems.append(f"console: {msg.text}")

    def response(resp: Any) -> None:
        if resp.url.startswith(base) and resp.status >= 400 and not PROBE.search(resp.url):
            problems.append(f"HTTP {resp.status} {resp.url}")

    def failed(req: Any) -> None:
        # Loads the browser itself cancels when a page navigates are not failures; requests
        # to other hosts (web fonts) cannot succeed without a network.
        if req.url.startswith(base) and req.failure != "net::ERR_ABORTED":
            problems.append(f"request failed: {req.url} {req.failure}")

    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("console", console)
    page.on("response", response)
    page.on("requestfailed", failed)


async def settle(page: Any) -> None:
    await page.wait_for_timeout(300)
    await page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=90_000
    )


async def check_no_exception(page: Any, problems: list[str]) -> None:
    boxes = page.locator('[data-testid="stException"]')
    if await boxes.count():
        problems.append(f"exception shown: {await boxes.first.inner_text()}")


async def answer(page: Any, ok: Any) -> str | None:
    """Wait for ``ok`` (the acknowledgement) or a sentence of refusal; None means acknowledged."""
    refusal = page.locator(
        f'{MAIN} [data-testid="stAlertContentWarning"], {MAIN} [data-testid="stAlertContentError"]'
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if await ok.count():
            return None
        if await refusal.count():
            return str(await refusal.first.inner_text())
        await page.wait_for_timeout(100)
    raise AssertionError("neither an acknowledgement nor a refusal appeared")


async def sign_in(browser: Any, base: str, user: str, out: Outcome) -> Any:
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    page.set_default_timeout(60_000)
    watch(page, base, out.problems)
    out.page = page
    await page.goto(f"{base}/auth/login")
    await page.fill("#username", user)
    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_selector(f"{MAIN} h1")
    return page


async def representative(browser: Any, base: str, user: str, p: Plan, out: Outcome) -> None:
    """Each round takes one more point off the organization's favourite item and saves."""
    _, label, start = p.signal_item[user]
    spent_before = sum(p.signal_before[user].points.values())
    page = await sign_in(browser, base, user, out)
    await page.goto(f"{base}/signals")
    await page.wait_for_selector(f"{MAIN} h1")
    main = page.locator(MAIN)
    saved = main.locator('[data-testid="stAlertContentSuccess"]')
    for n in range(ROUNDS):
        value = start - (n + 1)
        box = main.get_by_role("spinbutton", name=label, exact=True)
        await box.fill(str(value))
        await box.press("Tab")
        spent = spent_before - (n + 1)
        await main.get_by_text(f"Spent {spent} of 100 points", exact=False).wait_for()
        await settle(page)
        await saved.wait_for(state="detached")  # the last round's message is gone
        await page.get_by_role("button", name="Save signals").click()
        refused = await answer(page, saved.filter(has_text=SAVED_SIGNAL))
        (out.acked.append(value) if refused is None else out.refused.append((value, refused)))
        await check_no_exception(page, out.problems)
    await page.context.close()


async def commenter(browser: Any, base: str, user: str, p: Plan, out: Outcome) -> None:
    """Each round posts a comment; it is acknowledged when the page shows it."""
    from playwright.async_api import expect as expect_async

    page = await sign_in(browser, base, user, out)
    await page.goto(f"{base}/item?id={p.comment_item[user]}")
    await page.wait_for_selector(f"{MAIN} h1")
    main = page.locator(MAIN)
    box = main.get_by_label("Your comment")
    posted = main.locator('[data-testid="stChatMessage"]')
    for n in range(ROUNDS):
        body = f"Load comment {n + 1} from {user}."
        await settle(page)
        # A posted comment's box is replaced by an empty one (a refused one keeps its text):
        # type only once the last round's box has gone, as a person would.
        await expect_async(box).to_have_value("", timeout=60_000)
        await box.fill(body)
        await page.get_by_role("button", name="Post comment").click()
        refused = await answer(page, posted.get_by_text(body, exact=True))
        (out.acked.append(body) if refused is None else out.refused.append((body, refused)))
        await check_no_exception(page, out.problems)
    await page.context.close()


async def retitle_first_row(page: Any, grid: Any, title: str) -> None:
    """Retitle the first row: click its title cell (the first data row is below the 35 px
    header; the title column starts after the narrow id column), press Enter, type, press
    Enter, and see the cell show the new title. The grid redraws after every rerun, so a
    click can land on a canvas being replaced, and an editor that opened can close again
    before it is typed into: then the cell does not change, and we start over."""
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    editor = page.locator("textarea.gdg-input")
    shown = grid.locator("#glide-cell-1-0")
    for _ in range(8):
        await settle(page)
        box = await grid.bounding_box()
        assert box is not None
        await page.mouse.click(box["x"] + 150, box["y"] + 35 + 17)
        await page.keyboard.press("Enter")
        try:
            await editor.wait_for(timeout=3_000)
            if await editor.input_value(timeout=3_000) == await shown.text_content():
                await editor.fill(title, timeout=3_000)
                await editor.press("Enter", timeout=3_000)
                await shown.filter(has_text=title).wait_for(state="attached", timeout=5_000)
                return
        except PlaywrightTimeout:
            pass
        await page.keyboard.press("Escape")
    raise AssertionError("the first row's title could not be edited")


async def lead(browser: Any, base: str, user: str, p: Plan, out: Outcome) -> None:
    """Each round retitles the item in the first row of the table and saves the table."""
    page = await sign_in(browser, base, user, out)
    await page.goto(f"{base}/my_items")
    await page.wait_for_selector(f"{MAIN} h1")
    main = page.locator(MAIN)
    grid = main.locator('[data-testid="stDataFrame"]').first
    alerts = main.locator('[data-testid^="stAlertContent"]')
    for n in range(ROUNDS):
        title = f"Load edit {n + 1} by {user}"
        await settle(page)
        first_id = await grid.locator("#glide-cell-0-0").text_content()
        assert first_id == str(p.edit_item[user]), (user, first_id)
        await retitle_first_row(page, grid, title)
        await settle(page)
        await alerts.first.wait_for(state="detached")  # the last round's answer is gone
        await page.get_by_role("button", name="Save table changes").click()
        refused = await answer(page, alerts.filter(has_text=SAVED_EDIT))
        (out.acked.append(title) if refused is None else out.refused.append((title, refused)))
        await check_no_exception(page, out.problems)
    await page.context.close()


def drive(base: str, p: Plan, shots: Path) -> dict[str, Outcome]:
    """All sessions at once: one async Playwright, one browser, a context per session."""
    from playwright.async_api import async_playwright

    outcomes: dict[str, Outcome] = {}

    async def named(session: Awaitable[None], user: str) -> None:
        """A failing session names itself and leaves a screenshot."""
        try:
            await session
        except Exception as exc:
            page = outcomes[user].page
            if page is not None and not page.is_closed():
                await page.screenshot(path=str(shots / f"{user}.png"), full_page=True)
            raise AssertionError(f"{user} after {len(outcomes[user].acked)} writes: {exc}") from exc

    async def main() -> None:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            work: list[Awaitable[None]] = []
            roles: list[tuple[list[str], Callable[..., Awaitable[None]]]] = [
                (list(REPS), representative),
                (COMMENTERS, commenter),
                (list(LEADS), lead),
            ]
            for users, act in roles:
                for user in users:
                    outcomes[user] = Outcome(user)
                    work.append(named(act(browser, base, user, p, outcomes[user]), user))
            results = await asyncio.gather(*work, return_exceptions=True)
            await browser.close()
            errors = [r for r in results if isinstance(r, BaseException)]
            if errors:
                raise errors[0]

    # Its own thread: the sync Playwright of the other browser tests may own this one's loop.
    failure: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(main())
        except BaseException as exc:  # re-raised in the test thread
            failure.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    return outcomes


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_nine_sessions_signal_comment_and_edit_and_the_database_holds_what_was_acked(
    backend: str, tmp_path: Path
) -> None:
    need(Path(CHROMIUM).exists(), f"browser tests need Chromium at {CHROMIUM}")
    with database_url(backend, tmp_path) as url:
        server = Server(tmp_path, url).start(prepare)
        engine = make_engine(url)
        try:
            p = plan(engine)
            started = time.monotonic()
            outcomes = drive(server.url, p, tmp_path)
            elapsed = time.monotonic() - started
            check(engine, p, outcomes)
            log = server.log.read_text(errors="replace")
            assert "Traceback" not in log, log[-3000:]
        finally:
            server.stop()
            engine.dispose()
    acked = sum(len(o.acked) for o in outcomes.values())
    refused = sum(len(o.refused) for o in outcomes.values())
    print(
        f"\n{backend}: {len(outcomes)} sessions x {ROUNDS} rounds in {elapsed:.1f} s; "
        f"{acked} writes acknowledged, {refused} refused as conflicts"
    )


def item_updates(conn: Any, item_id: int) -> list[Any]:
    """The audited updates of an item, oldest first."""
    return list(
        conn.execute(
            select(AuditEventRow)
            .where(
                AuditEventRow.entity == "item",
                AuditEventRow.entity_id == str(item_id),
                AuditEventRow.action == "update",
            )
            .order_by(AuditEventRow.id)
        )
    )


def check(engine: Engine, p: Plan, outcomes: dict[str, Outcome]) -> None:
    problems = {u: o.problems for u, o in outcomes.items() if o.problems}
    assert not problems, problems
    for user in [*REPS, *COMMENTERS]:
        assert outcomes[user].refused == [], (user, outcomes[user].refused)
        assert len(outcomes[user].acked) == ROUNDS, user
    for user in LEADS:
        for title, sentence in outcomes[user].refused:
            assert sentence.startswith(CONFLICT), (user, title, sentence)
    with engine.connect() as conn:
        ids = dict(conn.execute(select(UserRow.username, UserRow.id)).all())
        audit = Counter(
            conn.execute(
                select(UserRow.username, AuditEventRow.action)
                .join(UserRow, UserRow.id == AuditEventRow.actor_id)
                .where(UserRow.username.like("load-%"))
            ).all()
        )
        # Signals: one new row per acknowledged save, in order, with exactly that content.
        for user, (item_id, _, _) in p.signal_item.items():
            before = p.signal_before[user]
            rows = list(
                conn.execute(
                    select(SignalRow)
                    .where(SignalRow.submitted_by == ids[user])
                    .order_by(SignalRow.id)
                )
            )
            assert [r.points[str(item_id)] for r in rows] == outcomes[user].acked
            for row in rows:
                assert {k: v for k, v in row.points.items() if k != str(item_id)} == {
                    k: v for k, v in before.points.items() if k != str(item_id)
                }
                assert sorted(row.approvals) == sorted(before.approvals)
                assert row.ranking == before.ranking
                pledges = conn.execute(
                    select(PledgeRow.item_id, PledgeRow.weeks).where(PledgeRow.signal_id == row.id)
                ).all()
                before_pledges = conn.execute(
                    select(PledgeRow.item_id, PledgeRow.weeks).where(
                        PledgeRow.signal_id == before.id
                    )
                ).all()
                assert sorted(pledges) == sorted(before_pledges)
            assert audit[(user, "signal")] == len(rows)
        # Comments: exactly the acknowledged bodies, on the right item.
        for user in COMMENTERS:
            rows = conn.execute(
                select(CommentRow.item_id, CommentRow.body)
                .where(CommentRow.author_id == ids[user])
                .order_by(CommentRow.id)
            ).all()
            assert [tuple(r) for r in rows] == [
                (p.comment_item[user], b) for b in outcomes[user].acked
            ]
            assert audit[(user, "comment")] == ROUNDS
        # Edits: one audited update per acknowledged edit, none for a refused one; the item
        # holds the title of the last acknowledged edit, and its version counts them.
        for item_id in set(p.edit_item.values()):
            editors = [u for u, i in p.edit_item.items() if i == item_id]
            acked = Counter((u, t) for u in editors for t in outcomes[u].acked)
            refused = {t for u in editors for t, _ in outcomes[u].refused}
            events = item_updates(conn, item_id)
            names = {v: k for k, v in ids.items()}
            assert Counter((names[e.actor_id], e.after["title"]) for e in events) == acked
            item = conn.execute(select(ItemRow).where(ItemRow.id == item_id)).one()
            assert item.version == p.edit_version[item_id] + len(events)
            assert events[-1].after["version"] == item.version
            assert item.title == events[-1].after["title"]
            assert item.title not in refused


def test_a_table_edit_over_a_stale_view_is_refused_as_a_sentence_and_writes_nothing(
    fresh_server: Server, playwright_browser: Browser
) -> None:
    """The optimistic lock in the browser, deterministically: two tabs show the same item;
    the first saves a new title; the second, still showing the old one, is refused; saving
    again at once then saves it knowingly."""
    engine = create_engine(fresh_server.env["ROADMAP_DATABASE_URL"])
    with engine.connect() as conn:
        item_id, title = conn.execute(
            select(ItemRow.id, ItemRow.title)
            .join(SubCommunityRow)
            .where(SubCommunityRow.slug == "jupyter-frontends", ItemRow.status == "proposed")
            .order_by(ItemRow.id)
        ).one()
    tabs = []
    for _ in range(2):
        page = playwright_browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        page.set_default_timeout(60_000)
        page.goto(f"{fresh_server.url}/auth/login")
        page.fill("#username", "lead")
        page.fill("#password", "demo")
        page.click("button[type=submit]")
        page.wait_for_selector(f"{MAIN} h1")
        page.goto(f"{fresh_server.url}/my_items")
        page.wait_for_selector(f"{MAIN} h1")
        tabs.append(page)
    first, second = tabs
    retitle(first, item_id, title, "Saved first")
    first.get_by_role("button", name="Save table changes").click()
    expect(first.locator(MAIN)).to_contain_text(SAVED_EDIT, timeout=60_000)

    retitle(second, item_id, title, "Saved over a stale view")
    second.get_by_role("button", name="Save table changes").click()
    expect(second.locator(MAIN)).to_contain_text(f"{CONFLICT} (changed: title)", timeout=60_000)
    assert second.locator('[data-testid="stException"]').count() == 0
    with engine.connect() as conn:
        assert conn.scalar(select(ItemRow.title).where(ItemRow.id == item_id)) == "Saved first"
        updates = item_updates(conn, item_id)
    assert [u.after["title"] for u in updates] == ["Saved first"]

    # Having read the sentence, the lead saves again at once, knowingly: the click lands on
    # the button that replaced the used-up one, and the edit is saved over the other.
    save = second.get_by_role("button", name="Save table changes")
    expect(save).to_have_count(1, timeout=60_000)  # the refusal's run has finished drawing
    save.click()
    expect(second.locator(MAIN)).to_contain_text(SAVED_EDIT, timeout=60_000)
    with engine.connect() as conn:
        updates = item_updates(conn, item_id)
    assert [u.after["title"] for u in updates] == ["Saved first", "Saved over a stale view"]
    engine.dispose()
