"""Helpers the test suites share (importable as ``support``; see pytest's pythonpath)."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import Engine, create_engine, text

from roadmap.store.tables import Base

T = TypeVar("T")

os.environ.setdefault("ROADMAP_SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault("ROADMAP_ARGON2_PROFILE", "CHEAPEST")
PG_URL = os.environ.get("ROADMAP_TEST_DATABASE_URL", "").strip()
IN_CI = os.environ.get("CI", "").lower() == "true"


def need(condition: bool, reason: str) -> None:
    """Skip with a visible reason when a real part is absent; under CI, fail instead."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: required, not skipped)")
    pytest.skip(reason)


# Migrations after 0005 that only add nullable columns, which a 0005 backup's rows lack and
# restore as their default (0006: archived_at, None = not archived).
# The nullable columns each migration after 0005 added, by table: what upgrading a 0005
# backup fills with null (a migration adding anything else must say how to upgrade here).
ADDED_NULLABLE_COLUMNS_SINCE_0005: dict[str, dict[str, tuple[str, ...]]] = {
    "0006": {
        "subcommunities": ("archived_at",),
        "themes": ("archived_at",),
        "skills": ("archived_at",),
        "periods": ("archived_at",),
    },
    "0007": {"scope_decisions": ("amends_id", "reason")},
    "0008": {
        "periods": (
            "review_days",
            "report_every_weeks",
            "unspent_policy",
            "source_id",
            "carried_weeks",
        ),
        "plans": ("review_until",),
        "plan_objections": (),  # a new table: empty in an older backup
        "plan_finalizations": (),
    },
    "0009": {"plans": ("evidence",)},
    "0010": {
        "users": ("email",),
        "notifications": (),  # new tables: empty in an older backup
        "email_opt_outs": (),
        "mail_outbox": (),
    },
    "0011": {"users": ("last_seen_at", "previous_visit_at")},
    "0012": {"users": ("password_reset_at",)},
    "0013": {"plans": ("snapshot_digest",)},
    "0014": {"progress_reports": ("staff_id",)},
}


def backup_0005(path: Path) -> dict[str, Any]:
    """The backup fixture written at schema 0005, brought to the current schema as the
    migrations bring a database: every later migration only adds nullable columns, which
    the rows get as null."""
    from roadmap.store.migrate import head_revision

    data: dict[str, Any] = json.loads(path.read_text())
    assert data["schema"] == "0005"
    assert head_revision() in ADDED_NULLABLE_COLUMNS_SINCE_0005, "check the new migration"
    for revision, tables in ADDED_NULLABLE_COLUMNS_SINCE_0005.items():
        for table, columns in tables.items():
            for row in data["tables"].setdefault(table, []):
                row.update({column: None for column in columns})
        if revision == head_revision():
            break
    data["schema"] = head_revision()
    return data


class Clock:
    """A clock the tests move by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


def dump(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, to prove a refused write changed nothing."""
    with engine.connect() as conn:
        return {
            table.name: sorted((tuple(row) for row in conn.execute(table.select())), key=repr)
            for table in Base.metadata.sorted_tables
        }


@contextmanager
def pg_schema(prefix: str) -> Iterator[str]:
    """A new, empty schema in the PostgreSQL test database: yields a URL whose connections
    use it (and carry its name as ``application_name``); afterwards any connection still
    open on it is ended and the schema dropped."""
    need(bool(PG_URL), "PostgreSQL tests need ROADMAP_TEST_DATABASE_URL")
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}&application_name={schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = :name AND pid <> pg_backend_pid()"
                ),
                {"name": schema},
            )
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def run_coroutine(main: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """``asyncio.run(main())`` in a thread of its own: in the whole suite the browser tests'
    Playwright keeps an event loop running in the main thread, where asyncio.run refuses."""
    import asyncio
    import threading

    out: list[T] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            out.append(asyncio.run(main()))
        except BaseException as error:  # handed back to the test's thread
            errors.append(error)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(timeout=60)
    if errors:
        raise errors[0]
    assert out, "the coroutine did not finish within 60 s"
    return out[0]
