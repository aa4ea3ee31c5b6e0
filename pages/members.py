from roadmap.ui.guard import page_setup

actor = page_setup("members")

import pandas as pd
import streamlit as st

from roadmap.domain.organizations import Organization
from roadmap.services import catalog, signals
from roadmap.services.csv_export import frame_csv
from roadmap.ui import glossary_view, session
from roadmap.ui.paging import page_of
from roadmap.ui.text import plain

ctx = session.context()
st.title("Member organizations")
period, voice = signals.period_voice(ctx)
PAGE = 100  # organizations per page of the table; the CSV has every one


def table(orgs: list[Organization]) -> pd.DataFrame:
    return pd.DataFrame(
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
    f"Voice in {plain(period.settings.name)}: {period.settings.envelope.voice.label}"
    + (
        f" ({period.settings.envelope.blend_alpha:.0%} equal, the rest by contribution)"
        if period.settings.envelope.voice.value == "blend"
        else ""
    )
)
glossary_view.words_used_here(["Voice"])
# Only the page shown is read; the page selector appears beyond PAGE organizations.
rows = page_of(range(catalog.count_organizations(ctx)), "members", PAGE)
shown = catalog.list_organizations(ctx, limit=PAGE, offset=rows[0] if rows else 0)
st.dataframe(table(shown), hide_index=True, width="stretch")
# The CSV is read and written when the button is pressed, not on every rerun.
st.download_button(
    "Download as CSV",
    lambda: frame_csv(table(catalog.list_organizations(ctx))),
    "members.csv",
    mime="text/csv",
)
