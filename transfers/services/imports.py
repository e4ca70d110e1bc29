"""Importing transfers in bulk from CSV: all or nothing, fast, with an audit trail.

Every row is checked, against the file and the database (unknown codes, supplier equal to
recipient, negative quantities, bad statuses and dates, slugs already taken), and every problem is
reported with its line and field. The transfers, their routes and one history row for each go in
inside a single transaction: history is how an analyst later learns who loaded a record and when,
so a bulk write must leave it like any other write. If any row has a problem, the transaction is
rolled back and nothing is stored.

Checking and writing overlap: a background thread parses and checks the file CHUNK_ROWS rows at a
time (Python, one core) while the calling thread writes each checked chunk (the database, the other
core). Once a problem is found, writing stops but checking goes on to the end of the file, so that
the report names every bad line; then the transaction is rolled back.

Rows go in with ``COPY`` on PostgreSQL (``transfers.bulk``): into the tables and into their
``simple_history`` tables, as ``bulk_create_with_history`` would write them but without building a
model instance per row. ``method="orm"`` uses ``bulk_create_with_history`` itself (the benchmark
compares the two). Where PostgreSQL allows it, foreign keys are checked once per referenced row
instead of once per written row and reference (``_ReferenceLocks``).
"""

import csv
import datetime
import queue
import re
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Literal

from django.db import connections, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from transfers import tallies
from transfers.bulk import allocate_ids, bulk_insert, can_skip_row_triggers, copy_text, copy_text_line, row_triggers_off
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
CHUNK_ROWS = 10_000  # rows checked, then written, at a time; also the batch of the stored-slug query
CHUNKS_AHEAD = 4  # checked chunks waiting to be written, at most: memory stays bounded
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
    seconds: float  # wall clock, from the first line read to the commit
    timings: dict[str, float] = field(default_factory=dict)  # time per step; checking overlaps writing
    reference_checks: Literal["bulk", "per-row"] = "per-row"  # how foreign keys were checked (see _ReferenceLocks)


@dataclass
class _Row:
    line: int
    values: dict  # Transfer attname -> database value
    via: list[int]
    copy: str = ""  # on PostgreSQL: the row in COPY text format, without its id (see _CopyWriter)


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
        # PostgreSQL text cannot hold NUL; COPY would fail mid-import. (One test per row, then per field.)
        if "\x00" in "".join(value for value in raw.values() if isinstance(value, str)):
            for name, value in raw.items():
                if isinstance(value, str) and "\x00" in value:
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
        route = get("via")
        for code in filter(None, (c.strip() for c in route.split(VIA_SEPARATOR))) if route else ():
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


def _checked_chunks(
    rows: Iterable[tuple[int, dict[str, str]]], validator: _Validator, prepare, timings: dict
) -> Iterator[list[_Row]]:
    """The valid rows, CHUNK_ROWS at a time, each passed to ``prepare``; problems accumulate on the validator."""
    chunk: list[_Row] = []
    busy = 0.0
    started = time.monotonic()
    for line, raw in rows:
        checked = validator.row(line, raw)
        if checked is not None:
            prepare(checked)
            chunk.append(checked)
            if len(chunk) >= CHUNK_ROWS:
                busy += time.monotonic() - started
                yield chunk
                started = time.monotonic()
                chunk = []
    busy += time.monotonic() - started
    timings["reading, checking and formatting rows (overlaps the writes)"] = busy
    if chunk:
        yield chunk


def _in_background(items: Iterator, *, ahead: int = CHUNKS_AHEAD) -> Iterator:
    """Run ``items`` in a thread, ``ahead`` items in advance; its exceptions are raised here.

    The thread must not use the database: Django's connections belong to the thread that opened them.
    """
    done = object()
    buffer: queue.Queue = queue.Queue(maxsize=ahead)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                buffer.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def run():
        try:
            for item in items:
                if not put(item):
                    return
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, which raises it
            put((done, exc))
        else:
            put((done, None))

    thread = threading.Thread(target=run, name="import-check", daemon=True)
    thread.start()
    try:
        while True:
            item = buffer.get()
            if isinstance(item, tuple) and len(item) == 2 and item[0] is done:
                if item[1] is not None:
                    raise item[1]
                return
            yield item
    finally:
        stop.set()  # the consumer stopped early (an error): let the thread end
        thread.join(timeout=5)


