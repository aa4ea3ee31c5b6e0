"""The set-up pages: the checklist, sub-communities/themes/skills, planning periods, and
role grants scoped by choosing a sub-community or organization by name."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from streamlit.testing.v1 import AppTest

from roadmap.domain.access import Actor
from roadmap.services import catalog, period_setup
from roadmap.services.context import default_context

ROOT = Path(__file__).resolve().parents[2]


def page(name: str) -> AppTest:
    return AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=30)


def by_label(widgets, label: str, n: int = 0):  # type: ignore[no-untyped-def]
    return [w for w in widgets if w.label == label][n]


def texts(at: AppTest) -> str:
    return " ".join(str(m.value) for m in [*at.markdown, *at.caption])


def test_the_checklist_on_the_demo_has_every_step_done(
    as_user: Callable[[str | None], Actor],
) -> None:
    as_user("admin")
    at = page("setup").run()
    assert not at.exception
    assert "5 of 5 steps done" in str(at.get("progress")[0].proto.text)
    assert texts(at).count(":green[done]") == 5


def test_a_sub_community_is_created_on_its_page_and_a_duplicate_is_refused(
    as_user: Callable[[str | None], Actor],
) -> None:
    as_user("admin")
    at = page("catalog").run()
    by_label(at.text_input, "Name").input("Jupyter Notebook Tools")
    by_label(at.text_input, "Short name").input("nb-tools")
    by_label(at.button, "Create sub-community").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["Created the sub-community Jupyter Notebook Tools."]
    assert "nb-tools" in [s.slug for s in catalog.list_subcommunities(default_context())]

    by_label(at.text_input, "Name").input("jupyter notebook tools")
    by_label(at.text_input, "Short name").input("nb-tools-2")
    by_label(at.button, "Create sub-community").click().run()
    assert [e.value for e in at.error] == [  # under the name, then at the button
        "There is already a sub-community named 'jupyter notebook tools'.",
        "Nothing was saved: the name needs fixing.",
    ]


def test_archiving_a_sub_community_with_open_items_is_refused_in_a_sentence(
    as_user: Callable[[str | None], Actor],
) -> None:
    as_user("admin")
    at = page("catalog").run()
    by_label(at.selectbox, "Sub-community", 1).select("jupyter-frontends").run()
    by_label(at.button, "Archive").click().run()
    assert not at.exception
    (error,) = [e.value for e in at.error]
    assert error.startswith("Jupyter Frontends has ") and "Nothing was archived." in error


def test_an_overlapping_period_is_refused_and_a_free_one_is_created(
    as_user: Callable[[str | None], Actor],
) -> None:
    as_user("exec")
    at = page("periods").run()
    by_label(at.text_input, "Key").input("2027-Q2")
    by_label(at.text_input, "Name").input("2027, second quarter")
    by_label(at.date_input, "First day").set_value(date(2027, 4, 1))
    by_label(at.date_input, "Last day").set_value(date(2027, 6, 30))
    by_label(at.button, "Create period").click().run()
    assert not at.exception
    overlap, summary = [e.value for e in at.error]  # under the first day, then at the button
    assert "overlaps 2027-04-01 to 2027-06-30; periods may not overlap" in overlap
    assert summary == "Nothing was saved: the first day needs fixing."

    by_label(at.text_input, "Key").input("2031-H1")
    by_label(at.date_input, "First day").set_value(date(2031, 1, 1))
    by_label(at.date_input, "Last day").set_value(date(2031, 6, 30))
    by_label(at.button, "Create period").click().run()
    assert at.success[0].value.startswith("Created 2027, second quarter, in draft.")
    keys = [p.key for p in period_setup.list_periods(default_context())]
    assert "2031-H1" in keys and "2027-Q2" not in keys


def test_a_lead_grant_chooses_its_sub_community_by_name(
    as_user: Callable[[str | None], Actor],
) -> None:
    as_user("admin")
    at = page("admin_users").run()
    by_label(at.selectbox, "Role").select("lead").run()
    assert "Jupyter Frontends" in by_label(at.selectbox, "Sub-community").options
    by_label(at.selectbox, "Role").select("representative").run()
    assert by_label(at.selectbox, "Organization").options


def test_a_new_staff_member_is_in_the_table_as_soon_as_it_is_saved(
    as_user: Callable[[str | None], Actor],
) -> None:
    as_user("admin")
    at = page("staff_admin").run()
    by_label(at.text_input, "Short name").input("newhire")
    by_label(at.text_input, "Name").input("New Hire")
    by_label(at.number_input, "Capacity in the period (person-weeks)").set_value(12.0)
    by_label(at.button, "Save").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["Saved."]
    assert "newhire" in list(at.dataframe[0].value["Short name"])


def test_a_new_period_with_every_field_wrong_names_each_under_its_field_at_once(
    as_user: Callable[[str | None], Actor],
) -> None:
    """A key and a name already taken and dates overlapping the demo's period: one try
    names all three, each under its own field, with a summary; nothing is written."""
    ctx = default_context()
    existing = period_setup.list_periods(ctx)[0]
    before = period_setup.list_periods(ctx)
    as_user("exec")
    at = page("periods").run()
    by_label(at.text_input, "Key").input(existing.key)
    by_label(at.text_input, "Name").input(existing.name.upper())
    by_label(at.date_input, "First day").set_value(existing.start)
    by_label(at.date_input, "Last day").set_value(existing.end)
    by_label(at.button, "Create period").click().run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert errors == [
        f"There is already a period {existing.key!r}.",
        f"There is already a period named {existing.name.upper()!r}.",
        errors[2],
        "Nothing was saved: 3 fields need fixing (period key, name and first day).",
    ]
    assert "periods may not overlap" in errors[2]
    assert period_setup.list_periods(ctx) == before
    # What was typed stays, for the person to correct.
    assert by_label(at.text_input, "Key").value == existing.key
