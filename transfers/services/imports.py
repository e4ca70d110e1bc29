"""Importing transfers in bulk from CSV: all or nothing, fast, with an audit trail.

Every row is checked first, against the file and the database (unknown codes, supplier equal to
recipient, negative quantities, bad statuses and dates, slugs already taken), and every problem is
reported with its line and field; nothing is written while any remains. Then the transfers, their
routes and one history row for each go in inside a single transaction: history is how an analyst
later learns who loaded a record and when, so a bulk write must leave it like any other write.

Rows go in with ``COPY`` on PostgreSQL (``transfers.bulk``): into the tables and into their
``simple_history`` tables, as ``bulk_create_with_history`` would write them but without building a
model instance per row. ``method="orm"`` uses ``bulk_create_with_history`` itself (the benchmark
compares the two).
"""

import csv
import datetime
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Literal

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from transfers.bulk import allocate_ids, bulk_insert
from transfers.choices import TransferStatus
from transfers.models import Actor, Materiel, State, Transfer, TransferVia

REQUIRED_COLUMNS = ("slug", "supplier", "recipient", "materiel")
OPTIONAL_COLUMNS = (
    "supplier_actor",
    "recipient_actor",
    "quantity",
    "quantity_note",
    "status",
    "first_reported",
    "covert",
    "description",
    "via",
)
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
VIA_SEPARATOR = ";"
SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
TRUE = {"true", "1", "yes", "y", "t"}
FALSE = {"false", "0", "no", "n", "f", ""}
SLUG_CHECK_BATCH = 10_000
ERRORS_KEPT = 1_000

BIGINT_MAX = 2**63 - 1  # the largest value of the database's bigint quantity column


@dataclass(frozen=True)
class RowError:
    line: int
    field: str
    message: str

    def __str__(self):
        return f"line {self.line}, {self.field}: {self.message}"


class ImportRejected(Exception):
    """The file has errors; nothing was written."""

    def __init__(self, errors: list[RowError], total: int | None = None):
        self.errors = errors
        self.total = total if total is not None else len(errors)
        super().__init__(f"{self.total} error(s), nothing imported; first: {errors[0]}")


@dataclass
class ImportResult:
    transfers: int
    routes: int
    validate_seconds: float
    write_seconds: float
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        return self.validate_seconds + self.write_seconds


@dataclass
class _Row:
    line: int
    values: dict  # Transfer attname -> database value
    via: list[int]


