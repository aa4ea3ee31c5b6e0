"""The whole governance path in the browser, with hostile text that must stay text."""

from __future__ import annotations

import re

import pytest
from conftest import settle
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import create_engine, select

from roadmap.store.tables import ItemRow

# A long browser journey: make test-slow (CI runs it), keeping make test well under 15 minutes.
pytestmark = [pytest.mark.browser, pytest.mark.slow]

MAIN = '[data-testid="stMain"]'
TITLE = "<script>alert('t')</script> Path item"
SUMMARY = (
    "Payloads: <img src=x onerror=\"alert('img')\"> and [click me](javascript:alert('link')) "
    "and <b>bold?</b>"
)


def signed_in(browser: Browser, base: str, username: str) -> Page:
    page = browser.new_context().new_page()
    page.set_default_timeout(20_000)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.dialogs = dialogs  # type: ignore[attr-defined]
    if username:
        page.goto(f"{base}/auth/login")
        page.fill("#username", username)
        page.fill("#password", "demo")
        page.click("button[type=submit]")
        page.wait_for_selector(f"{MAIN} h1")
    return page


def card(page: Page, text: str):  # type: ignore[no-untyped-def]
    return page.locator('[data-testid="stVerticalBlock"]').filter(has_text=text).last


def test_lead_proposes_exec_opens_member_comments_exec_decides_and_public_reads(
    server, playwright_browser: Browser
) -> None:
    base = server.url
    lead = signed_in(playwright_browser, base, "lead")
    lead.goto(f"{base}/my_items")
    lead.get_by_role("tab", name="New item").click()
    lead.get_by_label("Title").fill(TITLE)
    lead.get_by_label("Summary (Markdown)").fill(SUMMARY)
    lead.get_by_role("button", name="Save draft").click()
    expect(lead.locator(MAIN)).to_contain_text("Saved the draft")
    engine = create_engine(server.env["ROADMAP_DATABASE_URL"])
    with engine.connect() as conn:
        item_id = conn.execute(select(ItemRow.id).where(ItemRow.title == TITLE)).scalar_one()
    lead.get_by_role("tab", name="Submit or withdraw").click()
    # The picker starts empty (no item is submitted by default): the lead picks the draft.
    chosen = lead.locator(MAIN).get_by_role("combobox", name="Item")
    expect(chosen).to_have_value("")
    chosen.click()
    lead.keyboard.type(TITLE)
    # Pick the option once the typed filter shows it: Enter pressed before the list caught
    # up with the typing picked nothing (seen on a loaded machine).
    lead.get_by_role("option", name=re.compile(f"^#{item_id} ")).click()
    expect(chosen).to_have_value(re.compile(f"^#{item_id} "))
    lead.get_by_role("button", name="Submit for review").click()
    expect(lead.locator(MAIN)).to_contain_text("Submitted")

    execu = signed_in(playwright_browser, base, "exec")
    execu.goto(f"{base}/review")
    card(execu, "Path item").get_by_role("button", name="Open for comment").click()
    expect(execu.locator(MAIN)).to_contain_text("Opened for comment.")

    member = signed_in(playwright_browser, base, "member")
    member.goto(f"{base}/item?id={item_id}")
    member.get_by_label("Your comment").fill("Please coordinate with <i>nbdime</i>.")
    member.get_by_role("button", name="Post comment").click()
    expect(member.locator(MAIN)).to_contain_text("Please coordinate with <i>nbdime</i>.")

    execu.reload()
    settle(execu)
    execu.get_by_role("tab", name="In comment").click()
    card(execu, "Path item").get_by_role("button", name="Close now").click()
    expect(execu.locator(MAIN)).to_contain_text("Closed.")
    execu.get_by_role("tab", name="Decide").click()
    decide = execu.get_by_role("tabpanel", name="Decide")
    decide.get_by_role("combobox", name="Item").click()
    execu.keyboard.type("Path item")
    execu.get_by_role("option", name=re.compile(f"^#{item_id} ")).click()
    # The pick reruns the page: the form that follows is the picked item's own.
    expect(decide.locator(f'a[href*="id={item_id}"]')).to_be_visible()
    expect(decide).to_contain_text("1 comment")
    settle(execu)
    execu.get_by_label("Rationale (shown publicly)").fill("In scope: the community asked for it.")
    execu.get_by_role("button", name="Record decision").click()
    expect(execu.locator(MAIN)).to_contain_text(f"Decision recorded for #{item_id}.")

    public = signed_in(playwright_browser, base, "")
    public.goto(f"{base}/item?id={item_id}")
    main = public.locator(MAIN)
    expect(main).to_contain_text("In scope: the community asked for it.")
    expect(main).to_contain_text("in scope")
    expect(main).to_contain_text("Please coordinate with <i>nbdime</i>.")
    # Hostile text stays text: shown literally, nothing injected, no script ran.
    expect(public.locator(f"{MAIN} h1")).to_have_text(TITLE)
    expect(main).to_contain_text("<img src=x")
    assert public.locator(f"{MAIN} img[src='x']").count() == 0
    assert public.locator(f"{MAIN} script").count() == 0
    assert public.locator(f"{MAIN} i").filter(has_text="nbdime").count() == 0
    hrefs = public.locator(f"{MAIN} a").evaluate_all("els => els.map(e => e.href)")
    assert not [h for h in hrefs if h.lower().startswith("javascript:")]
    public.get_by_text("click me").click()
    public.wait_for_timeout(500)
    for page in (lead, execu, member, public):
        assert page.dialogs == []  # type: ignore[attr-defined]

    public.goto(base)
    settle(public)
    expect(public.locator(MAIN)).to_contain_text("items")
    public.get_by_label("Search titles and summaries").fill("Path item")
    public.keyboard.press("Enter")
    settle(public)
    expect(public.locator(MAIN)).to_contain_text("1 of ")
