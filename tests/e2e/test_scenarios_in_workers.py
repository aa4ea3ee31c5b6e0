""" "Run scenarios" in the real server with its scenarios computed in worker processes (what a
large period does; the demo is small, so the threshold is set to 0 for this server): the page
follows the run, shows each scenario's stages and the comparison, and the server logs no
error. The workers are forked by a clean "forkserver" process, never from the server's own
(which runs threads): this is the only test that makes the real server start them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import Server, settle
from playwright.sync_api import Browser, expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MAIN = '[data-testid="stMain"]'
SHOTS = Path(os.environ.get("ROADMAP_SHOTS", "/tmp/roadmap_shots"))


@pytest.fixture
def worker_server(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    srv = Server(tmp_path_factory.mktemp("workers"))
    srv.env.update(ROADMAP_SCENARIO_PARALLEL_FROM="0", ROADMAP_SCENARIO_PROCESSES="2")
    srv.start()
    yield srv
    srv.stop()


def test_run_scenarios_in_worker_processes_in_the_real_server(
    worker_server: Server, playwright_browser: Browser
) -> None:
    server = worker_server
    context = playwright_browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{server.url}/auth/login")
    page.fill("#username", "exec")
    page.fill("#password", "demo")
    page.click("button[type=submit]")
    page.wait_for_selector(f"{MAIN} h1")
    page.goto(f"{server.url}/scenarios")
    expect(page.locator(f"{MAIN} h1")).to_have_text("Scenarios")
    page.get_by_role("button", name="Run scenarios").click()
    main = page.locator(MAIN)
    expect(main).to_contain_text(": each stage", timeout=120_000)
    settle(page)
    main.get_by_text(": each stage").first.click()  # open the stages
    for name in ("Scenario A", "Scenario B"):
        expect(main).to_contain_text(f"{name}: staff assigned in")
        expect(main).to_contain_text(name)
    expect(main).to_contain_text("Comparison #")
    expect(main).to_contain_text("Items funded", timeout=60_000)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "scenarios-workers-1440.png"), full_page=False)
    page.set_viewport_size({"width": 390, "height": 900})
    settle(page)
    page.screenshot(path=str(SHOTS / "scenarios-workers-390.png"), full_page=False)
    context.close()
    log = server.log.read_text(errors="replace")
    assert "Traceback" not in log, log[-3000:]
    assert "BrokenProcessPool" not in log
