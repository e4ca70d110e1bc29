"""The shared test world.

Who is who:
- ``anonymous``: may read everything, write nothing.
- ``viewer``: a logged-in member of the 'viewer' group; may view every record, change none.
- ``editor``: a member of the 'editor' group; may add, change, delete and review arms-transfer
  records, but not users or groups.
- ``admin_user`` (pytest-django's): a superuser.
"""

from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from transfers.groups import EDITOR, VIEWER, ensure_groups


@pytest.fixture
def built(monkeypatch) -> list[list[int]]:
    """The ids of each batch of transfers built into the read model from here on (readmodel.build)."""
    from transfers import readmodel

    batches: list[list[int]] = []
    real_build = readmodel.build

    def counting_build(ids, **kwargs):
        batches.append(sorted(ids))
        return real_build(ids, **kwargs)

    monkeypatch.setattr(readmodel, "build", counting_build)
    return batches


@pytest.fixture
def groups(db):
    ensure_groups()
    return {name: Group.objects.get(name=name) for name in (EDITOR, VIEWER)}


@pytest.fixture
def editor(django_user_model, groups):
    user = django_user_model.objects.create_user("editor", password="editor-pass-123", is_staff=True)
    user.groups.add(groups[EDITOR])
    return user


@pytest.fixture
def second_editor(django_user_model, groups):
    user = django_user_model.objects.create_user("editor2", password="editor-pass-456", is_staff=True)
    user.groups.add(groups[EDITOR])
    return user


@pytest.fixture
def viewer(django_user_model, groups):
    user = django_user_model.objects.create_user("viewer", password="viewer-pass-123", is_staff=True)
    user.groups.add(groups[VIEWER])
    return user


# --- The admin's test world (tests/test_admin_*.py, test_history.py, test_review.py) ---


@pytest.fixture
def editor_client(client, editor):
    """A browser session logged in as the editor."""
    client.force_login(editor)
    return client


@pytest.fixture
def viewer_client(client, viewer):
    """A browser session logged in as the viewer."""
    client.force_login(viewer)
    return client


@pytest.fixture
def admin_world(db):
    """One record of every model, linked the way curated data is: a contested, sanctioned transfer
    from PRK to RUS through SYR and "the Middle East", with an asserting and a denying claim, a
    timeline step resting on the first claim, and a U.N. designation of the supplier."""
    from tests import factories as f

    prk = f.StateFactory(iso3="PRK", name="North Korea", aliases=["DPRK"], subregion="Eastern Asia")
    rus = f.StateFactory(iso3="RUS", name="Russia", subregion="Eastern Europe")
    syr = f.StateFactory(iso3="SYR", name="Syria", subregion="Western Asia")
    source = f.SourceFactory(slug="wapo-dprk-shells", title="North Korea ships shells")
    unsc = f.ActorFactory(slug="unsc", name="U.N. Security Council", state=None, kind="international_organization")
    white_house = f.ActorFactory(slug="white-house", name="White House", state=None)
    materiel = f.MaterielFactory(slug="artillery-shells", name="Artillery shells", category="ammunition")
    region = f.PlaceFactory(slug="middle-east", name="Middle East")
    transfer = f.TransferFactory(
        slug="prk-rus-shells", supplier=prk, recipient=rus, materiel=materiel, description="Covert shells"
    )
    transfer.route.create(state=syr)
    transfer.route.create(place=region)
    asserts = f.ClaimFactory(slug="prk-shells-white-house", transfer=transfer, source=source, claimant=white_house)
    denies = f.ClaimFactory(
        slug="prk-denies", transfer=transfer, source=source, stance="denies",
        quote="The government denied that any rockets were sent.",
    )
    event = f.TransferEventFactory(transfer=transfer, claim=asserts)
    regime = f.SanctionsRegimeFactory(slug="un-dprk", name="U.N. sanctions on North Korea", imposed_by=unsc)
    designation = f.models.SanctionDesignation.objects.create(
        slug="un-dprk-prk", regime=regime, state=prk, source=source,
        quote="the shipment of rockets left the port in March",
    )
    return {
        "prk": prk, "rus": rus, "syr": syr, "source": source, "unsc": unsc, "white_house": white_house,
        "materiel": materiel, "region": region, "transfer": transfer, "asserts": asserts, "denies": denies,
        "event": event, "regime": regime, "designation": designation,
    }


@pytest.fixture
def changeform_data():
    """Turns a rendered admin change page into the POST data that would save it unchanged, inlines
    included; tests then change the fields they care about."""

    def build(response) -> dict:
        data = {}
        forms = [response.context["adminform"].form]
        for inline in response.context.get("inline_admin_formsets", []):  # none on the revert page
            formset = inline.formset
            data.update({f"{formset.prefix}-{k}": v for k, v in formset.management_form.initial.items()})
            forms.extend(formset.forms)
        for form in forms:
            for name in form.fields:
                value = form[name].value()
                if value is None or value is False:
                    continue
                data[form.add_prefix(name)] = "on" if value is True else value
        return data

    return build


# --- The first article's curated data (fixtures/*.json), loaded as `make run` loads it ---

ARTICLE_FIXTURES = sorted(str(path) for path in (Path(__file__).resolve().parent.parent / "fixtures").glob("*.json"))


@pytest.fixture
def article(db):
    """The article of 2022-11-02 (North Korean shells to Russia, Iranian drones, Pyongyang's denial):
    every fixture file in one ``loaddata`` call, in file-name order."""
    call_command("loaddata", *ARTICLE_FIXTURES, verbosity=0)
