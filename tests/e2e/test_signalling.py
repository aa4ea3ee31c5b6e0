"""A representative spreads points, is refused over budget, ranks, pledges, reloads, and
finds the signals saved."""

from __future__ import annotations

from conftest import settle
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import create_engine, select

from roadmap.store.tables import ItemRow, OrganizationRow, SignalRow

MAIN = '[data-testid="stMain"]'


def pick(page: Page, label: str, option: str) -> None:
    """Choose ``option`` in a multiselect or selectbox by typing, as a keyboard user would,
    then Enter once the filtered list shows it (Enter pressed before the list caught up
    with the typing picks nothing)."""
    page.locator(MAIN).get_by_label(label, exact=True).click()
    page.keyboard.type(option)
    expect(page.get_by_role("option").filter(has_text=option).first).to_be_visible()
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")


def box(page: Page, label: str):  # type: ignore[no-untyped-def]
    """The number input labelled ``label``."""
    return page.locator(MAIN).get_by_role("spinbutton", name=label, exact=True)


def test_orgrep_spreads_points_is_refused_over_budget_ranks_pledges_and_reloads(
    server, playwright_browser: Browser
) -> None:
    engine = create_engine(server.env["ROADMAP_DATABASE_URL"])
    with engine.connect() as conn:
        rows = conn.execute(
            select(ItemRow.id, ItemRow.title)
            .where(ItemRow.status == "in_scope")
            .order_by(ItemRow.id)
        ).all()
    (first_id, first), (second_id, second) = rows[0], rows[1]
    label_1, label_2 = f"#{first_id} {first}", f"#{second_id} {second}"

    page = playwright_browser.new_context().new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{server.url}/auth/login")
    page.fill("#username", "orgrep")
    page.fill("#password", "demo")
    page.click("button[type=submit]")
    page.goto(f"{server.url}/signals")
    expect(page.locator(f"{MAIN} h1")).to_have_text("Our signals")
    settle(page)

    # The demo organization has spread its points already: take them all back first.
    expect(page.locator(MAIN)).to_contain_text("Spent 100 of 100 points")
    # The server's sum decides when this is done, not the boxes' values in the browser: a box
    # typed into while a rerun was drawing can be drawn again with the server's value.
    existing = page.locator(MAIN).get_by_role("spinbutton", name="#")
    zeroed = "Spent 0 of 100 points; 100 remaining."
    for _ in range(30):
        settle(page)
        if zeroed in page.locator(MAIN).inner_text():
            break
        nonzero = [n for n in range(existing.count()) if existing.nth(n).input_value() != "0"]
        if nonzero:
            existing.nth(nonzero[0]).fill("0")
            page.keyboard.press("Tab")
    expect(page.locator(MAIN)).to_contain_text(zeroed)
    for label in (label_1, label_2):
        if box(page, label).count() == 0:
            pick(page, "Items to give points", label)
            settle(page)
    box(page, label_1).fill("80")
    page.keyboard.press("Tab")
    settle(page)
    box(page, label_2).fill("30")
    page.keyboard.press("Tab")
    settle(page)
    expect(page.locator(MAIN)).to_contain_text("Spent 110 of 100 points; -10 remaining.")
    page.get_by_role("button", name="Save signals").click()
    expect(page.locator(MAIN)).to_contain_text(
        "That spends 110 points but the budget is 100: 10 too many. Nothing was saved."
    )

    box(page, label_2).fill("20")
    page.keyboard.press("Tab")
    settle(page)
    ranking = "Items in order of preference (the first picked ranks first)"
    page.locator(MAIN).get_by_label(ranking, exact=True).scroll_into_view_if_needed()
    pick(page, ranking, second)
    settle(page)
    page.locator(MAIN).get_by_label("Pledge 1: item", exact=True).scroll_into_view_if_needed()
    pick(page, "Pledge 1: item", first)
    settle(page)
    box(page, "Person-weeks").first.fill("2.5")
    page.keyboard.press("Tab")
    settle(page)
    page.get_by_role("button", name="Save signals").click()
    expect(page.locator(MAIN)).to_contain_text("Saved. The latest signal counts")

    page.reload()
    settle(page)
    expect(box(page, label_1)).to_have_value("80")
    expect(box(page, label_2)).to_have_value("20")
    with engine.connect() as conn:
        saved = conn.execute(
            select(SignalRow)
            .join(OrganizationRow)
            .where(OrganizationRow.key == "lanternfish-analytics")
            .order_by(SignalRow.id.desc())
        ).first()
    assert saved is not None
    assert {int(k): v for k, v in saved.points.items()} == {first_id: 80, second_id: 20}
    assert saved.ranking[-1] == second_id
    expect(box(page, "Person-weeks").first).to_have_value("2.50")
