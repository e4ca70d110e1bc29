"""The API's filters, one FilterSet per resource.

Codes and slugs are comma-separated and checked against the database in one query per parameter:
an unknown one answers 400 naming the parameter, never a silently empty list. They clean to
primary keys, so filtering needs no join on the referenced table.
"""

import datetime

import django_filters as filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django_filters.fields import IsoDateTimeField
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError

from transfers import selectors
from transfers.choices import (
    M49_SUBREGIONS,
    ActorKind,
    Credibility,
    DatePrecision,
    MaterielCategory,
    PartyRole,
    PlaceKind,
    Reliability,
    SanctionKind,
    SourceKind,
    Stance,
    TransferStatus,
    UNRegisterCategory,
)
from transfers.models import (
    Actor,
    Claim,
    Deletion,
    Materiel,
    Place,
    SanctionDesignation,
    SanctionsRegime,
    Source,
    State,
    Transfer,
    TransferEvent,
)
from transfers.models.deletions import DeletedKind
from transfers.models.transfers import LIST_ORDER
from transfers.readmodel import search

ISO3_LIST_PATTERN = r"^[A-Za-z]{3}(,[A-Za-z]{3})*$"
SLUG_LIST_PATTERN = r"^[-a-zA-Z0-9_]+(,[-a-zA-Z0-9_]+)*$"
# Long enough for any honest list of codes or slugs; longer input is refused, not truncated.
MAX_LIST_LENGTH = 2000
MAX_TEXT_LENGTH = 200


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


class ReferenceListField(forms.CharField):
    """Comma-separated natural keys of one model, cleaned to the primary keys they name."""

    def __init__(self, *, model, key: str, noun: str, upper: bool = False, deferred: bool = False, **kwargs):
        self.model, self.key, self.noun, self.upper, self.deferred = model, key, noun, upper, deferred
        kwargs.setdefault("max_length", MAX_LIST_LENGTH)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return []
        keys = _split(value.upper() if self.upper else value)
        if self.deferred:
            # The form resolves these together with its other fields' keys (see TransferFilterForm).
            return list(dict.fromkeys(keys))
        found = dict(self.model.objects.filter(**{f"{self.key}__in": keys}).values_list(self.key, "pk"))
        unknown = [key for key in keys if key not in found]
        if unknown:
            # The values go in as params: django-filter %-formats every message, so a "%" typed into
            # a filter would otherwise raise instead of answering 400.
            raise forms.ValidationError(
                "Unknown %(noun)s(s): %(values)s.", code="unknown",
                params={"noun": self.noun, "values": ", ".join(unknown[:20])},
            )
        return list(set(found.values()))


class VocabularyListField(forms.CharField):
    """Comma-separated values of one vocabulary."""

    def __init__(self, *, vocabulary, noun: str, **kwargs):
        self.vocabulary, self.noun = [str(value) for value in vocabulary], noun
        kwargs.setdefault("max_length", MAX_LIST_LENGTH)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return []
        values = _split(value)
        unknown = [v for v in values if v not in self.vocabulary]
        if unknown:
            raise forms.ValidationError(
                "Unknown %(noun)s(s): %(values)s. Expected one of: %(expected)s.", code="unknown",
                params={"noun": self.noun, "values": ", ".join(unknown[:20]), "expected": ", ".join(self.vocabulary)},
            )
        return values


class StrictBooleanField(forms.Field):
    """true/false (or 1/0); anything else is an error rather than 'no filter'."""

    TRUE, FALSE = ("true", "1"), ("false", "0")

    def clean(self, value):
        if value in (None, ""):
            return None
        lowered = str(value).strip().lower()
        if lowered in self.TRUE:
            return True
        if lowered in self.FALSE:
            return False
        raise forms.ValidationError("Must be true or false.", code="invalid")


class BooleanFilter(filters.BooleanFilter):
    field_class = StrictBooleanField


class UtcDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time (naive: UTC), cleaned to the same instant in UTC.

    ISO 8601 allows offsets up to 23:59, PostgreSQL's literals only up to 15:59; an instant whose UTC
    value falls outside years 1-9999 is invalid rather than a 500."""

    default_error_messages = {
        "invalid": "An ISO 8601 date-time, e.g. 2025-01-31T12:00:00Z (in a URL, a + offset must be percent-encoded).",
    }

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        try:
            return value.astimezone(datetime.UTC)
        except OverflowError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class SinceFilter(filters.IsoDateTimeFilter):
    """Records at or after an instant (``lookup_expr="gte"``), read as UTC."""

    field_class = UtcDateTimeField

    def __init__(self, **kwargs):
        super().__init__(lookup_expr="gte", **kwargs)


class ReferenceListFilter(filters.Filter):
    """``field__in`` the primary keys of the comma-separated codes or slugs given."""

    field_class = ReferenceListField

    def __init__(self, *, model, key: str, noun: str, help_text: str, upper: bool = False, deferred: bool = False,
                 **kwargs):
        pattern = ISO3_LIST_PATTERN if upper else SLUG_LIST_PATTERN
        super().__init__(model=model, key=key, noun=noun, upper=upper, deferred=deferred, lookup_expr="in", **kwargs)
        extend_schema_field(
            {"type": "string", "pattern": pattern, "maxLength": MAX_LIST_LENGTH, "description": help_text}
        )(self)


class VocabularyListFilter(filters.Filter):
    """``field__in`` the comma-separated vocabulary values given."""

    field_class = VocabularyListField

    def __init__(self, *, choices, noun: str, help_text: str, **kwargs):
        values = [str(value) for value in choices]
        super().__init__(vocabulary=values, noun=noun, lookup_expr="in", **kwargs)
        extend_schema_field(
            {
                "type": "string",
                "pattern": rf"^({'|'.join(values)})(,({'|'.join(values)}))*$",
                "maxLength": MAX_LIST_LENGTH,
                "description": f"{help_text} One or more of: {', '.join(values)} (comma-separated).",
            }
        )(self)


def states(help_text: str, **kwargs) -> ReferenceListFilter:
    return ReferenceListFilter(model=State, key="iso3", noun="state code", upper=True, help_text=help_text, **kwargs)


def slugs(model, noun: str, help_text: str, **kwargs) -> ReferenceListFilter:
    return ReferenceListFilter(model=model, key="slug", noun=f"{noun} slug", help_text=help_text, **kwargs)


def text_filter(help_text: str, **kwargs) -> filters.CharFilter:
    text = filters.CharFilter(max_length=MAX_TEXT_LENGTH, **kwargs)
    return extend_schema_field({"type": "string", "maxLength": MAX_TEXT_LENGTH, "description": help_text})(text)


TRANSFER_STATE_FILTERS = ("supplier", "recipient", "party", "via")
REGIONS = sorted(set(M49_SUBREGIONS.values()))

# Query parameters a list takes besides its filters: the renderer's and the pagination's.
PAGINATION_PARAMS = ("cursor_query_param", "page_size_query_param", "page_query_param", "limit_query_param",
                     "offset_query_param")


def accepted_query_params(view, filterset_class) -> list[str]:
    accepted = {"format", *(filterset_class.base_filters if filterset_class else ())}
    # What the view itself reads (e.g. the facets' ``fields``) and its other filter backends (``updated_since``).
    accepted.update(getattr(view, "extra_query_params", ()))
    for backend in getattr(view, "filter_backends", ()):
        accepted.update(getattr(backend, "query_params", ()))
    paginator = getattr(view, "paginator", None)
    accepted.update(name for attr in PAGINATION_PARAMS if (name := getattr(paginator, attr, None)))
    return sorted(accepted)


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter's backend, refusing any query parameter that neither a filter, the pagination
    nor the renderer reads: a typo such as ?suplier=PRK answers 400 naming it and listing what is
    accepted, never the unfiltered list."""

    def get_filterset(self, request, queryset, view):
        accepted = accepted_query_params(view, self.get_filterset_class(view, queryset))
        unknown = [name for name in request.query_params if name not in accepted]
        if unknown:
            message = f"Unknown query parameter. Accepted: {', '.join(accepted)}."
            raise ValidationError({name[:100]: [message] for name in unknown[:20]})
        return super().get_filterset(request, queryset, view)


