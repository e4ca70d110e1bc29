"""The transfer read model: each transfer as the API shows it, kept in one row.

Derived data, like the tallies: written by ``transfers.readmodel`` in the same transaction as any
change to what a transfer's document shows, rebuilt by ``manage.py rebuild_read_model``; never
edited by hand, never in fixtures or history.
"""

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q

from .transfers import Transfer


class TransferRecord(models.Model):
    """A transfer's public representation (what list, detail, CSV and explorer show), prebuilt."""

    # CASCADE: the record is derived from its transfer and goes with it.
    transfer = models.OneToOneField(Transfer, on_delete=models.CASCADE, primary_key=True, related_name="record")
    document = models.JSONField(help_text="The transfer as /api/v1/transfers/ shows it: codes, names, route, "
                                          "parties, claims, events and flags.")
    contested = models.BooleanField(help_text="A claim denies or disputes it, or its claims' quantities disagree.")
    sanctioned = models.BooleanField(help_text="A party was under a designation in force on its reference date.")
    search_text = models.TextField(
        editable=False, help_text="The words ?q= searches: description, quotes, names, designations, aliases."
    )
    csv_line = models.TextField(
        editable=False, default="",
        help_text="The transfer as one line of the CSV export (transfers.readmodel.flat), formulas neutralised.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            # ?contested=true and ?sanctioned=true: partial, as few transfers are either; the list
            # reads these ids and orders them by the transfer's key (their false halves walk
            # transfer_recent_key_idx, where most rows match).
            models.Index(fields=["transfer"], condition=Q(contested=True), name="record_contested_idx"),
            models.Index(fields=["transfer"], condition=Q(sanctioned=True), name="record_sanctioned_idx"),
        ]

    def __str__(self):
        return f"record of transfer {self.transfer_id}"


class TransferWords(models.Model):
    """A transfer's search words stemmed (PostgreSQL's tsvector, config 'english'), set from its
    record's ``search_text`` by one UPDATE per batch; GIN-indexed (migration 0026).

    A table of its own, beside the record, so that a search reads these narrow rows rather than the
    records' documents: ``?q=`` with a frequent word tests thousands of rows before it orders them
    and reads a page of documents. SQLite indexes the same words in its FTS5 table
    ``transfer_search`` instead, and leaves this table empty."""

    # CASCADE: derived from its transfer, like the record.
    transfer = models.OneToOneField(Transfer, on_delete=models.CASCADE, primary_key=True, related_name="words")
    search = SearchVectorField(null=True, editable=False)
    # The transfer's list key (``RECENT_KEY``: first_reported, or date.min when undated), copied with
    # the words: ``?q=`` in the list's order is then one pass over the matches (the GIN index's rows,
    # sorted by this column), not a walk of the million-row list index testing each transfer's words
    # (transfers.readmodel.search.recent_first).
    recent = models.DateField(null=True, editable=False)

    class Meta:
        verbose_name_plural = "transfer words"

    def __str__(self):
        return f"search words of transfer {self.transfer_id}"


class FacetTally(models.Model):
    """Transfers with one value of a facet and one of another (supplier RUS and year 2022), with
    their known quantities: the read model's summary, kept by ``transfers.readmodel.summary`` from
    the records. Each pair of facets is held both ways round (supplier by year, year by supplier),
    so that the rows of any one value of a facet against another facet are one range of the unique
    index (facet, by, value), and a whole two-way table another (facet, by)."""

    facet = models.CharField(max_length=16)
    value = models.CharField(max_length=64, blank=True, help_text="As documents show it; empty: unknown or undated.")
    by = models.CharField(max_length=16)
    by_value = models.CharField(max_length=64, blank=True)
    transfers = models.PositiveIntegerField(default=0)
    quantity_ordered = models.BigIntegerField(default=0, help_text="The sum of the known ordered quantities.")
    ordered_known = models.PositiveIntegerField(default=0, help_text="How many transfers' ordered quantity is known.")
    quantity_delivered = models.BigIntegerField(default=0, help_text="The sum of the known delivered quantities.")
    delivered_known = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["facet", "by", "value", "by_value"], name="facettally_unique")]
        verbose_name_plural = "facet tallies"

    def __str__(self):
        return f"{self.facet}={self.value} by {self.by}={self.by_value}: {self.transfers}"
