"""Signal receivers keeping the read model current on every save path (``loaddata`` included), in
the writer's transaction: the transfers a changed record shows in are refreshed (see ``transfers.readmodel``).

Connected after ``transfers.signals`` (see apps.py), so that a recategorised materiel's transfers
already carry its new category when their documents are rebuilt.
"""

from django.db.models import Q, QuerySet
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from transfers.models import (
    Actor,
    Claim,
    Materiel,
    Place,
    SanctionDesignation,
    SanctionsRegime,
    Source,
    State,
    Transfer,
    TransferBreach,
    TransferParty,
    TransferVia,
)
from transfers.models.transfers import TRANSFER_PARTS

from . import changed, summary

# The fields of a reference that documents (or the search words) show: a change to any other field
# (a source's text, an actor's description) leaves every document as it is.
SHOWN = {
    State: ("iso3", "name", "aliases"),
    Actor: ("slug", "name", "aliases"),
    Materiel: ("slug", "name", "designation", "aliases", "category"),
    Place: ("slug", "name"),
    Source: ("slug",),
    SanctionsRegime: ("slug",),
}


@receiver(post_save, sender=Transfer, dispatch_uid="readmodel_transfer_saved")
def transfer_saved(sender, instance, using, **kwargs):
    changed(ids=[instance.pk], using=using)


@receiver(pre_delete, sender=Transfer, dispatch_uid="readmodel_transfer_deleting")
def transfer_deleting(sender, instance, using, **kwargs):
    # Its record goes with it (CASCADE): what the record counts in the summary is read now...
    instance._readmodel_counted_out = summary.counted_out([instance.pk], using=using)


@receiver(post_delete, sender=Transfer, dispatch_uid="readmodel_transfer_deleted")
def transfer_deleted(sender, instance, using, **kwargs):
    # ...and taken away once it is gone: after the tallies' own receivers (connected before these),
    # as the summary's rows are locked last on every write path.
    summary.add(getattr(instance, "_readmodel_counted_out", {}), using=using)


def _with_transfer(origin) -> bool:
    """Whether a deletion started from transfers (its parts go with them, and so do their records)."""
    if isinstance(origin, QuerySet):
        return origin.model is Transfer
    return isinstance(origin, Transfer)


def _part_changed(sender, instance, using, **kwargs):
    if _with_transfer(kwargs.get("origin")):
        return
    changed(ids=[instance.transfer_id], using=using)


for _part in TRANSFER_PARTS:
    post_save.connect(_part_changed, sender=_part, dispatch_uid=f"readmodel_{_part.__name__}_saved")
    post_delete.connect(_part_changed, sender=_part, dispatch_uid=f"readmodel_{_part.__name__}_deleted")


def _shown(instance) -> tuple:
    return tuple(getattr(instance, name) for name in SHOWN[type(instance)])


def _remember_shown(sender, instance, using, **kwargs):
    stored = None
    if instance.pk is not None:
        stored = sender._base_manager.using(using).filter(pk=instance.pk).values_list(*SHOWN[sender]).first()
    instance._readmodel_shown = stored


def _transfers_showing(instance, using: str) -> set[int]:
    """The transfers whose documents show this reference (its code, name or slug)."""
    transfers = Transfer.objects.using(using).order_by()
    pk = instance.pk
    found: list = []
    if isinstance(instance, State):
        found += [transfers.filter(Q(supplier_id=pk) | Q(recipient_id=pk)).values_list("pk", flat=True),
                  TransferVia.objects.using(using).filter(state_id=pk).values_list("transfer_id", flat=True),
                  TransferParty.objects.using(using).filter(state_id=pk).values_list("transfer_id", flat=True)]
    elif isinstance(instance, Actor):
        found += [transfers.filter(Q(supplier_actor_id=pk) | Q(recipient_actor_id=pk)).values_list("pk", flat=True),
                  TransferParty.objects.using(using).filter(actor_id=pk).values_list("transfer_id", flat=True),
                  Claim.objects.using(using).filter(claimant_id=pk).values_list("transfer_id", flat=True)]
    elif isinstance(instance, Materiel):
        found.append(transfers.filter(materiel_id=pk).values_list("pk", flat=True))
    elif isinstance(instance, Place):
        found += [transfers.filter(destination_id=pk).values_list("pk", flat=True),
                  TransferVia.objects.using(using).filter(place_id=pk).values_list("transfer_id", flat=True)]
    elif isinstance(instance, Source):
        found.append(Claim.objects.using(using).filter(source_id=pk).values_list("transfer_id", flat=True))
    elif isinstance(instance, SanctionsRegime):
        found.append(TransferBreach.objects.using(using).filter(regime_id=pk).values_list("transfer_id", flat=True))
    return {transfer for queryset in found for transfer in queryset}


def _reference_saved(sender, instance, using, created, **kwargs):
    before = getattr(instance, "_readmodel_shown", None)
    if created or before is None or before == _shown(instance):
        return  # nothing shows a new reference yet
    changed(ids=_transfers_showing(instance, using), using=using)


for _reference in SHOWN:
    pre_save.connect(_remember_shown, sender=_reference, dispatch_uid=f"readmodel_{_reference.__name__}_before")
    post_save.connect(_reference_saved, sender=_reference, dispatch_uid=f"readmodel_{_reference.__name__}_saved")


def _designated(state_id, actor_id, using: str) -> set[int]:
    """The transfers with this State or actor as a party in any role: whose sanction flag a
    designation of it can change."""
    q = Q(pk__in=[])
    parties = TransferParty.objects.using(using)
    if state_id is not None:
        q |= Q(supplier_id=state_id) | Q(recipient_id=state_id)
        q |= Q(pk__in=parties.filter(state_id=state_id).values("transfer_id"))
    if actor_id is not None:
        q |= Q(supplier_actor_id=actor_id) | Q(recipient_actor_id=actor_id)
        q |= Q(pk__in=parties.filter(actor_id=actor_id).values("transfer_id"))
    return set(Transfer.objects.using(using).filter(q).values_list("pk", flat=True))


@receiver(pre_save, sender=SanctionDesignation, dispatch_uid="readmodel_designation_before")
def designation_before(sender, instance, using, **kwargs):
    instance._readmodel_designated = None
    if instance.pk is not None:
        instance._readmodel_designated = sender._base_manager.using(using).filter(pk=instance.pk).values_list(
            "state_id", "actor_id").first()


@receiver(post_save, sender=SanctionDesignation, dispatch_uid="readmodel_designation_saved")
@receiver(post_delete, sender=SanctionDesignation, dispatch_uid="readmodel_designation_deleted")
def designation_changed(sender, instance, using, **kwargs):
    ids = _designated(instance.state_id, instance.actor_id, using)
    before = getattr(instance, "_readmodel_designated", None)
    if before:
        ids |= _designated(*before, using)
    changed(ids=ids, using=using)
