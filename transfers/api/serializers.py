"""The API's shapes. Output and input serializers are separate where their shapes differ.

References are written and read by natural key: States by ISO3 code, everything else by slug.
"""

from collections.abc import Mapping

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from transfers.choices import (
    TRANSIT_ROLES,
    Credibility,
    DatePrecision,
    LegRole,
    PartyRole,
    Stance,
    TransferStatus,
    TransportMode,
)
from transfers.history import CHANGE_REASON_MAX
from transfers.models import (
    Actor,
    Claim,
    Materiel,
    Place,
    SanctionDesignation,
    SanctionsRegime,
    Source,
    State,
    Transfer,
    TransferEvent,
)

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



class ActorSerializer(StrictInputMixin, serializers.ModelSerializer):
    state = state_key(allow_null=True, required=False, help_text="ISO3 code of the actor's State, or null.")
    part_of = slug_key(Actor, allow_null=True, required=False, help_text="Slug of the organisation it belongs to.")
    source = slug_key(Source, allow_null=True, required=False, help_text="Slug of the source of the description.")
    quote = serializers.CharField(max_length=MAX_QUOTE_LENGTH, allow_blank=True, required=False)
    aliases = AliasesField()

    class Meta:
        model = Actor
        fields = ["slug", "name", "kind", "state", "aliases", "part_of", "description", "source", "quote"]
        extra_kwargs = {"description": {"max_length": MAX_TEXT_LENGTH}}


class PlaceSerializer(StrictInputMixin, serializers.ModelSerializer):
    state = state_key(allow_null=True, required=False, help_text="ISO3 code of the State whose territory it is.")
    controlled_by = slug_key(Actor, allow_null=True, required=False, help_text="Slug of who controls it.")
    source = slug_key(Source, allow_null=True, required=False, help_text="Slug of the source of the description.")
    quote = serializers.CharField(max_length=MAX_QUOTE_LENGTH, allow_blank=True, required=False)

    class Meta:
        model = Place
        fields = ["slug", "name", "kind", "state", "controlled_by", "description", "source", "quote"]
        extra_kwargs = {"description": {"max_length": MAX_TEXT_LENGTH}}


class DesignationSerializer(serializers.ModelSerializer):
    state = serializers.SlugRelatedField(slug_field="iso3", read_only=True, allow_null=True)
    actor = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    source = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = SanctionDesignation
        fields = ["slug", "state", "actor", "since", "until", "source", "quote", "credibility", "note"]
        read_only_fields = fields


class SanctionsRegimeSerializer(serializers.ModelSerializer):
    imposed_by = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    designations = DesignationSerializer(many=True, read_only=True)

    class Meta:
        model = SanctionsRegime
        fields = ["slug", "name", "kind", "imposed_by", "description", "designations"]
        read_only_fields = fields


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


# --- transfers: output ------------------------------------------------------------------------


class ClaimSerializer(serializers.ModelSerializer):
    source = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    claimant = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

    class Meta:
        model = Claim
        fields = [
            "slug", "source", "quote", "stance", "claimant", "credibility", "note", "quantity", "quantity_low",
            "quantity_high",
        ]
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
        fields = ["status", "date", "date_to", "date_precision", "date_display", "quantity", "claim", "note"]
        read_only_fields = fields


class EventListSerializer(EventSerializer):
    """A timeline step with the transfer it belongs to, for /api/v1/events/."""

    transfer = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta(EventSerializer.Meta):
        fields = ["id", "transfer", *EventSerializer.Meta.fields]
        read_only_fields = fields


class LegSerializer(serializers.Serializer):
    seq = serializers.IntegerField(read_only=True)
    state = serializers.CharField(read_only=True, allow_null=True, help_text="ISO3 code, or null.")
    place = serializers.CharField(read_only=True, allow_null=True, help_text="Place slug, or null.")
    role = serializers.ChoiceField(choices=LegRole.choices, read_only=True)
    mode = serializers.ChoiceField(choices=TransportMode.choices, read_only=True)
    claim = serializers.CharField(read_only=True, allow_null=True)


class PartySerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=PartyRole.choices, read_only=True)
    actor = serializers.CharField(read_only=True, allow_null=True)
    state = serializers.CharField(read_only=True, allow_null=True)
    claim = serializers.CharField(read_only=True, allow_null=True)


