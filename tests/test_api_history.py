"""API writes say why (X-Change-Reason or change_reason) and every record's history is readable."""

import pytest
from rest_framework.test import APIClient

from tests.api_world import build_world
from tests.test_api_writes import new_transfer
from transfers.models import Claim, Transfer

URL = "/api/v1/transfers/"


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def as_editor(editor):
    api = APIClient()
    api.force_authenticate(editor)
    return api


def latest_reason(record) -> str:
    return record.history.order_by("-history_date", "-history_id").first().history_change_reason


def test_a_write_keeps_the_reason_given_in_the_header(as_editor, world):
    shells = world.transfers["shells"]
    response = as_editor.patch(f"{URL}{shells.pk}/", {"quantity": 12}, format="json",
                               HTTP_X_CHANGE_REASON="Figure from the 3 Nov briefing")
    assert response.status_code == 200, response.content
    assert latest_reason(shells) == "Figure from the 3 Nov briefing"


def test_a_write_keeps_the_reason_given_in_the_body_and_stores_nothing_else_of_it(as_editor, world):
    actor = world.actors["wagner-group"]
    response = as_editor.patch(f"/api/v1/actors/{actor.slug}/", {"name": "Wagner", "change_reason": "Short name"},
                               format="json")
    assert response.status_code == 200, response.content
    assert "change_reason" not in response.json()
    actor.refresh_from_db()
    assert (actor.name, latest_reason(actor)) == ("Wagner", "Short name")


def test_every_record_a_write_creates_gets_its_reason(as_editor, world):
    response = as_editor.post(URL, new_transfer(), format="json", HTTP_X_CHANGE_REASON="Entered from the article")
    assert response.status_code == 201, response.content
    transfer = Transfer.objects.get(pk=response.json()["id"])
    assert latest_reason(transfer) == "Entered from the article"
    assert latest_reason(Claim.objects.get(slug="new-claim")) == "Entered from the article"
    assert latest_reason(transfer.events.get()) == "Entered from the article"
    assert {latest_reason(step) for step in transfer.route.all()} == {"Entered from the article"}


def test_a_write_without_a_reason_says_where_it_came_from(as_editor, world):
    shells = world.transfers["shells"]
    as_editor.patch(f"{URL}{shells.pk}/", {"quantity": 13}, format="json")
    assert latest_reason(shells) == "Changed through the API"


def test_an_overlong_reason_is_refused_naming_it(as_editor, world):
    shells = world.transfers["shells"]
    response = as_editor.patch(f"{URL}{shells.pk}/", {"quantity": 14}, format="json", HTTP_X_CHANGE_REASON="x" * 101)
    assert response.status_code == 400
    assert list(response.json()) == ["change_reason"]
    shells.refresh_from_db()
    assert shells.quantity != 14


def test_the_history_endpoint_says_who_when_why_and_what_changed(as_editor, editor, world, client):
    shells = world.transfers["shells"]
    as_editor.patch(f"{URL}{shells.pk}/", {"quantity": 12, "recipient": "UKR"}, format="json",
                    HTTP_X_CHANGE_REASON="Corrected")
    body = client.get(f"{URL}{shells.pk}/history/").json()
    newest, oldest = body[0], body[-1]
    assert (newest["user"], newest["type"], newest["reason"]) == (editor.username, "changed", "Corrected")
    changes = {change["field"]: (change["old"], change["new"]) for change in newest["changes"]}
    assert changes == {"quantity": (None, 12), "recipient": ("RUS", "UKR")}
    assert oldest["type"] == "created" and oldest["changes"] == []
    assert newest["date"] >= oldest["date"]


def test_the_history_costs_the_same_queries_however_long_it_is(as_editor, world, client, django_assert_num_queries):
    shells = world.transfers["shells"]
    for n in range(5):
        as_editor.patch(f"{URL}{shells.pk}/", {"quantity": n, "supplier": "IRN" if n % 2 else "PRK"}, format="json")
    # The transfer, its history rows with their users, and the States their changes name.
    with django_assert_num_queries(3):
        assert len(client.get(f"{URL}{shells.pk}/history/").json()) == 6


def test_every_resource_has_a_history(client, world):
    for url in ("/api/v1/states/PRK/history/", "/api/v1/actors/wagner-group/history/",
                "/api/v1/materiel/shahed-136/history/", "/api/v1/sources/wapo/history/",
                "/api/v1/claims/shells-denial/history/"):
        response = client.get(url)
        assert response.status_code == 200, (url, response.content)
        assert response.json()[-1]["type"] == "created"
