"""Showing the errors a person can cause as a sentence on the page."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from roadmap.domain.errors import ConflictError, RoadmapError, ValidationError


@contextmanager
def user_errors() -> Iterator[None]:
    """Run a use case; a typed error becomes a sentence (and field details), never a traceback."""
    try:
        yield
    except ConflictError as exc:
        st.warning(str(exc))
        for name, (before, after) in exc.changed.items():
            st.caption(f"{name}: {before!r} → {after!r}")
    except ValidationError as exc:
        st.error(str(exc))
    except RoadmapError as exc:
        st.error(str(exc))