class ValueSerializer(serializers.Serializer):
    amount = serializers.IntegerField(read_only=True)
    currency = serializers.CharField(read_only=True)
    year = serializers.IntegerField(read_only=True, allow_null=True)
    claim = serializers.CharField(read_only=True, allow_null=True)


class BreachSerializer(serializers.Serializer):
    regime = serializers.CharField(read_only=True)
    claim = serializers.CharField(read_only=True, allow_null=True)


class DeliverySerializer(serializers.Serializer):
    year = serializers.IntegerField(read_only=True)
    quantity = serializers.IntegerField(read_only=True)


class TransferSerializer(serializers.ModelSerializer):
    """A transfer as the API shows it. Documents the shape; reads are built by
    ``transfers.readmodel.documents`` (tests/test_api_transfers.py pins that they agree)."""

    supplier = serializers.CharField(read_only=True, allow_null=True, help_text="ISO3 code; null = unknown.")
    supplier_name = serializers.CharField(read_only=True, allow_null=True)
    recipient = serializers.CharField(read_only=True, allow_null=True, help_text="ISO3 code; null = unknown.")
    recipient_name = serializers.CharField(read_only=True, allow_null=True)
    supplier_actor = serializers.CharField(read_only=True, allow_null=True)
    supplier_actor_name = serializers.CharField(read_only=True, allow_null=True)
    recipient_actor = serializers.CharField(read_only=True, allow_null=True)
    recipient_actor_name = serializers.CharField(read_only=True, allow_null=True)
    materiel = serializers.CharField(read_only=True)
    materiel_name = serializers.CharField(read_only=True)
    category = serializers.CharField(read_only=True, help_text="The materiel's category.")
    quantity_ordered = serializers.IntegerField(read_only=True, allow_null=True, help_text="Items ordered.")
    deliveries = DeliverySerializer(many=True, read_only=True, help_text="Items delivered per year, from the timeline.")
    route = LegSerializer(many=True, read_only=True, help_text="The route's ordered legs.")
    via = serializers.ListField(child=serializers.CharField(), read_only=True,
                                help_text="ISO3 codes of the route's transit States, in route order.")
    via_regions = serializers.ListField(child=serializers.CharField(), read_only=True,
                                        help_text="Slugs of the route's transit places, in route order.")
    destination = serializers.CharField(read_only=True, allow_null=True)
    destination_name = serializers.CharField(read_only=True, allow_null=True)
    parties = PartySerializer(many=True, read_only=True, help_text="Brokers, shippers, manufacturers...")
    value = ValueSerializer(read_only=True, allow_null=True, help_text="The deal's value, or null.")
    breaches = BreachSerializer(many=True, read_only=True, help_text="Sanctions regimes it allegedly breaches.")
    sanctioned = serializers.BooleanField(
        read_only=True, help_text="A party is under a designation in force on the transfer's earliest dated step "
        "(else its first_reported date)."
    )
    contested = serializers.BooleanField(
        read_only=True, help_text="A claim denies or disputes it, or claims assert quantities that disagree."
    )
    reviewed = serializers.BooleanField(read_only=True, help_text="A second user checked it.")
    claims = ClaimSerializer(many=True, read_only=True)
    events = EventSerializer(many=True, read_only=True)

    class Meta:
        model = Transfer
        fields = [
            "id", "slug", "supplier", "supplier_name", "recipient", "recipient_name", "supplier_actor",
            "supplier_actor_name", "recipient_actor", "recipient_actor_name", "materiel", "materiel_name", "category",
            "quantity", "quantity_ordered", "quantity_delivered", "quantity_low", "quantity_high",
            "quantity_estimated", "quantity_note", "deliveries", "status", "route", "via", "via_regions",
            "destination", "destination_name", "parties", "value", "breaches", "covert", "first_reported",
            "description", "sanctioned", "contested", "reviewed", "claims", "events",
        ]
        read_only_fields = fields


# --- transfers: input -------------------------------------------------------------------------


QUANTITY = {"min_value": 0, "max_value": BIGINT_MAX, "allow_null": True, "required": False}


