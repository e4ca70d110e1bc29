"""Django's ``loaddata``, with errors that name the record and the field at fault.

Stock ``loaddata`` reports a fixture record by its primary key, which natural-key fixtures leave
out ("Could not load transfers.Transfer(pk=None): NOT NULL constraint failed ..."), and turns a
reference to a record that does not exist into a NOT NULL failure that names neither the field's
value nor the missing record. This subclass only rewords: it loads exactly what Django loads, in
Django's single transaction, so a failing fixture still leaves nothing behind.
"""

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.management.base import CommandError
from django.core.management.commands import loaddata
from django.core.serializers.base import DeserializationError, deserialize_fk_value
from django.db import DatabaseError


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
    help = loaddata.Command.help + " Errors name the record (model and natural key) and the field."

    def handle(self, *fixture_labels, **options):
        try:
            super().handle(*fixture_labels, **options)
        except (FixtureError, DeserializationError, DatabaseError, ValidationError, ValueError) as error:
            # One line for the analyst, not a traceback; the transaction has already rolled back.
            message = validation_messages(error) if isinstance(error, ValidationError) else str(error)
            raise CommandError(f"{message.rstrip('.')}. Nothing was loaded.") from error

    def save_obj(self, obj):
        for field, value in obj.deferred_fields.items():
            # Django defers a reference it cannot resolve yet; a required one would then be saved
            # as NULL and fail without saying which record is missing.
            if not field.many_to_many and not field.null:
                raise FixtureError(missing_reference(obj.object, field, value))
        try:
            saved = super().save_obj(obj)
        except ValidationError as error:
            raise FixtureError(f"Could not load {with_source(obj.object)}: {validation_messages(error)}") from error
        except (DatabaseError, ValueError) as error:
            error.args = (str(error).replace(f"{obj.object._meta.label}(pk={obj.object.pk})", describe(obj.object)),)
            raise
        if self.objs_with_deferred_fields and self.objs_with_deferred_fields[-1] is obj:
            self.objs_with_deferred_fields[-1] = _DeferredRecord(obj)
        return saved
