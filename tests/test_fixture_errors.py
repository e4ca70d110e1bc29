"""A bad fixture loads nothing and says which record and which field are at fault.

Each bad fixture is the whole article (all three files in one) with one record spoiled, so that a
partial load would show: dozens of good records come before the bad one. These tests run outside
the test transaction (``transaction=True``) so that ``loaddata``'s own rollback is what is tested.
"""

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from transfers.models import (
    Actor,
    Claim,
    Materiel,
    Place,
    SanctionDesignation,
    SanctionsRegime,
    Source,
    State,
    Transfer,
    TransferBreach,
    TransferEvent,
    TransferVia,
)

pytestmark = pytest.mark.django_db(transaction=True)

FIXTURES = sorted((Path(__file__).resolve().parent.parent / "fixtures").glob("*.json"))
CURATED = [Source, State, Actor, Materiel, Place, SanctionsRegime, Transfer, TransferVia, TransferBreach, Claim,
           TransferEvent, SanctionDesignation]


def article_records() -> list[dict]:
    return [obj for path in FIXTURES for obj in json.loads(path.read_text(encoding="utf-8"))]


def find(records, model, **match):
    (record,) = [r for r in records if r["model"] == f"transfers.{model}"
                 and all(r["fields"].get(k) == v for k, v in match.items())]
    return record


def write(tmp_path, records) -> str:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    return str(path)


def load_error(path) -> str:
    with pytest.raises(CommandError) as raised:
        call_command("loaddata", path, verbosity=0)
    return str(raised.value)


def nothing_loaded():
    return {model.__name__: model.objects.count() for model in CURATED} == {model.__name__: 0 for model in CURATED}


def test_the_unspoiled_article_loads_from_one_file(tmp_path):
    call_command("loaddata", write(tmp_path, article_records()), verbosity=0)
    assert Transfer.objects.count() == 8


def test_a_claim_whose_quote_is_not_in_its_source_loads_nothing(tmp_path):
    records = article_records()
    find(records, "claim", slug="prk-rus-shells-pyongyang-denial")["fields"]["quote"] = (
        "the Biden administration warned that Moscow was seeking to purchase such materiel, prompting a denial")
    path = write(tmp_path, records)
    message = load_error(path)
    assert path in message
    assert "transfers.Claim 'prk-rus-shells-pyongyang-denial'" in message
    assert "field 'quote'" in message
    assert "source 'wapo-2022-11-02-dprk-shells'" in message
    assert message.endswith("Nothing was loaded.")
    assert nothing_loaded()


def test_a_transfer_from_an_unknown_state_code_loads_nothing(tmp_path):
    records = article_records()
    find(records, "transfer", slug="prk-rus-artillery-shells-2022")["fields"]["supplier"] = ["XXX"]
    message = load_error(write(tmp_path, records))
    assert ("transfers.Transfer 'prk-rus-artillery-shells-2022': field 'supplier' refers to transfers.State ['XXX']"
            in message)
    assert nothing_loaded()


@pytest.mark.parametrize(
    ("model", "slug", "field", "broken", "target"),
    [
        # Required references: Django would defer them and then fail on NULL without naming them.
        ("transfer", "irn-rus-kamikaze-drones-2022", "materiel", ["no-such-materiel"], "transfers.Materiel"),
        ("claim", "irn-rus-technicians-administration", "transfer", ["no-such-transfer"], "transfers.Transfer"),
        ("claim", "prk-rus-shells-white-house", "source", ["no-such-source"], "transfers.Source"),
        # Optional references: checked once every fixture is in, since they may point forward.
        ("claim", "prk-rus-shells-white-house", "claimant", ["no-such-actor"], "transfers.Actor"),
        ("actor", "vladimir-putin", "part_of", ["no-such-actor"], "transfers.Actor"),
        ("place", "crimea", "state", ["UKX"], "transfers.State"),
    ],
)
def test_a_broken_reference_names_the_record_and_field_and_loads_nothing(tmp_path, model, slug, field, broken,
                                                                         target):
    records = article_records()
    find(records, model, slug=slug)["fields"][field] = broken
    message = load_error(write(tmp_path, records))
    assert f"transfers.{model.capitalize()} '{slug}': field '{field}' refers to {target} {broken!r}" in message
    assert nothing_loaded()


def test_an_event_of_an_unknown_transfer_names_the_model_and_field_and_loads_nothing(tmp_path):
    records = article_records()
    event = find(records, "transferevent", status="sought")
    event["fields"]["transfer"] = ["no-such-transfer"]
    message = load_error(write(tmp_path, records))
    # The event's own natural key is built from its transfer, so the model and field are all there is to name.
    assert "TransferEvent has no transfer" in message
    assert nothing_loaded()


def test_a_value_outside_its_vocabulary_names_the_record_and_the_rule(tmp_path):
    records = article_records()
    find(records, "transfer", slug="irn-rus-arms-2022")["fields"]["status"] = "shipped"
    message = load_error(write(tmp_path, records))
    assert "transfers.Transfer 'irn-rus-arms-2022'" in message
    assert "field 'status': Value 'shipped' is not a valid choice" in message
    assert nothing_loaded()


def test_a_bad_fixture_leaves_data_already_loaded_as_it_was(tmp_path):
    call_command("loaddata", *map(str, FIXTURES), verbosity=0)
    records = article_records()
    # One good change (the shells marked delivered) and one bad claim in the same file.
    find(records, "transfer", slug="prk-rus-artillery-shells-2022")["fields"]["status"] = "delivered"
    find(records, "claim", slug="prk-rus-shells-white-house")["fields"]["quote"] = "the shells were delivered"
    load_error(write(tmp_path, records))
    assert Transfer.objects.get(slug="prk-rus-artillery-shells-2022").status == "in_transit"
    assert Claim.objects.get(slug="prk-rus-shells-white-house").quote.startswith("The North Korean government")


