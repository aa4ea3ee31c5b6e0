"""Read and write pabulib ``.pb`` files (https://pabulib.org/format).

A file has three sections, each a line with its name and then a header row: META
(``key;value``), PROJECTS (``project_id;cost;...``) and VOTES (``voter_id;vote[;points];...``).
Fields are ``;``-separated with CSV quoting; ``vote`` and ``points`` are ``,``-separated lists.
Reading is strict: anything malformed raises :class:`PabulibFormatError` naming the line.

:mod:`.read` tries the column-wise reader (:mod:`.bulk`) and falls back to the line-by-line
one (:mod:`.strict`); both read the head of a file with :mod:`.head`; :mod:`.write` writes.
"""

from roadmap.allocation.pabulib.head import PabulibFormatError, format_number, parse_number
from roadmap.allocation.pabulib.read import parse_pabulib, read_pabulib
from roadmap.allocation.pabulib.write import format_pabulib, write_pabulib

__all__ = [
    "PabulibFormatError",
    "format_number",
    "format_pabulib",
    "parse_number",
    "parse_pabulib",
    "read_pabulib",
    "write_pabulib",
]
