"""The v1 REST API: read for everyone, write for users with the model permission.

Each ViewSet builds its queryset in ``get_queryset()`` (transfers through ``transfers.selectors``),
filters it with its FilterSet (``transfers.api.filters``) and pages it by keyset without counting.
"""

from __future__ import annotations

import re
from itertools import chain

import orjson
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import JsonResponse, StreamingHttpResponse
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers as drf_serializers
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response

from transfers import readmodel, selectors
from transfers.history import CHANGE_REASON_MAX, change_reason, history_entries
from transfers.models import (
    Actor,
    Claim,
    Materiel,
    Place,
    SanctionDesignation,
    SanctionsRegime,
    Source,
    State,
    Transfer,
    TransferEvent,
)
from transfers.models.transfers import LIST_ORDER
from transfers.readmodel.flat import TRANSFER_CSV_COLUMNS
from transfers.services.records import record_delete, record_save, record_update
from transfers.services.transfers import transfer_add, transfer_create, transfer_update

from . import filters, serializers
from .feed import ConditionalListMixin, UpdatedSinceFilter
from .pagination import KeysetPagination, keyset_ordered
from .parsers import GuardedJSONParser
from .renderers import CSVRenderer, ORJSONRenderer, csv_lines, csv_text, joined
from .schema import TrackerAutoSchema

CSV_CHUNK_SIZE = 5000


def in_transaction(lines):
    """Stream ``lines`` inside a read transaction.

    QuerySet.iterator() reads through a server-side cursor on PostgreSQL; outside a transaction
    Django declares it WITH HOLD, and PostgreSQL then computes and stores the whole result before
    the first row: the client would wait for all of a million rows before the first byte.
    """
    with transaction.atomic():
        yield from lines


def etag(version: int) -> str:
    """A record's ETag: its version, which moves on with every change (transfers.models.base.Record)."""
    return f'"{version}"'


def _tags(header: str) -> list[str]:
    return [tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()]


def expected_version(request) -> int | None:
    """The version an ``If-Match`` header names (None without one, or for ``*``); 400 if it names none."""
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return None
    tags = _tags(header)
    if len(tags) != 1 or not re.fullmatch(r'"[0-9]{1,9}"', tags[0]):
        raise ValidationError({"If-Match": ['Send the one ETag the record was read with, e.g. If-Match: "3".']})
    return int(tags[0].strip('"'))


def not_modified(request, version: int) -> bool:
    header = request.headers.get("If-None-Match", "").strip()
    return bool(header) and (header == "*" or etag(version) in _tags(header))


def with_etag(request, response: Response, version: int) -> Response:
    """The record's ETag on ``response``; a 304 instead when ``If-None-Match`` names it (GET, HEAD)."""
    if request.method in ("GET", "HEAD") and not_modified(request, version):
        response = Response(status=status.HTTP_304_NOT_MODIFIED)
    response["ETag"] = etag(version)
    return response


CHANGE_REASON_HEADER = "X-Change-Reason"
# What the history says of an API write that gave no reason.
DEFAULT_REASONS = {"POST": "Created through the API", "PUT": "Changed through the API",
                   "PATCH": "Changed through the API", "DELETE": "Deleted through the API"}


class HistoryEntrySerializer(drf_serializers.Serializer):
    """One entry of a record's history (documents /history/; history_entries builds the data)."""

    date = drf_serializers.DateTimeField()
    user = drf_serializers.CharField(allow_null=True, help_text="Username of who made the change.")
    type = drf_serializers.ChoiceField(choices=["created", "changed", "deleted"])
    reason = drf_serializers.CharField(allow_null=True, help_text="Why, as its author gave it.")
    changes = drf_serializers.ListField(
        child=drf_serializers.DictField(), help_text="[{field, old, new}]: references by natural key."
    )


