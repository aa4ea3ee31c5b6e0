"""What AppTest cannot see, in the drawn page: a hostile title makes no link, image, heading
or emphasis (on the item page, and in the ranking list and points label of the signals
page); an image in a summary is a link to it, loaded from nowhere; a stored link with a
``)`` smuggles no image. (tests/e2e/test_hostile_text.py, marked slow, poisons every field
on every page; this one is quick.)"""

from __future__ import annotations

from pathlib import Path

from conftest import Server, settle
from playwright.sync_api import Browser, Page
from sqlalchemy import select, update
from test_governance_path import MAIN, signed_in

from roadmap.domain.enums import ItemStatus, Role
from roadmap.domain.markdown import JOINER
from roadmap.domain.signals import PledgeInput
from roadmap.services import signals
from roadmap.services.context import Context
from roadmap.services.sessions import authenticate
from roadmap.store.engine import make_engine
from roadmap.store.tables import ItemRow

TITLE = (
    "a\r# heading ![i](http://evil.example/t.png) [x](javascript:alert(1)) **b** <b>x</b> `c` a|b"
    " www.evil.example :material/warning: :red[r]"
)
SHOWN = TITLE.replace("\r", " ")
SUMMARY = "Summary **kept** ![s](http://evil.example/s.png) and [ok](https://example.org/)."
LINK = {
    "kind": "issue",
    "url": "http://x.example/a)![l](http://evil.example/l.png)",
    "title": "stored before the check",
}

# Markup the payloads would make if they rendered; empty when everything stayed text.
MADE = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const bad = [];
  document.querySelectorAll('img').forEach(e => {
    const src = e.getAttribute('src') || '';
    if (src.includes('evil.example')) bad.push('img ' + src);
  });
  main.querySelectorAll('h1 a, ol a, label a').forEach(e => {
    const href = e.getAttribute('href') || '';
    if (!href.startsWith('#')) bad.push('link ' + href);  // a heading's own anchor is fine
  });
  document.querySelectorAll('a').forEach(e => {
    const href = (e.getAttribute('href') || '').trim().toLowerCase();
    if (href.startsWith('javascript:')) bad.push('href ' + href);
  });
  main.querySelectorAll('h1,h2,h3,h4,h5,h6').forEach(e => {
    if (e.textContent.trim().startsWith('heading')) bad.push('heading from a CR');
  });
  main.querySelectorAll('strong').forEach(e => { if (e.textContent === 'b') bad.push('strong'); });
  main.querySelectorAll('b').forEach(e => { if (e.textContent === 'x') bad.push('b'); });
  main.querySelectorAll('code').forEach(e => { if (e.textContent === 'c') bad.push('code'); });
  return bad;
}"""


def _poison(server: Server) -> None:
    engine = make_engine(server.env["ROADMAP_DATABASE_URL"])
    with engine.begin() as conn:
        item_id = conn.execute(
            select(ItemRow.id)
            .where(ItemRow.status == ItemStatus.IN_SCOPE.value)
            .order_by(ItemRow.id)
            .limit(1)
        ).scalar_one()
        conn.execute(
            update(ItemRow)
            .where(ItemRow.id == item_id)
            .values(title=TITLE, summary=SUMMARY, links=[LINK])
        )
    # The representative ranks it first (and gives it points), so the signals page lists it.
    ctx = Context(engine)
    rep = authenticate(ctx, "orgrep", "demo")
    assert rep is not None
    (org,) = rep.scopes(Role.REPRESENTATIVE)
    kept, _ = signals.my_signal(ctx, rep, org)
    assert kept is not None
    pledges = [PledgeInput(i, w, 0.0, n) for i, w, n in kept.pledges]
    ranking = [item_id, *[i for i in kept.ranking if i != item_id]]
    points = {**kept.points, item_id: kept.points.get(item_id, 1)}
    signals.save_signal(ctx, rep, org, kept.approvals, points, ranking, pledges)
    server.env["HOSTILE_ITEM"] = str(item_id)
    engine.dispose()


def _check(page: Page, where: str) -> None:
    settle(page)
    assert page.locator('[data-testid="stException"]').count() == 0, where
    assert page.evaluate(MADE) == [], f"{where}: a title or summary made markup"
    assert page.dialogs == [], where  # type: ignore[attr-defined]


def test_hostile_titles_summaries_and_links_stay_text_in_the_browser(
    playwright_browser: Browser, tmp_path: Path
) -> None:
    server = Server(tmp_path).start(prepare=_poison)
    try:
        item_id = server.env["HOSTILE_ITEM"]
        public = signed_in(playwright_browser, server.url, "")
        public.goto(f"{server.url}/item?id={item_id}")
        public.wait_for_selector(f"{MAIN} h1")
        public.wait_for_selector(f"{MAIN} li")
        settle(public)
        _check(public, "the item page")
        main = public.locator(MAIN)
        assert main.locator("h1").count() == 1
        assert main.locator("h1").inner_text().replace(JOINER, "").strip() == SHOWN
        # The summary keeps its Markdown; its image is a link to the image.
        assert main.locator("strong", has_text="kept").count() == 1
        image_link = main.locator('a[href="http://evil.example/s.png"]')
        assert image_link.inner_text() == "image: s"
        # The stored link's ")" is part of its address, not the end of it.
        stored = main.locator("a", has_text="stored before the check")
        href = stored.get_attribute("href") or ""
        assert href.startswith("http://x.example/a%29") and ")" not in href, href
        public.context.close()

        rep = signed_in(playwright_browser, server.url, "orgrep")
        rep.goto(f"{server.url}/signals")
        rep.wait_for_selector(f"{MAIN} ol li")
        settle(rep)  # the whole page drawn, not a part of it beside the run before's
        _check(rep, "the signals page")
        ranked = rep.locator(f"{MAIN} ol li").first
        assert ranked.inner_text().replace(JOINER, "").strip() == f"#{item_id} {SHOWN}"
        label = rep.locator(f'{MAIN} [data-testid="stNumberInput"] label').first
        assert label.inner_text().replace(JOINER, "").strip() == f"#{item_id} {SHOWN}"
        rep.context.close()
    finally:
        server.stop()
