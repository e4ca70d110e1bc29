"""The audit trail: every write leaves a historical record with who, when and why.

django-simple-history records who (the request's user) and when; *why* comes from the instance's
``_change_reason`` or, for every record a write touches at once (a transfer with its claims, route
and timeline), from ``change_reason(...)`` around the write: the API sets it from the
``X-Change-Reason`` header or a ``change_reason`` body field.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from simple_history import utils
from simple_history.models import HistoricalRecords

# The longest reason simple-history's history_change_reason column holds.
CHANGE_REASON_MAX = 100

_reason: ContextVar[str | None] = ContextVar("change_reason", default=None)


@contextmanager
def change_reason(reason: str) -> Iterator[None]:
    """Records saved or deleted inside the block get ``reason`` unless they carry their own."""
    token = _reason.set(reason[:CHANGE_REASON_MAX])
    try:
        yield
    finally:
        _reason.reset(token)


class History(HistoricalRecords):
    """simple-history's HistoricalRecords, taking the reason of the enclosing ``change_reason``."""

    def get_change_reason_for_object(self, instance, history_type, using):
        return utils.get_change_reason_from_object(instance) or _reason.get()


# Bookkeeping every save changes: not a change an analyst made.
UNTRACKED = {"updated_at", "version"}


def _natural_keys(model, pks: set) -> dict:
    """Each record's natural key as one string (PRK, artillery-shells): one query per model."""
    names = {field.name for field in model._meta.fields}
    key = "iso3" if "iso3" in names else "slug" if "slug" in names else "pk"
    return dict(model._default_manager.filter(pk__in=pks).values_list("pk", key))


def _plain(value):
    """A field's value as JSON carries it: dates as ISO strings."""
    return value.isoformat() if hasattr(value, "isoformat") else value


def history_entries(record) -> list[dict]:
    """``record``'s history, newest first: when, who, why, and which fields changed from what to
    what (references by natural key). A constant number of queries: the entries, then one per
    kind of record that their changed references name."""
    rows = list(record.history.select_related("history_user").order_by("history_date", "history_id"))
    kinds = {"+": "created", "~": "changed", "-": "deleted"}
    entries, changed_references = [], []
    for previous, current in zip([None, *rows], rows, strict=False):
        changes = []
        diff = current.diff_against(previous, excluded_fields=UNTRACKED) if previous is not None else None
        for change in diff.changes if diff else ():
            changes.append({"field": change.field, "old": _plain(change.old), "new": _plain(change.new)})
            field = record._meta.get_field(change.field)
            if field.is_relation:
                changed_references.append((field.related_model, changes[-1]))
        entries.append({
            "date": current.history_date.isoformat(),
            "user": current.history_user.username if current.history_user else None,
            "type": kinds[current.history_type],
            "reason": current.history_change_reason,
            "changes": changes,
        })
    pks: dict = {}
    for model, change in changed_references:
        pks.setdefault(model, set()).update({change["old"], change["new"]} - {None})
    keys = {model: _natural_keys(model, wanted) for model, wanted in pks.items()}
    for model, change in changed_references:
        change["old"] = keys[model].get(change["old"], change["old"])
        change["new"] = keys[model].get(change["new"], change["new"])
    return entries[::-1]