def _taken_slugs(chunk: list[_Row], using: str) -> list[RowError]:
    lines = {row.values["slug"]: row.line for row in chunk}
    connection = connections[using]
    if connection.vendor == "postgresql":
        # One array parameter rather than an IN list of CHUNK_ROWS placeholders: a third of the time.
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT slug FROM {Transfer._meta.db_table} WHERE slug = ANY(%s)", [list(lines)])  # noqa: S608
            taken = [slug for (slug,) in cursor.fetchall()]
    else:
        taken = Transfer.objects.using(using).filter(slug__in=list(lines)).values_list("slug", flat=True)
    return [RowError(lines[slug], "slug", f"{slug!r} already exists in the database.") for slug in taken]


class _ReferenceLocks:
    """Foreign keys checked once per referenced row rather than once per imported row and reference.

    PostgreSQL checks a foreign key with a trigger per written row: for each reference it looks the
    row up and locks it (``FOR KEY SHARE``), so that no one deletes it before the writer commits.
    At 100k rows and five references that was 500k look-ups, a fifth of an import's time. Where
    ``transfers.bulk.can_skip_row_triggers`` allows it, the import writes without those triggers
    and takes the same locks here instead: each chunk's referenced States, actors and materiel
    not already locked, in one query per table, and the history rows' user once. A row that was
    deleted after the validator read it is not found, and the import is refused, naming the line
    and field, as the trigger would have refused the commit.
    """

    REFERENCES = (
        (State, ("supplier_id", "supplier"), ("recipient_id", "recipient")),
        (Actor, ("supplier_actor_id", "supplier_actor"), ("recipient_actor_id", "recipient_actor")),
        (Materiel, ("materiel_id", "materiel")),
    )

    def __init__(self, connection, user):
        self.connection = connection
        self.locked: dict[type, set[int]] = {model: set() for model, *_ in self.REFERENCES}
        self.user = user

    def _lock(self, model, ids) -> set[int]:
        table, pk = model._meta.db_table, model._meta.pk.column
        with self.connection.cursor() as cursor:
            # Table and column from model metadata; ids are one array parameter. In id order, as
            # concurrent importers then lock in the same order.
            cursor.execute(
                f"SELECT {pk} FROM {table} WHERE {pk} = ANY(%s) ORDER BY {pk} FOR KEY SHARE",  # noqa: S608
                [sorted(ids)],
            )
            return {pk for (pk,) in cursor.fetchall()}

    def __call__(self, rows: list[_Row]) -> list[RowError]:
        if self.user is not None:
            if not self._lock(type(self.user), [self.user.pk]):
                raise ImportRejected([RowError(1, "user", f"{self.user} was deleted while the import ran.")])
            self.user = None
        errors = []
        for model, *fields in self.REFERENCES:
            wanted: dict[int, tuple[int, str]] = {}  # id -> the first (line, field) that refers to it
            for row in rows:
                named = [(row.values[attname], name) for attname, name in fields]
                if model is State:
                    named += [(pk, "via") for pk in row.via]
                for pk, name in named:
                    if pk is not None and pk not in self.locked[model]:
                        wanted.setdefault(pk, (row.line, name))
            if not wanted:
                continue
            found = self._lock(model, wanted)
            self.locked[model] |= found
            errors += [
                RowError(line, name, f"the {model._meta.verbose_name} it names (id {pk}) was deleted while the "
                         "import ran.")
                for pk, (line, name) in wanted.items() if pk not in found
            ]
        return errors


