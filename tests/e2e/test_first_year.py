"""A foundation's first year in the browser (issue 12's acceptance test).

From an empty database with one admin made on the command line (the README's steps), every
step is done through the pages: set-up, items, a comment period, scope, signals, a proposed
plan that a representative objects to, its finalization once the objection window has passed
(the server restarted with its clock run ahead), a re-plan after a signal changes, progress
reports, an overdue report once 2027-H1 is under way, the next period 2027-H2 with what
2027-H1 left unspent (its reserve) and its unfinished items carried over, 2027-H2's plan
published while 2027-H1's is in effect (it drops an item 2027-H1 planned, which stays
planned), and an item closed as done. After each step, each role signs in in a browser
context of its own and the test asserts what that role sees."""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from conftest import BIN, ROOT, Server, database_url
from playwright.sync_api import Browser, Locator, Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MAIN = '[data-testid="stMain"]'
SHOTS = Path(os.environ.get("ROADMAP_FIRST_YEAR_SHOTS", "/tmp/first_year_shots"))
PASSWORD = "password-123"
LONG = 90_000  # the machine is loaded: a rerun that reads and writes may take a while
# The walk's calendar: it starts on this day whatever day the test runs (the app's clock is
# set this far from the system's), so that 2027-H1 is always the next half-year.
DAY_ONE = date(2026, 12, 1)


def clock_offset(days_after_day_one: int) -> str:
    """``ROADMAP_CLOCK_OFFSET_DAYS`` for the app's day to be ``days_after_day_one`` days
    after ``DAY_ONE``."""
    return str((DAY_ONE - datetime.now(UTC).date()).days + days_after_day_one)


# (username, display name): the accounts the admin makes on the Users and roles page.
PEOPLE = {
    "erin": "Erin Executive",
    "bob": "Bob Lead",
    "carol": "Carol Rep",
    "mo": "Mo Rep",
    "sam": "Sam Staff",
    "mia": "Mia Member",
}
# The lead's items: title, effort (person-weeks), skill.
ITEMS = {
    "start": ("Faster notebook start-up", 6, "python"),
    "menus": ("Accessible menus", 8, "react"),
    "offline": ("Offline notebooks", 6, "python"),
}


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
        stdin=f"{PASSWORD}\n",
    )
    roadmap("grant", "alice", "admin")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """A server on an empty database of each kind, with only the command line's admin."""
    folder = tmp_path_factory.mktemp("first-year")
    with database_url(request.param, folder) as url:
        srv = Server(folder, url)
        srv.env["ROADMAP_ARGON2_PROFILE"] = "CHEAPEST"
        srv.env["ROADMAP_CLOCK_OFFSET_DAYS"] = clock_offset(0)
        srv.start(prepare=_admin_by_cli, demo=False)
        try:
            yield srv
        finally:
            srv.stop()


class Year:
    """The browser contexts of the people in the walk, one each, signed in on demand."""

    def __init__(self, browser: Browser, server: Server) -> None:
        self.browser = browser
        self.server = server
        self.pages: dict[str, Page] = {}
        self.label = "sqlite" if server.env["ROADMAP_DATABASE_URL"].startswith("sqlite") else "pg"

    def as_(self, username: str, path: str) -> Page:
        """``username``'s page (signed out for ""), opened at ``path``."""
        page = self.pages.get(username)
        if page is None:
            context = self.browser.new_context(viewport={"width": 1440, "height": 900})
            page = context.new_page()
            page.set_default_timeout(LONG)
            if username:
                page.goto(f"{self.server.url}/auth/login")
                page.fill("#username", username)
                page.fill("#password", PASSWORD)
                page.click("button[type=submit]")
                expect(page.locator(f"{MAIN} h1")).to_be_visible(timeout=LONG)
            self.pages[username] = page
        page.goto(f"{self.server.url}/{path}")
        expect(page.locator(f"{MAIN} h1")).to_be_visible(timeout=LONG)
        settle(page)
        return page

    def sign_out_all(self) -> None:
        """Forget every context: after a restart everyone signs in again."""
        for page in self.pages.values():
            page.context.close()
        self.pages.clear()

    def restart(self, days: int) -> None:
        """Time passes: the server serves the same database, its day ``days`` days after
        ``DAY_ONE``."""
        self.sign_out_all()
        self.server.restart({"ROADMAP_CLOCK_OFFSET_DAYS": clock_offset(days)})

    def shoot(self, page: Page, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        settle(page)
        page.screenshot(path=str(SHOTS / f"{name}-{self.label}.png"), full_page=True)


def settle(page: Page) -> None:
    """Wait until the app's rerun has finished: no running indicator, and no element of the
    run before left on the page (the conftest's ``settle`` checks the indicator only, which a
    short run may never show: a button can then be missing, or drawn twice, for a moment)."""
    page.wait_for_timeout(300)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && !document.querySelector('[data-stale=\"true\"]')",
        timeout=LONG,
    )


def main_of(page: Page) -> Locator:
    return page.locator(MAIN)


def heading(page: Page, text: str) -> None:
    expect(page.locator(f"{MAIN} h1")).to_have_text(text, timeout=LONG)


def says(page: Page, *texts: str) -> None:
    for text in texts:
        expect(main_of(page)).to_contain_text(text, timeout=LONG)


