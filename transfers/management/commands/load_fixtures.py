from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from transfers.models import Source


class Command(BaseCommand):
    help = (
        "Load every fixture in fixtures/ (in file-name order, in one transaction) and give each loaded "
        "record its first history entry. With --if-empty, do nothing when curated sources already exist, "
        "so that local edits are not overwritten by a raw reload."
    )

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="skip when curated data is already loaded")

    def handle(self, *args, if_empty, **options):
        if if_empty and Source.objects.exists():
            self.stdout.write("Curated data already loaded; not reloading over local edits (`make reload` forces it).")
            return
        fixtures = sorted(str(path) for path in (Path(settings.BASE_DIR) / "fixtures").glob("*.json"))
        if not fixtures:
            raise CommandError("No fixtures in fixtures/.")
        # loaddata (transfers' own) validates every record and writes its history.
        call_command("loaddata", *fixtures, verbosity=options["verbosity"])
