"""Who may do what in the admin: editors curate, viewers look, anonymous users log in first."""

import pytest
from django.urls import reverse

from transfers import models

pytestmark = pytest.mark.django_db

# (admin_world key, model)
RECORDS = [
    ("prk", models.State),
    ("white_house", models.Actor),
    ("materiel", models.Materiel),
    ("region", models.Place),
    ("source", models.Source),
    ("transfer", models.Transfer),
    ("asserts", models.Claim),
    ("event", models.TransferEvent),
    ("regime", models.SanctionsRegime),
    ("designation", models.SanctionDesignation),
]


def url(model, view: str, *args) -> str:
    return reverse(f"admin:transfers_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize(("key", "model"), RECORDS, ids=[k for k, _ in RECORDS])
def test_editors_may_add_change_and_delete(editor_client, admin_world, key, model):
    obj = admin_world[key]
    assert editor_client.get(url(model, "changelist")).status_code == 200
    assert editor_client.get(url(model, "add")).status_code == 200
    page = editor_client.get(url(model, "change", obj.pk))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is True
    assert 'name="_save"' in page.content.decode()
    assert editor_client.get(url(model, "delete", obj.pk)).status_code == 200
    assert editor_client.get(url(model, "history", obj.pk)).status_code == 200


@pytest.mark.parametrize(("key", "model"), RECORDS, ids=[k for k, _ in RECORDS])
def test_viewers_may_only_look(viewer_client, changeform_data, admin_world, key, model):
    obj = admin_world[key]
    assert viewer_client.get(url(model, "changelist")).status_code == 200
    page = viewer_client.get(url(model, "change", obj.pk))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert viewer_client.get(url(model, "history", obj.pk)).status_code == 200
    assert viewer_client.get(url(model, "add")).status_code == 403
    assert viewer_client.get(url(model, "delete", obj.pk)).status_code == 403
    assert viewer_client.post(url(model, "change", obj.pk), {"change_reason": "sneaky"}).status_code == 403
    assert viewer_client.post(url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()


def test_viewers_cannot_revert_from_the_history(viewer_client, editor, admin_world):
    transfer = admin_world["transfer"]
    transfer.status = "delivered"
    transfer._change_reason = "Delivered"
    transfer.save()
    first = transfer.history.earliest()
    revert_url = reverse("admin:transfers_transfer_simple_history", args=[transfer.pk, first.history_id])
    page = viewer_client.get(revert_url)
    assert page.status_code == 200
    assert page.context["revert_disabled"] is True
    data = {k: v for k, v in page.context["adminform"].form.initial.items() if v is not None}
    data["change_reason"] = "sneaky revert"
    assert viewer_client.post(revert_url, data).status_code == 403
    transfer.refresh_from_db()
    assert transfer.status == "delivered"


def test_viewers_do_not_see_bulk_delete(viewer_client, admin_world):
    page = viewer_client.get(url(models.Transfer, "changelist")).content.decode()
    assert "delete_selected" not in page


def test_editors_cannot_touch_users_or_groups(editor_client, editor):
    assert editor_client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert editor_client.get(reverse("admin:auth_user_change", args=[editor.pk])).status_code == 403
    assert editor_client.get(reverse("admin:auth_group_changelist")).status_code == 403


def test_anonymous_users_are_sent_to_the_login_page(client, admin_world):
    response = client.get(url(models.Transfer, "changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_the_admin_index_lists_every_model_for_a_viewer(viewer_client):
    content = viewer_client.get(reverse("admin:index")).content.decode()
    for _key, model in RECORDS:
        assert url(model, "changelist") in content
