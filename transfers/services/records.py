"""The one write path for a curated record: lock, check the version, validate every rule, save with history.

Every caller (the API, the admin, the admin's import, ``loaddata``) hands a record to
:func:`record_save` or a change to :func:`record_update`; the rules themselves live in
``transfers.rules`` and run through the model's ``full_clean()``. Writes that quote a source and
writes of a source's text serialize on the source's row (``SELECT ... FOR NO KEY UPDATE``), so that
the verbatim-quote rule holds under concurrency: a quote is checked against the text as committed,
and a new text against every quote committed.

Lock order, so that two writers never wait on each other: a transfer's row, then its parts' rows,
the sources they quote, the tallies (transfers.tallies), the rows the writes refer to (their foreign
keys' checks), the read model's records, and last its summary (transfers.readmodel). Rows of one
table are taken in primary-key order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models

from transfers import readmodel
from transfers.history import CHANGE_REASON_MAX
from transfers.models import Source, Transfer
from transfers.models.base import StaleRecord
from transfers.models.transfers import TRANSFER_PARTS


class VersionMismatch(Exception):
    """The client's copy (``If-Match``, the admin form's version) is older than the stored record."""

    def __init__(self, record, expected: int):
        self.record, self.expected = record, expected
        changed = last_change(record)
        self.changed_by, self.changed_at = changed
        who = f" by {changed[0]}" if changed[0] else ""
        when = f" at {changed[1]:%Y-%m-%d %H:%M:%S} UTC" if changed[1] else ""
        super().__init__(
            f"{record._meta.verbose_name} '{record}' was changed{who}{when} (version {record.version}) since "
            f"version {expected} was read; reload it and apply the change again."
        )


def last_change(record) -> tuple[str, Any]:
    """Who last changed ``record`` and when, from its history ("" and None when unknown)."""
    history = getattr(type(record), "history", None)
    if history is None:
        return "", None
    row = history.filter(id=record.pk).select_related("history_user").order_by("-history_date").first()
    if row is None:
        return "", None
    return (row.history_user.get_username() if row.history_user else ""), row.history_date


def lock_source(record) -> None:
    """Take the lock on the source ``record`` quotes (or on ``record`` itself, a source), and read its
    committed text: quote writes and text writes of one source then happen one after the other."""
    if isinstance(record, Source):
        if record.pk is not None:
            Source.objects.select_for_update(no_key=True).filter(pk=record.pk).values_list("pk").first()
        return
    source_id = getattr(record, "source_id", None)
    if source_id is not None and getattr(record, "quote", ""):
        record.source = Source.objects.select_for_update(no_key=True).get(pk=source_id)


def _locked(model: type[models.Model], pk) -> models.QuerySet:
    """The stored record ``pk`` of ``model``, to be read with its row locked against other writers of it
    (``no_key``: not against writes of rows that refer to it, whose foreign keys' checks would wait for
    this one). A part of a transfer has its transfer's row locked first, in a statement of its own
    (one statement would lock the part's row first): the order every write of a transfer takes, the
    transfer before its parts, their sources and the tallies."""
    if issubclass(model, TRANSFER_PARTS):
        transfer = model._base_manager.filter(pk=pk).values("transfer_id")
        list(Transfer._base_manager.select_for_update(no_key=True).filter(pk__in=transfer).values_list("pk"))
    return model._base_manager.select_for_update(no_key=True).filter(pk=pk).order_by("pk")


def _lock(model: type[models.Model], pk) -> models.Model:
    return _locked(model, pk).get()


# What a review vouches for: every field of a transfer but its bookkeeping and the review itself.
UNREVIEWED_FIELDS = {"id", "reviewed_by", "reviewed_at", "version", "created_at", "updated_at", "category"}


def _review_lapses(record, stored) -> list[str]:
    """A reviewed transfer whose data changes returns to draft: the review vouched for the data as it was.

    Returns the fields it changed (the review's), to be saved with the change."""
    from .review import transfer_return_to_draft

    if not isinstance(record, Transfer) or stored is None or stored.reviewed_at is None:
        return []
    changed = [
        field.attname for field in Transfer._meta.concrete_fields
        if field.name not in UNREVIEWED_FIELDS and getattr(record, field.attname) != getattr(stored, field.attname)
    ]
    if not changed:
        return []
    transfer_return_to_draft(transfer=record, reason=getattr(record, "_change_reason", "") or "Changed")
    return ["reviewed_by", "reviewed_at"]


def transfer_part_changed(*, transfer_id, reason: str = "") -> None:
    """A claim, timeline step or route step of a transfer changed: the transfer as the API shows it
    changed with it (its version moves on) and a review of it no longer holds."""
    from .review import transfer_return_to_draft

    transfer = _lock(Transfer, transfer_id)
    fields = []
    if transfer.is_reviewed:
        transfer_return_to_draft(transfer=transfer, reason=f"{reason or 'Its parts changed'} (returned to draft)")
        fields = ["reviewed_by", "reviewed_at"]
    transfer.save(update_fields=fields)


def _transfer_of(record):
    if isinstance(record, TRANSFER_PARTS):
        return record.transfer_id
    return None


@readmodel.batched()
def record_save(
    *,
    record: models.Model,
    fields: Iterable[str] | None = None,
    expected_version: int | None = None,
    user=None,
    reason: str = "",
    exclude: Iterable[str] = (),
    touch_transfer: bool = True,
) -> models.Model:
    """Validate ``record`` by every rule (``full_clean``) and save it, with its history user and reason.

    ``fields``: save only these (an update writes what it was asked to, nothing else).
    ``expected_version``: refuse with :class:`VersionMismatch` unless the stored record has it.
    ``touch_transfer``: for a part of a transfer (claim, timeline or route step), whether to call
    :func:`transfer_part_changed` now; a caller writing several parts calls it once at the end.
    """
    stored = None
    if record.pk is not None and not record._state.adding:
        stored = _locked(type(record), record.pk).first()
    if stored is not None and expected_version is not None and stored.version != expected_version:
        record.version = stored.version
        raise VersionMismatch(record, expected_version)
    lock_source(record)
    record.full_clean(exclude=list(exclude))
    if user is not None:
        record._history_user = user
    if reason:
        record._change_reason = reason[:CHANGE_REASON_MAX]
    lapsed = _review_lapses(record, stored)
    if fields is not None and stored is not None:
        record.save(update_fields=[*fields, *lapsed])
    else:
        record.save()
    if touch_transfer and _transfer_of(record) is not None:
        transfer_part_changed(transfer_id=_transfer_of(record), reason=reason)
    return record


@readmodel.batched()
def record_update(
    *,
    model: type[models.Model],
    pk,
    data: Mapping[str, Any],
    expected_version: int | None = None,
    user=None,
    reason: str = "",
) -> models.Model:
    """Apply ``data`` (model field -> value) to the stored record, read under a row lock, and save
    only those fields: two changes of different fields both survive, with or without a version."""
    record = _lock(model, pk)
    if expected_version is not None and record.version != expected_version:
        raise VersionMismatch(record, expected_version)
    for name, value in data.items():
        setattr(record, name, value)
    return record_save(record=record, fields=list(data), user=user, reason=reason)


@readmodel.batched()
def record_delete(
    *, record: models.Model, expected_version: int | None = None, reason: str = "", touch_transfer: bool = True
) -> None:
    """Delete ``record`` unless it changed since ``expected_version`` (PROTECT still refuses dependents).

    The deletion, and those of the records cascading with it, are left for the sync feed
    (models.Deletion) by ``signals.remember_deletion``, in this transaction."""
    if hasattr(record, "version"):
        reason_given = getattr(record, "_change_reason", "")
        record = _lock(type(record), record.pk)
        record._change_reason = reason_given
        if expected_version is not None and record.version != expected_version:
            raise VersionMismatch(record, expected_version)
    if reason:
        record._change_reason = reason[:CHANGE_REASON_MAX]
    transfer_id = _transfer_of(record)
    record.delete()
    if touch_transfer and transfer_id is not None:
        transfer_part_changed(transfer_id=transfer_id, reason=reason)


__all__ = [
    "StaleRecord", "VersionMismatch", "last_change", "lock_source", "record_delete", "record_save", "record_update",
    "transfer_part_changed",
]
