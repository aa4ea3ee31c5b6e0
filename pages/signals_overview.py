from roadmap.ui.guard import page_setup

actor = page_setup("signals_overview")

import pandas as pd
import streamlit as st

from roadmap.domain.voice import agreement
from roadmap.services import signals
from roadmap.ui import figures, session

ctx = session.context()
board = signals.signal_board(ctx, actor)
st.title("Member signals")
st.caption(
    f"{board.period.settings.name} · "
    + (
        "who signalled what is visible"
        if board.attributed
        else "individual signals are private; totals only"
    )
)

# Charts of organizations show at most TOP of them (those with the most voice): beyond that
# a chart is unreadable and slow to draw; the tables and the CSV keep every organization.
TOP = 30
voice = pd.DataFrame(
    [{"Organization": board.names.get(k, k), "Share of voice": v} for k, v in board.voice.items()]
)
by_voice = sorted(board.voice, key=lambda k: (-board.voice[k], k))
top = set(by_voice[:TOP])
left, right = st.columns(2)
left.plotly_chart(figures.voice_bars(voice.nlargest(TOP, "Share of voice")), width="stretch")
if len(voice) > TOP:
    left.caption(f"The {TOP} organizations with the most voice, of {len(voice)}.")
right.dataframe(voice.style.format({"Share of voice": "{:.1%}"}), hide_index=True, width="stretch")

st.subheader("Totals per in-scope item")
totals = pd.DataFrame(
    [
        {
            "#": t.item_id,
            "Item": t.title,
            "Organizations in support": t.supporters,
            "Points": t.points,
            "Rank score": t.rank_score,
            "Pledged person-weeks": t.pledged_weeks,
        }
        for t in board.totals
    ]
)
st.dataframe(totals, hide_index=True, width="stretch")

if board.signals:
    st.subheader("Signals" if board.attributed else "Your organization's signals")
    rows = [
        {
            "Organization": board.names.get(s.organization, s.organization),
            "Item": f"#{item}",
            "Weight": s.points.get(item, 1),
        }
        for s in board.signals
        for item in sorted(s.items())
    ]
    cells = pd.DataFrame(rows)
    charted = [s for s in board.signals if s.organization in top] or board.signals[:TOP]
    shown = {board.names.get(s.organization, s.organization) for s in charted}
    st.plotly_chart(
        figures.signal_heatmap(cells[cells["Organization"].isin(shown)]), width="stretch"
    )
    if len(charted) < len(board.signals):
        st.caption(
            f"The chart shows the {len(charted)} organizations with the most voice; "
            "the table below has every signal."
        )
    st.dataframe(cells, hide_index=True, width="stretch")
    if board.attributed and len(charted) > 1:
        names = [board.names.get(s.organization, s.organization) for s in charted]
        sets = [s.items() for s in charted]
        matrix = pd.DataFrame(
            [[agreement(a, b) for b in sets] for a in sets], index=names, columns=names
        )
        st.plotly_chart(figures.agreement_heatmap(matrix), width="stretch")
        st.dataframe(matrix.round(2), width="stretch")

# The CSV is written when the button is pressed, not on every rerun.
st.download_button(
    "Download signals as CSV",
    lambda: signals.signals_csv(ctx, actor),
    "signals.csv",
    mime="text/csv",
)
