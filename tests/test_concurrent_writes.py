"""No lost updates: versions, ETags, If-Match / If-None-Match, PATCH writing only its fields, and the
verbatim-quote rule under concurrency.

The races themselves (two requests at the same moment on two database connections) only mean
something on PostgreSQL: SQLite lets one writer at a time hold the whole database, and its
in-memory test database is not shared between threads' connections. Those tests run on PostgreSQL
(CI runs the suite on both); every other test here runs on both, replaying the same interleavings
one step after the other.
"""

import threading

import pytest
from django.db import connection, connections
from django.urls import reverse
from rest_framework.test import APIClient

from tests import factories as f
from tests.api_world import build_world
from transfers.models import Claim, Place, Source, Transfer
from transfers.models.base import StaleRecord
from transfers.quotes import quote_in_text
from transfers.services.records import record_delete
from transfers.services.transfers import transfer_update

URL = "/api/v1/transfers/"


@pytest.fixture
def world(db):
    return build_world()


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- versions and ETags ------------------------------------------------------------------------


def test_every_record_the_api_returns_carries_its_version_as_an_etag(world, editor):
    transfer = world.transfers["shells"]
    response = APIClient().get(f"{URL}{transfer.pk}/")
    assert response["ETag"] == f'"{transfer.version}"'
    response = client_for(editor).patch(f"{URL}{transfer.pk}/", {"quantity": 7}, format="json")
    assert response["ETag"] == f'"{transfer.version + 1}"'
    assert APIClient().get("/api/v1/states/PRK/")["ETag"] == f'"{world.states["PRK"].version}"'


