"""The four-eyes rule: a transfer stays a draft until a second user marks it reviewed.

The creator is read from the transfer's history (its "+" record). A transfer with no creation
record -- loaded from a fixture, or created in bulk without a user -- has no known creator, and any
user with the review permission may review it.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from transfers.models import Transfer

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


def _check_reviewer(transfer: Transfer, user, creator_id: int | None) -> None:
    if creator_id is not None and creator_id == user.pk:
        raise ReviewRefused(
            transfer,
            f"Transfer '{transfer.slug}' was created by you; a second user must review it.",
        )


def _mark(transfer: Transfer, user) -> None:
    transfer.reviewed_by = user
    transfer.reviewed_at = timezone.now()
    transfer._change_reason = REVIEW_REASON
    transfer._history_user = user
    transfer.save(update_fields=["reviewed_by", "reviewed_at", "updated_at"])


@transaction.atomic
def transfer_mark_reviewed(*, transfer: Transfer, user) -> Transfer:
    """Mark one transfer reviewed by ``user``; raises :class:`ReviewRefused` if ``user`` created it.

    An already reviewed transfer keeps its first reviewer.
    """
    if transfer.is_reviewed:
        return transfer
    creator_id = transfer_creator_ids(transfer_ids=[transfer.pk]).get(transfer.pk)
    _check_reviewer(transfer, user, creator_id)
    _mark(transfer, user)
    return transfer


@transaction.atomic
def transfers_mark_reviewed(*, transfers: Iterable[Transfer], user) -> ReviewOutcome:
    """Mark many transfers reviewed; those ``user`` created are refused and left unchanged."""
    transfers = list(transfers)
    creators = transfer_creator_ids(transfer_ids=[t.pk for t in transfers])
    outcome = ReviewOutcome()
    for transfer in transfers:
        if transfer.is_reviewed:
            outcome.already_reviewed.append(transfer)
            continue
        try:
            _check_reviewer(transfer, user, creators.get(transfer.pk))
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
    transfer._change_reason = reason[:100]