def test_a_hand_written_record_without_timestamps_loads_and_gets_them(tmp_path):
    # loaddata saves raw (no auto_now), so the timestamps come from field defaults instead.
    records = article_records()
    for record in records:
        record["fields"].pop("created_at", None)
        record["fields"].pop("updated_at", None)
    call_command("loaddata", write(tmp_path, records), verbosity=0)
    prk = State.objects.get(iso3="PRK")
    assert prk.created_at is not None and prk.updated_at is not None


# --- strict loads: every rule of every other write path, and history --------------------------


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda r: find(r, "transferevent", status="sought")["fields"].update(date="2022-09-15"),
         "A month-precision date is stored as the first day of its month."),
        (lambda r: find(r, "transferevent", status="sought")["fields"].update(date="2019-06-30",
                                                                             date_precision="year"),
         "A year-precision date is stored as 1 January of its year."),
        (lambda r: find(r, "actor", slug="kirby")["fields"].update(aliases="not a list"),
         "field 'aliases': Must be a list of non-empty strings"),
        (lambda r: find(r, "actor", slug="russian-government")["fields"].update(part_of=["vladimir-putin"]),
         "cannot be part of itself, directly or through others"),
        (lambda r: r.append({"model": "transfers.materiel", "fields": {
            "slug": "", "name": "A materiel with no slug (test data)", "category": "ammunition"}}),
         "field 'slug': This field cannot be blank."),
        (lambda r: find(r, "transferevent", status="sought")["fields"].update(
            claim=["irn-rus-arms-biden-administration"]),
         "The claim must belong to the same transfer."),
    ],
    ids=["month-precision", "year-precision", "aliases-as-a-string", "cyclic-part-of", "empty-slug",
         "step-on-another-transfers-claim"],
)
def test_a_record_any_other_path_refuses_loads_nothing(tmp_path, change, expected):
    records = article_records()
    change(records)
    message = load_error(write(tmp_path, records))
    assert expected in message, message
    assert nothing_loaded()


def test_two_records_with_one_key_in_a_load_are_refused(tmp_path):
    records = article_records()
    twin = json.loads(json.dumps(find(records, "actor", slug="kirby")))
    twin["fields"]["name"] = "John Kirby"
    message = load_error(write(tmp_path, [*records, twin]))
    assert "transfers.Actor 'kirby' appears twice in this load" in message
    assert nothing_loaded()


def test_a_claim_slug_reused_for_another_transfer_is_refused(tmp_path):
    call_command("loaddata", *map(str, FIXTURES), verbosity=0)
    claim = find(article_records(), "claim", slug="prk-rus-shells-white-house")
    claim["fields"]["transfer"] = ["irn-rus-arms-2022"]
    message = load_error(write(tmp_path, [claim]))
    assert "already belongs to transfer 'prk-rus-artillery-shells-2022'" in message
    assert Claim.objects.get(slug="prk-rus-shells-white-house").transfer.slug == "prk-rus-artillery-shells-2022"


def test_a_partial_record_of_an_existing_key_is_refused_naming_what_it_would_blank(tmp_path):
    call_command("loaddata", *map(str, FIXTURES), verbosity=0)
    partial = {"model": "transfers.actor", "fields": {"slug": "vladimir-putin", "name": "Vladimir V. Putin"}}
    message = load_error(write(tmp_path, [partial]))
    assert "transfers.Actor 'vladimir-putin' already exists and this record leaves out" in message
    for field in ("aliases", "kind", "state", "part_of", "source", "quote"):
        assert field in message
    putin = Actor.objects.get(slug="vladimir-putin")
    assert (putin.name, putin.aliases) == ("Vladimir Putin", ["Mr. Putin"])


def test_a_new_source_text_that_strands_quotes_is_refused(tmp_path):
    call_command("loaddata", *map(str, FIXTURES), verbosity=0)
    source = find(article_records(), "source", slug="wapo-2022-11-02-dprk-shells")
    source["fields"]["text"] = "A shorter text (test data) that keeps none of the quotes."
    message = load_error(write(tmp_path, [source]))
    assert "The new text no longer contains the quotes of" in message
    assert Source.objects.get().text.startswith(find(article_records(), "source")["fields"]["text"][:40])


def test_every_record_loaded_or_changed_gets_history_with_the_file_as_reason(tmp_path):
    call_command("loaddata", *map(str, FIXTURES), verbosity=0)
    assert Transfer.history.filter(history_type="+").count() == Transfer.objects.count() == 8
    assert set(Claim.history.values_list("history_change_reason", flat=True)) == {
        "loaddata 20_article_2022-11-02_dprk_shells.json"
    }
    records = article_records()
    find(records, "transfer", slug="irn-rus-arms-2022")["fields"]["quantity_note"] = "not stated (test change)"
    path = write(tmp_path, records)
    call_command("loaddata", path, verbosity=0)
    changed = Transfer.objects.get(slug="irn-rus-arms-2022")
    latest = changed.history.latest()
    assert (latest.history_type, latest.history_change_reason, latest.quantity_note) == (
        "~", "loaddata bad.json", "not stated (test change)")
    assert changed.version == 2
    # Reloading the same records changes nothing, and adds no history.
    assert Transfer.history.count() == 9
    assert Transfer.objects.get(slug="irn-rus-drone-technicians-crimea-2022").version == 1
