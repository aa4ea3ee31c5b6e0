"""A published plan as a Markdown report (for a governance forum post) and as CSV."""

from __future__ import annotations

import io

from roadmap.domain.markdown import plain
from roadmap.domain.privacy import PRIVATE
from roadmap.services import csv_export
from roadmap.services.publishing import PlanView


def _cell(text: object) -> str:
    """Text shown literally in the report, in a table cell or a sentence: no line breaks (a CR
    or LF would end the row), pipes, links, images, emphasis or HTML."""
    return plain(text)


def plan_markdown(plan: PlanView) -> str:
    snap = plan.snapshot
    lines = [
        f"# Staff plan {_cell(plan.period)}, version {plan.version}",
        "",
        f"Published {plan.published_at:%Y-%m-%d} by {_cell(plan.published_by)} "
        f"(scenario {_cell(snap.name)}, rule {snap.envelope.rule.value}, "
        f"voice {snap.envelope.voice.value}).",
        "",
        f"Capacity {snap.budget:g} person-weeks, reserve {snap.reserve:g}, funded {snap.spent:g}.",
        "",
        "## Funded items",
        "",
        "| # | Item | Sub-community | Effort | Funded by | Who paid |",
        "|---|---|---|---|---|---|",
    ]
    names = snap.names()
    for f in snap.funded:
        who = f.who_paid(names)
        counted = f"organizations paying: {f.paying_organizations()}"
        paid = f"{_cell(who)}; {counted}" if who else counted
        lines.append(
            f"| {f.item} | {_cell(f.title)} | {_cell(f.subcommunity)} | "
            f"{f.effort:g} | {f.stage} | {paid} |"
        )
    lines += ["", "## Not funded", "", "| # | Item | Effort | Why |", "|---|---|---|---|"]
    for u in snap.unfunded:
        lines.append(f"| {u.item} | {_cell(u.title)} | {u.effort:g} | {_cell(u.reason)} |")
    lines += [
        "",
        "## Fairness",
        "",
        "| Organization | Share of voice | Share of funded effort it asked for |",
        "|---|---|---|",
    ]
    for a in snap.accounts:
        share = PRIVATE if a.private else f"{a.effort_share:.1%}"
        lines.append(f"| {_cell(a.name)} | {a.voice:.1%} | {_cell(share)} |")
    lines += ["", "## Gaps (hiring or training needs)", ""]
    if snap.gaps:
        lines += ["| Skill | Month | Person-weeks |", "|---|---|---|"]
        lines += [
            f"| {_cell(g.skill)} | {snap.month(g.subperiod)} | {g.weeks:g} |" for g in snap.gaps
        ]
    else:
        lines.append("Every funded person-week is covered.")
    return "\n".join(lines) + "\n"


def plan_csv(plan: PlanView) -> str:
    """One row per assignment: who works on what, when, how much, and who paid for the item
    (``FundedLine.who_paid``)."""
    out = io.StringIO()
    writer = csv_export.writer(out)
    writer.writerow(
        [
            "period",
            "version",
            "item",
            "title",
            "staff",
            "name",
            "skill",
            "month",
            "weeks",
            "who_paid",
        ]
    )
    snap = plan.snapshot
    titles = snap.titles()
    names = snap.names()
    paid = {f.item: f.who_paid(names) for f in snap.funded}
    for a in snap.assignments:
        writer.writerow(
            [
                plan.period,
                plan.version,
                a.item,
                titles.get(a.item, ""),
                a.staff,
                a.name,
                a.skill,
                snap.month(a.subperiod),
                a.weeks,
                paid.get(a.item, ""),
            ]
        )
    return out.getvalue()
