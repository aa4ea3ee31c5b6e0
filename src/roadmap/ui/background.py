"""Long use cases run in a thread of their own, one at a time per person, so that the page
stays usable while they run and a second click starts nothing.

A page script is stopped whenever the person touches a widget (Streamlit reruns it); work
done inside it would be lost half way, and a click during it would start the work again.
Here the work runs in a background thread that no rerun stops. Each run of the page draws
its progress (:func:`follow`) until it is done, then shows its answer once.

The work never calls Streamlit (it has no session there): it reports its stages with
:meth:`Job.stage` and its answer in a :class:`~roadmap.ui.actions.Report`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import streamlit as st

from roadmap.ui import incidents
from roadmap.ui.actions import Report
from roadmap.ui.feedback import draw
from roadmap.ui.text import plain

POLL_SECONDS = 0.25


@dataclass
class Job:
    """One background run: its stages so far (sentences), its answer, and whether it is done."""

    owner: str
    what: str
    steps: int
    stages: list[str] = field(default_factory=list)
    report: Report = field(default_factory=Report)
    done: threading.Event = field(default_factory=threading.Event)
    started: float = field(default_factory=time.perf_counter)
    finished: float | None = None
    applied: bool = False  # the page has taken its result into the session
    result: object = None

    def stage(self, sentence: str) -> None:
        """Record that the work has reached a new stage (called from the work's thread)."""
        self.stages.append(sentence)

    @property
    def running(self) -> bool:
        return not self.done.is_set()

    @property
    def fraction(self) -> float:
        return min(len(self.stages) / self.steps, 1.0) if self.steps else 0.0

    @property
    def seconds(self) -> float:
        return (self.finished or time.perf_counter()) - self.started


_JOBS: dict[str, Job] = {}
_LOCK = threading.Lock()


def current(owner: str) -> Job | None:
    """The owner's latest job (running or finished), if any."""
    with _LOCK:
        return _JOBS.get(owner)


def start(owner: str, what: str, steps: int, work: Callable[[Job], object]) -> Job | None:
    """Start ``work(job)`` in a thread for ``owner`` (``steps``: how many stages it will
    report); None when one of the owner's jobs is still running (nothing is started)."""
    with _LOCK:
        before = _JOBS.get(owner)
        if before is not None and before.running:
            return None
        job = _JOBS[owner] = Job(owner, what, steps)
    threading.Thread(
        target=_run, args=(job, work), name=f"roadmap-{what}-{owner}", daemon=True
    ).start()
    return job


def _run(job: Job, work: Callable[[Job], object]) -> None:
    try:
        with job.report.attempt():
            job.result = work(job)
    except Exception as exc:  # a thread's error has no page to go to: say it, log it
        job.report.lines.append(("error", incidents.sentence(incidents.record(exc, job.what))))
    finally:
        job.finished = time.perf_counter()
        job.done.set()


def follow(job: Job, place: object, label: str) -> None:
    """Draw ``job``'s progress in ``place`` (an ``st.empty()``) until it is done. A touch of
    any widget stops this run while it draws, not the job: the next run follows it again."""
    while not job.done.wait(POLL_SECONDS):
        with place.container():  # type: ignore[attr-defined]
            st.progress(job.fraction, text=f"{label} ({job.seconds:.0f} s so far)")
            for sentence in job.stages:
                st.caption(plain(sentence))


def show_answer(job: Job, place: object) -> None:
    """The finished job's stages (folded away) and its answer's sentences, in ``place`` (a
    container)."""
    with place:  # type: ignore[attr-defined]
        with st.expander(f"Ran in {job.seconds:.1f} s: each stage", expanded=False):
            for sentence in job.stages:
                st.caption(plain(sentence))
        draw(job.report.lines)
