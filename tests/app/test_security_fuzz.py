"""Hostile values in every page's query parameters and every text field, for every demo role,
on SQLite and PostgreSQL: no exception escapes, a control character never reaches the
database, a refusal writes nothing, and a form that refuses says so in a sentence.

The quick matrix (five values, the last role each page allows) runs in ``make test``; the
whole matrix (every value, every role) is also marked ``slow``. ``make security`` runs both.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from streamlit.testing.v1 import AppTest
from support import dump, pg_schema

from roadmap import config
from roadmap.domain import boundary
from roadmap.domain.access import Actor
from roadmap.domain.enums import ItemStatus
from roadmap.services import demo
from roadmap.services.context import default_context
from roadmap.store.engine import reading
from roadmap.store.migrate import upgrade
from roadmap.store.tables import Base, ItemRow
from roadmap.ui import session
from roadmap.ui.registry import PAGES

pytestmark = pytest.mark.security

ROOT = Path(__file__).resolve().parents[2]
USERS = [None, "admin", "exec", "lead", "orgrep", "staff", "member"]
HOSTILE = {
    "huge-int": "9223372036854775808",
    "int32+1": "2147483648",
    "negative": "-1",
    "non-numeric": "twelve",
    "nul": "a\x00b",
    "control": "bell\x07 escape\x1b[31m",
    "100KB": "x" * 100_000,
    "script": "<script>alert(1)</script>",
    "markdown": "# Heading\n[link](javascript:alert(1)) ![img](http://evil.example/i.png)",
    "sql": "'; DROP TABLE items; --",
    "rtl-override": "abc\u202edcba.exe",
    "cr": "line one\rline two",
}
QUICK = ["nul", "control", "100KB", "script", "rtl-override"]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Fresh demo data of its own in each database, which the pages use while this module
    runs (the fuzz writes, so the other app tests keep their database as it was)."""
    previous = os.environ["ROADMAP_DATABASE_URL"]
    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('fuzzdb') / 'roadmap.db'}"
        else:
            url = stack.enter_context(pg_schema("roadmap_fuzz"))
        os.environ["ROADMAP_DATABASE_URL"] = url
        default_context.cache_clear()
        session._ready_context.clear()  # the pages' context is a Streamlit cached resource
        ctx = default_context()
        try:
            upgrade(ctx.engine)
            demo.load_demo(ctx, Actor.system(), config.demo_dir())
            assert session.context().engine.url == ctx.engine.url, "the pages use this database"
            yield request.param
        finally:
            ctx.engine.dispose()
            os.environ["ROADMAP_DATABASE_URL"] = previous
            default_context.cache_clear()
            session._ready_context.clear()


def _in_comment_item() -> int:
    with reading(default_context().engine) as session:
        found = session.scalar(
            select(ItemRow.id).where(ItemRow.status == ItemStatus.IN_COMMENT.value).limit(1)
        )
    assert found is not None, "the demo has an item open for comment"
    return int(found)


def _page(key: str, query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / f"{key}.py"), default_timeout=30)
    for name, value in (query or {}).items():
        at.query_params[name] = value
    return at


def _shown(at: AppTest) -> list[str]:
    return [str(e.value) for e in list(at.error) + list(at.warning)]


def _counts(engine: Engine) -> dict[str, int]:
    """Rows per table: every write adds a row somewhere (an update adds its audit event)."""
    with engine.connect() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in Base.metadata.sorted_tables
        }


def _no_exception(at: AppTest, where: object) -> None:
    assert not at.exception, (where, [e.value for e in at.exception])


def _forbidden_stored(rows: dict[str, list[tuple[object, ...]]]) -> list[str]:
    """Every stored text that holds a character the boundary refuses."""
    found = []
    for table, table_rows in rows.items():
        for row in table_rows:
            for value in row:
                if isinstance(value, str) and boundary.text_problem(value, "x"):
                    found.append(f"{table}: {value[:60]!r}")
    return found


def _roles(page: str, users: list[str | None], as_user: Callable[..., Actor]) -> list[Any]:
    spec = next(p for p in PAGES if p.key == page)
    return [u for u in users if spec.allows(as_user(u))]


