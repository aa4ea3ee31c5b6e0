"""Turning pydantic's errors into sentences that name the field in plain words."""

from __future__ import annotations

from typing import Any, TypeVar

import pydantic

from roadmap.domain.errors import ValidationError

M = TypeVar("M", bound=pydantic.BaseModel)


def field_label(model: type[pydantic.BaseModel], name: str) -> str:
    """The words a person would use for a field: its ``title``, else its name spelled out."""
    info = model.model_fields.get(name)
    if info is not None and info.title:
        return info.title
    return name.replace("_", " ")


_TEMPLATES = {
    "missing": "The {label} is required.",
    "string_too_short": "The {label} must have at least {min_length} characters.",
    "string_too_long": "The {label} must have at most {max_length} characters.",
    "too_short": "The {label} needs at least {min_length} entries.",
    "too_long": "The {label} may have at most {max_length} entries.",
    "greater_than": "The {label} must be greater than {gt}.",
    "greater_than_equal": "The {label} must be at least {ge}.",
    "less_than": "The {label} must be less than {lt}.",
    "less_than_equal": "The {label} must be at most {le}.",
    "string_pattern_mismatch": "The {label} is not in the expected format.",
    "float_parsing": "The {label} must be a number.",
    "float_type": "The {label} must be a number.",
    "int_parsing": "The {label} must be a whole number.",
    "int_type": "The {label} must be a whole number.",
    "int_from_float": "The {label} must be a whole number.",
    "date_parsing": "The {label} must be a date (YYYY-MM-DD).",
    "date_from_datetime_parsing": "The {label} must be a date (YYYY-MM-DD).",
    "enum": "The {label} must be one of: {expected}.",
    "literal_error": "The {label} must be one of: {expected}.",
    "extra_forbidden": "The {label} is not a field of this form.",
}


def _sentence(model: type[pydantic.BaseModel], error: Any) -> tuple[str, str]:
    loc = error.get("loc", ())
    name = str(loc[0]) if loc else "__root__"
    label = field_label(model, name) if loc else "form"
    kind = str(error.get("type", ""))
    template = _TEMPLATES.get(kind)
    if kind == "string_too_short" and error.get("ctx", {}).get("min_length") == 1:
        template = "The {label} cannot be empty."
    if template is not None:
        try:
            return name, template.format(label=label, **error.get("ctx", {}))
        except (KeyError, IndexError):
            pass
    message = str(error.get("msg", "is not valid")).removeprefix("Value error, ")
    if kind == "value_error":
        # Our own validators already write whole sentences that name the field.
        return name, message if message.endswith(".") else message + "."
    return name, f"The {label} is not valid: {message[:1].lower()}{message[1:]}."


def parse(model: type[M], data: dict[str, Any]) -> M:
    """Validate ``data`` as ``model``; on failure raise :class:`ValidationError` with a
    sentence for every field that failed (pydantic checks each field, and the checks across
    fields sit on the later field, so one try reports every problem), the first per field."""
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        fields: dict[str, str] = {}
        for error in exc.errors():
            name, text = _sentence(model, error)
            fields.setdefault(name, text)
        labels = {
            name: field_label(model, name) if name != "__root__" else "form" for name in fields
        }
        raise ValidationError(" ".join(fields.values()), fields, labels) from None


def parse_collecting(model: type[M], data: dict[str, Any]) -> tuple[M | None, dict[str, str]]:
    """:func:`parse`, but a refusal is returned as its sentences by field (and no model)
    instead of raised, so that a use case can add the problems only the database can
    see and refuse them all in one answer (:func:`refuse`)."""
    try:
        return parse(model, data), {}
    except ValidationError as exc:
        return None, dict(exc.fields)


def refuse(problems: dict[str, str], labels: dict[str, str] | None = None) -> None:
    """Raise one :class:`ValidationError` naming every field in ``problems`` (none: return)."""
    if problems:
        raise ValidationError(" ".join(problems.values()), problems, labels)
