"""The review workflow: a transfer is a draft until a second user marks it reviewed."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from rest_framework.test import APIClient

from tests import factories as f
from transfers import models
from transfers.services.review import ReviewRefused, transfer_mark_reviewed

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:transfers_transfer_changelist"


def created_by(user, **kwargs) -> models.Transfer:
    """A transfer whose creation record in the history names ``user`` (as an admin add would)."""
    transfer = f.TransferFactory(**kwargs)
    transfer.history.filter(history_type="+").update(history_user=user)
    return transfer


def review_action(client, *transfers):
    return client.post(
        reverse(CHANGELIST),
        {"action": "mark_reviewed", "_selected_action": [t.pk for t in transfers]},
        follow=True,
    )


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_a_second_user_marks_a_transfer_reviewed(editor, second_editor):
    transfer = created_by(editor)
    transfer_mark_reviewed(transfer=transfer, user=second_editor)
    transfer.refresh_from_db()
    assert transfer.reviewed_by == second_editor
    assert transfer.reviewed_at is not None
    record = transfer.history.latest()
    assert (record.history_user, record.history_change_reason) == (second_editor, "Marked reviewed")


def test_the_creator_cannot_review_their_own_transfer(editor):
    transfer = created_by(editor)
    with pytest.raises(ReviewRefused, match="created by you; a second user must review it"):
        transfer_mark_reviewed(transfer=transfer, user=editor)
    transfer.refresh_from_db()
    assert transfer.reviewed_at is None


def test_the_bulk_action_reviews_others_transfers_and_refuses_ones_own(client, editor, second_editor):
    mine = created_by(second_editor, slug="mine")
    theirs = created_by(editor, slug="theirs")
    client.force_login(second_editor)

    response = review_action(client, mine, theirs)

    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (theirs.reviewed_by, mine.reviewed_by) == (second_editor, None)
    assert mine.reviewed_at is None
    assert "Marked 1 transfer(s) as reviewed." in messages_of(response)
    assert "Not reviewed: Transfer 'mine' was created by you; a second user must review it." in messages_of(response)


def test_the_reviewed_filter_then_separates_them(client, editor, second_editor):
    mine = created_by(second_editor, slug="mine")
    theirs = created_by(editor, slug="theirs")
    client.force_login(second_editor)
    review_action(client, mine, theirs)
    reviewed = client.get(reverse(CHANGELIST), {"review": "reviewed"}).context["cl"].result_list
    drafts = client.get(reverse(CHANGELIST), {"review": "draft"}).context["cl"].result_list
    assert (list(reviewed), list(drafts)) == ([theirs], [mine])


def test_the_action_needs_the_review_permission(client, django_user_model, groups, editor):
    transfer = created_by(editor)
    # An editor-like user without review_transfer: the action is not offered, and a forged POST
    # changes nothing.
    clerk = django_user_model.objects.create_user("clerk", is_staff=True)
    clerk.user_permissions.set(groups["editor"].permissions.exclude(codename="review_transfer"))
    client.force_login(clerk)
    page = client.get(reverse(CHANGELIST))
    assert "mark_reviewed" not in page.content.decode()
    review_action(client, transfer)
    transfer.refresh_from_db()
    assert transfer.reviewed_at is None


def test_viewers_are_not_offered_the_action(viewer_client, editor):
    created_by(editor)
    assert "mark_reviewed" not in viewer_client.get(reverse(CHANGELIST)).content.decode()


def reviewed_transfer(editor, second_editor) -> models.Transfer:
    transfer = created_by(editor)
    source = f.SourceFactory()
    f.ClaimFactory(transfer=transfer, source=source)
    transfer_mark_reviewed(transfer=transfer, user=second_editor)
    return transfer


def test_changing_a_reviewed_transfer_returns_it_to_draft(client, editor, second_editor, changeform_data):
    transfer = reviewed_transfer(editor, second_editor)
    client.force_login(editor)
    url = reverse("admin:transfers_transfer_change", args=[transfer.pk])
    data = changeform_data(client.get(url))
    data.update({"quantity": 500, "change_reason": "Quantity from the UN panel"})
    response = client.post(url, data, follow=True)
    transfer.refresh_from_db()
    assert (transfer.quantity, transfer.reviewed_by, transfer.reviewed_at) == (500, None, None)
    assert "The transfer changed, so it is a draft again until reviewed." in messages_of(response)


def test_changing_only_its_claims_also_returns_it_to_draft(client, editor, second_editor, changeform_data):
    transfer = reviewed_transfer(editor, second_editor)
    client.force_login(editor)
    url = reverse("admin:transfers_transfer_change", args=[transfer.pk])
    data = changeform_data(client.get(url))
    data.update({"claims-0-credibility": 1, "change_reason": "Confirmed by a second source"})
    client.post(url, data)
    transfer.refresh_from_db()
    assert transfer.reviewed_at is None
    assert transfer.history.latest().history_change_reason == "Confirmed by a second source (returned to draft)"


def test_saving_with_only_a_reason_keeps_the_review(client, editor, second_editor, changeform_data):
    transfer = reviewed_transfer(editor, second_editor)
    client.force_login(editor)
    url = reverse("admin:transfers_transfer_change", args=[transfer.pk])
    data = changeform_data(client.get(url))
    data["change_reason"] = "Looked again, nothing to change"
    client.post(url, data)
    transfer.refresh_from_db()
    assert transfer.reviewed_by == second_editor


def test_a_transfer_added_in_the_admin_cannot_be_reviewed_by_whoever_added_it(
    editor_client, editor, admin_world, changeform_data
):
    add_url = reverse("admin:transfers_transfer_add")
    data = changeform_data(editor_client.get(add_url))
    data.update(
        {
            "slug": "rus-prk-aircraft",
            "supplier": admin_world["rus"].pk,
            "recipient": admin_world["prk"].pk,
            "materiel": admin_world["materiel"].pk,
            "status": "anticipated",
        }
    )
    response = editor_client.post(add_url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    transfer = models.Transfer.objects.get(slug="rus-prk-aircraft")
    assert transfer.history.get().history_change_reason == "Added in the admin"

    response = review_action(editor_client, transfer)
    assert "Not reviewed: Transfer 'rus-prk-aircraft' was created by you; a second user must review it." in (
        messages_of(response)
    )


@pytest.mark.parametrize(("quantity", "still_reviewed"), [(12, False), (10, True)], ids=["changed", "unchanged"])
def test_an_api_change_to_a_reviewed_transfer_returns_it_to_draft_and_a_no_op_does_not(
    editor, second_editor, quantity, still_reviewed
):
    transfer = f.TransferFactory(quantity=10)
    transfer_mark_reviewed(transfer=transfer, user=second_editor)
    api = APIClient()
    api.force_authenticate(editor)
    assert api.patch(f"/api/v1/transfers/{transfer.pk}/", {"quantity": quantity}, format="json").status_code == 200
    transfer.refresh_from_db()
    assert (transfer.quantity, transfer.is_reviewed) == (quantity, still_reviewed)


def test_editing_a_claim_on_its_own_admin_page_returns_its_reviewed_transfer_to_draft(
    editor_client, second_editor, changeform_data
):
    claim = f.ClaimFactory(credibility=3)
    transfer_mark_reviewed(transfer=claim.transfer, user=second_editor)
    url = reverse("admin:transfers_claim_change", args=[claim.pk])
    data = {**changeform_data(editor_client.get(url)), "credibility": "5", "change_reason": "regraded"}
    assert editor_client.post(url, data).status_code == 302
    claim.transfer.refresh_from_db()
    assert not claim.transfer.is_reviewed
    assert claim.transfer.history.first().history_change_reason == "regraded (returned to draft)"


# --- four eyes for real: whoever changed the transfer since its last review cannot review it ---


@pytest.fixture
def third_editor(django_user_model, groups):
    from transfers.groups import EDITOR

    user = django_user_model.objects.create_user("editor3", password="editor-pass-789", is_staff=True)
    user.groups.add(groups[EDITOR])
    return user


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_an_editor_who_changed_someone_elses_transfer_cannot_review_it(editor, second_editor, third_editor):
    # The bypass: B edits A's transfer (supplier, quantity) through the API, then marks it reviewed.
    transfer = created_by(editor)
    other = f.StateFactory(iso3="XXA", name="Test State A (test data)")
    response = api_as(second_editor).patch(
        f"/api/v1/transfers/{transfer.pk}/", {"supplier": other.iso3, "quantity": 12}, format="json"
    )
    assert response.status_code == 200, response.content
    with pytest.raises(ReviewRefused, match="was changed by you since its last review"):
        transfer_mark_reviewed(transfer=models.Transfer.objects.get(pk=transfer.pk), user=second_editor)
    with pytest.raises(ReviewRefused, match="created by you"):
        transfer_mark_reviewed(transfer=models.Transfer.objects.get(pk=transfer.pk), user=editor)
    reviewed = transfer_mark_reviewed(transfer=models.Transfer.objects.get(pk=transfer.pk), user=third_editor)
    assert reviewed.reviewed_by == third_editor


def test_changing_a_claim_of_a_transfer_counts_as_changing_it(client, editor, second_editor, third_editor):
    transfer = created_by(editor)
    claim = f.ClaimFactory(transfer=transfer)
    transfer_mark_reviewed(transfer=transfer, user=third_editor)
    client.force_login(second_editor)
    url = reverse("admin:transfers_claim_change", args=[claim.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(note="A second look (test data).", change_reason="Reworded the note")
    assert client.post(url, data).status_code == 302
    transfer = models.Transfer.objects.get(pk=transfer.pk)
    assert not transfer.is_reviewed  # the claim changed: a draft again
    response = review_action(client, transfer)
    assert "was changed by you since its last review" in " ".join(messages_of(response))
    transfer.refresh_from_db()
    assert not transfer.is_reviewed
    # The earlier reviewer did not touch it since: they may review it again.
    assert transfer_mark_reviewed(transfer=transfer, user=third_editor).reviewed_by == third_editor