class FilterSet(filters.FilterSet):
    """django-filter's FilterSet, building its form class once per FilterSet rather than per request.

    django-filter builds a new form class, with a new field per filter, on every request (3 ms of a
    transfer list's time at a million rows). The fields depend on the filters' declarations only,
    and each form still gets its own copy of them (Django's forms deep-copy their base fields).
    """

    def get_form_class(self):
        cls = type(self)
        if "_form_class" not in cls.__dict__:  # this class's own, not a parent FilterSet's
            cls._form_class = super().get_form_class()
        return cls._form_class


class TransferFilterForm(forms.Form):
    """Checks the codes of every State filter (supplier, recipient, party, via) in one query
    between them, and cleans them to primary keys; refuses ``relevance`` beside another ordering key
    or without ``q``."""

    def clean(self):
        data = super().clean()
        ordering = data.get("ordering") or []
        if any(term.lstrip("-") == "relevance" for term in ordering) and (len(ordering) > 1 or not data.get("q")):
            self.add_error("ordering", forms.ValidationError(
                "relevance orders a search on its own: give q, and no other key.", code="relevance"))
        wanted = {name: data[name] for name in TRANSFER_STATE_FILTERS if data.get(name)}
        codes = {code for keys in wanted.values() for code in keys}
        known = dict(State.objects.filter(iso3__in=codes).values_list("iso3", "pk")) if codes else {}
        for name, keys in wanted.items():
            unknown = [key for key in keys if key not in known]
            if unknown:
                self.add_error(name, self._unknown_states(name, unknown))
            else:
                data[name] = list({known[key] for key in keys})
        return data

    def _unknown_states(self, name: str, codes: list[str]) -> forms.ValidationError:
        places = sorted(Place.objects.filter(slug__in=[code.lower() for code in codes]).values_list("slug", flat=True))
        if places:
            # A region, port or territory is a place, filtered by ?place= (destination or route).
            return forms.ValidationError(
                "%(values)s: a place, not a State; use ?place=%(values)s for transfers going to or through it.",
                code="place_not_state", params={"values": ",".join(places)},
            )
        return forms.ValidationError(
            "Unknown state code(s): %(values)s.", code="unknown", params={"values": ", ".join(codes[:20])}
        )