def status_is(year: Year, item_id: int, status: str) -> None:
    """The item page, signed out, names ``status`` in its header line."""
    public = year.as_("", f"item?id={item_id}")
    caption = main_of(public).get_by_test_id("stCaptionContainer").filter(has_text=f"#{item_id}")
    expect(caption.first.locator("strong")).to_have_text(status, timeout=LONG)


def metric(scope: Locator, label: str) -> Locator:
    """The value of the metric labelled ``label``."""
    return scope.get_by_test_id("stMetric").filter(has_text=label).get_by_test_id("stMetricValue")


def cells_of(page: Page, item_id: int, title: str) -> list[str]:
    """The cells of item ``item_id``'s row in the first table on the page that names it (its
    title cell is a link: its title, or its address where the grid shows that)."""
    named = re.compile(rf"{re.escape(title)}|id={item_id}(?!\d)")
    grid = main_of(page).get_by_test_id("stDataFrame").filter(has_text=named).first
    row = grid.locator("tr").filter(has_text=named).first
    try:
        expect(row).to_be_attached()
    except AssertionError:
        raise AssertionError(f"no row for #{item_id} in: {grid.inner_text()}") from None
    return [c.strip() for c in row.locator("td").all_text_contents()]


def never_says(page: Page, *texts: str) -> None:
    for text in texts:
        expect(main_of(page)).not_to_contain_text(text)


def choose(page: Page, label: str, option: str, scope: Locator | None = None) -> None:
    """Pick ``option`` in the selectbox labelled ``label`` (the first one so labelled)."""
    where = scope if scope is not None else main_of(page)
    box = where.get_by_role("combobox", name=label, exact=True).first
    # Scroll first: a click that has to scroll the box into view opens its list, and the
    # scroll closes it again at once (the list closes when the page scrolls).
    box.scroll_into_view_if_needed()
    settle(page)
    box.click()
    expect(box).to_have_attribute("aria-expanded", "true")
    page.get_by_role("option", name=option, exact=True).click()
    settle(page)


def pick_many(page: Page, label: str, options: list[str]) -> None:
    """Add ``options`` to the multiselect labelled ``label``, typing each as a keyboard user."""
    box = main_of(page).get_by_role("combobox", name=label, exact=True)
    for option in options:
        box.click()
        page.keyboard.type(option)
        page.get_by_role("option", name=option, exact=True).click()
        page.keyboard.press("Escape")
        settle(page)


def click(page: Page, name: str, scope: Locator | None = None) -> None:
    settle(page)
    button = (scope if scope is not None else main_of(page)).get_by_role(
        "button", name=name, exact=True
    )
    expect(button).to_have_count(1, timeout=LONG)
    button.click()


def card(page: Page, text: str, scope: Locator | None = None) -> Locator:
    """The innermost block (a bordered card) holding ``text``."""
    where = scope if scope is not None else page
    return where.locator('[data-testid="stVerticalBlock"]').filter(has_text=text).last


def field(page: Page, label: str, scope: Locator | None = None) -> Locator:
    return (scope if scope is not None else main_of(page)).get_by_label(label, exact=True).first


# -- the steps -----------------------------------------------------------------------------


