"""manage.py import_transfers: the fast, all-or-nothing CSV import with history."""

import csv

import pytest
from django.core.management import CommandError, call_command

from transfers.choices import MaterielCategory, TransferStatus
from transfers.history import CHANGE_REASON_MAX
from transfers.models import Transfer, TransferVia
from transfers.services.imports import ImportRejected, import_transfers_csv

from .factories import ActorFactory, MaterielFactory, StateFactory

pytestmark = pytest.mark.django_db

HEADER = "slug,supplier,recipient,supplier_actor,recipient_actor,materiel,quantity,status,first_reported,covert," \
         "description,via\n"


@pytest.fixture
def world():
    for iso3 in ("PRK", "RUS", "IRN", "SYR", "EGY"):
        StateFactory(iso3=iso3)
    ActorFactory(slug="dprk-government", state=StateFactory(iso3="PRK"))
    MaterielFactory(slug="artillery-shells", category=MaterielCategory.AMMUNITION)
    MaterielFactory(slug="shahed-136", category=MaterielCategory.UAV)


def write(tmp_path, body: str):
    path = tmp_path / "transfers.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


GOOD = (
    "prk-rus-shells,PRK,RUS,dprk-government,,artillery-shells,1000000,in_transit,2022-11-02,true,"
    '"Shells, covertly, via the Middle East",SYR;EGY\n'
    "irn-rus-drones,IRN,RUS,,,shahed-136,,delivered,2022-10-01,false,,\n"
)


def test_it_imports_every_row_with_its_route(world, tmp_path):
    call_command("import_transfers", str(write(tmp_path, GOOD)), verbosity=0)
    shells = Transfer.objects.get(slug="prk-rus-shells")
    assert (shells.supplier.iso3, shells.recipient.iso3) == ("PRK", "RUS")
    assert shells.supplier_actor.slug == "dprk-government"
    assert shells.quantity == 1_000_000 and shells.covert and shells.status == TransferStatus.IN_TRANSIT
    assert shells.description == "Shells, covertly, via the Middle East"
    legs = list(shells.route.values_list("seq", "state__iso3", "role"))
    assert legs == [(1, "SYR", "transit"), (2, "EGY", "transit")]
    drones = Transfer.objects.get(slug="irn-rus-drones")
    assert drones.quantity is None and not drones.covert and drones.category == MaterielCategory.UAV


def test_it_writes_a_history_row_for_every_transfer_and_route(world, tmp_path, editor):
    call_command("import_transfers", str(write(tmp_path, GOOD)), user="editor", reason="SIPRI 2024", verbosity=0)
    history = Transfer.history.filter(slug__in=["prk-rus-shells", "irn-rus-drones"])
    assert history.count() == 2
    first = history.get(slug="prk-rus-shells")
    assert (first.history_type, first.history_user, first.history_change_reason) == ("+", editor, "SIPRI 2024")
    assert first.id == Transfer.objects.get(slug="prk-rus-shells").pk and first.quantity == 1_000_000
    assert TransferVia.history.filter(transfer_id=first.id).count() == 2


def test_a_bad_row_rejects_the_whole_file_naming_line_and_field(world, tmp_path):
    body = GOOD + "prk-rus-again,PRK,PRK,,,artillery-shells,5,delivered,2023-01-01,,,\n"
    path = write(tmp_path, body)
    with pytest.raises(CommandError, match="Nothing was imported: 1 error"):
        call_command("import_transfers", str(path), verbosity=0)
    assert not Transfer.objects.exists() and not Transfer.history.exists()
    with open(path, encoding="utf-8") as file, pytest.raises(ImportRejected) as rejected:
        import_transfers_csv(file=file)
    [error] = rejected.value.errors
    assert (error.line, error.field) == (4, "recipient")


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ("x,ZZZ,RUS,,,artillery-shells,,,,,,", "supplier", "unknown State 'ZZZ'"),
        ("x,PRK,RUS,nobody,,artillery-shells,,,,,,", "supplier_actor", "unknown actor 'nobody'"),
        ("x,PRK,RUS,,,nothing,,,,,,", "materiel", "unknown materiel 'nothing'"),
        ("x,PRK,RUS,,,artillery-shells,-3,,,,,", "quantity", "cannot be negative"),
        ("x,PRK,RUS,,,artillery-shells,lots,,,,,", "quantity", "not a whole number"),
        ("x,PRK,RUS,,,artillery-shells,,shipped,,,,", "status", "'shipped' is not one of"),
        ("x,PRK,RUS,,,artillery-shells,,,2022-13-01,,,", "first_reported", "not a date"),
        ("x,PRK,RUS,,,artillery-shells,,,,maybe,,", "covert", "not true or false"),
        ("x,PRK,RUS,,,artillery-shells,,,,,,SYR;RUS", "via", "RUS is the supplier or the recipient"),
        ("not a slug,PRK,RUS,,,artillery-shells,,,,,,", "slug", "is not a slug"),
        ("x,PRK,RUS,,,artillery-shells,,,,,a \x00 byte,", "description", "contains a NUL character"),
    ],
)
def test_it_names_the_field_of_each_kind_of_error(world, tmp_path, row, field, message):
    with open(write(tmp_path, row + "\n"), encoding="utf-8") as file, pytest.raises(ImportRejected) as rejected:
        import_transfers_csv(file=file)
    [error] = rejected.value.errors
    assert (error.line, error.field) == (2, field)
    assert message in error.message


