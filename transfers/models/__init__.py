from .reference import Actor, Materiel, Place, State
from .sanctions import SanctionDesignation, SanctionsRegime
from .sources import Source
from .transfers import Claim, Transfer, TransferEvent, TransferVia, TransferViaRegion

__all__ = [
    "Actor",
    "Claim",
    "Materiel",
    "Place",
    "SanctionDesignation",
    "SanctionsRegime",
    "Source",
    "State",
    "Transfer",
    "TransferEvent",
    "TransferVia",
    "TransferViaRegion",
]