def set_up(year: Year) -> None:
    """The admin fills the checklist through the pages."""
    admin = year.as_("alice", "")
    heading(admin, "Set-up checklist")
    says(admin, "0 of 5 steps done")

    admin.goto(f"{year.server.url}/catalog")
    heading(admin, "Sub-communities, themes and skills")
    subs = main_of(admin).get_by_role("tabpanel").first
    field(admin, "Name", subs).fill("Jupyter Frontends")
    field(admin, "Short name", subs).fill("jupyter-frontends")
    click(admin, "Create sub-community", subs)
    says(admin, "Created the sub-community Jupyter Frontends.")
    settle(admin)
    main_of(admin).get_by_role("tab", name="Themes").click()
    themes = main_of(admin).get_by_role("tabpanel", name="Themes")
    field(admin, "Name", themes).fill("User experience")
    field(admin, "Short name", themes).fill("ux")
    click(admin, "Create theme", themes)
    says(admin, "Created the theme User experience.")
    settle(admin)
    for slug, name in (("python", "Python"), ("react", "React")):
        main_of(admin).get_by_role("tab", name="Skills").click()
        skills = main_of(admin).get_by_role("tabpanel", name="Skills")
        field(admin, "Name", skills).fill(name)
        field(admin, "Short name", skills).fill(slug)
        click(admin, "Create skill", skills)
        says(admin, f"Created the skill {name}.")
        settle(admin)

    for key, name in (("acme", "Acme Labs"), ("uni", "A University")):
        admin.goto(f"{year.server.url}/organizations")
        heading(admin, "Organizations")
        main_of(admin).get_by_role("tab", name="Register").click()
        register = main_of(admin).get_by_role("tabpanel", name="Register")
        field(admin, "Short name", register).fill(key)
        field(admin, "Name", register).fill(name)
        click(admin, "Register organization", register)
        says(admin, "Registered.")
        settle(admin)

    admin.goto(f"{year.server.url}/admin_users")
    heading(admin, "Users and roles")
    for username, display in PEOPLE.items():
        field(admin, "Username").fill(username)
        field(admin, "Display name").fill(display)
        field(admin, "Initial password").fill(PASSWORD)
        click(admin, "Create account")
        says(admin, f"Created the account {username}.")
        settle(admin)
    grants = (  # roles picked by their labels, scopes by name
        ("erin", "executive", None),
        ("bob", "sub-community lead", ("Sub-community", "Jupyter Frontends")),
        ("carol", "organization representative", ("Organization", "Acme Labs")),
        ("mo", "organization representative", ("Organization", "A University")),
        ("sam", "staff", None),
    )
    for who, role, scope in grants:
        choose(admin, "Account", who)
        choose(admin, "Role", role)
        if scope is not None:
            choose(admin, scope[0], scope[1])
        click(admin, "Grant")
        where = f" ({scope[1]})" if scope else ""
        says(admin, f"Granted {role}{where} to {who}.")
        settle(admin)
    says(
        admin,
        "sub-community lead (Jupyter Frontends)",
        "organization representative (Acme Labs)",
        "organization representative (A University)",
    )

    for key, name, account, levels, weeks in (
        # 16 person-weeks, less a reserve of 2: 14 for 20 asked, so what is funded follows
        # the signals.
        ("sam", "Sam Staff", "sam", {"python": "3", "react": "2"}, "12"),
        ("kim", "Kim Staff", "", {"python": "2"}, "4"),
    ):
        admin.goto(f"{year.server.url}/staff_admin")  # a fresh form for each
        heading(admin, "Staff")
        settle(admin)
        field(admin, "Short name").fill(key)
        field(admin, "Name").fill(name)
        field(admin, "Account (username, optional)").fill(account)
        for skill, level in levels.items():
            choose(admin, skill, level)
        field(admin, "Capacity in the period (person-weeks)").fill(weeks)
        click(admin, "Save")
        says(admin, "Saved.")
        settle(admin)
    says(admin, "Sam Staff", "Kim Staff", "python (3), react (2)")

    admin.goto(f"{year.server.url}/periods")
    heading(admin, "Planning periods")
    field(admin, "Key").fill("2027-H1")
    field(admin, "Name").fill("2027, first half")
    click(admin, "Create period")
    says(admin, "Created 2027, first half, in draft.")
    settle(admin)

    # With every step done the admin lands on their home page; the checklist stays.
    admin.goto(year.server.url)
    heading(admin, "Home")
    admin.goto(f"{year.server.url}/setup")
    heading(admin, "Set-up checklist")
    says(admin, "5 of 5 steps done")
    year.shoot(admin, "01-checklist-done")

    # What each role sees once set up.
    execu = year.as_("erin", "periods")
    says(execu, "2027-H1", "draft")
    lead = year.as_("bob", "my_items")
    heading(lead, "My sub-community's items")
    says(lead, "You lead: Jupyter Frontends")
    rep = year.as_("carol", "signals")
    heading(rep, "Our signals")
    expect(main_of(rep).get_by_role("combobox", name="Organization")).to_have_value("Acme Labs")
    staff = year.as_("sam", "my_plan")
    says(staff, "No plan has been published yet.")
    public = year.as_("", "members")
    says(public, "Acme Labs", "A University")
    public = year.as_("", "plan")
    says(public, "No plan has been published for this period yet.")


def propose_items(year: Year) -> dict[str, int]:
    """The lead drafts and submits the items; returns their ids by short name."""
    lead = year.as_("bob", "my_items")
    ids: dict[str, int] = {}
    for short, (title, weeks, skill) in ITEMS.items():
        lead.goto(f"{year.server.url}/my_items")
        heading(lead, "My sub-community's items")
        main_of(lead).get_by_role("tab", name="New item").click()
        new = main_of(lead).get_by_role("tabpanel", name="New item")
        field(lead, "Title", new).fill(title)
        field(lead, "Effort, low (person-weeks)", new).fill(str(weeks))
        field(lead, "Effort, high (person-weeks)", new).fill(str(weeks))
        pick_many(lead, "Skills needed", [skill])
        field(lead, "Summary (Markdown)", new).fill(f"{title}, for everyone.")
        click(lead, "Save draft", new)
        says(lead, f"Saved the draft '{title}'.")
        settle(lead)
        main_of(lead).get_by_role("tab", name="Submit or withdraw").click()
        chosen = main_of(lead).get_by_role("combobox", name="Item")
        # The picker starts empty and offers only items it applies to: pick the new draft.
        chosen.scroll_into_view_if_needed()
        settle(lead)
        chosen.click()
        expect(chosen).to_have_attribute("aria-expanded", "true")
        lead.get_by_role("option", name=re.compile(rf"^#\d+ {re.escape(title)} ")).click()
        settle(lead)
        expect(chosen).to_have_value(re.compile(rf"^#\d+ {re.escape(title)} "))
        ids[short] = int(re.match(r"#(\d+)", chosen.input_value()).group(1))  # type: ignore[union-attr]
        click(lead, "Submit for review")
        says(lead, "Submitted: the executive will open it for comment.")
        settle(lead)
    lead.goto(f"{year.server.url}/my_items")
    for title, _, _ in ITEMS.values():
        says(lead, title)

    # The public sees proposed items by link; the executive sees them in the review queue.
    public = year.as_("", f"item?id={ids['start']}")
    heading(public, ITEMS["start"][0])
    status_is(year, ids["start"], "proposed")
    execu = year.as_("erin", "review")
    says(execu, "3 proposed item(s), oldest first.")
    return ids


