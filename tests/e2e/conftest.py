"""Browser tests: the real app served by `streamlit run`, driven in headless Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from support import need, pg_schema

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    def __init__(self, data_dir: Path, database_url: str | None = None) -> None:
        self.port = free_port()
        self.url = f"http://localhost:{self.port}"
        self.env = {
            **os.environ,
            "ROADMAP_DATA_DIR": str(data_dir),
            "ROADMAP_DATABASE_URL": database_url or f"sqlite:///{data_dir / 'roadmap.db'}",
            "ROADMAP_SECRET_KEY": "e2e-secret-key",
            "ROADMAP_SECRETS_FILE": str(data_dir / "secrets.toml"),
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.log = data_dir / "server.log"

    def start(self, prepare: Callable[[Server], None] | None = None, demo: bool = True) -> Server:
        """Migrate, load the demo into an empty database (unless not ``demo``), run
        ``prepare`` (e.g. to add accounts), then serve."""
        subprocess.run(
            [str(BIN / "roadmap"), "init-db", *(["--demo-if-empty"] if demo else [])],
            env=self.env,
            check=True,
            cwd=ROOT,
            capture_output=True,
        )
        if prepare is not None:
            prepare(self)
        return self._serve()

    def restart(self, extra_env: dict[str, str] | None = None) -> Server:
        """Stop the server and serve the same database again on the same port, with
        ``extra_env`` added to its environment (e.g. ``ROADMAP_CLOCK_OFFSET_DAYS``)."""
        self.stop()
        self.env.update(extra_env or {})
        return self._serve()

    def _serve(self) -> Server:
        command = [
            str(BIN / "streamlit"),
            "run",
            "app.py",
            "--server.headless",
            "true",
            "--server.port",
            str(self.port),
            "--server.address",
            "127.0.0.1",
        ]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(command, env=self.env, cwd=ROOT, stdout=log, stderr=log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/api/health", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"the app did not start: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def retitle(page: Any, item_id: int, old_title: str, title: str) -> None:
    """On "My sub-community's items", type ``title`` over the title of item ``item_id`` in
    the table (a canvas grid: click the cell, Enter opens its editor, Enter commits)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    main = page.locator('[data-testid="stMain"]')
    grid = main.locator('[data-testid="stDataFrame"]').first
    grid.locator("#glide-cell-0-0").wait_for(state="attached")
    ids = grid.locator("[id^=glide-cell-0-]").all_text_contents()
    row = ids.index(str(item_id))
    editor = page.locator("textarea.gdg-input")
    shown = grid.locator(f"#glide-cell-1-{row}")
    # The grid redraws after every rerun: a click can land on a canvas being replaced, and
    # then no editor opens, or not on that cell; an editor that opened can close again
    # before it is typed into. Then the cell does not change, and we start over.
    for _ in range(8):
        settle(page)
        box = grid.bounding_box()
        assert box is not None
        # Below the 35 px header, past the narrow id column.
        page.mouse.click(box["x"] + 150, box["y"] + 35 * (row + 1) + 17)
        page.keyboard.press("Enter")
        try:
            editor.wait_for(timeout=3_000)
            if editor.input_value(timeout=3_000) == old_title:
                editor.fill(title, timeout=3_000)
                editor.press("Enter", timeout=3_000)
                shown.filter(has_text=title).wait_for(state="attached", timeout=5_000)
                break
        except PlaywrightTimeout:
            pass
        page.keyboard.press("Escape")
    else:
        raise AssertionError(f"the title of item {item_id} could not be edited")
    settle(page)


def settle(page: Any) -> None:
    """Wait until the app's rerun has finished: no running indicator, and no element of the
    run before left on the page (a short run may never show the indicator; its stale
    elements are then the only sign that the page has not caught up)."""
    page.wait_for_timeout(300)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && !document.querySelector('[data-stale=\"true\"]')",
        timeout=60_000,
    )


@contextmanager
def database_url(backend: str, data_dir: Path) -> Iterator[str]:
    """A database for one app server (or several sharing it): a SQLite file in ``data_dir``,
    or a private schema in the PostgreSQL test database (dropped afterwards)."""
    if backend == "sqlite":
        yield f"sqlite:///{data_dir / 'roadmap.db'}"
        return
    with pg_schema("roadmap_e2e") as url:
        yield url


@pytest.fixture(scope="session")
def playwright_browser() -> Iterator[object]:
    need(os.path.exists(CHROMIUM), f"browser tests need Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One app server with the demo data, shared by the browser tests that may share it."""
    srv = Server(tmp_path_factory.mktemp("e2e")).start()
    yield srv
    srv.stop()


@pytest.fixture
def fresh_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server no browser session has touched yet."""
    srv = Server(tmp_path_factory.mktemp("fresh")).start()
    yield srv
    srv.stop()


@pytest.fixture
def page(playwright_browser: object) -> Iterator[object]:
    context = playwright_browser.new_context()  # type: ignore[attr-defined]
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    yield pg
    context.close()
