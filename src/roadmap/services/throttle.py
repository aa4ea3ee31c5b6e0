"""Slowing down repeated failed sign-ins, per account and per address, on every replica.

The counts live in the database (``sign_in_failures``), so guessing a password through
several servers behind a load balancer is slowed as much as through one. Each failure is one
atomic upsert (``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``, on SQLite and PostgreSQL
alike), so failures arriving at once on different replicas all count.

A sign-in counts against two keys: its account's and its address's. A success clears only
the account's count. The address keeps its failures across successes, so someone guessing
other people's passwords cannot wipe the slate by signing in to their own account between
guesses; a day without failures forgets them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update

from roadmap.services.context import Context
from roadmap.store.engine import reading, transaction
from roadmap.store.tables import SignInFailureRow

FORGET_AFTER = timedelta(hours=24)
"""A key whose last failure is older than this starts again from no failure."""


def account_key(username: str) -> str:
    return f"user:{username}"


def sign_in_keys(username: str, address: str) -> list[str]:
    """The keys a sign-in attempt is counted against: its account's and its address's."""
    return [account_key(username), f"addr:{address}"]


class FailureThrottle:
    """After ``free`` failures a key is locked for 2, 4, 8 ... seconds (at most ``ceiling``).

    A success clears its account's key (never an address's); a day without failures
    forgets any key.
    """

    def __init__(self, free: int = 3, ceiling: float = 300.0) -> None:
        self.free = free
        self.ceiling = ceiling

    def wait_seconds(self, ctx: Context, keys: list[str]) -> float:
        """How long until every key may try again (0 when it may try now)."""
        now = ctx.now()
        with reading(ctx.engine) as session:
            until = session.scalars(
                select(SignInFailureRow.locked_until).where(SignInFailureRow.key.in_(keys))
            ).all()
        return max([0.0, *((u - now).total_seconds() for u in until if u is not None)])

    def failed(self, ctx: Context, keys: list[str]) -> None:
        """Count a failure against every key (and forget keys quiet for a day)."""
        now = ctx.now()
        with transaction(ctx.engine) as session:
            session.execute(
                delete(SignInFailureRow).where(SignInFailureRow.last_failure < now - FORGET_AFTER)
            )
            for key in sorted(keys):  # one order on every replica: no deadlock between them
                failures = session.execute(_count_failure(ctx, key, now)).scalar_one()
                if failures >= self.free:
                    delay = min(2.0 ** (failures - self.free + 1), self.ceiling)
                    session.execute(
                        update(SignInFailureRow)
                        .where(SignInFailureRow.key == key)
                        .values(locked_until=now + timedelta(seconds=delay))
                    )

    def succeeded(self, ctx: Context, username: str) -> None:
        """``username`` signed in: its account's count starts again; its address's does not."""
        with transaction(ctx.engine) as session:
            session.execute(
                delete(SignInFailureRow).where(SignInFailureRow.key == account_key(username))
            )


def _count_failure(ctx: Context, key: str, now: datetime) -> Any:
    """One more failure for ``key``, atomically; returns the new count."""
    from sqlalchemy.dialects import postgresql, sqlite

    dialect: Any = postgresql if ctx.engine.dialect.name == "postgresql" else sqlite
    row = SignInFailureRow.__table__.c
    statement = dialect.insert(SignInFailureRow).values(
        key=key, failures=1, last_failure=now, locked_until=None
    )
    return statement.on_conflict_do_update(
        index_elements=[row.key],
        set_={
            "failures": row.failures + 1,  # a row quiet for a day was deleted just before
            "last_failure": now,
        },
    ).returning(row.failures)
