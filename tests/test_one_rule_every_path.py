"""One rule, every write path: the same bad record sent down each path gets the same refusal.

Paths: the API, the admin's change form (with its inlines), the admin's CSV import,
``import_transfers`` and ``loaddata``. Each rule's message is the one transfers.rules writes; a path
that cannot carry the record (a CSV has no timeline) is left out of that rule's cases.
"""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from rest_framework.test import APIClient

from tests import factories as f
from transfers import rules
from transfers.models import State, Transfer, TransferEvent, TransferVia

pytestmark = pytest.mark.django_db

PARTIES = rules.parties_differ(1, 1)["recipient"]
TRANSIT = "PRK is the supplier or the recipient, not a transit State."
MONTH = rules.date_matches_precision(__import__("datetime").date(2022, 9, 15), "month")["date"]

# Each bad record as plain values; the paths write it in their own shape.
RECORDS = {
    "parties": {"supplier": "PRK", "recipient": "PRK", "via": [], "event": None},
    "transit": {"supplier": "PRK", "recipient": "RUS", "via": ["SYR", "PRK"], "event": None},
    "month": {"supplier": "PRK", "recipient": "RUS", "via": [], "event": ("ordered", "2022-09-15", "month")},
}
EXPECTED = {"parties": PARTIES, "transit": TRANSIT, "month": MONTH}


@pytest.fixture
def world(db):
    for iso3 in ("PRK", "RUS", "SYR"):
        f.StateFactory(iso3=iso3, name=f"{iso3} (test data)")
    f.MaterielFactory(slug="artillery-shells", category="ammunition")


def via_api(editor, record) -> str:
    client = APIClient()
    client.force_authenticate(editor)
    body = {"slug": "bad", "supplier": record["supplier"], "recipient": record["recipient"],
            "materiel": "artillery-shells", "status": "delivered", "via": record["via"]}
    if record["event"]:
        status, date, precision = record["event"]
        body["events"] = [{"status": status, "date": date, "date_precision": precision}]
    response = client.post("/api/v1/transfers/", body, format="json")
    assert response.status_code == 400
    return json.dumps(response.json())


def via_admin_form(editor, record) -> str:
    from django.test import Client

    client = Client()
    client.force_login(editor)
    url = reverse("admin:transfers_transfer_add")
    page = client.get(url)
    data = {"slug": "bad", "status": "delivered", "change_reason": "test",
            "supplier": State.objects.get(iso3=record["supplier"]).pk,
            "recipient": State.objects.get(iso3=record["recipient"]).pk,
            "materiel": f.models.Materiel.objects.get(slug="artillery-shells").pk}
    for inline in page.context["inline_admin_formsets"]:
        prefix = inline.formset.prefix
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    for number, code in enumerate(record["via"]):
        data.update({"route-TOTAL_FORMS": str(number + 1), f"route-{number}-state": State.objects.get(iso3=code).pk})
    if record["event"]:
        status, date, precision = record["event"]
        data.update({"events-TOTAL_FORMS": "1", "events-0-status": status, "events-0-date": date,
                     "events-0-date_precision": precision})
    response = client.post(url, data)
    assert response.status_code == 200  # the form again, with its errors
    errors = [str(response.context["adminform"].form.errors)]
    errors += [str(inline.formset.errors) + str(inline.formset.non_form_errors())
               for inline in response.context["inline_admin_formsets"]]
    return " ".join(errors)


def csv_row(record) -> str:
    return ("slug,supplier,recipient,materiel,status,via\n"
            f"bad,{record['supplier']},{record['recipient']},artillery-shells,delivered,{';'.join(record['via'])}\n")


def via_admin_import(editor, record) -> str:
    from django.test import Client

    client = Client()
    client.force_login(editor)
    response = client.post(reverse("admin:transfers_transfer_import"), {
        "import_file": SimpleUploadedFile("bad.csv", csv_row(record).encode()), "format": "0", "resource": "0"})
    result = response.context["result"]
    assert result.has_validation_errors() or result.has_errors()
    return " ".join(str(row.error_dict) for row in result.invalid_rows) + " ".join(
        str(error.error) for _, errors in result.row_errors() for error in errors)


def via_import_transfers(editor, record, tmp_path) -> str:
    path = tmp_path / "bad.csv"
    path.write_text(csv_row(record), encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_transfers", str(path), stderr=err)
    return err.getvalue()


def via_loaddata(editor, record, tmp_path) -> str:
    records = [{"model": "transfers.transfer", "fields": {
        "slug": "bad", "supplier": [record["supplier"]], "recipient": [record["recipient"]],
        "materiel": ["artillery-shells"], "status": "delivered"}}]
    # A route leg's natural key is its transfer and its seq.
    records += [{"model": "transfers.transfervia", "fields": {"transfer": ["bad"], "seq": seq, "state": [code]}}
                for seq, code in enumerate(record["via"], start=1)]
    if record["event"]:
        status, date, precision = record["event"]
        records.append({"model": "transfers.transferevent", "fields": {
            "transfer": ["bad"], "status": status, "date": date, "date_precision": precision}})
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    with pytest.raises(CommandError) as raised:
        call_command("loaddata", str(path), verbosity=0)
    return str(raised.value)


PATHS = {"api": via_api, "admin form": via_admin_form, "admin import": via_admin_import,
         "import_transfers": via_import_transfers, "loaddata": via_loaddata}
CASES = [
    (rule, path)
    for rule in RECORDS
    for path in PATHS
    if not (rule == "month" and path in ("admin import", "import_transfers"))  # CSV files carry no timeline
]


@pytest.mark.parametrize(("rule", "path"), CASES, ids=[f"{rule}-{path}" for rule, path in CASES])
def test_the_same_bad_record_gets_the_same_refusal_on_every_path(world, editor, tmp_path, rule, path):
    call = PATHS[path]
    refusal = call(editor, RECORDS[rule]) if path in ("api", "admin form", "admin import") else call(
        editor, RECORDS[rule], tmp_path)
    assert EXPECTED[rule] in refusal, refusal
    assert not Transfer.objects.filter(slug="bad").exists()
    assert not TransferVia.objects.exists() and not TransferEvent.objects.exists()


def test_the_write_service_itself_refuses_what_the_api_refuses(world):
    # Any caller of the service gets the rule, not only the API (whose serializer used to repeat it).
    import datetime

    from django.core.exceptions import ValidationError

    from transfers.services.transfers import transfer_create

    states = {s.iso3: s for s in State.objects.all()}
    with pytest.raises(ValidationError) as refused:
        transfer_create(
            supplier=states["PRK"], recipient=states["RUS"], status="delivered",
            materiel=f.models.Materiel.objects.get(slug="artillery-shells"),
            events=[{"status": "ordered", "date": datetime.date(2019, 6, 30), "date_precision": "year"}],
        )
    assert "A year-precision date is stored as 1 January of its year." in str(refused.value)
    assert not Transfer.objects.exists()
