"""Forms that help (issue 15, item 5): every field's error at once, pickers offering only the
items their action applies to and starting empty, plain words and readable times on the
history and audit pages, grant scopes picked by name, changing and resetting passwords."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select
from streamlit.testing.v1 import AppTest

from roadmap.domain.access import Actor
from roadmap.domain.enums import ItemStatus, Role
from roadmap.domain.items import TRANSITIONS
from roadmap.services import accounts, governance, item_reads, items, sessions
from roadmap.services.context import default_context
from roadmap.store.engine import reading, transaction
from roadmap.store.tables import ItemRow, NotificationRow, UserRow

ROOT = Path(__file__).resolve().parents[2]
# A stored enum value with its underscore (in_comment, out_of_scope, ...), or an ISO time.
RAW_ENUM = re.compile(
    r"\b(" + "|".join(s.value for s in ItemStatus if "_" in s.value) + r"|pull_request)\b"
)
ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def page(name: str) -> AppTest:
    return AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=30)


def by_label(widgets, label: str):  # type: ignore[no-untyped-def]
    return next(w for w in widgets if w.label == label)


def item_count() -> int:
    with reading(default_context().engine) as session:
        return int(session.scalar(select(func.count()).select_from(ItemRow)) or 0)


def rendered_text(at: AppTest) -> str:
    """Everything a person reads on the page: text elements and every table cell."""
    parts: list[str] = []
    for kind in ("markdown", "caption", "info", "success", "warning", "error", "title"):
        parts += [str(e.value) for e in getattr(at, kind)]
    for frame in at.dataframe:
        parts.append(frame.value.to_string())
    return "\n".join(parts)


def test_a_form_with_two_bad_fields_shows_both_errors_and_a_summary(
    as_user: Callable[[str | None], Actor],
) -> None:
    as_user("lead")
    at = page("my_items").run()
    before = item_count()
    by_label(at.text_input, "Title").input("ab")
    by_label(at.number_input, "Effort, low (person-weeks)").set_value(5.0)
    by_label(at.number_input, "Effort, high (person-weeks)").set_value(2.0)
    by_label(at.button, "Save draft").click().run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert "The title must have at least 3 characters." in errors
    assert "The effort estimate (high) must be at least the effort estimate (low)." in errors
    assert "Nothing was saved: 2 fields need fixing (title and effort estimate (high))." in errors
    assert item_count() == before


def test_the_submit_withdraw_picker_offers_only_movable_items_and_starts_empty(
    as_user: Callable[[str | None], Actor],
) -> None:
    lead = as_user("lead")
    ctx = default_context()
    own = [
        i
        for i in item_reads.headings(ctx, lead)
        if lead.has(Role.LEAD, i.subcommunity)  # type: ignore[attr-defined]
    ]
    stuck = {
        i.id for i in own if not {ItemStatus.PROPOSED, ItemStatus.WITHDRAWN} & TRANSITIONS[i.status]
    }
    assert stuck, "the demo gives the lead done or withdrawn items"
    at = page("my_items").run()
    picker = next(s for s in at.selectbox if s.label == "Item")
    assert picker.value is None
    assert picker.options, "some item can be submitted or withdrawn"
    offered = {int(o.split()[0].lstrip("#")) for o in picker.options}
    assert not offered & stuck
    assert not [b for b in at.button if b.label in ("Submit for review", "Withdraw")]


def test_the_decide_and_progress_pickers_start_empty(
    as_user: Callable[[str | None], Actor],
) -> None:
    as_user("exec")
    at = page("review").run()
    decide = next(s for s in at.selectbox if s.key == "decide-item")
    assert decide.value is None
    assert next(s for s in at.selectbox if s.key == "theme-item").value is None


@pytest.fixture
def no_new_notifications() -> Iterator[None]:
    """The events a test causes tell people in their inbox; the pages of later tests (the
    menu's "Inbox (1)") must not see them, so they are removed afterwards."""
    engine = default_context().engine
    with reading(engine) as session:
        newest = session.scalar(select(func.max(NotificationRow.id))) or 0
    yield
    with transaction(engine) as session:
        session.execute(delete(NotificationRow).where(NotificationRow.id > newest))


@pytest.mark.usefixtures("no_new_notifications")
def test_history_and_audit_show_no_raw_enum_value_or_iso_time(
    as_user: Callable[[str | None], Actor],
) -> None:
    ctx = default_context()
    lead, executive = as_user("lead"), as_user("exec")
    member = as_user("member")
    created = items.create_item(
        ctx,
        lead,
        {
            "title": "History reads as words",
            "subcommunity": sorted(lead.scopes(Role.LEAD))[0],
            "effort_low": 1,
            "effort_high": 2,
            "links": [{"kind": "pull_request", "url": "https://example.org/pr/1"}],
        },
    )
    items.change_status(ctx, lead, created.id, ItemStatus.PROPOSED)
    governance.open_comment_period(ctx, executive, created.id, ctx.now() + timedelta(days=9))
    governance.add_comment(ctx, member, created.id, "Looks useful.")
    governance.close_comment_period(ctx, executive, created.id)

    as_user(None)
    at = page("item")
    at.query_params["id"] = str(created.id)
    at.run()
    assert not at.exception
    text = rendered_text(at)
    assert "Status: proposed → in comment" in text
    assert f"Commented on item #{created.id}" in text
    assert not RAW_ENUM.search(text), RAW_ENUM.search(text)
    assert not ISO_TIME.search(text), ISO_TIME.search(text)
    assert "{" not in text.split("History", 1)[-1]

    as_user("admin")
    at = page("audit").run()
    assert not at.exception
    text = rendered_text(at)
    assert "Comment period closes:" in text
    assert not RAW_ENUM.search(text), RAW_ENUM.search(text)
    assert not ISO_TIME.search(text), ISO_TIME.search(text)
    frame = at.dataframe[0].value
    assert f"/item?id={created.id}" in set(frame["Item"])


def test_grant_scopes_are_picked_by_name_from_a_list(
    as_user: Callable[[str | None], Actor],
) -> None:
    as_user("admin")
    at = page("admin_users").run()
    by_label(at.selectbox, "Role").set_value("lead").run()
    scope = by_label(at.selectbox, "Sub-community")
    assert scope.value is None
    names = set(scope.options)
    assert "Jupyter Book" in names or any(" " in n for n in names), names
    assert not any(re.fullmatch(r"[a-z0-9-]+", n) and "-" in n for n in names), names
    roles = by_label(at.selectbox, "Role").options
    assert "sub-community lead" in roles and "lead" not in roles


def _new_account(username: str, password: str) -> Actor:
    ctx = default_context()
    accounts.create_user(ctx, Actor.system(), username, username.title(), password)
    actor = sessions.authenticate(ctx, username, password)
    assert actor is not None
    return actor


def _password_hash(username: str) -> str:
    with reading(default_context().engine) as session:
        row = session.scalar(select(UserRow).where(UserRow.username == username))
        assert row is not None
        return row.password_hash


def test_my_account_changes_the_password_and_a_wrong_current_one_is_refused(
    as_user: Callable[[str | None], Actor],
) -> None:
    _new_account("pwchanger", "first-pass-1")
    as_user("pwchanger")
    at = page("account").run()
    before = _password_hash("pwchanger")
    by_label(at.text_input, "Current password").input("not-it-at-all")
    by_label(at.text_input, "New password (at least 8 characters)").input("second-pass-2")
    by_label(at.text_input, "New password, again").input("second-pass-2")
    by_label(at.button, "Change password").click().run()
    assert not at.exception
    assert "The current password is not right." in [e.value for e in at.error]
    assert _password_hash("pwchanger") == before
    by_label(at.text_input, "Current password").input("first-pass-1")
    by_label(at.button, "Change password").click().run()
    assert not at.exception
    assert any("Your password is changed." in s.value for s in at.success)
    assert sessions.authenticate(default_context(), "pwchanger", "second-pass-2") is not None


def test_after_an_admin_reset_every_page_asks_for_a_new_password_first(
    as_user: Callable[[str | None], Actor],
) -> None:
    _new_account("pwreset", "first-pass-1")
    as_user("admin")
    at = page("admin_users").run()
    by_label(at.selectbox, "Account  ").set_value("pwreset")
    by_label(at.text_input, "New password to hand over (at least 8 characters)").input(
        "handed-over-1"
    )
    by_label(at.button, "Reset password").click().run()
    assert not at.exception
    assert any("Reset the password of pwreset" in s.value for s in at.success)

    as_user("pwreset")
    at = page("roadmap").run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Choose your own password"]
    assert not at.dataframe, "the roadmap is not drawn until the password is changed"
    by_label(at.text_input, "The password you were given").input("handed-over-1")
    by_label(at.text_input, "New password (at least 8 characters)").input("all-mine-3")
    by_label(at.text_input, "New password, again").input("all-mine-3")
    by_label(at.button, "Change password").click().run()
    assert not at.exception

    as_user("pwreset")  # the next request reads the account afresh
    at = page("roadmap").run()
    assert "Choose your own password" not in [t.value for t in at.title]
    assert sessions.authenticate(default_context(), "pwreset", "all-mine-3") is not None


def _errors_then_summary(at: AppTest, sentences: list[str], fields: str) -> None:
    """The page shows each field's sentence (under its field) and then one summary."""
    errors = [e.value for e in at.error]
    assert errors[-1].startswith(f"Nothing was saved: {fields}"), errors
    for sentence in sentences:
        assert sentence in errors[:-1], (sentence, errors)


def test_a_new_account_with_three_bad_fields_names_all_three_under_them(
    as_user: Callable[[str | None], Actor],
) -> None:
    as_user("admin")
    at = page("admin_users").run()
    by_label(at.text_input, "Username").input("Not A Name")
    by_label(at.text_input, "Initial password").input("short")
    by_label(at.button, "Create account").click().run()
    assert not at.exception
    _errors_then_summary(
        at,
        [
            "The username must be 2 to 40 lower-case letters, digits, dots, dashes or underscores.",
            "The password must have at least 8 characters.",
        ],
        "3 fields need fixing (username, display name and password)",
    )
    assert by_label(at.text_input, "Username").value == "Not A Name"
    with reading(default_context().engine) as session:
        assert session.scalar(select(UserRow).where(UserRow.username == "not a name")) is None


def test_a_new_sub_community_with_no_name_and_a_bad_short_name_names_both(
    as_user: Callable[[str | None], Actor],
) -> None:
    as_user("admin")
    at = page("catalog").run()
    by_label(at.text_input, "Short name").input("Bad Slug")
    by_label(at.button, "Create sub-community").click().run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert errors[-1] == "Nothing was saved: 2 fields need fixing (short name and name).", errors
    assert errors[0] == "The name cannot be empty."
    assert errors[1].startswith("The short name must be lower-case letters")


def test_a_new_organization_with_no_short_name_and_no_name_names_both(
    as_user: Callable[[str | None], Actor],
) -> None:
    as_user("admin")
    at = page("organizations").run()
    by_label(at.button, "Register organization").click().run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert errors[-1].startswith("Nothing was saved: 2 fields need fixing (short name and"), errors
    assert len(errors) == 3


def test_a_new_staff_member_with_no_name_an_unknown_account_and_payer_names_all_three(
    as_user: Callable[[str | None], Actor],
) -> None:
    """A field pydantic refuses and two that name nothing in the database: one answer."""
    as_user("admin")
    at = page("staff_admin").run()
    by_label(at.text_input, "Short name").input("newperson")
    by_label(at.text_input, "Account (username, optional)").input("nobody-here")
    by_label(at.text_input, "Paid by (organization short name, optional)").input("no-such-org")
    by_label(at.button, "Save").click().run()
    assert not at.exception
    _errors_then_summary(
        at,
        [
            "The name cannot be empty.",
            "There is no account 'nobody-here'.",
            "There is no organization 'no-such-org'.",
        ],
        "3 fields need fixing",
    )


@pytest.mark.usefixtures("no_new_notifications")
def test_the_item_history_says_each_status_change_once_and_who_by_display_name(
    as_user: Callable[[str | None], Actor],
) -> None:
    """To the public, a status change reads "Status: proposed → in comment" (not "Status:
    Status: ..."), and who made it by the person's display name, as comments name people,
    not by the account's username."""
    ctx = default_context()
    lead, executive = as_user("lead"), as_user("exec")
    assert executive.display_name and executive.display_name != executive.username
    created = items.create_item(
        ctx,
        lead,
        {
            "title": "History names people",
            "subcommunity": sorted(lead.scopes(Role.LEAD))[0],
            "effort_low": 1,
            "effort_high": 2,
        },
    )
    items.change_status(ctx, lead, created.id, ItemStatus.PROPOSED)
    governance.open_comment_period(ctx, executive, created.id, ctx.now() + timedelta(days=9))

    as_user(None)
    at = page("item")
    at.query_params["id"] = str(created.id)
    at.run()
    assert not at.exception
    history = at.dataframe[-1].value
    opened = history[history["Why"] == "comment period opened"].iloc[0]
    assert opened["What happened"] == "Status: proposed → in comment"
    assert opened["Who"] == executive.display_name
    assert set(history["Who"]) == {lead.display_name, executive.display_name}
    assert not any("Status: Status" in s for s in history["What happened"])
