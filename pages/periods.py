from roadmap.ui.guard import page_setup

actor = page_setup("periods")

from datetime import date

import pandas as pd
import streamlit as st

from roadmap.domain.enums import PeriodStatus
from roadmap.domain.errors import ValidationError
from roadmap.domain.periods import suggest_next
from roadmap.services import period_setup, sequence
from roadmap.services.period_setup import PeriodEntry
from roadmap.ui import glossary_view, session
from roadmap.ui.actions import Report, field_error, form_key, write_button
from roadmap.ui.text import plain

ctx = session.context()
st.title("Planning periods")
st.caption(
    "A period is the half-year (or any span) a plan is made for. Periods may not overlap, and "
    "one period at a time takes signals. Its signal forms, voice and envelope are set on the "
    "Planning period page."
)
glossary_view.words_used_here(["Voice", "Envelope", "Reserve", "Floor", "Cap"])
entries = period_setup.list_periods(ctx)
if entries:
    frame = pd.DataFrame(
        [
            {
                "Key": p.key,
                "Name": p.name,
                "Start": p.start,
                "End": p.end,
                "Status": "archived" if p.archived else p.status.value,
                "Signalling": (
                    f"{p.signal_window_start or ''} to {p.signal_window_end or 'open end'}"
                    if p.signal_window_start
                    else ""
                ),
                "Signals": p.signals,
                "Plan versions": p.plans,
                "Started from": p.source or "",
            }
            for p in entries
        ]
    )
    st.dataframe(frame, hide_index=True, width="stretch")
else:
    st.info("There is no planning period yet: create the first one below.")

new, manage = st.columns(2)
with new, st.form(form_key("new_period")):
    st.subheader("New period")
    last = max((p.end for p in entries if not p.archived), default=None)
    start_default = (
        date.fromordinal(last.toordinal() + 1) if last else date(ctx.now().year + 1, 1, 1)
    )
    half = "H1" if start_default.month < 7 else "H2"
    key = st.text_input(
        "Key",
        placeholder=f"{start_default.year}-{half}",
        help="Used in links and on the command line; it cannot change later.",
    )
    field_error("create-period", "key")
    name = st.text_input(
        "Name",
        placeholder=f"{start_default.year}, {'first' if half == 'H1' else 'second'} half",
    )
    field_error("create-period", "name")
    start = st.date_input("First day", value=start_default)
    field_error("create-period", "start")
    end = st.date_input(
        "Last day",
        value=date(start_default.year, 6, 30)
        if start_default.month < 7
        else date(start_default.year, 12, 31),
    )
    field_error("create-period", "end")

    def create(report: Report) -> None:
        if not (isinstance(start, date) and isinstance(end, date)):
            raise ValidationError("Choose the first and the last day.")
        made = period_setup.create_period(ctx, actor, key.strip(), name, start, end)
        report.success(
            f"Created {made.name}, in draft. Open signalling when the items are decided."
        )

    write_button(
        "Create period",
        "create-period",
        create,
        submit=True,
        clears="new_period",
        inline_errors=True,
        type="primary",
    )

