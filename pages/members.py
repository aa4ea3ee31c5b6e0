from roadmap.ui.guard import page_setup

actor = page_setup("members")

import pandas as pd
import streamlit as st

from roadmap.services import catalog, signals
from roadmap.ui import session

ctx = session.context()
st.title("Member organizations")
period, voice = signals.period_voice(ctx)
orgs = catalog.list_organizations(ctx)
frame = pd.DataFrame(
    [
        {
            "Organization": o.name,
            "Kind": o.kind.value.replace("_", " "),
            "Tier": o.tier.value,
            "Annual commitment": f"{o.annual_commitment:,.0f} {o.currency}",
            "Term": f"{o.term_start} – {o.term_end}",
            "Status": o.status.value,
            f"Voice in {period.key}": f"{voice.get(o.key, 0):.1%}",
        }
        for o in orgs
    ]
)
st.caption(
    f"Voice in {period.settings.name}: {period.settings.envelope.voice.value}"
    + (
        f" ({period.settings.envelope.blend_alpha:.0%} equal, the rest by contribution)"
        if period.settings.envelope.voice.value == "blend"
        else ""
    )
)
st.dataframe(frame, hide_index=True, width="stretch")
# The CSV is written when the button is pressed, not on every rerun.
st.download_button(
    "Download as CSV", lambda: frame.to_csv(index=False), "members.csv", mime="text/csv"
)
