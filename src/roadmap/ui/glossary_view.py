"""The "Words used here" expander: the short glossary entries a page's words need."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from roadmap.domain.glossary import ENTRIES


def words_used_here(terms: Sequence[str], key: str = "") -> None:
    """An expander with each of ``terms``' entry (``roadmap.domain.glossary``), in order."""
    del key  # one expander per page section; Streamlit needs no key for it
    with st.expander("Words used here"):
        st.markdown("\n\n".join(f"**{term}.** {ENTRIES[term]}" for term in terms))


def help_for(term: str) -> str:
    """A label's tooltip: the term's entry."""
    return ENTRIES[term]
