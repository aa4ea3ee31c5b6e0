"""Choosing which planning period a page shows: the current one by default (the one taking
signals, else the latest), any other period not archived on request."""

from __future__ import annotations

import streamlit as st

from roadmap.domain.errors import NotFound
from roadmap.services import period_setup, periods
from roadmap.services.context import Context
from roadmap.ui.text import plain


def pick_period(ctx: Context, *, key: str, only_with_plans: bool = False) -> str | None:
    """A period picker, drawn only when there is more than one period to choose from; the
    chosen period's key (the current period's when there is nothing to choose), or ``None``
    when there is no period at all."""
    entries = [
        e
        for e in period_setup.list_periods(ctx)
        if not e.archived and (e.plans or not only_with_plans)
    ]
    try:
        current = periods.get_period(ctx).key
    except NotFound:  # no period yet
        current = None
    if len(entries) <= 1:
        return entries[0].key if entries else current
    keys = [e.key for e in entries]
    names = {e.key: f"{plain(e.name)} ({e.status.value})" for e in entries}
    chosen = st.selectbox(
        "Period",
        keys,
        index=keys.index(current) if current in keys else 0,
        format_func=lambda k: names[k],
        key=key,
    )
    return chosen