class _Validator:
    def __init__(self, using: str):
        self.states = dict(State.objects.using(using).values_list("iso3", "id"))
        self.actors = dict(Actor.objects.using(using).values_list("slug", "id"))
        self.materiel = {slug: (pk, cat) for slug, pk, cat in
                         Materiel.objects.using(using).values_list("slug", "id", "category")}
        self.statuses = set(TransferStatus.values)
        self.errors: list[RowError] = []
        self.error_count = 0
        self.slugs: dict[str, int] = {}

    def error(self, line: int, name: str, message: str):
        self.error_count += 1
        if len(self.errors) < ERRORS_KEPT:
            self.errors.append(RowError(line, name, message))

    def state(self, line: int, name: str, value: str) -> int | None:
        code = value.strip().upper()
        if not code:
            self.error(line, name, "is required (an ISO3 code, e.g. RUS).")
            return None
        pk = self.states.get(code)
        if pk is None:
            self.error(line, name, f"unknown State {value.strip()!r} (expected an ISO3 code of a stored State).")
        return pk

    def actor(self, line: int, name: str, value: str) -> int | None:
        slug = value.strip()
        if not slug:
            return None
        pk = self.actors.get(slug)
        if pk is None:
            self.error(line, name, f"unknown actor {slug!r} (expected the slug of a stored actor).")
        return pk

    def row(self, line: int, raw: dict[str, str]) -> _Row | None:
        before = self.error_count
        get = lambda name: (raw.get(name) or "")  # noqa: E731 - absent optional columns read as empty
        for name, value in raw.items():
            if value and "\x00" in value:  # PostgreSQL text cannot hold NUL; COPY would fail mid-import
                self.error(line, name or "?", "contains a NUL character.")

        slug = get("slug").strip()
        if not slug:
            self.error(line, "slug", "is required.")
        elif len(slug) > 120 or not SLUG.match(slug):
            self.error(line, "slug", f"{slug!r} is not a slug (letters, digits, - and _, at most 120).")
        elif slug in self.slugs:
            self.error(line, "slug", f"{slug!r} is already used on line {self.slugs[slug]}.")
        else:
            self.slugs[slug] = line

        supplier = self.state(line, "supplier", get("supplier"))
        recipient = self.state(line, "recipient", get("recipient"))
        if supplier is not None and supplier == recipient:
            self.error(line, "recipient", "the supplier and the recipient must be different States.")

        materiel_slug = get("materiel").strip()
        materiel = self.materiel.get(materiel_slug)
        if not materiel_slug:
            self.error(line, "materiel", "is required (the slug of a stored materiel).")
        elif materiel is None:
            self.error(line, "materiel", f"unknown materiel {materiel_slug!r}.")

        quantity = None
        text = get("quantity").strip()
        if text:
            try:
                quantity = int(text)
            except ValueError:
                self.error(line, "quantity", f"{text!r} is not a whole number.")
            else:
                if quantity < 0:
                    self.error(line, "quantity", "cannot be negative.")
                elif quantity > BIGINT_MAX:
                    self.error(line, "quantity", f"is larger than {BIGINT_MAX}, the largest quantity stored.")

        quantity_note = get("quantity_note").strip()
        if len(quantity_note) > 500:
            self.error(line, "quantity_note", "is longer than 500 characters.")

        status = get("status").strip() or TransferStatus.UNKNOWN
        if status not in self.statuses:
            self.error(line, "status", f"{status!r} is not one of: {', '.join(sorted(self.statuses))}.")

        first_reported = None
        text = get("first_reported").strip()
        if text:
            try:
                first_reported = datetime.date.fromisoformat(text)
            except ValueError:
                self.error(line, "first_reported", f"{text!r} is not a date (YYYY-MM-DD).")

        text = get("covert").strip().lower()
        covert = text in TRUE
        if text not in TRUE | FALSE:
            self.error(line, "covert", f"{text!r} is not true or false.")

        via: list[int] = []
        for code in filter(None, (c.strip() for c in get("via").split(VIA_SEPARATOR))):
            pk = self.state(line, "via", code)
            if pk is None:
                continue
            if pk in (supplier, recipient):
                self.error(line, "via", f"{code} is the supplier or the recipient, not a transit State.")
            elif pk in via:
                self.error(line, "via", f"{code} is listed twice.")
            else:
                via.append(pk)

        supplier_actor = self.actor(line, "supplier_actor", get("supplier_actor"))
        recipient_actor = self.actor(line, "recipient_actor", get("recipient_actor"))
        if self.error_count > before:
            return None
        return _Row(
            line=line,
            values={
                "slug": slug,
                "supplier_id": supplier,
                "recipient_id": recipient,
                "supplier_actor_id": supplier_actor,
                "recipient_actor_id": recipient_actor,
                "materiel_id": materiel[0],
                "category": materiel[1],
                "quantity": quantity,
                "quantity_note": quantity_note,
                "status": status,
                "first_reported": first_reported,
                "covert": covert,
                "description": get("description").strip(),
            },
            via=via,
        )


