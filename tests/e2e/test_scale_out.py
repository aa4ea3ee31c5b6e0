"""Scale-out: two app servers on different ports share one PostgreSQL database and one
cookie secret. A write through either is visible through the other on its next rerun (no
stale caches), a session cookie issued by one is honoured by the other, and a sign-out on
one ends the session on both; failed sign-ins through one lock the account on the other."""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from conftest import Server, database_url, retitle, settle
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import create_engine, select

from roadmap.store.tables import CommentRow, ItemRow, SubCommunityRow

MAIN = '[data-testid="stMain"]'
TITLE = "Retitled through server A"
COMMENT = "Commented through server B."
T = 60_000  # ms: the servers share two CPUs with the browser


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[tuple[Server, Server]]:
    with database_url("postgresql", tmp_path) as url:
        (tmp_path / "a").mkdir()
        (tmp_path / "b").mkdir()
        a = Server(tmp_path / "a", url).start()
        try:
            b = Server(tmp_path / "b", url).start()
            try:
                assert a.port != b.port
                assert a.env["ROADMAP_SECRET_KEY"] == b.env["ROADMAP_SECRET_KEY"]
                yield a, b
            finally:
                b.stop()
        finally:
            a.stop()


def new_context(browser: Browser) -> BrowserContext:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(60_000)
    return context


def sign_in(context: BrowserContext, server: Server, username: str) -> Page:
    page = context.new_page()
    page.goto(f"{server.url}/auth/login")
    page.fill("#username", username)
    page.fill("#password", "demo")
    page.click("button[type=submit]")
    page.wait_for_selector(f"{MAIN} h1")
    return page


def rerun(page: Page) -> None:
    """Streamlit's own rerun (the R key), in the same browser session: no reload."""
    settle(page)
    page.locator("body").press("r")
    settle(page)


@pytest.mark.slow  # two servers and four browser sessions: about a minute (make test-slow)
def test_writes_through_either_server_show_on_the_other_and_one_sign_in_serves_both(
    servers: tuple[Server, Server], playwright_browser: Browser
) -> None:
    a, b = servers
    engine = create_engine(a.env["ROADMAP_DATABASE_URL"])
    with engine.connect() as conn:
        item_id, old_title = conn.execute(
            select(ItemRow.id, ItemRow.title)
            .join(SubCommunityRow)
            .where(SubCommunityRow.slug == "jupyter-frontends", ItemRow.status == "proposed")
            .order_by(ItemRow.id)
        ).first()  # type: ignore[misc]
        in_comment = conn.scalar(
            select(ItemRow.id).where(ItemRow.status == "in_comment").order_by(ItemRow.id)
        )

    # A reader on B has the item open before the write, so a cache would be warm.
    reader_b = sign_in(new_context(playwright_browser), b, "member")
    reader_b.goto(f"{b.url}/item?id={item_id}")
    expect(reader_b.locator(f"{MAIN} h1")).to_have_text(old_title, timeout=T)

    # The lead retitles it through A.
    lead_a = sign_in(new_context(playwright_browser), a, "lead")
    lead_a.goto(f"{a.url}/my_items")
    retitle(lead_a, item_id, old_title, TITLE)
    lead_a.get_by_role("button", name="Save table changes").click()
    expect(lead_a.locator(MAIN)).to_contain_text("Saved 1 changed item(s).", timeout=T)

    rerun(reader_b)
    expect(reader_b.locator(f"{MAIN} h1")).to_have_text(TITLE, timeout=T)

    # The other way: a reader on A has an item open; a member comments on it through B.
    reader_a = sign_in(new_context(playwright_browser), a, "exec")
    reader_a.goto(f"{a.url}/item?id={in_comment}")
    expect(reader_a.locator(f"{MAIN} h1")).to_be_visible()
    settle(reader_a)
    assert COMMENT not in reader_a.locator(MAIN).inner_text()
    reader_b.goto(f"{b.url}/item?id={in_comment}")
    reader_b.get_by_label("Your comment").fill(COMMENT)
    reader_b.get_by_role("button", name="Post comment").click()
    expect(reader_b.locator(MAIN).get_by_text(COMMENT, exact=True)).to_be_visible(timeout=T)

    rerun(reader_a)
    expect(reader_a.locator(MAIN).get_by_text(COMMENT, exact=True)).to_be_visible(timeout=T)
    with engine.connect() as conn:
        assert conn.scalar(select(ItemRow.title).where(ItemRow.id == item_id)) == TITLE
        assert conn.scalars(select(CommentRow.body).where(CommentRow.body == COMMENT)).all() == [
            COMMENT
        ]
    engine.dispose()

    # The session cookie issued by A, carried to B in a browser that never signed in there.
    rep_a_context = new_context(playwright_browser)
    rep_a = sign_in(rep_a_context, a, "orgrep")
    rep_a.goto(f"{a.url}/signals")
    expect(rep_a.locator(f"{MAIN} h1")).to_have_text("Our signals", timeout=T)
    (cookie,) = [c for c in rep_a_context.cookies() if c["name"] == "roadmap_session"]
    assert cookie["httpOnly"]
    carried = new_context(playwright_browser)
    carried.add_cookies([{"name": cookie["name"], "value": cookie["value"], "url": b.url}])
    on_b = carried.new_page()
    on_b.goto(f"{b.url}/signals")
    expect(on_b.locator(f"{MAIN} h1")).to_have_text("Our signals", timeout=T)
    expect(on_b.locator('[data-testid="stSidebar"]')).to_contain_text("orgrep")

    # A forged cookie is refused by B like any other.
    forged = new_context(playwright_browser)
    forged.add_cookies([{"name": cookie["name"], "value": cookie["value"] + "x", "url": b.url}])
    forged_page = forged.new_page()
    forged_page.goto(f"{b.url}/signals")
    settle(forged_page)
    assert "Our signals" not in forged_page.locator(MAIN).inner_text()

    # Signing out through B ends the session that A issued, on A too.
    on_b.goto(f"{b.url}/auth/logout")
    on_b.get_by_role("button", name="Sign out").click()
    on_b.wait_for_url(f"{b.url}/")
    rep_a.goto(f"{a.url}/signals")
    settle(rep_a)
    expect(rep_a.locator(f"{MAIN} h1")).not_to_have_text("Our signals")
    assert "Our signals" not in rep_a.locator(MAIN).inner_text()

    # Failed sign-ins are counted in the database: three through A lock the account on B.
    # (Last: the lock also covers this address, for every account.)
    for _ in range(3):
        assert post(a.url, "/auth/login", {"username": "lead", "password": "x"}, a.url) == 401
    assert post(b.url, "/auth/login", {"username": "lead", "password": "demo"}, b.url) == 429


def post(base: str, path: str, form: dict[str, str], origin: str) -> int:
    """The status of a form POST (not followed)."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname or "localhost", parts.port, timeout=30)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Origin": origin}
    conn.request("POST", path, urlencode(form), headers)
    status = conn.getresponse().status
    conn.close()
    return status
