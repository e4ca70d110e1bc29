"""Keyset (cursor) pagination over any whitelisted ordering, with no COUNT(*).

A page is fetched as ``page_size + 1`` rows after (or before) the position of the last row seen;
the extra row tells whether there is a next page. The cursor is an opaque token holding that
position: the values of the ordering fields, ending with the primary key so that every row has
exactly one position. NULLs sort last in either direction on every database, so nullable fields
(first_reported, quantity) paginate without gaps.
"""

import base64
import binascii
import json
from collections import OrderedDict
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Q, QuerySet
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


def _ordering_of(queryset: QuerySet) -> list[tuple[str, bool]]:
    """The queryset's ordering as (field name, descending), ending with the primary key."""
    terms = list(queryset.query.order_by) or list(queryset.model._meta.ordering)
    ordering = []
    for term in terms:
        if not isinstance(term, str):
            raise TypeError(f"Keyset pagination orders by field names only, not {term!r}.")
        descending = term.startswith("-")
        name = term.lstrip("-")
        if name == "pk":
            name = queryset.model._meta.pk.name
        ordering.append((name, descending))
    pk = queryset.model._meta.pk.name
    if pk not in [name for name, _ in ordering]:
        ordering.append((pk, ordering[-1][1] if ordering else False))
    else:
        # Nothing after the unique key matters.
        ordering = ordering[: [name for name, _ in ordering].index(pk) + 1]
    return ordering


def _after(ordering: list[tuple[str, bool]], values: list[Any], nullable: set[str]) -> Q:
    """Rows strictly after ``values`` in ``ordering`` (NULLs last)."""
    (name, descending), *rest = ordering
    value, *rest_values = values
    if value is None:
        # Only NULLs come at or after a NULL.
        here = Q()  # nothing strictly after within this column
        ties = Q(**{f"{name}__isnull": True})
    else:
        here = Q(**{f"{name}__{'lt' if descending else 'gt'}": value})
        if name in nullable:
            here |= Q(**{f"{name}__isnull": True})
        ties = Q(**{name: value})
    if not rest:
        return here if value is not None else Q(pk__in=[])
    return (here | (ties & _after(rest, rest_values, nullable))) if value is not None else (
        ties & _after(rest, rest_values, nullable)
    )


class KeysetPagination(BasePagination):
    """``results``, ``next`` and ``previous``; ``page_size`` 1-500 (default 50); never counts rows."""

    page_size_query_param = "page_size"
    cursor_query_param = "cursor"

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_size = self._page_size(request)
        ordering = _ordering_of(queryset)
        names = [name for name, _ in ordering]
        fields = {name: queryset.model._meta.get_field(name) for name in names}
        nullable = {name for name, field in fields.items() if field.null}
        reverse, position = self._decode_cursor(request, names, fields)

        # Going backwards: flip every direction, fetch, then flip the page back.
        effective = [(name, desc != reverse) for name, desc in ordering]
        nulls = {"nulls_first": True} if reverse else {"nulls_last": True}
        order_by = [F(name).desc(**nulls) if desc else F(name).asc(**nulls) for name, desc in effective]
        queryset = queryset.order_by(*order_by)
        if position is not None:
            if reverse:
                # Before the position = after it in the flipped order, where NULLs come first.
                queryset = queryset.filter(_before(effective, position, nullable))
            else:
                queryset = queryset.filter(_after(effective, position, nullable))
        rows = list(queryset[: self.page_size + 1])
        has_more = len(rows) > self.page_size
        rows = rows[: self.page_size]
        if reverse:
            rows.reverse()
            self.has_next, self.has_previous = position is not None, has_more
        else:
            self.has_next, self.has_previous = has_more, position is not None
        self.names = names
        self.page = rows
        return rows

    def _page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw in (None, ""):
            return DEFAULT_PAGE_SIZE
        if not raw.isdigit() or len(raw) > 3 or not 1 <= int(raw) <= MAX_PAGE_SIZE:
            raise ValidationError({self.page_size_query_param: [f"Must be an integer from 1 to {MAX_PAGE_SIZE}."]})
        return int(raw)

    def _decode_cursor(self, request, names, fields):
        raw = request.query_params.get(self.cursor_query_param)
        if not raw:
            return False, None
        invalid = ValidationError({self.cursor_query_param: ["Invalid cursor: use the next/previous links as given."]})
        if len(raw) > 2000:
            raise invalid
        try:
            data = json.loads(base64.urlsafe_b64decode(raw.encode("ascii")).decode("utf-8"))
        except (ValueError, UnicodeError, binascii.Error):
            raise invalid from None
        if not isinstance(data, dict) or data.get("o") != names or not isinstance(data.get("v"), list):
            raise ValidationError(
                {self.cursor_query_param: ["This cursor belongs to another ordering or is invalid."]}
            )
        values = data["v"]
        if len(values) != len(names):
            raise invalid
        try:
            position = [
                None if value is None else fields[name].to_python(value)
                for name, value in zip(names, values, strict=True)
            ]
        except (DjangoValidationError, TypeError, ValueError):
            raise invalid from None
        if any(isinstance(v, int) and not -(2**63) <= v < 2**63 for v in position):
            raise invalid
        return bool(data.get("r")), position

    def _encode_cursor(self, row, reverse: bool) -> str:
        values = []
        for name in self.names:
            value = getattr(row, name if not hasattr(row, f"{name}_id") else f"{name}_id")
            values.append(value.isoformat() if hasattr(value, "isoformat") else value)
        token = json.dumps({"o": self.names, "v": values, "r": int(reverse)}, separators=(",", ":"))
        return base64.urlsafe_b64encode(token.encode("utf-8")).decode("ascii")

    def _link(self, cursor: str) -> str:
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, cursor)

    def get_next_link(self):
        if not self.has_next or not self.page:
            return None
        return self._link(self._encode_cursor(self.page[-1], reverse=False))

    def get_previous_link(self):
        if not self.has_previous:
            return None
        if not self.page:
            return remove_query_param(self.request.build_absolute_uri(), self.cursor_query_param)
        return self._link(self._encode_cursor(self.page[0], reverse=True))

    def get_paginated_response(self, data):
        return Response(
            OrderedDict([("next", self.get_next_link()), ("previous", self.get_previous_link()), ("results", data)])
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri",
                         "description": "The next page, or null on the last page."},
                "previous": {"type": "string", "nullable": True, "format": "uri",
                             "description": "The previous page, or null on the first page."},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Opaque position from a `next` or `previous` link.",
                "schema": {"type": "string", "maxLength": 2000},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page, 1 to {MAX_PAGE_SIZE} (default {DEFAULT_PAGE_SIZE}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            },
        ]


def _before(flipped: list[tuple[str, bool]], values: list[Any], nullable: set[str]) -> Q:
    """Rows strictly after ``values`` in the flipped ordering, where NULLs come first."""
    (name, descending), *rest = flipped
    value, *rest_values = values
    if value is None:
        # NULLs first: every non-NULL comes after a NULL.
        here = Q(**{f"{name}__isnull": False}) if name in nullable else Q(pk__in=[])
        ties = Q(**{f"{name}__isnull": True})
    else:
        here = Q(**{f"{name}__{'lt' if descending else 'gt'}": value})
        ties = Q(**{name: value})
    if not rest:
        return here
    return here | (ties & _before(rest, rest_values, nullable))
