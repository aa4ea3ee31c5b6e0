"""A real deployment's first minutes in the browser: an empty database with one admin made
on the command line (the README's steps); the admin lands on the set-up checklist, creates
a sub-community and the first planning period through the pages, and sees both ticked."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import BIN, ROOT, Server, database_url, settle
from playwright.sync_api import Browser, Page, expect

# A long browser journey: make test-slow (CI runs it), keeping make test well under 15 minutes.
pytestmark = [pytest.mark.browser, pytest.mark.slow]

MAIN = '[data-testid="stMain"]'
SHOTS = Path(os.environ.get("ROADMAP_SETUP_SHOTS", "/tmp/setup_shots"))


def _admin_by_cli(server: Server) -> None:
    def roadmap(*args: str, stdin: str = "") -> None:
        subprocess.run(
            [str(BIN / "roadmap"), *args],
            env=server.env,
            cwd=ROOT,
            input=stdin.encode(),
            check=True,
            capture_output=True,
        )

    roadmap(
        "create-user",
        "alice",
        "--display-name",
        "Alice Admin",
        "--password-stdin",
        stdin="password-123\n",
    )
    roadmap("grant", "alice", "admin")


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """A fresh server on an empty database of each kind, with only the CLI's admin."""
    folder = tmp_path_factory.mktemp("empty")
    with database_url(request.param, folder) as url:
        srv = Server(folder, url).start(prepare=_admin_by_cli, demo=False)
        try:
            yield srv
        finally:
            srv.stop()


def backend(server: Server) -> str:
    return "sqlite" if server.env["ROADMAP_DATABASE_URL"].startswith("sqlite") else "postgresql"


def step(page: Page, title: str):  # type: ignore[no-untyped-def]
    """The checklist card of the step titled ``title``."""
    return page.locator('[data-testid="stVerticalBlock"]').filter(has_text=title).last


def shoot(page: Page, name: str) -> None:
    """Screenshots at a desktop and a phone width, for a person to look at (not asserted)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1440, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        settle(page)
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1440, "height": 900})
    settle(page)


def test_an_admin_sets_up_an_empty_database_from_the_checklist(
    empty_server: Server, playwright_browser: Browser
) -> None:
    base = empty_server.url
    page = playwright_browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{base}/auth/login")
    page.fill("#username", "alice")
    page.fill("#password", "password-123")
    page.click("button[type=submit]")
    main = page.locator(MAIN)
    expect(main.locator("h1")).to_have_text("Set-up checklist")
    expect(main).to_contain_text("0 of 5 steps done")
    expect(step(page, "1. Sub-communities")).to_contain_text("to do")
    shoot(page, f"checklist-empty-{backend(empty_server)}")

    main.get_by_role("link", name="Sub-communities, themes, skills").click()
    expect(main.locator("h1")).to_have_text("Sub-communities, themes and skills")
    panel = main.get_by_role("tabpanel").first
    panel.get_by_label("Name", exact=True).fill("Jupyter Frontends")
    panel.get_by_label("Short name", exact=True).fill("jupyter-frontends")
    panel.get_by_role("button", name="Create sub-community").click()
    expect(main).to_contain_text("Created the sub-community Jupyter Frontends.")
    settle(page)
    shoot(page, f"catalog-{backend(empty_server)}")

    page.goto(base)
    expect(main.locator("h1")).to_have_text("Set-up checklist")
    main.get_by_role("link", name="Planning periods").click()
    expect(main.locator("h1")).to_have_text("Planning periods")
    main.get_by_label("Key", exact=True).fill("2027-H1")
    main.get_by_label("Name", exact=True).first.fill("2027, first half")
    main.get_by_role("button", name="Create period").click()
    expect(main).to_contain_text("Created 2027, first half, in draft.")
    settle(page)
    shoot(page, f"periods-{backend(empty_server)}")

    page.goto(base)
    expect(main.locator("h1")).to_have_text("Set-up checklist")
    expect(main).to_contain_text("2 of 5 steps done")
    expect(step(page, "1. Sub-communities")).to_contain_text("done")
    expect(step(page, "1. Sub-communities")).to_contain_text("1 sub-community.")
    expect(step(page, "4. The first planning period")).to_contain_text("1 planning period.")
    expect(step(page, "3. Staff")).to_contain_text("to do")
    shoot(page, f"checklist-two-done-{backend(empty_server)}")
