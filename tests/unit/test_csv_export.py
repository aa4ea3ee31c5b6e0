"""CSV cells a spreadsheet would run as a formula are neutralised (OWASP: a leading single
quote), text only, and every CSV writer of the product goes through the one module."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd
import pytest

from roadmap.services.csv_export import frame_csv, neutralise, writer

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = ['=HYPERLINK("http://x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(1)", "\t=1", "\r=1"]
ORDINARY = ["Faster notebook start-up", "a-b", "x=y", "C++ kernels", "", "'quoted'"]


@pytest.mark.parametrize("text", HOSTILE)
def test_text_a_spreadsheet_would_run_gets_a_leading_quote(text: str) -> None:
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", [*ORDINARY, -2.5, -3, 0, True, None])
def test_ordinary_text_and_numbers_are_unchanged(value: object) -> None:
    assert neutralise(value) == value
    assert type(neutralise(value)) is type(value)


def test_the_writer_neutralises_every_text_cell_and_keeps_numbers() -> None:
    out = io.StringIO()
    rows = [["title", "weeks"], *([text, -2.5] for text in HOSTILE + ORDINARY)]
    writer(out).writerows(rows)
    read = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    assert read[0] == ["title", "weeks"]
    assert [r[0] for r in read[1:]] == ["'" + t for t in HOSTILE] + ORDINARY
    assert {r[1] for r in read[1:]} == {"-2.5"}


def test_a_table_is_written_with_its_text_cells_and_headings_neutralised() -> None:
    frame = pd.DataFrame({"Title": HOSTILE + ORDINARY, "Weeks": [-2.5] * 12, "@Owner": ["=x"] * 12})
    read = list(csv.reader(io.StringIO(frame_csv(frame), newline="")))
    assert read[0] == ["Title", "Weeks", "'@Owner"]
    assert [r[0] for r in read[1:]] == ["'" + t for t in HOSTILE] + ORDINARY
    assert {r[1] for r in read[1:]} == {"-2.5"}
    assert {r[2] for r in read[1:]} == {"'=x"}


def test_every_csv_writer_of_the_product_goes_through_csv_export() -> None:
    """The .pb export (allocation/pabulib/write.py) is pabulib's file format, read back equal by
    the allocation code: its cells must stay as they are."""
    allowed = {"src/roadmap/services/csv_export.py", "src/roadmap/allocation/pabulib/write.py"}
    writers = re.compile(r"\.to_csv\(|csv\.writer\(|DictWriter\(")
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for folder in ("src", "pages")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if writers.search(line) and str(path.relative_to(ROOT)) not in allowed
    ]
    found += [
        f"app.py:{n}"
        for n, line in enumerate((ROOT / "app.py").read_text().splitlines(), 1)
        if writers.search(line)
    ]
    assert found == []
