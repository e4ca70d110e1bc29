"""Rebuild the transfer read model (transfers/models/records.py) from the curated tables."""

import time

from django.core.management.base import BaseCommand

from transfers import readmodel


class Command(BaseCommand):
    help = "Rebuild every transfer's record (what the API, CSV export and explorer read) from the curated tables."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Report whether they are current; change nothing.")

    def handle(self, *args, check=False, **options):
        if check:
            stale = readmodel.stale()
            if stale:
                self.stderr.write(f"{len(stale):,} stale records (e.g. transfer {stale[0]}). "
                                  "Run manage.py rebuild_read_model.")
                raise SystemExit(1)
            if readmodel.summary.stored() != readmodel.summary.recount():
                self.stderr.write("The summary (FacetTally) differs from a count of the records. "
                                  "Run manage.py rebuild_read_model.")
                raise SystemExit(1)
            self.stdout.write("The read model is current.")
            return
        started = time.monotonic()
        written = readmodel.rebuild(log=self.stdout.write if options["verbosity"] > 1 else None)
        self.stdout.write(f"Rebuilt {written:,} transfer records in {time.monotonic() - started:.1f}s.")
