"""The lead's item form, with each field's error shown beside the field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from roadmap.domain.enums import ItemKind, LinkKind
from roadmap.domain.errors import RoadmapError, ValidationError
from roadmap.services.catalog import Named
from roadmap.ui.actions import clear_form, clicked_once, form_key
from roadmap.ui.text import plain

ERRORS_KEY = "item_form_errors"
SAVED_KEY = "item_form_saved"


def _error_for(field: str) -> None:
    message = st.session_state.get(ERRORS_KEY, {}).get(field)
    if message:
        st.error(plain(message))


def item_form(
    subs: list[Named],
    themes: list[Named],
    skills: list[str],
    other_items: dict[int, str],
    save: Callable[[dict[str, Any]], object],
) -> None:
    """Draw the form; on submit call ``save(fields)`` and show its errors field by field."""
    saved = st.session_state.pop(SAVED_KEY, None)
    if saved:
        st.success(plain(f"Saved the draft {saved!r}."))
    with st.form(form_key("new_item")):
        # The summary over every field's error, at the top, as GOV.UK's error summary is.
        _error_for("__summary__")
        title = st.text_input("Title", max_chars=120)
        _error_for("title")
        sub = st.selectbox("Sub-community", [s.slug for s in subs], format_func=_name(subs))
        _error_for("subcommunity")
        kind = st.selectbox("Kind", [k.value for k in ItemKind], format_func=_kind_label)
        _error_for("kind")
        theme = st.selectbox(
            "Theme (the executive may refile it)",
            [None, *[t.slug for t in themes]],
            format_func=lambda s: "—" if s is None else _name(themes)(s),
        )
        _error_for("theme")
        low, high = st.columns(2)
        effort_low = low.number_input(
            "Effort, low (person-weeks)", min_value=0.0, value=1.0, step=0.5
        )
        _error_for("effort_low")
        effort_high = high.number_input(
            "Effort, high (person-weeks)", min_value=0.0, value=2.0, step=0.5
        )
        _error_for("effort_high")
        _error_for("__root__")
        chosen_skills = st.multiselect("Skills needed", skills)
        _error_for("skills")
        depends_on = st.multiselect(
            "Depends on", list(other_items), format_func=lambda i: f"#{i} {other_items[i]}"
        )
        _error_for("depends_on")
        summary = st.text_area("Summary (Markdown)", height=160)
        _error_for("summary")
        link_kind = st.selectbox(
            "Link kind", [k.value for k in LinkKind], format_func=lambda k: LinkKind(k).label
        )
        link_url = st.text_input("Link (issue, pull request, enhancement proposal)")
        _error_for("links")
        submitted = clicked_once("Save draft", "save-draft", submit=True, type="primary")
    if not submitted:
        return
    fields: dict[str, Any] = {
        "title": title,
        "summary": summary,
        "subcommunity": sub,
        "kind": kind,
        "theme": theme,
        "effort_low": effort_low,
        "effort_high": effort_high,
        "skills": chosen_skills,
        "depends_on": depends_on,
        "links": [{"kind": link_kind, "url": link_url.strip()}] if link_url.strip() else [],
    }
    try:
        save(fields)
    except ValidationError as exc:
        errors = dict(exc.fields) or {"__root__": str(exc)}
        if len(exc.fields) > 1:
            errors["__summary__"] = exc.summary
        st.session_state[ERRORS_KEY] = errors
        st.rerun()
    except RoadmapError as exc:
        st.session_state[ERRORS_KEY] = {"__root__": str(exc)}
        st.rerun()
    # Rerun so the errors drawn above this submit disappear with the saved draft, and the
    # form starts empty (after an error it keeps what was typed).
    clear_form("new_item")
    st.session_state[ERRORS_KEY] = {}
    st.session_state[SAVED_KEY] = title
    st.rerun()


def _kind_label(kind: str) -> str:
    return ItemKind(kind).label


def _name(named: list[Named]) -> Callable[[str], str]:
    lookup = {n.slug: n.name for n in named}
    return lambda slug: lookup.get(slug, slug)
