from django.db import models
from django.utils import timezone

from .base import choices_constraint


class DeletedKind(models.TextChoices):
    """The kinds of record the deletions feed names (their model names)."""

    STATE = "state"
    ACTOR = "actor"
    MATERIEL = "materiel"
    PLACE = "place"
    SANCTIONS_REGIME = "sanctionsregime", "sanctions regime"
    SANCTION_DESIGNATION = "sanctiondesignation", "sanction designation"
    SOURCE = "source"
    TRANSFER = "transfer"
    CLAIM = "claim"


class Deletion(models.Model):
    """A record deleted from the register: which kind, its natural key and when, for mirrors to follow
    (/api/v1/deletions/), as ACLED's ``deleted`` endpoint lists what left its data."""

    model = models.CharField(max_length=24, choices=DeletedKind.choices, help_text="The kind of record deleted.")
    key = models.CharField(
        max_length=200, help_text="Its natural key, as the API names it: a State's ISO3 code, else its slug."
    )
    deleted_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["deleted_at", "id"]
        indexes = [
            # /api/v1/deletions/?since=: deleted_at >= t, keyset-paged by (deleted_at, id).
            models.Index(fields=["deleted_at", "id"], name="deletion_feed_idx"),
        ]
        constraints = [choices_constraint("model", DeletedKind, "deletion")]

    def __str__(self):
        return f"{self.model} {self.key} deleted {self.deleted_at:%Y-%m-%d %H:%M}"