def test_a_get_with_the_current_etag_answers_304(world):
    transfer = world.transfers["shells"]
    etag = APIClient().get(f"{URL}{transfer.pk}/")["ETag"]
    response = APIClient().get(f"{URL}{transfer.pk}/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response.content == b""
    assert APIClient().get(f"{URL}{transfer.pk}/", HTTP_IF_NONE_MATCH='"999"').status_code == 200
    state_etag = APIClient().get("/api/v1/states/PRK/")["ETag"]
    assert APIClient().get("/api/v1/states/PRK/", HTTP_IF_NONE_MATCH=state_etag).status_code == 304


def test_a_put_built_from_an_old_get_is_refused_with_412(world, editor, second_editor):
    transfer = world.transfers["shells"]
    old = APIClient().get(f"{URL}{transfer.pk}/")
    body = {key: old.json()[key] for key in ("supplier", "recipient", "materiel", "status", "via", "quantity")}
    # Meanwhile the other editor changes the description.
    assert client_for(second_editor).patch(
        f"{URL}{transfer.pk}/", {"description": "Changed by the other editor (test data)."}, format="json",
        HTTP_IF_MATCH=old["ETag"],
    ).status_code == 200
    response = client_for(editor).put(f"{URL}{transfer.pk}/", {**body, "quantity": 5}, format="json",
                                      HTTP_IF_MATCH=old["ETag"])
    assert response.status_code == 412
    assert "changed by editor2" in response.json()["detail"]
    transfer.refresh_from_db()
    assert (transfer.description, transfer.quantity) == ("Changed by the other editor (test data).",
                                                         old.json()["quantity"])


def test_a_stale_if_match_refuses_patch_and_delete_of_any_record(world, editor):
    client = client_for(editor)
    etag = client.get("/api/v1/materiel/artillery-shells/")["ETag"]
    assert client.patch("/api/v1/materiel/artillery-shells/", {"name": "Shells"}, format="json",
                        HTTP_IF_MATCH=etag).status_code == 200
    stale = client.patch("/api/v1/materiel/artillery-shells/", {"name": "Old shells"}, format="json",
                         HTTP_IF_MATCH=etag)
    assert stale.status_code == 412 and "detail" in stale.json()
    unused = f.MaterielFactory(slug="unused-test-materiel")
    etag = client.get("/api/v1/materiel/unused-test-materiel/")["ETag"]
    client.patch("/api/v1/materiel/unused-test-materiel/", {"name": "Renamed (test data)"}, format="json")
    assert client.delete("/api/v1/materiel/unused-test-materiel/", HTTP_IF_MATCH=etag).status_code == 412
    assert client.delete("/api/v1/materiel/unused-test-materiel/",
                         HTTP_IF_MATCH=f'"{unused.version + 1}"').status_code == 204


def test_a_malformed_if_match_is_a_400(world, editor):
    response = client_for(editor).patch(f"{URL}{world.transfers['shells'].pk}/", {"quantity": 1}, format="json",
                                        HTTP_IF_MATCH="yesterday")
    assert response.status_code == 400
    assert "If-Match" in response.json()


def test_two_patches_of_different_fields_both_survive(world):
    # The lost update, one step after the other: the second PATCH was parsed against the transfer as
    # it was before the first one wrote.
    transfer = world.transfers["shells"]
    stale = Transfer.objects.get(pk=transfer.pk)
    transfer_update(transfer=Transfer.objects.get(pk=transfer.pk), data={"quantity": 4242})
    transfer_update(transfer=stale, data={"description": "Second editor's words (test data)."})
    transfer.refresh_from_db()
    assert (transfer.quantity, transfer.description) == (4242, "Second editor's words (test data).")


def test_two_writes_of_the_same_version_cannot_both_win(world):
    first, second = Transfer.objects.get(slug="shells"), Transfer.objects.get(slug="shells")
    first.quantity = 1
    first.save()
    second.quantity = 2
    with pytest.raises(StaleRecord):
        second.save()
    assert Transfer.objects.get(slug="shells").quantity == 1


# --- the admin ---------------------------------------------------------------------------------


def test_the_admin_refuses_a_change_form_posted_from_a_stale_version(
    client, editor, admin_world, changeform_data, django_user_model
):
    transfer = admin_world["transfer"]
    url = reverse("admin:transfers_transfer_change", args=[transfer.pk])
    client.force_login(editor)
    data = changeform_data(client.get(url))
    # Another editor saves the transfer after this page was opened.
    other = f.StateFactory(iso3="XXB", name="Test State B (test data)")
    fresh = Transfer.objects.get(pk=transfer.pk)
    fresh.quantity, fresh._history_user = 99, django_user_model.objects.create_user("rival")
    fresh.save()
    data.update(recipient=other.pk, change_reason="My edit from an old page")
    response = client.post(url, data)
    assert response.status_code == 200  # the page again, not a redirect
    errors = " ".join(response.context["adminform"].form.non_field_errors())
    assert "changed by rival on" in errors and "your edits are kept below" in errors
    assert response.context["adminform"].form["recipient"].value() == str(other.pk)  # what the user typed
    transfer.refresh_from_db()
    assert (transfer.quantity, transfer.recipient_id) == (99, admin_world["rus"].pk)
    # Saving the page shown again is a deliberate choice, and goes through.
    shown = response.context["adminform"].form["record_version"].value()
    assert int(shown) == transfer.version
    again = client.post(url, {**data, "record_version": shown})
    assert again.status_code == 302, again.context["adminform"].form.errors
    transfer.refresh_from_db()
    assert transfer.recipient_id == other.pk


# --- the races, on two connections (PostgreSQL) -------------------------------------------------

race = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="a race needs two connections writing at once; SQLite serializes writers and its in-memory "
    "test database is not shared between threads (the interleavings are replayed above instead)",
)


