"""Sources: the stored documents every claim quotes."""

from django.db import models
from django.urls import reverse

from transfers import rules
from transfers.choices import Reliability, SourceKind
from transfers.history import History

from .base import Record, SlugManager, choices_constraint, feed_index


class Source(Record):
    """A document (article, statement, report) stored in full so that every quote can be checked."""

    slug = models.SlugField(
        max_length=120, unique=True, help_text="Stable identifier, e.g. wapo-2022-11-02-dprk-shells."
    )
    title = models.CharField(max_length=500)
    publisher = models.CharField(max_length=200, blank=True)
    authors = models.JSONField(
        default=list,
        blank=True,
        help_text='Authors and contributors as the source names them, e.g. ["Ellen Nakashima (contributor)"].',
    )
    published = models.DateField(null=True, blank=True, help_text="Publication date.")
    url = models.URLField(max_length=1000, blank=True)
    kind = models.CharField(max_length=32, choices=SourceKind.choices, default=SourceKind.NEWS_REPORT)
    reliability = models.CharField(
        max_length=1,
        choices=Reliability.choices,
        default=Reliability.F,
        help_text="Admiralty source reliability (A completely reliable ... F cannot be judged).",
    )
    text = models.TextField(help_text="The full stored text; every claim's quote must stand in it verbatim.")
    note = models.TextField(blank=True, help_text="Curator's note: how the text was obtained, caveats.")

    objects = SlugManager()
    history = History()

    class Meta:
        ordering = ["-published", "slug"]
        indexes = [feed_index("source")]
        constraints = [
            choices_constraint("kind", SourceKind, "source"),
            choices_constraint("reliability", Reliability, "source"),
        ]

    def __str__(self):
        return self.title

    def natural_key(self):
        return (self.slug,)

    def get_absolute_url(self):
        return reverse("explorer:source", args=[self.slug])

    def stranded_quotes(self, text: str) -> list[str]:
        """The records whose quote rests on this source and would not stand in ``text``."""
        from transfers.quotes import quote_in_text

        if self.pk is None:
            return []
        quoting = [self.claims, self.sanction_designations, self.actor_set, self.place_set]
        return [
            f"{manager.model._meta.verbose_name} '{slug}'"
            for manager in quoting
            for slug, quote in manager.exclude(quote="").values_list("slug", "quote")
            if not quote_in_text(quote, text)
        ]

    def clean(self):
        super().clean()
        rules.enforce(
            rules.names_list(self.authors, field="authors"),
            rules.text_keeps_quotes(self.stranded_quotes(self.text)),
        )
