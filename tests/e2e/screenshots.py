"""``make screenshots``: every page, for each role that sees it, at 1,440 and 390 px wide,
written as PNG files under ``screenshots/<role>/<page>-<width>.png`` (git-ignored), on the
demo data with the demo period's plan published. Prints the pages whose 390 px layout
scrolls sideways.

    .venv/bin/python tests/e2e/screenshots.py [FOLDER]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path[:0] = [str(Path(__file__).parent), str(Path(__file__).parents[1])]

from conftest import CHROMIUM, CHROMIUM_ARGS, ROOT, Server  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from tour import (  # noqa: E402
    NARROW,
    ROLES,
    WIDE,
    actor_of,
    open_page,
    overflow,
    pages_seen,
    path_of,
    publish_demo_plan,
    sign_in,
)


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "screenshots"
    with tempfile.TemporaryDirectory() as data:
        server = Server(Path(data)).start(prepare=publish_demo_plan)
        try:
            shoot(server, folder)
        finally:
            server.stop()


def shoot(server: Server, folder: Path) -> None:
    problems = []
    count = 0
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        for username in ROLES:
            role = username or "public"
            (folder / role).mkdir(parents=True, exist_ok=True)
            for size in (WIDE, NARROW):
                context = browser.new_context(viewport=size)
                page = context.new_page()
                page.set_default_timeout(30_000)
                sign_in(page, server.url, username)
                for spec in pages_seen(actor_of(server, username)):
                    open_page(page, server.url, path_of(spec))
                    target = folder / role / f"{spec.key}-{size['width']}.png"
                    # The app scrolls inside its main area, not the document: a viewport as
                    # tall as the page shows all of it.
                    tall = page.evaluate(
                        "document.querySelector('[data-testid=\"stMain\"]').scrollHeight"
                    )
                    page.set_viewport_size({**size, "height": max(size["height"], min(tall, 8000))})
                    page.wait_for_timeout(800)
                    page.screenshot(path=str(target))
                    page.set_viewport_size(size)
                    count += 1
                    if size is NARROW:
                        found = overflow(page)
                        if found["scrollWidth"] > found["innerWidth"] or found["wide"]:
                            problems.append(f"{role} {spec.key}: {found}")
                context.close()
            print(f"{role}: done", flush=True)
        browser.close()
    print(f"{count} screenshots in {folder}")
    print("390 px: " + ("no page scrolls sideways" if not problems else "\n  ".join(problems)))


if __name__ == "__main__":
    main()
