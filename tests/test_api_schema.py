"""The OpenAPI schema and the offline docs."""

import re

import pytest
import yaml
from django.core.management import call_command

TRANSFER_FILTERS = {
    "supplier", "recipient", "party", "via", "actor", "materiel", "category", "status", "source", "stance",
    "sanctioned", "reported_after", "reported_before", "q", "ordering",
}


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        from drf_spectacular.generators import SchemaGenerator

        return SchemaGenerator().get_schema(request=None, public=True)


def test_the_schema_validates_without_warnings(tmp_path):
    # The same command CI runs; --fail-on-warn turns any drf-spectacular warning into a failure.
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    document = yaml.safe_load(target.read_text())
    assert document["openapi"].startswith("3.")
    assert "/api/v1/transfers/" in document["paths"]


def test_the_schema_is_served_at_api_v1_schema(client, db):
    response = client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Arms-transfer tracker API"


def test_every_resource_has_a_list_and_a_detail(schema):
    paths = set(schema["paths"])
    for resource, key in [("states", "iso3"), ("actors", "slug"), ("materiel", "slug"), ("sources", "slug"),
                          ("transfers", "id")]:
        assert f"/api/v1/{resource}/" in paths
        assert f"/api/v1/{resource}/{{{key}}}/" in paths


def test_every_transfer_filter_is_documented_with_a_description(schema):
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/transfers/"]["get"]["parameters"]}
    assert TRANSFER_FILTERS | {"cursor", "page_size", "format"} <= set(parameters)
    for name in TRANSFER_FILTERS:
        assert parameters[name].get("description"), name
    assert parameters["format"]["schema"]["enum"] == ["csv", "json"]
    assert parameters["page_size"]["schema"]["maximum"] == 500
    assert "denies" in parameters["stance"]["description"]


def test_list_operations_document_csv_as_text(schema):
    for path in ["/api/v1/states/", "/api/v1/actors/", "/api/v1/materiel/", "/api/v1/sources/",
                 "/api/v1/transfers/"]:
        content = schema["paths"][path]["get"]["responses"]["200"]["content"]
        assert content["text/csv"]["schema"]["type"] == "string"


@pytest.mark.parametrize(
    ("path", "method", "codes"),
    [
        ("/api/v1/transfers/", "get", {"200", "400", "401", "404", "429"}),
        ("/api/v1/transfers/", "post", {"201", "400", "401", "403", "409", "413", "415", "429"}),
        ("/api/v1/transfers/{id}/", "get", {"200", "401", "404", "429"}),
        ("/api/v1/transfers/{id}/", "patch", {"200", "400", "401", "403", "404", "409", "415", "429"}),
        ("/api/v1/states/{iso3}/", "delete", {"204", "401", "403", "404", "409", "429"}),
    ],
)
def test_error_answers_are_documented(schema, path, method, codes):
    assert codes <= set(schema["paths"][path][method]["responses"])


def test_writes_document_token_and_session_authentication(schema):
    assert {"tokenAuth", "cookieAuth"} <= set(schema["components"]["securitySchemes"])


def test_the_transfer_write_body_documents_nested_claims_and_events(schema):
    body = schema["components"]["schemas"]["TransferWriteRequest"]
    # supplier and recipient may be left out when their actor is named (null says "unknown").
    assert {"materiel", "status"} <= set(body["required"])
    assert {"claims", "events", "via", "route", "parties", "value", "breaches"} <= set(body["properties"])


def test_the_docs_load_nothing_from_the_internet(client, db):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    external = re.findall(r"""(?:src|href)=["'](https?:)?//[^"']+""", html)
    assert external == [], external
    # No CDN address anywhere, scripts included (a bare "cdn" can occur in the page's random CSRF token).
    assert not re.search(r"""(https?:)?//[^\s"']*cdn""", html.lower())


def test_the_sidecar_assets_are_installed(client, db):
    from django.contrib.staticfiles import finders

    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