by_key = {p.key: p for p in entries}
with manage:
    st.subheader("Edit, open, close, archive")
    chosen = st.selectbox(
        "Period",
        list(by_key),
        format_func=lambda k: by_key[k].name + (" (archived)" if by_key[k].archived else ""),
    )
    period = by_key.get(chosen) if chosen else None
    if period is not None and not period.archived:
        with st.form(f"edit-period-{period.key}-{period.version}"):
            new_name = st.text_input("Name", value=period.name)
            field_error("edit-period", "name")
            new_start = st.date_input("First day", value=period.start)
            field_error("edit-period", "start")
            new_end = st.date_input("Last day", value=period.end)
            field_error("edit-period", "end")

            def save(report: Report, current: PeriodEntry = period) -> None:
                if not (isinstance(new_start, date) and isinstance(new_end, date)):
                    raise ValidationError("Choose the first and the last day.")
                period_setup.edit_period(
                    ctx, actor, current.key, new_name, new_start, new_end, current.version
                )
                report.success("Saved.")

            write_button(
                "Save", "edit-period", save, inputs=period.key, submit=True, inline_errors=True
            )
        if period.status != PeriodStatus.SIGNALLING and period.status != PeriodStatus.CLOSED:
            closes = st.date_input(
                "Signalling closes (optional)", value=None, key=f"closes-{period.key}"
            )

            def open_it(report: Report, current: PeriodEntry = period) -> None:
                period_setup.open_signalling(
                    ctx, actor, current.key, closes if isinstance(closes, date) else None
                )
                report.success(f"Signalling for {current.name} is open.")

            write_button("Open signalling", "open-signalling", open_it, inputs=period.key)
        if period.status != PeriodStatus.CLOSED:

            def close_it(report: Report, current: PeriodEntry = period) -> None:
                period_setup.close_period(ctx, actor, current.key)
                report.success(f"{current.name} is closed.")

            write_button("Close period", "close-period", close_it, inputs=period.key)
        if period.status in (PeriodStatus.DRAFT, PeriodStatus.CLOSED):

            def archive_it(report: Report, current: PeriodEntry = period) -> None:
                period_setup.archive_period(ctx, actor, current.key)
                report.success(f"{current.name} is archived.")

            write_button("Archive period", "archive-period", archive_it, inputs=period.key)
    elif period is not None:

        def restore_it(report: Report, current: PeriodEntry = period) -> None:
            period_setup.restore_period(ctx, actor, current.key)
            report.success(f"{current.name} is restored.")

        write_button("Restore period", "restore-period", restore_it, inputs=period.key)

st.divider()
started = {p.source for p in entries if p.source}
sources = [p for p in entries if not p.archived and p.key not in started]
if entries and not sources:
    st.caption("Every period already has a next period started from it.")
elif sources:
    source = by_key[
        st.selectbox(
            "Start the next period from",
            [p.key for p in sources],
            format_func=lambda k: f"{by_key[k].name} ({k})",
        )
    ]
    hint = suggest_next(source.key, source.start, source.end)
    next_form = f"next_period_{source.key}"
    with st.form(form_key(next_form)):
        st.subheader(f"Start the next period from {plain(source.key)}")
        st.caption(
            "The new period starts in draft with this period's settings: envelope (rule, "
            "voice, reserve, caps and floors), signal forms, points budget, privacy, exchange "
            "rate, objection window, report interval and unspent-effort policy. Items planned "
            "or in progress and not done are candidates again, at what is left of them; the "
            "effort this period leaves unallocated, and its reserve, are returned to the new "
            "period's pool or lapse, as its policy says. A period is followed by one period "
            "at most."
        )
        next_key = st.text_input("Next period's key", value=hint.key, key=f"{next_form}-key")
        field_error("start-next-period", "key")
        next_name = st.text_input("Next period's name", value=hint.name, key=f"{next_form}-name")
        field_error("start-next-period", "name")
        next_start = st.date_input(
            "Next period's first day", value=hint.start, key=f"{next_form}-start"
        )
        field_error("start-next-period", "start")
        next_end = st.date_input("Next period's last day", value=hint.end, key=f"{next_form}-end")
        field_error("start-next-period", "end")

        def start_next(report: Report, current: PeriodEntry = source) -> None:
            if not (isinstance(next_start, date) and isinstance(next_end, date)):
                raise ValidationError("Choose the first and the last day.")
            made = period_setup.new_period_from(
                ctx, actor, current.key, next_key.strip(), next_name, next_start, next_end
            )
            report.success(f"Started {made.name} from {current.key}, in draft.")
            carried = sequence.period_sequence(ctx, made.key).unspent_sentence()
            if carried:
                report.info(carried)

        write_button(
            "Start the next period",
            "start-next-period",
            start_next,
            submit=True,
            clears=next_form,
            inline_errors=True,
            type="primary",
        )
