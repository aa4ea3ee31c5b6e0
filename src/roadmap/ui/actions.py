"""Write buttons that act once per click, and answers that outlive the run that wrote.

Streamlit may run a page's body more than once for one click. With fast reruns (the
default) a newer request from the browser stops the running script at its next Streamlit
call and starts another run at once, beside it; a stopped run does not reset the session's
button triggers, and the runs share the session. A save could then be executed twice (the
second time over a version the first had just written, or after the first was refused),
and a run stopped right after its write never showed that the write happened.

So every write button here carries a serial number in its key. The first run that sees a
click claims its serial, under a lock, before it writes; any other run for the same click
finds the serial taken, or draws the next serial's button, which nobody has clicked. What
the use case answered (the success, or the sentence of its refusal) is kept in the session
with the inputs it answers, and whichever run draws the page next shows it, waiting for a
write still in progress, until the person changes those inputs or leaves the page.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from roadmap.domain.errors import RoadmapError, ValidationError
from roadmap.ui.feedback import Line, draw, refusal
from roadmap.ui.text import plain

_STATE = "_roadmap_actions"
_LOCK = threading.Lock()
# How long a run waits for another run's write to finish before drawing the page without
# its answer (the write is then reported on the next run).
WAIT_SECONDS = 30.0


@dataclass
class Report:
    """What one click's use case answered, as sentences; written without drawing anything,
    so the run cannot be stopped between the write and its record."""

    lines: list[Line] = field(default_factory=list)
    # A refused form's sentences by field, and the one sentence over them (see field_error).
    fields: dict[str, str] = field(default_factory=dict)
    summary: str = ""

    def success(self, text: str) -> None:
        self.lines.append(("success", text))

    def info(self, text: str) -> None:
        self.lines.append(("info", text))

    @property
    def refused(self) -> bool:
        return any(kind in ("warning", "error") for kind, _ in self.lines)

    @contextmanager
    def attempt(self) -> Iterator[None]:
        """Run one use case: a typed error becomes its sentence (a conflict names what the
        other person changed), never a traceback; other attempts of the same click go on."""
        try:
            yield
        except RoadmapError as exc:
            self.lines.extend(refusal(exc))
            if isinstance(exc, ValidationError):
                self.fields.update(exc.fields)
                self.summary = exc.summary


@dataclass
class _Answer:
    inputs: str
    report: Report | None = None  # None while the write is running
    done: threading.Event = field(default_factory=threading.Event)


@dataclass
class _PageState:
    page: str = ""
    serials: dict[str, int] = field(default_factory=dict)
    answers: dict[str, _Answer] = field(default_factory=dict)
    forms: dict[str, int] = field(default_factory=dict)


def _state() -> _PageState:
    state = st.session_state.get(_STATE)
    if not isinstance(state, _PageState):
        state = _PageState()
        st.session_state[_STATE] = state
    return state


def enter_page(page: str) -> None:
    """Forget the answers of another page, so coming back does not show them again."""
    state = _state()
    if state.page != page:
        with _LOCK:
            state.page = page
            state.answers = {k: a for k, a in state.answers.items() if a.report is None}


def claim(serials: dict[str, int], key: str, serial: int) -> bool:
    """Take ``serial`` of the button ``key`` for this run; False if another run has."""
    with _LOCK:
        if serials.get(key, 0) != serial:
            return False
        serials[key] = serial + 1
        return True


def clicked_once(label: str, key: str, *, submit: bool = False, **button: Any) -> bool:
    """A button (``submit``: a form's submit button) that is True in one run per click.

    The button a click used up is replaced, in the same place and run, by the next
    serial's, so that clicking again at once is a new click and not an ignored one."""
    serials = _state().serials  # read before the click: a session-state access may stop the run
    serial = serials.get(key, 0)
    slot = st.empty()
    draw = slot.form_submit_button if submit else slot.button
    if not draw(label, key=f"{key}#{serial}", **button):
        return False
    claimed = claim(serials, key, serial)
    draw(label, key=f"{key}#{serials.get(key, 0)}", **button)
    return claimed


def form_key(name: str) -> str:
    """The key for the form ``name``: a new one after each write that succeeded through it
    (``write_button(..., clears=name)``), so its fields start empty again, while a refused
    write leaves them as they were typed (``clear_on_submit`` would lose them)."""
    return f"{name}#{_state().forms.get(name, 0)}"


def clear_form(name: str) -> None:
    """Give the form ``name`` a new key (empty fields) from the next run on."""
    forms = _state().forms
    forms[name] = forms.get(name, 0) + 1


def fingerprint(inputs: Any) -> str:
    return json.dumps(inputs, sort_keys=True, default=repr)


def write_button(
    label: str,
    key: str,
    do: Callable[[Report], object],
    *,
    inputs: Any = None,
    submit: bool = False,
    clears: str | None = None,
    then: Callable[[Report], object] | None = None,
    inline_errors: bool = False,
    **button: Any,
) -> None:
    """Draw a write button; on its click run ``do(report)`` once, whatever reruns follow.

    ``inputs`` is what the person entered for this write: its answer stays on the page
    while they are unchanged. ``submit`` draws a form's submit button; ``clears`` names the
    form (see :func:`form_key`) to empty after a write that succeeded, and ``then`` runs
    after such a write (say, to note something in the session); either starts a fresh run.
    ``inline_errors``: the form draws each field's error under its field
    (:func:`field_error`), so a refusal that names fields starts a fresh run to draw them
    there, and the button shows only the summary sentence.
    """
    answers = _state().answers
    now = fingerprint(inputs)
    if clicked_once(label, key, submit=submit, **button):
        mine = answers[key] = _Answer(now)
        report = Report()
        try:
            with report.attempt():
                do(report)
        finally:
            # No Streamlit call between the write and this record: the run cannot be
            # stopped in between, so the answer is never lost.
            mine.report = report
            mine.done.set()
        if inline_errors and (report.refused or (clears is None and then is None)):
            # The fields above this button are drawn again, with their errors (or, after a
            # success, without the errors of the try before).
            st.rerun()
        if not report.refused and (clears is not None or then is not None):
            if clears is not None:
                clear_form(clears)
            if then is not None:
                then(report)
            st.rerun()
    answer = answers.get(key)
    if answer is None:
        return
    if answer.report is None:
        answer.done.wait(WAIT_SECONDS)  # another run is writing for this click
    if answer.inputs != now:
        if answer.report is not None:
            answers.pop(key, None)
        return
    if answer.report is not None:
        if inline_errors and answer.report.fields:
            draw([("error", answer.report.summary)])
        else:
            draw(answer.report.lines)


def field_error(key: str, name: str, where: Any = None) -> None:
    """Under a form's field ``name``: its error from the last refusal of the write button
    ``key`` (drawn with ``inline_errors=True``), if any; in ``where`` (a column, say) when
    the field is drawn there."""
    answer = _state().answers.get(key)
    if answer is None or answer.report is None:
        return
    text = answer.report.fields.get(name)
    if text:
        (where or st).error(plain(text))