class TransferFilter(FilterSet):
    """Filters on /api/v1/transfers/. All combine with AND; comma-separated values with OR."""

    supplier = states("Supplier State(s), ISO3 codes, comma-separated (e.g. PRK or PRK,IRN).", deferred=True)
    recipient = states("Recipient State(s), ISO3 codes, comma-separated (e.g. RUS).", deferred=True)
    party = states(
        "State(s) on either side, supplier or recipient, ISO3 codes, comma-separated.", deferred=True,
        label="Party (supplier or recipient)",
    )
    via = states(
        "Transit State(s) on the route, ISO3 codes, comma-separated (e.g. SYR,LBY). For a named region, "
        "port or territory use `place`.", deferred=True, label="Via (transit State)",
    )
    region = VocabularyListFilter(
        choices=REGIONS, noun="UN M49 region", label="Region of either party",
        help_text="UN M49 region of the supplier or the recipient.",
    )
    destination = slugs(Place, "place", "Place slug(s) the materiel goes to inside the recipient (e.g. crimea).")
    place = slugs(
        Place, "place", "Place slug(s): the destination or any place on the route (e.g. middle-east, tartus).",
        label="Place (destination or route)",
    )
    actor = slugs(Actor, "actor", "Actor slug(s) in any role: supplier, recipient, claimant or another party "
                  "(narrow with role).", label="Actor")
    role = VocabularyListFilter(
        choices=[*selectors.OWN_ROLES, *PartyRole.values], noun="role", label="Role of the actor",
        help_text="The role the actor plays (with actor), or transfers with a party in this role: "
        "supplier, recipient, claimant or a party role (broker, shipper...).",
    )
    materiel = slugs(Materiel, "materiel", "Materiel slug(s), e.g. artillery-shells; includes what is a kind of it.",
                     label="Materiel")
    breaches = slugs(SanctionsRegime, "sanctions regime", "Transfers alleged to breach these regime(s).",
                     label="Allegedly breaches")
    quantity_min = filters.NumberFilter(
        min_value=0, max_value=2**63 - 1, label="Quantity at least",
        help_text="At least this many items (ordered, else the high bound, else delivered).",
    )
    quantity_max = filters.NumberFilter(
        min_value=0, max_value=2**63 - 1, label="Quantity at most",
        help_text="At most this many items (ordered, else the low bound, else delivered).",
    )
    delivered_after = filters.DateFilter(label="Delivered on or after",
                                         help_text="A delivery step on or after this ISO date.")
    delivered_before = filters.DateFilter(label="Delivered on or before",
                                          help_text="A delivery step on or before this ISO date.")
    category = VocabularyListFilter(
        choices=MaterielCategory.values, noun="materiel category", help_text="Materiel category."
    )
    status = VocabularyListFilter(choices=TransferStatus.values, noun="status value", help_text="Latest status.")
    source = slugs(Source, "source", "Source slug(s): transfers with a claim quoting that source.", label="Source")
    stance = VocabularyListFilter(
        choices=Stance.values, noun="stance value", label="Stance of a claim",
        help_text="Transfers with a claim of this stance; `denies` lists contested transfers.",
    )
    covert = BooleanFilter(help_text="true: the source says the transfer is covert or masked; false: it does not.")
    contested = BooleanFilter(label="Contested", help_text="true: some claim denies the transfer; false: none does.")
    reviewed = BooleanFilter(
        label="Reviewed", help_text="true: a second user has reviewed it; false: it is a draft."
    )
    sanctioned = BooleanFilter(
        label="Sanctioned party",
        help_text="true: a supplier, recipient or named actor is under sanctions; false: none is.",
    )
    reported_after = filters.DateFilter(
        field_name="first_reported", lookup_expr="gte", help_text="First reported on or after this ISO date."
    )
    reported_before = filters.DateFilter(
        field_name="first_reported", lookup_expr="lte", help_text="First reported on or before this ISO date."
    )
    q = text_filter(
        "Words to find in the description, claim quotes, names, designations and aliases, stemmed "
        '(deny finds denied); "a phrase" in quotes, OR between alternatives, -word to exclude.', label="Search"
    )
    ordering = filters.OrderingFilter(
        fields=["first_reported", "id", "quantity", "status", "created_at", "updated_at", "relevance"],
        help_text="Sort order; prefix with - for descending, e.g. -first_reported. "
        f"Default: {','.join(LIST_ORDER)}. relevance (with q): best matches first.",
    )

    class Meta:
        model = Transfer
        fields = []
        form = TransferFilterForm

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        # The filtering itself lives in one selector, which the performance work tunes.
        data = dict(self.form.cleaned_data)
        ordering = data.pop("ordering", None)
        queryset = selectors.transfer_filter(queryset, data)
        if ordering and ordering[0].lstrip("-") == "relevance":  # alone, with q: the form has checked
            # Best first, whichever way asked; a keyset page then goes on from (relevance, id).
            return queryset.annotate(relevance=search.relevance(data["q"])).order_by("-relevance", "-id")
        if data.get("q") and not ordering and _in_list_order(queryset):
            return search.recent_first(queryset)
        return self.filters["ordering"].filter(queryset, ordering)


def _in_list_order(queryset: QuerySet) -> bool:
    """Whether the queryset is in the transfers' list order (LIST_ORDER)."""
    order = list(queryset.query.order_by) or list(queryset.model._meta.ordering)
    return [str(term) for term in order] == list(LIST_ORDER)


def _sanctioned(queryset: QuerySet, field: str, value: bool | None) -> QuerySet:
    if value is None:
        return queryset
    exists = Exists(SanctionDesignation.objects.filter(**{field: OuterRef("pk")}))
    return queryset.filter(exists if value else ~exists)


class StateFilter(FilterSet):
    region = filters.ChoiceFilter(
        choices=[(r, r) for r in REGIONS], method="filter_region", label="Region",
        help_text="UN M49 region, e.g. Asia."
    )
    subregion = VocabularyListFilter(choices=list(M49_SUBREGIONS), noun="sub-region", help_text="UN M49 sub-region.")
    sanctioned = BooleanFilter(
        method="filter_sanctioned", label="Sanctioned", help_text="true: under some sanctions regime."
    )
    q = text_filter("Text in the name, ISO3 code or aliases.", method="filter_q", label="Search")
    ordering = filters.OrderingFilter(fields=["iso3", "name"], help_text="Sort order, e.g. name or -iso3.")

    class Meta:
        model = State
        fields = []

    def filter_region(self, queryset, name, value):
        return queryset.filter(subregion__in=[s for s, r in M49_SUBREGIONS.items() if r == value])

    def filter_sanctioned(self, queryset, name, value):
        return _sanctioned(queryset, "state", value)

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(iso3__iexact=value) | Q(aliases__icontains=value))


