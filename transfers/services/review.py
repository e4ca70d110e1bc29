"""The four-eyes rule: a transfer stays a draft until a second user marks it reviewed.

The reviewer is neither its creator nor anyone who changed it -- its own fields, its claims, its
timeline or its route -- since its last review (rules.reviewer_allowed). Both are read from the
history: the transfer's "+" record, and every history row of the transfer and its parts written
after the last "Marked reviewed" row. A transfer with no creation record -- loaded from a fixture,
or created in bulk without a user -- has no known creator.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Max
from django.utils import timezone

from transfers import readmodel, rules
from transfers.history import CHANGE_REASON_MAX
from transfers.models import Claim, Transfer, TransferBreach, TransferEvent, TransferParty, TransferVia

REVIEW_REASON = "Marked reviewed"
RETURN_TO_DRAFT_REASON = "Returned to draft"


class ReviewRefused(Exception):
    """The user may not review this transfer."""

    def __init__(self, transfer: Transfer, message: str):
        self.transfer = transfer
        super().__init__(message)


@dataclass
class ReviewOutcome:
    reviewed: list[Transfer] = field(default_factory=list)
    already_reviewed: list[Transfer] = field(default_factory=list)
    refused: list[ReviewRefused] = field(default_factory=list)


def transfer_creator_ids(*, transfer_ids: Iterable[int]) -> dict[int, int | None]:
    """Who created each transfer, from its history (one query for all of them)."""
    rows = Transfer.history.filter(id__in=list(transfer_ids), history_type="+").values_list("id", "history_user_id")
    return dict(rows)


def transfer_editor_ids(*, transfer_ids: Iterable[int]) -> dict[int, set[int]]:
    """Who changed each transfer or its claims, timeline or route since its last review (or ever)."""
    ids = list(transfer_ids)
    editors: dict[int, set[int]] = {pk: set() for pk in ids}
    reviews = (
        Transfer.history.filter(id__in=ids, history_change_reason=REVIEW_REASON)
        .values("id").annotate(last=Max("history_date")).values_list("id", "last")
    )
    since = dict(reviews)
    parts = [(Transfer.history, "id")] + [
        (model.history, "transfer_id") for model in (Claim, TransferEvent, TransferVia, TransferParty, TransferBreach)
    ]
    for manager, key in parts:
        rows = manager.filter(**{f"{key}__in": ids}, history_user_id__isnull=False).values_list(
            key, "history_user_id", "history_date"
        )
        for transfer_id, user_id, when in rows:
            if since.get(transfer_id) is None or when > since[transfer_id]:
                editors[transfer_id].add(user_id)
    return editors


def _check_reviewer(transfer: Transfer, user, creator_id: int | None, editor_ids: Iterable[int] = ()) -> None:
    refusal = rules.reviewer_allowed(reviewer_id=user.pk, creator_id=creator_id, changed_by=editor_ids)
    if refusal:
        raise ReviewRefused(transfer, f"Transfer '{transfer.slug}' {refusal}")


def _mark(transfer: Transfer, user) -> None:
    transfer.reviewed_by = user
    transfer.reviewed_at = timezone.now()
    transfer._change_reason = REVIEW_REASON
    transfer._history_user = user
    transfer.save(update_fields=["reviewed_by", "reviewed_at", "updated_at"])


@readmodel.batched()
def transfer_mark_reviewed(*, transfer: Transfer, user) -> Transfer:
    """Mark one transfer reviewed by ``user``; raises :class:`ReviewRefused` if ``user`` created it.

    An already reviewed transfer keeps its first reviewer.
    """
    if transfer.is_reviewed:
        return transfer
    creator_id = transfer_creator_ids(transfer_ids=[transfer.pk]).get(transfer.pk)
    _check_reviewer(transfer, user, creator_id, transfer_editor_ids(transfer_ids=[transfer.pk])[transfer.pk])
    _mark(transfer, user)
    return transfer


@readmodel.batched()
def transfers_mark_reviewed(*, transfers: Iterable[Transfer], user) -> ReviewOutcome:
    """Mark many transfers reviewed; those ``user`` created are refused and left unchanged. Written in
    primary-key order, as writers of several transfers take them (services.records)."""
    transfers = sorted(transfers, key=lambda transfer: transfer.pk)
    creators = transfer_creator_ids(transfer_ids=[t.pk for t in transfers])
    editors = transfer_editor_ids(transfer_ids=[t.pk for t in transfers])
    outcome = ReviewOutcome()
    for transfer in transfers:
        if transfer.is_reviewed:
            outcome.already_reviewed.append(transfer)
            continue
        try:
            _check_reviewer(transfer, user, creators.get(transfer.pk), editors[transfer.pk])
        except ReviewRefused as refusal:
            outcome.refused.append(refusal)
            continue
        _mark(transfer, user)
        outcome.reviewed.append(transfer)
    return outcome


def transfer_return_to_draft(*, transfer: Transfer, reason: str = RETURN_TO_DRAFT_REASON) -> None:
    """Clear the review of a transfer whose data changed (saved by the caller)."""
    transfer.reviewed_by = None
    transfer.reviewed_at = None
    transfer._change_reason = reason[:CHANGE_REASON_MAX]
