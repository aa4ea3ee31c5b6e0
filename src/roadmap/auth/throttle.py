"""Slowing down repeated failed sign-ins, per account and per address."""

from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass
class _Record:
    failures: int = 0
    locked_until: float = 0.0


class FailureThrottle:
    """After ``free`` failures a key is locked for 2, 4, 8 ... seconds (at most ``ceiling``).

    Kept in memory: each replica throttles on its own, which still bounds guessing to a
    few attempts per minute per replica. A success clears the key.
    """

    def __init__(self, free: int = 3, ceiling: float = 300.0) -> None:
        self.free = free
        self.ceiling = ceiling
        self._records: dict[str, _Record] = {}
        self._lock = threading.Lock()

    def wait_seconds(self, keys: list[str], now: float) -> float:
        """How long until every key may try again (0 when it may try now)."""
        with self._lock:
            waits = [self._records[k].locked_until - now for k in keys if k in self._records]
        return max([0.0, *waits])

    def failed(self, keys: list[str], now: float) -> None:
        with self._lock:
            for key in keys:
                record = self._records.setdefault(key, _Record())
                record.failures += 1
                if record.failures >= self.free:
                    delay = min(2.0 ** (record.failures - self.free + 1), self.ceiling)
                    record.locked_until = now + delay

    def succeeded(self, keys: list[str]) -> None:
        with self._lock:
            for key in keys:
                self._records.pop(key, None)
