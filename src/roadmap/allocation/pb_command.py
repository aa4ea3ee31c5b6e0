"""``roadmap pb FILE --rule RULE [--json]``: run a rule on a pabulib file.

With ``--json`` it prints ``{"selected": [...], "spent": ..., "budget": ...}``, the selected ids
as written in the file and in file order. ``--what-would-fund`` adds ``"what_would_fund":
{"<project id>": {"max_cost": C}, ...}`` for every project not selected: the largest integer
cost, not above its own, at which the same rule selects it (None: no cost of 1 or more does;
:mod:`roadmap.allocation.counterfactual`). Without it, a table of the funded items and the
reason for each item not funded. Errors print one sentence to stderr and return 2.

Also runnable as ``python -m roadmap.allocation.pb_command FILE --rule RULE [--json]``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from fractions import Fraction
from typing import NoReturn

from roadmap.allocation.counterfactual import TooManyRuns, largest_funded_costs
from roadmap.allocation.election import Number
from roadmap.allocation.explanation import Allocation
from roadmap.allocation.pabulib import PabulibFormatError, read_pabulib
from roadmap.allocation.prepared import NotApplicable
from roadmap.allocation.rules import RULES, allocate

MAX_SCAN = 2_000
"""``--what-would-fund`` with a rule that is not monotone in cost (the add1 completions) tries
every cost: at most this many per project, else the command says so and returns 2."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the command's arguments to ``parser``."""
    parser.add_argument("file", help="a pabulib .pb file")
    parser.add_argument("--rule", choices=RULES, default="equal-shares", help="allocation rule")
    parser.add_argument("--json", action="store_true", help="print the outcome as JSON")
    parser.add_argument(
        "--what-would-fund",
        action="store_true",
        help="for each project not selected, the largest integer cost at which the rule selects it",
    )


def run(args: argparse.Namespace) -> int:
    """Run the command; return the exit status (0, or 2 on a user error)."""
    try:
        election = read_pabulib(args.file)
        allocation = allocate(election, args.rule, explain=not args.json)
    except OSError as error:
        return _fail(f"cannot read {args.file}: {error.strerror or error}.")
    except PabulibFormatError as error:
        return _fail(f"{args.file} is not a valid pabulib file: {error}.")
    except NotApplicable as error:
        return _fail(f"{error}.")
    order = {p.id: k for k, p in enumerate(election.projects)}
    selected = sorted(allocation.selected, key=order.__getitem__)
    would_fund = None
    if args.what_would_fund:
        try:
            would_fund = largest_funded_costs(
                election, args.rule, funded=selected, max_scan=MAX_SCAN
            )
        except TooManyRuns as error:
            return _fail(f"--what-would-fund: {error}.")
    if args.json:
        document: dict[str, object] = {
            "selected": selected,
            "spent": _json_number(allocation.spent),
            "budget": _json_number(allocation.budget),
        }
        if would_fund is not None:
            document["what_would_fund"] = {p: {"max_cost": c} for p, c in would_fund.items()}
        print(json.dumps(document, ensure_ascii=False))
    else:
        print(_table(allocation))
        if would_fund is not None:
            print(_would_fund_table(would_fund))
    return 0


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 2


def _json_number(value: Number) -> int | float:
    if isinstance(value, Fraction) and value.denominator != 1:
        return float(value)
    return int(value)


def _table(allocation: Allocation) -> str:
    expl = allocation.explanation
    lines = [
        f"rule {allocation.rule}: {len(allocation.selected)} funded, "
        f"spent {allocation.spent} of {allocation.budget}",
        "",
        f"{'funded item':<24} {'cost':>12} {'payers':>8}  stage",
    ]
    for item in expl.funded:
        lines.append(
            f"{item.item_id:<24} {_fmt(item.cost):>12} {len(item.payments):>8}  {item.stage}"
        )
    lines += ["", f"{'not funded':<24} {'cost':>12}  reason"]
    for missed in expl.unfunded:
        lines.append(f"{missed.item_id:<24} {_fmt(missed.cost):>12}  {missed.reason}")
    paid = [v for v in expl.voters if v.paid]
    lines += ["", f"{len(expl.voters)} voters; {len(paid)} paid for funded items."]
    return "\n".join(lines)


def _would_fund_table(would_fund: dict[str, int | None]) -> str:
    lines = ["", f"{'not funded':<24} {'funded at a cost of at most':>28}"]
    for item, cost in would_fund.items():
        lines.append(f"{item:<24} {'no cost of 1 or more' if cost is None else cost:>28}")
    return "\n".join(lines)


def _fmt(value: Number) -> str:
    return str(value) if isinstance(value, int) else f"{float(value):.2f}"


def main(argv: list[str] | None = None) -> int:
    """Entry point for ``python -m roadmap.allocation.pb_command``."""
    parser = argparse.ArgumentParser(prog="roadmap pb", description=__doc__.splitlines()[0])
    add_arguments(parser)
    return run(parser.parse_args(argv))


def exit_quickly(status: int) -> NoReturn:
    """End the process with ``status`` once the output is written, without the interpreter's
    teardown: freeing one by one the hundreds of thousands of objects a large election leaves
    (and NumPy's and OpenBLAS's own clean-up) took about 45 ms of a 0.3 s run. Nothing is
    left to clean up: the command writes no file, and its output is flushed here first.
    Only for a process that ran this one command (``roadmap pb`` and ``python -m``)."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


if __name__ == "__main__":
    exit_quickly(main())
