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


class PairTally(models.Model):
    """The number of transfers from one supplier State to one recipient State."""

    supplier = models.ForeignKey(State, on_delete=models.CASCADE, related_name="+", db_index=False)
    recipient = models.ForeignKey(State, on_delete=models.CASCADE, related_name="+")
    transfers = models.PositiveIntegerField()

    class Meta:
        # The unique index's leading supplier column also serves a State's neighbourhood as supplier.
        constraints = [models.UniqueConstraint(fields=["supplier", "recipient"], name="pairtally_unique")]

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

    supplier = models.ForeignKey(State, on_delete=models.CASCADE, related_name="+", db_index=False)
    via = models.ForeignKey(State, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(State, on_delete=models.CASCADE, related_name="+")
    transfers = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["supplier", "recipient", "via"], name="routetally_unique")]

    def __str__(self):
        return f"{self.supplier_id} → {self.via_id} → {self.recipient_id}: {self.transfers}"
