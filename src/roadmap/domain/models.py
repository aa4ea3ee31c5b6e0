"""Kept for the modules other branches are rewriting (services/plans.py, services/planning.py,
pages/scenarios.py), which import ``Envelope`` from here: the records now live in a module per
idea (``domain.items``, ``periods``, ``signals``, ``organizations``, ``governance``, ``staff``,
``accounts``). Remove this module once nothing imports it."""

from __future__ import annotations

from roadmap.domain.periods import Envelope as Envelope
