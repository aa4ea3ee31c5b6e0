"""A complete backup of the database as one JSON document, and its restore.

Format (documented in docs/operations.md, "Backup, restore and migration"):
``{"format": "roadmap-backup", "version": 1, "schema": <Alembic revision>, "tables":
{table: [row, ...]}}`` with the rows of every table in primary-key order, dates and times as
ISO 8601 text (times in UTC), JSON columns as they are. Export, import into an empty
database and export again give the same
bytes, on SQLite and PostgreSQL and across the two.

Nothing is trusted on the way in. :func:`read_backup` reads at most ``MAX_MB`` megabytes,
refuses JSON nested deeper than ``MAX_DEPTH`` before parsing it (so the parser never
recurses deeply) and refuses ``NaN``, ``Infinity`` and numbers too large for a float
(``1e400``). :func:`import_backup` checks the whole document the same way, then every row
through its table's record (``roadmap.domain.backup``) before the transaction opens: one
bad value refuses the whole backup with a sentence naming the table, the row and the field.
:func:`dumps` writes strict JSON (no ``NaN`` or ``Infinity``).
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from itertools import accumulate
from pathlib import Path
from typing import Any

from sqlalchemy import Date, DateTime, String, func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql.schema import Table

from roadmap.domain import boundary
from roadmap.domain.access import Actor, require
from roadmap.domain.backup import MAX_DEPTH, check_document, non_finite, validate_row, where
from roadmap.domain.enums import Role
from roadmap.domain.errors import ValidationError
from roadmap.services.context import Context
from roadmap.store.engine import reading, transaction
from roadmap.store.migrate import head_revision
from roadmap.store.tables import Base, UserRow
from roadmap.store.types import UTCDateTime

FORMAT = "roadmap-backup"
VERSION = 1
# The largest file ``roadmap import`` reads unless told otherwise (``--max-mb``): some 500
# times the demo's backup (0.2 MB with 58 items), and parsed in well under 2 GB of memory.
MAX_MB = 100


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
    """The canonical text of a backup: sorted keys, so equal databases give equal files.

    Strict JSON: a number that is not finite (which SQLite and PostgreSQL can hold) is a
    :class:`ValidationError` naming its table, row and column, not ``NaN`` or ``Infinity``."""
    try:
        return (
            json.dumps(backup, sort_keys=True, ensure_ascii=False, indent=1, allow_nan=False) + "\n"
        )
    except ValueError:
        found = non_finite(backup)
        if found is None:
            raise
        path, value = found
        table, row, column = where(backup, path) or ("the backup", "?", None)
        raise ValidationError(
            f"The database holds the number {value} in {table} row {row}"
            + (f", column {column}" if column else "")
            + ", which JSON cannot hold: correct it before exporting. Nothing was written."
        ) from None


# A JSON string (an unterminated one runs to the end), so that brackets inside are skipped.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*(?:"|\\?\Z)', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def nesting(text: str) -> int:
    """How deeply ``text`` nests JSON arrays and objects, found without recursion (brackets
    inside strings do not count). For text that is valid JSON up to some point, the depth
    ``json.loads`` reaches before it stops is at most this."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def _no_constant(name: str) -> Any:
    raise ValidationError(
        f"The backup holds {name}, which is not a number JSON allows: "
        "a backup holds finite numbers only. Nothing was imported."
    )


def _finite(literal: str) -> float:
    value = float(literal)
    if value in (float("inf"), float("-inf")):
        raise ValidationError(
            f"The backup holds the number {literal[:40]}, too large to store (it is not "
            "finite): a backup holds finite numbers only. Nothing was imported."
        )
    return value


def _whole(literal: str) -> int:
    if len(literal) > 40:
        raise ValidationError(
            f"The backup holds a whole number of {len(literal)} digits, too large to store. "
            "Nothing was imported."
        )
    return int(literal)


def loads(data: bytes, source: str = "The backup") -> Any:
    """Parse a backup file's bytes, bounded: UTF-8, nested at most ``MAX_DEPTH`` deep
    (checked before parsing), finite numbers only; else :class:`ValidationError`."""
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")  # an editor's byte-order mark
    except UnicodeDecodeError as exc:
        raise ValidationError(
            f"{source} is not UTF-8 text (byte {exc.start + 1} is not). Nothing was imported."
        ) from None
    if nesting(text) > MAX_DEPTH:
        raise ValidationError(
            f"{source} nests arrays and objects more than {MAX_DEPTH} deep; a roadmap backup "
            "never does. Nothing was imported."
        )
    try:
        return json.loads(text, parse_constant=_no_constant, parse_float=_finite, parse_int=_whole)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            f"{source} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}. "
            "Nothing was imported."
        ) from None


def read_backup(path: Path, max_mb: float = MAX_MB) -> Any:
    """The parsed backup in the file at ``path``: at most ``max_mb`` megabytes are read."""
    if not 0 < max_mb <= 1_000_000:
        raise ValidationError("The size limit (--max-mb) must be between 0 and 1,000,000 MB.")
    limit = int(max_mb * 1024 * 1024)
    try:
        with path.open("rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise ValidationError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    if len(data) > limit:
        raise ValidationError(
            f"{path} is larger than {max_mb:g} MB, the most roadmap import reads "
            "(raise the limit with --max-mb). Nothing was imported."
        )
    return loads(data, str(path))


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
    check_document(backup)
    _validate_rows(tables)
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


def _validate_rows(tables: dict[str, Any]) -> None:
    """Every row through its table's record, before anything is written; the first bad
    value is a :class:`ValidationError` naming the table, the row and the field."""
    for table in Base.metadata.sorted_tables:
        rows = tables.get(table.name, [])
        if not isinstance(rows, list):
            raise ValidationError(f"The table {table.name} in the backup is not a list.")
        lengths = {
            c.name: c.type.length
            for c in table.columns
            if isinstance(c.type, String) and c.type.length is not None
        }
        for position, row in enumerate(rows):
            validate_row(table.name, position, row, lengths)


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
