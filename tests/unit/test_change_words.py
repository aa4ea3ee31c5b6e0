"""History and audit read as "Field: A → B" in plain words, times in the viewer's zone."""

from __future__ import annotations

from datetime import UTC, datetime

from roadmap.ui.changes import change_lines, event_sentence
from roadmap.ui.dates import format_when, zone_named

BERLIN = zone_named("Europe/Berlin")


def test_a_status_change_reads_as_labels_with_an_arrow() -> None:
    assert change_lines({"status": "proposed"}, {"status": "in_comment"}, UTC) == [
        "Status: proposed → in comment"
    ]


def test_a_stored_iso_time_reads_in_the_viewers_zone_with_the_offset() -> None:
    lines = change_lines(None, {"closes_at": "2026-12-08T12:15:53.687506+00:00"}, BERLIN)
    assert lines == ["Comment period closes: 8 Dec 2026, 13:15 (UTC+01:00)"]


def test_the_internal_version_is_left_out_and_no_dict_text_remains() -> None:
    sentence = event_sentence(
        "update",
        "item",
        "4",
        {"effort_low": 1.0, "version": 2},
        {"effort_low": 2.5, "version": 3},
        UTC,
    )
    assert sentence == "Update: Effort (low): 1 → 2.5"
    assert "{" not in sentence and "version" not in sentence


def test_a_comment_is_a_sentence_naming_the_item() -> None:
    assert (
        event_sentence("comment", "item", "49", None, {"comment": 87}, UTC)
        == "Commented on item #49 (comment 87)"
    )


def test_role_grants_read_as_role_labels() -> None:
    sentence = event_sentence(
        "grant_role", "user", "ana", {"grants": []}, {"grants": [["representative", "acme"]]}, UTC
    )
    assert sentence == "Granted a role: Roles: — → organization representative (acme)"


def test_utc_is_stated_when_the_zone_is_utc_or_unknown() -> None:
    moment = datetime(2026, 12, 8, 12, 15, tzinfo=UTC)
    assert format_when(moment, UTC) == "8 Dec 2026, 12:15 UTC"
    assert format_when(moment, zone_named("Not/AZone")) == "8 Dec 2026, 12:15 UTC"
    assert format_when(moment, zone_named("Asia/Kolkata")) == "8 Dec 2026, 17:45 (UTC+05:30)"


def test_a_status_change_names_the_status_once() -> None:
    sentence = event_sentence(
        "status", "item", "46", {"status": "planned"}, {"status": "in_scope", "version": 2}, UTC
    )
    assert sentence == "Status: planned → in scope"
