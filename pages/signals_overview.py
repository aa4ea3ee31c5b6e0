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

voice = pd.DataFrame(
    [{"Organization": board.names.get(k, k), "Share of voice": v} for k, v in board.voice.items()]
)
left, right = st.columns(2)
left.plotly_chart(figures.voice_bars(voice), width="stretch")
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
    st.plotly_chart(figures.signal_heatmap(cells), width="stretch")
    st.dataframe(cells, hide_index=True, width="stretch")
    if board.attributed and len(board.signals) > 1:
        names = [board.names.get(s.organization, s.organization) for s in board.signals]
        sets = [s.items() for s in board.signals]
        matrix = pd.DataFrame(
            [[agreement(a, b) for b in sets] for a in sets], index=names, columns=names
        )
        st.plotly_chart(figures.agreement_heatmap(matrix), width="stretch")
        st.dataframe(matrix.round(2), width="stretch")

st.download_button(
    "Download signals as CSV", signals.signals_csv(ctx, actor), "signals.csv", mime="text/csv"
)
