"""Export every curated record as a fixture that loads into an empty database (``loaddata``).

Records are written by natural key (ISO3 codes, slugs; no database ids), in an order where each
comes after what it refers to. The users that reviews and history name come first, by username
only: never a password hash (each gets an unusable password), nor an e-mail or permission. Loading
the file into an empty database gives the same API output for every list and record, ids aside
(tests/test_export_curated.py compares them).
"""

import json
import sys

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password  # of None: a password no one can log in with
from django.core import serializers
from django.core.management.base import BaseCommand

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
    TransferBreach,
    TransferEvent,
    TransferParty,
    TransferVia,
)

# Each model after those it refers to (actors may refer to actors: see _actors_in_order).
# (A transfer's value, its route legs, parties and breaches rest on its claims: they come after them,
# the value's forward reference being resolved once every record is in.)
CURATED = [Source, State, Actor, Materiel, Place, SanctionsRegime, Transfer, Claim, TransferEvent, TransferVia,
           TransferParty, TransferBreach, SanctionDesignation]


def referenced_users():
    """The users a review or a history entry names, by username."""
    ids = set(Transfer.objects.filter(reviewed_by__isnull=False).values_list("reviewed_by", flat=True))
    for model in CURATED:
        history = getattr(model, "history", None)
        if history is not None:
            ids |= set(history.filter(history_user__isnull=False).values_list("history_user", flat=True).distinct())
    return get_user_model().objects.filter(pk__in=ids).order_by("username")


def _actors_in_order():
    """Actors, each after the one it is part of (a load refers only backwards, so nothing is deferred)."""
    actors = list(Actor.objects.order_by("slug"))
    placed, ordered = set(), []
    while actors:
        ready = [a for a in actors if a.part_of_id is None or a.part_of_id in placed]
        if not ready:  # a cycle: the rules refuse them, but export what is there rather than loop
            ready = actors
        ordered += ready
        placed |= {a.pk for a in ready}
        actors = [a for a in actors if a.pk not in placed]
    return ordered


class Command(BaseCommand):
    help = (
        "Export every curated record (and, by username only, the users reviews and history name) as a JSON "
        "fixture with natural keys; `manage.py loaddata` loads it into an empty database."
    )

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")

    def handle(self, *args, output, **options):
        records = [
            {"model": "auth.user", "fields": {"username": user.get_username(), "password": make_password(None),
                                               "is_active": user.is_active}}
            for user in referenced_users()
        ]
        for model in CURATED:
            # (Synthetic data lives in the benchmark's own databases: bench.synthetic.)
            objects = _actors_in_order() if model is Actor else model._base_manager.order_by("pk")
            text = serializers.serialize("json", objects, use_natural_foreign_keys=True,
                                         use_natural_primary_keys=True)
            records += json.loads(text)
        text = json.dumps(records, indent=1, ensure_ascii=False)
        if output:
            with open(output, "w", encoding="utf-8") as file:
                file.write(text)
            self.stderr.write(f"Exported {len(records):,} records to {output}.")
        else:
            sys.stdout.write(text)
