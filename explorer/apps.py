from django.apps import AppConfig


class ExplorerConfig(AppConfig):
    """The public, read-only web explorer: overview, transfers, sources, States, actors, network, map."""

    name = "explorer"
    verbose_name = "Explorer"