def comment_and_scope(year: Year, ids: dict[str, int]) -> None:
    execu = year.as_("erin", "review")
    queue = main_of(execu).get_by_role("tabpanel", name="Review queue")
    for left, (title, _, _) in reversed(list(enumerate(ITEMS.values()))):
        click(execu, "Open for comment", card(execu, title, queue))
        # Wait for the item to leave the queue: the answer "Opened for comment." may still
        # be the previous click's while this one runs.
        says(execu, f"{left} proposed item(s)", "Opened for comment.")
        settle(execu)

    status_is(year, ids["start"], "in comment")
    member = year.as_("mia", f"item?id={ids['start']}")
    field(member, "Your comment").fill("Start-up time is what our students notice first.")
    click(member, "Post comment")
    says(member, "Start-up time is what our students notice first.")
    public = year.as_("", f"item?id={ids['start']}")
    says(public, "Start-up time is what our students notice first.")

    # The executive closes the comment periods (rather than waiting 10 days) and decides.
    execu = year.as_("erin", "review")
    main_of(execu).get_by_role("tab", name="In comment").click()
    in_comment = main_of(execu).get_by_role("tabpanel", name="In comment")
    for title, _, _ in ITEMS.values():
        click(execu, "Close now", card(execu, title, in_comment))
        says(execu, "Closed.")
        settle(execu)
        expect(card(execu, title, in_comment)).to_contain_text("closed, ends")
    main_of(execu).get_by_role("tab", name="Decide").click()
    decide = main_of(execu).get_by_role("tabpanel", name="Decide")
    for short, (title, _, _) in ITEMS.items():
        item_id = ids[short]
        choose(execu, "Item", f"#{item_id} {title} (Jupyter Frontends)", decide)
        expect(decide.locator(f'a[href*="id={item_id}"]')).to_be_visible()
        expect(decide).to_contain_text(
            "1 comment" if short == "start" else "0 comments", timeout=LONG
        )
        field(execu, "Rationale (shown publicly)", decide).fill(f"In scope: {title} fits.")
        click(execu, "Record decision", decide)
        says(execu, f"Decision recorded for #{item_id}.")
        settle(execu)
    year.shoot(execu, "02-scope-decided")

    public = year.as_("", "roadmap")
    for title, _, _ in ITEMS.values():
        says(public, title)
    status_is(year, ids["menus"], "in scope")
    says(year.pages[""], "In scope: Accessible menus fits.")
    lead = year.as_("bob", "my_items")
    says(lead, "in scope")


def signal(year: Year, ids: dict[str, int]) -> None:
    execu = year.as_("erin", "period")
    heading(execu, "Planning period 2027, first half")
    window = main_of(execu).get_by_role("spinbutton", name=re.compile(r"^Objection window"))
    window.fill("7")
    window.press("Tab")
    settle(execu)
    # A reserve for unplanned work: no plan allots it, so it counts as unspent at the end.
    reserve = main_of(execu).get_by_role("spinbutton", name="Reserve (person-weeks)")
    reserve.fill("2")
    reserve.press("Tab")
    settle(execu)
    click(execu, "Save")
    says(execu, "Saved.")
    execu = year.as_("erin", "periods")
    click(execu, "Open signalling")
    says(execu, "Signalling for 2027, first half is open.")
    settle(execu)

    label = {short: f"#{ids[short]} {title}" for short, (title, _, _) in ITEMS.items()}
    for who, approves in (("carol", ["start", "menus"]), ("mo", ["menus"])):
        rep = year.as_(who, "signals")
        heading(rep, "Our signals")
        pick_many(rep, "Items we support", [label[s] for s in approves])
        click(rep, "Save signals")
        says(rep, "Saved. The latest signal counts; earlier ones stay in the history.")
        settle(rep)

    # Attributed by default: the executive and any member see who signalled what.
    execu = year.as_("erin", "signals_overview")
    says(execu, "Acme Labs", "A University")
    expect(main_of(execu).get_by_role("heading", name="Signals", exact=True)).to_have_count(1)
    member = year.as_("mia", "signals_overview")
    says(member, ITEMS["menus"][0], "who signalled what is visible")
    expect(main_of(member).get_by_role("heading", name="Signals", exact=True)).to_have_count(1)
    lead = year.as_("bob", "signals_overview")
    says(lead, "who signalled what is visible")
    # Each representative's saved signal is theirs when they come back.
    for who, approves in (("carol", ["start", "menus"]), ("mo", ["menus"])):
        rep = year.as_(who, "signals")
        tags = main_of(rep).locator('[data-testid="stMultiSelect"]').first.locator("[data-tag]")
        expect(tags).to_have_count(len(approves))
        for short in approves:
            expect(tags.filter(has_text=label[short])).to_have_count(1)
    # Staff have no plan yet; the public sees no signal: the page asks them to sign in.
    staff = year.as_("sam", "my_plan")
    says(staff, "No plan has been published yet.")
    public = year.as_("", "signals_overview")
    says(public, "Sign in to see this page.")
    never_says(public, "Acme Labs", ITEMS["menus"][0])


def run_scenarios(page: Page) -> Locator:
    """Run the default scenarios; the panel of Scenario A, once everything is drawn."""
    click(page, "Run scenarios")
    says(page, ": each stage")  # the run's stages, once it is done
    main = main_of(page)
    expect(main).to_contain_text("Items funded", timeout=LONG)
    tab = main.get_by_role("tab", name="Scenario A")
    expect(tab).to_be_visible(timeout=LONG)
    tab.click()
    panel = main.get_by_role("tabpanel", name="Scenario A")
    expect(panel).to_contain_text("Before publishing", timeout=LONG)
    settle(page)
    return panel


