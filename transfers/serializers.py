"""The API's shapes. Output and input serializers are separate where their shapes differ.

References are written and read by natural key: States by ISO3 code, everything else by slug.
"""

from collections.abc import Mapping

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .choices import Credibility, DatePrecision, PlaceKind, Stance, TransferStatus
from .history import CHANGE_REASON_MAX
from .models import (
    Actor,
    Claim,
    Materiel,
    Place,
    SanctionDesignation,
    Source,
    State,
    Transfer,
    TransferEvent,
)
from .quotes import quote_in_text

MAX_QUOTE_LENGTH = 20_000
MAX_TEXT_LENGTH = 100_000
MAX_SOURCE_TEXT_LENGTH = 5_000_000
BIGINT_MAX = 2**63 - 1


class StrictInputMixin:
    """Input that names what is wrong with it.

    A body field the serializer does not know answers 400 naming it (a typo must not be dropped
    silently); a vocabulary value that is not allowed lists the allowed ones. Fields the record
    shows but a client cannot write (``ignored_fields``, and the serializer's read-only fields) are
    taken and ignored, so that a PUT built from a GET still works. The top-level body may carry
    ``change_reason``, which the view keeps in the history (see transfers.history).
    """

    ignored_fields: tuple[str, ...] = ()

    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            # (A related field has choices too, read from the database: only vocabularies here.)
            if isinstance(field, serializers.ChoiceField) and field.choices:
                allowed = ", ".join(str(value) for value in field.choices)
                field.error_messages["invalid_choice"] = f'"{{input}}" is not a valid choice. Allowed: {allowed}.'
        if self.root is self:
            fields["change_reason"] = serializers.CharField(
                write_only=True, required=False, allow_blank=True, max_length=CHANGE_REASON_MAX,
                help_text="Why this change is made: kept in the record's history (or send X-Change-Reason).",
            )
        return fields

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            known = {*self.fields, *self.ignored_fields}
            unknown = [str(name)[:100] for name in data if name not in known]
            if unknown:
                accepted = ", ".join(name for name, field in self.fields.items() if not field.read_only)
                raise serializers.ValidationError(
                    {name: [f"Unknown field. Accepted: {accepted}."] for name in unknown[:20]}
                )
        value = super().to_internal_value(data)
        value.pop("change_reason", None)  # the view's: it goes to the history, not the record
        return value


class NaturalKeyField(serializers.SlugRelatedField):
    """A reference written as its natural key; anything but a plausible key string is refused up front.

    Checking the type and length first keeps lists, objects, NUL bytes and megabyte strings away
    from the database, which would otherwise answer with an error of its own.
    """

    default_error_messages = {
        "does_not_exist": "Unknown {slug_name} '{value}'.",
        "invalid": "Expected a {slug_name} string.",
    }

    def __init__(self, *, max_key_length: int = 120, **kwargs):
        self.max_key_length = max_key_length
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str) or not data or "\x00" in data or len(data) > self.max_key_length:
            self.fail("invalid", slug_name=self.slug_field)
        if self.slug_field == "iso3":
            data = data.upper()
        try:
            return self.get_queryset().get(**{self.slug_field: data})
        except self.get_queryset().model.DoesNotExist:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data[:120])


def state_key(**kwargs) -> NaturalKeyField:
    return NaturalKeyField(slug_field="iso3", queryset=State.objects.all(), max_key_length=3, **kwargs)


def slug_key(model, **kwargs) -> NaturalKeyField:
    return NaturalKeyField(slug_field="slug", queryset=kwargs.pop("queryset", model.objects.all()), **kwargs)


class AliasesField(serializers.ListField):
    def __init__(self, **kwargs):
        super().__init__(child=serializers.CharField(max_length=200), required=False, max_length=200, **kwargs)


# --- reference data ---------------------------------------------------------------------------


class SanctionSerializer(serializers.ModelSerializer):
    regime = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    regime_name = serializers.CharField(source="regime.name", read_only=True)
    source = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = SanctionDesignation
        fields = ["slug", "regime", "regime_name", "since", "until", "source", "credibility"]
        read_only_fields = fields


class StateSerializer(StrictInputMixin, serializers.ModelSerializer):
    iso3 = serializers.RegexField(
        r"^[A-Z]{3}$", max_length=3, help_text="ISO 3166-1 alpha-3 code, upper case (e.g. PRK).",
        error_messages={"invalid": "Three upper-case letters (ISO 3166-1 alpha-3)."},
    )
    aliases = AliasesField()
    region = serializers.CharField(read_only=True, help_text="UN M49 region of the sub-region.")
    sanctions = SanctionSerializer(many=True, read_only=True, help_text="Sanctions designations naming the State.")
    sanctioned = serializers.SerializerMethodField(help_text="Whether any sanctions designation names the State.")

    class Meta:
        model = State
        fields = ["iso3", "name", "aliases", "subregion", "region", "sanctioned", "sanctions"]
        extra_kwargs = {"name": {"max_length": 200}}

    def get_sanctioned(self, state) -> bool:
        return bool(state.sanctions.all())

    def validate_iso3(self, value):
        existing = State.objects.filter(iso3=value)
        if self.instance is not None:
            existing = existing.exclude(pk=self.instance.pk)
        if existing.exists():
            raise serializers.ValidationError(f"A State with ISO3 code {value} already exists.")
        return value


