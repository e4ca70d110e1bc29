from .intake import ProposalRejection
from .reference import Actor, Materiel, Place, State
from .sanctions import SanctionDesignation, SanctionsRegime
from .sources import Source
from .transfers import Claim, Transfer, TransferEvent, TransferVia, TransferViaRegion

__all__ = [
    "Actor",
    "Claim",
    "Materiel",
    "Place",
    "ProposalRejection",
    "SanctionDesignation",
    "SanctionsRegime",
    "Source",
    "State",
    "Transfer",
    "TransferEvent",
    "TransferVia",
    "TransferViaRegion",
]
