"""Counts over the transfers a filter selects: /api/v1/transfers/facets/ and /api/v1/stats/transfers/.

Both take every transfer filter (the list's own FilterSet validates them) and hand the selection to
``transfers.aggregates``, which the explorer's pages use too: one place counts.
"""

from django.http import StreamingHttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import BrowsableAPIRenderer
from rest_framework.response import Response

from transfers import aggregates
from transfers.models import Transfer

from .filters import StrictFilterBackend, TransferFilter
from .renderers import CSVRenderer, ORJSONRenderer, csv_value_lines, joined
from .schema import TrackerAutoSchema

DEFAULT_FACETS = ("supplier", "recipient", "category", "status", "year", "contested")
MAX_FACET_VALUES = 500


def _names(request, param: str, allowed: tuple[str, ...], default: tuple[str, ...]) -> tuple[str, ...]:
    raw = request.query_params.get(param)
    if raw is None:
        return default
    names = tuple(dict.fromkeys(name.strip() for name in raw.split(",") if name.strip()))
    unknown = [name for name in names if name not in allowed]
    if unknown or not names:
        raise ValidationError({param: [
            f"Unknown value(s): {', '.join(unknown)[:200]}. Expected one or more of: {', '.join(allowed)}."
            if unknown else f"Name one or more of: {', '.join(allowed)}."
        ]})
    return names


class FacetValueSerializer(serializers.Serializer):
    value = serializers.CharField(help_text="What the filter of the same name takes (a State code, a year, true).")
    label = serializers.CharField(help_text="What a reader sees.")
    count = serializers.IntegerField(help_text="Transfers of the selection with this value.")


# One object per answer: the views are "list" actions (for their filters' documentation), which
# drf-spectacular would otherwise document as an array.
@extend_schema_serializer(many=False)
class FacetsSerializer(serializers.Serializer):
    """Documents the facets answer: each requested facet, its values most frequent first (years newest first)."""

    supplier = FacetValueSerializer(many=True, required=False)
    recipient = FacetValueSerializer(many=True, required=False)
    category = FacetValueSerializer(many=True, required=False)
    status = FacetValueSerializer(many=True, required=False)
    year = FacetValueSerializer(many=True, required=False)
    contested = FacetValueSerializer(many=True, required=False)
    sanctioned = FacetValueSerializer(many=True, required=False)


class StatsCellSerializer(serializers.Serializer):
    supplier = serializers.CharField(required=False, allow_null=True, help_text="Supplier State code (null: unknown).")
    recipient = serializers.CharField(required=False, allow_null=True, help_text="Recipient State code.")
    category = serializers.CharField(required=False, allow_null=True, help_text="Materiel category.")
    status = serializers.CharField(required=False, help_text="Latest status.")
    year = serializers.IntegerField(required=False, allow_null=True, help_text="Year first reported (null: undated).")
    transfers = serializers.IntegerField(help_text="Transfers in this cell.")
    quantity_ordered = serializers.IntegerField(
        allow_null=True, help_text="Sum of the items ordered, over the transfers where that is known (null: none).")
    quantity_delivered = serializers.IntegerField(
        allow_null=True, help_text="Sum of the items delivered, over the transfers where that is known (null: none).")


@extend_schema_serializer(many=False)
class StatsSerializer(serializers.Serializer):
    by = serializers.ListField(child=serializers.ChoiceField(choices=aggregates.STATS_DIMENSIONS))
    cells = StatsCellSerializer(many=True)


