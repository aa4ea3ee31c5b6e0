"""Values from outside (URLs, forms, CSV cells, backups, command lines) typed at the door.

Two rules, one place. An id is a whole number the database can hold: every ``id`` column is
an ``Integer``, which PostgreSQL stores in 32 signed bits, so a larger number would reach the
driver and fail there (SQLite fails a little later, at 64 bits). Text holds no NUL and no
control characters other than newline and tab: PostgreSQL refuses a NUL in a string, so a
NUL stored on SQLite would later make the SQLite -> PostgreSQL migration refuse the backup,
and the other control characters (and lone UTF-16 surrogates, which no UTF-8 database can
store) only ever arrive by accident or by attack.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from roadmap.domain.errors import ValidationError

ID_MIN = 1
ID_MAX = 2**31 - 1  # PostgreSQL INTEGER, the type of every id column (store/tables.py)

# C0 controls but tab and newline, DEL, C1 controls, and lone surrogates. A carriage return is
# refused as well: a form sends CR LF, which callers turn into LF first (see ``text``).
_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_DIGITS = re.compile(r"[+]?[0-9]{1,12}")


def parse_id(raw: object, field: str = "item number") -> int:
    """The id in ``raw`` (text such as ``"42"`` or ``"#42"``, or an int) or a sentence naming
    ``field``: only whole numbers from 1 to 2,147,483,647 are ids."""
    if isinstance(raw, bool):
        raise ValidationError(_id_sentence(field), {field: _id_sentence(field)})
    if isinstance(raw, int):
        value = raw
    else:
        text = str(raw).strip().removeprefix("#")
        if not _DIGITS.fullmatch(text):
            raise ValidationError(_id_sentence(field), {field: _id_sentence(field)})
        value = int(text)
    if not ID_MIN <= value <= ID_MAX:
        raise ValidationError(_id_sentence(field), {field: _id_sentence(field)})
    return value


def _id_sentence(field: str) -> str:
    return f"The {field} must be a whole number from {ID_MIN} to {ID_MAX:,}."


def id_or_none(raw: object) -> int | None:
    """The id in ``raw``, or ``None`` when it is not one (for a URL: "no such item")."""
    try:
        return parse_id(raw)
    except ValidationError:
        return None


def text_problem(value: str, field: str) -> str | None:
    """The sentence that refuses ``value`` for ``field``, or ``None`` when it may be stored."""
    found = _FORBIDDEN.search(value)
    if found is None:
        return None
    code = ord(found.group())
    return (
        f"The {field} contains a control character (U+{code:04X}); only text, newlines "
        "and tabs are allowed."
    )


def text(value: str, field: str, max_length: int | None = None) -> str:
    """``value`` with line ends made LF, or :class:`ValidationError` naming ``field`` (also
    when it is longer than ``max_length`` characters)."""
    value = value.replace("\r\n", "\n")
    problem = text_problem(value, field)
    if problem is None and max_length is not None and len(value) > max_length:
        problem = f"The {field} must have at most {max_length:,} characters."
    if problem is not None:
        raise ValidationError(problem, {field: problem})
    return value


def check_texts(values: Any, field: str) -> Any:
    """``values`` (a string, or lists and dicts of them) with line ends made LF throughout;
    ``ValueError`` with the sentence naming ``field`` otherwise (for pydantic's validators,
    which turn it into the field's message)."""
    if isinstance(values, str):
        if "\r\n" in values:
            values = values.replace("\r\n", "\n")
        problem = text_problem(values, field)
        if problem is not None:
            raise ValueError(problem)
        return values
    if isinstance(values, list | tuple):
        return type(values)(check_texts(v, field) for v in values)
    if isinstance(values, Mapping):
        return {check_texts(k, field): check_texts(v, field) for k, v in values.items()}
    return values


def check_stored(kind: object, value: Any, field: str) -> None:
    """A value of a backup row as the database column of type ``kind`` must hold it: its
    texts plain (:func:`check_texts`) and, in an integer column, a number PostgreSQL's INTEGER
    holds; ``ValueError`` naming ``field`` otherwise. ``kind`` is the column's type object,
    whose class name says whether it is an integer (the domain knows nothing of the store)."""
    check_texts(value, field)
    integer = type(kind).__name__ in ("Integer", "SmallInteger")
    if integer and isinstance(value, int) and not -(2**31) <= value <= ID_MAX:
        raise ValueError(f"The {field} must be a whole number from {-(2**31):,} to {ID_MAX:,}.")


def sign_in_name(raw: object, limit: int = 40) -> str:
    """A username as typed into the sign-in form, made safe to look up and to count failures
    under: each forbidden character becomes U+FFFD, so it matches no account (usernames are
    plain letters and digits) and the attempt is an ordinary failed sign-in."""
    return _FORBIDDEN.sub("\ufffd", str(raw)).strip().lower()[:limit]
