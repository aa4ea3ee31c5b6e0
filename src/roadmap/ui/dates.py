"""Dates and times as a person reads them, in their browser's time zone, UTC stated.

The app keeps no time zone per person: Streamlit tells the browser's (``st.context.timezone``,
an IANA name such as ``Europe/Berlin``), and every time shown goes through :func:`when`:
``8 Dec 2026, 13:15 (UTC+01:00)``, or ``8 Dec 2026, 12:15 UTC`` when the browser's zone is
UTC or unknown (a script, a test, an old browser). Calendar days (a period's start, a
deadline day) carry no zone: :func:`day` writes ``8 Dec 2026``. Downloads (CSV) keep ISO
8601 in UTC, for machines.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import streamlit as st


def zone_named(name: str | None) -> tzinfo:
    """The zone called ``name``; UTC for none, or one this server does not know."""
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def viewer_zone() -> tzinfo:
    """The time zone of the viewer's browser, or UTC when it does not say."""
    try:
        name = st.context.timezone
    except Exception:  # outside a browser session (a script, a bare test)
        name = None
    return zone_named(name)


def day(value: date) -> str:
    """A calendar day: ``8 Dec 2026``."""
    return f"{value.day} {value:%b %Y}"


def format_when(value: datetime, zone: tzinfo) -> str:
    """A moment in ``zone``, the offset from UTC stated: ``8 Dec 2026, 13:15 (UTC+01:00)``;
    in UTC itself ``8 Dec 2026, 12:15 UTC``."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)  # stored times are UTC
    local = value.astimezone(zone)
    offset = local.utcoffset()
    text = f"{day(local.date())}, {local:%H:%M}"
    if not offset:
        return f"{text} UTC"
    sign_hours, minutes = f"{local:%z}"[:3], f"{local:%z}"[3:5]
    return f"{text} (UTC{sign_hours}:{minutes})"


def when(value: datetime) -> str:
    """A moment in the viewer's time zone (see the module)."""
    return format_when(value, viewer_zone())


def day_of(value: datetime) -> str:
    """The day a moment falls on in the viewer's time zone: ``8 Dec 2026``."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)  # stored times are UTC
    return day(value.astimezone(viewer_zone()).date())


def days_until(moment: datetime, now: datetime, zone: tzinfo) -> int:
    """Calendar days from ``now`` to ``moment`` in ``zone``, as the day shown beside it
    reads: 7 for a moment a week away to the second (or a second less), not 6."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # stored times are UTC
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return (moment.astimezone(zone).date() - now.astimezone(zone).date()).days


def zone_note() -> str:
    """A caption for a table of times: which zone they are in."""
    zone = viewer_zone()
    name = getattr(zone, "key", None)
    if name is None or zone is UTC:
        return "Times are in UTC."
    return f"Times are in your browser's time zone, {name} (the offset from UTC is shown)."
