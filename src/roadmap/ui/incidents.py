"""An unexpected error: a sentence and an incident id for the person, the trace in the log.

Errors a person can cause are typed and shown by the page as a sentence
(``roadmap.ui.feedback``); anything else reaching the router is a fault of ours. Its
traceback, the SQL and server paths in it are for the operator, found in the log by the id
the person quotes.
"""

from __future__ import annotations

import logging
import secrets

logger = logging.getLogger("roadmap.incidents")


def record(exc: BaseException, where: str) -> str:
    """Log ``exc`` with its traceback under a new incident id, and return the id."""
    incident = secrets.token_hex(3)
    logger.error("incident %s: unexpected error on %s", incident, where, exc_info=exc)
    return incident


def sentence(incident: str) -> str:
    return f"Something went wrong on our side (incident {incident}). It has been logged."
