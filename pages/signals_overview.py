from roadmap.ui.guard import page_setup

actor = page_setup("signals_overview")

import streamlit as st

from roadmap.services import signals
from roadmap.ui import figures, item_links, palette, session, signal_board_view
from roadmap.ui.signal_board_view import TOP
from roadmap.ui.text import plain

ctx = session.context()
board = signals.signal_board(ctx, actor)
st.title("Member signals")
st.caption(
    f"{plain(board.period.settings.name)} · "
    + (
        "who signalled what is visible"
        if board.attributed
        else "individual signals are private; totals only"
    )
)

voice = signal_board_view.voice_table(board)
left, right = st.columns(2)
colours = palette.current().organizations_by_name(board.names)
left.plotly_chart(
    figures.voice_bars(voice.nlargest(TOP, "Share of voice"), colours), width="stretch"
)
if len(voice) > TOP:
    left.caption(f"The {TOP} organizations with the most voice, of {len(voice)}.")
right.dataframe(voice.style.format({"Share of voice": "{:.1%}"}), hide_index=True, width="stretch")

st.subheader("Totals per in-scope item")
st.dataframe(
    signal_board_view.totals_table(board),
    hide_index=True,
    width="stretch",
    column_config={"Item": item_links.title_column("Item")},
)

if board.signals:
    st.subheader("Signals" if board.attributed else "Your organization's signals")
    cells = signal_board_view.signal_cells(board)
    charted = signal_board_view.charted(board)
    shown = signal_board_view.charted_names(board, charted)
    st.plotly_chart(
        figures.signal_heatmap(cells[cells["Organization"].isin(shown)]), width="stretch"
    )
    if len(charted) < len(board.signals):
        st.caption(
            f"The chart shows the {len(charted)} organizations with the most voice; "
            "the table below has every signal."
        )
    st.dataframe(
        cells,
        hide_index=True,
        width="stretch",
        column_order=["Organization", "Link", "Weight"],
        column_config={"Link": item_links.title_column("Item")},
    )
    if board.attributed and len(charted) > 1:
        matrix = signal_board_view.agreement_matrix(board, charted)
        st.plotly_chart(figures.agreement_heatmap(matrix), width="stretch")
        st.dataframe(matrix.round(2), width="stretch")

# The CSV is written when the button is pressed, not on every rerun.
st.download_button(
    "Download signals as CSV",
    lambda: signals.signals_csv(ctx, actor),
    "signals.csv",
    mime="text/csv",
)
