"""Hostile input never reaches a 500: each gets a 4xx with a message."""

import json

import pytest
from rest_framework.test import APIClient

from tests.api_world import build_world
from transfers.models import Transfer

URL = "/api/v1/transfers/"
HUGE = "99999999999999999999999"


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def as_editor(editor):
    api = APIClient()
    api.force_authenticate(editor)
    return api


def message_of(response) -> str:
    body = response.json()
    assert body, "an error needs a message"
    return json.dumps(body)


@pytest.mark.parametrize(
    "url",
    [
        f"{URL}{HUGE}/",
        f"{URL}9223372036854775808/",  # 2**63, one past BIGINT
        f"{URL}-1/",
        f"{URL}abc/",
        "/api/v1/states/%00AB/",
        "/api/v1/states/TOOLONG/",
        "/api/v1/actors/a%00b/",
        f"/api/v1/sources/{'x' * 5000}/",
        "/api/v1/materiel/%E2%98%83/",
    ],
)
def test_a_key_that_cannot_name_a_record_is_404(client, world, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."} or "detail" in response.json()


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("supplier", "PR\x00K"),
        ("q", "shells\x00"),
        ("actor", "wagner\x00"),
        ("reported_after", "2022-01-01\x00"),
        ("ordering", "id\x00"),
        ("cursor", "\x00"),
        ("sanctioned", "\x00"),
    ],
)
def test_a_nul_byte_in_a_parameter_is_400(client, world, param, value):
    response = client.get(URL, {param: value})
    assert response.status_code == 400
    assert param in response.json()


@pytest.mark.parametrize(
    ("url", "param"),
    [(URL, "supplier"), (URL, "actor"), (URL, "category"), (URL, "status"),
     ("/api/v1/materiel/", "un_register_category"), ("/api/v1/actors/", "state")],
)
def test_a_percent_sign_in_an_unknown_value_is_400_quoting_it(client, world, url, param):
    # Schemathesis found this one: django-filter %-formats every error message.
    response = client.get(url, {param: "x%sy%(z)s"})
    assert response.status_code == 400, response.content
    assert "x%sy%(z)s".upper() in response.json()[param][0].upper()


@pytest.mark.parametrize("param", ["q", "supplier", "actor", "status", "cursor", "publisher"])
def test_an_absurdly_long_parameter_is_400(client, world, param):
    url = "/api/v1/sources/" if param == "publisher" else URL
    response = client.get(url, {param: "A" * 100_000})
    assert response.status_code == 400
    assert param in response.json()


@pytest.mark.parametrize("page_size", [HUGE, "1e3", "\x00", "\u00b2"])  # "²" passes str.isdigit()
def test_a_hostile_page_size_is_400(client, world, page_size):
    assert client.get(URL, {"page_size": page_size}).status_code == 400


def test_an_unknown_format_is_404_with_a_message(client, world):
    response = client.get(URL, {"format": "xml"})
    assert response.status_code == 404
    assert "detail" in response.json()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("quantity", 2**64),
        ("quantity", -(2**64)),
        ("quantity", "12abc"),
        ("quantity", 1.5),
        ("supplier", "PR\x00"),
        ("supplier", ["PRK"]),
        ("supplier", {"iso3": "PRK"}),
        ("materiel", "x" * 100_000),
        ("description", "text with \x00 NUL"),
        ("description", "x" * 200_000),
        ("quantity_note", "x" * 501),
        ("first_reported", "99999-01-01"),
        ("via", "SYR"),
        ("via", [["SYR"]]),
        ("claims", [{"source": "wapo", "quote": "x" * 30_000}]),
        ("claims", "none"),
        ("covert", "perhaps"),
    ],
)
def test_a_hostile_field_value_is_400_naming_the_field_and_writes_nothing(as_editor, world, field, value):
    data = {"supplier": "PRK", "recipient": "UKR", "materiel": "ak-rifles", "status": "ordered", field: value}
    before = Transfer.objects.count()
    response = as_editor.post(URL, data, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert Transfer.objects.count() == before


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ("supplier=PRK", "application/x-www-form-urlencoded", 415),
        ("<transfer/>", "application/xml", 415),
        ("not json", "application/json", 400),
        ('{"supplier": NaN}', "application/json", 400),
        ("[" * 100_000 + "]" * 100_000, "application/json", 400),
        ('"just a string"', "application/json", 400),
        ("[]", "application/json", 400),
        (b"\xff\xfe\x00", "application/json", 400),
    ],
)
def test_a_malformed_or_foreign_body_is_a_4xx_with_a_message(as_editor, world, body, content_type, status):
    response = as_editor.generic("POST", URL, body, content_type=content_type)
    assert response.status_code == status
    assert message_of(response)


