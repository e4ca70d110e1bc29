"""Recount the transfer tallies (transfers/models/tallies.py) from the transfers themselves."""

from django.core.management.base import BaseCommand

from transfers import tallies


class Command(BaseCommand):
    help = "Recount the transfer tallies the overview, network and map read, from the transfers."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Report whether they are current; change nothing.")

    def handle(self, *args, check=False, **options):
        if check:
            stale = [name for name, rows in tallies.counted().items() if tallies.stored()[name] != rows]
            if stale:
                self.stderr.write(f"Stale tallies: {', '.join(stale)}. Run manage.py rebuild_tallies.")
                raise SystemExit(1)
            self.stdout.write("The tallies are current.")
            return
        rows = tallies.rebuild()
        self.stdout.write("Recounted: " + ", ".join(f"{name} {n:,} rows" for name, n in rows.items()) + ".")
