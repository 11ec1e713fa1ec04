"""Per-request behaviour: the person's language and time zone, staff two-factor, CSP,
what caches may keep, and how a page answers a refused write."""

import zoneinfo

from django.conf import settings
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from .access import NotAllowed
from .api_errors import is_api_request
from .translated import requested_language


class UserPreferencesMiddleware:
    """Show a signed-in person the portal in their own language and time zone.

    LocaleMiddleware has already picked a language from the cookie or the browser;
    a signed-in person's saved choice wins over both. On the API a language asked for
    with ``Accept-Language`` wins over all (``mentorship.translated.requested_language``;
    a caller with a token is known only once DRF has authenticated it, which
    ``mentorship.authentication`` follows)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        requested = requested_language(request) if is_api_request(request) else None
        if requested:
            translation.activate(requested)
            request.LANGUAGE_CODE = translation.get_language()
        if user.is_authenticated:
            if user.language and not requested:
                translation.activate(user.language)
                request.LANGUAGE_CODE = translation.get_language()
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        response = self.get_response(request)
        timezone.deactivate()
        return response


class StaffTwoFactorMiddleware:
    """With MFA_REQUIRED_FOR_STAFF on, staff who have not set up an authenticator app
    can reach only the pages that let them set it up (and sign out)."""

    allowed_prefixes = ("/accounts/", "/static/", "/healthz", "/i18n/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.MFA_REQUIRED_FOR_STAFF
            and request.user.is_authenticated
            and request.user.is_staff
            and not request.path.startswith(self.allowed_prefixes)
        ):
            from allauth.mfa.models import Authenticator

            has_totp = Authenticator.objects.filter(
                user=request.user, type=Authenticator.Type.TOTP
            ).exists()
            if not has_totp:
                if is_api_request(request):
                    return JsonResponse(
                        {"detail": _("Set up two-factor authentication before using the API.")},
                        status=403,
                    )
                return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """Send the strict policy from settings: scripts, styles and fonts come from the
    portal itself, never inline, never from elsewhere."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.CONTENT_SECURITY_POLICY:
            response.headers.setdefault(
                "Content-Security-Policy", settings.CONTENT_SECURITY_POLICY
            )
        return response


class PrivateCacheMiddleware:
    """Whatever is someone's own is kept by no cache, neither a proxy's nor the
    browser's disk: every answer to a signed-in person (a page, or the API through a
    session or a token: DRF sets the request's user when it authenticates one) and
    every download (an export, a submitted file) is sent ``Cache-Control: private,
    no-store``. Directives a view set are kept, ``public`` excepted. Static files
    (answered by WhiteNoise before this) and anonymous pages keep their own caching."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            (user is not None and user.is_authenticated)
            or response.has_header("Content-Disposition")
            or isinstance(response, FileResponse)
        ):
            patch_cache_control(response, private=True, no_store=True)
        return response


class NotAllowedMiddleware:
    """Every page answers a service's ``NotAllowed`` here, not view by view: 404 when
    the object is hidden from the person (as the page's own loader answers outsiders),
    403 otherwise (Django's answer to any PermissionDenied). The API answers it in
    ``mentorship.api_errors``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, NotAllowed) and exception.hidden:
            # Raised here, Django answers it as any 404: the same page, the same log.
            raise Http404 from exception
        # Anything else, a 403 NotAllowed included, goes on to Django's own handling.
