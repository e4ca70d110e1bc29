"""Rollups of the transfers: how many per pair of States, per year and category, per status, per
route leg. The overview, the network, the map and the unfiltered facets read these few thousand rows
instead of counting a million transfers per request.

Derived data, kept by ``transfers.tallies`` on every write path (see that module) and rebuilt by
``manage.py rebuild_tallies``; never edited by hand, never in fixtures or history.
"""

from django.db import models

from transfers.choices import MaterielCategory, TransferStatus

from .reference import State

# CASCADE from the States throughout: a tally is derived, and a State that still has transfers
# cannot be deleted anyway (Transfer PROTECTs it); rows counting nothing are deleted as they empty.
# No foreign-key constraint in the database (db_constraint=False; Django still cascades): the
# tallies are recounted on every write of a transfer, a deletion's after its record was locked (to
# count it out of the read model), and a constraint would then key-lock its States' rows at commit,
# after that record, while a change of one of those States' codes holds the State's row and waits
# for the record (a deadlock). The States a tally counts are those of transfers, whose own
# constraints keep them.


def _state(**options) -> models.ForeignKey:
    return models.ForeignKey(State, on_delete=models.CASCADE, related_name="+", db_constraint=False, **options)


class PairTally(models.Model):
    """The number of transfers from one supplier State to one recipient State."""

    supplier = _state(db_index=False)
    recipient = _state()
    transfers = models.PositiveIntegerField()

    class Meta:
        # The unique index's leading supplier column also serves a State's neighbourhood as supplier.
        constraints = [models.UniqueConstraint(fields=["supplier", "recipient"], name="pairtally_unique")]
        # The overview's busiest pairs: the first rows of this index, not a sort of every pair.
        indexes = [models.Index(fields=["-transfers"], name="pairtally_busiest_idx")]

    def __str__(self):
        return f"{self.supplier_id} → {self.recipient_id}: {self.transfers}"


class YearCategoryTally(models.Model):
    """The number of transfers first reported in a year (0: undated) in one materiel category."""

    year = models.PositiveSmallIntegerField(help_text="Year first reported; 0 for transfers not dated.")
    category = models.CharField(max_length=32, choices=MaterielCategory.choices, blank=True)
    transfers = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["year", "category"], name="yearcategorytally_unique")]

    def __str__(self):
        return f"{self.year} {self.category}: {self.transfers}"


class StatusTally(models.Model):
    """The number of transfers with one latest status."""

    status = models.CharField(max_length=16, choices=TransferStatus.choices, unique=True)
    transfers = models.PositiveIntegerField()

    class Meta:
        verbose_name_plural = "status tallies"

    def __str__(self):
        return f"{self.status}: {self.transfers}"


class RouteTally(models.Model):
    """The number of transfers from a supplier to a recipient through one transit State."""

    supplier = _state(db_index=False)
    via = _state()
    recipient = _state()
    transfers = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["supplier", "recipient", "via"], name="routetally_unique")]
        indexes = [models.Index(fields=["-transfers"], name="routetally_busiest_idx")]

    def __str__(self):
        return f"{self.supplier_id} → {self.via_id} → {self.recipient_id}: {self.transfers}"


# The network's filters (year range, category, status, minimum credibility) select transfers by
# columns the tallies above do not carry together. These two carry them all, so that a filtered
# network is a GROUP BY over tally rows, not over the transfers and their claims. Unlike the tallies
# above, they are recounted per pair of States (``transfers.tallies.network_changed``): a transfer's
# credibility moves with its claims, so a single count to move is not known from the transfer alone.


class NetworkTally(models.Model):
    """The number of transfers from one State to another with one year, category, status and best
    credibility: the network's edges, by the dimensions its filters take."""

    supplier = _state(db_index=False)
    recipient = _state(db_index=False)
    year = models.PositiveSmallIntegerField(help_text="Year first reported; 0 for transfers not dated.")
    category = models.CharField(max_length=32, choices=MaterielCategory.choices, blank=True)
    status = models.CharField(max_length=16, choices=TransferStatus.choices)
    credibility = models.PositiveSmallIntegerField(
        null=True, help_text="The best (lowest) credibility of the transfer's asserting claims; empty: none asserts."
    )
    transfers = models.PositiveIntegerField()

    class Meta:
        indexes = [
            # Recounting a pair deletes its rows; a filtered network reads the rows of a category.
            models.Index(fields=["supplier", "recipient"], name="networktally_pair_idx"),
            models.Index(fields=["category", "year"], name="networktally_category_idx"),
        ]

    def __str__(self):
        return f"{self.supplier_id} → {self.recipient_id} {self.year} {self.category} {self.status}: {self.transfers}"


class NetworkRouteTally(models.Model):
    """The number of route legs through one transit State of the transfers from one State to another
    with one year, category, status and best credibility: ``RouteTally`` by the network's filters."""

    supplier = _state(db_index=False)
    via = _state(db_index=False)
    recipient = _state(db_index=False)
    year = models.PositiveSmallIntegerField(help_text="Year first reported; 0 for transfers not dated.")
    category = models.CharField(max_length=32, choices=MaterielCategory.choices, blank=True)
    status = models.CharField(max_length=16, choices=TransferStatus.choices)
    credibility = models.PositiveSmallIntegerField(
        null=True, help_text="The best (lowest) credibility of the transfer's asserting claims; empty: none asserts."
    )
    transfers = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["supplier", "recipient"], name="networkroutetally_pair_idx")]

    def __str__(self):
        return f"{self.supplier_id} → {self.via_id} → {self.recipient_id} {self.year} {self.category}: {self.transfers}"