def _query_fuzz(
    pages: list[str], values: list[str], users: list[str | None], as_user: Callable[..., Actor]
) -> int:
    """Open each page with each hostile value in ``id`` (the one parameter a page reads) and
    in two it does not; the item page must say "Item not found" for every one."""
    runs = 0
    for key in pages:
        spec = next(p for p in PAGES if p.key == key)
        for user in users:
            actor = as_user(user)
            for name in values:
                query = {"id": HOSTILE[name], "period": HOSTILE[name], "page": HOSTILE[name]}
                at = _page(key, query).run()
                _no_exception(at, (key, user, name))
                if key == "item" and spec.allows(actor):
                    assert at.title[0].value == "Item not found", (user, name)
                runs += 1
    return runs


def _form_fuzz(
    values: list[str], every_role: bool, as_user: Callable[..., Actor]
) -> tuple[int, set[str]]:
    """Fill every text field of every page with each value and press each button that sends
    them; returns the runs made and the pages whose fields were filled."""
    engine = default_context().engine
    item = str(_in_comment_item())
    runs, filled = 0, set()
    for spec in PAGES:
        query = {"id": item} if spec.key == "item" else {}
        users = _roles(spec.key, USERS, as_user)
        for user in users if every_role else users[-1:]:
            as_user(user)
            first = _page(spec.key, query).run()
            _no_exception(first, (spec.key, user))
            texts = list(first.text_input) + list(first.text_area)
            if not texts:
                continue
            filled.add(spec.key)
            text_forms = {w.form_id for w in texts}
            loose = "" in text_forms
            buttons = [
                i
                for i, b in enumerate(first.button)
                if (b.form_id and b.form_id in text_forms) or (loose and not b.form_id)
            ]
            for name in values:
                value = HOSTILE[name]
                refused = boundary.text_problem(value, "x") is not None
                for press in [None, *buttons]:
                    at = _page(spec.key, query).run()
                    before, shown = _counts(engine), set(_shown(at))
                    for widget in list(at.text_input) + list(at.text_area):
                        widget.input(value)
                    if press is None:
                        at.run()
                    else:
                        at.button[press].click().run()
                    where = (spec.key, user, name, press)
                    _no_exception(at, where)
                    runs += 1
                    said = set(_shown(at)) - shown
                    if refused and press is not None and first.button[press].form_id:
                        # The sentence: this one, or another rule the value broke first.
                        assert any(s.endswith(".") for s in said), where
                    if said and press is not None:
                        assert _counts(engine) == before, (where, said, "refused yet written")
    assert not _forbidden_stored(dump(engine))
    print(f"form fuzz: {runs} runs over {sorted(filled)}")
    return runs, filled


def test_every_page_survives_hostile_query_parameters_for_every_role(
    database: str, as_user: Callable[..., Actor]
) -> None:
    # Only the item page reads a query parameter (test_only_the_item_page_reads_the_url);
    # the others are opened with a huge number in all three, signed out and as the admin
    # (the slow test below opens every page with every value for every role).
    assert _query_fuzz(["item"], list(HOSTILE), USERS, as_user) == len(USERS) * len(HOSTILE)
    others = [p.key for p in PAGES if p.key != "item"]
    assert _query_fuzz(others, ["huge-int"], [None, "admin"], as_user) == len(others) * 2


def test_only_the_item_page_reads_the_url() -> None:
    readers = sorted(
        p.name for p in (ROOT / "pages").glob("*.py") if "query_params" in p.read_text()
    )
    assert readers == ["item.py"]


@pytest.mark.slow  # over a minute per database; make security and make test-slow run it
def test_every_text_field_refuses_control_characters_and_survives_hostile_text(
    database: str, as_user: Callable[..., Actor]
) -> None:
    runs, filled = _form_fuzz(QUICK, every_role=False, as_user=as_user)
    assert {"item", "my_items", "review", "organizations", "admin_users"} <= filled
    assert runs > 0


@pytest.mark.slow
def test_every_page_survives_every_hostile_query_value_for_every_role(
    database: str, as_user: Callable[..., Actor]
) -> None:
    _query_fuzz([p.key for p in PAGES], list(HOSTILE), USERS, as_user)


@pytest.mark.slow
def test_every_text_field_survives_every_hostile_value_for_every_role(
    database: str, as_user: Callable[..., Actor]
) -> None:
    _form_fuzz(list(HOSTILE), every_role=True, as_user=as_user)
