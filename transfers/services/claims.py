"""Adding what a source says to a transfer that already exists: a claim and the steps it reports."""

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction

from transfers.choices import Credibility, Stance
from transfers.models import Actor, Claim, Source, Transfer, TransferEvent

CLAIM_ADDED_REASON = "Claim added"


@transaction.atomic
def claim_add(
    *,
    transfer: Transfer,
    source: Source,
    quote: str,
    stance: str = Stance.ASSERTS,
    claimant: Actor | None = None,
    credibility: int = Credibility.CANNOT_JUDGE,
    note: str = "",
    slug: str = "",
    events: Sequence[Mapping[str, Any]] = (),
) -> Claim:
    """Add a claim, and the timeline steps that rest on it, to ``transfer``; all or nothing.

    The model's rules (the quote stands in the source, vocabularies, an event's date matches its
    precision) run through ``full_clean``. A reviewed transfer returns to draft: its review did not
    cover the new evidence.
    """
    from .review import transfer_return_to_draft

    claim = Claim(
        transfer=transfer, source=source, quote=quote, stance=stance, claimant=claimant, credibility=credibility,
        note=note, slug=slug or f"{transfer.slug[:90]}-claim-{uuid.uuid4().hex[:8]}",
    )
    claim.full_clean()
    claim.save()
    for data in events:
        event = TransferEvent(transfer=transfer, claim=claim, **data)
        event.full_clean()
        event.save()
    if transfer.is_reviewed:
        transfer_return_to_draft(transfer=transfer, reason=CLAIM_ADDED_REASON)
        transfer.save(update_fields=["reviewed_by", "reviewed_at"])
    return claim
