"""Reading pabulib ``.pb`` files: the column-wise reader first, the strict one when in doubt."""

from __future__ import annotations

from pathlib import Path

from roadmap.allocation.election import Election
from roadmap.allocation.pabulib.bulk import parse_fast
from roadmap.allocation.pabulib.strict import gc_paused, parse_strictly


def read_pabulib(path: str | Path) -> Election:
    """Read a ``.pb`` file.

    Parameters
    ----------
    path : str or Path
        The file (UTF-8, with or without a byte-order mark).

    Returns
    -------
    Election
        The election, projects and voters in file order.

    Raises
    ------
    roadmap.allocation.pabulib.PabulibFormatError
        If the file is malformed; the message names the line number.
    """
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return parse_pabulib(handle.read())


def parse_pabulib(text: str, *, fast: bool = True) -> Election:
    """Parse the text of a ``.pb`` file (see :func:`read_pabulib`).

    With ``fast`` (the default) the VOTES rows are first read column-wise, as one array of
    bytes (:mod:`roadmap.allocation.pabulib.bulk`); anything it is unsure of (a quote, a space
    in an id or a vote, a wrong field count, an unknown or repeated project, points that are
    not plain integers, an error before VOTES) sends the whole text to the strict line-by-line
    reader (:mod:`roadmap.allocation.pabulib.strict`), which names the faulty line or reads the
    subtleties. Both give equal elections (a property test holds them to it); ``fast=False``
    forces the strict reader.
    """
    if fast and (election := parse_fast(text)) is not None:
        return election
    with gc_paused():
        return parse_strictly(text)