class ClaimWriteSerializer(StrictInputMixin, serializers.Serializer):
    slug = serializers.SlugField(max_length=120, required=False, help_text="Generated when omitted.")
    source = slug_key(Source, help_text="Slug of the source quoted.")
    quote = serializers.CharField(max_length=MAX_QUOTE_LENGTH, help_text="Verbatim passage of the source's text.")
    stance = serializers.ChoiceField(choices=Stance.choices, default=Stance.ASSERTS)
    claimant = slug_key(Actor, allow_null=True, required=False, help_text="Slug of who makes or denies the claim.")
    credibility = serializers.ChoiceField(choices=Credibility.choices, default=Credibility.CANNOT_JUDGE)
    note = serializers.CharField(max_length=MAX_TEXT_LENGTH, allow_blank=True, required=False)
    quantity = serializers.IntegerField(**QUANTITY, help_text="The number of items the claim asserts.")
    quantity_low = serializers.IntegerField(**QUANTITY, help_text="Lower bound of the number it asserts.")
    quantity_high = serializers.IntegerField(**QUANTITY, help_text="Upper bound of the number it asserts.")


class EventWriteSerializer(StrictInputMixin, serializers.Serializer):
    """A timeline step. Its rules (dates to their precision, a range in order) are the model's."""

    status = serializers.ChoiceField(choices=TransferStatus.choices)
    date = serializers.DateField(help_text="For month or year precision, the first day of the period.")
    date_to = serializers.DateField(
        allow_null=True, required=False, help_text="End of a range, at the same precision (optional)."
    )
    date_precision = serializers.ChoiceField(choices=DatePrecision.choices, default=DatePrecision.DAY)
    quantity = serializers.IntegerField(**QUANTITY, help_text="Items this step concerns (e.g. delivered).")
    claim = serializers.SlugField(
        max_length=120, required=False, allow_null=True,
        help_text="Slug of the claim it rests on: one sent in the same request, or one the transfer has.",
    )
    note = serializers.CharField(max_length=MAX_TEXT_LENGTH, allow_blank=True, required=False)


def claim_slug(**kwargs) -> serializers.SlugField:
    return serializers.SlugField(
        max_length=120, required=False, allow_null=True,
        help_text="Slug of the claim it rests on: one sent in the same request, or one the transfer has.", **kwargs,
    )


class LegWriteSerializer(StrictInputMixin, serializers.Serializer):
    seq = serializers.IntegerField(min_value=1, max_value=32767, required=False,
                                   help_text="Order along the route; the order given when omitted.")
    state = state_key(allow_null=True, required=False, help_text="ISO3 code of the State, or null.")
    place = slug_key(Place, allow_null=True, required=False, help_text="Slug of a place (region, port, base, sea).")
    role = serializers.ChoiceField(choices=LegRole.choices, default=LegRole.TRANSIT)
    mode = serializers.ChoiceField(choices=TransportMode.choices, default=TransportMode.UNKNOWN)
    claim = claim_slug()


class PartyWriteSerializer(StrictInputMixin, serializers.Serializer):
    role = serializers.ChoiceField(choices=PartyRole.choices)
    actor = slug_key(Actor, allow_null=True, required=False)
    state = state_key(allow_null=True, required=False)
    claim = claim_slug()


class ValueWriteSerializer(StrictInputMixin, serializers.Serializer):
    amount = serializers.IntegerField(min_value=0, max_value=BIGINT_MAX)
    currency = serializers.RegexField(r"^[A-Z]{3}$", max_length=3, help_text="ISO 4217 code, e.g. USD.")
    year = serializers.IntegerField(min_value=1, max_value=9999, allow_null=True, required=False)
    claim = claim_slug()


class BreachWriteSerializer(StrictInputMixin, serializers.Serializer):
    regime = slug_key(SanctionsRegime, help_text="Slug of the sanctions regime or embargo.")
    claim = claim_slug()


class TransferAdditionSerializer(StrictInputMixin, serializers.Serializer):
    """Claims and timeline steps added to an existing transfer (all or nothing)."""

    claims = ClaimWriteSerializer(many=True, required=False)
    events = EventWriteSerializer(many=True, required=False)

    def validate(self, attrs):
        if not attrs.get("claims") and not attrs.get("events"):
            raise serializers.ValidationError("Send claims, events or both.")
        return attrs


