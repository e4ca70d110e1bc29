"""Sources and the claims that quote them."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from transfers.intake.admin import ProposeClaimsMixin
from transfers.models import Claim, Source

from .mixins import ImportExportCurationAdmin, quote_found_display
from .resources import SourceResource

CLAIMS_SHOWN = 50


@admin.register(Source)
class SourceAdmin(ProposeClaimsMixin, ImportExportCurationAdmin):
    resource_classes = [SourceResource]
    list_display = ["title", "publisher", "published", "kind", "reliability", "slug"]
    list_filter = ["kind", "reliability", "published"]
    search_fields = ["=slug", "title", "publisher"]
    # Sources number in the thousands, not millions: the year/month drill-down's two aggregate
    # queries stay cheap here (unlike on transfers).
    date_hierarchy = "published"
    ordering = ["-published", "slug"]
    readonly_fields = ["claims_quoting"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        # The changelist never shows the full text: do not read megabytes of it per page.
        if request.resolver_match and request.resolver_match.url_name.endswith("_changelist"):
            queryset = queryset.defer("text", "note")
        return queryset

    @admin.display(description="claims quoting this source")
    def claims_quoting(self, obj):
        """The source's claims, read-only, each with whether its quote stands in this text."""
        if obj.pk is None:
            return "–"
        claims = list(
            Claim.objects.filter(source=obj)
            .select_related("transfer__supplier", "transfer__recipient", "transfer__materiel", "claimant")
            .order_by("id")[: CLAIMS_SHOWN + 1]
        )
        if not claims:
            return "No claim quotes this source yet."
        rows = format_html_join(
            "",
            '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>',
            (
                (
                    reverse("admin:transfers_claim_change", args=[claim.pk]),
                    claim.transfer,
                    claim.get_stance_display(),
                    claim.claimant or "–",
                    claim.quote,
                    # The claim's source is this very object: reuse its text instead of loading it again.
                    quote_found_display(_quote_found_in(claim, obj)),
                )
                for claim in claims[:CLAIMS_SHOWN]
            ),
        )
        more = ""
        if len(claims) > CLAIMS_SHOWN:
            url = reverse("admin:transfers_claim_changelist") + f"?source__id__exact={obj.pk}"
            more = format_html('<p><a href="{}">All claims quoting this source…</a></p>', url)
        return format_html(
            "<table><thead><tr><th>Transfer</th><th>Stance</th><th>Claimant</th><th>Quote</th>"
            "<th>Quote found</th></tr></thead><tbody>{}</tbody></table>{}",
            rows,
            more,
        )


def _quote_found_in(claim: Claim, source: Source) -> bool:
    claim.source = source
    return claim.quote_found()