class APIViewSet(ConditionalListMixin, viewsets.ModelViewSet):
    """What every resource shares: keyset pages, CSV lists, JSON bodies, validated lookups, and the
    sync feed (``?updated_since=``, ETag and Last-Modified on list pages: transfers.api.feed)."""

    # Each resource sets ``queryset`` to its model's empty queryset: the permission check reads the
    # model there (transfers.api.permissions) instead of building get_queryset(), which every read uses.
    queryset = None
    pagination_class = KeysetPagination
    filter_backends = [filters.StrictFilterBackend, UpdatedSinceFilter]
    parser_classes = [GuardedJSONParser]
    schema = TrackerAutoSchema()
    # The router hands over any path segment; one that cannot name a record answers a JSON 404
    # before reaching the database.
    lookup_value_regex = r"[^/]+"
    lookup_pattern = r"[-a-zA-Z0-9_]{1,120}"
    # CSV: extra functions turning a serialized row's nested values into flat cells.
    csv_flatten: dict = {}

    def get_renderers(self):
        renderers = [JSONRenderer(), BrowsableAPIRenderer()]
        if self.action == "list":
            renderers.append(CSVRenderer())
        return renderers

    def get_object(self):
        lookup = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field, "")
        if not re.fullmatch(self.lookup_pattern, lookup):
            raise NotFound()
        return super().get_object()

    def list(self, request, *args, **kwargs):
        if request.accepted_renderer.format == "csv":
            return self.csv_response(self.filter_queryset(self.get_queryset()))
        return super().list(request, *args, **kwargs)

    # Writes hand the parsed values to the write services (transfers.services.records), which check the
    # version, every rule, and save only the fields given; the serializers only parse.
    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        response = Response(self.get_serializer(instance).data)
        # A timeline step has no version of its own (its transfer's version moves on when it changes).
        version = getattr(instance, "version", None)
        return response if version is None else with_etag(request, response, version)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with change_reason(self.change_reason()):
            record = record_save(record=self.get_queryset().model(**serializer.validated_data))
        response = Response(self.get_serializer(record).data, status=status.HTTP_201_CREATED)
        return with_etag(request, response, record.version)

    def update(self, request, *args, **kwargs):
        instance = self.get_object()
        partial = kwargs.pop("partial", False)
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        with change_reason(self.change_reason()):
            record = record_update(
                model=type(instance), pk=instance.pk, data=serializer.validated_data,
                expected_version=expected_version(request),
            )
        return with_etag(request, Response(self.get_serializer(record).data), record.version)

    def destroy(self, request, *args, **kwargs):
        instance = self.get_object()
        with change_reason(self.change_reason()):
            record_delete(record=instance, expected_version=expected_version(request))
        return Response(status=status.HTTP_204_NO_CONTENT)

    def csv_columns(self) -> list[str]:
        return [name for name, field in self.get_serializer().fields.items() if not field.write_only]

    def change_reason(self) -> str:
        """Why this write is made: the X-Change-Reason header, else the body's change_reason."""
        reason = self.request.headers.get(CHANGE_REASON_HEADER)
        if reason is None and isinstance(self.request.data, dict):
            reason = self.request.data.get("change_reason")
        if reason is not None and (not isinstance(reason, str) or len(reason) > CHANGE_REASON_MAX):
            raise ValidationError({"change_reason": [f"A text of at most {CHANGE_REASON_MAX} characters."]})
        return reason or DEFAULT_REASONS.get(self.request.method, "Through the API")

    @extend_schema(responses=HistoryEntrySerializer(many=True), filters=False)
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request, *args, **kwargs):
        """The record's history, newest first: when, who, why, and which fields changed."""
        return Response(history_entries(self.get_object()))

    def csv_response(self, queryset: QuerySet) -> StreamingHttpResponse:
        serializer = self.get_serializer()
        rows = (serializer.to_representation(obj) for obj in queryset.iterator(chunk_size=CSV_CHUNK_SIZE))
        response = StreamingHttpResponse(
            in_transaction(joined(csv_lines(self.csv_columns(), rows, self.csv_flatten))),
            content_type="text/csv; charset=utf-8",
        )
        name = self.basename.replace("_", "-")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response


