"""Reads that are more than a filter: the questions analysts ask of transfers."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from .choices import Stance
from .models import Claim, SanctionDesignation, Transfer


def sanctioned_party_exists() -> Exists:
    """True when a transfer's supplier, recipient or either named actor is under sanctions."""
    return Exists(
        SanctionDesignation.objects.filter(
            Q(state=OuterRef("supplier_id"))
            | Q(state=OuterRef("recipient_id"))
            | Q(actor=OuterRef("supplier_actor_id"))
            | Q(actor=OuterRef("recipient_actor_id"))
        )
    )


def denial_exists() -> Exists:
    """True when some claim on the transfer denies it: a contested transfer."""
    return Exists(Claim.objects.filter(transfer=OuterRef("pk"), stance=Stance.DENIES))


def transfer_list() -> QuerySet[Transfer]:
    """Transfers with what every list shows: their references joined, sanction and contest flags."""
    return Transfer.objects.select_related(
        "supplier", "recipient", "supplier_actor", "recipient_actor", "materiel", "destination"
    ).annotate(sanctioned=sanctioned_party_exists(), contested=denial_exists())
