"""Writes: who may write, what a valid transfer is, and that a refused write leaves nothing behind."""

import datetime
import re

import pytest
from django.core.cache import caches
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from tests.api_world import build_world
from transfers.models import Claim, Materiel, State, Transfer, TransferEvent

URL = "/api/v1/transfers/"


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def as_editor(api, editor):
    api.force_authenticate(editor)
    return api


def new_transfer(**overrides):
    body = {
        "supplier": "PRK",
        "recipient": "RUS",
        "materiel": "artillery-shells",
        "status": "in_transit",
        "via": ["SYR", "LBY"],
        "first_reported": "2022-11-02",
        "quantity": 1000,
        "claims": [
            {
                "slug": "new-claim",
                "source": "wapo",
                "quote": "North Korea is covertly supplying Russia with a significant number of artillery shells",
                "claimant": "white-house",
                "credibility": 2,
            }
        ],
        "events": [{"status": "in_transit", "date": "2022-09-01", "date_precision": "month", "claim": "new-claim"}],
    }
    return {**body, **overrides}


def counts():
    return Transfer.objects.count(), Claim.objects.count(), TransferEvent.objects.count()


# --- who may write ------------------------------------------------------------------------------


def test_an_anonymous_write_is_refused_with_401(api, world):
    before = counts()
    response = api.post(URL, new_transfer(), format="json")
    assert response.status_code == 401
    assert response.json()["detail"] == "Authentication credentials were not provided."
    assert counts() == before


@pytest.mark.parametrize(
    ("method", "url"),
    [("patch", "/api/v1/states/PRK/"), ("delete", "/api/v1/actors/wagner-group/"), ("post", "/api/v1/materiel/")],
)
def test_anonymous_writes_to_reference_data_are_refused(api, world, method, url):
    assert getattr(api, method)(url, {"name": "x"}, format="json").status_code == 401


def test_a_viewer_may_read_but_not_write(api, world, viewer):
    api.force_authenticate(viewer)
    assert api.get(URL).status_code == 200
    response = api.post(URL, new_transfer(), format="json")
    assert response.status_code == 403
    assert "permission" in response.json()["detail"]


