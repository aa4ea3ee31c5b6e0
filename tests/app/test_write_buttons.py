"""A write button acts once per click, and its answer outlives the run that wrote.

The load test caught Streamlit running a save's body a second time for one click, a second
or two later, in a new script runner, with the button's trigger still set: a lead was told
"Someone else saved this item" and the replayed click then saved it over the other lead's
edit. These tests deliver a click's trigger a second time (as Streamlit did) and check
that nothing is written twice, and that the answer stays on the page.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

from roadmap.ui import actions


def script() -> None:
    from pathlib import Path

    import streamlit as st

    from roadmap.domain.errors import ConflictError
    from roadmap.ui.actions import Report, write_button

    log = Path(st.session_state["log"])
    text = st.text_input("Title", key="title")

    def save(report: Report) -> None:
        with log.open("a") as out:
            out.write(text + "\n")
        if text == "refuse":
            raise ConflictError(
                "Someone else saved this item while you were editing it (changed: title).",
                {"title": ("a", "b")},
            )
        report.success(f"Saved {text}.")

    write_button("Save", "save", save, inputs=text)
    with st.form("form"):
        note = st.text_input("Note")

        def send(report: Report) -> None:
            with log.open("a") as out:
                out.write(f"form: {note}\n")
            raise ConflictError("Refused, as always.")

        write_button("Send", "send", send, submit=True)


def app(tmp_path: Path) -> tuple[AppTest, Path]:
    log = tmp_path / "writes.txt"
    log.touch()
    at = AppTest.from_function(script, default_timeout=30)
    at.session_state["log"] = str(log)
    return at.run(), log


def save_button(at: AppTest) -> Any:
    return next(b for b in at.button if b.label == "Save")


def writes(log: Path) -> list[str]:
    return log.read_text().splitlines()


def deliver_again(at: AppTest, clicked: Any) -> None:
    """Run once more with the trigger of an earlier click set again, beside the widgets the
    page shows now: what Streamlit's second run for one click saw."""
    states = at._tree.get_widget_states()
    states.widgets.append(clicked._widget_state)
    at._run(states)


def test_a_click_delivered_twice_writes_once_and_its_answer_stays(tmp_path: Path) -> None:
    at, log = app(tmp_path)
    at.text_input(key="title").input("first")
    clicked = save_button(at)
    clicked.click().run()
    assert writes(log) == ["first"]
    assert [s.value for s in at.success] == ["Saved first."]

    deliver_again(at, clicked)
    assert not at.exception
    assert writes(log) == ["first"], "the same click was acted on twice"
    assert [s.value for s in at.success] == ["Saved first."], "the answer was lost"

    save_button(at).click().run()  # a new click is a new write
    assert writes(log) == ["first", "first"]


def test_a_refused_click_delivered_again_does_not_write_and_keeps_its_sentence(
    tmp_path: Path,
) -> None:
    at, log = app(tmp_path)
    at.text_input(key="title").input("refuse")
    clicked = save_button(at)
    clicked.click().run()
    deliver_again(at, clicked)
    deliver_again(at, clicked)
    assert writes(log) == ["refuse"]
    assert [w.value for w in at.warning] == [
        "Someone else saved this item while you were editing it (changed: title)."
    ]
    assert [c.value for c in at.caption] == ["title: 'a' → 'b'"]


def test_the_answer_stays_while_its_inputs_do_and_goes_when_they_change(tmp_path: Path) -> None:
    at, _ = app(tmp_path)
    at.text_input(key="title").input("kept")
    save_button(at).click().run()
    at.run()
    assert [s.value for s in at.success] == ["Saved kept."]
    at.text_input(key="title").input("changed").run()
    assert not at.success
    at.text_input(key="title").input("kept").run()
    assert not at.success, "a forgotten answer came back"


def test_only_one_of_many_runs_claims_a_click() -> None:
    serials: dict[str, int] = {}
    start = threading.Barrier(16)
    won: list[bool] = []

    def run() -> None:
        start.wait()
        won.append(actions.claim(serials, "save", 0))

    threads = [threading.Thread(target=run) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(won) == [False] * 15 + [True]
    assert serials == {"save": 1}
    assert actions.claim(serials, "save", 1) is True


def test_a_run_waits_for_the_answer_of_a_write_another_run_is_making(tmp_path: Path) -> None:
    at, log = app(tmp_path)
    at.text_input(key="title").input("slow")
    at.run()
    state = at.session_state[actions._STATE]
    pending = actions._Answer(actions.fingerprint("slow"))
    state.answers["save"] = pending

    def finish() -> None:
        report = actions.Report()
        report.success("Saved slow.")
        pending.report = report
        pending.done.set()

    timer = threading.Timer(0.5, finish)
    timer.start()
    try:
        at.run()
    finally:
        timer.cancel()
    assert [s.value for s in at.success] == ["Saved slow."]
    assert writes(log) == []


def test_the_button_a_click_left_on_the_page_takes_the_next_click(tmp_path: Path) -> None:
    """The run that acts draws a used-up button; it starts a fresh run so that the page
    shows the next one, and clicking again at once is a second write, not a lost click."""
    at, log = app(tmp_path)
    at.text_input(key="title").input("again")
    for _ in range(3):
        save_button(at).click().run()
    assert writes(log) == ["again"] * 3
    for n in range(3):
        next(b for b in at.button if b.label == "Send").click().run()
        assert writes(log) == ["again"] * 3 + ["form: "] * (n + 1)
        assert [w.value for w in at.warning] == ["Refused, as always."]