AUDIT_COLUMNS = ["history_date", "history_change_reason", "history_type", "history_user_id"]


class _CopyWriter:
    """Transfers, their history and their routes in bulk (COPY on PostgreSQL, INSERT elsewhere).

    ``prepare`` runs on the checking thread and formats each row's COPY text (all but the id), so
    that the writing thread mostly waits on the database; a history row is the same text plus the
    audit columns.
    """

    def __init__(self, *, user, reason: str, using: str, timings: dict):
        self.using, self.timings = using, timings
        self.connection = connections[using]
        self.copy = self.connection.vendor == "postgresql"
        now = timezone.now()
        self.common = {"synthetic": False, "created_at": now, "updated_at": now, "destination_id": None,
                       "reviewed_by_id": None, "reviewed_at": None}
        self.audit = [now, reason, "+", user.pk if user is not None else None]
        self.history = Transfer.history.model
        self.common_text = copy_text_line(list(self.common.values()))[:-1]
        self.audit_text = "\t" + copy_text_line(self.audit)

    def columns(self, row: _Row) -> list[str]:
        columns = ["id", *self.common, *row.values]
        tracked = [f.attname for f in self.history.tracked_fields]
        assert sorted(tracked) == sorted(columns), "an import must write every field its history tracks"
        return columns

    def prepare(self, row: _Row):
        if self.copy:
            row.copy = self.common_text + "\t" + copy_text_line(list(row.values.values()))

    def __call__(self, rows: list[_Row]) -> tuple[int, int]:
        started = time.monotonic()
        ids = allocate_ids(Transfer, len(rows), using=self.using)
        columns = self.columns(rows[0])
        if self.copy:
            text = "".join([f"{pk}\t{row.copy}" for pk, row in zip(ids, rows, strict=True)])
            copy_text(self.connection, Transfer._meta.db_table, columns, text)
            _add(self.timings, "COPY transfers", time.monotonic() - started)
            started = time.monotonic()
            copy_text(self.connection, self.history._meta.db_table, columns + AUDIT_COLUMNS,
                      text.replace("\n", self.audit_text))  # a raw newline only ends a row: values escape theirs
            _add(self.timings, "COPY transfer history", time.monotonic() - started)
        else:
            records = [[pk, *self.common.values(), *row.values.values()] for pk, row in zip(ids, rows, strict=True)]
            bulk_insert(Transfer, columns, records, using=self.using)
            bulk_insert(self.history, columns + AUDIT_COLUMNS, (r + self.audit for r in records), using=self.using)
            _add(self.timings, "transfers and their history", time.monotonic() - started)

        started = time.monotonic()
        routes = [(transfer_id, state) for transfer_id, row in zip(ids, rows, strict=True) for state in row.via]
        route_ids = allocate_ids(TransferVia, len(routes), using=self.using)
        bulk_insert(TransferVia, ["id", "transfer_id", "state_id"],
                    ((pk, t, s) for pk, (t, s) in zip(route_ids, routes, strict=True)), using=self.using)
        bulk_insert(
            TransferVia.history.model,
            ["id", "transfer_id", "state_id", *AUDIT_COLUMNS],
            ((pk, t, s, *self.audit) for pk, (t, s) in zip(route_ids, routes, strict=True)),
            using=self.using,
        )
        _add(self.timings, "routes and their history", time.monotonic() - started)
        return len(rows), len(routes)


