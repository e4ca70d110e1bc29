"""CSV output: ``?format=csv`` on every list endpoint.

A list in CSV is the whole filtered result, not one page, streamed row by row so that memory stays
flat however many rows match. Nested values are flattened: lists of codes joined with ``;``.
"""

import csv
import datetime
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import orjson
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

# Spreadsheet programs run a cell that starts with one of these as a formula ("CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """One value as spreadsheet-safe text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ";".join(csv_cell(item) for item in value)
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        # A leading apostrophe makes the cell text; the value is otherwise unchanged.
        return "'" + text
    return text


class _Line:
    """A file-like object whose write() returns what was written, for csv.writer in a generator."""

    def write(self, value: str) -> str:
        return value


def csv_lines(
    columns: Sequence[str], rows: Iterable[Mapping[str, Any]], flatten: Mapping[str, Callable[[Any], Any]]
) -> Iterator[str]:
    """The header, then one CSV line per row."""
    writer = csv.writer(_Line())
    yield writer.writerow(columns)
    for row in rows:
        yield writer.writerow([csv_cell(flatten[c](row) if c in flatten else row.get(c)) for c in columns])


class CSVRenderer(BaseRenderer):
    """Renders a list (a page or plain list) or a single record as CSV with a header row.

    List endpoints bypass it with a streamed response (``csv_response`` in ``views.py``); it renders
    the rest, e.g. a record's detail with ``?format=csv``.
    """

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if isinstance(data, Mapping) and "results" in data:
            data = data["results"]
        rows = [data] if isinstance(data, Mapping) else list(data)
        columns = list(rows[0]) if rows else []
        return "".join(csv_lines(columns, rows, {})).encode(self.charset)


class ORJSONRenderer(JSONRenderer):
    """JSON as DRF's renderer writes it (compact UTF-8), through orjson: several times faster on the
    transfer list and detail. Anything orjson does not know (lazy strings, Decimals) goes through
    DRF's own encoder."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        return orjson.dumps(data, default=JSONEncoder().default)
