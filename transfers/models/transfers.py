"""Transfers and their provenance: routes, claims and the status timeline."""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.urls import reverse

from transfers import rules
from transfers.choices import (
    CONTESTING_STANCES,
    Credibility,
    DatePrecision,
    LegRole,
    MaterielCategory,
    PartyRole,
    Stance,
    TransferStatus,
    TransportMode,
)
from transfers.history import History

from .base import Record, SlugManager, choices_constraint, feed_index, quote_check, validate_quote
from .reference import Actor, Materiel, Place, State
from .sanctions import SanctionsRegime
from .sources import Source


def claim_transfer_id(record, field: str = "claim"):
    """The transfer of the claim ``record.<field>`` rests on (None when it rests on none)."""
    return getattr(record, field).transfer_id if getattr(record, f"{field}_id") is not None else None


# The key lists are ordered by, newest first with unknown dates last: must compile exactly as
# transfers.api.pagination.sort_key compiles it for a descending first_reported.
RECENT_KEY = Coalesce(F("first_reported"), Value(datetime.date.min, output_field=models.DateField()))
RECENT = RECENT_KEY.desc()
# The order of every list of transfers (the API's, the admin's, the explorer's), which the keyset
# pages and the list indexes follow.
LIST_ORDER = ("-first_reported", "-id")


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
    # Empty = unknown ("an unidentified supplier"), or a non-state party named as the actor.
    supplier = models.ForeignKey(
        State, on_delete=models.PROTECT, null=True, blank=True, related_name="supplied_transfers", db_index=False,
        help_text="The supplying State; empty when unknown or when the supplier is a non-state actor.",
    )
    recipient = models.ForeignKey(
        State, on_delete=models.PROTECT, null=True, blank=True, related_name="received_transfers",
        help_text="The receiving State; empty when unknown or when the recipient is a non-state actor.",
    )
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
        "quantity ordered", null=True, blank=True,
        help_text="Number of items ordered (the API's quantity_ordered and quantity); empty when unknown "
        "(never guess).",
    )
    quantity_delivered = models.BigIntegerField(
        null=True, blank=True, help_text="Number of items delivered so far; empty when unknown."
    )
    quantity_low = models.BigIntegerField(
        null=True, blank=True, help_text='Lower bound when a source gives a range or an order ("hundreds": 100).'
    )
    quantity_high = models.BigIntegerField(
        null=True, blank=True, help_text='Upper bound when a source gives a range or an order ("hundreds": 999).'
    )
    # db_default too: the bulk importers insert rows without naming this column.
    quantity_estimated = models.BooleanField(
        default=False, db_default=False,
        help_text='The figures are estimates ("about 2,400"), as registers mark them.',
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
    destination = models.ForeignKey(
        Place, on_delete=models.PROTECT, null=True, blank=True, related_name="destination_transfers", db_index=False,
        help_text="Where inside the recipient the materiel or service goes (e.g. Crimea).",
    )
    covert = models.BooleanField(default=False, help_text="The source says the transfer is covert or masked.")
    first_reported = models.DateField(
        null=True, blank=True, help_text="Date of the earliest source that reports the transfer."
    )
    description = models.TextField(blank=True)
    value_amount = models.BigIntegerField(
        "deal value", null=True, blank=True, help_text="The deal's value in whole units of its currency."
    )
    # db_default: the bulk writers (generate_synthetic) insert rows without naming this column.
    value_currency = models.CharField(
        max_length=3, blank=True, default="", db_default="",
        help_text="ISO 4217 code of the value's currency, e.g. USD.",
    )
    value_year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The year whose money the value is given in (or of the deal)."
    )
    # RESTRICT: the claim the value rests on cannot be deleted alone (both go with the transfer).
    value_claim = models.ForeignKey(
        "Claim", on_delete=models.RESTRICT, null=True, blank=True, related_name="+", db_index=False,
        help_text="The claim that states the value.",
    )
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
        ordering = list(LIST_ORDER)
        permissions = [("review_transfer", "Can mark a transfer as reviewed")]
        indexes = [
            feed_index("transfer"),
            # Lists are ordered by (first_reported, id) newest first with unknown dates last; the
            # pagination orders by COALESCE(first_reported, date.min) so that the keys are never NULL
            # and a keyset page is one index range (see transfers.api.pagination.sort_key). These
            # indexes are on that same expression, or PostgreSQL would sort every matching row.
            # The unfiltered list and its keyset pages. On PostgreSQL it also carries the columns a
            # search tests (materiel, actors) and first_reported itself, so that a list which walks
            # this order testing each row (?q=, ?stance=) reads the index alone, not a heap page per
            # row (see transfers.api.pagination: a page's ids are found first, then its rows).
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
            # NULL (an unknown party) passes: different only when both are known.
            models.CheckConstraint(
                condition=~Q(supplier=F("recipient")),
                name="transfer_supplier_not_recipient",
                violation_error_message="The supplier and the recipient must be different States.",
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__gte": 0}),
                    name=f"transfer_{name}_not_negative",
                    violation_error_message=f"{name} cannot be negative.",
                )
                for name in ("quantity", "quantity_delivered", "quantity_low", "quantity_high", "value_amount")
            ),
            models.CheckConstraint(
                condition=Q(quantity_low__isnull=True) | Q(quantity_high__isnull=True)
                | Q(quantity_low__lte=F("quantity_high")),
                name="transfer_quantity_range_ordered",
                violation_error_message="quantity_high cannot be below quantity_low.",
            ),
            models.CheckConstraint(
                condition=Q(value_amount__isnull=True, value_currency="")
                | Q(value_amount__isnull=False, value_currency__regex=r"^[A-Z]{3}$"),
                name="transfer_value_has_currency",
                violation_error_message="A value needs its amount and a currency (ISO 4217, e.g. USD).",
            ),
            choices_constraint("status", TransferStatus, "transfer"),
        ]

    def __str__(self):
        supplier = self.supplier.iso3 if self.supplier_id else "?"
        recipient = self.recipient.iso3 if self.recipient_id else "?"
        return f"{supplier} → {recipient}: {self.materiel if self.materiel_id else '?'}"

    def natural_key(self):
        return (self.slug,)

    def get_absolute_url(self):
        return reverse("explorer:transfer", args=[self.slug])

    natural_key.dependencies = ["transfers.state", "transfers.actor", "transfers.materiel", "transfers.place"]

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = f"transfer-{uuid.uuid4().hex[:12]}"
        super().save(*args, **kwargs)

    @property
    def is_reviewed(self) -> bool:
        return self.reviewed_at is not None

    def clean(self):
        super().clean()
        problems = [
            rules.parties_differ(self.supplier_id, self.recipient_id),
            rules.quantity_range(self.quantity_low, self.quantity_high),
            rules.value_complete(self.value_amount, self.value_currency, self.value_year, self.value_claim_id),
            rules.claim_of_transfer(claim_transfer_id(self, "value_claim"), self.pk, field="value_claim"),
        ]
        # The supplier and recipient must not be States the route passes through: the route being
        # written with them (``pending_via``, set by the services and the import) or else the stored one.
        via = getattr(self, "pending_via", None)
        if via is None and self.pk is not None:
            via = rules.transit_states(
                TransferVia.objects.filter(transfer_id=self.pk).order_by("seq").values_list("role", "state_id")
            )
        if via is not None:
            problems.append(rules.route_states(
                via, supplier_id=self.supplier_id, recipient_id=self.recipient_id, label=state_label,
            ))
        rules.enforce(*problems)


