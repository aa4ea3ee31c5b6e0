"""What every domain record shares: the pydantic base, and field checks several records use."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
Weeks = Annotated[float, Field(ge=0, le=10_000)]


class Model(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, frozen=False, extra="forbid")


def check_slug(value: str, what: str) -> str:
    """``value`` if it is a short name fit for a web address, else a sentence naming ``what``."""
    if not SLUG.match(value):
        raise ValueError(
            f"The {what} must be lower-case letters, digits and dashes, starting with a letter "
            "or digit (at most 63 characters)."
        )
    return value
