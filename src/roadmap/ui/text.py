"""Showing people's text safely: Markdown without HTML or script links, and plain text."""

from __future__ import annotations

import re

# A Markdown link or image target with a scheme other than http(s) or mailto.
_BAD_TARGET = re.compile(r"(\]\(\s*<?)(?!https?:|mailto:|#|/)([a-zA-Z][a-zA-Z0-9+.\-]*:)", re.I)
_BAD_AUTOLINK = re.compile(r"<(?!https?:|mailto:)([a-zA-Z][a-zA-Z0-9+.\-]*:[^>]*)>", re.I)
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def safe_markdown(text: str) -> str:
    """Markdown for ``st.markdown``: Streamlit already shows raw HTML as text (we never pass
    ``unsafe_allow_html``); here links to ``javascript:``, ``data:`` and the like lose their
    target, so clicking one goes nowhere."""
    text = _BAD_TARGET.sub(lambda m: m.group(1) + "#blocked-", text)
    return _BAD_AUTOLINK.sub(lambda m: "&lt;" + m.group(1) + "&gt;", text)


def plain(text: str) -> str:
    """Text shown literally inside Markdown (titles, names): every Markdown sign escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)
