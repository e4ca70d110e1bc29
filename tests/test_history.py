"""The audit trail: every write path leaves who, what, when and why; the admin shows and reverts it.

The API path is tested with the API (tests/test_api_*.py).
"""

import pytest
import tablib
from django.urls import reverse
from simple_history.utils import bulk_create_with_history

from tests import factories as f
from transfers import models
from transfers.admin.resources import TransferResource

pytestmark = pytest.mark.django_db


def change_url(obj) -> str:
    return reverse(f"admin:transfers_{obj._meta.model_name}_change", args=[obj.pk])


def save_status(client, changeform_data, transfer, status, reason):
    data = changeform_data(client.get(change_url(transfer)))
    data.update({"status": status, "change_reason": reason})
    response = client.post(change_url(transfer), data)
    assert response.status_code == 302, response.context and response.context["errors"]


def test_an_admin_change_records_the_user_and_the_reason(editor_client, editor, changeform_data, admin_world):
    transfer = admin_world["transfer"]
    save_status(editor_client, changeform_data, transfer, "delivered", "Delivery confirmed by Reuters")
    latest = transfer.history.latest()
    assert (latest.history_type, latest.status, latest.history_user, latest.history_change_reason) == (
        "~",
        "delivered",
        editor,
        "Delivery confirmed by Reuters",
    )
    assert latest.prev_record.status == "in_transit"


def test_every_model_records_admin_changes(editor_client, editor, changeform_data, admin_world):
    for key in ("prk", "white_house", "materiel", "region", "source", "asserts", "event", "regime", "designation"):
        obj = admin_world[key]
        data = changeform_data(editor_client.get(change_url(obj)))
        data["change_reason"] = f"Check {key}"
        response = editor_client.post(change_url(obj), data)
        assert response.status_code == 302, (key, response.context and response.context["errors"])
        latest = obj.history.latest()
        assert (latest.history_user, latest.history_change_reason) == (editor, f"Check {key}"), key


def test_an_admin_delete_records_the_user(editor_client, editor, admin_world):
    region = f.PlaceFactory(slug="unused")
    response = editor_client.post(reverse("admin:transfers_place_delete", args=[region.pk]), {"post": "yes"})
    assert response.status_code == 302
    record = models.Place.history.filter(id=region.pk).latest()
    assert (record.history_type, record.history_user, record.history_change_reason) == (
        "-",
        editor,
        "Deleted in the admin",
    )


def test_the_history_page_lists_changes_with_their_reasons(editor_client, changeform_data, admin_world):
    transfer = admin_world["transfer"]
    save_status(editor_client, changeform_data, transfer, "delivered", "Delivery confirmed")
    response = editor_client.get(reverse("admin:transfers_transfer_history", args=[transfer.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Delivery confirmed" in content
    assert "editor" in content


def test_a_transfers_status_is_reverted_from_its_history(editor_client, editor, changeform_data, admin_world):
    transfer = admin_world["transfer"]
    save_status(editor_client, changeform_data, transfer, "delivered", "Delivery reported")
    save_status(editor_client, changeform_data, transfer, "cancelled", "Cancellation reported")
    earlier = transfer.history.get(status="delivered")
    revert_url = reverse("admin:transfers_transfer_simple_history", args=[transfer.pk, earlier.history_id])

    page = editor_client.get(revert_url)
    assert page.status_code == 200
    assert page.context["adminform"].form.initial["status"] == "delivered"
    data = changeform_data(page)
    data["change_reason"] = "The cancellation report was wrong"
    response = editor_client.post(revert_url, data)

    assert response.status_code == 302
    transfer.refresh_from_db()
    assert transfer.status == "delivered"
    latest = transfer.history.latest()
    assert (latest.status, latest.history_user, latest.history_change_reason) == (
        "delivered",
        editor,
        "The cancellation report was wrong",
    )


def test_an_import_records_the_user_and_the_file(editor, admin_world):
    dataset = tablib.Dataset(
        ["prk-rus-shells", "PRK", "RUS", "artillery-shells", "delivered", "SYR"],
        ["prk-rus-missiles", "PRK", "RUS", "artillery-shells", "ordered", ""],
        headers=["slug", "supplier", "recipient", "materiel", "status", "via"],
    )
    result = TransferResource().import_data(dataset, dry_run=False, user=editor, file_name="batch-7.csv")
    assert not result.has_errors() and not result.has_validation_errors()
    for slug, kind in (("prk-rus-shells", "~"), ("prk-rus-missiles", "+")):
        record = models.Transfer.objects.get(slug=slug).history.latest()
        assert (record.history_type, record.history_user, record.history_change_reason) == (
            kind,
            editor,
            "Imported from batch-7.csv",
        )


def test_a_bulk_create_records_history_for_every_row(editor):
    materiel = f.MaterielFactory()
    supplier, recipient = f.StateFactory(), f.StateFactory()
    transfers = [
        models.Transfer(slug=f"bulk-{i}", supplier=supplier, recipient=recipient, materiel=materiel)
        for i in range(5)
    ]
    bulk_create_with_history(
        transfers, models.Transfer, default_user=editor, default_change_reason="Bulk load of the SIPRI extract"
    )
    records = models.Transfer.history.filter(slug__startswith="bulk-")
    assert records.count() == 5
    assert {(r.history_type, r.history_user_id, r.history_change_reason) for r in records} == {
        ("+", editor.pk, "Bulk load of the SIPRI extract")
    }


def test_api_writes_record_the_token_user_for_the_transfer_and_its_nested_claims(editor):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from tests.api_world import build_world
    from tests.test_api_writes import new_transfer

    build_world()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=editor).key}")
    created = api.post("/api/v1/transfers/", new_transfer(), format="json")
    assert created.status_code == 201, created.json()
    transfer = models.Transfer.objects.get(pk=created.json()["id"])
    claim = transfer.claims.get()
    assert [(h.history_type, h.history_user) for h in claim.history.all()] == [("+", editor)]

    changed = api.patch(f"/api/v1/transfers/{transfer.pk}/", {"status": "delivered"}, format="json")
    assert changed.status_code == 200, changed.json()
    latest, first = transfer.history.all()[:2]
    assert (latest.history_type, latest.history_user, latest.status) == ("~", editor, "delivered")
    assert (first.history_type, first.history_user) == ("+", editor)
