"""OpenAPI documentation beyond what drf-spectacular infers: error answers, CSV and ``format``."""

from drf_spectacular.authentication import SessionScheme, TokenScheme
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

JSON = ["application/json"]


class GuardedSessionScheme(SessionScheme):
    """Documents transfers.api.authentication.SessionAuthentication as DRF's (cookieAuth)."""

    target_class = "transfers.api.authentication.SessionAuthentication"


class GuardedTokenScheme(TokenScheme):
    """Documents transfers.api.authentication.TokenAuthentication as DRF's (tokenAuth)."""

    target_class = "transfers.api.authentication.TokenAuthentication"


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in words.")


class ConflictSerializer(ErrorSerializer):
    dependents = serializers.DictField(
        child=serializers.IntegerField(), required=False,
        help_text="For a refused deletion: how many records of each kind depend on this one.",
    )


VALIDATION_ERROR = {
    "type": "object",
    "description": "Errors by parameter or field name, each a list of messages (nested for nested input); "
    "or `detail` for a malformed request.",
    "additionalProperties": {},
    "example": {"supplier": ["Unknown state code(s): XXX."]},
}

# POST /transfers/{key}/claims/ and /events/: writes to one record, with a body.
ADDITIONS = {"add_claims", "add_events"}
WRITES = {"create", "update", "partial_update", "destroy", *ADDITIONS}
ONE_RECORD = {"retrieve", "update", "partial_update", "destroy", "history", *ADDITIONS}


class TrackerAutoSchema(AutoSchema):
    """Every operation documents the errors it can answer with, all in JSON."""

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        action = getattr(self.view, "action", None)
        key = getattr(self.view, "lookup_field", "pk")
        if action in ONE_RECORD and key != "pk":
            parameters = [
                *parameters,
                OpenApiParameter(
                    key, str, OpenApiParameter.PATH, pattern=f"^{self.view.lookup_pattern}$",
                    description=f"The record's {key}.",
                ),
            ]
        if action == "retrieve":
            parameters = [*parameters, OpenApiParameter(
                "If-None-Match", str, OpenApiParameter.HEADER,
                description="The ETag of the copy you hold: 304 Not Modified if the record has not changed.",
            )]
        if action in {"update", "partial_update", "destroy"}:
            parameters = [*parameters, OpenApiParameter(
                "If-Match", str, OpenApiParameter.HEADER,
                description='The ETag the record was read with (e.g. "3"): the write is refused with 412 if the '
                "record changed since. A PATCH writes only the fields it names either way.",
            )]
        if action == "list" and getattr(self.view, "conditional_lists", False):
            parameters = [*parameters, OpenApiParameter(
                "If-None-Match", str, OpenApiParameter.HEADER,
                description="The ETag of the page you hold: 304 Not Modified if it has not changed.",
            ), OpenApiParameter(
                "If-Modified-Since", str, OpenApiParameter.HEADER,
                description="An HTTP date: 304 Not Modified if no record on the page changed since (without "
                "If-None-Match only; a deletion or a row moving between pages is not seen: prefer the ETag).",
            )]
        if action == "list":
            parameters = [
                *parameters,
                OpenApiParameter(
                    "format", str, OpenApiParameter.QUERY, enum=["json", "csv"],
                    description="`csv`: every row matching the filters (not one page) as CSV with a header row; "
                    "lists are joined with `;`.",
                ),
            ]
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        action = getattr(self.view, "action", None)

        def add(code: str, body, description: str):
            response = self._get_response_for_code(body, code, media_types=JSON, direction=direction)
            response["description"] = description
            responses.setdefault(code, response)

        if action in {"list", "retrieve", "create", "update", "partial_update", *ADDITIONS}:
            add("400", VALIDATION_ERROR, "Invalid parameters or input; each message names its field.")
        add("401", ErrorSerializer, "Credentials were given but are not valid, or are needed for this.")
        if action in WRITES:
            add("403", ErrorSerializer, "Not allowed: needs a user with the model permission.")
        if action in ONE_RECORD or action == "list":
            add("404", ErrorSerializer, "No such record (or unknown format).")
        if action in WRITES:
            add("409", ConflictSerializer, "Conflicts with other records, e.g. a deletion others depend on.")
        if action in {"create", "update", "partial_update", *ADDITIONS}:
            add("413", ErrorSerializer, "The request body is too large.")
            add("415", ErrorSerializer, "Unsupported content type: send application/json.")
        if action in {"update", "partial_update", "destroy"}:
            add("412", ErrorSerializer, "The record changed since the version If-Match names; reload it and apply "
                "the change again.")
        if action == "retrieve":
            add("304", None, "Not modified: the record still has the ETag If-None-Match names.")
        if action == "list" and getattr(self.view, "conditional_lists", False):
            add("304", None, "Not modified: the page still has the ETag If-None-Match names (or nothing on it "
                "changed since If-Modified-Since).")
        add("429", ErrorSerializer, "Too many requests: slow down (see the Retry-After header).")
        add("503", ErrorSerializer, "The query ran longer than the server allows (WEB_STATEMENT_TIMEOUT_MS) and "
            "was stopped: narrow it and try again.")
        return responses


def csv_as_text(result, generator, request, public):
    """Postprocessing hook: a CSV answer is text, not the JSON shape drf-spectacular copies onto it."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for response in operation.get("responses", {}).values():
                content = response.get("content", {})
                if "text/csv" in content:
                    content["text/csv"] = {"schema": {"type": "string", "description": "CSV with a header row."}}
    return result