def run_together(*calls):
    """Run ``calls`` at the same moment, each on its own thread and database connection."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        finally:
            connections.close_all()

    run_threads(*(lambda i=i, call=call: run(i, call) for i, call in enumerate(calls)))
    return results


def run_threads(*targets) -> None:
    """Run ``targets`` each on its own thread, and wait for them all."""
    threads = [threading.Thread(target=target) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def held_while_written(*, hold, write, probe) -> dict:
    """Lock order, step by step: ``hold`` runs in a transaction on one connection, which stays open while
    ``write`` runs on another until it is done or waits on a lock; then ``probe``, in ``hold``'s
    transaction, tries (NOWAIT) a lock that ``write`` must not have taken before the one ``hold`` has.
    Returns {"probe": "free" or "locked", "write": "done"} (no "write" when it failed)."""
    from django.db import DatabaseError, transaction

    held, go, written = threading.Event(), threading.Event(), threading.Event()
    outcome, writer_pid = {}, []

    def holder():
        try:
            with transaction.atomic():
                hold()
                held.set()
                go.wait(60)
                try:
                    probe()
                    outcome["probe"] = "free"
                except DatabaseError:
                    outcome["probe"] = "locked"
        finally:
            held.set()
            connections.close_all()

    def writer():
        try:
            held.wait(10)
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                writer_pid.append(cursor.fetchone()[0])
            write()
            outcome["write"] = "done"
        finally:
            written.set()
            connections.close_all()

    threads = [threading.Thread(target=holder), threading.Thread(target=writer)]
    for thread in threads:
        thread.start()
    waiting = False
    try:
        held.wait(10)
        for _ in range(200):  # until the write is done, or waits on a lock
            if written.wait(0.05):
                break
            if writer_pid:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", writer_pid)
                    waiting = cursor.fetchone() == ("Lock",)
                if waiting:
                    break
    finally:
        go.set()
        for thread in threads:
            thread.join()
    assert written.is_set() or waiting, "the write neither finished nor waited on a lock"
    return outcome


@race
@pytest.mark.django_db(transaction=True)
def test_concurrent_patches_of_different_fields_all_survive(editor, second_editor):
    build_world()
    transfer = Transfer.objects.get(slug="shells")
    url = f"{URL}{transfer.pk}/"
    one, two = client_for(editor), client_for(second_editor)
    lost = 0
    for trial in range(30):
        results = run_together(
            lambda t=trial: one.patch(url, {"quantity": 1000 + t}, format="json").status_code,
            lambda t=trial: two.patch(url, {"description": f"Trial {t} (test data)."}, format="json").status_code,
        )
        assert results == [200, 200]
        transfer.refresh_from_db()
        lost += (transfer.quantity, transfer.description) != (1000 + trial, f"Trial {trial} (test data).")
    assert lost == 0


@race
@pytest.mark.django_db(transaction=True)
def test_a_claim_and_a_change_of_its_sources_text_cannot_both_win(editor, second_editor):
    world = build_world()
    poster, patcher = client_for(editor), client_for(second_editor)
    both_won = 0
    for trial in range(25):
        slug = f"race-source-{trial}"
        f.SourceFactory(slug=slug, text=f"Alpha {trial} was said. Beta {trial} was said too. (Test text.)")
        body = {
            "supplier": "PRK", "recipient": "RUS", "materiel": "artillery-shells", "status": "delivered",
            "claims": [{"source": slug, "quote": f"Beta {trial} was said too."}],
        }
        posted, patched = run_together(
            lambda b=body: poster.post(URL, b, format="json").status_code,
            lambda s=slug, t=trial: patcher.patch(f"/api/v1/sources/{s}/", {"text": f"Alpha {t} was said."},
                                                  format="json").status_code,
        )
        assert sorted([posted, patched]) in ([200, 400], [201, 400]), (posted, patched)
        both_won += posted == 201 and patched == 200
    assert both_won == 0
    for claim in Claim.objects.filter(source__slug__startswith="race-source-").select_related("source"):
        assert quote_in_text(claim.quote, claim.source.text), claim.slug
    assert Source.objects.filter(slug__startswith="race-source-").count() == 25
    assert world is not None


def test_a_change_the_transfer_shows_moves_its_etag_on(world, editor):
    # Its category follows its materiel; its claims and route are part of it too.
    transfer = world.transfers["shells"]
    first = APIClient().get(f"{URL}{transfer.pk}/")["ETag"]
    client_for(editor).patch("/api/v1/materiel/artillery-shells/", {"category": "artillery"}, format="json")
    second = APIClient().get(f"{URL}{transfer.pk}/")
    assert second.json()["category"] == "artillery" and second["ETag"] != first


@race
@pytest.mark.django_db(transaction=True)
def test_concurrent_writes_of_one_transfer_and_of_its_neighbours_keep_the_summary_a_count_of_the_records(
        editor, second_editor):
    """Two refreshes of one transfer at once (its quantity edited while its supplier State is renamed)
    must not both take its previous record out of the read model's summary; a deletion beside a
    creation of the same supplier and recipient moves the same summary and tally rows (no deadlock).
    A smoke test: the interleavings are not forced (the next test pins the lock that orders them)."""
    from transfers.readmodel import summary

    build_world()
    shells = Transfer.objects.get(slug="shells")
    one, two = client_for(editor), client_for(second_editor)
    body = {"supplier": "PRK", "recipient": "RUS", "materiel": "artillery-shells", "status": "delivered"}
    for trial in range(15):
        results = run_together(
            lambda t=trial: one.patch(f"{URL}{shells.pk}/", {"quantity": 500 + t}, format="json").status_code,
            lambda t=trial: two.patch("/api/v1/states/PRK/", {"name": f"North Korea {t}"}, format="json").status_code,
        )
        assert results == [200, 200]
        created = one.post(URL, body, format="json")
        assert created.status_code == 201, created.content
        doomed = created.json()["id"]
        results = run_together(
            lambda pk=doomed: one.delete(f"{URL}{pk}/").status_code,
            lambda: two.post(URL, body, format="json").status_code,
        )
        assert results == [204, 201]
    assert summary.stored() == summary.recount()


def _quantity_changed(transfer):
    transfer_update(transfer=transfer, data={"quantity": 4321})


def _route_through_its_own_parties(transfer):
    # Legs that name the supplier (PRK): inserting them key-locks PRK's row.
    transfer_update(transfer=transfer, data={"route": [
        {"state": transfer.supplier, "role": "origin"},
        {"place": Place.objects.get(slug="middle-east"), "role": "transit"},
        {"state": transfer.recipient, "role": "destination"},
    ]})


def _deleted_beside_another_of_its_pair(transfer):
    # The pair's network tallies are recounted without it (the test adds a second transfer of the
    # pair): rows naming PRK inserted after its record was locked, to read what it counted.
    record_delete(record=transfer)


@race
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("change", [_quantity_changed, _route_through_its_own_parties,
                                    _deleted_beside_another_of_its_pair])
def test_a_transfer_write_takes_its_states_locks_before_its_record_lock(change):
    """A change of a State's code (iso3, a key: its UPDATE locks the row against foreign-key checks) holds
    the State's row and then locks the records of the transfers that show it. A concurrent write of one
    of those transfers must take what it needs of that row (the key lock of a foreign key to it) before
    it locks the transfer's record, never at commit after it: else each waits for the other, and
    PostgreSQL aborts one (the deadlock CI met, then with a rename, whose lock now leaves key locks be).
    The change is held open here after its first step while the transfer is written; its next step,
    locking the transfer's record, must find the record free."""
    from transfers.models import State, TransferRecord

    build_world()
    shells = Transfer.objects.get(slug="shells")
    f.TransferFactory(supplier=shells.supplier, recipient=shells.recipient, materiel=shells.materiel)
    outcome = held_while_written(
        hold=lambda: State.objects.select_for_update().get(iso3="PRK"),  # as an UPDATE of its iso3 locks it
        write=lambda: change(shells),
        probe=lambda: list(TransferRecord.objects.select_for_update(nowait=True).filter(pk=shells.pk)),  # or gone
    )
    assert outcome == {"probe": "free", "write": "done"}