class ActorFilter(FilterSet):
    kind = VocabularyListFilter(choices=ActorKind.values, noun="actor kind", help_text="Kind of actor.")
    state = states("The State(s) the actor belongs to, ISO3 codes, comma-separated.")
    part_of = slugs(Actor, "actor", "The organisation(s) the actor is part of.")
    sanctioned = BooleanFilter(
        method="filter_sanctioned", label="Sanctioned", help_text="true: under some sanctions regime."
    )
    q = text_filter("Text in the name, slug or aliases.", method="filter_q", label="Search")
    ordering = filters.OrderingFilter(fields=["slug", "name", "kind"], help_text="Sort order, e.g. name.")

    class Meta:
        model = Actor
        fields = []

    def filter_sanctioned(self, queryset, name, value):
        return _sanctioned(queryset, "actor", value)

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(slug__icontains=value) | Q(aliases__icontains=value))


class MaterielFilter(FilterSet):
    category = VocabularyListFilter(choices=MaterielCategory.values, noun="materiel category", help_text="Category.")
    un_register_category = VocabularyListFilter(
        choices=UNRegisterCategory.values, noun="UN Register category", help_text="UN Register category."
    )
    kind_of = slugs(Materiel, "materiel", "The broader materiel(s) these are a kind of (direct children).",
                    label="Kind of")
    q = text_filter("Text in the name, designation, aliases, slug or description.", method="filter_q", label="Search")
    ordering = filters.OrderingFilter(
        fields=["slug", "name", "designation", "category"], help_text="Sort order, e.g. name."
    )

    class Meta:
        model = Materiel
        fields = []

    def filter_q(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(slug__icontains=value) | Q(description__icontains=value)
            | Q(designation__icontains=value) | Q(aliases__icontains=value)
        )


class SourceFilter(FilterSet):
    kind = VocabularyListFilter(choices=SourceKind.values, noun="source kind", help_text="Kind of source.")
    reliability = VocabularyListFilter(
        choices=Reliability.values, noun="reliability", help_text="Admiralty source reliability, A to F."
    )
    publisher = text_filter("Publisher, exact match ignoring case (e.g. The Washington Post).",
                            field_name="publisher", lookup_expr="iexact")
    published_after = filters.DateFilter(
        field_name="published", lookup_expr="gte", help_text="Published on or after this ISO date."
    )
    published_before = filters.DateFilter(
        field_name="published", lookup_expr="lte", help_text="Published on or before this ISO date."
    )
    q = text_filter("Text in the title, publisher or slug.", method="filter_q", label="Search")
    ordering = filters.OrderingFilter(
        fields=["slug", "published", "title", "publisher", "reliability"], help_text="Sort order, e.g. -published."
    )

    class Meta:
        model = Source
        fields = []

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(publisher__icontains=value) | Q(slug__icontains=value))


class ClaimFilter(FilterSet):
    """Filters on /api/v1/claims/: every quote, on whose word, with its stance and credibility."""

    transfer = slugs(Transfer, "transfer", "Transfer slug(s): the claims about these transfers.", label="Transfer")
    source = slugs(Source, "source", "Source slug(s) quoted.", label="Source")
    claimant = slugs(Actor, "actor", "Actor slug(s) making (or denying) the claim.", label="Claimant")
    stance = VocabularyListFilter(choices=Stance.values, noun="stance value", label="Stance", help_text="Stance.")
    credibility = VocabularyListFilter(
        choices=[str(value) for value in Credibility.values], noun="credibility", label="Credibility",
        help_text="Admiralty credibility, 1 (confirmed) to 6 (cannot be judged).",
    )
    q = text_filter(
        "Text in the quote (its trigram index serves it on PostgreSQL).", label="Search",
        field_name="quote", lookup_expr="icontains",
    )
    ordering = filters.OrderingFilter(fields=["id", "credibility"], help_text="Sort order, e.g. credibility.")

    class Meta:
        model = Claim
        fields = []


