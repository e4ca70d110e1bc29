"""The verbatim-quote rule holds on every quoting record and every path that edits one.

Review findings: a bad quote on an actor, place or designation used to reach the admin as a 500, and
editing a source's text could strand the quotes that rest on it.
"""

import pytest
from django.urls import reverse

from transfers.models import Actor, SanctionDesignation, Source

from .factories import ActorFactory, ClaimFactory, SanctionsRegimeFactory, SourceFactory, StateFactory

pytestmark = pytest.mark.django_db


def admin_change(client, obj, changeform_data, **changes):
    url = reverse(f"admin:transfers_{obj._meta.model_name}_change", args=[obj.pk])
    data = {**changeform_data(client.get(url)), "change_reason": "test", **changes}
    return client.post(url, data)


def test_an_actor_quote_not_in_its_source_is_a_form_error_in_the_admin(editor_client, changeform_data):
    actor = ActorFactory(source=SourceFactory(), quote="the shipment of rockets left the port")
    response = admin_change(editor_client, actor, changeform_data, quote="the shipment of tanks left")
    assert response.status_code == 200
    assert "not found in the text of source" in " ".join(response.context["adminform"].form.errors["quote"])
    assert Actor.objects.get(pk=actor.pk).quote == "the shipment of rockets left the port"


def test_a_designation_quote_not_in_its_source_is_a_form_error_in_the_admin(editor_client, changeform_data):
    source = SourceFactory(text="North Korea is under U.N. sanctions.")
    designation = SanctionDesignation.objects.create(
        slug="d", regime=SanctionsRegimeFactory(), state=StateFactory(), source=source, quote="under U.N. sanctions"
    )
    response = admin_change(editor_client, designation, changeform_data, quote="under E.U. sanctions")
    assert response.status_code == 200
    assert "quote" in response.context["adminform"].form.errors


def test_a_source_text_that_strands_any_quote_is_refused_in_the_admin(editor_client, changeform_data):
    source = SourceFactory(text="North Korea is under U.N. sanctions. The shipment of rockets left the port.")
    SanctionDesignation.objects.create(
        slug="d", regime=SanctionsRegimeFactory(), state=StateFactory(), source=source, quote="under U.N. sanctions"
    )
    ActorFactory(slug="a-quoted-actor", source=source, quote="The shipment of rockets")
    response = admin_change(editor_client, source, changeform_data, text="Something else entirely.")
    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.errors["text"])
    assert "sanction designation 'd'" in errors and "actor 'a-quoted-actor'" in errors
    assert "U.N. sanctions" in Source.objects.get(pk=source.pk).text


def test_a_source_text_that_strands_a_designation_quote_is_refused_by_the_api(editor):
    from rest_framework.test import APIClient

    source = SourceFactory(text="North Korea is under U.N. sanctions.")
    SanctionDesignation.objects.create(
        slug="d", regime=SanctionsRegimeFactory(), state=StateFactory(), source=source, quote="under U.N. sanctions"
    )
    api = APIClient()
    api.force_authenticate(editor)
    response = api.patch(f"/api/v1/sources/{source.slug}/", {"text": "Nothing about sanctions."}, format="json")
    assert response.status_code == 400
    assert "sanction designation 'd'" in str(response.json()["text"])


def test_a_text_that_keeps_every_quote_may_change():
    claim = ClaimFactory()
    claim.source.text = claim.source.text + " A later correction was appended."
    claim.source.full_clean()
