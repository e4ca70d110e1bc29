"""Import transfers from a CSV file, all or nothing, with history (see transfers.services.imports)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import DataError, IntegrityError, transaction

from transfers.services.imports import (
    COLUMNS,
    VIA_SEPARATOR,
    ImportRejected,
    import_claims,
    import_transfers_csv,
    read_claims_csv,
    utf8_lines,
)

ERRORS_SHOWN = 50


class Command(BaseCommand):
    help = (
        f"Import transfers from a CSV file with the columns {', '.join(COLUMNS)} (States by ISO3 code, "
        f"actors and materiel by slug, via as ISO3 codes separated by '{VIA_SEPARATOR}', route as "
        "role:where:mode legs and parties as role:who, each separated by ';'), and with --claims a companion "
        "file of the claims they rest on. Every row is checked first; on any error nothing is written and "
        "each error is reported with its line and field."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="CSV file, UTF-8, with a header row.")
        parser.add_argument("--user", help="Username recorded as the author in each history row.")
        parser.add_argument("--claims", help="Companion CSV of claims (transfer, source, quote, slug, stance, "
                            "claimant, credibility, note, quantity, quantity_low, quantity_high), imported in "
                            "the same transaction.")
        parser.add_argument("--reason", default="", help="Change reason recorded in each history row.")

    def handle(self, *args, path, user, reason, claims=None, **options):
        author = None
        if user:
            try:
                author = get_user_model().objects.get_by_natural_key(user)
            except get_user_model().DoesNotExist:
                raise CommandError(f"No user {user!r}.") from None
        try:
            # Read as bytes and decoded line by line, so that bad UTF-8 is reported with its line.
            with transaction.atomic(), open(path, "rb") as file:
                result = import_transfers_csv(
                    file=utf8_lines(file), user=author, reason=reason or f"import_transfers {path}"
                )
                claim_count = 0
                if claims:
                    with open(claims, "rb") as claims_file:
                        claim_count = import_claims(rows=read_claims_csv(utf8_lines(claims_file)), user=author,
                                                    reason=reason or f"import_transfers {claims}")
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        except (IntegrityError, DataError) as exc:
            # E.g. a slug taken by another writer between validation and the write: all rolled back.
            raise CommandError(f"Nothing was imported: the database refused a row of {path}: {exc}") from exc
        except ImportRejected as rejected:
            for error in rejected.errors[:ERRORS_SHOWN]:
                self.stderr.write(str(error))
            if rejected.total > ERRORS_SHOWN:
                self.stderr.write(f"... and {rejected.total - ERRORS_SHOWN} more.")
            raise CommandError(f"Nothing was imported: {rejected.total} error(s) in {path}.") from None
        rate = result.transfers / result.seconds if result.seconds else 0
        self.stdout.write(self.style.SUCCESS(
            f"Imported {result.transfers:,} transfers, {result.routes:,} route legs and {claim_count:,} claims with "
            f"history in {result.seconds:.2f}s ({rate:,.0f} transfers/s)."
        ))