def propose(page: Page, panel: Locator, version: int, period: str = "2027-H1") -> None:
    panel.get_by_text("I have reviewed these changes: propose Scenario A for 7 days").click()
    settle(page)
    click(page, "Propose Scenario A as the plan", panel)
    says(page, f"Proposed version {version} of the {period} plan")
    settle(page)


def proposed_plan_with_objection(year: Year, ids: dict[str, int]) -> None:
    execu = year.as_("erin", "scenarios")
    panel = run_scenarios(execu)
    expect(panel).to_contain_text("No version is final yet: publishing makes the first one.")
    # 16 person-weeks of staff capacity, 2 of them held in reserve.
    expect(metric(panel, "Budget (person-weeks)")).to_have_text("16.0")
    expect(metric(panel, "Reserve (person-weeks)")).to_have_text("2.0")
    expect(metric(panel, "Funded effort (person-weeks)")).to_have_text("14.0")
    year.shoot(execu, "03-scenarios")
    propose(execu, panel, 1)

    public = year.as_("", "plan")
    says(public, "Version 1 is proposed", "Nothing is final yet")
    staff = year.as_("sam", "my_plan")
    says(staff, "No plan has been published yet.")
    status_is(year, ids["start"], "in scope")  # not planned while the plan is only proposed

    rep = year.as_("mo", "plan")
    says(rep, "Version 1 is proposed")
    field(rep, "Reason (the executive reads it before finalizing)").fill(
        "Offline notebooks matter more to our students than faster start-up."
    )
    click(rep, "Record the objection")
    says(rep, "Your objection is recorded.")
    other = year.as_("carol", "plan")
    never_says(other, "Offline notebooks matter more")  # a representative sees its own only

    execu = year.as_("erin", "plan")
    says(
        execu,
        "Objections",
        "A University",
        "Offline notebooks matter more to our students than faster start-up.",
        "You can finalize version 1 after",
    )
    expect(main_of(execu).get_by_role("button", name="Finalize version 1")).to_have_count(0)
    year.shoot(execu, "04-plan-proposed-objection")
    # The lead's items are still in scope, not planned, while the plan is only proposed.
    lead = year.as_("bob", "my_items")
    for short, (title, _, _) in ITEMS.items():
        assert "in scope" in cells_of(lead, ids[short], title)
    member = year.as_("mia", "plan")
    says(member, "Version 1 is proposed")
    never_says(member, "Offline notebooks matter more")  # objections are not the members'


def finalize(year: Year, version: int) -> None:
    execu = year.as_("erin", "plan")
    says(execu, f"Version {version} is proposed")
    click(execu, f"Finalize version {version}")
    says(execu, f"Version {version} is final: staff work on it")
    settle(execu)


def final_plan(year: Year, ids: dict[str, int]) -> None:
    year.restart(8)
    finalize(year, 1)
    execu = year.pages["erin"]
    execu.reload()
    settle(execu)
    says(execu, "Version 1 is final")

    for short, status in (("start", "planned"), ("menus", "planned"), ("offline", "in scope")):
        status_is(year, ids[short], status)
    public = year.as_("", "roadmap")
    says(public, ITEMS["start"][0], ITEMS["menus"][0])
    public = year.as_("", "plan")
    says(public, "Version 1 is final")
    staff = year.as_("sam", "my_plan")
    heading(staff, "My plan")
    says(staff, "plan version 1", "Report progress")
    year.shoot(staff, "05-my-plan-v1")
    # The lead's funded items are planned; the lead is told the plan is final.
    lead = year.as_("bob", "my_items")
    for short, status in (("start", "planned"), ("menus", "planned"), ("offline", "in scope")):
        assert status in cells_of(lead, ids[short], ITEMS[short][0])
    lead = year.as_("bob", "inbox")
    says(lead, "Plan for 2027, first half, version 1 is final")
    # The objecting representative still sees its objection; the other never does.
    rep = year.as_("mo", "plan")
    says(rep, "Version 1 is final", "Offline notebooks matter more to our students")
    rep = year.as_("carol", "plan")
    says(rep, "Version 1 is final")
    never_says(rep, "Offline notebooks matter more")
    member = year.as_("mia", "plan")
    says(member, "Version 1 is final", ITEMS["start"][0])


