"""Writing pabulib ``.pb`` files."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from roadmap.allocation.election import Election
from roadmap.allocation.pabulib.head import format_number


def write_pabulib(election: Election, path: str | Path) -> None:
    """Write an election as a ``.pb`` file that ``read_pabulib`` reads back equal."""
    Path(path).write_text(format_pabulib(election), encoding="utf-8")


def format_pabulib(election: Election) -> str:
    """Return the text of the ``.pb`` file for an election."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    meta = dict(election.meta)
    meta["budget"] = format_number(election.budget)
    meta["vote_type"] = election.ballot_type.value
    # Counts are rewritten when the file had them, so they cannot go stale.
    if "num_projects" in meta:
        meta["num_projects"] = str(len(election.projects))
    if "num_votes" in meta:
        meta["num_votes"] = str(len(election.voters))
    writer.writerow(["META"])
    writer.writerow(["key", "value"])
    writer.writerows(meta.items())
    writer.writerow(["PROJECTS"])
    writer.writerow(election.project_columns)
    others = election.project_columns[2:]
    for p in election.projects:
        writer.writerow([p.id, format_number(p.cost), *(p.fields.get(k, "") for k in others)])
    writer.writerow(["VOTES"])
    points = election.ballot_type.has_points
    fixed = ["voter_id", "vote", "points"] if points else ["voter_id", "vote"]
    writer.writerow([*fixed, *election.voter_columns])
    for v in election.voters:
        row = [v.id, ",".join(v.items)]
        if points:
            row.append(",".join(format_number(x) for x in v.points or ()))
        writer.writerow([*row, *v.extra])
    return out.getvalue()
