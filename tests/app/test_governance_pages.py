"""The governance pages act through the services and show errors as sentences."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from roadmap.domain.access import Actor
from roadmap.services.context import default_context
from roadmap.store.engine import reading
from roadmap.store.tables import ItemRow, ScopeDecisionRow

ROOT = Path(__file__).resolve().parents[2]


def page(name: str) -> AppTest:
    return AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=30)


def by_label(widgets, label: str):  # type: ignore[no-untyped-def]
    return next(w for w in widgets if w.label == label)


def item_count() -> int:
    with reading(default_context().engine) as session:
        return int(session.scalar(select(func.count()).select_from(ItemRow)) or 0)


def test_a_lead_sees_a_field_error_beside_the_field_and_nothing_is_saved(
    as_user: Callable[[str | None], Actor],
) -> None:
    as_user("lead")
    at = page("my_items").run()
    before = item_count()
    by_label(at.text_input, "Title").input("ab")
    by_label(at.button, "Save draft").click().run()
    assert not at.exception
    assert "The title must have at least 3 characters." in [e.value for e in at.error]
    assert item_count() == before
    by_label(at.text_input, "Title").input("Notebook diffing in JupyterLab")
    by_label(at.button, "Save draft").click().run()
    assert item_count() == before + 1
    assert not [e.value for e in at.error]
    # Saved, the form starts empty (after the error above it had kept the title).
    assert by_label(at.text_input, "Title").value == ""
    assert [s.value for s in at.success] == ["Saved the draft 'Notebook diffing in JupyterLab'."]


def test_the_item_page_shows_the_decision_and_its_rationale(
    as_user: Callable[[str | None], Actor],
) -> None:
    as_user(None)
    with reading(default_context().engine) as session:
        decision = session.scalars(select(ScopeDecisionRow)).first()
        assert decision is not None
        item_id, rationale = decision.item_id, decision.rationale
    at = page("item")
    at.query_params["id"] = str(item_id)
    at.run()
    assert not at.exception
    assert any(rationale in m.value for m in at.markdown)
    assert not at.text_area, "the public gets no comment box"


def test_an_unknown_item_id_reads_as_not_found(as_user: Callable[[str | None], Actor]) -> None:
    as_user("member")
    at = page("item")
    at.query_params["id"] = "99999"
    at.run()
    assert at.title[0].value == "Item not found"


def test_a_refused_comment_keeps_its_text_and_a_posted_one_empties_the_box(
    as_user: Callable[[str | None], Actor],
) -> None:
    from roadmap.services import governance
    from roadmap.store.tables import CommentRow

    executive = as_user("exec")
    with reading(default_context().engine) as session:
        item_id = session.scalar(
            select(ItemRow.id).where(ItemRow.status == "proposed").order_by(ItemRow.id.desc())
        )
    assert item_id is not None
    ctx = default_context()
    governance.open_comment_period(ctx, executive, item_id)

    def comments() -> list[str]:
        with reading(ctx.engine) as session:
            return list(
                session.scalars(select(CommentRow.body).where(CommentRow.item_id == item_id))
            )

    as_user("member")
    at = page("item")
    at.query_params["id"] = str(item_id)
    at.run()
    by_label(at.text_area, "Your comment").input("A first comment that gets posted.")
    by_label(at.button, "Post comment").click().run()
    assert not at.exception
    assert comments() == ["A first comment that gets posted."]
    assert by_label(at.text_area, "Your comment").value == ""

    text = "A long thought the member would hate to type again."
    by_label(at.text_area, "Your comment").input(text)
    governance.close_comment_period(ctx, executive, item_id)  # meanwhile, in another session
    by_label(at.button, "Post comment").click().run()
    assert [e.value for e in at.error] == [
        "Comments are closed: this item has no open comment period."
    ]
    assert comments() == ["A first comment that gets posted."]
    at.run()  # the page as the next rerun draws it
    assert by_label(at.text_area, "Your comment").value == text
    # Sending again sends the kept text (a form cleared on submit would send an empty box,
    # refused for being empty instead).
    by_label(at.button, "Post comment").click().run()
    assert [e.value for e in at.error] == [
        "Comments are closed: this item has no open comment period."
    ]


def test_a_scenario_whose_funding_moved_since_it_ran_is_not_published(
    as_user: Callable[[str | None], Actor],
) -> None:
    from roadmap.domain.enums import Role
    from roadmap.domain.signals import PledgeInput
    from roadmap.services import signals
    from roadmap.services.sessions import authenticate
    from roadmap.store.tables import PlanRow

    def plan_count() -> int:
        with reading(default_context().engine) as session:
            return int(session.scalar(select(func.count()).select_from(PlanRow)) or 0)

    as_user("exec")
    at = page("scenarios").run()
    by_label(at.radio, "Scenarios").set_value(1).run()
    by_label(at.button, "Run scenarios").click().run()
    assert not at.exception
    next(c for c in at.checkbox if c.label.startswith("I have reviewed")).check().run()
    publish = next(b for b in at.button if b.label.startswith("Publish"))
    ctx = default_context()
    rep = authenticate(ctx, "orgrep", "demo")
    assert rep is not None
    (org,) = rep.scopes(Role.REPRESENTATIVE)
    kept, _ = signals.my_signal(ctx, rep, org)
    assert kept is not None
    before = plan_count()
    # Meanwhile the organization moves its whole signal, with a pledge of its full effort,
    # to an item the reviewed scenario left unfunded.
    from roadmap.services import comparisons

    execu = authenticate(ctx, "exec", "demo")
    assert execu is not None
    latest = comparisons.comparisons(ctx, execu)[0]
    shown = comparisons.comparison(ctx, execu, latest.id)
    target = shown.scenarios[0].snapshot.unfunded[0]
    signals.save_signal(
        ctx, rep, org, [target.item], {}, [], [PledgeInput(target.item, target.effort)]
    )
    try:
        publish.click().run()
        assert not at.exception
        assert any("changed since you ran this scenario" in w.value for w in at.warning)
        assert plan_count() == before
    finally:
        pledges = [PledgeInput(i, w, 0.0, n) for i, w, n in kept.pledges]
        signals.save_signal(ctx, rep, org, kept.approvals, kept.points, kept.ranking, pledges)


def test_a_comparison_survives_a_reload_and_a_new_run_shows_itself(
    as_user: Callable[[str | None], Actor],
) -> None:
    as_user("exec")
    at = page("scenarios").run()
    by_label(at.radio, "Scenarios").set_value(1).run()
    by_label(at.text_input, "Name").input("Kept across reloads").run()
    by_label(at.button, "Run scenarios").click().run()
    assert not at.exception

    reloaded = page("scenarios").run()  # a new session: nothing in session state
    assert not reloaded.exception
    assert by_label(reloaded.selectbox, "Comparison (the newest kept first)").value is not None
    assert [t.label for t in reloaded.tabs] == ["Kept across reloads"]
    assert [b.label for b in reloaded.button if b.label.startswith("Publish")] == [
        "Publish Kept across reloads as the plan"
    ]

    by_label(reloaded.text_input, "Name").input("The newer one").run()
    # Two scenarios alike draw identical charts: each is keyed by its place, not its content.
    reloaded.selectbox(key="rule-1").set_value(reloaded.selectbox(key="rule-0").value).run()
    by_label(reloaded.button, "Run scenarios").click().run()
    assert not reloaded.exception
    assert [t.label for t in reloaded.tabs] == ["The newer one", "Scenario B"]


def test_a_refused_account_keeps_what_was_typed_and_a_created_one_empties_the_form(
    as_user: Callable[[str | None], Actor],
) -> None:
    as_user("admin")
    at = page("admin_users").run()
    by_label(at.text_input, "Username").input("member")  # taken by the demo
    by_label(at.text_input, "Display name").input("Someone New")
    by_label(at.text_input, "Initial password").input("a long enough password")
    by_label(at.button, "Create account").click().run()
    taken = ["The username 'member' is taken.", "Nothing was saved: the username needs fixing."]
    assert [e.value for e in at.error] == taken  # under the field, then at the button
    at.run()
    assert by_label(at.text_input, "Display name").value == "Someone New"
    # Sending again sends what was kept, not an emptied form (which a missing name refuses).
    by_label(at.button, "Create account").click().run()
    assert [e.value for e in at.error] == taken

    by_label(at.text_input, "Username").input("someone-new")
    by_label(at.button, "Create account").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["Created the account someone-new."]
    assert [by_label(at.text_input, f).value for f in ("Username", "Display name")] == ["", ""]


def test_an_item_opened_for_comment_leaves_the_queue_at_once_and_the_page_says_so(
    as_user: Callable[[str | None], Actor],
) -> None:
    as_user("exec")
    at = page("review").run()
    queue = [b for b in at.button if b.label == "Open for comment"]
    assert queue, "the demo has proposed items"
    before = len(queue)
    opened = queue[0].key.split("#")[0]  # open-<item id>
    queue[0].click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["Opened for comment."]
    left = [b for b in at.button if b.label == "Open for comment"]
    assert len(left) == before - 1 or before > 10, "the opened item is no longer in the queue"
    assert opened not in [b.key.split("#")[0] for b in left]
    item_id = int(opened.removeprefix("open-"))
    closes = [b for b in at.button if b.label == "Close now"]
    assert f"close-{item_id}" in [b.key.split("#")[0] for b in closes], "it is in comment now"
    next(b for b in closes if b.key.startswith(f"close-{item_id}#")).click().run()
    assert [s.value for s in at.success] == ["Closed."]
    assert f"close-{item_id}" not in [
        b.key.split("#")[0] for b in at.button if b.label == "Close now"
    ]


def test_run_scenarios_shows_each_stage_and_a_trigger_sent_again_runs_nothing_more(
    as_user: Callable[[str | None], Actor], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The run happens in a thread of its own (a rerun cannot stop it half way): once done,
    the page lists each scenario's stages (funding with its explanations, the staff) and
    the comparison kept; the click's trigger delivered again starts no second run."""
    from roadmap.services import scenarios

    calls: list[str] = []
    real = scenarios.compute

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[2])
        return real(*args, **kwargs)

    monkeypatch.setattr(scenarios, "compute", counted)
    as_user("exec")
    at = page("scenarios").run()
    by_label(at.radio, "Scenarios").set_value(1).run()
    by_label(at.text_input, "Name").input("Staged").run()
    by_label(at.button, "Run scenarios").click().run()
    assert not at.exception
    assert calls == ["Staged"]
    (ran,) = [e for e in at.expander if e.label.startswith("Ran in ")]
    stages = [c.value for c in ran.caption]
    assert any(s.startswith("Staged: ") and "items funded by" in s for s in stages), stages
    assert any(s.startswith("Staged: staff assigned in ") for s in stages), stages
    assert any(s.startswith("Comparison #") and s.endswith(" kept.") for s in stages), stages
    at.run()  # the same trigger again, as Streamlit resends it
    assert calls == ["Staged"]
    assert [t.label for t in at.tabs] == ["Staged"]
