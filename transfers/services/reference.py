"""Writing reference records through the API: the model's own validation, then the save."""

from collections.abc import Mapping
from typing import Any

from django.db import models, transaction


@transaction.atomic
def reference_save(*, instance: models.Model, data: Mapping[str, Any]) -> models.Model:
    """Set ``data`` on ``instance`` (new or stored), run the model's rules (full_clean) and save it.

    The rules (aliases a list of names, acyclic ``kind_of``, a quote that stands in its source)
    live on the model; this is the one place the API's reference writes pass through.
    """
    for field, value in data.items():
        setattr(instance, field, value)
    instance.full_clean()
    instance.save()
    return instance
