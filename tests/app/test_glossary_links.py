"""Every page that uses a glossary word explains it there: each term of
``roadmap.domain.glossary`` that a page's text or labels use (for the role that sees the
most of the page) is in that page's "Words used here" expander."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from roadmap.domain.access import Actor
from roadmap.ui.glossary_view import terms_in
from roadmap.ui.registry import PAGES

ROOT = Path(__file__).resolve().parents[2]
# The first of these a page allows reads it (the executive sees the most of most pages).
READERS = ["exec", "orgrep", "lead", "staff", "admin", "member", None]
EXPANDER = "Words used here"


def _texts(at: AppTest) -> tuple[str, str]:
    """(the page's own words, its glossary expanders' words)."""
    explained = [str(m.value) for e in at.expander if e.label == EXPANDER for m in e.markdown]
    elements = [*at.markdown, *at.caption, *at.title, *at.header, *at.subheader]
    elements += [*at.info, *at.warning, *at.success, *at.error]
    own = [str(e.value) for e in elements if str(e.value) not in explained]
    widgets = [*at.selectbox, *at.multiselect, *at.number_input, *at.slider, *at.radio]
    widgets += [*at.text_input, *at.checkbox, *at.toggle, *at.date_input, *at.button]
    own += [str(w.label) for w in widgets]
    own += [e.label for e in at.expander if e.label != EXPANDER]
    own += [t.label for t in at.tabs]
    return "\n".join(own), "\n".join(explained)


@pytest.mark.parametrize("page", [p.key for p in PAGES])
def test_a_page_explains_each_glossary_word_it_uses(
    page: str, as_user: Callable[[str | None], Actor]
) -> None:
    spec = next(p for p in PAGES if p.key == page)
    reader = next((u for u in READERS if spec.allows(as_user(u))), None)
    as_user(reader)
    at = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=30).run()
    assert not at.exception, [e.value for e in at.exception]
    own, explained = _texts(at)
    used = terms_in([own])
    missing = [t for t in used if f"**{t}.**" not in explained]
    assert not missing, f"/{page} (as {reader}) uses {missing} without explaining them"


def test_terms_are_found_as_words_singular_or_plural() -> None:
    assert terms_in(["Caps and floors per theme", "its effective support"]) == [
        "Floor",
        "Cap",
        "Effective support",
    ]
    assert terms_in(["Capacity of the staff", "reserved seats"]) == []
