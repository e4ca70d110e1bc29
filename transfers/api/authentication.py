"""DRF's token and session authentication, refusing credentials that cannot be real before any lookup.

Both look the presented value up in the database as it comes; PostgreSQL answers a NUL byte in a
query with an error, which would surface as a 500. WSGI servers such as gunicorn already refuse
such headers, but the API must not depend on what stands in front of it.
"""

import re

from django.conf import settings
from rest_framework import authentication, exceptions

# rest_framework.authtoken keys are 40 hexadecimal digits; Django session keys 32 lower-case
# letters and digits (allow some slack for other session engines).
TOKEN_KEY = re.compile(r"[0-9a-f]{40}")
SESSION_KEY = re.compile(r"[a-z0-9]{8,64}")


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        if not TOKEN_KEY.fullmatch(key):
            raise exceptions.AuthenticationFailed("Invalid token.")
        return super().authenticate_credentials(key)


class SessionAuthentication(authentication.SessionAuthentication):
    def authenticate(self, request):
        key = request._request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        if key is not None and not SESSION_KEY.fullmatch(key):
            return None  # not a session this site could have issued: anonymous
        return super().authenticate(request)
