"""One colour per organization and per sub-community, the same in every chart on every page.

A colour is keyed by the organization's key (the sub-community's slug) and its place in the
registration order (``services.legend``), so two charts, on any page, draw the same key in
the same colour, and no two of the first ``len(COLOURS)`` registered share one. Charts label
their traces by name: ``by_name`` turns a colour map by key into one by name.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from plotly.colors import qualitative

from roadmap.services.legend import Legend, legend
from roadmap.ui import session

COLOURS: tuple[str, ...] = tuple(qualitative.Dark24)


def colour(key: str, order: Sequence[str]) -> str:
    """``key``'s colour: by its place in ``order``, else (a key registered since) by a hash
    of the key itself, never by Python's salted ``hash``."""
    if key in order:
        return COLOURS[list(order).index(key) % len(COLOURS)]
    digest = hashlib.sha256(key.encode()).digest()
    return COLOURS[int.from_bytes(digest[:4], "big") % len(COLOURS)]


@dataclass(frozen=True)
class Palette:
    legend: Legend

    def organization(self, key: str) -> str:
        return colour(key, list(self.legend.organizations))

    def subcommunity(self, slug: str) -> str:
        return colour(slug, list(self.legend.subcommunities))

    def subcommunity_name(self, slug: str) -> str:
        return self.legend.subcommunities.get(slug, slug)

    def theme_name(self, slug: str | None) -> str:
        return self.legend.themes.get(slug, slug) if slug else "(no theme)"

    def organizations_by_name(self, names: Mapping[str, str] | None = None) -> dict[str, str]:
        """Name -> colour for every organization (``names``: key -> name, else the
        registry's)."""
        return by_name(names or self.legend.organizations, self.organization)

    def subcommunities_by_name(self) -> dict[str, str]:
        return by_name(self.legend.subcommunities, self.subcommunity)


def by_name(names: Mapping[str, str], colour_of: Callable[[str], str]) -> dict[str, str]:
    """Name -> colour, from key -> name and a key's colour."""
    return {name: colour_of(key) for key, name in names.items()}


def current() -> Palette:
    """The palette of the app's registry."""
    return Palette(legend(session.context()))
