"""The server's background worker: started once per server process by ``st.App``'s
lifespan (``app.py``), stopped when the server stops.

Every ``ROADMAP_WORKER_SECONDS`` (default 60; 0: off) it checks the reminders that fell due
(``services.reminders.notify_due``) and sends the outbox (``services.mail.send_pending``),
in a thread of its own, so neither a page nor a route ever waits for a mail server. The same
two steps run from cron as ``roadmap notify-due`` and ``roadmap send-mail``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from roadmap import config
from roadmap.services import mail, reminders
from roadmap.services.context import default_context

log = logging.getLogger("roadmap.worker")


def tick() -> None:
    """One round: reminders, then mail. A failure is logged; the next round tries again."""
    ctx = default_context()
    for step in (reminders.notify_due, mail.send_pending):
        try:
            step(ctx)
        except Exception:  # the worker must outlive a database or mail server hiccup
            log.exception("background step %s failed", step.__name__)


def _loop(stop: threading.Event, seconds: float) -> None:
    if stop.wait(min(seconds, 5.0)):  # the first round soon after the start
        return
    while True:
        tick()
        if stop.wait(seconds):
            return


@asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[None]:
    seconds = config.worker_seconds()
    stop = threading.Event()
    thread = None
    if seconds > 0:
        thread = threading.Thread(
            target=_loop, args=(stop, seconds), name="roadmap-worker", daemon=True
        )
        thread.start()
    try:
        yield None
    finally:
        stop.set()
        if thread is not None:
            thread.join(timeout=10)
