"""Sanctions regimes and who is designated under them."""

from django.contrib import admin

from transfers.models import SanctionDesignation, SanctionsRegime

from .mixins import CurationAdmin, quote_found_display


@admin.register(SanctionsRegime)
class SanctionsRegimeAdmin(CurationAdmin):
    list_display = ["name", "slug", "kind", "imposed_by"]
    list_select_related = ["imposed_by"]
    list_filter = ["kind"]
    search_fields = ["name", "=slug"]
    autocomplete_fields = ["imposed_by"]
    ordering = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("imposed_by")


@admin.register(SanctionDesignation)
class SanctionDesignationAdmin(CurationAdmin):
    list_display = ["slug", "regime", "target", "since", "until", "credibility", "quote_status"]
    list_select_related = ["regime", "state", "actor", "source"]
    list_filter = ["regime__kind", "credibility", "regime"]
    search_fields = ["=slug", "regime__name", "=state__iso3", "state__name", "actor__name"]
    autocomplete_fields = ["regime", "state", "actor", "source"]
    readonly_fields = ["quote_status"]
    # Designations number in the hundreds: the year drill-down is cheap here.
    date_hierarchy = "since"
    ordering = ["regime__name", "id"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("regime", "state", "actor", "source")

    @admin.display(description="target")
    def target(self, obj):
        return obj.state or obj.actor

    @admin.display(description="quote found")
    def quote_status(self, obj):
        return quote_found_display(obj.quote_found())
