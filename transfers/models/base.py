"""Pieces every domain model shares."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone


def choices_constraint(field: str, choices: type[models.Choices], model: str) -> models.CheckConstraint:
    """A CHECK constraint that keeps ``field`` inside its vocabulary, in the database itself."""
    return models.CheckConstraint(
        condition=Q(**{f"{field}__in": choices.values}),
        name=f"{model}_{field}_valid",
        violation_error_message=f"{field} must be one of: {', '.join(map(str, choices.values))}.",
    )


class SlugManager(models.Manager):
    """Looks records up by their slug, the natural key analysts write in fixtures."""

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Record(models.Model):
    """Bookkeeping every curated record carries."""

    synthetic = models.BooleanField(
        default=False,
        editable=False,
        help_text="Generated test data (manage.py generate_synthetic), never curated fact.",
    )
    # Defaults rather than auto_now(_add): loaddata saves raw, skipping auto_now, and a hand-written
    # fixture should not have to carry timestamps.
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.updated_at = timezone.now()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "updated_at"}
        super().save(*args, **kwargs)


class Attributed(models.Model):
    """Optional provenance for a record's own facts: the source and the verbatim quote they rest on."""

    # PROTECT: a source that backs a fact cannot disappear from under it.
    source = models.ForeignKey(
        "transfers.Source",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="%(class)s_set",
        help_text="The source this record's description rests on.",
    )
    quote = models.TextField(
        blank=True,
        help_text="Verbatim passage of the source that backs this record (checked against its text).",
    )

    class Meta:
        abstract = True

    def quote_found(self) -> bool | None:
        """Whether the quote stands in the source text; None when there is nothing to check."""
        return quote_check(self)

    def clean(self):
        super().clean()
        if self.quote and self.source_id is None:
            raise ValidationError({"source": "A quote needs the source it comes from."})
        validate_quote(self)


def quote_check(record) -> bool | None:
    """Whether ``record.quote`` stands in its source's text (None: no quote or no source)."""
    from transfers.quotes import quote_in_text

    if not record.quote or record.source_id is None:
        return None
    return quote_in_text(record.quote, record.source.text)


def validate_quote(record) -> None:
    """The verbatim-quote rule as a form/serializer error on the ``quote`` field."""
    if quote_check(record) is False:
        raise ValidationError({"quote": f"The quote is not found in the text of source '{record.source.slug}'."})