class CountsViewSet(viewsets.GenericViewSet):
    """What both counts share: the transfer filters, validated as the list validates them, and CSV."""

    queryset = Transfer.objects.none()  # the permission check reads the model here
    filterset_class = TransferFilter
    filter_backends = [StrictFilterBackend]
    pagination_class = None
    schema = TrackerAutoSchema()
    # Parameters these read besides the transfer filters (the FilterSet's ordering means nothing here).
    extra_query_params: tuple[str, ...] = ()

    def get_renderers(self):
        # orjson: a trend table of every year and supplier is thousands of cells.
        return [ORJSONRenderer(), BrowsableAPIRenderer(), CSVRenderer()]

    def selection(self) -> dict:
        """The request's transfer filters, cleaned (State codes as primary keys); 400 naming a bad one."""
        backend = StrictFilterBackend()
        filterset = backend.get_filterset(self.request, Transfer.objects.none(), self)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        cleaned = dict(filterset.form.cleaned_data)
        cleaned.pop("ordering", None)
        return {key: value for key, value in cleaned.items() if value not in (None, "", [], ())}

    def csv(self, name: str, columns: list[str], rows) -> StreamingHttpResponse:
        response = StreamingHttpResponse(joined(csv_value_lines(columns, rows)), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response


class TransferFacetsViewSet(CountsViewSet):
    """Counts per value of each facet for the transfers the filters select."""

    extra_query_params = ("fields", "limit")

    @extend_schema(
        operation_id="transfers_facets",
        responses={200: FacetsSerializer},
        parameters=[
            OpenApiParameter(
                "fields", str, OpenApiParameter.QUERY, pattern=r"^[a-z]+(,[a-z]+)*$",
                description=f"Facets to count, comma-separated, of: {', '.join(aggregates.FACETS)}. "
                f"Default: {','.join(DEFAULT_FACETS)}.",
            ),
            OpenApiParameter(
                "limit", int, OpenApiParameter.QUERY,
                description=f"Most values per facet, 1 to {MAX_FACET_VALUES} (default 20), most frequent first.",
            ),
        ],
    )
    def list(self, request, *args, **kwargs):
        """Counts per supplier, recipient, category, status, year, contested (or sanctioned) for the
        transfers the filters select: what a list of them would show. Every transfer filter applies;
        unfiltered, the counts come from the tallies."""
        fields = _names(request, "fields", aggregates.FACETS, DEFAULT_FACETS)
        raw = request.query_params.get("limit", "20")
        if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_FACET_VALUES:
            raise ValidationError({"limit": [f"Must be an integer from 1 to {MAX_FACET_VALUES}."]})
        facets = aggregates.transfer_facets(filters=self.selection(), fields=fields, limit=int(raw))
        if request.accepted_renderer.format == "csv":
            rows = ([name, v.value, v.label, v.count] for name, values in facets.items() for v in values)
            return self.csv("transfer-facets", ["facet", "value", "label", "count"], rows)
        return Response({name: [{"value": v.value, "label": v.label, "count": v.count} for v in values]
                         for name, values in facets.items()})


class TransferStatsViewSet(CountsViewSet):
    """Transfers and quantities per cell of one or two dimensions, like SIPRI's trend tables."""

    extra_query_params = ("by",)

    @extend_schema(
        operation_id="stats_transfers",
        responses={200: StatsSerializer},
        parameters=[
            OpenApiParameter(
                "by", str, OpenApiParameter.QUERY, pattern=r"^[a-z]+(,[a-z]+)?$",
                description=f"One or two of {', '.join(aggregates.STATS_DIMENSIONS)}, comma-separated "
                "(default: year).",
            ),
        ],
    )
    def list(self, request, *args, **kwargs):
        """Transfers, items ordered and items delivered per year, supplier, recipient, category or status,
        or per pair of them (``?by=year,supplier``), for the transfers the filters select. CSV with
        ``?format=csv``: one line per cell."""
        by = _names(request, "by", aggregates.STATS_DIMENSIONS, ("year",))
        if len(by) > 2:
            raise ValidationError({"by": ["Name one or two dimensions."]})
        cells = aggregates.transfer_stats(by=by, filters=self.selection())
        measures = list(aggregates.STATS_MEASURES)
        if request.accepted_renderer.format == "csv":
            rows = ([*c.keys.values(), c.transfers, c.quantity_ordered, c.quantity_delivered] for c in cells)
            return self.csv("transfer-stats", [*by, *measures], rows)
        return Response({"by": list(by), "cells": [
            {**c.keys, "transfers": c.transfers, "quantity_ordered": c.quantity_ordered,
             "quantity_delivered": c.quantity_delivered} for c in cells
        ]})
