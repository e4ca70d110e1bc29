from .deletions import Deletion
from .intake import ProposalRejection
from .records import FacetTally, TransferRecord, TransferWords
from .reference import Actor, Materiel, Place, State
from .sanctions import SanctionDesignation, SanctionsRegime
from .sources import Source
from .tallies import NetworkRouteTally, NetworkTally, PairTally, RouteTally, StatusTally, YearCategoryTally
from .transfers import Claim, Transfer, TransferBreach, TransferEvent, TransferParty, TransferVia

__all__ = [
    "Actor",
    "Claim",
    "Deletion",
    "FacetTally",
    "Materiel",
    "NetworkRouteTally",
    "NetworkTally",
    "PairTally",
    "Place",
    "ProposalRejection",
    "RouteTally",
    "SanctionDesignation",
    "SanctionsRegime",
    "Source",
    "State",
    "StatusTally",
    "Transfer",
    "TransferBreach",
    "TransferEvent",
    "TransferParty",
    "TransferRecord",
    "TransferWords",
    "TransferVia",
    "YearCategoryTally",
]
