"""A small world on a real database: sub-communities, a theme, skills, an organization, people."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from roadmap.domain.access import Actor
from roadmap.domain.enums import Role
from roadmap.services import accounts, catalog
from roadmap.services.context import Context
from roadmap.store.engine import transaction
from roadmap.store.tables import PeriodRow, SkillRow

SYSTEM = Actor.system()
SETUP_EXECUTIVE = Actor(None, "setup", "setup", frozenset({(Role.EXECUTIVE, None)}))


@dataclass
class World:
    ctx: Context
    actors: dict[str, Actor]


def _signed_in(ctx: Context, username: str) -> Actor:
    from roadmap.services.sessions import authenticate

    found = authenticate(ctx, username, "password-123")
    assert found is not None
    return found


@pytest.fixture
def world(ctx: Context) -> World:
    catalog.create_subcommunity(ctx, SYSTEM, "jupyter-frontends", "Jupyter Frontends")
    catalog.create_subcommunity(ctx, SYSTEM, "voila", "Voilà")
    catalog.create_theme(ctx, SETUP_EXECUTIVE, "ux", "User experience")
    with transaction(ctx.engine) as session:
        session.add(
            PeriodRow(
                key="2027-H1",
                name="2027 H1",
                start=date(2027, 1, 1),
                end=date(2027, 6, 30),
                status="signalling",
                envelope={},
                signal_forms=["approval", "points"],
                points_budget=100,
                privacy="attributed",
                weeks_per_currency=0.0,
            )
        )
        session.add_all(
            [SkillRow(slug="python", name="Python"), SkillRow(slug="react", name="React")]
        )
    catalog.create_organization(
        ctx,
        SYSTEM,
        {
            "key": "acme-notebooks",
            "name": "Acme Notebooks",
            "kind": "company",
            "tier": "premier",
            "annual_commitment": 150000,
            "term_start": date(2026, 1, 1),
            "term_end": date(2027, 12, 31),
        },
    )
    people = {
        "admin": [("admin", None)],
        "exec": [("executive", None)],
        "lead": [("lead", "jupyter-frontends")],
        "otherlead": [("lead", "voila")],
        "orgrep": [("representative", "acme-notebooks")],
        "staff": [("staff", None)],
        "member": [],
    }
    for username, grants in people.items():
        accounts.create_user(ctx, SYSTEM, username, username.title(), "password-123")
        for role, scope in grants:
            accounts.grant_role(ctx, SYSTEM, username, role, scope)
    actors = {name: _signed_in(ctx, name) for name in people}
    actors["public"] = Actor.public()
    return World(ctx, actors)
