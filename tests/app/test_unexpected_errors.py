"""An unexpected error in a page shows a sentence and an incident id, never a traceback."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from roadmap.domain.access import Actor
from roadmap.services import item_reads

ROOT = Path(__file__).resolve().parents[2]
SECRET = "/srv/roadmap/store.py: SELECT password_hash FROM users"


def _everything_shown(at: AppTest) -> str:
    kinds = ["markdown", "title", "header", "caption", "error", "warning", "info", "code"]
    return "\n".join(str(e.value) for kind in kinds for e in getattr(at, kind))


def test_a_page_that_raises_shows_a_sentence_and_an_incident_id_and_logs_the_trace(
    as_user: Callable[[str | None], Actor],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    as_user(None)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError(SECRET)

    monkeypatch.setattr(item_reads, "count_items", broken)
    with caplog.at_level(logging.ERROR, logger="roadmap.incidents"):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()

    assert not at.exception, "Streamlit's own exception box (and its traceback) is not shown"
    shown = _everything_shown(at)
    found = re.fullmatch(
        r"Something went wrong on our side \(incident ([0-9a-f]{6})\)\. It has been logged\.",
        at.error[0].value,
    )
    assert found is not None, at.error[0].value
    for leak in ["Traceback", "RuntimeError", "password_hash", "/srv/"]:
        assert leak not in shown
    [logged] = [r for r in caplog.records if r.name == "roadmap.incidents"]
    assert found.group(1) in logged.getMessage()
    assert logged.exc_info is not None and str(logged.exc_info[1]) == SECRET
