"""What article intake remembers between runs: the proposals an analyst turned down."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .sources import Source


class ProposalRejectionManager(models.Manager):
    def get_by_natural_key(self, source_slug, fingerprint):
        return self.get(source__slug=source_slug, fingerprint=fingerprint)


class ProposalRejection(models.Model):
    """A proposed claim an analyst rejected, so that later runs on the same source leave it out."""

    # CASCADE: a rejection means nothing without its source.
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="rejected_proposals")
    fingerprint = models.CharField(
        max_length=64, help_text="What was proposed (quote, stance, supplier, recipient, materiel), hashed."
    )
    quote = models.TextField(help_text="The proposed quote, for the analyst who looks the rejection up.")
    summary = models.CharField(max_length=300, help_text="Supplier → recipient: materiel (stance), as proposed.")
    reason = models.CharField(max_length=300, blank=True, help_text="Why it was rejected, if the analyst said.")
    # SET_NULL: the rejection stands when the user account goes.
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rejected_at = models.DateTimeField(default=timezone.now)

    objects = ProposalRejectionManager()

    class Meta:
        ordering = ["source", "id"]
        constraints = [
            # Also serves the one lookup a run makes: the fingerprints rejected for this source.
            models.UniqueConstraint(fields=["source", "fingerprint"], name="proposalrejection_unique"),
        ]

    def __str__(self):
        return f"rejected: {self.summary}"

    def natural_key(self):
        return (self.source.slug, self.fingerprint)

    natural_key.dependencies = ["transfers.source"]
