"""Transfers, edited with their claims, status timeline and route on one page."""

from django.contrib import admin, messages
from django.db.models import Prefetch, Q
from django.forms.models import BaseInlineFormSet

from transfers.models import Claim, Transfer, TransferBreach, TransferEvent, TransferParty, TransferVia
from transfers.models.transfers import LIST_ORDER
from transfers.readmodel import search
from transfers.selectors import transfer_list
from transfers.services.records import transfer_part_changed
from transfers.services.review import transfers_mark_reviewed

from .filters import ContestedFilter, FirstReportedYearFilter, ReviewFilter, SanctionedFilter
from .mixins import CurationAdmin, CurationInline, CurationStackedInline, ImportExportCurationAdmin, quote_found_display
from .resources import TransferResource

TRANSFER_LABEL_JOINS = ["transfer__supplier", "transfer__recipient", "transfer__materiel"]


class ClaimInline(CurationStackedInline):
    # Stacked, a claim to a block: a table row of quote, note and pickers was 3,000 px wide.
    model = Claim
    fields = [
        ("slug", "source"), "quote", ("stance", "claimant", "credibility"),
        ("quantity", "quantity_low", "quantity_high"), "quote_status", "note",
    ]
    readonly_fields = ["quote_status"]
    autocomplete_fields = ["source", "claimant"]
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source", "claimant")

    @admin.display(description="quote found")
    def quote_status(self, obj):
        if obj.pk is None:
            return "–"
        return quote_found_display(obj.quote_found())