class QuotedSerializerMixin:
    """A record that may quote a source: the quote must stand in that source's text."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        source = attrs.get("source", getattr(self.instance, "source", None))
        quote = attrs.get("quote", getattr(self.instance, "quote", ""))
        if quote and source is None:
            raise serializers.ValidationError({"source": ["A quote needs the source it comes from."]})
        if quote and not quote_in_text(quote, source.text):
            raise serializers.ValidationError(
                {"quote": [f"The quote is not found in the text of source '{source.slug}'."]}
            )
        return attrs


class ActorSerializer(StrictInputMixin, QuotedSerializerMixin, serializers.ModelSerializer):
    state = state_key(allow_null=True, required=False, help_text="ISO3 code of the actor's State, or null.")
    part_of = slug_key(Actor, allow_null=True, required=False, help_text="Slug of the organisation it belongs to.")
    source = slug_key(Source, allow_null=True, required=False, help_text="Slug of the source of the description.")
    quote = serializers.CharField(max_length=MAX_QUOTE_LENGTH, allow_blank=True, required=False)
    aliases = AliasesField()

    class Meta:
        model = Actor
        fields = ["slug", "name", "kind", "state", "aliases", "part_of", "description", "source", "quote"]
        extra_kwargs = {"description": {"max_length": MAX_TEXT_LENGTH}}


class MaterielSerializer(StrictInputMixin, serializers.ModelSerializer):
    aliases = AliasesField()
    kind_of = slug_key(
        Materiel, allow_null=True, required=False, help_text="Slug of the broader materiel this is a kind of."
    )

    class Meta:
        model = Materiel
        fields = [
            "slug", "name", "designation", "aliases", "kind_of", "category", "un_register_category", "description",
        ]
        extra_kwargs = {"description": {"max_length": MAX_TEXT_LENGTH}, "designation": {"max_length": 200}}


@extend_schema_field({"type": "string", "maxLength": 1000, "description": "Where the source was published, or empty."})
class BlankableURLField(serializers.CharField):
    """A URL or the empty string (an OpenAPI `uri` format would refuse the empty string).

    The URL check runs in ``to_internal_value`` rather than as a field validator, which the schema
    generator would turn into ``format: uri``.
    """

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value:
            try:
                URLValidator()(value)
            except DjangoValidationError:
                raise serializers.ValidationError("Enter a valid URL.") from None
        return value


class SourceSerializer(StrictInputMixin, serializers.ModelSerializer):
    """A source as lists show it: everything but the stored text."""

    authors = AliasesField()
    url = BlankableURLField(max_length=1000, allow_blank=True, required=False)

    class Meta:
        model = Source
        fields = ["slug", "title", "publisher", "authors", "published", "url", "kind", "reliability"]


class SourceDetailSerializer(SourceSerializer):
    """A source with its full stored text, which every claim's quote is checked against."""

    text = serializers.CharField(max_length=MAX_SOURCE_TEXT_LENGTH, trim_whitespace=False)
    note = serializers.CharField(max_length=MAX_TEXT_LENGTH, allow_blank=True, required=False)

    class Meta(SourceSerializer.Meta):
        fields = [*SourceSerializer.Meta.fields, "text", "note"]

    def validate_text(self, value):
        if self.instance is None:
            return value
        # Changing the text must not strand a quote that rests on it (claims, designations, actors, places).
        stranded = self.instance.stranded_quotes(value)
        if stranded:
            raise serializers.ValidationError(
                f"The new text no longer contains the quotes of: {', '.join(stranded[:20])}."
            )
        return value


# --- transfers: output ------------------------------------------------------------------------


class ClaimSerializer(serializers.ModelSerializer):
    source = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    claimant = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

    class Meta:
        model = Claim
        fields = ["slug", "source", "quote", "stance", "claimant", "credibility", "note"]
        read_only_fields = fields