def test_a_body_over_the_upload_limit_is_413(as_editor, world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"supplier": "PRK", "description": "x" * 2000})
    response = as_editor.generic("POST", URL, body, content_type="application/json")
    assert response.status_code == 413
    assert "larger than 1000 bytes" in response.json()["detail"]


@pytest.mark.parametrize("key", [HUGE, "\u00b2"])  # "²" passes str.isdigit() but not int()
def test_a_patch_or_delete_with_a_key_that_is_not_an_id_is_404(as_editor, world, key):
    assert as_editor.patch(f"{URL}{key}/", {"status": "ordered"}, format="json").status_code == 404
    assert as_editor.delete(f"{URL}{key}/").status_code == 404


def test_an_unsupported_accept_header_is_406(client, world):
    response = client.get(URL, HTTP_ACCEPT="application/xml")
    assert response.status_code == 406
    assert "detail" in response.json()


def test_a_session_cookie_that_cannot_be_a_session_reads_as_anonymous(client, world):
    client.cookies["sessionid"] = "abc\x00def-not-a-session"
    response = client.get(URL)
    assert response.status_code == 200
    assert client.post(URL, {}, content_type="application/json").status_code in (401, 403)


@pytest.mark.parametrize("token", ["abc\x00def", "x" * 5000, "0123456789abcdef0123456789abcdef0123456Z"])
def test_a_malformed_token_is_401(client, world, token):
    response = client.get(URL, HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}


def test_a_path_no_route_matches_is_a_json_404(client, world):
    response = client.get("/api/v1/transfers/1/claims/nothing/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_a_path_without_its_trailing_slash_still_redirects(client, world):
    response = client.get("/api/v1/transfers")
    assert response.status_code == 301
    assert response["Location"] == "/api/v1/transfers/"


# --- tampered cursors: a 400 naming the cursor, never a 500 -----------------------------------


def tampered(order: list[str], values: list, reverse: int = 0) -> str:
    import base64

    token = json.dumps({"o": order, "v": values, "r": reverse}, ensure_ascii=True).encode("utf-8")
    return base64.urlsafe_b64encode(token).decode("ascii")


def raw_cursor(text: str) -> str:
    import base64

    return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii")


@pytest.mark.parametrize(
    "url, cursor",
    [
        # Numbers past float range (1e999 parses as infinity), NUL, a lone surrogate, null keys.
        (URL, raw_cursor('{"o":["first_reported","id"],"v":["2022-01-01",1e999],"r":0}')),
        (URL, raw_cursor('{"o":["first_reported","id"],"v":["2022-01-01",-1e999],"r":0}')),
        (URL, raw_cursor('{"o":["first_reported","id"],"v":["2022-01-01",1.5e300],"r":0}')),
        (URL, tampered(["first_reported", "id"], ["2022-01-01", None])),
        (URL, tampered(["first_reported", "id"], ["\x00", 3])),
        (URL, raw_cursor('{"o":["first_reported","id"],"v":["\\ud800",3],"r":0}')),
        ("/api/v1/states/", tampered(["name", "id"], ["North\x00Korea", 1])),
        ("/api/v1/states/", raw_cursor('{"o":["name","id"],"v":["\\udfff",1],"r":0}')),
        ("/api/v1/states/", tampered(["name", "id"], [None, 1])),
        ("/api/v1/states/", raw_cursor('{"o":["name","id"],"v":["North Korea",1e999],"r":0}')),
        ("/api/v1/actors/", tampered(["name", "id"], [["a list"], 1])),
        ("/api/v1/actors/", tampered(["name", "id"], [{"an": "object"}, 1])),
        ("/api/v1/states/", tampered(["name", "id"], ["North Korea", True])),
    ],
)
def test_a_tampered_cursor_answers_400(world, url, cursor):
    response = APIClient().get(url, {"cursor": cursor})
    assert response.status_code == 400, response.content[:300]
    assert "cursor" in response.json()
