"""Errors as clear 4xx answers: refused deletions, database rules, and always in JSON."""

from collections import Counter

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError, OperationalError
from django.db.models import ProtectedError, RestrictedError
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler

from transfers.models.base import StaleRecord
from transfers.services.records import VersionMismatch


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with existing records."
    default_code = "conflict"


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The record changed since you read it; reload it and apply the change again."
    default_code = "precondition_failed"


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "too_large"


class QueryTimeout(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = (
        "The query ran longer than the server allows and was stopped. Narrow it (more filters, longer or "
        "rarer search words) and try again."
    )
    default_code = "query_timeout"


QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE for a statement stopped by statement_timeout


def _refused_deletion(exc: ProtectedError | RestrictedError) -> dict:
    objects = exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
    counts = Counter(obj._meta.model for obj in objects)
    dependents = dict(sorted((str(model._meta.verbose_name_plural), n) for model, n in counts.items()))
    listed = ", ".join(
        f"{n} {model._meta.verbose_name if n == 1 else model._meta.verbose_name_plural}"
        for model, n in sorted(counts.items(), key=lambda item: str(item[0]._meta.verbose_name_plural))
    )
    return {
        "detail": f"Cannot delete this record: other records depend on it ({listed}). "
        "Delete or change them first.",
        "dependents": dependents,
    }


def api_exception_handler(exc, context):
    """DRF's handler, plus: refused deletions and database rule violations as 4xx, and JSON always.

    - PROTECT/RESTRICT on delete -> 409 naming what depends on the record.
    - A Django ValidationError (model rules, the quote check in signals) -> 400 with its messages.
    - A write based on an old version (``If-Match``, or a concurrent write of the same version) -> 412.
    - An IntegrityError (a rule only the database saw) -> 409; a DataError (a value the database
      cannot store) -> 400.
    - A statement stopped by the web statement timeout (settings.WEB_STATEMENT_TIMEOUT_MS) -> 503.
    """
    data = None
    if isinstance(exc, ProtectedError | RestrictedError):
        data = _refused_deletion(exc)
        exc = Conflict(data["detail"])
    elif isinstance(exc, DjangoValidationError):
        # A nested record's error keeps its position in the list (``api_detail``, set by the services).
        exc = ValidationError(getattr(exc, "api_detail", None) or as_serializer_error(exc))
    elif isinstance(exc, VersionMismatch | StaleRecord):
        record = exc.record
        data = {"detail": str(exc), "version": record.version}
        exc = PreconditionFailed(data["detail"])
    elif isinstance(exc, IntegrityError):
        exc = Conflict(f"The change breaks a database rule: {str(exc).splitlines()[0][:300]}")
    elif isinstance(exc, DataError):
        exc = ValidationError({"detail": ["A value cannot be stored (too long, out of range or malformed)."]})
    elif isinstance(exc, OperationalError) and getattr(exc.__cause__, "pgcode", None) == QUERY_CANCELED:
        exc = QueryTimeout()
    response = exception_handler(exc, context)
    if response is None:
        return None
    if data is not None:
        response.data = data
    request = context.get("request")
    if request is not None and getattr(request, "accepted_renderer", None) is not None:
        # Errors are JSON even when the client asked for CSV: a CSV of an error dict helps nobody.
        if request.accepted_renderer.format == "csv":
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), "application/json"
    return response
