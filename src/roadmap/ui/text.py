"""Showing people's text safely wherever Streamlit renders Markdown.

Two rules, one per kind of text:

* Short text (titles, names, notes, usernames, link titles, the sentences that quote them)
  never renders as Markdown: :func:`plain` escapes it. Streamlit renders Markdown in
  ``st.title``/``header``/``subheader``/``caption``/``markdown``/``write``, the alerts
  (``info``, ``warning``, ``error``, ``success``), ``st.toast``, every widget's label,
  ``st.radio`` options, expander titles and tab names, so user text reaching any of them
  goes through :func:`plain`. (``st.selectbox``/``st.multiselect`` options and data frames
  show text as it is, and need nothing.)
* Long text that is meant to be Markdown (an item's summary, a comment, a rationale) keeps
  its formatting through :func:`safe_markdown`: an image becomes a link to it, so nothing
  loads from another host for every reader, and a link to ``javascript:``, ``data:`` and
  the like loses its target. Raw HTML is never enabled (no ``unsafe_allow_html``).
"""

from __future__ import annotations

import re
from urllib.parse import quote

from roadmap.domain.markdown import plain

__all__ = ["link_target", "plain", "safe_markdown"]

# A Markdown link or image target with a scheme other than http(s) or mailto.
_BAD_TARGET = re.compile(r"(\]\(\s*<?)(?!https?:|mailto:|#|/)([a-zA-Z][a-zA-Z0-9+.\-]*:)", re.I)
# The same in a link reference definition: ``[name]: javascript:...``.
_BAD_DEFINITION = re.compile(
    r"^( {0,3}\[[^\]]+\]:\s*<?)(?!https?:|mailto:|#|/)([a-zA-Z][a-zA-Z0-9+.\-]*:)", re.I | re.M
)
_BAD_AUTOLINK = re.compile(r"<(?!https?:|mailto:)([a-zA-Z][a-zA-Z0-9+.\-]*:[^>]*)>", re.I)
# An image: ``![`` not itself escaped (an even number of backslashes before the ``!``).
_IMAGE = re.compile(r"(?<!\\)((?:\\\\)*)!\[")


def safe_markdown(text: str) -> str:
    """Markdown for ``st.markdown`` from long text a person wrote as Markdown (a summary, a
    comment, a rationale): its formatting and links stay; an image becomes a link to the
    image (``![alt](url)`` → ``[image: alt](url)``), so no reader's browser loads it from
    another host; links to ``javascript:``, ``data:`` and the like lose their target, so
    clicking one goes nowhere. Streamlit shows raw HTML as text (we never pass
    ``unsafe_allow_html``)."""
    text = _IMAGE.sub(lambda m: m.group(1) + "[image: ", text)
    text = _BAD_TARGET.sub(lambda m: m.group(1) + "#blocked-", text)
    text = _BAD_DEFINITION.sub(lambda m: m.group(1) + "#blocked-", text)
    return _BAD_AUTOLINK.sub(lambda m: "&lt;" + m.group(1) + "&gt;", text)


_UNSAFE_IN_TARGET = re.compile(r"[\s()<>\\\"'`]")


def link_target(url: str) -> str:
    """A stored web address as a Markdown link destination: anything but http(s) goes
    nowhere, and the characters that could end the destination early (a ``)`` smuggling an
    image after it, a space starting a title) are percent-encoded. Links stored before the
    link check was strict are read as they are and still cannot break out."""
    if not re.match(r"^https?://", url, re.I):
        return "#blocked"
    return _UNSAFE_IN_TARGET.sub(lambda m: quote(m.group(0), safe=""), url)
