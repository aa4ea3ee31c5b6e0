"""The log holds an incident's full trace under the id the person is shown."""

from __future__ import annotations

import logging

import pytest

from roadmap.ui import incidents


def _fail() -> None:
    raise ValueError("the detail only the operator may read")


def test_the_log_record_carries_the_incident_id_and_the_full_trace(
    caplog: pytest.LogCaptureFixture,
) -> None:
    try:
        _fail()
    except ValueError as exc:
        with caplog.at_level(logging.ERROR, logger="roadmap.incidents"):
            incident = incidents.record(exc, "/item")
    [logged] = caplog.records
    assert logged.levelno == logging.ERROR
    assert logged.getMessage() == f"incident {incident}: unexpected error on /item"
    text = caplog.text
    assert "Traceback (most recent call last)" in text
    assert "in _fail" in text
    assert "ValueError: the detail only the operator may read" in text
    assert incident in incidents.sentence(incident)
    assert "the detail" not in incidents.sentence(incident)


def test_each_incident_gets_its_own_id() -> None:
    error = RuntimeError("x")
    assert len({incidents.record(error, "/") for _ in range(50)}) == 50
