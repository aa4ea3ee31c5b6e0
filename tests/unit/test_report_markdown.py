"""The published plan's Markdown report shows every person's text literally: a CR or LF in a
title or a name never ends a table row, a pipe never adds a cell, and nothing becomes a
link, an image, a heading or HTML."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from markdown_it import MarkdownIt

from roadmap.domain.markdown import JOINER
from roadmap.domain.periods import Envelope
from roadmap.domain.plans import (
    AccountLine,
    FundedLine,
    PlanSnapshot,
    SolverOutcome,
    UnfundedLine,
)
from roadmap.services.publishing import PlanView
from roadmap.services.reports import plan_markdown

HOSTILE = [
    "[x](javascript:alert(1))",
    "![i](http://evil.example/p.png)",
    "# heading",
    "**bold**",
    "a\rb",
    "a\n# b",
    "a\r\n| c | d |",
    "<b>x</b>",
    "`code`",
    "a|b",
]
MD = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def _plan(text: str) -> PlanView:
    funded = [
        FundedLine(
            item=n,
            title=f"{text} {n}",
            subcommunity=text,
            theme=None,
            effort=1,
            stage="main",
            pledged=0,
            payments={"org": 1},
        )
        for n in (1, 2, 3)
    ]
    snapshot = PlanSnapshot(
        name=text,
        envelope=Envelope(),
        budget=10,
        reserve=0,
        spent=3,
        subperiods=["2027-01"],
        funded=funded,
        unfunded=[UnfundedLine(item=4, title=text, effort=20, reason=text)],
        accounts=[
            AccountLine(org="org", name=text, voice=1, paid=3, supported_effort=3, effort_share=1)
        ],
        assignments=[],
        coverage=[],
        gaps=[],
        solver=SolverOutcome(status="optimal", gap=None, message=None),
    )
    return PlanView(text, 1, text, datetime(2027, 1, 1, tzinfo=UTC), snapshot)


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_keeps_every_table_row_and_renders_no_markup(text: str) -> None:
    report = plan_markdown(_plan(text))
    html = MD.render(report).replace(JOINER, "")  # the joiners are invisible
    # Three tables: funded (header + 3 rows), not funded (header + 1), fairness (header + 1).
    assert html.count("<table>") == 3
    assert html.count("<tr>") == (1 + 3) + (1 + 1) + (1 + 1)
    assert html.count("<td>") == 3 * 6 + 4 + 3, "a pipe or a line break changed the cells"
    assert html.count("<h1>") == 1 and html.count("<h2>") == 4
    for tag in ("<a ", "<img", "<strong>", "<em>", "<code>", "<b>"):
        assert tag not in html, tag
    one_line = text.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")
    literal = one_line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert f"<td>{literal} 1</td>" in html


def test_no_bare_carriage_return_or_line_feed_is_left_inside_a_row() -> None:
    report = plan_markdown(_plan("a\rb"))
    assert "\r" not in report
    rows = [line for line in report.split("\n") if line.startswith("|")]
    assert len(rows) == (2 + 3) + (2 + 1) + (2 + 1)
