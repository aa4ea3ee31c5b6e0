"""Invalid values raise a ValidationError whose sentence names the field in plain words."""

from __future__ import annotations

from typing import Any

import pytest

from roadmap.domain.accounts import NewUser, RoleGrant
from roadmap.domain.errors import ValidationError
from roadmap.domain.items import ItemFields, Link
from roadmap.domain.organizations import Organization, SubCommunity
from roadmap.domain.periods import GroupConstraint, PlanningPeriod
from roadmap.domain.staff import StaffMember
from roadmap.domain.validation import parse

ITEM = {
    "title": "Kernel subshells",
    "subcommunity": "jupyter-kernels",
    "effort_low": 2,
    "effort_high": 5,
}
ORG = {
    "key": "acme",
    "name": "Acme",
    "kind": "company",
    "tier": "general",
    "annual_commitment": 5000,
    "term_start": "2027-01-01",
    "term_end": "2027-12-31",
}


@pytest.mark.parametrize(
    ("model", "data", "field", "sentence"),
    [
        (
            ItemFields,
            {**ITEM, "title": "ab"},
            "title",
            "The title must have at least 3 characters.",
        ),
        (
            ItemFields,
            {**ITEM, "effort_low": 0},
            "effort_low",
            "The effort estimate (low) must be greater than 0.",
        ),
        (
            ItemFields,
            {**ITEM, "effort_high": 1},
            "effort_high",
            "The effort estimate (high) must be at least the effort estimate (low).",
        ),
        (ItemFields, {**ITEM, "kind": "wish"}, "kind", "The kind must be one of:"),
        (
            ItemFields,
            {k: v for k, v in ITEM.items() if k != "subcommunity"},
            "subcommunity",
            "The sub-community is required.",
        ),
        (
            ItemFields,
            {**ITEM, "effort_low": "lots"},
            "effort_low",
            "The effort estimate (low) must be a number.",
        ),
        (
            Link,
            {"url": "javascript:alert(1)"},
            "url",
            "The link address must start with http:// or https://.",
        ),
        (
            SubCommunity,
            {"slug": "Bad Slug", "name": "x"},
            "slug",
            "The short name must be lower-case",
        ),
        (
            Organization,
            {**ORG, "term_end": "2026-01-01"},
            "term_end",
            "The term end must come after the term start.",
        ),
        (
            Organization,
            {**ORG, "basis": "exception"},
            "exception_reason",
            "An exception needs a reason.",
        ),
        (
            Organization,
            {**ORG, "currency": "dollars"},
            "currency",
            "The currency is not in the expected format.",
        ),
        (
            PlanningPeriod,
            {"key": "2027-H1", "name": "H1", "start": "2027-07-01", "end": "2027-01-01"},
            "end",
            "The end date must come after the start date.",
        ),
        (
            GroupConstraint,
            {"group_kind": "theme", "group": "ux"},
            "__root__",
            "A constraint needs a cap, a floor or both.",
        ),
        (
            GroupConstraint,
            {"group_kind": "theme", "group": "ux", "cap_weeks": 2, "floor_weeks": 5},
            "__root__",
            "The floor must not exceed the cap.",
        ),
        (
            StaffMember,
            {"key": "ana", "name": "Ana", "capacity_weeks": 10, "skills": {"python": 7}},
            "skills",
            "Each skill level must be 1, 2 or 3.",
        ),
        (
            RoleGrant,
            {"role": "lead"},
            "scope",
            "A sub-community lead grant must name its sub-community.",
        ),
        (RoleGrant, {"role": "admin", "scope": "x"}, "scope", "An admin grant takes no scope."),
        (
            NewUser,
            {"username": "a b", "display_name": "A", "password": "longenough"},
            "username",
            "The username must be 2 to 40",
        ),
        (
            NewUser,
            {"username": "ab", "display_name": "A", "password": "short"},
            "password",
            "The password must have at least 8 characters.",
        ),
    ],
)
def test_invalid_value_is_refused_with_a_sentence_naming_the_field(
    model: Any, data: dict[str, Any], field: str, sentence: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        parse(model, data)
    assert field in caught.value.fields
    assert caught.value.fields[field].startswith(sentence)
    assert sentence in str(caught.value)


def test_valid_item_keeps_its_values_and_strips_whitespace() -> None:
    item = parse(ItemFields, {**ITEM, "title": "  Kernel subshells  "})
    assert item.title == "Kernel subshells"
    assert (item.effort_low, item.effort_high) == (2, 5)
