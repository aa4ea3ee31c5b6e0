"""What the period settings page shows of periods in sequence: where the period came from,
what became of the effort its source left unspent (unallocated, and its reserve), and the
unfinished items carried over with their progress."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from roadmap.domain.enums import UnspentPolicy
from roadmap.services.sequence import CarriedItem, PeriodSequence
from roadmap.ui.item_links import item_url, title_column
from roadmap.ui.text import plain

POLICY_LABELS = {
    UnspentPolicy.POOL.value: "Returned to the pool of the next period (its budget includes it)",
    UnspentPolicy.LAPSE.value: "Lapses with this period",
}


def carried_table(items: list[CarriedItem]) -> pd.DataFrame:
    """The unfinished items carried over: progress as last reported in an earlier period,
    and the person-weeks left (their cost in this period's plans)."""
    return pd.DataFrame(
        [
            {
                "Title": item_url(c.id, c.title),
                "Status": c.status.label,
                "Done (%)": c.percent if c.percent is not None else 0,
                "Effort (pw)": round(c.effort, 2),
                "Left (pw)": round(c.remaining, 2),
            }
            for c in items
        ]
    )


def draw(seq: PeriodSequence) -> None:
    """The period's place in the sequence: its source, the unspent-effort sentence, the
    carried items; and the period started from it, if any."""
    if seq.next_key is not None:
        st.caption(
            f"{plain(seq.next_key)} was started from this period; its unspent effort was "
            "settled then."
        )
    sentence = seq.unspent_sentence()
    if sentence is None:
        return
    st.info(plain(sentence))
    st.subheader(f"Carried over from {plain(seq.source_key or '')}")
    if not seq.items:
        st.caption("No unfinished item was carried over.")
        return
    st.caption(
        "Items funded in the earlier period and not done are candidates again. Each costs "
        "what is left of it after the progress last reported in an earlier period; reports "
        "in this period do not change its cost here."
    )
    st.dataframe(
        carried_table(seq.items),
        hide_index=True,
        width="stretch",
        column_config={"Title": title_column()},
    )
