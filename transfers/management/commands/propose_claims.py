"""``manage.py propose_claims --source <slug> [-o draft.json]``: a draft fixture of proposed claims."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from transfers.intake.proposals import draft_fixture, propose
from transfers.models import Source


class Command(BaseCommand):
    help = (
        "Read a source's stored text and propose, per sentence that reports a transfer, its parties, materiel, "
        "claim (verbatim quote, stance, claimant) and timeline steps, as a draft fixture in the hand-written "
        "format. Edit the draft, then load it with loaddata; names the database does not know are listed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--source", required=True, help="the source's slug")
        parser.add_argument("-o", "--output", help="write the draft fixture here (default: standard output)")

    def handle(self, *args, source, output, **options):
        try:
            record = Source.objects.get(slug=source)
        except Source.DoesNotExist:
            raise CommandError(f"--source: no source with slug {source!r}.") from None
        intake = propose(record)
        draft = json.dumps(draft_fixture(intake), indent=2, ensure_ascii=False) + "\n"
        report = self.stderr if output is None else self.stdout
        if output is None:
            self.stdout.write(draft, ending="")
        else:
            Path(output).write_text(draft, encoding="utf-8")
        report.write(
            f"{len(intake.proposals)} proposed claims on "
            f"{len({p.triple for p in intake.proposals})} supplier → recipient → materiel triples"
            + (f"; written to {output}" if output else "")
            + f". Left out: {intake.rejected} rejected before, {intake.recorded} already recorded."
        )
        for item in intake.unresolved:
            names = f" Unknown names: {', '.join(item.names)}." if item.names else ""
            report.write(f"Not proposed ({item.reason}):{names} {item.quote[:160]!r}")
        unknown = sorted({name for p in intake.proposals for name in p.unresolved})
        if unknown:
            report.write(f"Names the database does not know, in proposed sentences: {', '.join(unknown)}.")