def read_csv(file: IO[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, row) pairs of a CSV file whose header names the columns; checks the header."""
    reader = csv.DictReader(file)
    header = reader.fieldnames or []
    problems = [RowError(1, name, "unknown column.") for name in header if name not in COLUMNS]
    problems += [RowError(1, name, "required column is missing.") for name in REQUIRED_COLUMNS if name not in header]
    if problems:
        raise ImportRejected(problems)
    line = reader.line_num
    for row in reader:
        yield line + 1, row  # the line the record starts on
        line = reader.line_num


def validate(rows: Iterable[tuple[int, dict[str, str]]], *, using: str = "default") -> list[_Row]:
    """Check every row; raise ImportRejected listing every error, or return the rows ready to write."""
    validator = _Validator(using)
    valid = [checked for line, raw in rows if (checked := validator.row(line, raw)) is not None]
    slugs = list(validator.slugs)
    for start in range(0, len(slugs), SLUG_CHECK_BATCH):
        taken = Transfer.objects.using(using).filter(slug__in=slugs[start : start + SLUG_CHECK_BATCH])
        for slug in taken.values_list("slug", flat=True):
            validator.error(validator.slugs[slug], "slug", f"{slug!r} already exists in the database.")
    if validator.error_count:
        raise ImportRejected(sorted(validator.errors, key=lambda e: e.line), validator.error_count)
    if not valid:
        raise ImportRejected([RowError(1, "file", "has no rows to import.")])
    return valid


def _write_copy(rows: list[_Row], *, user, reason: str, using: str, timings: dict) -> tuple[int, int]:
    now = timezone.now()
    user_id = user.pk if user is not None else None
    ids = allocate_ids(Transfer, len(rows), using=using)
    common = {"synthetic": False, "created_at": now, "updated_at": now, "destination_id": None,
              "reviewed_by_id": None, "reviewed_at": None}
    records = [{"id": pk, **common, **row.values} for pk, row in zip(ids, rows, strict=True)]
    columns = list(records[0])

    started = time.monotonic()
    bulk_insert(Transfer, columns, ([r[c] for c in columns] for r in records), using=using)
    timings["transfers"] = time.monotonic() - started

    started = time.monotonic()
    history = Transfer.history.model
    tracked = [f.attname for f in history.tracked_fields]
    audit = [now, reason, "+", user_id]
    bulk_insert(
        history,
        [*tracked, "history_date", "history_change_reason", "history_type", "history_user_id"],
        ([r[c] for c in tracked] + audit for r in records),
        using=using,
    )
    timings["transfer history"] = time.monotonic() - started

    started = time.monotonic()
    routes = [(transfer_id, state) for transfer_id, row in zip(ids, rows, strict=True) for state in row.via]
    route_ids = allocate_ids(TransferVia, len(routes), using=using)
    bulk_insert(TransferVia, ["id", "transfer_id", "state_id"],
                ((pk, t, s) for pk, (t, s) in zip(route_ids, routes, strict=True)), using=using)
    bulk_insert(
        TransferVia.history.model,
        ["id", "transfer_id", "state_id", "history_date", "history_change_reason", "history_type", "history_user_id"],
        ((pk, t, s, *audit) for pk, (t, s) in zip(route_ids, routes, strict=True)),
        using=using,
    )
    timings["routes and their history"] = time.monotonic() - started
    return len(records), len(routes)


def _write_orm(rows: list[_Row], *, user, reason: str, using: str, timings: dict) -> tuple[int, int]:
    started = time.monotonic()
    transfers = [Transfer(**row.values) for row in rows]
    created = bulk_create_with_history(
        transfers, Transfer, batch_size=2_000, default_user=user, default_change_reason=reason
    )
    timings["transfers with history"] = time.monotonic() - started
    started = time.monotonic()
    routes = [TransferVia(transfer_id=t.pk, state_id=s) for t, row in zip(created, rows, strict=True) for s in row.via]
    if routes:
        bulk_create_with_history(routes, TransferVia, batch_size=2_000, default_user=user, default_change_reason=reason)
    timings["routes with history"] = time.monotonic() - started
    return len(created), len(routes)


def import_transfers(
    *,
    rows: Iterable[tuple[int, dict[str, str]]],
    user=None,
    reason: str = "Bulk import",
    method: Literal["copy", "orm"] = "copy",
    using: str = "default",
) -> ImportResult:
    """Validate (line, row) pairs, then write them all in one transaction, with history; or raise ImportRejected."""
    started = time.monotonic()
    valid = validate(rows, using=using)
    validated = time.monotonic()
    timings: dict[str, float] = {}
    write = _write_copy if method == "copy" else _write_orm
    with transaction.atomic(using=using):
        transfers, routes = write(valid, user=user, reason=reason, using=using, timings=timings)
    return ImportResult(
        transfers=transfers,
        routes=routes,
        validate_seconds=validated - started,
        write_seconds=time.monotonic() - validated,
        timings=timings,
    )


def import_transfers_csv(*, file: IO[str], **kwargs) -> ImportResult:
    """Import a CSV file (see COLUMNS); raises ImportRejected naming every bad line and field."""
    return import_transfers(rows=read_csv(file), **kwargs)