def state_label(state_id) -> str:
    return State.objects.filter(pk=state_id).values_list("iso3", flat=True).first() or f"State {state_id}"


class TransferViaManager(models.Manager):
    def get_by_natural_key(self, transfer_slug, seq):
        return self.get(transfer__slug=transfer_slug, seq=seq)


class TransferVia(models.Model):
    """One leg of a transfer's route: a State or a place (a region, port, base, sea), in order.

    (Named for its first use, the transit States; ``via`` and ``via_regions`` are now read from the
    legs whose role is transit or transshipment.)
    """

    # CASCADE: a leg is part of its transfer. PROTECT: a State or place on a route cannot vanish.
    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="route")
    seq = models.PositiveSmallIntegerField(
        blank=True, help_text="Order along the route, from 1 (empty: after the last)."
    )
    state = models.ForeignKey(State, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    place = models.ForeignKey(
        Place, on_delete=models.PROTECT, null=True, blank=True, related_name="route_legs",
        help_text="A place on the route: a named region, a port, a base, a sea.",
    )
    # db_default: the bulk importers insert legs naming only transfer, seq and state.
    role = models.CharField(max_length=16, choices=LegRole.choices, default=LegRole.TRANSIT, db_default=LegRole.TRANSIT)
    mode = models.CharField(
        max_length=8, choices=TransportMode.choices, default=TransportMode.UNKNOWN, db_default=TransportMode.UNKNOWN,
        help_text="How the goods travel on this leg.",
    )
    # RESTRICT: the claim a leg rests on cannot be deleted alone (both go with the transfer).
    claim = models.ForeignKey(
        "Claim", on_delete=models.RESTRICT, null=True, blank=True, related_name="route_legs",
        help_text="The claim that reports this leg.",
    )

    objects = TransferViaManager()
    history = History()

    class Meta:
        verbose_name = "route leg"
        ordering = ["transfer", "seq"]
        indexes = [
            # ?place= (any leg) and the PROTECT check on deleting a place; most legs name a State.
            models.Index(fields=["place"], condition=Q(place__isnull=False), name="transfervia_place_idx"),
            # ?via= : transfers passing through these States.
            models.Index(fields=["state"], condition=Q(state__isnull=False), name="transfervia_state_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["transfer", "seq"], name="transfervia_seq_unique"),
            models.CheckConstraint(
                condition=Q(state__isnull=False) | Q(place__isnull=False), name="transfervia_names_a_place",
                violation_error_message="A route leg names a State or a place.",
            ),
            choices_constraint("role", LegRole, "transfervia"),
            choices_constraint("mode", TransportMode, "transfervia"),
        ]

    def __str__(self):
        where = self.place if self.place_id else (self.state_id and self.state.iso3)
        return f"{self.seq}. {self.role} {where}"

    def natural_key(self):
        return (self.transfer.slug, self.seq)

    natural_key.dependencies = ["transfers.transfer", "transfers.state", "transfers.place", "transfers.claim"]

    def clean(self):
        super().clean()
        problems = [
            rules.leg_names_a_place(self.state_id, self.place_id),
            rules.claim_of_transfer(claim_transfer_id(self), self.transfer_id),
        ]
        # The transfer may be unsaved yet (the admin's add page validates its inline rows first).
        transfer = self.transfer if TransferVia.transfer.is_cached(self) else None
        if transfer is None and self.transfer_id is not None:
            transfer = Transfer.objects.filter(pk=self.transfer_id).only("supplier", "recipient").first()
        if transfer is not None and self.state_id is not None:
            found = rules.route_states(
                rules.transit_states([(self.role, self.state_id)]), supplier_id=transfer.supplier_id,
                recipient_id=transfer.recipient_id, label=state_label,
            )
            if found:
                problems.append({"state": found["via"]})  # on this row, the State is its "state" field
        rules.enforce(*problems)


class TransferPartyManager(models.Manager):
    def get_by_natural_key(self, transfer_slug, role, number):
        return self.get(transfer__slug=transfer_slug, role=role, number=number)


class TransferParty(models.Model):
    """A party to a deal beside its supplier and recipient: a broker, a shipper, a manufacturer..."""

    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(max_length=16, choices=PartyRole.choices)
    number = models.PositiveSmallIntegerField(default=1, help_text="1, 2... among the parties of one role.")
    # PROTECT: a named party is curated data the deal depends on.
    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, null=True, blank=True, related_name="deal_roles")
    state = models.ForeignKey(State, on_delete=models.PROTECT, null=True, blank=True, related_name="deal_roles")
    claim = models.ForeignKey(
        "Claim", on_delete=models.RESTRICT, null=True, blank=True, related_name="parties",
        help_text="The claim that names this party.",
    )

    objects = TransferPartyManager()
    history = History()

    class Meta:
        verbose_name = "party"
        verbose_name_plural = "parties"
        ordering = ["transfer", "id"]
        indexes = [
            # ?actor=x&role=broker and the PROTECT check on deleting an actor.
            models.Index(fields=["actor", "role"], condition=Q(actor__isnull=False), name="transferparty_actor_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["transfer", "role", "number"], name="transferparty_unique"),
            models.CheckConstraint(
                condition=Q(actor__isnull=False) | Q(state__isnull=False), name="transferparty_names_someone",
                violation_error_message="A party names an actor or a State.",
            ),
            choices_constraint("role", PartyRole, "transferparty"),
        ]

    def __str__(self):
        return f"{self.role}: {self.actor if self.actor_id else self.state}"

    def natural_key(self):
        return (self.transfer.slug, self.role, self.number)

    natural_key.dependencies = ["transfers.transfer", "transfers.actor", "transfers.state", "transfers.claim"]

    def clean(self):
        super().clean()
        rules.enforce(
            rules.party_names_someone(self.actor_id, self.state_id),
            rules.claim_of_transfer(claim_transfer_id(self), self.transfer_id),
        )


class TransferBreachManager(models.Manager):
    def get_by_natural_key(self, transfer_slug, regime_slug):
        return self.get(transfer__slug=transfer_slug, regime__slug=regime_slug)


class TransferBreach(models.Model):
    """A sanctions regime or embargo a transfer allegedly breaches, on a claim's word."""

    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="breaches")
    # PROTECT: a regime a transfer is said to breach cannot be deleted from under it.
    regime = models.ForeignKey(SanctionsRegime, on_delete=models.PROTECT, related_name="breaches")
    claim = models.ForeignKey(
        "Claim", on_delete=models.RESTRICT, null=True, blank=True, related_name="breaches",
        help_text="The claim that alleges the breach.",
    )

    objects = TransferBreachManager()
    history = History()

    class Meta:
        verbose_name = "alleged breach"
        verbose_name_plural = "alleged breaches"
        ordering = ["transfer", "id"]
        constraints = [models.UniqueConstraint(fields=["transfer", "regime"], name="transferbreach_unique")]

    def __str__(self):
        return f"breaches {self.regime}"

    def natural_key(self):
        return (self.transfer.slug, self.regime.slug)

    natural_key.dependencies = ["transfers.transfer", "transfers.sanctionsregime", "transfers.claim"]

    def clean(self):
        super().clean()
        rules.enforce(rules.claim_of_transfer(claim_transfer_id(self), self.transfer_id))


class Claim(Record):
    """What a source says about a transfer, in its own words, and who said it."""

    slug = models.SlugField(max_length=120, unique=True, help_text="Stable identifier, e.g. prk-shells-white-house.")
    # CASCADE: a claim is part of its transfer's record (history keeps it). PROTECT: a quoted
    # source or a named claimant cannot be deleted while claims rest on them.
    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="claims")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="claims")
    quote = models.TextField(help_text="The passage, verbatim from the source's stored text.")
    stance = models.CharField(max_length=8, choices=Stance.choices, default=Stance.ASSERTS)
    quantity = models.BigIntegerField(null=True, blank=True, help_text="The number of items this claim asserts.")
    quantity_low = models.BigIntegerField(null=True, blank=True, help_text="Lower bound of the number it asserts.")
    quantity_high = models.BigIntegerField(null=True, blank=True, help_text="Upper bound of the number it asserts.")
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
            feed_index("claim"),
            # Contested transfers: EXISTS (a denying or disputing claim on this transfer), probed once
            # per listed transfer, and ?stance=denies; they are a few per cent of claims: a small index.
            models.Index(fields=["transfer"], condition=Q(stance__in=CONTESTING_STANCES), name="claim_contesting_idx"),
            # Contested by figures: the claims that assert a quantity (few), per transfer.
            models.Index(
                fields=["transfer"],
                condition=Q(quantity__isnull=False) | Q(quantity_low__isnull=False) | Q(quantity_high__isnull=False),
                name="claim_quantity_idx",
            ),
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
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__gte": 0}),
                    name=f"claim_{name}_not_negative",
                    violation_error_message=f"{name} cannot be negative.",
                )
                for name in ("quantity", "quantity_low", "quantity_high")
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
        rules.enforce(rules.quantity_range(self.quantity_low, self.quantity_high, self.quantity))


