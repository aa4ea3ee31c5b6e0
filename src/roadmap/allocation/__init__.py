"""Allocation rules (equal shares, greedy by support, sequential Phragmén) as pure functions,
their explanations, the price-system check, and pabulib ``.pb`` reading and writing.

Nothing here does I/O except :mod:`roadmap.allocation.pabulib`, and nothing imports from the
rest of the project. Staff assignment (who works on the funded items) is the subpackage
:mod:`roadmap.allocation.staffing`.

The engine's types are named apart from the app's records that feed them: an
:class:`Earmark` is the rule's view of a member's ``Pledge``, a
:class:`~roadmap.allocation.staffing.Worker` the assignment's view of a ``StaffMember``.
"""

from roadmap.allocation.constraints import NO_CONSTRAINTS, Constraints, Earmark, voice_weights
from roadmap.allocation.counterfactual import (
    VoterChange,
    largest_funded_cost,
    largest_funded_costs,
    smallest_pledge,
    voter_changes,
)
from roadmap.allocation.election import BallotType, Election, Number, Project, Voter
from roadmap.allocation.explanation import (
    POOL,
    Allocation,
    Explanation,
    FundedItem,
    Reason,
    Stage,
    UnfundedItem,
    VoterAccount,
)
from roadmap.allocation.greedy import greedy_by_support
from roadmap.allocation.mes import (
    HeldElsewhere,
    Probe,
    SharedSearch,
    add1_unit_steps,
    equal_shares,
)
from roadmap.allocation.pabulib import (
    PabulibFormatError,
    format_pabulib,
    parse_pabulib,
    read_pabulib,
    write_pabulib,
)
from roadmap.allocation.phragmen import sequential_phragmen
from roadmap.allocation.prepared import NotApplicable
from roadmap.allocation.price_system import PriceCertificate, price_system_of, verify_price_system
from roadmap.allocation.rules import RULES, allocate
from roadmap.allocation.support import effective_supports

__all__ = [
    "NO_CONSTRAINTS",
    "POOL",
    "RULES",
    "Allocation",
    "BallotType",
    "Constraints",
    "Earmark",
    "Election",
    "Explanation",
    "FundedItem",
    "HeldElsewhere",
    "NotApplicable",
    "Number",
    "PabulibFormatError",
    "PriceCertificate",
    "Probe",
    "Project",
    "Reason",
    "SharedSearch",
    "Stage",
    "UnfundedItem",
    "Voter",
    "VoterAccount",
    "VoterChange",
    "add1_unit_steps",
    "allocate",
    "effective_supports",
    "equal_shares",
    "format_pabulib",
    "greedy_by_support",
    "largest_funded_cost",
    "largest_funded_costs",
    "parse_pabulib",
    "price_system_of",
    "read_pabulib",
    "sequential_phragmen",
    "smallest_pledge",
    "verify_price_system",
    "voice_weights",
    "voter_changes",
    "write_pabulib",
]
