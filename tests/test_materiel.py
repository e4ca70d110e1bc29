"""Materiel designations, aliases and the kind_of hierarchy: model rule, API, admin import, fixtures."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from tests import factories
from transfers.choices import MaterielCategory
from transfers.models import Materiel


@pytest.fixture
def as_editor(editor):
    api = APIClient()
    api.force_authenticate(editor)
    return api


@pytest.fixture
def drones(db):
    loitering = factories.MaterielFactory(
        slug="loitering-munitions", name="Loitering munitions", category=MaterielCategory.UAV
    )
    shahed = factories.MaterielFactory(
        slug="shahed-136", name="Shahed-136", designation="Shahed-136", aliases=["Geran-2"],
        kind_of=loitering, category=MaterielCategory.UAV,
    )
    return loitering, shahed


def test_it_shows_designation_aliases_and_the_broader_materiel(client, drones):
    body = client.get("/api/v1/materiel/shahed-136/").json()
    assert body["designation"] == "Shahed-136"
    assert body["aliases"] == ["Geran-2"]
    assert body["kind_of"] == "loitering-munitions"
    assert client.get("/api/v1/materiel/loitering-munitions/").json()["kind_of"] is None


def test_q_finds_a_materiel_by_an_alias_or_its_designation(client, drones):
    rows = client.get("/api/v1/materiel/", {"q": "geran"}).json()["results"]
    assert [r["slug"] for r in rows] == ["shahed-136"]
    factories.MaterielFactory(slug="s-400", name="SAM system", designation="S-400 Triumf")
    rows = client.get("/api/v1/materiel/", {"q": "triumf"}).json()["results"]
    assert [r["slug"] for r in rows] == ["s-400"]


def test_the_api_stores_designation_aliases_and_kind_of(as_editor, drones):
    response = as_editor.post("/api/v1/materiel/", {
        "slug": "shahed-131", "name": "Shahed-131", "designation": "Shahed-131", "aliases": ["Geran-1"],
        "kind_of": "loitering-munitions", "category": "uav",
    }, format="json")
    assert response.status_code == 201, response.content
    stored = Materiel.objects.get(slug="shahed-131")
    assert (stored.designation, stored.aliases) == ("Shahed-131", ["Geran-1"])
    assert stored.kind_of.slug == "loitering-munitions"


def test_a_cycle_of_kind_of_is_refused_through_the_api_and_loses_nothing(as_editor, drones):
    response = as_editor.patch("/api/v1/materiel/loitering-munitions/", {"kind_of": "shahed-136"}, format="json")
    assert response.status_code == 400
    assert "kind_of" in response.json()
    assert Materiel.objects.get(slug="loitering-munitions").kind_of is None


def test_a_materiel_cannot_be_a_kind_of_itself(drones):
    loitering, _ = drones
    loitering.kind_of = loitering
    with pytest.raises(ValidationError) as error:
        loitering.full_clean()
    assert "kind_of" in error.value.message_dict


def test_aliases_must_be_a_list_of_names(as_editor, drones):
    response = as_editor.patch("/api/v1/materiel/shahed-136/", {"aliases": "Geran-2"}, format="json")
    assert response.status_code == 400
    assert "aliases" in response.json()
    shahed = Materiel.objects.get(slug="shahed-136")
    shahed.aliases = "Geran-2"
    with pytest.raises(ValidationError):
        shahed.full_clean()


def test_a_fixture_gives_a_materiel_its_designation_aliases_and_broader_materiel(db, tmp_path):
    path = tmp_path / "materiel.json"
    path.write_text(json.dumps([
        {"model": "transfers.materiel", "fields": {
            "slug": "shahed-136", "name": "Shahed-136", "designation": "Shahed-136", "aliases": ["Geran-2"],
            "kind_of": ["loitering-munitions"], "category": "uav"}},
        {"model": "transfers.materiel", "fields": {
            "slug": "loitering-munitions", "name": "Loitering munitions", "category": "uav"}},
    ]))
    call_command("loaddata", str(path), verbosity=0)
    assert Materiel.objects.get(slug="shahed-136").kind_of.slug == "loitering-munitions"


def test_a_fixture_naming_an_unknown_broader_materiel_loads_nothing(db, tmp_path):
    path = tmp_path / "materiel.json"
    path.write_text(json.dumps([
        {"model": "transfers.materiel", "fields": {
            "slug": "shahed-136", "name": "Shahed-136", "kind_of": ["nowhere"], "category": "uav"}},
    ]))
    with pytest.raises(CommandError, match="kind_of"):
        call_command("loaddata", str(path), verbosity=0)
    assert not Materiel.objects.exists()
