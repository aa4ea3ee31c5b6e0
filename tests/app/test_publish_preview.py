"""The publish preview on the Scenarios page says what becomes of the planned items a new
version does not fund: those the period's own final version planned return to in scope;
those another period's final plan funds stay planned under it (``publishing._make_final``);
work under way stays as it is."""

from __future__ import annotations

from typing import Any

from streamlit.testing.v1 import AppTest


def _preview(with_current: bool, removed: list[int], returning: list[int], kept: dict) -> None:  # type: ignore[type-arg]
    from types import SimpleNamespace

    from roadmap.domain.plans import PlanDiff
    from roadmap.services.publishing import Unfunded
    from roadmap.ui.plan_review_view import preview

    titles = {1: "Faster start-up", 2: "Menus", 3: "Offline", 4: "Themes"}
    current: Any = SimpleNamespace(version=1) if with_current else None
    diff = PlanDiff(added=[4], removed=removed) if with_current else None
    unfunded = Unfunded(returning, {int(k): v for k, v in kept.items()}, {3: "Offline"})
    preview(current, diff, {k: v for k, v in titles.items() if k != 3}, unfunded)


def _text(app: AppTest) -> str:
    return "\n".join(
        [m.value for m in app.markdown] + [i.value for i in app.info]  # type: ignore[misc]
    )


def test_the_preview_tells_items_returning_to_scope_from_those_another_plan_keeps() -> None:
    # #1 was planned by version 1 only; #3 is also funded by 2027-H1's final plan; #2 is
    # under way.
    app = AppTest.from_function(
        _preview, args=(True, [1, 2, 3], [1], {"3": "2027-H1"}), default_timeout=30
    ).run()
    assert not app.exception
    text = _text(app)
    assert "- Newly funded: #4 Themes" in text
    assert "- No longer funded: #1 Faster start-up, #2 Menus, #3 Offline" in text
    assert "they return to in scope: #1 Faster start-up" in text
    assert "they stay planned under 2027-H1's final plan: #3 Offline" in text
    assert "they stay as they are (work under way or done): #2 Menus" in text
    assert "they return to in scope: #1 Faster start-up, " not in text


def test_a_first_version_names_the_other_period_s_items_it_leaves_planned() -> None:
    app = AppTest.from_function(
        _preview, args=(False, [], [], {"3": "2027-H1"}), default_timeout=30
    ).run()
    assert not app.exception
    text = _text(app)
    assert "No version is final yet: publishing makes the first one." in text
    assert (
        "These planned items are not funded by this version but stay planned under "
        "2027-H1's final plan: #3 Offline" in text
    )
    assert "in scope" not in text


def test_a_first_version_with_nothing_planned_elsewhere_says_only_that_it_is_the_first() -> None:
    app = AppTest.from_function(_preview, args=(False, [], [], {}), default_timeout=30).run()
    assert not app.exception
    assert _text(app) == "No version is final yet: publishing makes the first one."


def test_a_first_version_says_in_a_sentence_which_planned_items_go_back_to_in_scope() -> None:
    app = AppTest.from_function(_preview, args=(False, [], [1], {}), default_timeout=30).run()
    assert not app.exception
    text = _text(app)
    assert (
        "These planned items are not funded by this version and go back to in scope: "
        "#1 Faster start-up" in text
    )
    assert "they return to in scope" not in text
