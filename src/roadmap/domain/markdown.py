"""Text shown literally inside Markdown: the one escaping rule, shared by the pages
(``roadmap.ui.text``) and the Markdown report (``roadmap.services.reports``)."""

from __future__ import annotations

import re

# Every line break CommonMark, or a browser, may honour: a CR alone starts a new block.
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\v\f\x85\u2028\u2029]")
# Signs that make Markdown (or HTML, an entity, math, a directive) anywhere in a line.
_INLINE = re.compile(r"([\\`*_~\[\]<>&$|{}!])")
# What starts a block at the beginning of a text: heading, quote, list, rule, table. A heading
# or list marker needs a space (or the end) after it in CommonMark: "#5 Stabilise ..." is text,
# and stays unescaped (a backslash would reach the widget's aria-label, read out by a screen
# reader).
_LEADING = re.compile(r"^(\s*)(#{1,6}(?=\s|$)|[+\-*](?=\s|$)|\d+[.)](?=\s|$)|[>=|])")
# Streamlit turns some text into markup after parsing, on the text itself, where an escape
# does not reach: bare web and mail addresses become links, ``:smile:`` an emoji,
# ``:material/...:`` an icon, ``:red[...]`` coloured text. An invisible word joiner (U+2060)
# after such a colon, between ``www`` and its dot, and before an ``@`` stops each of them.
_JOIN = re.compile(r"(?i)(?<=:)(?=[a-z_+\-/])|(?<=\bwww)(?=\.)|(?=@)")
JOINER = "\u2060"


def plain(text: object) -> str:
    """Text shown literally inside Markdown (titles, names, notes, sentences that quote
    them): line breaks become spaces, so a CR or LF cannot start a heading or a list; every
    sign that makes inline Markdown or HTML is backslash-escaped, as is a block marker at
    the start; bare web or mail addresses, emoji codes, icons and directives stay text (an
    invisible word joiner breaks them). Prose punctuation (. , ' " ( ) - : followed by a
    space) is left as it is, so a sentence reads the same in the page's source."""
    one_line = _LINE_BREAKS.sub(" ", str(text))
    escaped = _INLINE.sub(r"\\\1", one_line)
    escaped = _JOIN.sub(JOINER, escaped)
    return _LEADING.sub(lambda m: m.group(1) + _escape_marker(m.group(2)), escaped)


def _escape_marker(marker: str) -> str:
    if marker[-1] in ".)":  # an ordered list: "1." or "1)"
        return marker[:-1] + "\\" + marker[-1]
    return marker if marker.startswith("\\") else "\\" + marker
