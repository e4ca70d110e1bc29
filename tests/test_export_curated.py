"""manage.py export_curated: everything curated, loadable into an empty database, giving the same API.

The test builds a world with every kind of record (a reviewed transfer among them: its reviewer is
exported by username), reads every list and every record through the API, exports, empties the
database, loads the export, and reads everything again: the answers must be equal, ids aside.
"""

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from rest_framework.test import APIClient

from tests.api_world import build_world
from transfers.api.urls import router
from transfers.models import Transfer
from transfers.services.review import transfer_mark_reviewed

pytestmark = pytest.mark.django_db(transaction=True)  # the database is emptied and loaded again


def without_ids(value):
    if isinstance(value, dict):
        return {k: without_ids(v) for k, v in value.items() if k != "id"}
    if isinstance(value, list):
        return [without_ids(v) for v in value]
    return value


def api_snapshot() -> dict:
    client, snapshot = APIClient(), {}
    for prefix, viewset, _ in router.registry:
        listed = client.get(f"/api/v1/{prefix}/", {"page_size": 500})
        assert listed.status_code == 200, (prefix, listed.content[:200])
        snapshot[prefix] = without_ids(listed.json()["results"])
        lookup = getattr(viewset, "lookup_field", "pk")
        for index, row in enumerate(listed.json()["results"]):
            # Records are found by their lookup (an id where it is the primary key) and compared by
            # their place in the list: ids differ after the load.
            key = row["id"] if lookup == "pk" else row[lookup]
            detail = client.get(f"/api/v1/{prefix}/{key}/")
            assert detail.status_code == 200, (prefix, key)
            snapshot[f"{prefix}/{index}"] = without_ids(detail.json())
    return snapshot


def test_an_export_loaded_into_an_empty_database_gives_the_same_api(tmp_path, editor, second_editor):
    world = build_world()
    shells = Transfer.objects.get(slug="shells")
    shells.history.filter(history_type="+").update(history_user=editor)
    transfer_mark_reviewed(transfer=shells, user=second_editor)
    assert world.transfers
    before = api_snapshot()

    path = tmp_path / "export.json"
    call_command("export_curated", output=str(path))
    exported = json.loads(path.read_text(encoding="utf-8"))
    users = [r for r in exported if r["model"] == "auth.user"]
    assert {u["fields"]["username"] for u in users} == {"editor", "editor2"}
    assert all(u["fields"]["password"].startswith("!") for u in users)  # never a hash
    assert not any("pk" in r for r in exported)  # natural keys only

    call_command("flush", interactive=False, verbosity=0)
    assert not Transfer.objects.exists() and not get_user_model().objects.exists()
    call_command("loaddata", str(path), verbosity=0)

    after = api_snapshot()
    assert after == before
    reviewed = Transfer.objects.get(slug="shells")
    assert reviewed.reviewed_by.username == "editor2" and not reviewed.reviewed_by.has_usable_password()


def test_the_readme_dumpdata_problem_is_gone_a_reviewed_transfer_exports_and_loads(tmp_path, second_editor):
    build_world()
    transfer_mark_reviewed(transfer=Transfer.objects.get(slug="drones"), user=second_editor)
    path = tmp_path / "export.json"
    call_command("export_curated", output=str(path))
    call_command("flush", interactive=False, verbosity=0)
    call_command("loaddata", str(path), verbosity=0)
    assert Transfer.objects.get(slug="drones").reviewed_by.username == "editor2"
