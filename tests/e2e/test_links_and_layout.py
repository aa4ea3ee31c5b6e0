"""In Chromium, on the demo data with its plan published: an item's title is a link to its
page from every table and list that shows items (click it, land on /item?id=N headed by that
title); the roadmap's board and timeline draw their cards and bars and follow a filter; and
every page, for a role that sees it, is usable 390 px wide (no sideways page scroll, no
element wider than the screen outside a scrolling table or chart)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import Server, settle
from playwright.sync_api import Page, expect
from tour import (
    MAIN,
    NARROW,
    ROLES,
    actor_of,
    open_page,
    overflow,
    pages_seen,
    path_of,
    publish_demo_plan,
    sign_in,
)

from roadmap.ui.registry import PAGES

# A long browser journey: make test-slow (CI runs it), keeping make test well under 15 minutes.
pytestmark = [pytest.mark.browser, pytest.mark.slow]
ITEM_URL = re.compile(r"/item\?id=(\d+)")


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server for the module: the demo data with its period's plan published."""
    srv = Server(tmp_path_factory.mktemp("links")).start(prepare=publish_demo_plan)
    yield srv
    srv.stop()


def _land(page: Page, click: Any) -> Page:
    """Click, and return the page showing the item: this tab, or the tab the link opened."""
    before = len(page.context.pages)
    click()
    page.wait_for_timeout(1500)
    opened = page.context.pages[before:] if len(page.context.pages) > before else [page]
    target = opened[-1]
    target.wait_for_url(ITEM_URL, timeout=20_000)
    target.wait_for_selector(f"{MAIN} h1", timeout=30_000)
    settle(target)
    return target


def view(page: Page, name: str) -> None:
    """Pick the roadmap's view (its segmented control). It once stayed inert: Streamlit's
    "Page not found" dialog covered /roadmap for the public, whose roadmap was the default
    page served only at "/" (fixed in ui.router; test_home_in_the_browser checks it)."""
    control = page.locator(f"{MAIN} button").filter(has_text=re.compile(f"^{name}$")).first
    control.click()


def _heading(page: Page) -> str:
    return page.inner_text(f"{MAIN} h1").strip()


def _first_grid_link(page: Page, header: str, last: bool = False) -> Page:
    """Click the first row's cell of the (first, or ``last``) grid that has a ``header``
    column and a title link column first; check the landing page is headed by that cell's
    text."""
    grids = page.locator('[data-testid="stDataFrame"]').filter(has_text=header)
    grid = grids.last if last else grids.first
    grid.scroll_into_view_if_needed()
    cell = grid.locator("#glide-cell-0-0")
    cell.wait_for(state="attached")
    shown = cell.text_content() or ""
    box = grid.bounding_box()
    assert box is not None
    x, y = box["x"] + 24, box["y"] + 35 + 17

    def click() -> None:
        # The grid underlines a link under the pointer and opens it on a click there.
        page.mouse.move(x, y)
        page.wait_for_timeout(300)
        page.mouse.click(x, y)

    landed = _land(page, click)
    title = _heading(landed)
    assert title and (title in shown or shown in title or shown.endswith(title)), (shown, title)
    if landed is not page:
        landed.close()
    return landed


def _first_markdown_link(page: Page, scope: str = MAIN) -> None:
    link = page.locator(f'{scope} a[href*="/item?id="]').first
    title = link.inner_text().strip()
    landed = _land(page, link.click)
    assert _heading(landed) == title
    if landed is not page:
        landed.close()