class _OrmWriter:
    """``bulk_create_with_history``: the library's own path, for comparison."""

    def __init__(self, *, user, reason: str, using: str, timings: dict):
        self.user, self.reason, self.timings = user, reason, timings

    def prepare(self, row: _Row):
        pass

    def __call__(self, rows: list[_Row]) -> tuple[int, int]:
        started = time.monotonic()
        transfers = [Transfer(**row.values) for row in rows]
        created = bulk_create_with_history(
            transfers, Transfer, batch_size=2_000, default_user=self.user, default_change_reason=self.reason
        )
        _add(self.timings, "transfers with history", time.monotonic() - started)
        started = time.monotonic()
        routes = [TransferVia(transfer_id=t.pk, state_id=s)
                  for t, row in zip(created, rows, strict=True) for s in row.via]
        if routes:
            bulk_create_with_history(
                routes, TransferVia, batch_size=2_000, default_user=self.user, default_change_reason=self.reason
            )
        _add(self.timings, "routes with history", time.monotonic() - started)
        return len(created), len(routes)


def _add(timings: dict, step: str, seconds: float):
    timings[step] = timings.get(step, 0.0) + seconds


def import_transfers(
    *,
    rows: Iterable[tuple[int, dict[str, str]]],
    user=None,
    reason: str = "Bulk import",
    method: Literal["copy", "orm"] = "copy",
    reference_checks: Literal["bulk", "per-row"] = "bulk",
    using: str = "default",
) -> ImportResult:
    """Check (line, row) pairs and write them all in one transaction, with history; or raise ImportRejected.

    ImportRejected lists every problem (up to ERRORS_KEPT, with the total), and nothing is stored.
    ``reference_checks="bulk"`` checks foreign keys once per referenced row where PostgreSQL allows
    it (``_ReferenceLocks``); ``"per-row"``, or a database or role that does not allow it, leaves
    them to the database's per-row triggers.
    """
    started = time.monotonic()
    timings: dict[str, float] = {}
    write = (_CopyWriter if method == "copy" else _OrmWriter)(user=user, reason=reason, using=using, timings=timings)
    validator = _Validator(using)  # loads the States, actors and materiel: here, on this thread's connection
    connection = connections[using]
    tables = [model._meta.db_table for model in (Transfer, Transfer.history.model, TransferVia,
                                                 TransferVia.history.model)]
    references = None
    if method == "copy" and reference_checks == "bulk" and can_skip_row_triggers(connection, tables):
        references = _ReferenceLocks(connection, user)
    stored_problems: list[RowError] = []
    transfers = routes = 0
    with transaction.atomic(using=using):
        for chunk in _in_background(_checked_chunks(rows, validator, write.prepare, timings)):
            step = time.monotonic()
            stored_problems += _taken_slugs(chunk, using)
            _add(timings, "checking slugs against the database", time.monotonic() - step)
            if validator.error_count or stored_problems:
                continue  # something is wrong: write no more, but read on to report every problem
            if references is None:
                written = write(chunk)
            else:
                step = time.monotonic()
                stored_problems += references(chunk)
                _add(timings, "locking the referenced rows (foreign keys)", time.monotonic() - step)
                if stored_problems:
                    continue
                with row_triggers_off(connection):
                    written = write(chunk)
            transfers, routes = transfers + written[0], routes + written[1]
        if validator.error_count or stored_problems:
            errors = sorted(validator.errors + stored_problems, key=lambda e: e.line)[:ERRORS_KEPT]
            raise ImportRejected(errors, validator.error_count + len(stored_problems))  # rolls the transaction back
        if not transfers:
            raise ImportRejected([RowError(1, "file", "has no rows to import.")])
        step = time.monotonic()
        tallies.rebuild(using=using)  # the rows went in by COPY, past the signals that keep the tallies
        _add(timings, "recounting the transfer tallies", time.monotonic() - step)
        commit = time.monotonic()
    timings["commit (foreign key checks left to the database)"] = time.monotonic() - commit
    return ImportResult(transfers=transfers, routes=routes, seconds=time.monotonic() - started, timings=timings,
                        reference_checks="per-row" if references is None else "bulk")


def import_transfers_csv(*, file: IO[str], **kwargs) -> ImportResult:
    """Import a CSV file (see COLUMNS); raises ImportRejected naming every bad line and field."""
    return import_transfers(rows=read_csv(file), **kwargs)