@race
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("write", ["update", "delete"])
def test_a_write_of_a_claim_locks_its_transfer_first(write):
    """Every write of a transfer locks the transfer's row before its parts' rows, the sources its claims
    quote and the tallies it moves (adding a claim: the transfer, the source, the pair's tally; deleting
    the transfer: the transfer, then its claims). A write of one claim must follow the same order: else,
    holding the claim, its source or its pair's tally while it waits for the transfer, it deadlocks with
    a write of that transfer."""
    from transfers.models import Claim, PairTally
    from transfers.services.records import record_update

    world = build_world()
    shells, claim = world.transfers["shells"], Claim.objects.get(slug="shells-wh")
    if write == "update":  # a quote is checked against its source's text, under the source's lock
        change = lambda: record_update(model=Claim, pk=claim.pk, data={"credibility": 2})  # noqa: E731
    else:  # the pair's network tallies are recounted without it
        change = lambda: record_delete(record=Claim.objects.get(pk=claim.pk))  # noqa: E731
    # Nothing is locked before the transfer: not the claim's own row (which a deletion of the transfer
    # takes after the transfer), its source or its pair's tally.
    probe = lambda: (Claim.objects.select_for_update(no_key=True, nowait=True).filter(pk=claim.pk).first(),  # noqa: E731
                     Source.objects.select_for_update(no_key=True, nowait=True).get(pk=claim.source_id),
                     list(PairTally.objects.select_for_update(no_key=True, nowait=True).filter(
                         supplier=shells.supplier_id, recipient=shells.recipient_id)))
    outcome = held_while_written(
        hold=lambda: Transfer.objects.select_for_update(no_key=True).get(pk=shells.pk),  # as transfer_add does
        write=change, probe=probe,
    )
    assert outcome == {"probe": "free", "write": "done"}


