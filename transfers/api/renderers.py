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


def neutralise_formula(text: str) -> str:
    """Text a spreadsheet shows as text: a leading apostrophe before a would-be formula, else unchanged."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_cell(value: Any) -> str:
    """One value as spreadsheet-safe text."""
    kind = type(value)  # exact types first: this runs for every cell of a million-row export
    if kind is str:
        # A leading apostrophe makes a would-be formula text; the value is otherwise unchanged.
        return "'" + value if value.startswith(FORMULA_PREFIXES) else value
    if value is None:
        return ""
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ";".join(csv_cell(item) for item in value)
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


class _Line:
    """A file-like object whose write() returns what was written, for csv.writer in a generator."""

    def write(self, value: str) -> str:
        return value


def csv_lines(
    columns: Sequence[str], rows: Iterable[Mapping[str, Any]], flatten: Mapping[str, Callable[[Any], Any]]
) -> Iterator[str]:
    """The header, then one CSV line per row."""
    return csv_value_lines(
        columns, ([flatten[c](row) if c in flatten else row.get(c) for c in columns] for row in rows)
    )


def csv_value_lines(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The header, then one CSV line per row of values (in the order of ``columns``)."""
    writer = csv.writer(_Line())
    yield writer.writerow(columns)
    for row in rows:
        yield writer.writerow([csv_cell(value) for value in row])


def csv_text(rows: Iterable[Sequence[Any]]) -> str:
    """Rows of values as CSV lines, in one string (no header)."""
    writer = csv.writer(_Line())
    return "".join([writer.writerow([csv_cell(value) for value in row]) for row in rows])


def joined(lines: Iterable[str], size: int = 1000) -> Iterator[str]:
    """Lines ``size`` at a time, as one string: a streamed response writes each item to the socket."""
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= size:
            yield "".join(batch)
            batch.clear()
    if batch:
        yield "".join(batch)


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
    transfer list and detail, whose documents it takes as the stored JSON text (``orjson.Fragment``:
    as PostgreSQL writes jsonb out, with a space after each ``:`` and ``,``). Anything orjson does not
    know (lazy strings, Decimals) goes through DRF's own encoder."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        return orjson.dumps(data, default=JSONEncoder().default)
