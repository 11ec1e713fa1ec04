"""The API's throttles: how often one caller may push activity events, and write with
an API token. Each counts in the default cache, which every process of the portal
shares (Redis, or the database cache without it: settings.CACHES), so a limit holds
however many web processes answer. Past it DRF answers 429 with ``Retry-After``.

The rates are ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``, read from the environment
(``API_EVENTS_RATE``, ``API_TOKEN_WRITES_RATE``; ``off`` lifts a limit)."""

from rest_framework.permissions import SAFE_METHODS
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle, UserRateThrottle

from .models import ApiToken


class RateFromSettings:
    """The rate as the settings say now: DRF reads it once, when the class is defined."""

    scope: str

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class ActivityEventsThrottle(RateFromSettings, UserRateThrottle):
    """Batches pushed to ``POST /api/v1/events/`` by one caller (a staff member or the
    token acting for them): each may carry 5,000 events in 6 MB of JSON, which a
    runaway platform could send faster than the database records them."""

    scope = "events"


class TokenWriteThrottle(RateFromSettings, SimpleRateThrottle):
    """Writes (POST, PUT, PATCH, DELETE) made with one API token: an integration's
    loop gone wrong, or a leaked token, is slowed down. Reads and the pages' own
    session-authenticated writes are not counted here."""

    scope = "token_writes"

    def get_cache_key(self, request, view) -> str | None:
        if request.method in SAFE_METHODS or not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
