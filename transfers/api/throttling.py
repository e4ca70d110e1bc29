"""DRF's throttles, counted in the shared "throttle" cache instead of each worker's own memory.

With a per-process cache, three gunicorn workers allowed three times the limit. The "throttle"
cache (settings.CACHES) is the database by default and Redis when REDIS_URL is set: one count for
all workers. The cache is looked up per request, so that settings changed at run time (tests) apply.
"""

from django.core.cache import caches
from rest_framework import throttling


class SharedCacheMixin:
    @property
    def cache(self):
        return caches["throttle"]


class AnonRateThrottle(SharedCacheMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(SharedCacheMixin, throttling.UserRateThrottle):
    pass