def replan(year: Year, ids: dict[str, int]) -> None:
    # Acme no longer supports faster start-up; it supports offline notebooks instead.
    label = {short: f"#{ids[short]} {title}" for short, (title, _, _) in ITEMS.items()}
    rep = year.as_("carol", "signals")
    approvals = main_of(rep).locator('[data-testid="stMultiSelect"]').first
    tags = approvals.locator("[data-tag]")
    expect(tags).to_have_count(2)
    expect(tags.first).to_contain_text(label["start"])
    approvals.get_by_label(f"Remove {label['start']}", exact=True).click()
    settle(rep)
    expect(tags).to_have_count(1)
    pick_many(rep, "Items we support", [label["offline"]])
    expect(tags).to_have_count(2)
    click(rep, "Save signals")
    says(rep, "Saved. The latest signal counts")
    settle(rep)

    execu = year.as_("erin", "scenarios")
    panel = run_scenarios(execu)
    expect(panel).to_contain_text("Against version 1 (what staff work on now)", timeout=LONG)
    expect(panel).to_contain_text(f"Newly funded: {label['offline']}")
    expect(panel).to_contain_text(f"No longer funded: {label['start']}")
    expect(panel).to_contain_text(f"they return to in scope: {label['start']}")
    expect(panel).not_to_contain_text("they stay planned under")
    panel.get_by_role("heading", name="Before publishing").scroll_into_view_if_needed()
    year.shoot(execu, "06-replan-preview")
    propose(execu, panel, 2)

    # While version 2 is proposed, staff keep working on version 1.
    staff = year.as_("sam", "my_plan")
    says(staff, "plan version 1")
    public = year.as_("", "plan")
    says(public, "Version 2 is proposed", "Staff keep working on version 1 until then.")
    status_is(year, ids["start"], "planned")  # until version 2 is final
    rep = year.as_("carol", "plan")
    says(rep, "Version 2 is proposed", "Object to this version")

    year.restart(16)
    finalize(year, 2)
    for short, status in (("start", "in scope"), ("menus", "planned"), ("offline", "planned")):
        status_is(year, ids[short], status)
    public = year.as_("", "plan")
    says(public, "Version 2 is final")
    changed = (
        main_of(public).get_by_test_id("stExpander").filter(has_text="What changed since version 1")
    )
    expect(changed).to_contain_text(f"Added: #{ids['offline']}")
    expect(changed).to_contain_text(f"Removed: #{ids['start']}")
    expect(changed).to_contain_text("Effort changed: none")
    expect(changed).not_to_contain_text(f"#{ids['menus']}")  # funded in both: no change
    year.shoot(public, "07-plan-v2-final")
    staff = year.as_("sam", "my_plan")
    says(staff, "plan version 2")
    lead = year.as_("bob", "inbox")
    says(lead, "Plan for 2027, first half, version 2 is final")
    rep = year.as_("mo", "inbox")
    says(rep, "Plan for 2027, first half, version 2 is final")


def report_progress(year: Year, ids: dict[str, int]) -> None:
    staff = year.as_("sam", "my_plan")
    says(staff, "Report progress")
    form = main_of(staff).get_by_test_id("stForm")
    # The picker starts empty and offers the items Sam is assigned to in version 2: the
    # menus (react: Sam only), and the offline notebooks (python: Kim's 4 weeks and 2 of
    # Sam's), not faster start-up, which version 2 no longer funds.
    box = form.get_by_role("combobox", name="Item")
    expect(box).to_have_value("")
    box.scroll_into_view_if_needed()
    box.click()
    options = staff.get_by_role("option")
    expect(options).to_have_count(2)
    for short in ("menus", "offline"):
        expect(options.filter(has_text=f"#{ids[short]} {ITEMS[short][0]}")).to_have_count(1)
    staff.get_by_role("option", name=f"#{ids['menus']} {ITEMS['menus'][0]}", exact=True).click()
    settle(staff)
    slider = form.get_by_role("slider", name="Percent done")
    slider.focus()
    for _ in range(5):
        slider.press("ArrowRight")
    expect(slider).to_have_value("25")
    field(staff, "Note", form).fill("Menus keyboard-navigable in the file browser.")
    click(staff, "Report", form)
    says(staff, "Reported. It shows on the item page and the published plan.")

    # The first report above 0 % moves the planned item to in progress; everyone sees it.
    status_is(year, ids["menus"], "in progress")
    says(year.pages[""], "25 % done", "Menus keyboard-navigable in the file browser.")
    execu = year.as_("erin", "plan")
    says(execu, "Progress", "25 % (", "Menus keyboard-navigable in the file browser.")
    year.shoot(execu, "08-progress")
    # Nothing is late yet: the first reports are due 8 weeks after the plan became final.
    execu = year.as_("erin", "")
    says(execu, "Progress reports overdue (0)", "No progress report is overdue.")
    # The lead sees the report on the item page, and may not close it as done at 25 %.
    lead = year.as_("bob", f"item?id={ids['menus']}")
    says(lead, "25 % done", "You can close this item as done once its latest report says 100 %.")
    expect(main_of(lead).get_by_role("button", name="Close as done")).to_have_count(0)
    rep = year.as_("carol", "plan")
    says(rep, "25 % (", "Menus keyboard-navigable in the file browser.")