class OwnClaimsFormSet(BaseInlineFormSet):
    """Offers only this transfer's own claims, listed once for all rows and inlines (not one query per row)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.claims = Claim.objects.filter(transfer=self.instance) if self.instance.pk else Claim.objects.none()
        # Listed once per page for the timeline, route, parties and breaches alike; labelled by slug
        # and stance: the claim's full label (source and quote) made the table wider than a laptop screen.
        if getattr(self.instance, "_claim_choices", None) is None:
            self.instance._claim_choices = [("", "---------")] + [
                (claim.pk, f"{claim.slug} ({claim.stance})") for claim in self.claims.order_by("id")
            ]
        self.claim_choices = self.instance._claim_choices

    def add_fields(self, form, index):
        super().add_fields(form, index)
        field = form.fields["claim"]
        field.queryset = self.claims  # what validation accepts
        field.choices = self.claim_choices  # what is rendered, without a query per row


TransferEventFormSet = OwnClaimsFormSet


class TransferEventInline(CurationStackedInline):
    # Stacked like the claims: as a table row, a step with its status, claim and note did not fit
    # a laptop screen.
    model = TransferEvent
    formset = OwnClaimsFormSet
    fields = [("status", "date", "date_to", "date_precision"), ("quantity", "claim"), "note"]
    verbose_name = "status timeline step"
    verbose_name_plural = "status timeline"

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("date", "id")


class TransferViaInline(CurationStackedInline):
    # Stacked: a leg's two pickers and its claim in one table row did not fit a laptop screen.
    model = TransferVia
    formset = OwnClaimsFormSet
    fields = [("seq", "role", "mode"), ("state", "place"), "claim"]
    autocomplete_fields = ["state", "place"]
    verbose_name_plural = "route (ordered legs)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("state", "place").order_by("seq")


class TransferPartyInline(CurationStackedInline):
    model = TransferParty
    formset = OwnClaimsFormSet
    fields = [("role", "number"), ("actor", "state"), "claim"]
    autocomplete_fields = ["actor", "state"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor", "state")


class TransferBreachInline(CurationInline):
    model = TransferBreach
    formset = OwnClaimsFormSet
    fields = ["regime", "claim"]
    autocomplete_fields = ["regime"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("regime")


@admin.register(Transfer)
class TransferAdmin(ImportExportCurationAdmin):
    resource_classes = [TransferResource]
    # What an analyst checks at a glance, narrow enough for a 1366 px laptop (the browser test
    # measures it): codes rather than names, the route on one line, flags as icons.
    list_display = [
        "slug",
        "supplier_iso3",
        "recipient_iso3",
        "materiel",
        "status_short",
        "route",
        "is_contested",
        "is_sanctioned",
        "is_reviewed",
        "first_reported",
        "covert",
    ]
    list_select_related = ["supplier", "recipient", "materiel"]
    list_filter = [
        "status",
        # The materiel's category, denormalised onto the transfer (indexed, no join).
        "category",
        "supplier",
        "recipient",
        SanctionedFilter,
        ContestedFilter,
        ReviewFilter,
        "covert",
        # By year rather than date_hierarchy: the drill-down runs MIN/MAX and DISTINCT date_trunc
        # over the whole (filtered) table on every page view, which at a million transfers costs
        # more than the page itself (see FirstReportedYearFilter).
        FirstReportedYearFilter,
    ]
    # The API's search (get_search_results), with an exact slug or ISO3 code besides.
    search_fields = ["=slug"]
    search_help_text = (
        'Exact slug or ISO3 code, or words as /api/v1/transfers/?q= takes them: stemmed, "a phrase", OR, -word.'
    )
    autocomplete_fields = [
        "supplier", "recipient", "supplier_actor", "recipient_actor", "materiel", "destination", "value_claim",
    ]
    ordering = list(LIST_ORDER)
    readonly_fields = ["review_state", "created_at", "updated_at"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "slug",
                    ("supplier", "supplier_actor"),
                    ("recipient", "recipient_actor"),
                    "materiel",
                    ("quantity", "quantity_delivered", "quantity_estimated"),
                    ("quantity_low", "quantity_high", "quantity_note"),
                    "status",
                    "destination",
                    "covert",
                    "first_reported",
                    "description",
                ]
            },
        ),
        ("Deal value", {"fields": [("value_amount", "value_currency", "value_year"), "value_claim"]}),
        ("Review", {"fields": ["review_state", "created_at", "updated_at"]}),
        ("Why this change", {"fields": ["change_reason"]}),
    ]
    inlines = [ClaimInline, TransferEventInline, TransferViaInline, TransferPartyInline, TransferBreachInline]
    actions = ["mark_reviewed"]

    def get_queryset(self, request):
        queryset = transfer_list().select_related("reviewed_by")
        return queryset.order_by(*self.get_ordering(request))

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        exact = Q(slug=term) | Q(supplier__iso3=term.upper()) | Q(recipient__iso3=term.upper())
        return queryset.filter(exact | search.matching(term)), False

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        # The route column: one query for the page, not one per row.
        changelist.result_list = changelist.result_list.prefetch_related(
            Prefetch("route", queryset=TransferVia.objects.select_related("state", "place").order_by("seq")),
        )
        return changelist

    @admin.display(description="status", ordering="status")
    def status_short(self, obj):
        # "In transit", not "In transit – shipped, receipt not known": the filter explains each.
        return obj.get_status_display().split(" – ")[0]

    @admin.display(description="route")
    def route(self, obj):
        steps = [step.place.name if step.place_id else step.state.iso3 for step in obj.route.all()]
        return " · ".join(steps) or "–"

    @admin.display(description="supplier", ordering="supplier__iso3")
    def supplier_iso3(self, obj):
        return obj.supplier.iso3 if obj.supplier_id else "unknown"

    @admin.display(description="recipient", ordering="recipient__iso3")
    def recipient_iso3(self, obj):
        return obj.recipient.iso3 if obj.recipient_id else "unknown"

    @admin.display(description="sanctioned", boolean=True, ordering="sanctioned")
    def is_sanctioned(self, obj):
        return obj.sanctioned

    @admin.display(description="contested", boolean=True, ordering="contested")
    def is_contested(self, obj):
        return obj.contested

    @admin.display(description="reviewed", boolean=True, ordering="reviewed_at")
    def is_reviewed(self, obj):
        return obj.is_reviewed

    @admin.display(description="review")
    def review_state(self, obj):
        if obj.pk is None or not obj.is_reviewed:
            return "Draft: a second user must review it (action “Mark selected transfers as reviewed”)."
        return f"Reviewed by {obj.reviewed_by or 'a deleted user'} on {obj.reviewed_at:%Y-%m-%d %H:%M} UTC."

    # A reviewed transfer whose data, claims, timeline or route change goes back to draft (the write
    # services decide: records._review_lapses, records.transfer_part_changed); the admin says so.
    def save_model(self, request, obj, form, change):
        was_reviewed = change and obj.is_reviewed
        super().save_model(request, obj, form, change)
        if was_reviewed and not obj.is_reviewed:
            self.message_user(request, "The transfer changed, so it is a draft again until reviewed.", messages.WARNING)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        if change and any(formset.has_changed() for formset in formsets):
            was_reviewed = Transfer.objects.filter(pk=obj.pk, reviewed_at__isnull=False).exists()
            transfer_part_changed(transfer_id=obj.pk, reason=self.reason_for(request, form, change=change))
            if was_reviewed:
                message = "Its claims, timeline or route changed, so it is a draft again until reviewed."
                self.message_user(request, message, messages.WARNING)

    def has_review_permission(self, request):
        return request.user.has_perm("transfers.review_transfer")

    @admin.action(description="Mark selected transfers as reviewed", permissions=["review"])
    def mark_reviewed(self, request, queryset):
        outcome = transfers_mark_reviewed(transfers=queryset, user=request.user)
        if outcome.reviewed:
            self.message_user(request, f"Marked {len(outcome.reviewed)} transfer(s) as reviewed.", messages.SUCCESS)
        if outcome.already_reviewed:
            self.message_user(
                request,
                f"{len(outcome.already_reviewed)} transfer(s) were already reviewed and are unchanged.",
                messages.INFO,
            )
        for refusal in outcome.refused:
            self.message_user(request, f"Not reviewed: {refusal}", messages.ERROR)


class PartOfTransferAdmin(CurationAdmin):
    """Claims and timeline steps edited on their own pages: a change returns a reviewed transfer to draft,
    as it does when they are edited inline on the transfer's page."""

    def save_model(self, request, obj, form, change):
        was_reviewed = Transfer.objects.filter(pk=obj.transfer_id, reviewed_at__isnull=False).exists()
        super().save_model(request, obj, form, change)
        if was_reviewed:
            self.message_user(request, "Its transfer changed, so it is a draft again until reviewed.", messages.WARNING)


