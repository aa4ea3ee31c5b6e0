"""A complete backup of the database as one JSON document, and its restore.

Format (documented in the README, "Backup and migration"): ``{"format": "roadmap-backup",
"version": 1, "schema": <Alembic revision>, "tables": {table: [row, ...]}}`` with the rows of
every table in primary-key order, dates and times as ISO 8601 text (times in UTC), JSON
columns as they are. Export, import into an empty database and export again give the same
bytes, on SQLite and PostgreSQL and across the two.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, DateTime, func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql.schema import Table

from roadmap.domain import boundary
from roadmap.domain.access import Actor, require
from roadmap.domain.enums import Role
from roadmap.domain.errors import ValidationError
from roadmap.services.context import Context
from roadmap.store.engine import reading, transaction
from roadmap.store.migrate import head_revision
from roadmap.store.tables import Base, UserRow
from roadmap.store.types import UTCDateTime

FORMAT = "roadmap-backup"
VERSION = 1


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def export_backup(ctx: Context, actor: Actor) -> dict[str, Any]:
    """Every row of every table (admins only)."""
    require(actor, Role.ADMIN, to="export the database")
    tables: dict[str, list[dict[str, Any]]] = {}
    with reading(ctx.engine) as session:
        for table in Base.metadata.sorted_tables:
            order = list(table.primary_key.columns)
            rows = session.execute(select(table).order_by(*order)).mappings()
            tables[table.name] = [{k: _plain(v) for k, v in row.items()} for row in rows]
    return {"format": FORMAT, "version": VERSION, "schema": head_revision(), "tables": tables}


def dumps(backup: dict[str, Any]) -> str:
    """The canonical text of a backup: sorted keys, so equal databases give equal files."""
    return json.dumps(backup, sort_keys=True, ensure_ascii=False, indent=1) + "\n"


def _restore_value(table: Table, column: str, value: Any) -> Any:
    if value is None:
        return None
    kind = table.c[column].type
    boundary.check_stored(kind, value, f"{column} of {table.name}")
    if isinstance(kind, UTCDateTime | DateTime):
        return datetime.fromisoformat(value)
    if isinstance(kind, Date):
        return date.fromisoformat(value)
    return value


def import_backup(ctx: Context, actor: Actor, backup: Any) -> dict[str, int]:
    """Restore a backup into an empty database, all or nothing; returns rows per table."""
    require(actor, Role.ADMIN, to="import a backup")
    if not isinstance(backup, dict) or backup.get("format") != FORMAT:
        raise ValidationError("This file is not a roadmap backup.")
    if backup.get("version") != VERSION:
        raise ValidationError(
            f"This backup has format version {backup.get('version')!r}; "
            f"this roadmap reads version {VERSION}."
        )
    if backup.get("schema") != head_revision():
        raise ValidationError(
            f"The backup's schema is {backup.get('schema')!r} but this database's is "
            f"{head_revision()!r}: import it with the roadmap version that wrote it, then upgrade."
        )
    tables = backup.get("tables")
    known = {t.name: t for t in Base.metadata.sorted_tables}
    if not isinstance(tables, dict) or set(tables) - set(known):
        raise ValidationError("The backup names tables this roadmap does not have.")
    counts: dict[str, int] = {}
    with transaction(ctx.engine) as session:
        if session.scalar(select(func.count()).select_from(UserRow)):
            raise ValidationError("The database is not empty: a backup restores into an empty one.")
        for table in Base.metadata.sorted_tables:
            rows = tables.get(table.name, [])
            if not isinstance(rows, list):
                raise ValidationError(f"The table {table.name} in the backup is not a list.")
            try:
                values = [
                    {col: _restore_value(table, col, v) for col, v in row.items()} for row in rows
                ]
            except (KeyError, AttributeError, TypeError, ValueError) as exc:
                raise ValidationError(
                    f"A row of {table.name} in the backup is malformed ({exc})."
                ) from None
            if values:
                try:
                    session.execute(table.insert(), values)
                except (SQLAlchemyError, OverflowError) as exc:
                    raise ValidationError(
                        f"The rows of {table.name} in the backup cannot be stored: "
                        f"{_reason(exc)}. Nothing was imported."
                    ) from None
            counts[table.name] = len(values)
        if ctx.engine.dialect.name == "postgresql":
            _reset_sequences(session)
    return counts


def _reason(exc: Exception) -> str:
    """The database's complaint in one line, without the statement and parameters."""
    cause = getattr(exc, "orig", None) or exc
    return str(cause).strip().splitlines()[0].rstrip(".")[:300]


def _reset_sequences(session: Any) -> None:
    """After explicit ids were inserted, new rows must continue after the largest id."""
    for table in Base.metadata.sorted_tables:
        if "id" not in table.c:
            continue
        session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
            )
        )
