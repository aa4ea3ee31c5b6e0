"""The CSV import page: a preview table, every problem listed with nothing written, one
import button that writes the whole file, and the size limit as a sentence."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from roadmap.domain.access import Actor
from roadmap.services import imports
from roadmap.services.context import default_context
from roadmap.store.engine import reading
from roadmap.store.tables import ItemRow

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "pages" / "imports.py")


def _items() -> int:
    with reading(default_context().engine) as session:
        return int(session.scalar(select(func.count(ItemRow.id))) or 0)


def _page() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=30).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_lead_previews_a_bad_file_sees_every_problem_and_nothing_is_written(
    as_user: Callable[[str | None], Actor],
):
    as_user("lead")
    before = _items()
    at = _page()
    assert [o for o in at.radio[0].options] == ["Roadmap items"], "a lead imports items only"
    bad = imports.KINDS["items"].template() + "x,,nowhere,feature,,1,2,,,\n"
    at.file_uploader[0].upload("items.csv", bad.encode(), "text/csv")
    at.run()
    assert not at.exception
    assert "Nothing was imported: 2 problem(s) on 1 line(s)" in at.error[0].value
    table = at.dataframe[-1].value
    assert list(zip(table["Line"], table["Column"], strict=True)) == [
        (3, "title"),
        (3, "subcommunity"),
    ]
    assert not [b for b in at.button if b.label.startswith("Import")]
    assert _items() == before


def test_a_clean_file_shows_a_preview_and_one_click_imports_it_whole(
    as_user: Callable[[str | None], Actor],
):
    as_user("lead")
    before = _items()
    at = _page()
    good = imports.KINDS["items"].template()
    good += "Second imported item,,jupyter-frontends,docs,,1,2,,,\n"
    at.file_uploader[0].upload("items.csv", good.encode(), "text/csv")
    at.run()
    assert "2 roadmap items ready to import." in at.info[0].value
    assert list(at.dataframe[-1].value["title"]) == [
        "Faster notebook start-up",
        "Second imported item",
    ]
    assert _items() == before, "the preview writes nothing"
    (button,) = [b for b in at.button if b.label == "Import 2 roadmap items"]
    button.click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert _items() == before + 2
    assert "Imported 2 roadmap items from items.csv." in at.success[0].value
    assert not [b for b in at.button if b.label.startswith("Import")], (
        "the uploader is cleared, so a second click cannot import the file twice"
    )


def test_a_file_over_the_size_limit_is_refused_with_a_sentence(
    as_user: Callable[[str | None], Actor], monkeypatch: pytest.MonkeyPatch
):
    as_user("admin")
    monkeypatch.setenv("ROADMAP_MAX_UPLOAD_MB", "0.01")
    at = _page()
    big = imports.KINDS["items"].template().encode() * 200
    at.file_uploader[0].upload("big.csv", big, "text/csv")
    at.run()
    assert not at.exception
    assert at.error[0].value == (
        "The file is 39.8 KB; imports are limited to 10.2 KB. Split it into smaller files."
    )