@race
@pytest.mark.django_db(transaction=True)
def test_a_batch_review_writes_its_transfers_in_primary_key_order(editor):
    """A writer of several transfers at once takes their rows in primary-key order, whatever order it
    was handed them in (a batch review gets the changelist's), so that two such writers never hold one
    row each while waiting for the other's."""
    from transfers.services.review import transfers_mark_reviewed

    world = build_world()
    first, second = sorted([world.transfers["shells"], world.transfers["drones"]], key=lambda t: t.pk)
    outcome = held_while_written(
        hold=lambda: Transfer.objects.select_for_update(no_key=True).get(pk=first.pk),
        write=lambda: transfers_mark_reviewed(transfers=list(Transfer.objects.filter(
            pk__in=[first.pk, second.pk]).order_by("-pk")), user=editor),
        probe=lambda: Transfer.objects.select_for_update(no_key=True, nowait=True).get(pk=second.pk),
    )
    assert outcome == {"probe": "free", "write": "done"}
    assert Transfer.objects.filter(pk__in=[first.pk, second.pk], reviewed_by=editor).count() == 2


@race
@pytest.mark.django_db(transaction=True)
def test_a_transfer_write_moves_its_tallies_in_primary_key_order():
    """A transfer's status changed from one value to another moves two status tally rows: taken in
    primary-key order (as imports take them), not the old value's first. Else a change of one
    transfer from sought to offered and of another from offered to sought could each hold one row
    and wait for the other's."""
    from transfers.models import StatusTally

    world = build_world()
    kept = dict(supplier=world.states["USA"], recipient=world.states["UKR"], materiel=world.materiel["ak-rifles"])
    f.TransferFactory(status="sought", **kept)  # the sought row first: the lower primary key
    offered = f.TransferFactory(status="offered", **kept)
    assert StatusTally.objects.get(status="sought").pk < StatusTally.objects.get(status="offered").pk
    outcome = held_while_written(
        hold=lambda: StatusTally.objects.select_for_update(no_key=True).get(status="sought"),
        write=lambda: transfer_update(transfer=offered, data={"status": "sought"}),
        probe=lambda: StatusTally.objects.select_for_update(no_key=True, nowait=True).filter(status="offered").first(),
    )
    assert outcome == {"probe": "free", "write": "done"}
    assert StatusTally.objects.get(status="sought").transfers == 2


@race
@pytest.mark.django_db(transaction=True)
def test_a_tally_row_emptied_and_deleted_while_another_writer_adds_to_it_keeps_that_count(monkeypatch):
    """One writer adds a transfer to the status tally "sought": it finds the row there (so creates
    none), and before it locks the row, another writer deletes the one sought transfer, emptying the
    row and deleting it. The first writer's count must not vanish with the row."""
    import datetime

    from django.db.models.query import QuerySet

    from transfers import tallies
    from transfers.models import StatusTally

    world = build_world()
    doomed = f.TransferFactory(status="sought", supplier=world.states["USA"], recipient=world.states["UKR"],
                               materiel=world.materiel["ak-rifles"], first_reported=datetime.date(2019, 1, 1))
    paused, go = threading.Event(), threading.Event()
    real_bulk_create = QuerySet.bulk_create

    def pausing_bulk_create(self, objs, *args, **kwargs):
        created = real_bulk_create(self, objs, *args, **kwargs)
        if self.model is StatusTally and objs and threading.current_thread().name == "adder":
            paused.set()  # the rows it needs exist (here: were there); it has not locked them yet
            go.wait(10)
        return created

    monkeypatch.setattr(QuerySet, "bulk_create", pausing_bulk_create)
    # Another pair, year and category: the two writers share the status row alone.
    add = threading.Thread(name="adder", target=lambda: (f.TransferFactory(
        status="sought", supplier=world.states["IRN"], recipient=world.states["LBY"],
        materiel=world.materiel["shahed-136"], first_reported=datetime.date(2021, 1, 1)), connections.close_all()))
    add.start()
    try:
        assert paused.wait(10)
        record_delete(record=doomed)
        assert not StatusTally.objects.filter(status="sought").exists()  # emptied and deleted, committed
    finally:
        go.set()
        add.join()
    assert StatusTally.objects.get(status="sought").transfers == 1
    assert tallies.stored()["status"] == tallies.counted()["status"]


