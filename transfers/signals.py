"""Rules kept on every save path, including ``loaddata``: the verbatim-quote rule, the
denormalised transfer category, the transfer tallies (``transfers.tallies``) and the deletions feed.

``loaddata`` saves with ``Model.save_base(raw=True)``, bypassing ``save()`` and ``full_clean()``;
``pre_save`` is the one hook every path but ``bulk_create`` passes through. Raising here aborts the
whole fixture (loaddata runs in one transaction), naming the record and the source.
"""

from django.core.exceptions import ValidationError
from django.db.models import F
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from . import rules, tallies
from .models import (
    Actor,
    Claim,
    Deletion,
    Materiel,
    Place,
    SanctionDesignation,
    SanctionsRegime,
    Source,
    State,
    Transfer,
    TransferVia,
)


def _check_quote(instance, *, required: bool, using: str):
    if not instance.quote:
        return
    if instance.source_id is None:
        if required:
            problems = rules.quote_needs_source(instance.quote, None)
            raise ValidationError({"source": f"{instance._meta.label} '{instance.slug}': {problems['source']}"})
        return
    source = Source.objects.using(using).filter(pk=instance.source_id).values_list("slug", "text").first()
    if source is None:
        return  # a broken reference: the database's foreign key check reports it
    slug, text = source
    problems = rules.quote_in_source(instance.quote, source_slug=slug, source_text=text)
    if problems:
        raise ValidationError({"quote": f"{instance._meta.label} '{instance.slug}': {problems['quote']} "
                                        f"{instance.quote[:80]!r}"})


@receiver(pre_save, sender=Claim)
@receiver(pre_save, sender=SanctionDesignation)
def claim_quote_must_stand_in_source(sender, instance, using, **kwargs):
    _check_quote(instance, required=True, using=using)


@receiver(pre_save, sender=Actor)
@receiver(pre_save, sender=Place)
def description_quote_must_stand_in_source(sender, instance, using, **kwargs):
    _check_quote(instance, required=False, using=using)


@receiver(pre_save, sender=Transfer)
def sync_transfer_category(sender, instance, using, **kwargs):
    """Copy the materiel's category on every save path, ``loaddata`` (raw saves) included."""
    if instance.materiel_id is None:
        return
    cached = Transfer.materiel.field.get_cached_value(instance, default=None)
    if cached is not None and cached.pk == instance.materiel_id:
        instance.category = cached.category
    else:
        category = Materiel.objects.using(using).filter(pk=instance.materiel_id).values_list("category", flat=True)
        instance.category = category.first() or ""


@receiver(post_save, sender=Materiel)
def materiel_category_changed(sender, instance, using, **kwargs):
    """A recategorised materiel carries its transfers' denormalised category with it."""
    # The version moves on too: the transfer as the API shows it (its category) changed.
    moved = Transfer.objects.using(using).filter(materiel_id=instance.pk).exclude(category=instance.category).update(
        category=instance.category, version=F("version") + 1
    )
    if moved:
        tallies.rebuild(using=using)  # rare, and a bulk move: recount rather than move each transfer


# After sync_transfer_category (connected above, so called first): the key carries the new category.
@receiver(pre_save, sender=Transfer)
def remember_transfer_key(sender, instance, using, **kwargs):
    """The transfer's key as stored, before this save changes it (None for a new transfer)."""
    before = None
    if instance.pk is not None:
        before = Transfer.objects.using(using).filter(pk=instance.pk).values(
            "supplier_id", "recipient_id", "category", "status", "first_reported"
        ).first()
    instance._tally_before = before and tallies.TransferKey(
        before["supplier_id"], before["recipient_id"], before["category"], before["status"],
        before["first_reported"].year if before["first_reported"] else 0,
    )


@receiver(post_save, sender=Transfer)
def count_saved_transfer(sender, instance, using, **kwargs):
    tallies.transfer_changed(before=getattr(instance, "_tally_before", None), after=tallies.transfer_key(instance),
                             using=using)


@receiver(post_delete, sender=Transfer)
def count_deleted_transfer(sender, instance, using, **kwargs):
    tallies.transfer_changed(before=tallies.transfer_key(instance), after=None, using=using)


@receiver([post_save, post_delete], sender=TransferVia)
def count_route_step(sender, instance, using, **kwargs):
    pair = Transfer.objects.using(using).filter(pk=instance.transfer_id).values_list(
        "supplier_id", "recipient_id"
    ).first()
    if pair is not None:  # else its transfer is being deleted, which recounts the pair itself
        tallies.routes_changed(pairs=[pair], using=using)


@receiver(pre_save, sender=Claim)
def remember_claim_transfer(sender, instance, using, **kwargs):
    """The transfer a claim was about before this save (a claim moved to another transfer recounts both)."""
    instance._tally_transfer = None
    if instance.pk is not None:
        instance._tally_transfer = Claim.objects.using(using).filter(pk=instance.pk).values_list(
            "transfer_id", flat=True).first()


@receiver([post_save, post_delete], sender=Claim)
def count_claim(sender, instance, using, **kwargs):
    """A claim's stance and credibility set its transfer's best credibility, which the network
    tallies count by."""
    ids = {instance.transfer_id, getattr(instance, "_tally_transfer", None)} - {None}
    pairs = Transfer.objects.using(using).filter(pk__in=ids).values_list("supplier_id", "recipient_id")
    tallies.network_changed(pairs=list(pairs), using=using)


@receiver(pre_save, sender=TransferVia)
def route_leg_after_the_last(sender, instance, using, **kwargs):
    """A leg given without its ``seq`` (an admin row left blank, a fixture record) goes after the last."""
    if instance.seq is None and instance.transfer_id is not None:
        last = TransferVia.objects.using(using).filter(transfer_id=instance.transfer_id).order_by("-seq")
        instance.seq = (last.values_list("seq", flat=True).first() or 0) + 1


# Every delete of a curated record, whether by the write path (services.records.record_delete), the
# admin, or a cascade (a transfer's claims go with it), leaves its natural key for the sync feed
# (/api/v1/deletions/). post_delete is the one hook a cascade passes through. Bulk SQL deletes (the
# benchmark's delete_synthetic) bypass it, as they bypass history.
@receiver(post_delete, sender=State)
@receiver(post_delete, sender=Actor)
@receiver(post_delete, sender=Materiel)
@receiver(post_delete, sender=Place)
@receiver(post_delete, sender=SanctionsRegime)
@receiver(post_delete, sender=SanctionDesignation)
@receiver(post_delete, sender=Source)
@receiver(post_delete, sender=Transfer)
@receiver(post_delete, sender=Claim)
def remember_deletion(sender, instance, using, **kwargs):
    Deletion.objects.using(using).create(model=sender._meta.model_name, key=instance.natural_key()[0])