class StateViewSet(APIViewSet):
    """States: ISO3 code, names, UN M49 region and the sanctions that name them."""

    queryset = State.objects.none()

    serializer_class = serializers.StateSerializer
    filterset_class = filters.StateFilter
    lookup_field = "iso3"
    lookup_pattern = r"[A-Za-z]{3}"
    csv_flatten = {"sanctions": lambda row: [s["regime"] for s in row["sanctions"]]}

    def get_queryset(self):
        sanctions = SanctionDesignation.objects.select_related("regime", "source").only(
            "slug", "state_id", "since", "until", "credibility", "regime__slug", "regime__name", "source__slug"
        )
        return State.objects.prefetch_related(Prefetch("sanctions", queryset=sanctions)).order_by("name", "id")

    def get_object(self):
        self.kwargs["iso3"] = self.kwargs.get("iso3", "").upper()
        return super().get_object()


class ActorViewSet(APIViewSet):
    """Actors: governments, forces, agencies, companies, groups and people."""

    queryset = Actor.objects.none()

    serializer_class = serializers.ActorSerializer
    filterset_class = filters.ActorFilter
    lookup_field = "slug"

    def get_queryset(self):
        return (
            Actor.objects.select_related("state", "part_of", "source")
            .defer("source__text", "source__note")
            .order_by("name", "id")
        )


class MaterielViewSet(APIViewSet):
    """Materiel: kinds of weapons, munitions, components and services."""

    queryset = Materiel.objects.none()

    serializer_class = serializers.MaterielSerializer
    filterset_class = filters.MaterielFilter
    lookup_field = "slug"

    def get_queryset(self):
        return Materiel.objects.select_related("kind_of").order_by("name", "id")


class PlaceViewSet(APIViewSet):
    """Places that are not States: regions, territories, ports, bases, seas."""

    queryset = Place.objects.none()

    serializer_class = serializers.PlaceSerializer
    filterset_class = filters.PlaceFilter
    lookup_field = "slug"

    def get_queryset(self):
        return (
            Place.objects.select_related("state", "controlled_by", "source")
            .defer("source__text", "source__note")
            .order_by("name", "id")
        )


class SanctionsRegimeViewSet(APIViewSet):
    """Sanctions regimes and arms embargoes, each with its designations (who is under it, since when)."""

    queryset = SanctionsRegime.objects.none()
    http_method_names = ["get", "head", "options"]

    serializer_class = serializers.SanctionsRegimeSerializer
    filterset_class = filters.SanctionsRegimeFilter
    lookup_field = "slug"
    csv_flatten = {"designations": lambda row: [d["state"] or d["actor"] for d in row["designations"]]}

    def get_queryset(self):
        designations = SanctionDesignation.objects.select_related("state", "actor", "source").defer(
            "source__text", "source__note"
        ).order_by("id")
        return (
            SanctionsRegime.objects.select_related("imposed_by")
            .prefetch_related(Prefetch("designations", queryset=designations))
            .order_by("name", "id")
        )


class EventViewSet(APIViewSet):
    """Timeline steps of every transfer: status, dates (with a range's end), quantity and claim."""

    queryset = TransferEvent.objects.none()
    http_method_names = ["get", "head", "options"]

    serializer_class = serializers.EventListSerializer
    filterset_class = filters.EventFilter
    # A step has no change time of its own: it changes with its transfer (services.records).
    feed_field = "transfer__updated_at"
    feed_ordered = False

    def get_queryset(self):
        return TransferEvent.objects.select_related("transfer", "claim").only(
            "id", "status", "date", "date_to", "date_precision", "quantity", "note", "transfer__slug", "claim__slug"
        ).order_by("date", "id")


class SourceViewSet(APIViewSet):
    """Sources: stored documents; the detail view carries the full text every quote is checked against."""

    queryset = Source.objects.none()

    filterset_class = filters.SourceFilter
    lookup_field = "slug"

    def get_serializer_class(self):
        return serializers.SourceSerializer if self.action == "list" else serializers.SourceDetailSerializer

    def get_queryset(self):
        queryset = Source.objects.order_by("-published", "id")
        if self.action == "list":
            # Lists never show the text; it can run to megabytes per source.
            queryset = queryset.defer("text", "note")
        return queryset