def report(page: Page, item: str, percent: int, note: str) -> None:
    """On "My plan", report ``percent`` done on ``item`` ("#2 Accessible menus")."""
    form = main_of(page).get_by_test_id("stForm")
    choose(page, "Item", item, form)
    slider = form.get_by_role("slider", name="Percent done")
    slider.focus()
    for _ in range(percent // 5):  # 5 % a step
        slider.press("ArrowRight")
    expect(slider).to_have_value(str(percent))
    field(page, "Note", form).fill(note)
    click(page, "Report", form)
    says(page, "Reported. It shows on the item page and the published plan.")
    settle(page)


def overdue_report(year: Year, ids: dict[str, int]) -> None:
    """19 February 2027, inside 2027-H1: eight weeks after version 2 became final, Sam's
    reports are late. The executive sees each late assignment on their home page; Sam
    reports on the menus, and that one is no longer late."""
    label = {short: f"#{ids[short]} {title}" for short, (title, _, _) in ITEMS.items()}
    year.restart(80)
    execu = year.as_("erin", "")
    heading(execu, "Home")
    says(
        execu,
        f"overdue: Sam Staff on {label['menus']} · by",
        f"overdue: Sam Staff on {label['offline']} · by",
    )
    year.shoot(execu, "09-overdue")
    staff = year.as_("sam", "my_plan")
    says(staff, "2027-H1, plan version 2", "A progress report is overdue")
    report(staff, label["menus"], 50, "Menus done in the notebook too.")
    execu = year.as_("erin", "")
    says(execu, f"overdue: Sam Staff on {label['offline']} · by")
    never_says(execu, f"overdue: Sam Staff on {label['menus']}")
    # Progress is public; who is late is the executive's.
    status_is(year, ids["menus"], "in progress")
    says(year.pages[""], "50 % done", "Menus done in the notebook too.")
    never_says(year.pages[""], "overdue")
    lead = year.as_("bob", f"item?id={ids['menus']}")
    says(lead, "50 % done")
    never_says(lead, "overdue")


def next_period(year: Year, ids: dict[str, int]) -> None:
    """Still 19 February 2027: 2027-H2 started from 2027-H1 on the Planning periods page,
    2027-H1 closed to signals (its plan stays in effect until 30 June) and signalling for
    2027-H2 opened; the Planning period page says what 2027-H1 left unspent (nothing
    unallocated, and its reserve of 2, returned to 2027-H2's pool) and carries over the
    unfinished items at what is left of them."""
    execu = year.as_("erin", "periods")
    heading(execu, "Planning periods")
    form = (
        main_of(execu)
        .get_by_test_id("stForm")
        .filter(has_text="Start the next period from 2027-H1")
    )
    # The form suggests the next half: its key, name and dates.
    expect(field(execu, "Next period's key", form)).to_have_value("2027-H2")
    expect(field(execu, "Next period's name", form)).to_have_value("2027, second half")
    for label, day in (("first day", "2027-07-01"), ("last day", "2027-12-31")):
        picker = form.get_by_test_id("stDateInput").filter(has_text=f"Next period's {label}")
        expect(picker.locator("input")).to_have_value(day)
    click(execu, "Start the next period", form)
    says(execu, "Started 2027, second half from 2027-H1, in draft.")
    settle(execu)
    choose(execu, "Period", "2027, first half")
    click(execu, "Close period")
    says(execu, "2027, first half is closed.")
    settle(execu)
    choose(execu, "Period", "2027, second half")
    click(execu, "Open signalling")
    says(execu, "Signalling for 2027, second half is open.")
    settle(execu)

    # The Planning period page: what 2027-H1 left unspent, and the items carried over.
    execu = year.as_("erin", "period")
    choose(execu, "Period", "2027, second half (signalling)")
    heading(execu, "Planning period 2027, second half")
    says(
        execu,
        "2027-H1 left 2 person-weeks unspent: the final plan left nothing unallocated, and "
        "the reserve of 2 person-weeks counts as unspent",
        "This effort was returned to the pool of 2027-H2 (its budget includes it).",
        "Carried over from 2027-H1",
    )
    # The menus, 8 person-weeks reported 50 % done, cost the 4 left; the offline notebooks,
    # not started, all 6. Faster start-up was not funded: it is in scope, not carried.
    for short, status, numbers in (
        ("menus", "in progress", [50, 8, 4]),
        ("offline", "planned", [0, 6, 6]),
    ):
        cells = cells_of(execu, ids[short], ITEMS[short][0])
        assert cells[-4] == status, cells  # Status, Done (%), Effort (pw), Left (pw)
        assert [float(c) for c in cells[-3:]] == numbers, cells
    never_says(execu, ITEMS["start"][0])
    year.shoot(execu, "10-period-2027-H2")

    # Each role: 2027-H1's plan is still the one in effect.
    staff = year.as_("sam", "my_plan")
    says(staff, "2027-H1, plan version 2")
    public = year.as_("", "plan")
    says(public, "Version 2 is final")  # the only period with a plan
    rep = year.as_("carol", "signals")
    says(rep, "2027, second half")
    expect(main_of(rep).get_by_role("button", name="Start from our 2027-H1 signal")).to_have_count(
        1
    )


def second_half(year: Year, ids: dict[str, int]) -> None:
    """2027-H2's signals and plan, while 2027-H1 is under way. Acme starts from its 2027-H1
    signal in one click, then drops the offline notebooks for faster start-up; the executive
    proposes 2027-H2's plan (the menus and faster start-up, not the offline notebooks) and
    finalizes it once the window has passed. The offline notebooks stay planned under
    2027-H1's plan: Sam reports them done, and the lead closes them as done. From July, staff
    work on 2027-H2's plan."""
    label = {short: f"#{ids[short]} {title}" for short, (title, _, _) in ITEMS.items()}
    rep = year.as_("carol", "signals")
    heading(rep, "Our signals")
    click(rep, "Start from our 2027-H1 signal")
    says(rep, "Saved our 2027-H1 signal as our signal for this period.")
    settle(rep)
    approvals = main_of(rep).locator('[data-testid="stMultiSelect"]').first
    tags = approvals.locator("[data-tag]")
    expect(tags).to_have_count(2)  # as Acme left it in 2027-H1: the menus and offline
    for short in ("menus", "offline"):
        expect(tags.filter(has_text=label[short])).to_have_count(1)
    expect(main_of(rep).get_by_role("button", name="Start from our 2027-H1 signal")).to_have_count(
        0
    )
    year.shoot(rep, "11-signal-copied")
    approvals.get_by_label(f"Remove {label['offline']}", exact=True).click()
    settle(rep)
    expect(tags).to_have_count(1)
    pick_many(rep, "Items we support", [label["start"]])
    expect(tags).to_have_count(2)
    click(rep, "Save signals")
    says(rep, "Saved. The latest signal counts")
    settle(rep)
    uni = year.as_("mo", "signals")
    pick_many(uni, "Items we support", [label["menus"]])
    click(uni, "Save signals")
    says(uni, "Saved. The latest signal counts")
    settle(uni)

    execu = year.as_("erin", "scenarios")
    says(execu, "2027, second half: compare envelopes")
    # The scenario holds 4 in reserve: 14 to share, not enough for everything (16).
    reserve = main_of(execu).get_by_role("spinbutton", name="Reserve (person-weeks)").first
    expect(reserve).to_have_value(re.compile(r"^2(\.0+)?$"))  # the period's, from 2027-H1
    reserve.fill("4")
    reserve.press("Tab")
    settle(execu)
    panel = run_scenarios(execu)
    # 16 of capacity and the 2 2027-H1 left unspent; the menus cost the 4 left of them
    # and faster start-up 6; the offline notebooks, which nobody asks for now, do not fit.
    expect(metric(panel, "Budget (person-weeks)")).to_have_text("18.0")
    expect(metric(panel, "Reserve (person-weeks)")).to_have_text("4.0")
    expect(metric(panel, "Funded effort (person-weeks)")).to_have_text("10.0")
    expect(panel).to_contain_text("No version is final yet: publishing makes the first one.")
    expect(panel).to_contain_text(
        "These planned items are not funded by this version but stay planned under "
        f"2027-H1's final plan: {label['offline']}"
    )
    expect(panel).not_to_contain_text("go back to in scope")
    panel.get_by_role("heading", name="Before publishing").scroll_into_view_if_needed()
    year.shoot(execu, "12-scenarios-2027-H2")
    propose(execu, panel, 1, period="2027-H2")
    staff = year.as_("sam", "my_plan")
    says(staff, "2027-H1, plan version 2")

    year.restart(88)  # 27 February 2027: the window has passed; 2027-H1 is in effect
    finalize(year, 1)
    for short, status in (("start", "planned"), ("menus", "in progress"), ("offline", "planned")):
        status_is(year, ids[short], status)
    public = year.as_("", "plan")
    says(public, "Version 1 is final", ITEMS["menus"][0], ITEMS["start"][0])
    year.shoot(public, "13-plan-2027-H2-final")
    # The earlier period keeps its plan, reachable by the period picker.
    choose(public, "Period", "2027, first half (closed)")
    says(public, "Version 2 is final", ITEMS["offline"][0])
    lead = year.as_("bob", "inbox")
    says(lead, "Plan for 2027, second half, version 1 is final")
    rep = year.as_("carol", "plan")
    says(rep, "Version 1 is final", ITEMS["start"][0])

    # 2027-H1's plan is in effect: Sam still reports on the offline notebooks, which
    # 2027-H2 does not fund, and reports them done; the lead closes them as done.
    staff = year.as_("sam", "my_plan")
    says(staff, "2027-H1, plan version 2")
    report(staff, label["offline"], 100, "Offline notebooks shipped in 4.1.")
    status_is(year, ids["offline"], "in progress")
    lead = year.as_("bob", f"item?id={ids['offline']}")
    says(lead, "100 % done")
    click(lead, "Close as done")
    expect(main_of(lead).get_by_role("button", name="Close as done")).to_have_count(0)
    settle(lead)
    status_is(year, ids["offline"], "done")
    says(year.pages[""], "100 % done", "Offline notebooks shipped in 4.1.")
    year.shoot(year.pages[""], "14-item-done")
    execu = year.as_("erin", "")
    never_says(execu, f"on {label['offline']}")  # done work owes no report

    year.restart(213)  # 2 July 2027: 2027-H2's dates hold today
    staff = year.as_("sam", "my_plan")
    says(staff, "2027-H2, plan version 1")
    year.shoot(staff, "15-my-plan-2027-H2")
    execu = year.as_("erin", "plan")
    says(execu, "Version 1 is final")
    public = year.as_("", "plan")
    says(public, "Version 1 is final", ITEMS["menus"][0])
    status_is(year, ids["offline"], "done")


def test_a_foundation_s_first_year(empty_server: Server, playwright_browser: Browser) -> None:
    started = time.monotonic()
    year = Year(playwright_browser, empty_server)
    # The machine is loaded: every assertion here waits as long as a slow rerun may take.
    expect.set_options(timeout=LONG)
    try:
        set_up(year)
        ids = propose_items(year)
        comment_and_scope(year, ids)
        signal(year, ids)
        proposed_plan_with_objection(year, ids)
        final_plan(year, ids)
        replan(year, ids)
        report_progress(year, ids)
        overdue_report(year, ids)
        next_period(year, ids)
        second_half(year, ids)
    except Exception:
        # What each person's page said when the walk stopped, beside the screenshots.
        SHOTS.mkdir(parents=True, exist_ok=True)
        for who, page in year.pages.items():
            text = page.locator(MAIN).inner_text(timeout=5_000)
            (SHOTS / f"failed-{who or 'public'}-{year.label}.txt").write_text(text)
        raise
    finally:
        expect.set_options(timeout=5_000)  # Playwright's default, for the other tests
        year.sign_out_all()
        print(f"first year on {year.label}: {time.monotonic() - started:.0f} s")
