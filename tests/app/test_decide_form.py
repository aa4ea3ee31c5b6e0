"""Scope review › Decide and Themes: the boxes belong to the picked item, so a text typed for
one item is never recorded for another; a reversal and an amendment need a reason; filing
under a theme starts at the item's theme; the item page shows the decision history."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select
from streamlit.testing.v1 import AppTest
from support import dump

from roadmap.domain.access import Actor
from roadmap.services.context import default_context
from roadmap.store.engine import reading
from roadmap.store.tables import ItemRow, ScopeDecisionRow

ROOT = Path(__file__).resolve().parents[2]
RATIONALE = "Rationale (shown publicly)"


def page(name: str) -> AppTest:
    return AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=30)


def by_label(widgets, label: str):  # type: ignore[no-untyped-def]
    return next(w for w in widgets if w.label == label)


def in_scope(count: int, themed: bool | None = None) -> list[int]:
    query = select(ItemRow.id).where(ItemRow.status == "in_scope").order_by(ItemRow.id)
    if themed is not None:
        query = query.where(ItemRow.theme_id.is_not(None) if themed else ItemRow.theme_id.is_(None))
    with reading(default_context().engine) as session:
        found = list(session.scalars(query))
    assert len(found) >= count
    return found[:count]


def entries(item_id: int) -> list[tuple[str, str, str | None]]:
    with reading(default_context().engine) as session:
        rows = session.scalars(
            select(ScopeDecisionRow)
            .where(ScopeDecisionRow.item_id == item_id)
            .order_by(ScopeDecisionRow.id)
        )
        return [(r.outcome, r.rationale, r.reason) for r in rows]


def test_a_rationale_typed_for_one_item_is_not_left_in_the_box_nor_recorded_for_another(
    as_user: Callable[[str | None], Actor],
) -> None:
    as_user("exec")
    a, b = in_scope(2)
    before_a = entries(a)
    at = page("review").run()
    at.selectbox(key="decide-item").set_value(a).run()
    # Sent once for A (refused: a reversal needs a reason), the text is kept in A's box ...
    by_label(at.text_area, RATIONALE).input("Typed for item A, which must stay with A.")
    by_label(at.button, "Reverse decision").click().run()
    assert by_label(at.text_area, RATIONALE).value == "Typed for item A, which must stay with A."
    # ... and B's box is another, empty one.
    at.selectbox(key="decide-item").set_value(b).run()
    assert not at.exception
    assert by_label(at.text_area, RATIONALE).value == ""
    # The picked item's summary, status and comment count come before the box.
    assert any(f"/item?id={b}" in m.value and "in scope" in m.value for m in at.markdown)
    assert any("comment" in m.value and f"/item?id={b}" in m.value for m in at.markdown)

    by_label(at.text_area, RATIONALE).input("Upstream work now covers this item.")
    by_label(at.text_input, "Reason for reversing (kept in the decision history)").input(
        "Upstream shipped it."
    )
    by_label(at.radio, "Decision").set_value("deferred")
    by_label(at.button, "Reverse decision").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == [f"Decision recorded for #{b}."]
    assert entries(b)[-1] == (
        "deferred",
        "Upstream work now covers this item.",
        "Upstream shipped it.",
    )
    assert entries(a) == before_a
    # Recorded, the form starts empty for the next decision.
    assert by_label(at.text_area, RATIONALE).value == ""


def test_a_reversal_without_a_reason_is_refused_with_a_sentence_and_writes_nothing(
    as_user: Callable[[str | None], Actor],
) -> None:
    as_user("exec")
    (item,) = in_scope(1)
    before = entries(item)
    at = page("review").run()
    at.selectbox(key="decide-item").set_value(item).run()
    by_label(at.text_area, RATIONALE).input("Out of scope after the board's review.")
    by_label(at.radio, "Decision").set_value("out_of_scope")
    by_label(at.button, "Reverse decision").click().run()
    assert [e.value for e in at.error] == [
        "Reversing a decision needs a reason: say why it changes (the item's history keeps it)."
    ]
    assert entries(item) == before
    at.run()
    assert by_label(at.text_area, RATIONALE).value == "Out of scope after the board's review."


def test_an_amendment_without_a_reason_is_refused_with_a_sentence_and_writes_nothing(
    as_user: Callable[[str | None], Actor],
) -> None:
    as_user("exec")
    item = in_scope(2)[1]
    before = dump(default_context().engine)
    at = page("review").run()
    at.selectbox(key="decide-item").set_value(item).run()
    by_label(at.text_area, "Amended rationale (shown publicly)").input("A corrected rationale.")
    by_label(at.button, "Amend rationale").click().run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == [
        "Amending a decision needs a reason: say why it changes (the item's history keeps it)."
    ]
    assert not at.success
    assert dump(default_context().engine) == before  # no decision, no audit entry
    # What was typed stays in the box, for the reason to be added.
    at.run()
    assert by_label(at.text_area, "Amended rationale (shown publicly)").value == (
        "A corrected rationale."
    )


def test_an_amendment_keeps_the_original_and_the_item_page_shows_the_history(
    as_user: Callable[[str | None], Actor],
) -> None:
    as_user("exec")
    item = in_scope(3)[2]
    (first_outcome, original, _), *_ = entries(item)
    at = page("review").run()
    at.selectbox(key="decide-item").set_value(item).run()
    box = by_label(at.text_area, "Amended rationale (shown publicly)")
    assert box.value == original
    box.input("A corrected rationale, with the right numbers.")
    by_label(at.button, "Amend rationale").click().run()
    assert [e.value for e in at.error] == [
        "Amending a decision needs a reason: say why it changes (the item's history keeps it)."
    ]
    assert len(entries(item)) == 1
    by_label(at.text_input, "Reason for the amendment (kept in the decision history)").input(
        "The numbers were wrong."
    )
    by_label(at.button, "Amend rationale").click().run()
    assert [s.value for s in at.success] == [f"Rationale amended for #{item}."]
    assert entries(item) == [
        (first_outcome, original, None),
        (
            first_outcome,
            "A corrected rationale, with the right numbers.",
            "The numbers were wrong.",
        ),
    ]

    as_user(None)  # the public reads the history
    shown = page("item")
    shown.query_params["id"] = str(item)
    shown.run()
    assert not shown.exception
    texts = [m.value for m in shown.markdown]
    # The executive named as the item page names people: by display name.
    assert any("rationale amended by Beatriz Salgueiro" in t for t in texts), texts
    assert any("A corrected rationale" in t for t in texts)
    assert any(original.split("\n")[0][:40] in t for t in texts), "the original text is kept"
    assert "Reason: The numbers were wrong." in texts
    assert any(e.label.startswith("Decision history (2 entries") for e in shown.expander)


def test_a_planned_item_shows_why_it_cannot_be_reversed_and_offers_no_reversal(
    as_user: Callable[[str | None], Actor],
) -> None:
    as_user("exec")
    with reading(default_context().engine) as session:
        planned = session.scalar(select(ItemRow.id).where(ItemRow.status == "planned"))
    assert planned is not None
    at = page("review").run()
    at.selectbox(key="decide-item").set_value(planned).run()
    assert not at.exception
    assert any(i.value.startswith(f"Item #{planned} is planned: ") for i in at.info)
    assert not [b for b in at.button if b.label in ("Reverse decision", "Record decision")]


def test_filing_under_a_theme_starts_at_the_items_theme_and_keeps_it(
    as_user: Callable[[str | None], Actor],
) -> None:
    as_user("exec")
    (themed,) = in_scope(1, themed=True)
    with reading(default_context().engine) as session:
        row = session.get(ItemRow, themed)
        assert row is not None and row.theme is not None
        slug = row.theme.slug
    at = page("review").run()
    at.selectbox(key="theme-item").set_value(themed).run()
    assert at.selectbox(key=f"theme-{themed}").value == slug
    by_label(at.button, "File").click().run()
    assert not at.exception
    with reading(default_context().engine) as session:
        row = session.get(ItemRow, themed)
        assert row is not None and row.theme is not None and row.theme.slug == slug