class ClaimViewSet(APIViewSet):
    """Claims: every quote about a transfer, with its stance, claimant, credibility and source.

    Read-only here: claims are written with their transfer. The CSV (``?format=csv``) joins to the
    transfers CSV on ``transfer`` = the transfer's ``slug``.
    """

    queryset = Claim.objects.none()
    http_method_names = ["get", "head", "options"]

    serializer_class = serializers.ClaimListSerializer
    filterset_class = filters.ClaimFilter
    lookup_field = "slug"

    def get_queryset(self):
        return (
            Claim.objects.select_related("transfer", "source", "claimant")
            .only(
                "id", "slug", "quote", "stance", "credibility", "note", "updated_at", "transfer__slug", "source__slug",
                "source__title", "source__publisher", "source__published", "source__reliability", "claimant__slug",
                "claimant__name",
            )
            .order_by("id")
        )


@extend_schema_view(
    create=extend_schema(request=serializers.TransferWriteSerializer, responses={201: serializers.TransferSerializer}),
    update=extend_schema(request=serializers.TransferWriteSerializer, responses={200: serializers.TransferSerializer}),
    partial_update=extend_schema(
        request=serializers.TransferWriteSerializer, responses={200: serializers.TransferSerializer}
    ),
)
class TransferViewSet(APIViewSet):
    """Transfers: who supplied what to whom, by which route, and on whose word."""

    queryset = Transfer.objects.none()

    serializer_class = serializers.TransferSerializer
    filterset_class = filters.TransferFilter
    # A numeric id, or a slug (a slug is never all digits: it names the transfer in words).
    lookup_pattern = r"[-a-zA-Z0-9_]{1,120}"

    def get_queryset(self):
        if self.action in ("list", "retrieve"):
            # Reads: each transfer's prebuilt document (the read model), with the keys the pages
            # are ordered by: one query per page.
            return readmodel.documents.document_rows().order_by(*LIST_ORDER)
        if self.action == "history":
            return Transfer.objects.all()
        return selectors.transfer_details(selectors.transfer_list()).order_by(*LIST_ORDER)

    def get_renderers(self):
        renderers = super().get_renderers()
        if self.action in ("list", "retrieve"):
            renderers[0] = ORJSONRenderer()
        return renderers

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())  # validates every parameter
        if request.accepted_renderer.format == "csv":
            return self.csv_response(queryset)
        words = self._search_alone(request)
        if words is not None:
            # A search alone: a page of its matching words rows, then that page's documents (a transfer
            # deleted between the two reads is left out). The page's rows carry both, for the cursors
            # and for Last-Modified.
            page = self.paginate_queryset(words)
            rows = {row["id"]: row for row in
                    readmodel.documents.document_rows().filter(pk__in=[match["transfer"] for match in page])}
            self.paginator.page = [{**match, **rows[match["transfer"]]} for match in page if match["transfer"] in rows]
            return self.paginator.get_paginated_response(self._documents(self.paginator.page))
        page = self.paginate_queryset(queryset)
        return self.paginator.get_paginated_response(self._documents(page))

    def _documents(self, rows) -> list:
        """The rows' documents, stored as JSON text: passed into the page as they are when orjson
        writes it (``orjson.Fragment``), parsed for another renderer (the browsable API)."""
        if isinstance(self.request.accepted_renderer, ORJSONRenderer):
            return [orjson.Fragment(row["document"]) for row in rows]
        return [orjson.loads(row["document"]) for row in rows]

    # What a page's parameters may hold besides ?q= for the search to page by its words alone.
    PAGE_PARAMETERS = {"cursor", "page_size", "format"}

    def _search_alone(self, request):
        """The matches of ``?q=`` in the list's order (search.matches_in_list_order), when ?q= is the
        only filter and no ordering is asked for; else None."""
        given = {name for name, value in request.query_params.items() if value.strip()}  # as the filters clean them
        if given - self.PAGE_PARAMETERS != {"q"}:
            return None
        return readmodel.search.matches_in_list_order(request.query_params["q"].strip())

    def _lookup_id(self) -> int:
        """The id the URL names: digits are an id, anything else a slug."""
        lookup = self.kwargs.get("pk", "")
        if not re.fullmatch(self.lookup_pattern, lookup):
            raise NotFound()
        if lookup.isascii() and lookup.isdigit():
            if int(lookup) > serializers.BIGINT_MAX:
                raise NotFound()
            return int(lookup)
        pk = Transfer.objects.filter(slug=lookup).values_list("pk", flat=True).first()
        if pk is None:
            raise NotFound()
        return pk

    def _output(self, pk: int, status_code: int = status.HTTP_200_OK) -> Response:
        # The same shape as every read: the transfer's document, never a second serializer.
        row = readmodel.documents.document_rows().filter(pk=pk).first()
        if row is None:
            raise NotFound()
        return with_etag(self.request, Response(self._documents([row])[0], status=status_code), row["version"])

    def retrieve(self, request, *args, **kwargs):
        return self._output(self._lookup_id())

    def csv_response(self, queryset: QuerySet) -> StreamingHttpResponse:
        # Each record's stored line (readmodel.flat.csv_line), read through a server-side cursor on
        # PostgreSQL (CSV_CHUNK_SIZE rows per fetch): memory stays flat.
        lines = keyset_ordered(queryset).values_list("record__csv_line", flat=True).iterator(chunk_size=CSV_CHUNK_SIZE)
        text = joined(chain([csv_text([self.csv_columns()])], lines))
        response = StreamingHttpResponse(in_transaction(text), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="transfers.csv"'
        return response

    def get_object(self):
        self.kwargs["pk"] = str(self._lookup_id())
        return super().get_object()

    def csv_columns(self) -> list[str]:
        return TRANSFER_CSV_COLUMNS

    def _add(self, request, body: dict) -> Response:
        transfer = self.get_object()
        serializer = serializers.TransferAdditionSerializer(data=body, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        with change_reason(self.change_reason()):
            transfer_add(transfer=transfer, expected_version=expected_version(request), **serializer.validated_data)
        return self._output(transfer.pk, status.HTTP_201_CREATED)

    @extend_schema(request=serializers.TransferAdditionSerializer, responses={201: serializers.TransferSerializer})
    @action(detail=True, methods=["post"], url_path="claims")
    def add_claims(self, request, *args, **kwargs):
        """Add a claim (its fields) or several (``{"claims": [...]}``) to this transfer, all or nothing."""
        data = dict(request.data) if isinstance(request.data, dict) else {}
        reason = {key: data.pop(key) for key in ("change_reason",) if key in data}
        claims = data["claims"] if "claims" in data else [data]
        return self._add(request, {"claims": claims} | reason)

    @extend_schema(request=serializers.TransferAdditionSerializer, responses={201: serializers.TransferSerializer})
    @action(detail=True, methods=["post"], url_path="events")
    def add_events(self, request, *args, **kwargs):
        """Add a timeline step (its fields) or several (``{"events": [...]}``), with any new claims they
        rest on in ``claims``, all or nothing; the transfer's status follows its latest dated step."""
        data = dict(request.data) if isinstance(request.data, dict) else {}
        reason = {key: data.pop(key) for key in ("change_reason",) if key in data}
        if "events" in data:
            body = {"events": data["events"], "claims": data.get("claims", [])}
        else:
            body = {"events": [{k: v for k, v in data.items() if k != "claims"}], "claims": data.get("claims", [])}
        return self._add(request, body | reason)

    def create(self, request, *args, **kwargs):
        serializer = serializers.TransferWriteSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        with change_reason(self.change_reason()):
            transfer = transfer_create(**serializer.validated_data)
        return self._output(transfer.pk, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        transfer = self.get_object()
        serializer = serializers.TransferWriteSerializer(
            transfer, data=request.data, partial=kwargs.get("partial", False), context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        with change_reason(self.change_reason()):
            transfer_update(
                transfer=transfer, data=serializer.validated_data, expected_version=expected_version(request)
            )
        return self._output(transfer.pk)


def api_not_found(request, *args, **kwargs):
    """Any other path under /api/v1/: a JSON 404 like the API's own, not Django's HTML page."""
    return JsonResponse({"detail": "Not found."}, status=404)
