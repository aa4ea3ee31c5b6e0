from roadmap.ui.guard import page_setup

actor = page_setup("period")

import streamlit as st

from roadmap.domain.enums import Privacy, SignalForm, VoiceMode
from roadmap.services import periods, sequence
from roadmap.ui import glossary_view, sequence_view, session
from roadmap.ui.actions import Report, write_button
from roadmap.ui.period_picker import pick_period
from roadmap.ui.text import plain

ctx = session.context()
# The current period by default; a period being prepared (say, the next half while this
# one takes signals) is chosen here.
period = periods.get_period(ctx, pick_period(ctx, key="period-settings"))
settings = period.settings
st.title(f"Planning period {plain(settings.name)}")
st.caption(
    f"Status: {settings.status.label}. Here you change the period's settings; to open "
    "signalling or to close the period, go to the [Planning periods](/periods) page."
)
glossary_view.words_used_here(["Voice", "Envelope", "Reserve", "Floor", "Cap", "Pledge"])
sequence_view.draw(sequence.period_sequence(ctx, settings.key))
with st.form(f"period-{settings.key}-{period.version}"):  # its own fields per period
    forms = st.multiselect(
        "Signal forms members may use",
        [f.value for f in SignalForm],
        default=[f.value for f in settings.signal_forms],
        format_func=lambda f: SignalForm(f).label,
    )
    budget = st.number_input("Points budget", min_value=1, value=settings.points_budget)
    privacy = st.radio(
        "Individual signals",
        [p.value for p in Privacy],
        index=[p.value for p in Privacy].index(settings.privacy.value),
        format_func=lambda p: (
            "visible to everyone signed in" if p == "attributed" else "private (totals only)"
        ),
    )
    cols = st.columns(2)
    opens = cols[0].date_input("Signalling opens", value=settings.signal_window_start)
    closes = cols[1].date_input("Signalling closes", value=settings.signal_window_end)
    rate = st.number_input(
        "Person-weeks per currency unit (money pledges)",
        min_value=0.0,
        format="%.6f",
        value=settings.weeks_per_currency,
    )
    st.subheader("Voice and envelope")
    voice = st.radio(
        "Voice",
        [v.value for v in VoiceMode],
        index=[v.value for v in VoiceMode].index(settings.envelope.voice.value),
        format_func=lambda v: VoiceMode(v).label,
        horizontal=True,
    )
    alpha = st.slider("Blend: share of equal voice", 0.0, 1.0, settings.envelope.blend_alpha)
    reserve = st.number_input(
        "Reserve (person-weeks)", min_value=0.0, value=float(settings.envelope.reserve_weeks)
    )
    st.subheader("Delivery")
    report_every = st.number_input(
        "Progress reports every N weeks",
        min_value=1,
        max_value=52,
        value=settings.report_every_weeks,
        help="How often funded work reports progress; a later report shows as overdue "
        "to the executive, and staff see when their next report is due.",
    )
    st.caption(f"Funded work reports progress every {report_every} weeks.")

    st.subheader("Plan review")
    review_days = st.number_input(
        "Objection window (days): a new plan version is proposed for this many days, "
        "representatives may object, then the executive finalizes it (0: final at once)",
        min_value=0,
        max_value=60,
        value=settings.review_days,
    )
    st.subheader("Unspent effort")
    unspent = st.radio(
        "Effort this period leaves unallocated, when the next period is started from it",
        list(sequence_view.POLICY_LABELS),
        index=list(sequence_view.POLICY_LABELS).index(settings.unspent_policy.value),
        format_func=sequence_view.POLICY_LABELS.__getitem__,
        help="What its final plan leaves unallocated, and its reserve: the app records no "
        "use of the reserve, so all of it counts as unspent and follows the same policy.",
    )

    def save(report: Report) -> None:
        periods.update_period(
            ctx,
            actor,
            settings.key,
            {
                "review_days": review_days,
                "signal_forms": forms,
                "points_budget": budget,
                "privacy": privacy,
                "signal_window_start": opens,
                "signal_window_end": closes,
                "weeks_per_currency": rate,
                "report_every_weeks": report_every,
                "unspent_policy": unspent,
                "envelope": {"voice": voice, "blend_alpha": alpha, "reserve_weeks": reserve},
            },
            period.version,
        )
        report.success("Saved.")

    write_button("Save", "save-period", save, submit=True, type="primary")
