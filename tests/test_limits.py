"""Limits that hold: API throttles counted in a cache every worker shares, and admin logins locked
out after a few failures (django-axes)."""

import secrets

import pytest
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from tests.api_world import build_world

URL = "/api/v1/transfers/"
REDIS_URL = "redis://127.0.0.1:6379/0"  # runs on the development and CI machines


@pytest.fixture
def low_rates(monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/minute", "user": "5/minute"})


def another_worker(cache_settings: dict):
    """The throttle cache as a second gunicorn worker would build it: its own instance, its own connections."""
    backend = {"django.core.cache.backends.db.DatabaseCache": DatabaseCache,
               "django.core.cache.backends.redis.RedisCache": RedisCache}[cache_settings["BACKEND"]]
    params = {k: v for k, v in cache_settings.items() if k not in ("BACKEND", "LOCATION")}
    return backend(cache_settings["LOCATION"], params)


def test_the_shared_cache_is_the_database_by_default_and_redis_with_redis_url(monkeypatch):
    import importlib

    import tracker.settings

    try:
        monkeypatch.delenv("REDIS_URL", raising=False)
        assert importlib.reload(tracker.settings).CACHES["throttle"]["BACKEND"].endswith("db.DatabaseCache")
        monkeypatch.setenv("REDIS_URL", REDIS_URL)
        shared = importlib.reload(tracker.settings).CACHES["throttle"]
        assert (shared["BACKEND"], shared["LOCATION"]) == ("django.core.cache.backends.redis.RedisCache", REDIS_URL)
    finally:
        monkeypatch.delenv("REDIS_URL", raising=False)
        importlib.reload(tracker.settings)


@pytest.mark.parametrize("backend", ["database", "redis"])
def test_every_worker_counts_against_one_limit(db, settings, low_rates, backend):
    shared = (
        {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "tracker_cache"}
        if backend == "database"
        else {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
              "KEY_PREFIX": f"tracker-test-{secrets.token_hex(4)}"}
    )
    settings.CACHES = {**settings.CACHES, "throttle": shared}
    build_world()
    try:
        api = APIClient()
        assert [api.get(URL).status_code for _ in range(3)] == [200, 200, 200]
        # The count is not in this process: a second worker's own cache instance sees all three
        # requests, and the next request -- wherever it lands -- is refused.
        key = "throttle_anon_127.0.0.1"
        assert len(another_worker(shared).get(key)) == 3
        assert api.get(URL).status_code == 429
        if backend == "database":
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM tracker_cache")
                assert cursor.fetchone()[0] >= 1
    finally:
        caches["throttle"].clear()


# --- admin logins ------------------------------------------------------------------------------


def admin_login(client, password: str):
    return client.post(reverse("admin:login"), {"username": "editor", "password": password,
                                                "next": reverse("admin:index")})


def test_admin_logins_are_locked_out_after_five_failures(client, editor):
    for _ in range(4):
        response = admin_login(client, "wrong-password")
        assert response.status_code == 200  # the login page again, with its error
    assert admin_login(client, "wrong-password").status_code == 429  # the fifth failure locks out
    locked = admin_login(client, "editor-pass-123")  # even the right password, now
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_successful_login_resets_the_count(client, editor):
    for _ in range(4):
        admin_login(client, "wrong-password")
    assert admin_login(client, "editor-pass-123").status_code == 302
    client.logout()
    for _ in range(4):
        assert admin_login(client, "wrong-password").status_code == 200
    assert admin_login(client, "editor-pass-123").status_code == 302