def test_it_refuses_slugs_repeated_in_the_file_or_already_stored(world, tmp_path):
    call_command("import_transfers", str(write(tmp_path, GOOD)), verbosity=0)
    body = GOOD.splitlines()[0].replace("prk-rus-shells", "new-one") + "\n" + GOOD.splitlines()[0] + "\n" \
        + GOOD.splitlines()[0].replace("prk-rus-shells", "new-one") + "\n"
    with open(write(tmp_path, body), encoding="utf-8") as file, pytest.raises(ImportRejected) as rejected:
        import_transfers_csv(file=file)
    assert [(e.line, e.field) for e in rejected.value.errors] == [(3, "slug"), (4, "slug")]
    assert "already exists in the database" in rejected.value.errors[0].message
    assert "already used on line 2" in rejected.value.errors[1].message
    assert Transfer.objects.count() == 2


def test_an_unknown_or_missing_column_is_reported_on_the_header_line(world, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("slug,supplier,materiel,colour\nx,PRK,artillery-shells,red\n", encoding="utf-8")
    with open(path, encoding="utf-8") as file, pytest.raises(ImportRejected) as rejected:
        import_transfers_csv(file=file)
    assert {(e.line, e.field) for e in rejected.value.errors} == {(1, "colour"), (1, "recipient")}


def test_a_problem_in_a_later_chunk_undoes_the_chunks_already_written(world, tmp_path, monkeypatch):
    import threading

    from transfers.services import imports

    # One row per chunk, and the bad rows are only read once a good chunk has been written.
    monkeypatch.setattr(imports, "CHUNK_ROWS", 1)
    call_command("import_transfers", str(write(tmp_path, GOOD.splitlines()[1] + "\n")), verbosity=0)
    before = (Transfer.objects.count(), Transfer.history.count(), TransferVia.objects.count())
    written = threading.Event()
    write_chunk = imports._CopyWriter.__call__

    def spy(self, rows):
        result = write_chunk(self, rows)
        assert Transfer.objects.filter(slug=rows[0].values["slug"]).exists()  # really in the database
        written.set()
        return result

    monkeypatch.setattr(imports._CopyWriter, "__call__", spy)
    good = dict(zip(HEADER.strip().split(","), next(csv.reader([GOOD.splitlines()[0]])), strict=True))

    def rows():
        yield 2, {**good, "slug": "row-2"}
        assert written.wait(10)
        yield 3, {**good, "slug": "row-3", "supplier": "XXX"}
        yield 4, {**good, "slug": "irn-rus-drones"}  # already stored
        yield 5, {**good, "slug": "row-5"}

    with pytest.raises(ImportRejected) as rejected:
        imports.import_transfers(rows=rows())
    assert [(e.line, e.field) for e in rejected.value.errors] == [(3, "supplier"), (4, "slug")]
    assert (Transfer.objects.count(), Transfer.history.count(), TransferVia.objects.count()) == before


def test_an_exception_while_reading_undoes_everything_and_reaches_the_caller(world, monkeypatch):
    from transfers.services.imports import import_transfers

    monkeypatch.setattr("transfers.services.imports.CHUNK_ROWS", 1)
    good = dict(zip(HEADER.strip().split(","), next(csv.reader([GOOD.splitlines()[1]])), strict=True))

    def rows():
        yield 2, good
        yield 3, {**good, "slug": "second"}
        raise OSError("the disk went away")

    with pytest.raises(OSError, match="the disk went away"):
        import_transfers(rows=rows())
    assert not Transfer.objects.exists()


def test_a_history_row_holds_exactly_the_stored_values(world, tmp_path):
    # Tabs, newlines and backslashes survive the COPY text that the transfer and its history share.
    body = 'odd,PRK,RUS,,,artillery-shells,5,delivered,,false,"line one\nline\ttwo \\N back\\\\slash",\n'
    call_command("import_transfers", str(write(tmp_path, body)), verbosity=0)
    transfer = Transfer.objects.get(slug="odd")
    assert transfer.description == "line one\nline\ttwo \\N back\\\\slash"
    history = transfer.history.get()
    for field in Transfer._meta.concrete_fields:
        assert getattr(history, field.attname) == getattr(transfer, field.attname), field.attname
    assert history.history_type == "+"


def test_a_long_file_path_is_cut_to_the_history_s_reason_rather_than_refused(world, tmp_path):
    # Found running the suite in parallel: a deep temporary path made the reason longer than the
    # history's column, and PostgreSQL refused the whole import.
    deep = tmp_path / ("a-folder-with-a-long-name-" * 4)
    deep.mkdir()
    body = "long-path,PRK,RUS,,,artillery-shells,5,delivered,,false,Test text.,\n"
    call_command("import_transfers", str(write(deep, body)), verbosity=0)
    reason = Transfer.objects.get(slug="long-path").history.get().history_change_reason
    assert reason.startswith("import_transfers ") and len(reason) == CHANGE_REASON_MAX


# -- foreign keys: PostgreSQL's own checks, as for every other write ---------------------------------


@pytest.mark.django_db(transaction=True)  # the database's foreign-key checks run at the real commit
def test_a_reference_deleted_after_validation_rejects_the_whole_file(world, tmp_path, monkeypatch):
    from django.db import IntegrityError

    from transfers.services import imports

    # The validator read an actor that is gone by the time rows are written (another curator deleted it).
    ghost = ActorFactory(slug="ghost")
    validator_init = imports._Validator.__init__

    def stale_validator(self, using):
        validator_init(self, using)
        ghost.delete()

    monkeypatch.setattr(imports._Validator, "__init__", stale_validator)
    body = GOOD + "ghostly,IRN,RUS,ghost,,shahed-136,,delivered,,false,,\n"
    with open(write(tmp_path, body), encoding="utf-8") as file, pytest.raises(IntegrityError):
        import_transfers_csv(file=file)  # PostgreSQL's (or SQLite's) own foreign-key check refuses the commit
    assert not Transfer.objects.exists() and not Transfer.history.exists() and not TransferVia.objects.exists()


# --- what a file can do wrong besides its values ----------------------------------------------


def run_command(path) -> tuple[str, str]:
    import io

    err = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_transfers", str(path), verbosity=0, stderr=err)
    return str(raised.value), err.getvalue()


def test_a_row_with_more_cells_than_the_header_is_refused(world, tmp_path):
    # An unquoted comma in the last column (via) used to drop the rest of the value silently.
    path = write(tmp_path, GOOD + "irn-rus-more,IRN,RUS,,,shahed-136,,delivered,,false,,SYR,EGY\n")
    message, errors = run_command(path)
    assert "Nothing was imported" in message
    assert "line 4, file: has 1 cell(s) more than the header ('EGY'); quote a value that contains a comma." in errors
    assert not Transfer.objects.exists()


def test_invalid_utf8_is_refused_naming_the_line(world, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + GOOD).encode("utf-8") + "x,PRK,RUS,,,artillery-shells,,,,,Caf\xe9,\n".encode("latin-1"))
    message, errors = run_command(path)
    assert "Nothing was imported" in message
    assert "line 4, file: is not valid UTF-8 (byte 0xe9 at column 37)" in errors
    assert not Transfer.objects.exists()


def test_a_field_over_128_kb_is_refused_naming_the_line(world, tmp_path):
    path = write(tmp_path, GOOD + "x,PRK,RUS,,,artillery-shells,,,,,\"" + "a" * 140_000 + "\",\n")
    message, errors = run_command(path)
    assert "Nothing was imported" in message
    assert "line 4, file: cannot be read as CSV: a field is longer than 128 KB." in errors
    assert not Transfer.objects.exists()
