"""What the representative's signals page shows besides its widgets: the period's line
(name, signalling window, privacy), the answer to starting from the earlier period's signal,
and the organization's signal history as a table."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from roadmap.domain.enums import Privacy
from roadmap.domain.periods import PlanningPeriod
from roadmap.services.signals import CopiedSignal, SignalView
from roadmap.ui.actions import Report
from roadmap.ui.dates import day, when
from roadmap.ui.feedback import draw
from roadmap.ui.text import plain


def period_caption(period: PlanningPeriod) -> str:
    """The period's name, when signals are taken, and who sees them."""
    window = (
        f"from {day(period.signal_window_start)} to {day(period.signal_window_end)}"
        if period.signal_window_start and period.signal_window_end
        else "while the period is open"
    )
    seen = (
        "visible to every signed-in person"
        if period.privacy == Privacy.ATTRIBUTED
        else "private: others see only totals"
    )
    return f"{plain(period.name)} · signalling {window} · signals are {seen}"


def history_table(history: list[SignalView]) -> pd.DataFrame:
    """Every signal the organization saved in the period, newest first; when each was saved
    in the viewer's time zone, the zone stated (``roadmap.ui.dates``)."""
    return pd.DataFrame(
        [
            {
                "Saved": when(h.submitted_at) if h.submitted_at else "",
                "By": h.submitted_by or "",
                "Approved": ", ".join(f"#{i}" for i in h.approvals),
                "Points": ", ".join(f"#{i}: {p}" for i, p in h.points.items()),
                "Ranking": " > ".join(f"#{i}" for i in h.ranking),
                "Pledges": ", ".join(f"#{i}: {w:g} pw" for i, w, _ in h.pledges),
            }
            for h in history
        ]
    )


def copied_report(report: Report, copied: CopiedSignal) -> None:
    """What starting from the earlier period's signal answers: saved, and what was left out."""
    report.success(
        f"Saved our {copied.source} signal as our signal for this period. Change it below and "
        "save again if you like; the latest signal counts."
    )
    for sentence in copied.dropped:
        report.info(sentence)


_COPIED = "_roadmap_signal_copied"  # what copying the earlier signal answered, until shown


def remember_copied(report: Report) -> None:
    """After a copy: keep its answer for the next run, which draws the copied signal, and
    forget the pledge rows drawn before it, so that they start from the copied pledges."""
    st.session_state[_COPIED] = report.lines
    forget_pledge_rows()


def show_copied() -> None:
    """Draw the copy's answer once, on the run after the copy."""
    lines = st.session_state.pop(_COPIED, None)
    if lines:
        draw(lines)


def forget_pledge_rows() -> None:
    """Forget the pledge rows the form drew before a signal was copied into it, so that
    they start from the copied pledges."""
    for key in list(st.session_state):
        if isinstance(key, str) and (key == "pledge_rows" or key.startswith("pl-")):
            del st.session_state[key]
