"""Transfers and their provenance: routes, claims and the status timeline."""

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce

from transfers.choices import Credibility, DatePrecision, MaterielCategory, Stance, TransferStatus
from transfers.history import History

from .base import Record, SlugManager, choices_constraint, quote_check, validate_quote
from .reference import Actor, Materiel, Place, State
from .sources import Source

# The key lists are ordered by, newest first with unknown dates last: must compile exactly as
# transfers.pagination.sort_key compiles it for a descending first_reported.
RECENT_KEY = Coalesce(F("first_reported"), Value(datetime.date.min, output_field=models.DateField()))
RECENT = RECENT_KEY.desc()


class Transfer(Record):
    """A supply of materiel from one State (and optionally a named actor) to another."""

    # Unique through Meta.constraints rather than unique=True: the same unique index, without the
    # second (LIKE-pattern) index PostgreSQL would get for a unique SlugField, which no query uses
    # and every insert would maintain.
    slug = models.SlugField(
        max_length=120,
        db_index=False,
        help_text="Stable identifier analysts use in fixtures, e.g. prk-rus-artillery-shells-2022.",
    )
    # PROTECT on every reference: a State, actor or materiel with transfers cannot be deleted.
    # Indexes (see Meta.indexes): supplier is the first column of transfer_pair_key_idx; the optional
    # references have partial indexes that skip the many rows where they are empty.
    supplier = models.ForeignKey(
        State, on_delete=models.PROTECT, related_name="supplied_transfers", db_index=False
    )
    recipient = models.ForeignKey(State, on_delete=models.PROTECT, related_name="received_transfers")
    supplier_actor = models.ForeignKey(
        Actor, on_delete=models.PROTECT, null=True, blank=True, related_name="supplied_transfers", db_index=False,
        help_text="The government, agency or company that supplies, where known.",
    )
    recipient_actor = models.ForeignKey(
        Actor, on_delete=models.PROTECT, null=True, blank=True, related_name="received_transfers", db_index=False,
        help_text="The government, force or group that receives, where known.",
    )
    materiel = models.ForeignKey(Materiel, on_delete=models.PROTECT, related_name="transfers")
    # Denormalised from materiel.category so that "uav transfers in 2020-2021, newest first" is one
    # index range scan instead of a join and a sort over a million rows. Kept in step by
    # sync_transfer_category (every save, loaddata included), by materiel_category_changed (when a
    # materiel is recategorised) and explicitly by the bulk writers (imports, generate_synthetic).
    category = models.CharField(
        max_length=32,
        choices=MaterielCategory.choices,
        blank=True,
        editable=False,
        help_text="The materiel's category, copied here for fast filtering; follows the materiel.",
    )
    quantity = models.BigIntegerField(
        null=True, blank=True, help_text="Number of items; empty when unknown (never guess)."
    )
    quantity_note = models.CharField(
        max_length=500, blank=True, help_text='How the source puts the quantity, e.g. "millions of rounds".'
    )
    status = models.CharField(
        max_length=16,
        choices=TransferStatus.choices,
        default=TransferStatus.UNKNOWN,
        help_text="Latest known status; the timeline below records how it got there.",
    )
    via = models.ManyToManyField(
        State, through="TransferVia", related_name="transit_transfers", blank=True,
        help_text="States the materiel passes through.",
    )
    via_regions = models.ManyToManyField(
        Place, through="TransferViaRegion", related_name="transit_transfers", blank=True,
        help_text='Named regions passed through where the countries are not named ("the Middle East").',
    )
    destination = models.ForeignKey(
        Place, on_delete=models.PROTECT, null=True, blank=True, related_name="destination_transfers", db_index=False,
        help_text="Where inside the recipient the materiel or service goes (e.g. Crimea).",
    )
    covert = models.BooleanField(default=False, help_text="The source says the transfer is covert or masked.")
    first_reported = models.DateField(
        null=True, blank=True, help_text="Date of the earliest source that reports the transfer."
    )
    description = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False,
        editable=False, help_text="The second user who checked this record; empty while it is a draft.",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = SlugManager()
    # History rows are read by transfer id (and date); indexing their other columns would only slow
    # every write, bulk imports above all.
    history = History(no_db_index=[
        "slug", "supplier", "recipient", "supplier_actor", "recipient_actor", "materiel", "destination", "reviewed_by",
    ])

    class Meta:
        ordering = ["-first_reported", "-id"]
        permissions = [("review_transfer", "Can mark a transfer as reviewed")]
        indexes = [
            # Lists are ordered by (first_reported, id) newest first with unknown dates last; the
            # pagination orders by COALESCE(first_reported, date.min) so that the keys are never NULL
            # and a keyset page is one index range (see transfers.pagination.sort_key). These
            # indexes are on that same expression, or PostgreSQL would sort every matching row.
            # The unfiltered list and its keyset pages. On PostgreSQL it also carries the columns a
            # search tests (materiel, actors) and first_reported itself, so that a list which walks
            # this order testing each row (?q=, ?stance=) reads the index alone, not a heap page per
            # row (see transfers.pagination: a page's ids are found first, then its rows).
            models.Index(
                RECENT, F("id").desc(), name="transfer_recent_key_idx",
                include=["first_reported", "materiel", "supplier_actor", "recipient_actor"],
            ),
            # ?supplier=&recipient= newest first; its prefix also serves ?supplier= lookups.
            models.Index(F("supplier"), F("recipient"), RECENT, F("id").desc(), name="transfer_pair_key_idx"),
            # ?category=&reported_after=&reported_before= newest first (see the category field).
            models.Index(F("category"), RECENT, F("id").desc(), name="transfer_category_key_idx"),
            # ?covert=true and ?reviewed=true newest first: partial, as few transfers are either
            # (their false halves walk transfer_recent_key_idx, where most rows match).
            models.Index(RECENT, F("id").desc(), condition=Q(covert=True), name="transfer_covert_key_idx"),
            models.Index(
                RECENT, F("id").desc(), condition=Q(reviewed_at__isnull=False), name="transfer_reviewed_key_idx"
            ),
            # Optional references, mostly empty: partial indexes serve ?actor=, the admin's filters
            # and the PROTECT / SET_NULL checks (an equality implies NOT NULL) and cost an insert
            # nothing when the reference is empty.
            *(
                models.Index(fields=[name], condition=Q(**{f"{name}__isnull": False}), name=f"transfer_{name}_idx")
                for name in ("supplier_actor", "recipient_actor", "destination", "reviewed_by")
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="transfer_slug_unique"),
            models.CheckConstraint(
                condition=~Q(supplier=F("recipient")),
                name="transfer_supplier_not_recipient",
                violation_error_message="The supplier and the recipient must be different States.",
            ),
            models.CheckConstraint(
                condition=Q(quantity__isnull=True) | Q(quantity__gte=0),
                name="transfer_quantity_not_negative",
                violation_error_message="quantity cannot be negative.",
            ),
            choices_constraint("status", TransferStatus, "transfer"),
        ]

    def __str__(self):
        supplier = self.supplier.iso3 if self.supplier_id else "?"
        recipient = self.recipient.iso3 if self.recipient_id else "?"
        return f"{supplier} → {recipient}: {self.materiel if self.materiel_id else '?'}"

    def natural_key(self):
        return (self.slug,)

    natural_key.dependencies = ["transfers.state", "transfers.actor", "transfers.materiel", "transfers.place"]

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = f"transfer-{uuid.uuid4().hex[:12]}"
        super().save(*args, **kwargs)

    @property
    def is_reviewed(self) -> bool:
        return self.reviewed_at is not None


