"""The executive runs two scenarios, compares and publishes one; staff find their Gantt
chart; signed out, the published plan is readable."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

# A long browser journey: make test-slow (CI runs it), keeping make test well under 15 minutes.
pytestmark = [pytest.mark.browser, pytest.mark.slow]

MAIN = '[data-testid="stMain"]'


def signed_in(browser: Browser, base: str, username: str | None) -> Page:
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    page.set_default_timeout(60_000)
    if username:
        page.goto(f"{base}/auth/login")
        page.fill("#username", username)
        page.fill("#password", "demo")
        page.click("button[type=submit]")
        page.wait_for_selector(f"{MAIN} h1")
    return page


def test_exec_compares_two_scenarios_publishes_staff_sees_gantt_public_reads(
    fresh_server, playwright_browser: Browser
) -> None:
    # A server of its own: publishing moves funded items out of scope for the other tests.
    server = fresh_server
    execu = signed_in(playwright_browser, server.url, "exec")
    execu.goto(f"{server.url}/scenarios")
    expect(execu.locator(f"{MAIN} h1")).to_have_text("Scenarios")
    execu.get_by_role("button", name="Run scenarios").click()
    expect(execu.locator(MAIN)).to_contain_text(": each stage", timeout=120_000)  # done
    main = execu.locator(MAIN)
    # The comparison and the dashboards render after the runs end: slow on a loaded machine.
    expect(main).to_contain_text("Comparison", timeout=60_000)
    expect(main).to_contain_text("Items funded", timeout=60_000)
    expect(main.get_by_role("tab", name="Scenario A")).to_be_visible(timeout=60_000)
    expect(main.get_by_role("tab", name="Scenario B")).to_be_visible(timeout=60_000)
    # The difference is shown before publishing, and publishing needs an explicit confirmation.
    expect(main).to_contain_text("No version is final yet", timeout=60_000)
    main.get_by_text("I have reviewed these changes: publish Scenario A as final").click()
    execu.get_by_role("button", name="Publish Scenario A as the plan").click()
    expect(main).to_contain_text("Published version 1 of the 2027-H1 plan", timeout=120_000)

    staff = signed_in(playwright_browser, server.url, "staff")
    staff.goto(f"{server.url}/my_plan")
    expect(staff.locator(f"{MAIN} h1")).to_have_text("My plan")
    gantt = staff.locator(f"{MAIN} .js-plotly-plot")
    expect(staff.locator(MAIN)).to_contain_text("Report progress", timeout=60_000)
    expect(gantt.first).to_be_visible(timeout=30_000)
    expect(staff.locator(MAIN)).to_contain_text("Assignments")
    assert gantt.first.locator("g.trace").count() >= 1

    public = signed_in(playwright_browser, server.url, None)
    public.goto(f"{server.url}/plan")
    expect(public.locator(f"{MAIN} h1")).to_have_text("Published plan")
    expect(public.locator(MAIN)).to_contain_text("Funded items and who paid")
    expect(public.locator(MAIN)).to_contain_text("Why each item was or was not funded")
    expect(public.locator(MAIN)).to_contain_text("version 1")
