"""What every domain record shares: the pydantic base, and field checks several records use."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from roadmap.domain import boundary

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
Weeks = Annotated[float, Field(ge=0, le=10_000)]
# The validation context of a record read back from the database: its text is shown as it was
# stored (an older version may have stored text the boundary now refuses), never refused.
STORED = {"stored": True}


class Model(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, frozen=False, extra="forbid")

    @field_validator("*")
    @classmethod
    def _plain_text(cls, v: Any, info: ValidationInfo) -> Any:
        # Every text of every record, from a form, a CSV cell or a backup row (domain/boundary).
        if isinstance(info.context, dict) and info.context.get("stored"):
            return v
        field = cls.model_fields[info.field_name or ""]
        return boundary.check_texts(v, field.title or str(info.field_name).replace("_", " "))


def check_slug(value: str, what: str) -> str:
    """``value`` if it is a short name fit for a web address, else a sentence naming ``what``."""
    if not SLUG.match(value):
        raise ValueError(
            f"The {what} must be lower-case letters, digits and dashes, starting with a letter "
            "or digit (at most 63 characters)."
        )
    return value
