from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The benchmark's own code (the synthetic data generator); installed by bench.settings and the tests only."""

    name = "bench"
    verbose_name = "Benchmark"
