"""Failed sign-ins are slowed per account and per address, with the counts in the database:
on SQLite and PostgreSQL, shared by every replica, exact under failures arriving at once."""

from __future__ import annotations

import threading

from sqlalchemy import Engine, func, select
from support import Clock

from roadmap.services.context import Context
from roadmap.services.throttle import FailureThrottle, sign_in_keys
from roadmap.store.engine import make_engine, reading
from roadmap.store.tables import SignInFailureRow


def test_three_failures_lock_a_key_and_the_lock_doubles(ctx: Context, clock: Clock) -> None:
    throttle = FailureThrottle(free=3)
    keys = ["user:exec", "addr:10.0.0.1"]
    for _ in range(2):
        throttle.failed(ctx, keys)
    assert throttle.wait_seconds(ctx, keys) == 0
    throttle.failed(ctx, keys)
    assert throttle.wait_seconds(ctx, keys) == 2.0
    clock.advance(seconds=2)
    assert throttle.wait_seconds(ctx, keys) == 0
    throttle.failed(ctx, keys)
    assert throttle.wait_seconds(ctx, keys) == 4.0
    assert throttle.wait_seconds(ctx, ["user:other"]) == 0
    # Either key alone keeps its own lock.
    assert throttle.wait_seconds(ctx, ["addr:10.0.0.1", "user:other"]) == 4.0


def test_the_lock_stops_growing_at_the_ceiling(ctx: Context) -> None:
    throttle = FailureThrottle(free=1, ceiling=5.0)
    for _ in range(6):
        throttle.failed(ctx, ["user:lead"])
    assert throttle.wait_seconds(ctx, ["user:lead"]) == 5.0


def test_a_success_clears_the_account_key_but_not_the_address_key(ctx: Context) -> None:
    throttle = FailureThrottle(free=2)
    throttle.failed(ctx, sign_in_keys("lead", "1.2.3.4"))
    throttle.succeeded(ctx, "lead")
    with reading(ctx.engine) as session:
        assert set(session.scalars(select(SignInFailureRow.key))) == {"addr:1.2.3.4"}
    throttle.failed(ctx, sign_in_keys("lead", "1.2.3.4"))
    # The account starts again from one failure (free); the address is at its second.
    assert throttle.wait_seconds(ctx, sign_in_keys("lead", "5.6.7.8")) == 0
    assert throttle.wait_seconds(ctx, sign_in_keys("other", "1.2.3.4")) == 2.0


def test_guesses_at_other_accounts_are_slowed_though_the_guesser_signs_in_between(
    ctx: Context, clock: Clock
) -> None:
    """The probe's pattern: one wrong password for each of many accounts, and a sign-in to
    one's own account after each, all from one address."""
    throttle = FailureThrottle(free=3)
    address = "10.0.0.66"
    waits = []
    for n in range(6):
        keys = sign_in_keys(f"victim{n}", address)
        wait = throttle.wait_seconds(ctx, keys)
        waits.append(wait)
        clock.advance(seconds=wait)  # the guesser waits out every lock
        throttle.failed(ctx, keys)
        throttle.succeeded(ctx, "guesser")
    assert waits == [0, 0, 0, 2.0, 4.0, 8.0]
    # The guesser's own account is not locked by its address's count, but the address is.
    assert throttle.wait_seconds(ctx, ["user:guesser"]) == 0
    assert throttle.wait_seconds(ctx, sign_in_keys("guesser", address)) == 16.0


def test_a_day_without_failures_forgets_a_key(ctx: Context, clock: Clock) -> None:
    throttle = FailureThrottle(free=2)
    throttle.failed(ctx, ["user:lead"])
    clock.advance(hours=25)
    throttle.failed(ctx, ["user:lead"])  # a first failure again, not a second
    assert throttle.wait_seconds(ctx, ["user:lead"]) == 0
    throttle.failed(ctx, ["user:other"])
    clock.advance(hours=25)
    throttle.failed(ctx, ["user:third"])  # and quiet keys are removed on the way
    with reading(ctx.engine) as session:
        assert set(session.scalars(select(SignInFailureRow.key))) == {"user:third"}


def test_replicas_share_the_counts(ctx: Context, clock: Clock) -> None:
    """A second engine on the same database stands for another server."""
    other = Context(make_engine(ctx.engine.url.render_as_string(hide_password=False)), clock)
    try:
        throttle = FailureThrottle(free=3)
        throttle.failed(ctx, ["user:lead"])
        throttle.failed(other, ["user:lead"])
        throttle.failed(ctx, ["user:lead"])
        assert throttle.wait_seconds(other, ["user:lead"]) == 2.0
        throttle.succeeded(other, "lead")
        assert throttle.wait_seconds(ctx, ["user:lead"]) == 0
    finally:
        other.engine.dispose()


def test_failures_arriving_at_once_on_two_replicas_all_count(ctx: Context, clock: Clock) -> None:
    url = ctx.engine.url.render_as_string(hide_password=False)
    engines = [make_engine(url) for _ in range(2)]
    throttle = FailureThrottle(free=1000)
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def fail_many(engine: Engine) -> None:
        try:
            start.wait()
            for _ in range(15):
                throttle.failed(Context(engine, clock), ["user:lead", "addr:10.0.0.9"])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=fail_many, args=(e,)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for engine in engines:
        engine.dispose()
    assert errors == []
    with reading(ctx.engine) as session:
        counts = dict(
            session.execute(select(SignInFailureRow.key, SignInFailureRow.failures)).all()
        )
        assert counts == {"user:lead": 30, "addr:10.0.0.9": 30}
        assert session.scalar(select(func.count()).select_from(SignInFailureRow)) == 2
