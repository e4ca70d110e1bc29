"""Reference data: States, Actors, Materiel and Places."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse

from transfers import rules
from transfers.choices import (
    M49_SUBREGIONS,
    ActorKind,
    M49Subregion,
    MaterielCategory,
    PlaceKind,
    UNRegisterCategory,
)
from transfers.history import History

from .base import Attributed, Record, SlugManager, choices_constraint, feed_index


def validate_aliases(value):
    """Field validator for aliases (the rule: transfers.rules.names_list)."""
    problems = rules.names_list(value)
    if problems:
        raise ValidationError(problems["aliases"], code="invalid_aliases")


class StateManager(models.Manager):
    def get_by_natural_key(self, iso3):
        return self.get(iso3=iso3)


class State(Record):
    """A sovereign state, the supplier, recipient or transit point of arms transfers."""

    iso3 = models.CharField(
        "ISO3 code",
        max_length=3,
        unique=True,
        help_text="ISO 3166-1 alpha-3 code, upper case (e.g. PRK, RUS).",
    )
    name = models.CharField(max_length=200, help_text="Common English name (e.g. North Korea).")
    aliases = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_aliases],
        help_text='Other names analysts and articles use, e.g. ["Pyongyang", "DPRK"].',
    )
    subregion = models.CharField(
        "M49 sub-region",
        max_length=40,
        choices=M49Subregion.choices,
        blank=True,
        help_text="UN M49 geographic sub-region (e.g. Eastern Asia).",
    )

    objects = StateManager()
    history = History()

    class Meta:
        ordering = ["name"]
        indexes = [feed_index("state")]
        constraints = [
            models.CheckConstraint(
                condition=Q(iso3__regex=r"^[A-Z]{3}$"),
                name="state_iso3_format",
                violation_error_message="iso3 must be three upper-case letters (ISO 3166-1 alpha-3).",
            ),
            models.CheckConstraint(
                condition=Q(subregion="") | Q(subregion__in=M49Subregion.values),
                name="state_subregion_valid",
                violation_error_message="subregion must be a UN M49 sub-region.",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.iso3})"

    def natural_key(self):
        return (self.iso3,)

    def get_absolute_url(self):
        return reverse("explorer:state", args=[self.iso3])

    @property
    def region(self) -> str:
        """The UN M49 region (continent) of the sub-region."""
        return M49_SUBREGIONS.get(self.subregion, "")


class Actor(Record, Attributed):
    """Who supplies, receives, claims or denies: governments, forces, agencies, groups, people."""

    slug = models.SlugField(max_length=100, unique=True, help_text="Stable identifier, e.g. wagner-group.")
    name = models.CharField(max_length=200)
    aliases = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_aliases],
        help_text='Other names in use, e.g. ["Wagner", "PMC Wagner"].',
    )
    kind = models.CharField(max_length=32, choices=ActorKind.choices, default=ActorKind.OTHER)
    # PROTECT: an actor's affiliation is curated data; remove the actor first.
    state = models.ForeignKey(
        State,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actors",
        help_text="The State the actor belongs to or operates from.",
    )
    part_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        help_text="The organisation this actor belongs to, leads or speaks for.",
    )
    description = models.TextField(blank=True)

    objects = SlugManager()
    history = History()

    class Meta:
        ordering = ["name"]
        indexes = [feed_index("actor")]
        constraints = [
            choices_constraint("kind", ActorKind, "actor"),
            models.CheckConstraint(
                condition=~Q(part_of=models.F("pk")), name="actor_not_part_of_itself",
                violation_error_message="An actor cannot be part of itself.",
            ),
            models.CheckConstraint(
                condition=Q(quote="") | Q(source__isnull=False),
                name="actor_quote_needs_source",
                violation_error_message="A quote needs the source it comes from.",
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)

    def get_absolute_url(self):
        return reverse("explorer:actor", args=[self.slug])

    def clean(self):
        super().clean()
        rules.enforce(rules.part_of_acyclic(self.pk, self._part_of_chain()))

    def _part_of_chain(self, limit: int = 100):
        """The ids up the ``part_of`` chain from this actor's parent (stops at a repeat or ``limit``)."""
        seen, current = [], self.part_of_id
        while current is not None and current not in seen and len(seen) < limit:
            seen.append(current)
            current = Actor.objects.filter(pk=current).values_list("part_of_id", flat=True).first()
        return seen


class Materiel(Record):
    """A kind of weapon, munition, component or military service that can be transferred."""

    slug = models.SlugField(max_length=100, unique=True, help_text="Stable identifier, e.g. artillery-shells.")
    name = models.CharField(max_length=200)
    designation = models.CharField(
        max_length=200,
        blank=True,
        help_text='The weapon designation as registers write it (e.g. "Shahed-136", "S-400"); empty when no '
        "source names a type.",
    )
    aliases = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_aliases],
        help_text='Other designations and names in use, e.g. ["Geran-2"].',
    )
    # PROTECT: a broader materiel that narrower ones point at is curated data; re-point them first.
    kind_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="narrower",
        help_text="The broader materiel this is a kind of (Shahed-136 is a kind of loitering munition); "
        "?materiel= on transfers includes what is a kind of it.",
    )
    category = models.CharField(max_length=32, choices=MaterielCategory.choices)
    un_register_category = models.CharField(
        "UN Register category",
        max_length=4,
        choices=UNRegisterCategory.choices,
        blank=True,
        help_text="UN Register of Conventional Arms category, if the item falls in one.",
    )
    description = models.TextField(blank=True)

    objects = SlugManager()
    history = History()

    class Meta:
        ordering = ["name"]
        indexes = [feed_index("materiel")]
        verbose_name_plural = "materiel"
        constraints = [
            choices_constraint("category", MaterielCategory, "materiel"),
            models.CheckConstraint(
                condition=Q(un_register_category="") | Q(un_register_category__in=UNRegisterCategory.values),
                name="materiel_un_register_category_valid",
                violation_error_message="un_register_category must be I-VII, SALW or empty.",
            ),
            models.CheckConstraint(
                condition=~Q(kind_of=models.F("pk")), name="materiel_not_kind_of_itself",
                violation_error_message="A materiel cannot be a kind of itself.",
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)

    def clean(self):
        super().clean()
        rules.enforce(rules.kind_of_acyclic(self.pk, self._kind_of_chain()))

    def _kind_of_chain(self, limit: int = 100):
        """The ids up the ``kind_of`` chain from this materiel's broader one (stops at a repeat or ``limit``)."""
        seen, current = [], self.kind_of_id
        while current is not None and current not in seen and len(seen) < limit:
            seen.append(current)
            current = Materiel.objects.filter(pk=current).values_list("kind_of_id", flat=True).first()
        return seen


class Place(Record, Attributed):
    """A place that is not a State: a named region, a territory, a base or a port."""

    slug = models.SlugField(max_length=100, unique=True, help_text="Stable identifier, e.g. crimea.")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=PlaceKind.choices)
    # PROTECT: places are curated reference data that transfers point at.
    state = models.ForeignKey(
        State,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="places",
        help_text="The State whose territory this is under international law (empty for a region).",
    )
    controlled_by = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="controlled_places",
        help_text="Who controls or operates the place, where a source says so.",
    )
    description = models.TextField(blank=True)

    objects = SlugManager()
    history = History()

    class Meta:
        ordering = ["name"]
        indexes = [feed_index("place")]
        constraints = [
            choices_constraint("kind", PlaceKind, "place"),
            models.CheckConstraint(
                condition=Q(quote="") | Q(source__isnull=False),
                name="place_quote_needs_source",
                violation_error_message="A quote needs the source it comes from.",
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)
