from django.apps import AppConfig
from django.db.models.signals import post_migrate


class TransfersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "transfers"
    verbose_name = "Arms transfers"

    def ready(self):
        from . import signals  # noqa: F401  (connects the quote check)
        from .readmodel import receivers  # noqa: F401  (after signals: see its docstring)
        post_migrate.connect(_ensure_groups_after_migrate, sender=self)


def _ensure_groups_after_migrate(sender, using, **kwargs):
    from .groups import ensure_groups

    ensure_groups()
