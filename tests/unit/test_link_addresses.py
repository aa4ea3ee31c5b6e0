"""An item's link is an http(s) address without white space, and with parentheses only in
pairs in its path: anything else is refused with a sentence naming the link address."""

from __future__ import annotations

from typing import Any

import pytest

from roadmap.domain.errors import ValidationError
from roadmap.domain.items import ItemFields
from roadmap.domain.validation import parse

ITEM: dict[str, Any] = {
    "title": "Notebook diffing",
    "subcommunity": "jupyterlab",
    "effort_low": 1,
    "effort_high": 2,
}


def _links(url: str) -> ItemFields:
    return parse(ItemFields, {**ITEM, "links": [{"kind": "issue", "url": url}]})


@pytest.mark.parametrize(
    ("url", "sentence"),
    [
        (
            "http://x.example/a)![i](http://evil.example/p.png)",
            "The link address may contain parentheses only in pairs, in its path.",
        ),
        (
            "https://x.example/?q=(1)",
            "The link address may contain parentheses only in pairs, in its path.",
        ),
        ("https://x.example/a b", "The link address must not contain spaces or line breaks."),
        (
            "https://x.example/a\n![i](http://evil.example/p.png)",
            "The link address must not contain spaces or line breaks.",
        ),
        ("javascript:alert(1)", "The link address must start with http:// or https://."),
        ("https://", "The link address must name a host after http:// or https://."),
        (
            'https://x.example/"><b>x</b>',
            'The link address must not contain control characters, <, >, ", \\ or `.',
        ),
    ],
)
def test_a_link_that_could_break_out_of_markdown_is_refused_with_a_sentence(
    url: str, sentence: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        _links(url)
    assert refused.value.fields == {"links": sentence}


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/jupyterlab/jupyterlab/issues/1",
        "https://en.wikipedia.org/wiki/Diff_(software)",
        "HTTP://X.EXAMPLE/path?q=1#frag",
    ],
)
def test_ordinary_web_addresses_are_accepted(url: str) -> None:
    assert _links(url).links[0].url == url


def test_a_clicked_point_s_first_custom_datum_is_read_from_a_list_or_an_object() -> None:
    from roadmap.ui.item_links import first_customdata

    assert first_customdata([32, 8.0]) == 32
    assert first_customdata({"0": 32, "1": 8}) == 32  # plotly's typed arrays arrive so
    assert first_customdata([]) is None
    assert first_customdata(None) is None
