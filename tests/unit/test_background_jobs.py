"""Long use cases in a thread of their own (``roadmap.ui.background``): one at a time per
person, their stages recorded as they end, a refusal or an unexpected error kept as a
sentence (never lost with the thread)."""

from __future__ import annotations

import threading

from roadmap.domain.errors import ValidationError
from roadmap.ui import background


def test_a_second_start_while_the_first_runs_starts_nothing_and_the_first_finishes() -> None:
    release, calls = threading.Event(), []

    def work(job: background.Job) -> str:
        calls.append(job)
        job.stage("first stage")
        release.wait(10)
        job.stage("second stage")
        return "done"

    first = background.start("tester:a", "test", 2, work)
    assert first is not None
    assert first.running
    assert background.start("tester:a", "test", 2, work) is None  # a second click
    assert background.current("tester:a") is first
    other = background.start("someone-else:a", "test", 2, lambda job: "theirs")
    assert other is not None and other.done.wait(10)  # another person is not held up
    release.set()
    assert first.done.wait(10)
    assert len(calls) == 1 and first.result == "done"
    assert first.stages == ["first stage", "second stage"] and first.fraction == 1.0
    again = background.start("tester:a", "test", 2, lambda job: "again")
    assert again is not None and again is not first  # once finished, a new run may start


def test_a_refusal_is_a_sentence_and_an_unexpected_error_an_incident_sentence() -> None:
    def refused(job: background.Job) -> None:
        raise ValidationError("No item is in scope: there is nothing to fund.")

    def broken(job: background.Job) -> None:
        raise RuntimeError("a bug")

    one = background.start("tester:b", "test", 1, refused)
    assert one is not None and one.done.wait(10)
    assert one.report.lines == [("error", "No item is in scope: there is nothing to fund.")]
    two = background.start("tester:b", "test", 1, broken)
    assert two is not None and two.done.wait(10)
    ((kind, text),) = two.report.lines
    assert kind == "error" and text.startswith("Something went wrong on our side (incident ")
    assert "a bug" not in text