class TransferWriteSerializer(StrictInputMixin, serializers.Serializer):
    """What a client sends to create or change a transfer. Claims and events only on create."""

    # What a transfer's record shows but a client does not write: accepted in a PUT built from a GET.
    ignored_fields = tuple(TransferSerializer.Meta.fields)

    slug = serializers.SlugField(max_length=120, required=False, help_text="Generated when omitted.")
    supplier = state_key(
        allow_null=True, required=False, help_text="ISO3 code of the supplying State; null = unknown."
    )
    recipient = state_key(
        allow_null=True, required=False, help_text="ISO3 code of the receiving State; null = unknown."
    )
    supplier_actor = slug_key(Actor, allow_null=True, required=False)
    recipient_actor = slug_key(Actor, allow_null=True, required=False)
    materiel = slug_key(Materiel)
    quantity = serializers.IntegerField(**QUANTITY, help_text="The ordered quantity (also quantity_ordered).")
    quantity_ordered = serializers.IntegerField(**QUANTITY, help_text="Items ordered.")
    quantity_delivered = serializers.IntegerField(**QUANTITY, help_text="Items delivered so far.")
    quantity_low = serializers.IntegerField(**QUANTITY, help_text="Lower bound of a range a source gives.")
    quantity_high = serializers.IntegerField(**QUANTITY, help_text="Upper bound of a range a source gives.")
    quantity_estimated = serializers.BooleanField(required=False, help_text="The figures are estimates.")
    quantity_note = serializers.CharField(max_length=500, allow_blank=True, required=False)
    status = serializers.ChoiceField(choices=TransferStatus.choices)
    route = LegWriteSerializer(many=True, required=False, help_text="The route's legs (replaces the route).")
    via = state_key(many=True, required=False, help_text="ISO3 codes of transit States, in route order.")
    via_regions = slug_key(
        Place, many=True, required=False, help_text="Slugs of transit places (regions, ports, bases, seas).",
    )
    parties = PartyWriteSerializer(many=True, required=False, help_text="Other parties (replaces them).")
    value = ValueWriteSerializer(allow_null=True, required=False, help_text="The deal's value, or null.")
    breaches = BreachWriteSerializer(many=True, required=False, help_text="Regimes it allegedly breaches.")
    destination = slug_key(Place, allow_null=True, required=False)
    covert = serializers.BooleanField(required=False, default=False)
    first_reported = serializers.DateField(allow_null=True, required=False)
    description = serializers.CharField(max_length=MAX_TEXT_LENGTH, allow_blank=True, required=False)
    claims = ClaimWriteSerializer(many=True, required=False, help_text="Claims to create with the transfer.")
    events = EventWriteSerializer(many=True, required=False, help_text="Timeline steps to create with it.")


    def validate(self, attrs):
        errors = {}
        if "quantity_ordered" in attrs:
            # Two names for one figure. Both sent and different: the one that changes the stored figure
            # wins (a PUT built from a GET changes one of them); otherwise the request contradicts itself.
            ordered, stored = attrs.pop("quantity_ordered"), getattr(self.instance, "quantity", None)
            quantity = attrs.get("quantity", ordered)
            if quantity != ordered and (self.instance is None or stored not in (quantity, ordered)):
                errors["quantity_ordered"] = ["quantity is quantity_ordered: send one, or the same number."]
            attrs["quantity"] = ordered if quantity == stored and self.instance is not None else quantity
        if attrs.get("route") is not None and ("via" in attrs or "via_regions" in attrs):
            # A body built from a GET carries both: via and via_regions must then be what the route says.
            transit = [leg for leg in attrs["route"] if leg.get("role", LegRole.TRANSIT) in TRANSIT_ROLES]
            said = ([leg["state"] for leg in transit if leg.get("state") and not leg.get("place")],
                    [leg["place"] for leg in transit if leg.get("place")])
            if (attrs.pop("via", said[0]), attrs.pop("via_regions", said[1])) != said:
                errors["route"] = ["route and via / via_regions disagree: send the route alone."]
        if self.instance is None:
            for party in ("supplier", "recipient"):
                if attrs.get(party) is None and attrs.get(f"{party}_actor") is None and party not in self.initial_data:
                    errors[party] = [f"Name the {party} State, the {party}_actor, or send null for an unknown {party}."]
        if self.instance is not None:
            for nested in ("claims", "events"):
                if nested in attrs:
                    errors[nested] = [f"{nested} are created with a transfer and cannot be changed through it."]
        # Parsing only: an event names one of the nested claims by slug. Every rule is the services'.
        claims, events = attrs.get("claims", []), attrs.get("events", [])
        slugs = [claim["slug"] for claim in claims if "slug" in claim]
        event_errors = []
        for event in events:
            problems = {}
            if event.get("claim") and event["claim"] not in slugs and self.instance is None:
                problems["claim"] = [f"No nested claim has the slug '{event['claim']}'."]
            event_errors.append(problems)
        if any(event_errors):
            errors["events"] = event_errors
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

