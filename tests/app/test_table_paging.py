"""Large tables on the plan and scenarios pages are drawn a page of 500 rows at a time
(``roadmap.ui.paging.frame_page``), so a page's rerun does not grow with the data."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _page() -> None:
    import pandas as pd
    import streamlit as st

    from roadmap.ui.paging import frame_page

    big = pd.DataFrame({"n": range(1, 1201)})
    st.dataframe(frame_page(big, "big"))
    small = pd.DataFrame({"n": range(1, 11)})
    st.dataframe(frame_page(small, "small"))


def test_a_table_over_500_rows_is_paged_and_a_small_one_is_whole() -> None:
    at = AppTest.from_function(_page).run()
    assert not at.exception
    first, small = (d.value for d in at.dataframe)
    assert list(first["n"])[:1] == [1] and len(first) == 500
    assert at.caption[0].value == "Showing 1–500 of 1200."
    assert len(small) == 10 and len(at.number_input) == 1  # no selector for the small one
    at.number_input[0].set_value(3).run()
    last = at.dataframe[0].value
    assert list(last["n"]) == list(range(1001, 1201))
    assert at.caption[0].value == "Showing 1001–1200 of 1200."
