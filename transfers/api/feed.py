"""The sync feed: what mirrors and scripts need to stay current without downloading everything again.

- ``?updated_since=<ISO datetime>`` on every list: the records changed since then, in the order they
  changed (updated_at, id), keyset-paged (each model's ``feed_index`` serves it);
- ``/api/v1/deletions/?since=``: the records deleted since then, by kind and natural key
  (``models.Deletion``, written as they are deleted);
- every JSON list page carries an ``ETag`` (a hash of its body) and a ``Last-Modified`` (its newest
  change) and answers ``304 Not Modified`` to ``If-None-Match`` or ``If-Modified-Since`` when they
  still hold.
"""

import datetime
import hashlib

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponseNotModified
from django.utils.http import http_date, parse_http_date_safe
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response

from transfers.models import Deletion

from .filters import DeletionFilter, UtcDateTimeField
from .pagination import KeysetPagination
from .renderers import CSVRenderer
from .schema import TrackerAutoSchema

UPDATED_SINCE = "updated_since"


def parse_since(raw: str, param: str) -> datetime.datetime:
    """An ISO 8601 date-time (naive: UTC) as a UTC instant; 400 naming ``param`` otherwise."""
    field = UtcDateTimeField()
    try:
        return field.clean(raw)
    except DjangoValidationError:
        raise ValidationError({param: [field.error_messages["invalid"]]}) from None


class UpdatedSinceFilter(BaseFilterBackend):
    """``?updated_since=``: the records changed at or after that time, oldest change first.

    A view names the column its rows change with (``feed_field``, default ``updated_at``); when that
    column is not the list's own (a timeline step changes with its transfer), the list is filtered on
    it and keeps its order (``feed_ordered = False``).
    """

    query_params = (UPDATED_SINCE,)

    def filter_queryset(self, request, queryset, view):
        raw = request.query_params.get(UPDATED_SINCE)
        if not raw:  # empty, as any empty filter: no filter
            return queryset
        since = parse_since(raw, UPDATED_SINCE)
        field = getattr(view, "feed_field", "updated_at")
        queryset = queryset.filter(**{f"{field}__gte": since})
        if not getattr(view, "feed_ordered", True):
            return queryset
        if request.query_params.get("ordering"):
            raise ValidationError({"ordering": [
                f"{UPDATED_SINCE} lists records in the order they changed (updated_at, id); leave ordering out."
            ]})
        return queryset.order_by(field, "id")

    def get_schema_operation_parameters(self, view):
        ordered = getattr(view, "feed_ordered", True)
        return [{
            "name": UPDATED_SINCE,
            "required": False,
            "in": "query",
            "description": "Only records changed at or after this ISO 8601 date-time"
            + (", oldest change first (ordered by updated_at, then id; not combinable with ordering)."
               if ordered else " (a timeline step changes with its transfer)."),
            "schema": {"type": "string", "format": "date-time"},
        }]


def _newest_change(rows) -> datetime.datetime | None:
    times = [row.get("updated_at") if isinstance(row, dict) else getattr(row, "updated_at", None)
             for row in rows or ()]
    times = [time for time in times if isinstance(time, datetime.datetime)]
    return max(times) if times else None


def _tags(header: str) -> list[str]:
    return [tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()]


class ConditionalListMixin:
    """JSON list pages with ``ETag`` and ``Last-Modified``, and 304 when the client's copy still holds.

    The ETag is a hash of the page's body, so it changes with anything the page shows (a renamed
    State on a transfer row included); ``Last-Modified`` is the newest ``updated_at`` on the page, so
    ``If-Modified-Since`` alone misses a deletion or a row moving between pages: send ``If-None-Match``
    (which takes precedence), or follow ``updated_since`` and the deletions feed."""

    conditional_lists = True  # documents the headers and the 304 (transfers.api.schema)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if (getattr(self, "action", None) != "list" or request.method not in ("GET", "HEAD")
                or response.status_code != 200 or not isinstance(response, Response)):
            return response
        response.render()
        tag = f'"{hashlib.sha256(response.content).hexdigest()[:40]}"'
        paginator = getattr(self, "_paginator", None)
        newest = _newest_change(getattr(paginator, "page", None))
        modified = None if newest is None else http_date(newest.timestamp())
        if_none_match = request.headers.get("If-None-Match", "").strip()
        if if_none_match:
            unchanged = if_none_match == "*" or tag in _tags(if_none_match)
        else:
            since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
            unchanged = since is not None and newest is not None and int(newest.timestamp()) <= since
        if unchanged:
            response = HttpResponseNotModified()
        response["ETag"] = tag
        if modified:
            response["Last-Modified"] = modified
        return response


class DeletionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Deletion
        fields = ["model", "key", "deleted_at"]


class DeletionViewSet(ConditionalListMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Records deleted from the register, oldest first: each with its kind (``model``), its natural
    key (a State's ISO3 code, else its slug) and when. With ``?since=``, those deleted since then: a
    mirror reads this after the lists' ``?updated_since=`` to drop what is gone."""

    queryset = Deletion.objects.none()  # the permission check reads the model here
    serializer_class = DeletionSerializer
    filterset_class = DeletionFilter
    pagination_class = KeysetPagination
    schema = TrackerAutoSchema()

    def get_renderers(self):
        return [JSONRenderer(), BrowsableAPIRenderer(), CSVRenderer()]

    def get_queryset(self):
        return Deletion.objects.order_by("deleted_at", "id")