class TransferViaManager(models.Manager):
    def get_by_natural_key(self, transfer_slug, iso3):
        return self.get(transfer__slug=transfer_slug, state__iso3=iso3)


class TransferVia(models.Model):
    """One State on a transfer's route."""

    # CASCADE: a route step is part of its transfer. PROTECT: a transit State cannot vanish.
    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="route")
    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="+")

    objects = TransferViaManager()
    history = History()

    class Meta:
        verbose_name = "transit State"
        constraints = [models.UniqueConstraint(fields=["transfer", "state"], name="transfervia_unique")]

    def __str__(self):
        return f"via {self.state_id and self.state.iso3}"

    def natural_key(self):
        return (self.transfer.slug, self.state.iso3)

    natural_key.dependencies = ["transfers.transfer", "transfers.state"]


class TransferViaRegionManager(models.Manager):
    def get_by_natural_key(self, transfer_slug, place_slug):
        return self.get(transfer__slug=transfer_slug, place__slug=place_slug)


class TransferViaRegion(models.Model):
    """One named region on a transfer's route, where the countries are not named."""

    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="route_regions")
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+")

    objects = TransferViaRegionManager()
    history = History()

    class Meta:
        verbose_name = "transit region"
        constraints = [models.UniqueConstraint(fields=["transfer", "place"], name="transferviaregion_unique")]

    def __str__(self):
        return f"via {self.place}"

    def natural_key(self):
        return (self.transfer.slug, self.place.slug)

    natural_key.dependencies = ["transfers.transfer", "transfers.place"]


