"""The verbatim-quote rule on every save path, including ``loaddata``.

``loaddata`` saves with ``Model.save_base(raw=True)``, bypassing ``save()`` and ``full_clean()``;
``pre_save`` is the one hook every path but ``bulk_create`` passes through. Raising here aborts the
whole fixture (loaddata runs in one transaction), naming the record and the source.
"""

from django.core.exceptions import ValidationError
from django.db.models.signals import pre_save
from django.dispatch import receiver

from .models import Actor, Claim, Place, SanctionDesignation, Source
from .quotes import quote_in_text


def _check_quote(instance, *, required: bool, using: str):
    if not instance.quote:
        return
    if instance.source_id is None:
        if required:
            raise ValidationError({"source": f"{instance._meta.label} '{instance.slug}': a quote needs its source."})
        return
    text = Source.objects.using(using).filter(pk=instance.source_id).values_list("text", flat=True).first()
    if text is None:
        return  # a broken reference: the database's foreign key check reports it
    if not quote_in_text(instance.quote, text):
        raise ValidationError(
            {
                "quote": f"{instance._meta.label} '{instance.slug}': quote not found in the text of source "
                f"#{instance.source_id}: {instance.quote[:80]!r}"
            }
        )


@receiver(pre_save, sender=Claim)
@receiver(pre_save, sender=SanctionDesignation)
def claim_quote_must_stand_in_source(sender, instance, using, **kwargs):
    _check_quote(instance, required=True, using=using)


@receiver(pre_save, sender=Actor)
@receiver(pre_save, sender=Place)
def description_quote_must_stand_in_source(sender, instance, using, **kwargs):
    _check_quote(instance, required=False, using=using)
