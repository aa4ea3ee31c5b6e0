"""Every CSV the product writes is safe to open in a spreadsheet.

Excel, LibreOffice and Google Sheets run a cell that begins with ``=``, ``+``, ``-`` or
``@`` (or a tab or carriage return before one) as a formula: a title like
``=HYPERLINK("http://x")`` or ``+cmd|' /C calc'!A0`` would run on the reader's machine.
OWASP's rule: such a text cell gets a leading single quote, which spreadsheets show as
text. Only text is touched; a number the product writes (``-2.5``) stays a number.

``writer`` stands in for ``csv.writer`` and ``frame_csv`` for ``DataFrame.to_csv``: every CSV
writer of the product goes through one of them (``tests/unit/test_csv_export.py`` checks).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import IO, TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

T = TypeVar("T")


def neutralise(value: T) -> T | str:
    """``value`` with a leading single quote when it is text a spreadsheet would run."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeWriter:
    """``csv.writer`` whose every text cell is neutralised."""

    def __init__(self, out: IO[str], **fmtparams: Any) -> None:
        self._writer = csv.writer(out, **fmtparams)

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([neutralise(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(out: IO[str], **fmtparams: Any) -> SafeWriter:
    return SafeWriter(out, **fmtparams)


def frame_csv(frame: pd.DataFrame) -> str:
    """The table as CSV, without its index, every text cell and heading neutralised.

    Lines end in CR LF (RFC 4180), so a cell holding a bare CR is quoted rather than read as
    the end of its row (with pandas' default LF it is written as is).
    """
    neutral = frame.rename(columns=neutralise).map(neutralise)
    return str(neutral.to_csv(index=False, lineterminator="\r\n"))
