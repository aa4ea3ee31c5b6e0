"""Every download button on every page, for every demo role and signed out, on the demo data
with a published plan: a click produces a non-empty file that parses as its kind (a CSV has
a header row and rows of its width, Markdown is text with a heading, JSON loads), and
neither the file nor the rerun the click starts raises or shows an error.

How a click is made here. AppTest (Streamlit 1.67) lists the buttons in
``at.download_button``; their payload is not in the element but in the media file manager
of the run, which AppTest creates per run and forgets after it, so the test keeps it (see
``_Media``). A button drawn with bytes or text carries the stored file's URL in
``proto.url``; a button drawn with a callable (every report here is written only on a click)
carries ``proto.deferred_file_id``, and the test runs ``execute_deferred`` on it, which is
what the server does when a browser clicks, and reads the file at the URL it returns. Then
``click()`` and ``run()`` make the rerun the browser asks for after a download.

The buttons a page is expected to draw are listed in :func:`offered`; the set of (page,
person, button, file) clicked must equal that list taken over the registry's pages a person
may open, so the test fails if it clicks nothing, misses a button or meets an unlisted one.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from sqlalchemy import select
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1 import app_test as app_test_module

from roadmap import config
from roadmap.domain.access import Actor
from roadmap.services import bundles, demo, imports, item_reads, periods, publishing, reports
from roadmap.services.context import default_context
from roadmap.services.publishing import PlanView
from roadmap.services.sessions import actor_from_row
from roadmap.store.engine import reading
from roadmap.store.migrate import upgrade
from roadmap.store.tables import UserRow
from roadmap.ui.registry import PAGES

ROOT = Path(__file__).resolve().parents[2]
USERS = [None, "admin", "exec", "lead", "orgrep", "staff", "member"]

# (page, person, button label, file name); the person is a demo username or "signed out".
Visit = tuple[str, str, str, str]


def _who(username: str | None) -> str:
    return username or "signed out"


# The pages whose download buttons are the same for everyone who may open them.
FIXED: dict[str, set[tuple[str, str]]] = {
    "roadmap": {("Download as CSV", "roadmap.csv")},
    "members": {("Download as CSV", "members.csv")},
    "audit": {("Download as CSV", "audit.csv")},
    "admin_users": {("Download as CSV", "users.csv")},
    "signals_overview": {("Download signals as CSV", "signals.csv")},
}


def offered(page: str, actor: Actor, plan: PlanView) -> set[tuple[str, str]]:
    """The download buttons (label, file name) ``page`` draws for ``actor`` on this data."""
    if page == "plan":
        stem = f"plan-{plan.period}-v{plan.version}"
        return {
            ("Download the plan as a Markdown report", f"{stem}.md"),
            ("Download the assignments as CSV", f"{stem}.csv"),
            ("Download the election and outcome to check (JSON)", f"{stem}-bundle.json"),
        }
    if page == "imports":  # a template for each kind; the problems of a bad file
        kinds = imports.allowed_kinds(actor)
        return {("Download a template", f"{k}-template.csv") for k in kinds} | {
            ("Download the problems (CSV)", f"{k}-problems.csv") for k in kinds
        }
    return FIXED.get(page, set())


def expected(actor: Actor, username: str | None, plan: PlanView) -> set[Visit]:
    return {
        (spec.key, _who(username), label, name)
        for spec in PAGES
        if spec.allows(actor)
        for label, name in offered(spec.key, actor, plan)
    }


class _Media:
    """The media file manager (and its storage) of AppTest's latest run: AppTest builds a
    new one for every run inside ``run()`` and drops it at the end."""

    def __init__(self) -> None:
        self.manager: MediaFileManager | None = None
        self.storage: MemoryMediaFileStorage | None = None

    def __call__(self, storage: MemoryMediaFileStorage) -> MediaFileManager:
        self.storage = storage
        self.manager = MediaFileManager(storage)
        return self.manager

    def payload(self, proto: Any) -> tuple[bytes, str, str]:
        """What a click on the button downloads: (content, mime type, file name)."""
        assert self.manager is not None and self.storage is not None
        if proto.HasField("deferred_file_id"):
            url = self.manager.execute_deferred(proto.deferred_file_id)  # the server's click
        else:
            url = proto.url
        assert url, "a download button without a file"
        stored = self.storage.get_file(url.rsplit("/", 1)[-1])
        return stored.content, stored.mimetype, stored.filename or ""


def _parses(content: bytes, mime: str, name: str) -> str | None:
    """Why the file is not a well-formed file of its kind, or None."""
    if not content.strip():
        return "the file is empty"
    text = content.decode("utf-8-sig")
    if mime == "text/csv" and name.endswith(".csv"):
        rows = list(csv.reader(io.StringIO(text, newline="")))
        # A CSV may hold several tables, one after another with an empty row between.
        tables: list[list[list[str]]] = [[]]
        for row in rows:
            if row:
                tables[-1].append(row)
            elif tables[-1]:
                tables.append([])
        for table in filter(None, tables):
            header = table[0]
            if not all(cell.strip() for cell in header) or len(set(header)) != len(header):
                return f"no header row: {header}"
            ragged = [row for row in table if len(row) != len(header)]
            if ragged:
                return f"rows not as wide as the header {header}: {ragged[:2]}"
        if len(rows) < 2:  # the demo data has something to list in every CSV
            return "a header and no rows"
        return None
    if mime == "text/markdown" and name.endswith(".md"):
        return None if text.lstrip().startswith("#") else "Markdown without a heading"
    if mime == "application/json" and name.endswith(".json"):
        try:
            json.loads(text)
        except ValueError as exc:
            return f"not JSON: {exc}"
        return None
    return f"a file of an unknown kind: {mime} {name}"


def _problems_in(at: AppTest, allowed_error: str | None = None) -> list[str]:
    found = [f"{type(e).__name__}: {e.value}" for e in at.exception]
    found += [
        f"error: {e.value}"
        for e in at.error
        if allowed_error is None or not str(e.value).startswith(allowed_error)
    ]
    return found


def _click_all(
    at: AppTest,
    media: _Media,
    where: tuple[str, str],
    visits: set[Visit],
    failures: list[str],
    allowed_error: str | None = None,
) -> None:
    """Download every button of the run just made, then click each and rerun (the run may
    show ``allowed_error``, and so may the rerun)."""
    page, who = where
    labels = [b.label for b in at.download_button]
    for button in at.download_button:
        try:
            content, mime, name = media.payload(button.proto)
        except Exception as exc:
            cause = exc.__cause__ or exc
            failures.append(f"{page} / {who} / {button.label}: {type(cause).__name__}: {cause}")
            continue
        visits.add((page, who, button.label, name))
        if (why := _parses(content, mime, name)) is not None:
            failures.append(f"{page} / {who} / {name}: {why}")
    for index, label in enumerate(labels):
        after = at.download_button[index]
        assert after.label == label
        after.click().run()
        failures += [
            f"{page} / {who} / after clicking {label}: {p}" for p in _problems_in(at, allowed_error)
        ]


def visit_page(
    page: str, username: str | None, actor: Actor, item_id: int, media: _Media
) -> tuple[set[Visit], list[str]]:
    """Open ``page`` as ``username``, click every download button it draws (for the import
    page: under each kind of file, and once more after a bad file is previewed)."""
    who = _who(username)
    visits: set[Visit] = set()
    failures: list[str] = []
    spec = next(p for p in PAGES if p.key == page)
    at = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=30)
    if page == "item":
        at.query_params["id"] = str(item_id)
    at.run()
    if not spec.allows(actor):  # the refusal (an error) or the sign-in prompt, no downloads
        failures += [f"{page} / {who}: {type(e).__name__}: {e.value}" for e in at.exception]
        if at.download_button:
            failures.append(f"{page} / {who}: a download on a page the person may not open")
        return visits, failures
    failures += [f"{page} / {who}: {p}" for p in _problems_in(at)]
    if page == "item" and [t.value for t in at.title] == ["Item not found"]:
        failures.append(f"item / {who}: item {item_id} not found")
    if failures:
        return visits, failures
    if page != "imports":
        _click_all(at, media, (page, who), visits, failures)
        return visits, failures
    for kind in imports.allowed_kinds(actor):
        next(r for r in at.radio if r.label == "What to import").set_value(kind).run()
        failures += [f"{page} / {who} / {kind}: {p}" for p in _problems_in(at)]
        _click_all(at, media, (page, who), visits, failures)
        names = imports.KINDS[kind].names
        bad = ",".join(names) + "\n" + ",".join("!?" for _ in names) + "\n"
        at.file_uploader[0].upload(f"{kind}.csv", bad.encode(), "text/csv")
        at.run()
        refused = "Nothing was imported"
        failures += [f"{page} / {who} / {kind}, a bad file: {p}" for p in _problems_in(at, refused)]
        if not any(str(e.value).startswith(refused) for e in at.error):
            failures.append(f"{page} / {who} / {kind}: the bad file was not refused")
        _click_all(at, media, (page, who), visits, failures, refused)
    return visits, failures


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlanView]:
    """The pages' database for this module: the demo data and a plan the executive published."""
    with pytest.MonkeyPatch.context() as mp:
        path = tmp_path_factory.mktemp("downloads") / "roadmap.db"
        mp.setenv("ROADMAP_DATABASE_URL", f"sqlite:///{path}")
        # The pages keep the process's context in Streamlit's resource cache: drop it, so
        # that they see this database, and again after, so that later tests see theirs.
        st.cache_resource.clear()
        default_context.cache_clear()
        ctx = default_context()
        upgrade(ctx.engine)
        demo.load_demo(ctx, Actor.system(), config.demo_dir())
        with reading(ctx.engine) as session:
            row = session.scalar(select(UserRow).where(UserRow.username == "exec"))
            assert row is not None
            executive = actor_from_row(row)
        yield publishing.publish_plan(ctx, executive, periods.get_period(ctx).settings.envelope)
        ctx.engine.dispose()
        default_context.cache_clear()
        st.cache_resource.clear()


