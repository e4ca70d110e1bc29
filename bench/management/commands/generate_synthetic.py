"""Fill the database with realistic synthetic data for benchmarks (see bench.synthetic)."""

from django.core.management.base import BaseCommand, CommandError

from bench.synthetic import Generator, Sizes, delete_synthetic, synthetic_present
from transfers.models import Transfer


class Command(BaseCommand):
    help = (
        "Generate N synthetic transfers (each with 1-3 claims and 1-3 events) and the States, actors, "
        "materiel and sources they need, all marked synthetic. Deterministic for a given --seed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--transfers", type=int, required=True, help="Number of transfers to generate.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed: the same seed gives the same data.")
        parser.add_argument("--states", type=int, default=200, help="Total States wanted (curated ones count).")
        parser.add_argument("--actors", type=int, default=10_000)
        parser.add_argument("--materiel", type=int, default=5_000)
        parser.add_argument("--sources", type=int, default=100_000)
        parser.add_argument(
            "--replace", action="store_true", help="Delete all synthetic data first (curated data is untouched)."
        )

    def handle(self, *args, transfers, seed, states, actors, materiel, sources, replace, **options):
        if transfers < 1 or states < 2 or min(actors, materiel, sources) < 1:
            raise CommandError("--transfers, --actors, --materiel, --sources must be at least 1; --states at least 2.")
        database = options.get("database", "default")
        if replace:
            self.stdout.write("Deleting existing synthetic data")
            delete_synthetic(using=database, log=self.stdout.write)
        elif synthetic_present(seed=seed, transfers=transfers, using=database):
            self.stdout.write(f"{transfers:,} synthetic transfers with seed {seed} are already present; nothing to do.")
            return
        elif Transfer.objects.using(database).filter(slug__startswith=f"syn{seed}-").exists():
            raise CommandError(
                f"Synthetic data with seed {seed} but another size is present; pass --replace to regenerate it."
            )
        sizes = Sizes(transfers=transfers, states=states, actors=actors, materiel=materiel, sources=sources)
        counts = Generator(sizes=sizes, seed=seed, using=database, log=self.stdout.write).run()
        self.stdout.write(self.style.SUCCESS("Generated " + ", ".join(f"{n:,} {name}" for name, n in counts.items())))