class EventFilter(FilterSet):
    """Filters on /api/v1/events/: the timeline steps of every transfer."""

    transfer = slugs(Transfer, "transfer", "Slug(s) of the transfer(s) the steps belong to.", label="Transfer")
    status = VocabularyListFilter(choices=TransferStatus.values, noun="status value", help_text="Step status.",
                                  label="Status")
    date_precision = VocabularyListFilter(choices=DatePrecision.values, noun="precision", help_text="Precision.",
                                          label="Date precision")
    claim = slugs(Claim, "claim", "Slug(s) of the claim(s) the steps rest on.", label="Claim")
    after = filters.DateFilter(
        method="filter_after", label="On or after", help_text="Steps on or after this ISO date (a range's end counts)."
    )
    before = filters.DateFilter(field_name="date", lookup_expr="lte", label="On or before",
                                help_text="Steps on or before this ISO date.")
    ordering = filters.OrderingFilter(fields=["date", "id"], help_text="Sort order, e.g. -date. Default: date.")

    class Meta:
        model = TransferEvent
        fields = []

    def filter_after(self, queryset, name, value):
        return queryset.filter(Q(date__gte=value) | Q(date_to__gte=value))


class PlaceFilter(FilterSet):
    kind = VocabularyListFilter(choices=PlaceKind.values, noun="place kind", help_text="Kind of place.", label="Kind")
    state = states("The State(s) whose territory the place is, ISO3 codes, comma-separated.", label="State")
    controlled_by = slugs(Actor, "actor", "Who controls the place.", label="Controlled by")
    q = text_filter("Text in the name or slug.", method="filter_q", label="Search")
    ordering = filters.OrderingFilter(fields=["slug", "name", "kind"], help_text="Sort order, e.g. name.")

    class Meta:
        model = Place
        fields = []

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(slug__icontains=value))


class SanctionsRegimeFilter(FilterSet):
    kind = VocabularyListFilter(choices=SanctionKind.values, noun="regime kind", help_text="Kind of regime.",
                                label="Kind")
    imposed_by = slugs(Actor, "actor", "Who imposes the regime.", label="Imposed by")
    state = states("Regimes designating these State(s), ISO3 codes.", method="filter_state", label="Designates State")
    actor = slugs(Actor, "actor", "Regimes designating these actor(s).", method="filter_actor",
                  label="Designates actor")
    in_force_on = filters.DateFilter(method="filter_in_force", label="In force on",
                                     help_text="Regimes with a designation in force on this ISO date.")
    q = text_filter("Text in the name or slug.", method="filter_q", label="Search")
    ordering = filters.OrderingFilter(fields=["slug", "name", "kind"], help_text="Sort order, e.g. name.")

    class Meta:
        model = SanctionsRegime
        fields = []

    def _designating(self, queryset, **lookups):
        return queryset.filter(Exists(SanctionDesignation.objects.filter(regime=OuterRef("pk"), **lookups)))

    def filter_state(self, queryset, name, value):
        return self._designating(queryset, state_id__in=value)

    def filter_actor(self, queryset, name, value):
        return self._designating(queryset, actor_id__in=value)

    def filter_in_force(self, queryset, name, value):
        return queryset.filter(Exists(SanctionDesignation.objects.filter(
            Q(since__isnull=True) | Q(since__lte=value), Q(until__isnull=True) | Q(until__gte=value),
            regime=OuterRef("pk"),
        )))

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(slug__icontains=value))


class DeletionFilter(FilterSet):
    since = SinceFilter(
        field_name="deleted_at", label="Deleted since",
        help_text="Only records deleted at or after this ISO 8601 date-time.",
    )
    model = VocabularyListFilter(
        choices=DeletedKind.values, noun="kind of record", label="Kind",
        help_text="Kind(s) of record, comma-separated: state, actor, materiel, place, sanctionsregime, "
        "sanctiondesignation, source, transfer, claim.",
    )

    class Meta:
        model = Deletion
        fields = []