@pytest.fixture
def media(monkeypatch: pytest.MonkeyPatch) -> _Media:
    kept = _Media()
    monkeypatch.setattr(app_test_module, "MediaFileManager", kept)
    return kept


@pytest.fixture
def item_id(published: PlanView) -> int:
    """A public item, so that the item page draws itself whole."""
    return item_reads.list_items(default_context(), Actor.public(), brief=True, limit=1)[0].id


@pytest.mark.parametrize("username", USERS)
def test_every_download_button_of_every_page_gives_a_file_of_its_kind(
    username: str | None,
    published: PlanView,
    item_id: int,
    media: _Media,
    as_user: Callable[[str | None], Actor],
) -> None:
    actor = as_user(username)
    visits: set[Visit] = set()
    failures: list[str] = []
    for spec in PAGES:
        seen, failed = visit_page(spec.key, username, actor, item_id, media)
        visits |= seen
        failures += failed
    assert not failures, "\n".join(failures)
    want = expected(actor, username, published)
    assert want, "every person may download something (the public roadmap's CSV at least)"
    assert visits == want, (sorted(want - visits), sorted(visits - want))


def test_a_download_that_raises_is_reported(
    published: PlanView,
    item_id: int,
    media: _Media,
    as_user: Callable[[str | None], Actor],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The check above is not blind: a report that raises when clicked is a failure, named."""
    actor = as_user("member")

    def broken(plan: PlanView) -> str:
        raise RuntimeError("the CSV writer broke")

    monkeypatch.setattr(reports, "plan_csv", broken)
    visits, failures = visit_page("plan", "member", actor, item_id, media)
    assert failures == [
        "plan / member / Download the assignments as CSV: RuntimeError: the CSV writer broke"
    ]
    stem = f"plan-{published.period}-v{published.version}"
    assert visits == {
        ("plan", "member", "Download the plan as a Markdown report", f"{stem}.md"),
        (
            "plan",
            "member",
            "Download the election and outcome to check (JSON)",
            f"{stem}-bundle.json",
        ),
    }


@pytest.mark.parametrize("username", [None, "member", "exec"])
def test_the_plan_page_bundle_verifies_for_each_reader(
    username: str | None,
    published: PlanView,
    downloads: dict[str, Callable[[], Any]],
    as_user: Callable[[str | None], Actor],
) -> None:
    """What the plan page's bundle button sends is a bundle of the published plan that
    ``roadmap verify``'s checks accept, whoever downloads it."""
    as_user(username)
    at = AppTest.from_file(str(ROOT / "pages" / "plan.py"), default_timeout=30).run()
    assert not at.exception, [e.value for e in at.exception]
    name = f"plan-{published.period}-v{published.version}-bundle.json"
    assert name in downloads, sorted(downloads)
    bundle = bundles.read_bundle(downloads[name]())
    assert (bundle.period, bundle.version) == (published.period, published.version)
    assert bundle.outcome.selected == [str(f.item) for f in published.snapshot.funded]
    checks = bundles.verify(bundle)
    assert checks and all(c.holds for c in checks), [c.sentence() for c in checks]
