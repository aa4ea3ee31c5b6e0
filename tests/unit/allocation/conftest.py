"""Fixtures for the allocation tests and the ``slow`` marker (helpers: allocation_support)."""

from __future__ import annotations

from pathlib import Path

import pytest
from allocation_support import PABULIB_DIR, need_pabulib


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "slow: compares with pabutools where it takes minutes (make test-slow)"
    )


@pytest.fixture
def pabulib_dir() -> Path:
    need_pabulib()
    return PABULIB_DIR
