"""Check that every stored quote still stands verbatim in its source's stored text.

The pre_save signal refuses a bad quote when a record is saved; this command re-checks what is in
the database, which matters when a source's text is corrected or data arrives by a path that skips
signals (``QuerySet.update``, ``bulk_create``, raw SQL). It uses the same matching as the signal and
the admin (``transfers.quotes``): quotes, dashes and whitespace fold, nothing else.
"""

from django.core.management.base import BaseCommand, CommandError

from transfers.models import Actor, Claim, Place, SanctionDesignation, Source
from transfers.quotes import normalize

# (model, extra column shown with the record); each row is read as (slug, source_id, quote, extra).
CHECKED = [
    (Claim, "transfer__slug"),
    (SanctionDesignation, "regime__slug"),
    (Actor, None),
    (Place, None),
]


class Command(BaseCommand):
    help = (
        "List every claim, sanction designation, actor and place whose quote is not found in its source's "
        "stored text, and exit non-zero if there is any."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--source", action="append", dest="sources", metavar="SLUG",
            help="Check only quotes from this source (repeat for several).",
        )

    def handle(self, *args, sources=None, **options):
        source_qs = Source.objects.all()
        if sources:
            source_qs = source_qs.filter(slug__in=sources)
            unknown = set(sources) - set(source_qs.values_list("slug", flat=True))
            if unknown:
                raise CommandError(f"No source with slug: {', '.join(sorted(unknown))}.")
        # Each text is normalised once, however many quotes it backs.
        texts = {pk: (slug, normalize(text)) for pk, slug, text in source_qs.values_list("pk", "slug", "text")}

        checked = 0
        misses = []
        for model, extra in CHECKED:
            rows = model.objects.filter(source_id__in=texts).exclude(quote="").order_by("slug")
            for slug, source_id, quote, context in rows.values_list(
                "slug", "source_id", "quote", extra or "slug"
            ):
                checked += 1
                source_slug, text = texts[source_id]
                needle = normalize(quote)
                if not needle or needle not in text:
                    where = f" ({extra.split('__')[0]} {context!r})" if extra else ""
                    misses.append(f"{model._meta.label} {slug!r}{where} in source {source_slug!r}: {quote!r}")

        for line in misses:
            self.stdout.write(f"NOT FOUND  {line}")
        summary = f"Checked {checked} quote(s) against {len(texts)} source(s): {len(misses)} not found."
        if misses:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))
