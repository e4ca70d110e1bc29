"""Keyset (cursor) pagination over any whitelisted ordering, with no COUNT(*).

A page is fetched as ``page_size + 1`` rows after (or before) the position of the last row seen;
the extra row tells whether there is a next page. The cursor is an opaque token holding that
position: the values of the ordering fields, ending with the primary key so that every row has
exactly one position. NULLs sort last in either direction on every database, so nullable fields
(first_reported, quantity) paginate without gaps (see ``sort_key``).
"""

import base64
import binascii
import datetime
import json
import math
import re
from collections import OrderedDict
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Coalesce
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


# NULLs sort last in either direction. Rather than NULLS LAST clauses (which need indexes of their
# own and turn the keyset condition into an OR with IS NULL that no index can seek), a nullable
# field is ordered by a key that replaces NULL with a value below (descending) or above
# (ascending) every real one. The keys are never NULL, so a page is a plain lexicographic range
# that PostgreSQL seeks in an index built on the same expression (see Transfer.Meta.indexes).
LOW = {"DateField": datetime.date.min, "IntegerField": -(2**63), "BigIntegerField": -(2**63),
       "PositiveIntegerField": -(2**63), "PositiveBigIntegerField": -(2**63)}
HIGH = {"DateField": datetime.date.max, "IntegerField": 2**63 - 1, "BigIntegerField": 2**63 - 1,
        "PositiveIntegerField": 2**63 - 1, "PositiveBigIntegerField": 2**63 - 1}


def sort_key(field, descending: bool):
    """The expression a field is ordered and paged by: itself, or with NULL replaced by a sentinel."""
    if not field.null:
        return F(field.name)
    sentinels = LOW if descending else HIGH
    kind = field.get_internal_type()
    if kind not in sentinels:
        raise TypeError(f"Keyset pagination cannot order by nullable {kind} {field.name!r}.")
    return Coalesce(F(field.name), Value(sentinels[kind], output_field=field))


def _after(ordering: list[tuple[str, bool]], values: list[Any]) -> Q:
    """Rows strictly after ``values`` in ``ordering`` (names of non-NULL keys).

    The first key also gets its plain bound (``key <= v`` going down), which the rest implies but
    which lets the database seek into the index instead of filtering from its start.
    """
    (name, descending), value = ordering[0], values[0]
    return Q(**{f"{name}__{'lte' if descending else 'gte'}": value}) & _strictly_after(ordering, values)


def _strictly_after(ordering: list[tuple[str, bool]], values: list[Any]) -> Q:
    (name, descending), *rest = ordering
    value, *rest_values = values
    here = Q(**{f"{name}__{'lt' if descending else 'gt'}": value})
    if not rest:
        return here
    return here | (Q(**{name: value}) & _strictly_after(rest, rest_values))


def keyset_ordered(queryset: QuerySet) -> QuerySet:
    """The queryset in its keyset order (NULLs last both ways), for a full export, unpaged."""
    ordering = _ordering_of(queryset)
    fields = {name: _key_field(queryset, name) for name, _ in ordering}
    return queryset.order_by(*[
        sort_key(fields[name], desc).desc() if desc else sort_key(fields[name], desc).asc() for name, desc in ordering
    ])


def _key_field(queryset: QuerySet, name: str):
    """The model field ``name`` orders by, or for an annotation (a search's relevance) a field of its type."""
    try:
        return queryset.model._meta.get_field(name)
    except FieldDoesNotExist:
        annotation = queryset.query.annotations.get(name)
        if annotation is None:
            raise
        return type(annotation.output_field)(name=name)


def _cursor_value(field, value):
    """A cursor's key value as the field stores it; ValueError for anything a link could not carry.

    Cursors hold ints, ISO dates and strings (and null for a nullable key); anything else -- a
    float (1e999 is infinity), a list, NUL, a lone surrogate, null for a required key -- was
    written by hand, and would reach the database as an error rather than a page.
    """
    if value is None:
        if not field.null:
            raise ValueError("null key")
        return None
    if isinstance(value, float) and field.get_internal_type() == "FloatField" and math.isfinite(value):
        return value  # a relevance
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError("not a key")
    if isinstance(value, str):
        if "\x00" in value or len(value) > 1000:
            raise ValueError("not a key")
        value.encode("utf-8")  # a lone surrogate raises UnicodeEncodeError, a ValueError
    python = field.to_python(value)
    if isinstance(python, int) and not -(2**63) <= python < 2**63:
        raise ValueError("out of range")
    return python


class KeysetPagination(BasePagination):
    """``results``, ``next`` and ``previous``; ``page_size`` 1-500 (default 50); never counts rows."""

    page_size_query_param = "page_size"
    cursor_query_param = "cursor"

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_size = self._page_size(request)
        ordering = _ordering_of(queryset)
        names = [name for name, _ in ordering]
        fields = {name: _key_field(queryset, name) for name in names}
        reverse, position = self._decode_cursor(request, names, fields)
        # Each key's NULL sentinel follows the requested direction, so NULLs stay last both ways.
        self.keys = {name: sort_key(fields[name], desc) for name, desc in ordering}
        aliases = {name: f"_key_{name}" if fields[name].null else name for name in names}
        queryset = queryset.alias(**{aliases[n]: key for n, key in self.keys.items() if aliases[n] != n})

        # Going backwards: flip every direction, fetch, then flip the page back.
        effective = [(aliases[name], desc != reverse) for name, desc in ordering]
        queryset = queryset.order_by(*[F(name).desc() if desc else F(name).asc() for name, desc in effective])
        if position is not None:
            position = [
                self.keys[name].source_expressions[1].value if value is None and fields[name].null else value
                for name, value in zip(names, position, strict=True)
            ]
            queryset = queryset.filter(_after(effective, position))
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
        # ASCII digits only: str.isdigit() accepts "²", which int() refuses.
        if not re.fullmatch(r"[0-9]{1,3}", raw) or not 1 <= int(raw) <= MAX_PAGE_SIZE:
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
        if len(values) != len(names) or data.get("r", 0) not in (0, 1):
            raise invalid
        try:
            position = [_cursor_value(fields[name], value) for name, value in zip(names, values, strict=True)]
        except (DjangoValidationError, TypeError, ValueError, OverflowError):
            raise invalid from None
        return bool(data.get("r")), position

    def _encode_cursor(self, row, reverse: bool) -> str:
        values = []
        for name in self.names:
            value = row[name] if isinstance(row, dict) else getattr(
                row, name if not hasattr(row, f"{name}_id") else f"{name}_id"
            )
            if value is None and isinstance(self.keys[name], Coalesce):
                value = self.keys[name].source_expressions[1].value
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