@pytest.fixture
def browser_page(playwright_browser: Any) -> Iterator[Page]:
    context = playwright_browser.new_context(viewport={"width": 1440, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    yield pg
    context.close()


def test_the_roadmap_table_s_and_the_board_s_titles_open_their_item_pages(
    planned: Server, browser_page: Page
) -> None:
    page, base = browser_page, planned.url
    open_page(page, base, "/roadmap")
    _first_grid_link(page, "Sub-community")
    open_page(page, base, "/roadmap")
    view(page, "Board")
    settle(page)
    _first_markdown_link(page)


@pytest.mark.parametrize(
    ("user", "path", "header"),
    [
        # The last table: the first is the editable one of drafts, whose first column is the id.
        ("lead", "/my_items", "Status"),
        ("staff", "/my_plan", "Person"),
        ("member", "/signals_overview", "Points"),
    ],
)
def test_a_table_s_item_title_opens_its_item_page(
    planned: Server, browser_page: Page, user: str, path: str, header: str
) -> None:
    sign_in(browser_page, planned.url, user)
    open_page(browser_page, planned.url, path)
    _first_grid_link(browser_page, header, last=path == "/my_items")


@pytest.mark.parametrize(("user", "path"), [("staff", "/my_plan"), (None, "/roadmap")])
def test_a_bar_of_the_plan_s_charts_opens_its_item_page(
    planned: Server, browser_page: Page, user: str | None, path: str
) -> None:
    """My plan's assignments chart and the roadmap's timeline: clicking a bar opens the
    item page of the item the bar is for (the timeline's once opened nothing: its points'
    custom data came as an object, not a list)."""
    page = browser_page
    if user:
        sign_in(page, planned.url, user)
    open_page(page, planned.url, path)
    if path == "/roadmap":
        view(page, "Timeline")
        settle(page)
    bar = page.locator(f'{MAIN} [data-testid="stPlotlyChart"] .bars path').first
    expect(bar).to_be_attached(timeout=20_000)
    bar.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    box = bar.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url(ITEM_URL, timeout=30_000)
    page.wait_for_selector(f"{MAIN} h1", timeout=30_000)
    settle(page)
    match = ITEM_URL.search(page.url)
    assert match is not None and int(match.group(1)) > 0
    assert page.locator('[data-testid="stException"]').count() == 0


def test_a_tile_of_the_plan_s_treemap_opens_its_item_page(
    planned: Server, browser_page: Page
) -> None:
    """The published plan's treemap: clicking an item's tile opens that item's page (the
    tile is sent by its id, ``item:<id>``, not with custom data)."""
    page = browser_page
    open_page(page, planned.url, "/plan")
    chart = page.locator(f'{MAIN} [data-testid="stPlotlyChart"]').filter(
        has=page.locator("g.slice")
    )
    tile = chart.first.locator("g.slice").filter(has_text=re.compile(r"#\d+ ")).first
    expect(tile).to_be_attached(timeout=20_000)
    tile.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    wanted = re.search(r"#(\d+) ", tile.text_content() or "")
    assert wanted is not None
    box = tile.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url(ITEM_URL, timeout=30_000)
    match = ITEM_URL.search(page.url)
    assert match is not None and match.group(1) == wanted.group(1)


def test_the_review_queue_s_titles_open_their_item_pages(
    planned: Server, browser_page: Page
) -> None:
    sign_in(browser_page, planned.url, "exec")
    open_page(browser_page, planned.url, "/review")
    _first_markdown_link(browser_page, '[data-testid="stTabPanel"]')


def test_the_board_and_the_timeline_draw_cards_and_bars_and_follow_a_filter(
    planned: Server, browser_page: Page
) -> None:
    page, base = browser_page, planned.url
    open_page(page, base, "/roadmap")
    view(page, "Board")
    settle(page)
    main = page.locator(MAIN)
    cards = main.locator('a[href*="/item?id="]')
    expect(cards.first).to_be_visible()
    every = cards.count()
    assert main.get_by_text(re.compile(r"^In scope · \d+$")).count() == 1
    # Only the planned column left: fewer cards, and no "In scope" heading.
    statuses = main.locator('[data-testid="stMultiSelect"]').filter(has_text="Status")
    box = statuses.locator("input")
    box.click()
    for _ in range(4):  # the four default statuses, last first
        box.press("Backspace")
    box.fill("planned")
    box.press("Enter")
    box.press("Escape")
    settle(page)
    page.wait_for_timeout(1000)
    assert main.get_by_text(re.compile(r"^In scope · \d+$")).count() == 0
    assert main.get_by_text(re.compile(r"^(In progress|Done) · \d+$")).count() == 0
    assert main.get_by_text(re.compile(r"^Planned · \d+$")).count() == 1
    assert 0 < cards.count() <= every
    view(page, "Timeline")
    settle(page)
    bars = main.locator(
        '[data-testid="stPlotlyChart"] .bars path, [data-testid="stPlotlyChart"] g.point path'
    )
    expect(bars.first).to_be_attached(timeout=20_000)
    assert main.get_by_text(re.compile(r"\d+ of \d+ planned items")).count() == 1


@pytest.mark.slow  # every page for every role: over a minute (make test-slow)
def test_every_page_for_a_role_that_sees_it_fits_390_px(
    planned: Server, playwright_browser: Any
) -> None:
    context = playwright_browser.new_context(viewport=NARROW)
    page = context.new_page()
    page.set_default_timeout(30_000)
    checked: set[str] = set()
    failures = []
    try:
        for username in ROLES:
            specs = [s for s in pages_seen(actor_of(planned, username)) if s.key not in checked]
            if not specs:
                continue
            sign_in(page, planned.url, username)
            for spec in specs:
                open_page(page, planned.url, path_of(spec))
                found = overflow(page)
                if found["scrollWidth"] > found["innerWidth"] or found["wide"]:
                    failures.append(f"{spec.key} as {username or 'public'}: {found}")
                checked.add(spec.key)
    finally:
        context.close()
    assert not failures, "\n".join(failures)
    assert len(checked) == len({s.key for s in PAGES})
