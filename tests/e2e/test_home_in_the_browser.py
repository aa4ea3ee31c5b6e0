"""Each demo account signs in, lands on its home page with a section per role it holds, and
follows one of the page's links to where the work is done; signed out, a protected URL says
"sign in" and the sign-in returns to it."""

from __future__ import annotations

import re

import pytest
from conftest import settle
from playwright.sync_api import Page, expect

# A long browser journey: make test-slow (CI runs it), keeping make test well under 15 minutes.
pytestmark = [pytest.mark.browser, pytest.mark.slow]

MAIN = '[data-testid="stMain"]'
ITEM = re.compile(r".*/item\?id=\d+$")

# account: (its sections, the link followed, the page heading it leads to; None: an item)
ACCOUNTS: dict[str, tuple[list[str], str, str | None]] = {
    "exec": (["Executive", "Open for comment"], "open it for comment", "Scope review"),
    "lead": (["Sub-community lead", "Open for comment"], "lead-item", None),
    "orgrep": (["Organization representative", "Open for comment"], "Our signals", "Our signals"),
    "staff": (["Staff", "Open for comment"], "open-item", None),
    "member": (["Open for comment"], "open-item", None),
    "admin": (["Open for comment"], "open-item", None),
}


def sign_in(page: Page, base: str, username: str, next_path: str = "") -> None:
    page.goto(f"{base}/auth/login{next_path}")
    page.fill("#username", username)
    page.fill("#password", "demo")
    page.click("button[type=submit]")


@pytest.mark.browser
@pytest.mark.parametrize("username", list(ACCOUNTS))
def test_each_account_lands_on_its_home_and_a_link_leads_to_the_work(
    server, page: Page, username: str
) -> None:
    sections, link, heading = ACCOUNTS[username]
    sign_in(page, server.url, username)
    main = page.locator(MAIN)
    expect(main.locator("h1")).to_have_text("Home", timeout=30_000)
    settle(page)
    assert main.locator("h2").all_inner_texts() == sections
    # The menu names the home page, with a count when something waits.
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar.get_by_role("link", name=re.compile(r"^Home( \(\d+\))?$"))).to_have_count(1)
    if link == "open-item":  # the first item open for comment
        section = main.locator('[data-testid="stVerticalBlock"]').filter(
            has=page.get_by_role("heading", name="Open for comment")
        )
        target = section.get_by_role("link", name=re.compile(".")).last
    elif link == "lead-item":  # an item of the lead's with new comments
        target = main.get_by_role("link").filter(has_text=re.compile("Redesign search|language"))
        target = target.first
    else:
        target = main.get_by_role("link", name=link).first
    title = target.inner_text()
    # Streamlit opens a Markdown link in a new tab: the linked page opens there, signed in.
    if target.get_attribute("target") == "_blank":
        with page.context.expect_page() as opened:
            target.click()
        page = opened.value
        main = page.locator(MAIN)
    else:
        target.click()
    if heading is None:
        expect(page).to_have_url(ITEM)
        expect(main.locator("h1")).to_have_text(title, timeout=30_000)
    else:
        expect(main.locator("h1")).to_have_text(heading, timeout=30_000)
    settle(page)
    assert page.locator('[data-testid="stException"]').count() == 0


@pytest.mark.browser
def test_a_forbidden_url_says_why_and_a_signed_out_one_signs_in_back_to_it(
    server, page: Page
) -> None:
    page.goto(f"{server.url}/review")
    main = page.locator(MAIN)
    expect(main.locator("h1")).to_have_text("Sign in", timeout=30_000)
    expect(main).to_contain_text("Sign in to see this page.")
    button = main.get_by_role("link", name="Sign in")
    assert button.get_attribute("href") == "/auth/login?next=/review"
    if button.get_attribute("target") == "_blank":  # Streamlit's link button: a new tab
        with page.context.expect_page() as opened:
            button.click()
        page = opened.value
        main = page.locator(MAIN)
    else:
        button.click()
    page.fill("#username", "member")
    page.fill("#password", "demo")
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{server.url}/review")
    expect(main.locator("h1")).to_have_text("Not for your roles", timeout=30_000)
    expect(main).to_contain_text("This page is for the executive. You are signed in as")
    expect(main).to_contain_text("(member).")
    link = main.get_by_role("link", name="Go to your home page")
    assert link.get_attribute("href") == "/home"


@pytest.mark.browser
@pytest.mark.parametrize(("username", "first"), [(None, "roadmap"), ("member", "home")])
def test_the_root_url_forwards_to_the_first_page_and_its_own_address_opens_it(
    server, page: Page, username: str | None, first: str
) -> None:
    """The root URL forwards to the person's first page (the public roadmap signed out, the
    home page signed in), and that page's own address, bookmarked or linked from a
    notification, opens it, after the router has run, without Streamlit's "Page not found"
    dialog (which once covered /roadmap for the public, leaving the page inert)."""
    if username:
        sign_in(page, server.url, username)
    page.goto(f"{server.url}/")
    expect(page).to_have_url(f"{server.url}/{first}", timeout=30_000)
    for _ in range(2):  # the second visit runs after the router has certainly run
        page.goto(f"{server.url}/{first}")
        expect(page.locator(MAIN).locator("h1")).to_have_text(
            "Home" if username else "Roadmap", timeout=30_000
        )
        settle(page)
        page.wait_for_timeout(500)
        assert page.get_by_text("Page not found").count() == 0
        assert page.locator('[data-testid="stDialog"]').count() == 0