@admin.register(Claim)
class ClaimAdmin(PartOfTransferAdmin):
    # Who says what, how surely, first: the transfer and source last (their labels are long).
    list_display = ["slug", "stance", "claimant", "credibility", "quote_status", "source", "transfer"]
    list_select_related = [*TRANSFER_LABEL_JOINS, "source", "claimant"]
    list_filter = ["stance", "credibility", "source__kind", "source__reliability"]
    search_fields = ["=slug", "=transfer__slug", "=source__slug", "claimant__name", "quote"]
    autocomplete_fields = ["transfer", "source", "claimant"]
    readonly_fields = ["quote_status"]
    ordering = ["-id"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*TRANSFER_LABEL_JOINS, "source", "claimant")

    @admin.display(description="quote found")
    def quote_status(self, obj):
        return quote_found_display(obj.quote_found())


@admin.register(TransferEvent)
class TransferEventAdmin(PartOfTransferAdmin):
    list_display = ["transfer", "status", "date_shown", "date_precision", "claim"]
    list_select_related = [*TRANSFER_LABEL_JOINS, "claim__source"]
    # The timeline table grows with transfers (several steps each): a date-range filter instead of
    # date_hierarchy, for the same reason as on transfers.
    list_filter = ["status", "date_precision", "date"]
    search_fields = ["=transfer__slug", "=transfer__supplier__iso3", "=transfer__recipient__iso3"]
    autocomplete_fields = ["transfer", "claim"]
    ordering = ["-date", "-id"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*TRANSFER_LABEL_JOINS, "claim__source")

    @admin.display(description="date", ordering="date")
    def date_shown(self, obj):
        return obj.date_display
