"""Pieces every domain model shares."""

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone


def choices_constraint(field: str, choices: type[models.Choices], model: str) -> models.CheckConstraint:
    """A CHECK constraint that keeps ``field`` inside its vocabulary, in the database itself."""
    return models.CheckConstraint(
        condition=Q(**{f"{field}__in": choices.values}),
        name=f"{model}_{field}_valid",
        violation_error_message=f"{field} must be one of: {', '.join(map(str, choices.values))}.",
    )


def feed_index(model: str) -> models.Index:
    """The sync feed's index: ``?updated_since=`` lists (transfers.api.feed) select ``updated_at >= t``
    ordered by (updated_at, id) and keyset-page along it."""
    return models.Index(fields=["updated_at", "id"], name=f"{model}_feed_idx")


class SlugManager(models.Manager):
    """Looks records up by their slug, the natural key analysts write in fixtures."""

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Record(models.Model):
    """Bookkeeping every curated record carries."""

    # Defaults rather than auto_now(_add): loaddata saves raw, skipping auto_now, and a hand-written
    # fixture should not have to carry timestamps.
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    # Optimistic locking: every save of an existing record moves the version on, and only if the row
    # still has the version this instance was read with (the UPDATE's WHERE clause checks it), so two
    # writers who read the same version can never both win. The API shows it as the ETag.
    # db_default too: bulk writers (imports, generate_synthetic) insert rows without naming the column.
    version = models.PositiveIntegerField(
        default=1, db_default=1, editable=False,
        help_text="Moves on with every change; a write based on an older one is refused.",
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.updated_at = timezone.now()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "updated_at", "version"}
        if self._state.adding or self.pk is None or kwargs.get("force_insert"):
            return super().save(*args, **kwargs)
        using = kwargs.get("using") or self._state.db or "default"
        with transaction.atomic(using=using):
            rows = type(self)._base_manager.using(using).filter(pk=self.pk, version=self.version)
            if not rows.update(version=self.version + 1):
                raise StaleRecord(self)
            self.version += 1
            super().save(*args, **kwargs)


class StaleRecord(Exception):
    """The record changed (or went) since this copy of it was read: saving it would undo that change."""

    def __init__(self, record):
        self.record = record
        super().__init__(
            f"{record._meta.verbose_name} {record.pk} changed since version {record.version} was read; "
            "reload it and apply the change again."
        )


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
        validate_quote(self)


def quote_check(record) -> bool | None:
    """Whether ``record.quote`` stands in its source's text (None: no quote or no source)."""
    from transfers.quotes import quote_in_text

    if not record.quote or record.source_id is None:
        return None
    return quote_in_text(record.quote, record.source.text)


def validate_quote(record) -> None:
    """The verbatim-quote rules (transfers.rules) for any record with ``source`` and ``quote``."""
    from transfers import rules

    problems = rules.quote_needs_source(record.quote, record.source_id)
    if not problems and record.quote:
        problems = rules.quote_in_source(record.quote, source_slug=record.source.slug, source_text=record.source.text)
    rules.enforce(problems)
