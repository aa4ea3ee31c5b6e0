"""Showing the errors a person can cause as a sentence on the page (as text: a sentence that
quotes a title or a name never renders it as Markdown)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Literal

import streamlit as st

from roadmap.domain.errors import ConflictError, RoadmapError, ValidationError
from roadmap.ui.text import plain

Kind = Literal["success", "info", "warning", "error", "caption"]
Line = tuple[Kind, str]


def refusal(exc: RoadmapError) -> list[Line]:
    """The sentences of a typed error: a conflict is a warning naming what the other person
    changed (field: before → after); a form refused for several fields one summary sentence
    and then each field's sentence, all at once; anything else an error."""
    if isinstance(exc, ValidationError) and len(exc.fields) > 1:
        return [("error", exc.summary), *(("error", text) for text in exc.fields.values())]
    if not isinstance(exc, ConflictError):
        return [("error", str(exc))]
    lines: list[Line] = [("warning", str(exc))]
    for name, (before, after) in exc.changed.items():
        lines.append(("caption", f"{name}: {before!r} → {after!r}"))
    return lines


def draw(lines: list[Line]) -> None:
    drawers: dict[Kind, Callable[[str], object]] = {
        "success": st.success,
        "info": st.info,
        "warning": st.warning,
        "error": st.error,
        "caption": st.caption,
    }
    for kind, text in lines:
        drawers[kind](plain(text))  # a sentence may quote a title or a name


@contextmanager
def user_errors() -> Iterator[None]:
    """Run a use case; a typed error becomes a sentence (and field details), never a traceback."""
    try:
        yield
    except RoadmapError as exc:
        draw(refusal(exc))
