"""tracker/wsgi.py: each web worker warms its per-process caches before its first request."""

import importlib

import pytest

from transfers.api import filters

from .factories import StateFactory


@pytest.mark.django_db
def test_a_worker_loads_the_state_codes_as_it_starts():
    state = StateFactory(iso3="PRK")
    filters._known_state_codes = {}
    import tracker.wsgi

    importlib.reload(tracker.wsgi)
    assert filters._known_state_codes.get("PRK") == state.pk


@pytest.mark.django_db
def test_a_worker_loads_its_views_and_freezes_what_it_loaded_out_of_the_collectors_reach():
    import gc
    import sys

    import tracker.wsgi

    gc.unfreeze()
    importlib.reload(tracker.wsgi)
    assert "transfers.api.views" in sys.modules
    assert gc.get_freeze_count() > 10_000
    gc.unfreeze()  # the rest of the test run collects as usual
