"""Hostile text in every text field of the database stays text on every page, for every role:
HTML, script and Markdown-link payloads render literally and nothing runs, and SQL-looking
text is stored and shown verbatim."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import BIN, ROOT, Server
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import String, select, update
from test_governance_path import MAIN, settle, signed_in

from roadmap.domain.access import Actor
from roadmap.domain.enums import Role
from roadmap.services import governance, periods, publishing
from roadmap.services.context import Context
from roadmap.services.sessions import authenticate
from roadmap.store.engine import make_engine
from roadmap.store.tables import Base, ItemRow
from roadmap.ui.registry import pages_for

HTML = "<img src=x onerror=alert('img')>"
SCRIPT = "<script>alert('script')</script>"
LINK = "[go](javascript:alert('link'))"
SQL = "'); DROP TABLE items;--"
SHORT = f"{HTML}{SQL}"
LONG = f"{SCRIPT} {HTML} {LINK} <b>bold?</b> {SQL}"
# Every free-text column a page can show (keys, slugs and enumerations are validated formats).
# A scope decision's rationale is poisoned by amending it (its entries refuse any UPDATE).
FIELDS = {
    "periods": ["name"],
    "skills": ["name"],
    "subcommunities": ["name", "description"],
    "themes": ["name", "description"],
    "users": ["display_name"],
    "items": ["title", "summary"],
    "organizations": ["name", "exception_reason"],
    "comments": ["body"],
    "staff": ["name"],
    "pledges": ["note"],
    "audit_events": ["reason"],
}
ROLES = {
    None: None,
    "admin": Role.ADMIN,
    "exec": Role.EXECUTIVE,
    "lead": Role.LEAD,
    "orgrep": Role.REPRESENTATIVE,
    "staff": Role.STAFF,
    "member": None,
}


def _poison(url: str) -> int:
    """Put a payload into every row's free-text columns; return a poisoned item's id."""
    engine = make_engine(url)
    tables = {t.name: t for t in Base.metadata.sorted_tables}
    with engine.begin() as conn:
        for name, columns in FIELDS.items():
            table = tables[name]
            for column in columns:
                col = table.c[column]
                length = col.type.length if isinstance(col.type, String) else None
                payload = SHORT if length else LONG
                assert length is None or len(payload) + 4 <= length, (name, column)
                value = col.concat(" " + payload)
                if length:
                    value = payload + " " + col
                conn.execute(update(table).where(col.is_not(None)).values({column: value}))
        # the links' titles too (JSON)
        for item_id, links in conn.execute(select(ItemRow.id, ItemRow.links)).all():
            poisoned = [{**link, "title": SHORT} for link in links or []]
            conn.execute(update(ItemRow).where(ItemRow.id == item_id).values(links=poisoned))
        item_id = conn.execute(
            select(ItemRow.id).where(ItemRow.status == "in_scope").order_by(ItemRow.id).limit(1)
        ).scalar_one()
    ctx = Context(engine)
    execu = authenticate(ctx, "exec", "demo")
    assert execu is not None
    governance.amend_decision(ctx, execu, int(item_id), f"Amended: {LONG}", f"Why: {SHORT}")
    publishing.publish_plan(ctx, execu, periods.get_period(ctx).settings.envelope)
    engine.dispose()
    return int(item_id)


INJECTED = """() => {
  const bad = [];
  document.querySelectorAll('img[src="x"]').forEach(() => bad.push('img'));
  document.querySelectorAll('script').forEach(e => {
    if (e.textContent.includes('alert')) bad.push('script');
  });
  document.querySelectorAll('[onerror],[onload],[onmouseover]').forEach(e => bad.push(e.outerHTML));
  document.querySelectorAll('b').forEach(e => { if (e.textContent === 'bold?') bad.push('b'); });
  document.querySelectorAll('a').forEach(e => {
    const href = (e.getAttribute('href') || '').trim().toLowerCase();
    if (href.startsWith('javascript:')) bad.push('href ' + href);
  });
  return bad;
}"""


def _check(page: Page, where: str) -> None:
    settle(page)
    assert page.locator('[data-testid="stException"]').count() == 0, where
    assert page.evaluate(INJECTED) == [], f"{where}: markup was injected"
    assert page.dialogs == [], f"{where}: a payload ran: {page.dialogs}"  # type: ignore[attr-defined]


def _actor(username: str | None) -> Actor:
    if username is None:
        return Actor.public()
    role = ROLES[username]
    grants = frozenset({(role, "x")}) if role else frozenset()
    return Actor(1, username, username, grants)


@pytest.mark.slow
def test_payloads_in_every_text_field_stay_text_on_every_page_for_every_role(
    playwright_browser: Browser, tmp_path: Path
) -> None:
    server = Server(tmp_path)
    subprocess.run(
        [str(BIN / "roadmap"), "init-db", "--demo-if-empty"],
        env=server.env,
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    item_id = _poison(server.env["ROADMAP_DATABASE_URL"])
    server.start()
    try:
        for username in ROLES:
            page = signed_in(playwright_browser, server.url, username or "")
            visited = []
            for spec in pages_for(_actor(username)):
                path = f"/item?id={item_id}" if spec.key == "item" else f"/{spec.key}"
                page.goto(server.url + path)
                _check(page, f"{username or 'public'} {path}")
                visited.append(path)
            assert len(visited) >= 5
            page.context.close()
        public = signed_in(playwright_browser, server.url, "")
        public.goto(f"{server.url}/item?id={item_id}")
        settle(public)
        heading = public.locator(f"{MAIN} h1")
        expect(heading).to_contain_text(SHORT)  # the title, verbatim: HTML and SQL as typed
        expect(public.locator(MAIN)).to_contain_text(SCRIPT)
        expect(public.locator(MAIN)).to_contain_text(SQL)
        expect(public.locator(MAIN)).to_contain_text("bold?")
        _check(public, "public item page")
    finally:
        server.stop()
