"""Reading pabulib ``.pb`` files: the column-wise reader first, the strict one when in doubt."""

from __future__ import annotations

from pathlib import Path

from roadmap.allocation.election import Election
from roadmap.allocation.pabulib.bulk import parse_fast
from roadmap.allocation.pabulib.head import PabulibFormatError
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
    return parse_pabulib(decode_pabulib(Path(path).read_bytes()))


def decode_pabulib(data: bytes) -> str:
    """The text of a ``.pb`` file's bytes: UTF-8, a leading byte-order mark dropped.

    Raises
    ------
    roadmap.allocation.pabulib.PabulibFormatError
        If the bytes are not UTF-8 (UTF-16, Latin-1 ...), naming the first line that is not.
    """
    nul = data.find(b"\0")
    if nul >= 0:  # valid UTF-8 but no text: UTF-16 without a byte-order mark, or binary
        line = data.count(b"\n", 0, nul) + 1
        raise PabulibFormatError(
            line,
            "the file is not UTF-8 text (it holds NUL bytes, as UTF-16 does); save it as UTF-8",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise PabulibFormatError(
            line, f"the file is not UTF-8 text (byte 0x{data[error.start]:02x}); save it as UTF-8"
        ) from None


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
