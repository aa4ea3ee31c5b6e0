"""Walking every page in Chromium as each role that sees it: shared by the browser tests of
links, the board and timeline, the 390 px layout, and by ``make screenshots``."""

from __future__ import annotations

import subprocess
from typing import Any

from conftest import BIN, ROOT, Server

from roadmap.domain.access import Actor
from roadmap.ui.registry import PAGES, PageSpec

MAIN = '[data-testid="stMain"]'
# The demo accounts (password "demo"); None: signed out.
ROLES: list[str | None] = [None, "admin", "exec", "lead", "orgrep", "staff", "member"]
NARROW = {"width": 390, "height": 844}
WIDE = {"width": 1440, "height": 900}

PUBLISH = """
from sqlalchemy import select
from roadmap.services import periods, publishing
from roadmap.services.context import default_context
from roadmap.services.sessions import actor_from_row
from roadmap.store.engine import reading
from roadmap.store.tables import UserRow
ctx = default_context()
with reading(ctx.engine) as s:
    executive = actor_from_row(s.scalar(select(UserRow).where(UserRow.username == "exec")))
envelope = periods.get_period(ctx).settings.envelope
publishing.publish_plan(ctx, executive, envelope, "Demo plan")
"""


def publish_demo_plan(server: Server) -> None:
    """Before the server starts: the executive publishes the demo period's plan, so the plan
    pages, my plan and the roadmap's timeline have something to show."""
    subprocess.run([str(BIN / "python"), "-c", PUBLISH], env=server.env, cwd=ROOT, check=True)


def actor_of(server: Server, username: str | None) -> Actor:
    """The demo account's actor, read from the server's database (for the registry's rule)."""
    if username is None:
        return Actor.public()
    from sqlalchemy import select

    from roadmap.services.context import Context
    from roadmap.services.sessions import actor_from_row
    from roadmap.store.engine import make_engine, reading
    from roadmap.store.tables import UserRow

    engine = make_engine(server.env["ROADMAP_DATABASE_URL"])
    try:
        with reading(Context(engine).engine) as s:
            row = s.scalar(select(UserRow).where(UserRow.username == username))
            assert row is not None, username
            return actor_from_row(row)
    finally:
        engine.dispose()


def pages_seen(actor: Actor) -> list[PageSpec]:
    return [p for p in PAGES if p.allows(actor)]


def path_of(spec: PageSpec) -> str:
    return f"/{spec.key}" + ("?id=1" if spec.key == "item" else "")


def sign_in(page: Any, base: str, username: str | None) -> None:
    page.context.clear_cookies()
    if username is None:
        return
    page.goto(f"{base}/auth/login")
    page.fill("#username", username)
    page.fill("#password", "demo")
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def open_page(page: Any, base: str, path: str) -> None:
    """Go to ``path`` and wait until the page's script has finished drawing."""
    page.goto(f"{base}{path}")
    page.wait_for_selector(f"{MAIN} h1", timeout=30_000)
    page.wait_for_timeout(500)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
    )
    page.wait_for_timeout(700)  # charts and grids draw after the script ends


# Elements reaching past the viewport's right edge (or wider than it), other than those
# inside a container that scrolls or clips horizontally (a table's grid, a chart), or in
# the collapsed sidebar (moved off screen on purpose).
OVERFLOW = """
() => {
  const width = window.innerWidth;
  const inside = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (p.matches('[data-testid="stSidebar"][aria-expanded="false"]')) return true;
      const x = getComputedStyle(p).overflowX;
      if (x === 'auto' || x === 'scroll' || x === 'hidden' || x === 'clip') return true;
    }
    return false;
  };
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (box.right <= 0) continue;  // parked off screen to the left (plotly's measuring svg)
    if (getComputedStyle(el).visibility === 'hidden') continue;
    if ((box.right > width + 1 || box.width > width + 1) && !inside(el)) {
      const id = el.getAttribute('data-testid') || el.getAttribute('class') || '';
      const name = `${el.tagName.toLowerCase()}.${String(id).slice(0, 60)}`;
      wide.push(`${name} right=${Math.round(box.right)}`);
    }
  }
  const scrollWidth = document.documentElement.scrollWidth;
  return {scrollWidth: scrollWidth, innerWidth: width, wide: wide.slice(0, 8)};
}
"""


def overflow(page: Any) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate(OVERFLOW)
    return result
