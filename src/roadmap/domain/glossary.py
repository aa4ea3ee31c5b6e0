"""The short glossary of the words the planning pages use: one source of truth.

The pages' "Words used here" expanders (``roadmap.ui.glossary_view``) read ``ENTRIES``; the
section "Words on the plan pages" of ``docs/glossary.md`` is ``markdown()`` verbatim, and a
unit test keeps the two equal (the app serves no docs folder, so the text lives here).
"""

from __future__ import annotations

ENTRIES: dict[str, str] = {
    "Voice": (
        "How much say each member organization has in a period's allocation, as a share of "
        "the whole: the shares sum to 100 %. Equal voice gives each the same; by contribution "
        "follows the annual commitment; a blend mixes the two."
    ),
    "Envelope": (
        "The settings the executive puts around an allocation: the reserve, the rule, the "
        "voice, and caps and floors per theme or sub-community."
    ),
    "Reserve": (
        "Person-weeks of the staff's capacity kept out of the member allocation; what is "
        "left is the shared budget."
    ),
    "Shared budget": (
        "The staff's capacity (with any effort carried in from an earlier period) less the "
        "reserve: what the organizations' voices share out."
    ),
    "Floor": (
        "The least effort a theme or sub-community should get if its items allow. Floor "
        "items are funded first, from the shared budget, and no one organization pays."
    ),
    "Cap": (
        "The most effort a theme or sub-community may get: an item is passed over when "
        "funding it would exceed a cap."
    ),
    "Pledge": (
        "Effort an organization earmarks for one item. It pays that item first, on top of "
        "the shared budget; a pledge above the item's cost, or to an item not funded, is "
        "not spent."
    ),
    "Equal Shares": (
        "The default rule (the Method of Equal Shares). Each organization starts with its "
        "voice's share of the shared budget; round by round, the item whose supporters can "
        "pay for it at the lowest price per person-week each is funded, and they pay."
    ),
    "Completion": (
        "Equal Shares can leave part of the budget unspent. The completion raises every "
        "organization's share step by step while the outcome still fits the budget, then "
        "funds what is left by support per person-week (greedy fill)."
    ),
    "Effective support": (
        "The support an item still has when the rule stops: what its supporters could still "
        "pay toward it together, measured against its cost (equalshares.net's term). Below "
        "its cost, the rule does not fund it."
    ),
    "Left unallocated": (
        "Shared budget and pledges that no stage spent: no affordable item was left."
    ),
    "Skill gap": (
        "Funded person-weeks of a skill no staff member is free for: a hiring or training "
        "need. It is part of the funded effort, not an extra cost."
    ),
}

HEADING = "## Words on the plan pages"


def markdown() -> str:
    """The section of ``docs/glossary.md`` these entries make, heading included."""
    lines = [
        HEADING,
        "",
        'The short entries every page that uses these words shows under "Words used here" '
        "(the plan, scenarios, planning period, periods, signals and member organizations "
        "pages; kept in `roadmap.domain.glossary`, and this section is generated from it).",
        "",
    ]
    for term, text in ENTRIES.items():
        lines += [f"**{term}.** {text}", ""]
    return "\n".join(lines)