class ClaimListSerializer(serializers.ModelSerializer):
    """A claim on its own (/api/v1/claims/): what a transfer's claims show, with the transfer it is
    about and names beside codes, so that a spreadsheet keeps who said what, how surely, and where."""

    transfer = serializers.SlugRelatedField(slug_field="slug", read_only=True, help_text="The transfer's slug.")
    source = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    source_title = serializers.CharField(source="source.title", read_only=True)
    source_publisher = serializers.CharField(source="source.publisher", read_only=True)
    source_published = serializers.DateField(source="source.published", read_only=True, allow_null=True)
    source_reliability = serializers.CharField(
        source="source.reliability", read_only=True, help_text="Admiralty reliability of the source, A to F."
    )
    claimant = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    claimant_name = serializers.CharField(source="claimant.name", read_only=True, allow_null=True)

    class Meta:
        model = Claim
        fields = [
            "slug", "transfer", "source", "source_title", "source_publisher", "source_published",
            "source_reliability", "quote", "stance", "claimant", "claimant_name", "credibility", "note",
        ]
        read_only_fields = fields


class EventSerializer(serializers.ModelSerializer):
    claim = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    date_display = serializers.CharField(read_only=True, help_text="The date to its precision: 2022-09, 2019.")

    class Meta:
        model = TransferEvent
        fields = ["status", "date", "date_precision", "date_display", "claim", "note"]
        read_only_fields = fields


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class RouteField(serializers.Field):
    """The natural keys of a prefetched route, in route order."""

    def __init__(self, *, key: str, **kwargs):
        self.key = key
        super().__init__(read_only=True, **kwargs)

    def get_attribute(self, instance):
        return instance

    def to_representation(self, value):
        relation, attr, field = self.key.split(".")
        return [getattr(getattr(step, attr), field) for step in getattr(value, relation).all()]


class TransferSerializer(serializers.ModelSerializer):
    supplier = serializers.SlugRelatedField(slug_field="iso3", read_only=True)
    supplier_name = serializers.CharField(source="supplier.name", read_only=True)
    recipient = serializers.SlugRelatedField(slug_field="iso3", read_only=True)
    recipient_name = serializers.CharField(source="recipient.name", read_only=True)
    supplier_actor = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    supplier_actor_name = serializers.CharField(source="supplier_actor.name", read_only=True, allow_null=True)
    recipient_actor = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    recipient_actor_name = serializers.CharField(source="recipient_actor.name", read_only=True, allow_null=True)
    materiel = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    materiel_name = serializers.CharField(source="materiel.name", read_only=True)
    category = serializers.CharField(source="materiel.category", read_only=True, help_text="The materiel's category.")
    via = RouteField(key="route.state.iso3", help_text="ISO3 codes of the transit States, in route order.")
    via_regions = RouteField(key="route_regions.place.slug", help_text="Slugs of the named transit regions.")
    destination = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    destination_name = serializers.CharField(source="destination.name", read_only=True, allow_null=True)
    sanctioned = serializers.BooleanField(
        read_only=True, help_text="A supplier, recipient or named actor is under a sanctions designation."
    )
    contested = serializers.BooleanField(read_only=True, help_text="Some claim denies the transfer.")
    reviewed = serializers.BooleanField(source="is_reviewed", read_only=True, help_text="A second user checked it.")
    claims = ClaimSerializer(many=True, read_only=True)
    events = EventSerializer(many=True, read_only=True)

    class Meta:
        model = Transfer
        fields = [
            "id", "slug", "supplier", "supplier_name", "recipient", "recipient_name", "supplier_actor",
            "supplier_actor_name", "recipient_actor", "recipient_actor_name", "materiel", "materiel_name", "category",
            "quantity", "quantity_note", "status", "via", "via_regions", "destination", "destination_name", "covert",
            "first_reported", "description", "sanctioned", "contested", "reviewed", "claims", "events",
        ]
        read_only_fields = fields


# --- transfers: input -------------------------------------------------------------------------


class ClaimWriteSerializer(StrictInputMixin, serializers.Serializer):
    slug = serializers.SlugField(max_length=120, required=False, help_text="Generated when omitted.")
    source = slug_key(Source, help_text="Slug of the source quoted.")
    quote = serializers.CharField(max_length=MAX_QUOTE_LENGTH, help_text="Verbatim passage of the source's text.")
    stance = serializers.ChoiceField(choices=Stance.choices, default=Stance.ASSERTS)
    claimant = slug_key(Actor, allow_null=True, required=False, help_text="Slug of who makes or denies the claim.")
    credibility = serializers.ChoiceField(choices=Credibility.choices, default=Credibility.CANNOT_JUDGE)
    note = serializers.CharField(max_length=MAX_TEXT_LENGTH, allow_blank=True, required=False)

    def validate_slug(self, value):
        if Claim.objects.filter(slug=value).exists():
            raise serializers.ValidationError(f"A claim with slug '{value}' already exists.")
        return value

    def validate(self, attrs):
        if not quote_in_text(attrs["quote"], attrs["source"].text):
            raise serializers.ValidationError(
                {"quote": [f"The quote is not found in the text of source '{attrs['source'].slug}'."]}
            )
        return attrs


