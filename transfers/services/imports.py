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
model instance per row. PostgreSQL's own foreign-key triggers check every reference. The rules a
row shares with every other write path (parties, route) are transfers.rules' functions, called per
row on plain values: the same rule and the same message as the API, the admin and ``loaddata``.
"""

import csv
import dataclasses
import datetime
import queue
import re
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import connections, transaction
from django.utils import timezone

from transfers import readmodel, rules, tallies
from transfers.bulk import allocate_ids, bulk_insert, copy_text, copy_text_line
from transfers.choices import LegRole, PartyRole, TransferStatus, TransportMode
from transfers.history import CHANGE_REASON_MAX
from transfers.models import Actor, Materiel, Place, State, Transfer, TransferParty, TransferVia

REQUIRED_COLUMNS = ("slug", "supplier", "recipient", "materiel")
OPTIONAL_COLUMNS = (
    "supplier_actor",
    "recipient_actor",
    "quantity",
    "quantity_ordered",
    "quantity_delivered",
    "quantity_low",
    "quantity_high",
    "quantity_estimated",
    "quantity_note",
    "status",
    "first_reported",
    "covert",
    "description",
    "via",
    "route",
    "parties",
)
# A supplier or recipient cell saying the party is not known (the transfer's State is then empty).
UNKNOWN = "unknown"
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


@dataclass
class _Row:
    line: int
    values: dict  # Transfer attname -> database value
    legs: list[tuple]  # (seq, state id, place id, role, mode), in route order
    parties: list[tuple] = dataclasses.field(default_factory=list)  # (role, number, actor id, state id)
    copy: str = ""  # on PostgreSQL: the row in COPY text format, without its id (see _CopyWriter)

    @property
    def via(self) -> list[int]:
        return [state for _, state, _, _, _ in self.legs if state is not None]


class _Validator:
    def __init__(self, using: str):
        self.states = dict(State.objects.using(using).values_list("iso3", "id"))
        self.actors = dict(Actor.objects.using(using).values_list("slug", "id"))
        self.places = dict(Place.objects.using(using).values_list("slug", "id"))
        self.materiel = {slug: (pk, cat) for slug, pk, cat in
                         Materiel.objects.using(using).values_list("slug", "id", "category")}
        self.codes = {pk: code for code, pk in self.states.items()}
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

    def problems(self, line: int, found: dict[str, str]):
        for name, message in found.items():
            self.error(line, name, message)

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
        if None in raw:  # csv.DictReader's key for cells past the header's last column
            extra = raw.pop(None)
            cells = ", ".join(map(repr, extra))[:200]
            self.error(line, "file", f"has {len(extra)} cell(s) more than the header ({cells}); quote a value "
                       "that contains a comma.")
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

        supplier = self.party(line, "supplier", get("supplier"), get("supplier_actor"))
        recipient = self.party(line, "recipient", get("recipient"), get("recipient_actor"))
        self.problems(line, rules.parties_differ(supplier, recipient))

        materiel_slug = get("materiel").strip()
        materiel = self.materiel.get(materiel_slug)
        if not materiel_slug:
            self.error(line, "materiel", "is required (the slug of a stored materiel).")
        elif materiel is None:
            self.error(line, "materiel", f"unknown materiel {materiel_slug!r}.")

        quantity = self.number(line, "quantity", get("quantity"))
        if get("quantity_ordered").strip():
            ordered = self.number(line, "quantity_ordered", get("quantity_ordered"))
            if get("quantity").strip() and ordered != quantity:
                self.error(line, "quantity_ordered", "differs from quantity (they are the same figure).")
            quantity = ordered
        delivered = self.number(line, "quantity_delivered", get("quantity_delivered"))
        low = self.number(line, "quantity_low", get("quantity_low"))
        high = self.number(line, "quantity_high", get("quantity_high"))
        for name, message in rules.quantity_range(low, high).items():
            self.error(line, name, message)
        text = get("quantity_estimated").strip().lower()
        estimated = text in TRUE
        if text not in TRUE | FALSE:
            self.error(line, "quantity_estimated", f"{text!r} is not true or false.")

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

        route = get("via")
        codes = [c for c in (c.strip() for c in route.split(VIA_SEPARATOR)) if c] if route else []
        via = [pk for pk in (self.state(line, "via", code) for code in codes) if pk is not None]
        if via and get("route").strip():
            self.error(line, "route", "give the route or via, not both.")
        legs = self.legs(line, get("route")) if get("route").strip() else [
            (seq, pk, None, LegRole.TRANSIT, TransportMode.UNKNOWN) for seq, pk in enumerate(via, start=1)
        ]
        found = rules.route_states(rules.transit_states((role, state) for _, state, _, role, _ in legs),
                                   supplier_id=supplier, recipient_id=recipient, label=self.codes.get)
        self.problems(line, {"route": found["via"]} if found and get("route").strip() else found)
        parties = self.parties(line, get("parties"))

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
                "quantity_delivered": delivered,
                "quantity_low": low,
                "quantity_high": high,
                "quantity_estimated": estimated,
                "quantity_note": quantity_note,
                "status": status,
                "first_reported": first_reported,
                "covert": covert,
                "description": get("description").strip(),
            },
            legs=legs,
            parties=parties,
        )

    def party(self, line: int, name: str, value: str, actor: str) -> int | None:
        """A supplier or recipient State; empty when the cell says ``unknown`` or a non-state actor is named."""
        text = value.strip()
        if text.lower() == UNKNOWN or (not text and actor.strip()):
            return None
        if not text:
            self.error(line, name, f"is required: an ISO3 code, '{UNKNOWN}', or a {name}_actor.")
            return None
        return self.state(line, name, text)

    def number(self, line: int, name: str, value: str) -> int | None:
        text = value.strip()
        if not text:
            return None
        try:
            number = int(text)
        except ValueError:
            self.error(line, name, f"{text!r} is not a whole number.")
            return None
        if number < 0:
            self.error(line, name, "cannot be negative.")
        elif number > BIGINT_MAX:
            self.error(line, name, f"is larger than {BIGINT_MAX}, the largest quantity stored.")
        return number

    def legs(self, line: int, value: str) -> list[tuple]:
        legs, problems = parse_legs(value, states=self.states, places=self.places)
        for message in problems:
            self.error(line, "route", message)
        return legs

    def parties(self, line: int, value: str) -> list[tuple]:
        parties, problems = parse_parties(value, states=self.states, actors=self.actors)
        for message in problems:
            self.error(line, "parties", message)
        return parties


def parse_legs(value: str, *, states: dict[str, int], places: dict[str, int]) -> tuple[list[tuple], list[str]]:
    """Route legs written ``role:where:mode`` and separated by ';', where ``where`` is an ISO3 code, a
    place slug, or both joined by '+' (``origin:IRN+bandar-abbas:sea;transshipment:astrakhan:sea``).

    Returns (seq, state id, place id, role, mode) tuples and the problems found (the import's and the
    admin import's one parser)."""
    legs, problems = [], []
    for seq, text in enumerate(filter(None, (part.strip() for part in value.split(VIA_SEPARATOR))), start=1):
        parts = [part.strip() for part in text.split(":")]
        if len(parts) not in (2, 3):
            problems.append(f"{text!r} is not role:where[:mode] (e.g. transit:SYR+tartus:sea).")
            continue
        role, where, mode = parts[0], parts[1], parts[2] if len(parts) == 3 else TransportMode.UNKNOWN
        if role not in LegRole.values:
            problems.append(f"{role!r} is not one of: {', '.join(LegRole.values)}.")
        if mode not in TransportMode.values:
            problems.append(f"{mode!r} is not one of: {', '.join(TransportMode.values)}.")
        state = place = None
        for key in filter(None, where.split("+")):
            if re.fullmatch(r"[A-Za-z]{3}", key) and key.upper() in states:
                state = states[key.upper()]
            elif key in places:
                place = places[key]
            else:
                problems.append(f"{key!r} is neither a stored State's ISO3 code nor a place slug.")
        problems += [f"{text!r}: {message}" for message in rules.leg_names_a_place(state, place).values()]
        legs.append((seq, state, place, role, mode))
    return legs, problems


def parse_parties(value: str, *, states: dict[str, int], actors: dict[str, int]) -> tuple[list[tuple], list[str]]:
    """Parties written ``role:who`` and separated by ';', ``who`` an actor slug or a State's ISO3 code
    (``broker:acme-ltd;shipper:blue-sea``). Returns (role, number, actor id, state id) tuples and the
    problems found."""
    parties, problems, numbers = [], [], {}
    for text in filter(None, (part.strip() for part in value.split(VIA_SEPARATOR))):
        role, _, who = (part.strip() for part in text.partition(":"))
        if role not in PartyRole.values:
            problems.append(f"{role!r} is not one of: {', '.join(PartyRole.values)}.")
            continue
        actor, state = actors.get(who), None
        if actor is None:
            state = states.get(who.upper()) if re.fullmatch(r"[A-Za-z]{3}", who) else None
            if state is None:
                problems.append(f"{who!r} is neither a stored actor's slug nor a State's ISO3 code.")
                continue
        numbers[role] = numbers.get(role, 0) + 1
        parties.append((role, numbers[role], actor, state))
    return parties, problems


MAX_FIELD_BYTES = csv.field_size_limit()  # 128 KB: Python's csv module refuses longer fields


def utf8_lines(binary: Iterable[bytes]) -> Iterator[str]:
    """The lines of a binary file as text, refusing invalid UTF-8 with the line where it stands."""
    for number, raw in enumerate(binary, start=1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            message = f"is not valid UTF-8 (byte {raw[exc.start]:#04x} at column {exc.start + 1}); save it as UTF-8."
            raise ImportRejected([RowError(number, "file", message)]) from None
        yield text.removeprefix("\ufeff") if number == 1 else text


def read_csv(file: Iterable[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, row) pairs of a CSV file whose header names the columns; checks the header."""
    reader = csv.DictReader(file)
    line = 0
    try:
        header = reader.fieldnames or []
        problems = [RowError(1, name, "unknown column.") for name in header if name not in COLUMNS]
        problems += [RowError(1, name, "required column is missing.") for name in REQUIRED_COLUMNS
                     if name not in header]
        if problems:
            raise ImportRejected(problems)
        line = reader.line_num
        for row in reader:
            yield line + 1, row  # the line the record starts on
            line = reader.line_num
    except csv.Error as exc:
        reason = f"a field is longer than {MAX_FIELD_BYTES // 1024} KB" if "field larger" in str(exc) else str(exc)
        # Named by the line its record starts on, as every other problem is.
        raise ImportRejected([RowError(line + 1, "file", f"cannot be read as CSV: {reason}.")]) from None


def _checked_chunks(rows: Iterable[tuple[int, dict[str, str]]], validator: _Validator, prepare) -> Iterator[list[_Row]]:
    """The valid rows, CHUNK_ROWS at a time, each passed to ``prepare``; problems accumulate on the validator."""
    chunk: list[_Row] = []
    for line, raw in rows:
        checked = validator.row(line, raw)
        if checked is not None:
            prepare(checked)
            chunk.append(checked)
            if len(chunk) >= CHUNK_ROWS:
                yield chunk
                chunk = []
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


AUDIT_COLUMNS = ["history_date", "history_change_reason", "history_type", "history_user_id"]


class _CopyWriter:
    """Transfers, their history and their routes in bulk (COPY on PostgreSQL, INSERT elsewhere).

    ``prepare`` runs on the checking thread and formats each row's COPY text (all but the id), so
    that the writing thread mostly waits on the database; a history row is the same text plus the
    audit columns.
    """

    def __init__(self, *, user, reason: str, using: str):
        self.using = using
        self.connection = connections[using]
        self.copy = self.connection.vendor == "postgresql"
        now = timezone.now()
        self.common = {"created_at": now, "updated_at": now, "version": 1, "destination_id": None,
                       "reviewed_by_id": None, "reviewed_at": None, "value_amount": None, "value_currency": "",
                       "value_year": None, "value_claim_id": None}
        self.audit = [now, reason[:CHANGE_REASON_MAX], "+", user.pk if user is not None else None]
        self.history = Transfer.history.model
        self.common_text = copy_text_line(list(self.common.values()))[:-1]
        self.audit_text = "\t" + copy_text_line(self.audit)
        self.ids: list[int] = []  # of the transfers written

    def columns(self, row: _Row) -> list[str]:
        columns = ["id", *self.common, *row.values]
        tracked = [f.attname for f in self.history.tracked_fields]
        assert sorted(tracked) == sorted(columns), "an import must write every field its history tracks"
        return columns

    def prepare(self, row: _Row):
        if self.copy:
            row.copy = self.common_text + "\t" + copy_text_line(list(row.values.values()))

    def __call__(self, rows: list[_Row]) -> tuple[int, int]:
        ids = allocate_ids(Transfer, len(rows), using=self.using)
        self.ids += ids
        columns = self.columns(rows[0])
        if self.copy:
            text = "".join([f"{pk}\t{row.copy}" for pk, row in zip(ids, rows, strict=True)])
            copy_text(self.connection, Transfer._meta.db_table, columns, text)
            copy_text(self.connection, self.history._meta.db_table, columns + AUDIT_COLUMNS,
                      text.replace("\n", self.audit_text))  # a raw newline only ends a row: values escape theirs
        else:
            records = [[pk, *self.common.values(), *row.values.values()] for pk, row in zip(ids, rows, strict=True)]
            bulk_insert(Transfer, columns, records, using=self.using)
            bulk_insert(self.history, columns + AUDIT_COLUMNS, (r + self.audit for r in records), using=self.using)

        routes = [(transfer_id, *leg) for transfer_id, row in zip(ids, rows, strict=True) for leg in row.legs]
        self._parts(TransferVia, ["transfer_id", "seq", "state_id", "place_id", "role", "mode"], routes)
        parties = [(transfer_id, *party) for transfer_id, row in zip(ids, rows, strict=True) for party in row.parties]
        self._parts(TransferParty, ["transfer_id", "role", "number", "actor_id", "state_id"], parties)
        return len(rows), len(routes)

    def _parts(self, model, columns: list[str], records: list[tuple]) -> None:
        if not records:
            return
        ids = allocate_ids(model, len(records), using=self.using)
        bulk_insert(model, ["id", *columns], ((pk, *r) for pk, r in zip(ids, records, strict=True)), using=self.using)
        bulk_insert(model.history.model, ["id", *columns, *AUDIT_COLUMNS],
                    ((pk, *r, *self.audit) for pk, r in zip(ids, records, strict=True)), using=self.using)


def import_transfers(
    *,
    rows: Iterable[tuple[int, dict[str, str]]],
    user=None,
    reason: str = "Bulk import",
    using: str = "default",
) -> ImportResult:
    """Check (line, row) pairs and write them all in one transaction, with history; or raise ImportRejected.

    ImportRejected lists every problem (up to ERRORS_KEPT, with the total), and nothing is stored.
    """
    started = time.monotonic()
    write = _CopyWriter(user=user, reason=reason, using=using)
    validator = _Validator(using)  # loads the States, actors and materiel: here, on this thread's connection
    stored_problems: list[RowError] = []
    transfers = routes = 0
    with transaction.atomic(using=using):
        for chunk in _in_background(_checked_chunks(rows, validator, write.prepare)):
            stored_problems += _taken_slugs(chunk, using)
            if validator.error_count or stored_problems:
                continue  # something is wrong: write no more, but read on to report every problem
            written = write(chunk)
            transfers, routes = transfers + written[0], routes + written[1]
        if validator.error_count or stored_problems:
            errors = sorted(validator.errors + stored_problems, key=lambda e: e.line)[:ERRORS_KEPT]
            raise ImportRejected(errors, validator.error_count + len(stored_problems))  # rolls the transaction back
        if not transfers:
            raise ImportRejected([RowError(1, "file", "has no rows to import.")])
        # They went in by COPY, past the signals: the tallies, then the records and their summary
        # (whose rows every write path locks last).
        tallies.transfers_added(ids=write.ids, using=using)
        readmodel.refresh(ids=write.ids, using=using)
    return ImportResult(transfers=transfers, routes=routes, seconds=time.monotonic() - started)


def import_transfers_csv(*, file: Iterable[str], **kwargs) -> ImportResult:
    """Import a CSV file (see COLUMNS): an open text file or any iterable of its lines (``utf8_lines``).

    Raises ImportRejected naming every bad line and field."""
    return import_transfers(rows=read_csv(file), **kwargs)


CLAIM_COLUMNS = ("transfer", "source", "quote", "slug", "stance", "claimant", "credibility", "note", "quantity",
                 "quantity_low", "quantity_high")
CLAIM_REQUIRED = ("transfer", "source", "quote")


def read_claims_csv(file: Iterable[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, row) pairs of a claims file (see CLAIM_COLUMNS); checks the header."""
    reader = csv.DictReader(file)
    header = reader.fieldnames or []
    problems = [RowError(1, name, "unknown column.") for name in header if name not in CLAIM_COLUMNS]
    problems += [RowError(1, name, "required column is missing.") for name in CLAIM_REQUIRED if name not in header]
    if problems:
        raise ImportRejected(problems)
    line = reader.line_num
    for row in reader:
        yield line + 1, row
        line = reader.line_num


def import_claims(*, rows: Iterable[tuple[int, dict[str, str]]], user=None, reason: str = "Claims import",
                  using: str = "default") -> int:
    """Add each row's claim to its transfer (stored, or imported in the same transaction) through the
    one write path (every rule, history); raises ImportRejected naming every bad line and field."""
    from django.core.exceptions import ValidationError

    from transfers.models import Claim, Source

    from .records import record_save, transfer_part_changed

    errors: list[RowError] = []
    touched: set[int] = set()
    count = 0
    rows = list(rows)
    with readmodel.batched(using):
        # The transfers the file adds to are locked first, in primary-key order, before the sources
        # their claims quote: the write path's lock order (services.records).
        named = {(raw.get("transfer") or "").strip() for _, raw in rows}
        list(Transfer.objects.using(using).filter(slug__in=named).select_for_update(no_key=True).order_by("pk")
             .values_list("pk"))
        for line, raw in rows:
            get = lambda name: (raw.get(name) or "").strip()  # noqa: E731, B023 - read within this iteration
            claimant = Actor.objects.using(using).filter(slug=get("claimant")).first() if get("claimant") else None
            found = {
                "transfer": Transfer.objects.using(using).filter(slug=get("transfer")).first(),
                "source": Source.objects.using(using).filter(slug=get("source")).first(),
                "claimant": claimant,
            }
            missing = [name for name, record in found.items() if record is None and get(name)] + [
                name for name in ("transfer", "source") if not get(name)
            ]
            if missing:
                errors += [RowError(line, name, f"unknown or missing {name} {get(name)!r}.") for name in missing]
                continue
            fields = {"stance": get("stance") or "asserts", "note": get("note"), "quote": raw.get("quote") or ""}
            try:
                fields["credibility"] = int(get("credibility") or 6)
                for name in ("quantity", "quantity_low", "quantity_high"):
                    fields[name] = int(get(name)) if get(name) else None
            except ValueError as error:
                errors.append(RowError(line, "credibility/quantity", f"not a whole number ({error})."))
                continue
            slug = get("slug") or f"{found['transfer'].slug[:90]}-claim-{line}"
            claim = Claim(slug=slug, transfer=found["transfer"], source=found["source"], claimant=found["claimant"],
                          **fields)
            if user is not None:
                claim._history_user = user
            try:
                with transaction.atomic(using=using):
                    record_save(record=claim, reason=reason, touch_transfer=False)
            except ValidationError as error:
                messages = error.message_dict if hasattr(error, "error_dict") else {"claim": error.messages}
                errors += [RowError(line, name, " ".join(texts)) for name, texts in messages.items()]
                continue
            touched.add(found["transfer"].pk)
            count += 1
        if errors:
            raise ImportRejected(errors[:ERRORS_KEPT], len(errors))
        for transfer_id in sorted(touched):
            transfer_part_changed(transfer_id=transfer_id, reason=reason)
    return count