class TransferEventManager(models.Manager):
    def get_by_natural_key(self, transfer_slug, status, date):
        return self.get(transfer__slug=transfer_slug, status=status, date=date)


class TransferEvent(models.Model):
    """A dated step in a transfer's status timeline, resting on a claim."""

    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=16, choices=TransferStatus.choices)
    date = models.DateField(help_text="First day of the period when the precision is month or year.")
    date_to = models.DateField(
        null=True, blank=True,
        help_text='End of a range ("between August and October 2022": 2022-08-01 to 2022-10-01, month precision).',
    )
    date_precision = models.CharField(max_length=8, choices=DatePrecision.choices, default=DatePrecision.DAY)
    quantity = models.BigIntegerField(
        null=True, blank=True, help_text="Items this step concerns (e.g. delivered in this step)."
    )
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
            models.CheckConstraint(
                condition=Q(date_to__isnull=True) | Q(date_to__gte=F("date")), name="transferevent_dates_ordered",
                violation_error_message="date_to cannot be before date.",
            ),
            models.CheckConstraint(
                condition=Q(quantity__isnull=True) | Q(quantity__gte=0), name="transferevent_quantity_not_negative",
                violation_error_message="quantity cannot be negative.",
            ),
        ]

    def __str__(self):
        return f"{self.status} {self.date_display}"

    def natural_key(self):
        return (self.transfer.slug, self.status, self.date.isoformat())

    natural_key.dependencies = ["transfers.transfer", "transfers.claim"]

    @property
    def date_display(self) -> str:
        """The date to the precision known: 2022-09 for a month, 2019 for a year; a range as a/b."""
        return date_display(self.date, self.date_precision, self.date_to)

    def clean(self):
        super().clean()
        rules.enforce(
            rules.claim_of_transfer(claim_transfer_id(self), self.transfer_id),
            rules.date_matches_precision(self.date, self.date_precision),
            rules.date_matches_precision(self.date_to, self.date_precision, field="date_to"),
            rules.date_range_ordered(self.date, self.date_to),
        )


# The parts of a transfer: written with it (its document shows them), locked after it.
TRANSFER_PARTS = (Claim, TransferEvent, TransferVia, TransferParty, TransferBreach)


def date_display(day, precision: str, day_to=None) -> str:
    """A date to its precision (2022-09, 2019), and a range as ``2022-08/2022-10``."""
    if day is None:
        return ""
    if precision == DatePrecision.YEAR:
        shown = f"{day.year:04d}"
    elif precision == DatePrecision.MONTH:
        shown = f"{day.year:04d}-{day.month:02d}"
    else:
        shown = day.isoformat()
    if day_to is not None and day_to != day:
        return f"{shown}/{date_display(day_to, precision)}"
    return shown
