"""Replicas starting at once against one new PostgreSQL database all come up: the schema is
migrated once, under an advisory lock, and the others find it up to date."""

from __future__ import annotations

import threading
import time

from support import pg_schema

from roadmap.store.engine import make_engine
from roadmap.store.migrate import current_revision, head_revision, upgrade


def test_four_replicas_migrating_one_new_database_at_once_all_succeed() -> None:
    with pg_schema("roadmap_race") as url:
        # Replicas stuck on each other's locks, if any, are ended by pg_schema on the way out.
        engines = [make_engine(url) for _ in range(4)]
        start = threading.Barrier(len(engines))
        failures: list[BaseException] = []

        def replica(engine) -> None:  # type: ignore[no-untyped-def]
            start.wait()
            try:
                upgrade(engine)
            except BaseException as exc:
                failures.append(exc)

        threads = [threading.Thread(target=replica, args=(e,), daemon=True) for e in engines]
        try:
            for t in threads:
                t.start()
            deadline = time.monotonic() + 90
            for t in threads:
                t.join(timeout=max(0.0, deadline - time.monotonic()))
            assert not [t for t in threads if t.is_alive()], "a replica is stuck migrating"
            assert failures == []
            assert all(current_revision(e) == head_revision() for e in engines)
        finally:
            for e in engines:
                e.dispose()
