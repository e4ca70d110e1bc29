"""Accepting and rejecting the claims article intake proposes (see ``transfers.intake``).

An accepted proposal is written as a draft: a new transfer through ``transfer_create``, a claim on
an existing one through ``transfer_add``; either way a second user reviews it later. A rejected one is
remembered, so that the next run on the same source does not propose it again.
"""

from django.core.exceptions import ValidationError

from transfers import readmodel
from transfers.intake.cues import furthest_status
from transfers.intake.proposals import Proposal, existing_transfer, free_slug, new_transfer_slug
from transfers.models import Actor, Claim, Materiel, Place, ProposalRejection, Source, State, TransferEvent

from .transfers import transfer_add, transfer_create

ACCEPTED_REASON = "Accepted from propose_claims"


def _get(model, field: str, **lookup):
    """The record a proposal names, or an error on the field that names it."""
    try:
        return model.objects.get(**lookup)
    except model.DoesNotExist:
        value = next(iter(lookup.values()))
        raise ValidationError({field: f"No {model._meta.verbose_name} {value!r}."}) from None


@readmodel.batched()
def proposal_accept(*, source: Source, proposal: Proposal, credibility: int, note: str) -> Claim:
    """Write ``proposal`` (as the analyst edited it) as a claim on its transfer, creating the
    transfer when none of these parties and materiel (or a broader one) exists."""
    supplier = _get(State, "supplier", iso3=proposal.supplier)
    recipient = _get(State, "recipient", iso3=proposal.recipient)
    materiel = _get(Materiel, "materiel", slug=proposal.materiel)
    claimant = _get(Actor, "claimant", slug=proposal.claimant) if proposal.claimant else None
    claim = {"source": source, "quote": proposal.quote, "stance": proposal.stance, "claimant": claimant,
             "credibility": credibility, "note": note}
    transfer = existing_transfer(proposal.supplier, proposal.recipient, proposal.materiel)
    claim_slug = free_slug(f"{(transfer.slug if transfer else new_transfer_slug(proposal, source))[:90]}"
                           f"-s{proposal.sentence + 1}-{proposal.stance}", Claim)
    events = [
        {"status": e.status, "date": e.date, "date_precision": e.date_precision,
         "note": f"Proposed from the cue {e.cue!r}."}
        for e in proposal.events
        if e.date is not None
        and not (transfer and TransferEvent.objects.filter(transfer=transfer, status=e.status, date=e.date).exists())
    ]
    claim["slug"] = claim_slug
    events = [{**data, "claim": claim_slug} for data in events]
    if transfer is not None:
        added, _events = transfer_add(transfer=transfer, claims=[claim], events=events, reason=ACCEPTED_REASON)
        return added[0]
    created = transfer_create(
        supplier=supplier, recipient=recipient, materiel=materiel,
        status=furthest_status(e["status"] for e in events),
        supplier_actor=_get(Actor, "supplier_actor", slug=proposal.supplier_actor) if proposal.supplier_actor else None,
        recipient_actor=(
            _get(Actor, "recipient_actor", slug=proposal.recipient_actor) if proposal.recipient_actor else None
        ),
        destination=_get(Place, "destination", slug=proposal.destination) if proposal.destination else None,
        covert=proposal.covert, first_reported=source.published,
        description=f"Proposed from source '{source.slug}' and accepted; describe what is known and what is not.",
        via=[_get(State, "via", iso3=iso3) for iso3 in proposal.via],
        via_regions=[_get(Place, "via_regions", slug=slug) for slug in proposal.via_regions],
        slug=new_transfer_slug(proposal, source),
        claims=[claim],
        events=events,
        reason=ACCEPTED_REASON,
    )
    return created.claims.get()


@readmodel.batched()
def proposal_reject(*, source: Source, proposal: Proposal, user, reason: str = "") -> ProposalRejection:
    """Remember that ``proposal`` was turned down (once per source and proposal)."""
    rejection, _created = ProposalRejection.objects.get_or_create(
        source=source, fingerprint=proposal.fingerprint,
        defaults={"quote": proposal.quote, "summary": proposal.summary[:300], "reason": reason[:300],
                  "rejected_by": user if user is not None and user.is_authenticated else None},
    )
    return rejection