def test_an_editor_with_a_token_creates_a_transfer_with_claims_and_events(api, world, editor):
    call_command("drf_create_token", "editor")
    token = Token.objects.get(user=editor)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.post(URL, new_transfer(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["supplier"], body["recipient"], body["materiel"]) == ("PRK", "RUS", "artillery-shells")
    assert body["via"] == ["SYR", "LBY"]
    assert body["quantity"] == 1000
    assert body["sanctioned"] is True
    assert [c["slug"] for c in body["claims"]] == ["new-claim"]
    assert body["events"][0]["claim"] == "new-claim"
    assert body["events"][0]["date_display"] == "2022-09"
    transfer = Transfer.objects.get(pk=body["id"])
    assert transfer.history.first().history_user == editor


def test_a_wrong_token_is_401(api, world):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert api.post(URL, new_transfer(), format="json").status_code == 401


def test_session_authentication_needs_the_csrf_token(world, editor):
    api = APIClient(enforce_csrf_checks=True)
    api.force_login(editor)
    response = api.post(URL, new_transfer(), format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_session_authentication_writes_with_the_csrf_token(world, editor):
    api = APIClient(enforce_csrf_checks=True)
    api.force_login(editor)
    api.get("/admin/")  # a page with a form: sets the CSRF cookie
    token = api.cookies["csrftoken"].value
    response = api.post(URL, new_transfer(), format="json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201, response.json()


def test_the_minimum_is_supplier_recipient_materiel_and_status(as_editor, world):
    response = as_editor.post(
        URL, {"supplier": "IRN", "recipient": "RUS", "materiel": "shahed-136", "status": "ordered"}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["claims"] == [] and body["via"] == []
    assert body["slug"].startswith("transfer-")


def test_nested_claims_without_slugs_get_one(as_editor, world):
    data = new_transfer(slug="prk-rus-2", events=[])
    del data["claims"][0]["slug"]
    response = as_editor.post(URL, data, format="json")
    assert response.status_code == 201, response.json()
    assert re.fullmatch(r"prk-rus-2-claim-1-[0-9a-f]{8}", response.json()["claims"][0]["slug"])


def test_a_generated_claim_slug_fits_even_under_a_very_long_transfer_slug(as_editor, world):
    data = new_transfer(slug="x" * 120, events=[])
    del data["claims"][0]["slug"]
    response = as_editor.post(URL, data, format="json")
    assert response.status_code == 201, response.json()
    assert len(response.json()["claims"][0]["slug"]) <= 120


# --- invalid input: 400, field errors, nothing written ------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"recipient": "PRK"}, "recipient", "The supplier and the recipient must be different States."),
        ({"supplier": "XXX"}, "supplier", "Unknown iso3 'XXX'."),
        ({"materiel": "death-ray"}, "materiel", "Unknown slug 'death-ray'."),
        ({"quantity": -1}, "quantity", "Ensure this value is greater than or equal to 0."),
        ({"status": "lost"}, "status", '"lost" is not a valid choice.'),
        ({"via": ["SYR", "QQQ"]}, "via", "Unknown iso3 'QQQ'."),
        ({"first_reported": "2022-02-30"}, "first_reported", "Date has wrong format."),
        ({"slug": "shells"}, "slug", "Transfer with this Slug already exists."),
    ],
)
def test_invalid_input_answers_400_with_the_field_and_writes_nothing(as_editor, world, overrides, field, message):
    before = counts()
    response = as_editor.post(URL, new_transfer(**overrides), format="json")
    assert response.status_code == 400
    errors = response.json()
    assert field in errors, errors
    assert str(errors[field]).find(message) >= 0, errors
    assert counts() == before


def test_a_quote_that_is_not_in_its_source_is_refused(as_editor, world):
    data = new_transfer()
    data["claims"][0]["quote"] = "North Korea is openly supplying Russia"
    before = counts()
    response = as_editor.post(URL, data, format="json")
    assert response.status_code == 400
    assert response.json() == {"claims": [{"quote": ["The quote is not found in the text of source 'wapo'."]}]}
    assert counts() == before


def test_an_event_must_rest_on_one_of_the_nested_claims(as_editor, world):
    response = as_editor.post(URL, new_transfer(events=[{"status": "ordered", "date": "2022-01-01",
                                                         "claim": "elsewhere"}]), format="json")
    assert response.status_code == 400
    assert response.json() == {"events": [{"claim": ["No nested claim has the slug 'elsewhere'."]}]}


def test_a_month_precision_date_is_the_first_of_its_month(as_editor, world):
    response = as_editor.post(
        URL, new_transfer(events=[{"status": "ordered", "date": "2022-09-15", "date_precision": "month"}]),
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["events"][0]["date"] == ["A month-precision date is stored as the first day of its month."]


def test_a_failure_late_in_the_transaction_leaves_nothing(as_editor, world, monkeypatch):
    # The serializer accepts; the database then refuses the second event: everything rolls back.
    from transfers.services import transfers as service

    original = TransferEvent.save
    calls = []

    def failing_save(self, *args, **kwargs):
        calls.append(self)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(service.TransferEvent, "save", failing_save)
    data = new_transfer(events=[{"status": "ordered", "date": "2022-01-01"}, {"status": "delivered",
                                                                               "date": "2022-02-01"}])
    before = counts()
    with pytest.raises(RuntimeError):
        as_editor.post(URL, data, format="json")
    assert counts() == before


# --- changes and deletions -----------------------------------------------------------------------


def test_patch_changes_scalar_fields_and_the_route(as_editor, world):
    rifles = world.transfers["rifles"]
    response = as_editor.patch(f"{URL}{rifles.pk}/", {"status": "delivered", "quantity": 750,
                                                      "via": ["IRN", "SYR"]}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["quantity"], body["via"]) == ("delivered", 750, ["IRN", "SYR"])
    assert body["claims"][0]["slug"] == "rifles-kcna"  # claims untouched


def test_patch_cannot_make_supplier_and_recipient_equal(as_editor, world):
    shells = world.transfers["shells"]
    response = as_editor.patch(f"{URL}{shells.pk}/", {"recipient": "PRK"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"recipient": ["The supplier and the recipient must be different States."]}
    shells.refresh_from_db()
    assert shells.recipient.iso3 == "RUS"


def test_claims_cannot_be_changed_through_an_update(as_editor, world):
    shells = world.transfers["shells"]
    response = as_editor.patch(f"{URL}{shells.pk}/", {"claims": []}, format="json")
    assert response.status_code == 400
    assert "claims" in response.json()


def test_put_replaces_the_transfer(as_editor, world):
    shells = world.transfers["shells"]
    data = {"supplier": "PRK", "recipient": "UKR", "materiel": "ak-rifles", "status": "cancelled"}
    response = as_editor.put(f"{URL}{shells.pk}/", data, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["recipient"], response.json()["status"]) == ("UKR", "cancelled")


def test_deleting_a_transfer_deletes_its_claims_and_events(as_editor, world):
    shells = world.transfers["shells"]
    assert as_editor.delete(f"{URL}{shells.pk}/").status_code == 204
    assert not Claim.objects.filter(transfer_id=shells.pk).exists()
    assert not TransferEvent.objects.filter(transfer_id=shells.pk).exists()


def test_deleting_a_state_with_transfers_is_refused(as_editor, world):
    response = as_editor.delete("/api/v1/states/RUS/")
    assert response.status_code == 409
    body = response.json()
    assert body["detail"].startswith("Cannot delete this record: other records depend on it (")
    assert body["dependents"]["transfers"] == 3
    assert State.objects.filter(iso3="RUS").exists()


def test_deleting_a_source_that_claims_quote_is_refused(as_editor, world):
    response = as_editor.delete("/api/v1/sources/kcna/")
    assert response.status_code == 409
    assert response.json()["dependents"] == {"claims": 2}


def test_deleting_unused_materiel_works(as_editor, world):
    Materiel.objects.create(slug="unused", name="Unused", category="other")
    assert as_editor.delete("/api/v1/materiel/unused/").status_code == 204


# --- reference data writes -----------------------------------------------------------------------


def test_an_editor_creates_a_state(as_editor, world):
    response = as_editor.post("/api/v1/states/", {"iso3": "BLR", "name": "Belarus", "subregion": "Eastern Europe",
                                                  "aliases": ["Minsk"]}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["region"] == "Europe"


def test_a_state_code_must_be_three_upper_case_letters(as_editor, world):
    response = as_editor.post("/api/v1/states/", {"iso3": "by", "name": "Belarus"}, format="json")
    assert response.status_code == 400
    assert "iso3" in response.json()


def test_an_actor_quote_must_stand_in_its_source(as_editor, world):
    response = as_editor.post("/api/v1/actors/", {"slug": "kcna-agency", "name": "KCNA", "source": "kcna",
                                                  "quote": "We are a news agency"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"quote": ["The quote is not found in the text of source 'kcna'."]}


def test_a_source_text_change_that_strands_a_quote_is_refused(as_editor, world):
    response = as_editor.patch("/api/v1/sources/kcna/", {"text": "Nothing to see here."}, format="json")
    assert response.status_code == 400
    assert "shells-denial" in response.json()["text"][0]


# --- throttling ----------------------------------------------------------------------------------


@pytest.fixture
def low_rates(monkeypatch):
    # DRF reads the rates into a class attribute at import: patch that, and empty the counters.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/minute", "user": "5/minute"})
    caches["throttle"].clear()
    yield
    caches["throttle"].clear()


def test_anonymous_clients_are_throttled_with_429(api, world, low_rates):
    codes = [api.get(URL).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    response = api.get(URL)
    assert "throttled" in response.json()["detail"]
    assert int(response["Retry-After"]) > 0


def test_authenticated_clients_get_their_own_higher_rate(as_editor, world, low_rates):
    codes = [as_editor.get(URL).status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]


def test_today_is_a_valid_first_reported_date(as_editor, world):
    today = datetime.date.today().isoformat()
    response = as_editor.post(URL, new_transfer(first_reported=today, claims=[], events=[]), format="json")
    assert response.status_code == 201


def test_a_bad_vocabulary_value_lists_the_allowed_ones(as_editor, world):
    response = as_editor.post(URL, new_transfer(status="rumoured"), format="json")
    assert response.status_code == 400
    message = response.json()["status"][0]
    assert message.startswith('"rumoured" is not a valid choice. Allowed: ')
    assert "delivered" in message and "in_transit" in message
    nested = as_editor.post(URL, new_transfer(claims=[{**new_transfer()["claims"][0], "stance": "maybe"}]),
                            format="json")
    assert "asserts" in nested.json()["claims"][0]["stance"][0]


def test_an_unknown_body_field_answers_400_naming_it(as_editor, world):
    before = counts()
    response = as_editor.post(URL, new_transfer(quantiy=5), format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["quantiy"]
    assert response.json()["quantiy"][0].startswith("Unknown field. Accepted: ")
    assert counts() == before
    claim = {**new_transfer()["claims"][0], "stanse": "denies"}
    assert list(as_editor.post(URL, new_transfer(claims=[claim]), format="json").json()["claims"][0]) == ["stanse"]
    actor = as_editor.patch("/api/v1/actors/wagner-group/", {"nmae": "Wagner"}, format="json")
    assert (actor.status_code, list(actor.json())) == (400, ["nmae"])


def test_a_put_built_from_a_get_is_taken_whole(as_editor, world):
    body = as_editor.get("/api/v1/actors/wagner-group/").json()
    response = as_editor.put("/api/v1/actors/wagner-group/", {**body, "name": "Wagner PMC"}, format="json")
    assert response.status_code == 200, response.content
    shells = world.transfers["rifles"]
    record = as_editor.get(f"{URL}{shells.pk}/").json()
    written = {key: value for key, value in record.items() if key not in ("claims", "events")}
    response = as_editor.put(f"{URL}{shells.pk}/", {**written, "quantity": 501}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["quantity"] == 501
