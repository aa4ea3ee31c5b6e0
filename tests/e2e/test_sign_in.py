"""Signed out, no page URL reveals a protected page; each demo account sees its pages only."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from roadmap.domain.access import Actor
from roadmap.domain.enums import Role
from roadmap.ui.registry import PAGES, pages_for

MAIN = '[data-testid="stMain"]'
SIDEBAR = '[data-testid="stSidebar"]'
MENU = f'{SIDEBAR} [data-testid="stPageLink-NavLink"]'

ACCOUNTS: dict[str, frozenset[tuple[Role, str | None]]] = {
    "admin": frozenset({(Role.ADMIN, None)}),
    "exec": frozenset({(Role.EXECUTIVE, None)}),
    "lead": frozenset({(Role.LEAD, "jupyter-frontends")}),
    "orgrep": frozenset({(Role.REPRESENTATIVE, "lanternfish-analytics")}),
    "staff": frozenset({(Role.STAFF, None)}),
    "member": frozenset(),
}


def wait_for_app(page: Page) -> None:
    page.wait_for_selector(f"{MAIN} h1", timeout=30_000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000
    )


def sign_in(page: Page, base: str, username: str, password: str = "demo") -> None:
    page.goto(f"{base}/auth/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")


def test_signed_out_every_protected_page_url_on_a_fresh_server_asks_to_sign_in(
    fresh_server, page: Page
) -> None:
    protected = [spec for spec in PAGES if not spec.allows(Actor.public())]
    assert len(protected) >= 8
    public_paths = {"/", "/auth/login"} | {f"/{s.key}" for s in PAGES if s not in protected}
    for spec in PAGES:
        page.goto(f"{fresh_server.url}/{spec.key}")
        wait_for_app(page)
        heading = page.inner_text(f"{MAIN} h1")
        assert page.locator('[data-testid="stException"]').count() == 0, spec.key
        if spec in protected:
            # The page says why, on the first request and through the router alike.
            assert heading == "Sign in", f"/{spec.key} showed {heading!r}"
            expect(page.locator(MAIN)).to_contain_text("Sign in to see this page.")
            assert spec.title not in page.inner_text(MAIN)
        # The sidebar, on the first request too, links to no page a signed-out person may
        # not open (Streamlit's own menu would list every file under pages/).
        page.wait_for_timeout(1000)  # the sidebar is drawn after the page's heading
        sidebar = page.locator(SIDEBAR)
        hrefs = sidebar.locator("a").evaluate_all("links => links.map(a => a.pathname)")
        assert set(hrefs) <= public_paths, f"/{spec.key}: the sidebar links to {hrefs}"
        labels = {text.splitlines()[-1] for text in sidebar.locator("a").all_inner_texts()}
        assert not labels & {p.title for p in protected}, (spec.key, labels)


@pytest.mark.parametrize("username", list(ACCOUNTS))
def test_each_demo_account_signs_in_sees_its_pages_stays_signed_in_and_signs_out(
    server, page: Page, username: str
) -> None:
    sign_in(page, server.url, username)
    wait_for_app(page)
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar).to_contain_text("Signed in as")
    actor = Actor(1, username, username, ACCOUNTS[username])
    expected = {p.title for p in pages_for(actor) if not p.hidden}
    links = page.locator(MENU)
    expect(links).to_have_count(len(expected))
    # A label may end in the count of what waits there, "Scope review (4)".
    labels = {re.sub(r" \(\d+\)$", "", t.splitlines()[-1]) for t in links.all_inner_texts()}
    assert labels == expected

    page.reload()
    wait_for_app(page)
    expect(sidebar).to_contain_text("Signed in as")

    page.goto(f"{server.url}/auth/logout")
    page.click("button[type=submit]")
    wait_for_app(page)
    expect(sidebar).not_to_contain_text("Signed in as")
    public = [p for p in pages_for(Actor.public()) if not p.hidden]
    expect(page.locator(MENU)).to_have_count(len(public))


def test_a_wrong_password_shows_a_sentence_not_a_traceback(server, page: Page) -> None:
    sign_in(page, server.url, "exec", "not-the-password")
    alert = page.locator("[role=alert]")
    expect(alert).to_have_text("That username and password do not match an active account.")
    assert "Traceback" not in page.content()
