"""A form refused for several reasons names every field at once, with one summary sentence
(a person should not fix the title, submit, and only then learn the effort is wrong)."""

from __future__ import annotations

from typing import Any

import pytest

from roadmap.domain.accounts import NewUser, PasswordChange, RoleGrant
from roadmap.domain.errors import ValidationError
from roadmap.domain.items import ItemFields
from roadmap.domain.organizations import Organization, Skill, SubCommunity, Theme
from roadmap.domain.periods import PlanningPeriod
from roadmap.domain.staff import StaffMember
from roadmap.domain.validation import parse

ORG = {
    "key": "acme",
    "name": "Acme",
    "kind": "company",
    "tier": "general",
    "annual_commitment": 5000,
    "term_start": "2027-01-01",
    "term_end": "2027-12-31",
}

CASES: list[tuple[Any, dict[str, Any], set[str]]] = [
    (
        ItemFields,
        {"title": "ab", "subcommunity": "jupyter-kernels", "effort_low": 5, "effort_high": 2},
        {"title", "effort_high"},
    ),
    (
        ItemFields,
        {"title": "", "subcommunity": "x", "kind": "wish", "effort_low": 0, "effort_high": 1},
        {"title", "kind", "effort_low"},
    ),
    (
        Organization,
        {**ORG, "name": "", "term_end": "2026-01-01", "basis": "exception"},
        {"name", "term_end", "exception_reason"},
    ),
    (
        Organization,
        {**ORG, "key": "Bad Key", "currency": "dollars", "annual_commitment": -1},
        {"key", "currency", "annual_commitment"},
    ),
    (SubCommunity, {"slug": "Jupyter Book", "name": ""}, {"slug", "name"}),
    (Theme, {"slug": "A B", "name": ""}, {"slug", "name"}),
    (Skill, {"slug": "Py Thon", "name": ""}, {"slug", "name"}),
    (
        StaffMember,
        {"key": "ana", "name": "", "capacity_weeks": -1, "skills": {"python": 7}},
        {"name", "capacity_weeks", "skills"},
    ),
    (
        PlanningPeriod,
        {"key": "x", "name": "", "start": "2027-07-01", "end": "2027-01-01"},
        {"key", "name", "end"},
    ),
    (
        NewUser,
        {"username": "A B", "display_name": "", "password": "short"},
        {"username", "display_name", "password"},
    ),
    (RoleGrant, {"role": "lead", "scope": None}, {"scope"}),
    (
        PasswordChange,
        {"current_password": "", "new_password": "short", "repeated": "other"},
        {"current_password", "new_password"},
    ),
]


@pytest.mark.parametrize(
    ("model", "data", "fields"), CASES, ids=lambda c: getattr(c, "__name__", "")
)
def test_every_failing_field_is_reported_in_one_try(
    model: Any, data: dict[str, Any], fields: set[str]
) -> None:
    with pytest.raises(ValidationError) as caught:
        parse(model, data)
    assert set(caught.value.fields) == fields
    for sentence in caught.value.fields.values():
        assert sentence in str(caught.value)


def test_the_summary_counts_and_names_the_fields_in_plain_words() -> None:
    with pytest.raises(ValidationError) as caught:
        parse(
            ItemFields,
            {"title": "ab", "subcommunity": "jupyter-kernels", "effort_low": 5, "effort_high": 2},
        )
    assert caught.value.summary == (
        "Nothing was saved: 2 fields need fixing (title and effort estimate (high))."
    )


def test_one_failing_field_is_named_by_the_summary() -> None:
    with pytest.raises(ValidationError) as caught:
        parse(SubCommunity, {"slug": "ok", "name": ""})
    assert caught.value.summary == "Nothing was saved: the name needs fixing."
    assert str(caught.value) == caught.value.fields["name"]


def test_a_check_across_fields_still_runs_when_another_field_failed() -> None:
    # Before: the effort check was a model check, skipped whenever the title failed.
    with pytest.raises(ValidationError) as caught:
        parse(ItemFields, {"title": "ab", "subcommunity": "s", "effort_low": 5, "effort_high": 2})
    assert caught.value.fields["effort_high"] == (
        "The effort estimate (high) must be at least the effort estimate (low)."
    )


def test_the_new_password_typed_twice_must_match() -> None:
    with pytest.raises(ValidationError) as caught:
        parse(
            PasswordChange,
            {"current_password": "old-pass", "new_password": "long-enough", "repeated": "x"},
        )
    assert caught.value.fields == {
        "repeated": "The new password, typed again, does not match.",
    }