class Claim(Record):
    """What a source says about a transfer, in its own words, and who said it."""

    slug = models.SlugField(max_length=120, unique=True, help_text="Stable identifier, e.g. prk-shells-white-house.")
    # CASCADE: a claim is part of its transfer's record (history keeps it). PROTECT: a quoted
    # source or a named claimant cannot be deleted while claims rest on them.
    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="claims")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="claims")
    quote = models.TextField(help_text="The passage, verbatim from the source's stored text.")
    stance = models.CharField(max_length=8, choices=Stance.choices, default=Stance.ASSERTS)
    claimant = models.ForeignKey(
        Actor, on_delete=models.PROTECT, null=True, blank=True, related_name="claims",
        help_text="Who makes (or denies) the claim, e.g. the White House; empty when it is the source's own.",
    )
    credibility = models.PositiveSmallIntegerField(
        choices=Credibility.choices,
        default=Credibility.CANNOT_JUDGE,
        help_text="Admiralty credibility of this claim (1 confirmed ... 6 cannot be judged).",
    )
    note = models.TextField(blank=True, help_text="Why this credibility; what the quote implies but does not state.")

    objects = SlugManager()
    history = History()

    class Meta:
        ordering = ["transfer", "id"]
        indexes = [
            # Contested transfers: EXISTS (a denying claim on this transfer), probed once per listed
            # transfer, and ?stance=denies; denials are a few per cent of claims, so the index is small.
            models.Index(fields=["transfer"], condition=Q(stance="denies"), name="claim_denial_idx"),
            # /api/v1/claims/?stance= and ?credibility=, in the list's id order. (?transfer=, ?source=
            # and ?claimant= use their foreign keys' indexes.)
            models.Index(fields=["stance", "id"], name="claim_stance_idx"),
            models.Index(fields=["credibility", "id"], name="claim_credibility_idx"),
        ]
        constraints = [
            choices_constraint("stance", Stance, "claim"),
            choices_constraint("credibility", Credibility, "claim"),
            models.CheckConstraint(
                condition=~Q(quote=""), name="claim_quote_not_empty",
                violation_error_message="A claim needs its verbatim quote.",
            ),
        ]

    def __str__(self):
        return f"{self.source_id and self.source.slug}: {self.quote[:60]}"

    def natural_key(self):
        return (self.slug,)

    natural_key.dependencies = ["transfers.transfer", "transfers.source", "transfers.actor"]

    def quote_found(self) -> bool | None:
        return quote_check(self)

    def clean(self):
        validate_quote(self)


class TransferEventManager(models.Manager):
    def get_by_natural_key(self, transfer_slug, status, date):
        return self.get(transfer__slug=transfer_slug, status=status, date=date)


class TransferEvent(models.Model):
    """A dated step in a transfer's status timeline, resting on a claim."""

    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=16, choices=TransferStatus.choices)
    date = models.DateField(help_text="First day of the period when the precision is month or year.")
    date_precision = models.CharField(max_length=8, choices=DatePrecision.choices, default=DatePrecision.DAY)
    # RESTRICT: a claim an event rests on cannot be deleted alone, but both go when their
    # transfer is deleted.
    claim = models.ForeignKey(
        Claim, on_delete=models.RESTRICT, null=True, blank=True, related_name="events",
        help_text="The claim that reports this step.",
    )
    note = models.TextField(blank=True)

    objects = TransferEventManager()
    history = History()

    class Meta:
        ordering = ["transfer", "date", "id"]
        constraints = [
            choices_constraint("status", TransferStatus, "transferevent"),
            choices_constraint("date_precision", DatePrecision, "transferevent"),
            models.UniqueConstraint(fields=["transfer", "status", "date"], name="transferevent_unique"),
        ]

    def __str__(self):
        return f"{self.status} {self.date_display}"

    def natural_key(self):
        return (self.transfer.slug, self.status, self.date.isoformat())

    natural_key.dependencies = ["transfers.transfer", "transfers.claim"]

    @property
    def date_display(self) -> str:
        """The date to the precision known: 2022-09 for a month, 2019 for a year."""
        if self.date is None:
            return ""
        if self.date_precision == DatePrecision.YEAR:
            return f"{self.date.year:04d}"
        if self.date_precision == DatePrecision.MONTH:
            return f"{self.date.year:04d}-{self.date.month:02d}"
        return self.date.isoformat()

    def clean(self):
        errors = {}
        if self.claim_id and self.transfer_id and self.claim.transfer_id != self.transfer_id:
            errors["claim"] = "The claim must belong to the same transfer."
        if self.date and self.date_precision == DatePrecision.MONTH and self.date.day != 1:
            errors["date"] = "A month-precision date is stored as the first day of its month."
        if self.date and self.date_precision == DatePrecision.YEAR and (self.date.month, self.date.day) != (1, 1):
            errors["date"] = "A year-precision date is stored as 1 January of its year."
        if errors:
            raise ValidationError(errors)
