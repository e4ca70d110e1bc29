from .intake import ProposalRejection
from .reference import Actor, Materiel, Place, State
from .sanctions import SanctionDesignation, SanctionsRegime
from .sources import Source
from .transfers import Claim, Transfer, TransferBreach, TransferEvent, TransferParty, TransferVia

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
    "TransferBreach",
    "TransferEvent",
    "TransferParty",
    "TransferVia",
]