@race
@pytest.mark.django_db(transaction=True)
def test_a_claims_import_locks_the_transfers_it_adds_to_before_their_sources():
    """A claims file's rows name transfers and the sources they quote: the import locks the transfers
    first, as a claim added through the API does (the transfer, then the source), not at its end."""
    from transfers.services.imports import import_claims

    world = build_world()
    shells, wapo = world.transfers["shells"], world.sources["wapo"]
    rows = [(2, {"transfer": "shells", "source": "wapo", "quote": "the White House said", "credibility": "3"})]
    outcome = held_while_written(
        hold=lambda: Transfer.objects.select_for_update(no_key=True).get(pk=shells.pk),  # as transfer_add does
        write=lambda: import_claims(rows=rows),
        probe=lambda: Source.objects.select_for_update(no_key=True, nowait=True).get(pk=wapo.pk),
    )
    assert outcome == {"probe": "free", "write": "done"}
    assert Claim.objects.filter(transfer=shells, quote="the White House said").exists()


@race
@pytest.mark.django_db(transaction=True)
def test_a_rename_in_progress_leaves_the_state_free_to_be_named_by_other_writes():
    """A rename locks the State's row against other changes of the State, not against rows that refer to
    it: a transfer written meanwhile with that State as its supplier has its foreign key checked at once
    (PostgreSQL's key-share lock), rather than waiting for the rename to end."""
    from django.db import DatabaseError, transaction

    from transfers.models import State
    from transfers.services.records import record_update

    world = build_world()
    prk = world.states["PRK"]
    held, finished = threading.Event(), threading.Event()
    outcome = {}

    def rename():
        try:
            with transaction.atomic():
                record_update(model=State, pk=prk.pk, data={"name": "North Korea (renamed; test data)"})
                held.set()
                finished.wait(10)
        finally:
            held.set()
            connections.close_all()

    def write():
        try:
            held.wait(10)
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '2s'")
                f.TransferFactory(supplier=prk, recipient=world.states["RUS"], materiel=world.materiel["ak-rifles"])
                connection.check_constraints()
            outcome["write"] = "done"
        except DatabaseError as error:
            outcome["write"] = f"waited on the rename: {error}"
        finally:
            finished.set()
            connections.close_all()

    run_threads(rename, write)
    assert outcome == {"write": "done"}
    assert State.objects.get(pk=prk.pk).name == "North Korea (renamed; test data)"


@race
@pytest.mark.django_db(transaction=True)
def test_a_refresh_reads_the_previous_records_with_their_rows_locked():
    """What a refresh or a deletion takes out of the summary is read with the records' rows locked, so
    that a second writer of the same transfer waits and then reads what the first one wrote."""
    from django.db import DatabaseError, transaction

    from transfers.models import TransferRecord
    from transfers.readmodel import summary

    build_world()
    shells = Transfer.objects.get(slug="shells")
    held, tried = threading.Event(), threading.Event()
    outcome = {}

    def first():
        try:
            with transaction.atomic():
                summary.counted_out([shells.pk])
                held.set()
                tried.wait(10)
        finally:
            connections.close_all()

    def second():
        try:
            held.wait(10)
            with transaction.atomic():
                TransferRecord.objects.select_for_update(nowait=True).get(pk=shells.pk)
            outcome["locked"] = False
        except DatabaseError:
            outcome["locked"] = True
        finally:
            tried.set()
            connections.close_all()

    run_threads(first, second)
    assert outcome == {"locked": True}
