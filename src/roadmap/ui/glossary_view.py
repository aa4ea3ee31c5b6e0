"""The "Words used here" expander: the short glossary entries a page's words need."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

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


def terms_in(texts: Iterable[str]) -> list[str]:
    """The glossary's terms that ``texts`` use, as words, singular or plural, any case (so
    "caps" is the cap's, "capacity" is not), in the glossary's order."""
    joined = "\n".join(texts)
    return [t for t in ENTRIES if re.search(rf"\b{re.escape(t)}s?\b", joined, re.IGNORECASE)]