class EventWriteSerializer(StrictInputMixin, serializers.Serializer):
    status = serializers.ChoiceField(choices=TransferStatus.choices)
    date = serializers.DateField(help_text="For month or year precision, the first day of the period.")
    date_precision = serializers.ChoiceField(choices=DatePrecision.choices, default=DatePrecision.DAY)
    claim = serializers.SlugField(
        max_length=120, required=False, help_text="Slug of one of this transfer's nested claims it rests on."
    )
    note = serializers.CharField(max_length=MAX_TEXT_LENGTH, allow_blank=True, required=False)

    def validate(self, attrs):
        date, precision = attrs["date"], attrs["date_precision"]
        if precision == DatePrecision.MONTH and date.day != 1:
            raise serializers.ValidationError({"date": ["A month-precision date is the first day of its month."]})
        if precision == DatePrecision.YEAR and (date.month, date.day) != (1, 1):
            raise serializers.ValidationError({"date": ["A year-precision date is 1 January of its year."]})
        return attrs


class TransferWriteSerializer(StrictInputMixin, serializers.Serializer):
    """What a client sends to create or change a transfer. Claims and events only on create."""

    # What a transfer's record shows but a client does not write: accepted in a PUT built from a GET.
    ignored_fields = (
        "id", "supplier_name", "recipient_name", "supplier_actor_name", "recipient_actor_name", "materiel_name",
        "category", "destination_name", "sanctioned", "contested", "reviewed",
    )

    slug = serializers.SlugField(max_length=120, required=False, help_text="Generated when omitted.")
    supplier = state_key(help_text="ISO3 code of the supplying State.")
    recipient = state_key(help_text="ISO3 code of the receiving State.")
    supplier_actor = slug_key(Actor, allow_null=True, required=False)
    recipient_actor = slug_key(Actor, allow_null=True, required=False)
    materiel = slug_key(Materiel)
    quantity = serializers.IntegerField(min_value=0, max_value=BIGINT_MAX, allow_null=True, required=False)
    quantity_note = serializers.CharField(max_length=500, allow_blank=True, required=False)
    status = serializers.ChoiceField(choices=TransferStatus.choices)
    via = state_key(many=True, required=False, help_text="ISO3 codes of transit States, in route order.")
    via_regions = slug_key(
        Place, many=True, required=False, queryset=Place.objects.filter(kind=PlaceKind.REGION),
        help_text="Slugs of named transit regions (places of kind region).",
    )
    destination = slug_key(Place, allow_null=True, required=False)
    covert = serializers.BooleanField(required=False, default=False)
    first_reported = serializers.DateField(allow_null=True, required=False)
    description = serializers.CharField(max_length=MAX_TEXT_LENGTH, allow_blank=True, required=False)
    claims = ClaimWriteSerializer(many=True, required=False, help_text="Claims to create with the transfer.")
    events = EventWriteSerializer(many=True, required=False, help_text="Timeline steps to create with it.")

    def validate_slug(self, value):
        existing = Transfer.objects.filter(slug=value)
        if self.instance is not None:
            existing = existing.exclude(pk=self.instance.pk)
        if existing.exists():
            raise serializers.ValidationError(f"A transfer with slug '{value}' already exists.")
        return value

    def validate_via(self, value):
        if len({state.pk for state in value}) != len(value):
            raise serializers.ValidationError("A State appears twice on the route.")
        return value

    def validate_via_regions(self, value):
        if len({place.pk for place in value}) != len(value):
            raise serializers.ValidationError("A region appears twice on the route.")
        return value

    def validate(self, attrs):
        errors = {}
        if self.instance is not None:
            for nested in ("claims", "events"):
                if nested in attrs:
                    errors[nested] = [f"{nested} are created with a transfer and cannot be changed through it."]
        supplier = attrs.get("supplier", getattr(self.instance, "supplier", None))
        recipient = attrs.get("recipient", getattr(self.instance, "recipient", None))
        if supplier is not None and supplier == recipient:
            errors["recipient"] = ["The supplier and the recipient must be different States."]
        claims, events = attrs.get("claims", []), attrs.get("events", [])
        slugs = [claim["slug"] for claim in claims if "slug" in claim]
        if len(set(slugs)) != len(slugs):
            errors["claims"] = ["Two claims have the same slug."]
        event_errors, seen = [], set()
        for event in events:
            problems = {}
            if "claim" in event and event["claim"] not in slugs:
                problems["claim"] = [f"No nested claim has the slug '{event['claim']}'."]
            if (event["status"], event["date"]) in seen:
                problems["date"] = ["Two events have the same status and date."]
            seen.add((event["status"], event["date"]))
            event_errors.append(problems)
        if any(event_errors):
            errors["events"] = event_errors
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

