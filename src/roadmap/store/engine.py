"""The one engine factory and the one transaction helper."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from roadmap import config
from roadmap.domain.errors import ConflictError


def make_engine(url: str | None = None) -> Engine:
    """An engine for ``url`` (default: ``ROADMAP_DATABASE_URL`` or the SQLite file).

    SQLite gets foreign keys on, WAL (readers never wait for the writer) and a busy
    timeout, so concurrent Streamlit sessions queue instead of failing.
    """
    url = url or config.database_url()
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Hand transaction control to SQLAlchemy's "begin" event above.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    # A writing transaction takes the write lock up front: a deferred BEGIN that reads and
    # then writes could fail at once with "database is locked" instead of waiting its turn.
    write = conn.get_execution_options().get("roadmap_write", True)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


_factories: dict[tuple[int, bool], sessionmaker[Session]] = {}


def _factory(engine: Engine, write: bool) -> sessionmaker[Session]:
    key = (id(engine), write)
    factory = _factories.get(key)
    if factory is None:
        bind = engine.execution_options(roadmap_write=write)
        factory = sessionmaker(bind, expire_on_commit=False)
        _factories[key] = factory
    return factory


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One unit of work: commits when the block ends, rolls back on any exception.

    A row another transaction changed since this one read it (the ``version_id_col`` check
    failing at flush) becomes :class:`ConflictError`, a sentence, whichever use case wrote it.
    """
    try:
        with _factory(engine, True)() as session, session.begin():
            yield session
    except StaleDataError:
        raise ConflictError(
            "Someone else changed this record at the same moment; nothing of yours was saved. "
            "Reload and try again."
        ) from None


@contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    """A view of the database for reading; on SQLite it never takes the write lock.

    It ends like any transaction (nothing was written), leaving the rows it loaded usable
    after the block.
    """
    with _factory(engine, False)() as session, session.begin():
        yield session
