"""Browser tests: the real app served by `streamlit run`, driven in headless Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import need

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CHROMIUM = "/usr/bin/chromium"


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

    def start(self) -> Server:
        subprocess.run(
            [str(BIN / "roadmap"), "init-db", "--demo-if-empty"],
            env=self.env,
            check=True,
            cwd=ROOT,
            capture_output=True,
        )
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
        with self.log.open("wb") as log:
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


@pytest.fixture(scope="session")
def playwright_browser() -> Iterator[object]:
    need(os.path.exists(CHROMIUM), f"browser tests need Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
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
