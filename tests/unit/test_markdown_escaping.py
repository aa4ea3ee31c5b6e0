"""People's text inside Markdown: a title shows as its own characters wherever it is drawn,
and a summary keeps its formatting but never loads an image from another host.

The rendering is checked with a CommonMark renderer (markdown-it, with GFM tables and
strikethrough), the parser family Streamlit's front end uses."""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from roadmap.domain.markdown import JOINER, plain
from roadmap.ui.text import link_target, safe_markdown

HOSTILE = [
    "[x](javascript:alert(1))",
    "![i](http://evil.example/p.png)",
    "# heading",
    "**bold**",
    "a\rb",
    "<b>x</b>",
    "`code`",
    "a|b",
    "1. first",
    "- item",
    "> quote",
    "a\n# heading",
    "x\r\n===",
    "_em_ ~~gone~~ $x^2$ :red[red]",
    "see www.evil.example and http://evil.example/a or a@b.example",
    ":material/warning: :smile: :red[x]",
    "back\\slash \\*not bold\\*",
    "&lt;b&gt; &amp;",
]

MD = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def render(markdown: str) -> str:
    """The HTML, without the invisible word joiners that keep addresses from linking."""
    return MD.render(markdown).replace(JOINER, "")


def _html_text(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _one_line(text: str) -> str:
    return text.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")


@pytest.mark.parametrize("title", HOSTILE)
def test_a_hostile_title_renders_as_one_paragraph_of_its_own_characters(title: str) -> None:
    assert render(plain(title)) == f"<p>{_html_text(_one_line(title))}</p>\n"


@pytest.mark.parametrize("title", HOSTILE)
def test_a_hostile_title_in_a_heading_stays_one_heading_of_its_own_characters(title: str) -> None:
    assert render("# " + plain(title)) == f"<h1>{_html_text(_one_line(title))}</h1>\n"


@pytest.mark.parametrize("title", HOSTILE)
def test_a_hostile_title_in_a_table_cell_keeps_the_row_and_its_cells(title: str) -> None:
    table = f"| # | Item |\n|---|---|\n| 1 | {plain(title)} |\n| 2 | next |\n"
    html = render(table)
    assert html.count("<tr>") == 3 and html.count("<td>") == 4
    assert f"<td>{_html_text(_one_line(title))}</td>" in html


def test_addresses_icons_and_directives_are_broken_by_an_invisible_joiner() -> None:
    # Streamlit links bare addresses and draws emoji, icons and coloured text after parsing,
    # on the text itself (seen in Chromium): a joiner stops each, a backslash would not.
    shown = plain("www.evil.example a@b.example http://evil.example :material/x: :red[y]")
    for pattern in ("www.", "a@", "http://", ":material", ":red"):
        assert pattern not in shown, pattern
    assert shown.replace(JOINER, "") == (
        "www.evil.example a@b.example http://evil.example :material/x: :red\\[y\\]"
    )


def test_prose_punctuation_is_left_as_typed() -> None:
    sentence = "The username 'member' is taken (try another): #12, 3-4 weeks."
    assert plain(sentence) == sentence


def test_an_image_in_a_summary_becomes_a_link_to_it_and_loads_nothing() -> None:
    summary = (
        "See **this**: ![diagram](http://evil.example/p.png) and ![ref][r]\n\n"
        "[r]: http://evil.example/q.png\n\n"
        "A literal \\![not an image](x)."
    )
    html = MD.render(safe_markdown(summary))
    assert "<img" not in html
    assert '<a href="http://evil.example/p.png">image: diagram</a>' in html
    assert '<a href="http://evil.example/q.png">image: ref</a>' in html
    assert "<strong>this</strong>" in html, "the summary keeps its formatting"
    assert '!<a href="x">not an image</a>' in html, "an escaped ! stays text before a link"


def test_script_links_in_a_summary_go_nowhere() -> None:
    summary = "[a](javascript:alert(1)) [b][r] <javascript:alert(2)>\n\n[r]: javascript:alert(3)\n"
    html = MD.render(safe_markdown(summary))
    assert "javascript:" not in html.replace("&lt;javascript:alert(2)&gt;", "")
    assert "<a " not in html or 'href="#blocked-' in html


def test_a_stored_link_with_a_parenthesis_cannot_smuggle_an_image() -> None:
    stored = "http://x.example/a)![i](http://evil.example/p.png)"
    html = MD.render(f"[label]({link_target(stored)})")
    assert "<img" not in html
    assert html.count("<a ") == 1
    assert link_target("javascript:alert(1)") == "#blocked"
    assert link_target("https://en.wikipedia.org/wiki/A_(b)") == (
        "https://en.wikipedia.org/wiki/A_%28b%29"
    )


@pytest.mark.parametrize("text", ["#5 Stabilise real-time collaboration", "-2+3", "1.5 weeks"])
def test_a_sign_that_starts_no_block_stays_unescaped(text: str) -> None:
    """Only a marker CommonMark reads as a block is escaped: "#5 ..." is no heading (it needs a
    space), so an item's label keeps no backslash (a widget's aria-label shows it raw)."""
    assert plain(text) == text
