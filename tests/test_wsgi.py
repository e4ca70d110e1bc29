"""tracker/wsgi.py: each web worker loads its views and freezes them before its first request."""

import importlib

import pytest


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
