from django.core.management.base import BaseCommand

from transfers.groups import ensure_groups


class Command(BaseCommand):
    help = "Create or update the 'editor' and 'viewer' groups and their permissions."

    def handle(self, *args, **options):
        for name, count in ensure_groups().items():
            self.stdout.write(f"{name}: {count} permissions")
