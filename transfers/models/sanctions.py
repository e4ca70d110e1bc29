"""Sanctions regimes and arms embargoes, and who is under them."""

from django.db import models
from django.db.models import Q

from transfers.choices import Credibility, SanctionKind
from transfers.history import History

from .base import Record, SlugManager, choices_constraint, feed_index, quote_check, validate_quote
from .reference import Actor, State
from .sources import Source


class SanctionsRegime(Record):
    """A sanctions regime, arms embargo or export-control regime (e.g. U.N. sanctions on a State)."""

    slug = models.SlugField(max_length=120, unique=True)
    name = models.CharField(max_length=300)
    kind = models.CharField(max_length=32, choices=SanctionKind.choices, default=SanctionKind.SANCTIONS)
    imposed_by = models.ForeignKey(
        Actor, on_delete=models.PROTECT, null=True, blank=True, related_name="imposed_regimes",
        help_text="Who imposes it (e.g. the U.N. Security Council); empty when the source does not say.",
    )
    description = models.TextField(blank=True)

    objects = SlugManager()
    history = History()

    class Meta:
        ordering = ["name"]
        indexes = [feed_index("sanctionsregime")]
        verbose_name = "sanctions regime"
        constraints = [choices_constraint("kind", SanctionKind, "sanctionsregime")]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class SanctionDesignation(Record):
    """A State or Actor under a sanctions regime, on a source's word."""

    slug = models.SlugField(max_length=120, unique=True)
    # PROTECT throughout: a designation is curated fact; its regime, target and source must stay.
    regime = models.ForeignKey(SanctionsRegime, on_delete=models.PROTECT, related_name="designations")
    state = models.ForeignKey(State, on_delete=models.PROTECT, null=True, blank=True, related_name="sanctions")
    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, null=True, blank=True, related_name="sanctions")
    since = models.DateField(null=True, blank=True, help_text="In force from (empty: not stated).")
    until = models.DateField(null=True, blank=True, help_text="Lifted on (empty: in force or not stated).")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="sanction_designations")
    quote = models.TextField(help_text="Verbatim passage of the source that states the sanctions.")
    credibility = models.PositiveSmallIntegerField(choices=Credibility.choices, default=Credibility.CANNOT_JUDGE)
    note = models.TextField(blank=True)

    objects = SlugManager()
    history = History()

    class Meta:
        ordering = ["regime", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(state__isnull=False) & Q(actor__isnull=True))
                | (Q(state__isnull=True) & Q(actor__isnull=False)),
                name="sanctiondesignation_one_target",
                violation_error_message="A designation names exactly one target: a State or an Actor.",
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(since__isnull=True) | Q(until__gte=models.F("since")),
                name="sanctiondesignation_dates_ordered",
                violation_error_message="until cannot be before since.",
            ),
            models.CheckConstraint(
                condition=~Q(quote=""), name="sanctiondesignation_quote_not_empty",
                violation_error_message="A designation needs its verbatim quote.",
            ),
            choices_constraint("credibility", Credibility, "sanctiondesignation"),
        ]

    def __str__(self):
        return f"{self.state or self.actor} under {self.regime}"

    def natural_key(self):
        return (self.slug,)

    natural_key.dependencies = ["transfers.sanctionsregime", "transfers.state", "transfers.actor", "transfers.source"]

    def quote_found(self) -> bool | None:
        return quote_check(self)

    def clean(self):
        validate_quote(self)
