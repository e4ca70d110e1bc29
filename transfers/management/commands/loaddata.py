"""Django's ``loaddata``, strict: every record passes every rule, and every write leaves history.

Stock ``loaddata`` saves raw: no ``full_clean()``, no history, a record naming an existing natural
key with a few fields blanks all the others, two records with one key merge silently. This
subclass, in Django's single transaction (a bad file still loads nothing):

- refuses a record of an existing natural key that leaves out fields whose stored value it would
  blank (naming them), two records with one key in a load, and a claim slug reused for another
  transfer;
- once every record is in (records may point forward), validates each by the same rules as every
  other write path (``full_clean()``: transfers.rules through the models' ``clean()``);
- writes a history entry for every record it creates or changes, with the file as the reason;
  unchanged records keep their version, changed ones move it on;
- names the record (model and natural key) and the field in every error.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.management.base import CommandError
from django.core.management.commands import loaddata
from django.core.serializers.base import DeserializationError, deserialize_fk_value
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from transfers import readmodel
from transfers.history import CHANGE_REASON_MAX
from transfers.models import Claim

# Bookkeeping a fixture need not carry: left out, it never blanks anything.
BOOKKEEPING = {"created_at", "updated_at", "version", "category"}


class FixtureError(Exception):
    """A fixture record that cannot be loaded, described by model, natural key and field."""


def describe(instance) -> str:
    """``transfers.Claim 'prk-shells-white-house'``: the record as an analyst wrote it."""
    label = instance._meta.label
    try:
        key = instance.natural_key()
    except (AttributeError, ObjectDoesNotExist):
        # A natural key built from a relation that is itself missing (e.g. an event's transfer).
        key = None
    if key is None:
        return f"{label}(pk={instance.pk})"
    return f"{label} {' / '.join(map(str, key))!r}" if len(key) > 1 else f"{label} {key[0]!r}"


def missing_reference(instance, field, value) -> str:
    target = field.remote_field.model._meta.label
    return (
        f"{describe(instance)}: field '{field.name}' refers to {target} {value!r}, which is neither in the "
        f"database nor in the fixtures loaded so far"
    )


def with_source(instance) -> str:
    """The record, and the source its quote must stand in (signals name the source by id only)."""
    source = getattr(instance, "source", None) if getattr(instance, "source_id", None) else None
    return f"{describe(instance)} (source {source.slug!r})" if source is not None else describe(instance)


def validation_messages(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(f"field '{field}': {' '.join(msgs)}" for field, msgs in error.message_dict.items())
    return " ".join(error.messages)


class _DeferredRecord:
    """A record whose nullable reference pointed forward; checked again once every fixture is in."""

    def __init__(self, deserialized):
        self.deserialized = deserialized

    def save_deferred_fields(self, using=None):
        for field, value in self.deserialized.deferred_fields.items():
            if field.many_to_many:
                continue
            try:
                deserialize_fk_value(field, value, using, handle_forward_references=False)
            except ObjectDoesNotExist:
                raise FixtureError(missing_reference(self.deserialized.object, field, value)) from None
        try:
            self.deserialized.save_deferred_fields(using=using)
        except ValidationError as error:
            raise FixtureError(f"Could not load {with_source(self.deserialized.object)}: "
                               f"{validation_messages(error)}") from error


class Command(loaddata.Command):
    help = loaddata.Command.help + (
        " Strict: every record is validated like any other write, a partial record of an existing key, two "
        "records with one key and a claim moved to another transfer are refused, and every record created or "
        "changed gets a history entry with the file as its reason. Errors name the record and the field."
    )

    def handle(self, *fixture_labels, **options):
        try:
            super().handle(*fixture_labels, **options)
        except (FixtureError, DeserializationError, DatabaseError, ValidationError, ValueError) as error:
            # One line for the analyst, not a traceback; the transaction has already rolled back.
            message = validation_messages(error) if isinstance(error, ValidationError) else str(error)
            raise CommandError(f"{message.rstrip('.')}. Nothing was loaded.") from error

    def loaddata(self, fixture_labels):
        self.seen_keys: dict[tuple, str] = {}
        self.written: list[tuple] = []  # (instance, "+" or "~", file) for the history written at the end
        with readmodel.batched(self.using):  # each transfer's record built once, when all is loaded
            super().loaddata(fixture_labels)
            self.validate_and_record()

    def save_obj(self, obj):
        for field, value in obj.deferred_fields.items():
            # Django defers a reference it cannot resolve yet; a required one would then be saved
            # as NULL and fail without saying which record is missing.
            if not field.many_to_many and not field.null:
                raise FixtureError(missing_reference(obj.object, field, value))
        instance = obj.object
        if isinstance(instance, get_user_model()) and instance.pk is not None:
            return False  # a load names users (export_curated) but never changes one that exists
        key = (instance._meta.label, self._key(instance))
        if key in self.seen_keys:
            raise FixtureError(f"{describe(instance)} appears twice in this load (also in {self.seen_keys[key]}); "
                               "one record per key")
        file = Path(getattr(obj, "fixture_file", "") or "fixture").name
        self.seen_keys[key] = file
        stored = type(instance)._base_manager.filter(pk=instance.pk).first() if instance.pk is not None else None
        if stored is not None:
            self._check_complete(obj, stored)
            if isinstance(instance, Claim) and instance.transfer_id != stored.transfer_id:
                raise FixtureError(f"{describe(instance)}: a claim with this slug already belongs to transfer "
                                   f"'{stored.transfer.slug}'; give the new claim a slug of its own")
        changed = stored is None or self._differs(instance, stored)
        if hasattr(instance, "version"):
            instance.version = 1 if stored is None else stored.version + (1 if changed else 0)
        try:
            # A savepoint per record: when the database refuses one, the rules can still be asked why.
            with transaction.atomic(using=self.using):
                saved = super().save_obj(obj)
        except ValidationError as error:
            raise FixtureError(f"Could not load {with_source(obj.object)}: {validation_messages(error)}") from error
        except IntegrityError as error:
            self._explain(obj.object)
            error.args = (str(error).replace(f"{obj.object._meta.label}(pk={obj.object.pk})", describe(obj.object)),)
            raise
        except (DatabaseError, ValueError) as error:
            error.args = (str(error).replace(f"{obj.object._meta.label}(pk={obj.object.pk})", describe(obj.object)),)
            raise
        if self.objs_with_deferred_fields and self.objs_with_deferred_fields[-1] is obj:
            self.objs_with_deferred_fields[-1] = _DeferredRecord(obj)
        self.written.append((instance, "+" if stored is None else "~" if changed else "", file))
        return saved

    @staticmethod
    def _explain(instance):
        """The rule's own message for a record the database refused (a CHECK constraint), if a rule says why."""
        try:
            instance.full_clean(validate_unique=False)
        except ValidationError as error:
            raise FixtureError(f"Could not load {with_source(instance)}: {validation_messages(error)}") from None
        except ObjectDoesNotExist:
            pass

    @staticmethod
    def _key(instance):
        try:
            return tuple(instance.natural_key())
        except (AttributeError, ObjectDoesNotExist):
            return ("pk", instance.pk)

    @staticmethod
    def _data_fields(instance):
        return [f for f in instance._meta.concrete_fields if not f.primary_key and f.name not in BOOKKEEPING]

    def _check_complete(self, obj, stored):
        named = getattr(obj, "named_fields", None)
        if named is None:
            return
        blanked = [
            field.name for field in self._data_fields(obj.object)
            if field.name not in named and field.value_from_object(stored) != field.value_from_object(obj.object)
        ]
        if blanked:
            raise FixtureError(
                f"{describe(obj.object)} already exists and this record leaves out {', '.join(blanked)}, which "
                "loading it would blank; give every field (dumpdata's output does)"
            )

    def _differs(self, instance, stored) -> bool:
        return any(f.value_from_object(instance) != f.value_from_object(stored) for f in self._data_fields(instance))

    def validate_and_record(self):
        """Every loaded record by every rule, then one history entry for each one created or changed."""
        for instance, _, _ in self.written:
            fresh = type(instance)._base_manager.get(pk=instance.pk)
            try:
                fresh.full_clean()
            except ValidationError as error:
                raise FixtureError(f"Could not load {with_source(fresh)}: {validation_messages(error)}") from error
        now = timezone.now()
        by_model: dict[type, list] = {}
        for instance, history_type, file in self.written:
            manager = getattr(type(instance), "history", None)
            if not history_type or manager is None:
                continue
            history = manager.model
            fresh = type(instance)._base_manager.get(pk=instance.pk)
            values = {f.attname: getattr(fresh, f.attname) for f in history.tracked_fields}
            by_model.setdefault(history, []).append(history(
                **values, history_date=now, history_type=history_type, history_user=None,
                history_change_reason=f"loaddata {file}"[:CHANGE_REASON_MAX],
            ))
        for history, rows in by_model.items():
            history.objects.using(self.using).bulk_create(rows)
