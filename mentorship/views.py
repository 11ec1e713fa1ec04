"""Pages about people and the portal itself: profile and language, invitations,
notifications, health. Every area's pages live in its own app."""

import logging
import sys

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import InterfaceError, OperationalError, connection, transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.i18n import set_language

from . import notifications, services, uploads
from .api_errors import is_api_request
from .decorators import role_required
from .forms import (
    InvitationAcceptForm,
    InvitationForm,
    MentorProfileForm,
    PreferencesForm,
    StudentProfileForm,
)
from .models import Invitation, Notification, Role

logger = logging.getLogger(__name__)


@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """Preferences every role has, plus the profile fields a student or mentor keeps
    up to date themself. Nothing is saved unless every form on the page is valid."""
    user = request.user
    data = request.POST if request.method == "POST" else None
    form = PreferencesForm(
        data,
        initial={
            "display_name": user.display_name,
            "language": user.language,
            "time_zone": user.time_zone,
            "email_notifications": user.email_notifications,
        },
    )
    role_form = None
    if user.role == Role.STUDENT:
        student_profile = getattr(user, "student_profile", None)
        role_form = StudentProfileForm(
            data,
            prefix="student",
            initial={
                "goals": getattr(student_profile, "goals", ""),
                "weekly_hours": getattr(student_profile, "weekly_hours", 10),
            },
        )
    elif user.role == Role.MENTOR:
        mentor_profile = getattr(user, "mentor_profile", None)
        role_form = MentorProfileForm(
            data,
            prefix="mentor",
            initial={
                "languages": getattr(mentor_profile, "languages", []),
                "bio": getattr(mentor_profile, "bio", ""),
                "call_url": getattr(mentor_profile, "call_url", ""),
            },
        )
    forms_valid = form.is_valid() and (role_form is None or role_form.is_valid())
    if request.method == "POST" and forms_valid:
        with transaction.atomic():
            services.user_update_preferences(user=user, **form.cleaned_data)
            if isinstance(role_form, StudentProfileForm):
                services.student_profile_update(user=user, **role_form.cleaned_data)
            elif isinstance(role_form, MentorProfileForm):
                services.mentor_profile_update(user=user, **role_form.cleaned_data)
        messages.success(request, _("Your preferences are saved."))
        response = redirect("mentorship:profile")
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            user.language,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
        return response
    return render(
        request,
        "mentorship/profile.html",
        {"form": form, "role_form": role_form},
        status=400 if request.method == "POST" else 200,
    )


@login_not_required
@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    """The switcher in the navigation bar: remembers the choice on the account (when
    signed in) and in the language cookie, then goes back where the person was."""
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        services.user_set_language(user=request.user, language=language)
    return set_language(request)


@role_required(Role.STAFF)
@require_http_methods(["GET", "POST"])
def invitation_list(request: HttpRequest) -> HttpResponse:
    form = InvitationForm(
        request.POST if request.method == "POST" else None,
        initial={"language": request.user.language},
    )
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _token = services.invitation_create(
                invited_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Invitation sent to %(email)s.") % {"email": invitation.email},
            )
            return redirect("mentorship:invitation_list")
    invitations = Invitation.objects.select_related("invited_by", "supervisor", "accepted_user")[
        :200
    ]
    return render(
        request,
        "mentorship/invitation_list.html",
        {
            "form": form,
            "invitations": invitations,
            "invitation_valid_days": settings.INVITATION_VALID_DAYS,
        },
        status=400 if form.errors else 200,
    )


@role_required(Role.STAFF)
@require_POST
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation, pk=pk, accepted_at__isnull=True)
    services.invitation_revoke(invitation=invitation)
    messages.success(
        request, _("Invitation to %(email)s withdrawn.") % {"email": invitation.email}
    )
    return redirect("mentorship:invitation_list")


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.invitation_for_token(token=token)
    if invitation is None:
        raise Http404(_("This invitation has expired or was already used."))
    if request.user.is_authenticated:
        return render(request, "mentorship/invitation_signed_in.html", {"invitation": invitation})
    form = InvitationAcceptForm(
        request.POST if request.method == "POST" else None,
        invitation=invitation,
        initial={"display_name": invitation.display_name, "language": invitation.language},
    )
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                invitation=invitation,
                password=form.cleaned_data["password1"],
                display_name=form.cleaned_data["display_name"],
                language=form.cleaned_data["language"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome! Your account is ready."))
            return redirect("metrics:home")
    return render(
        request,
        "mentorship/invitation_accept.html",
        {"form": form, "invitation": invitation},
        status=400 if form.errors else 200,
    )


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and readiness for load balancers and humans: database, cache and
    broker. Only a database failure makes the portal unhealthy (503)."""
    checks = {"database": _check_database(), "cache": _check_cache()}
    checks["broker"] = _check_broker()
    status = 200 if checks["database"] == "ok" else 503
    return JsonResponse(
        {"status": "ok" if status == 200 else "unavailable", "checks": checks},
        status=status,
    )


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any driver error means "down"; the log keeps the detail
        logger.exception("health check: database")
        return "error"
    return "ok"


def _check_cache() -> str:
    try:
        cache.set("healthz", "ok", 10)
        return "ok" if cache.get("healthz") == "ok" else "error"
    except Exception:
        logger.exception("health check: cache")
        return "error"


def _check_broker() -> str:
    from .celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception:
        logger.exception("health check: broker")
        return "error"
    return "ok"


@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    """A person's notifications, newest first, 30 a page."""
    notifications = Notification.objects.filter(user=request.user).order_by("-created_at")
    page = Paginator(notifications, 30).get_page(request.GET.get("page"))
    return render(request, "mentorship/notification_list.html", {"page": page})


@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    """Mark one notification read (``id``) and follow its link, or mark all read."""
    notification_id = request.POST.get("id", "")
    if notification_id.isdigit():
        notification = get_object_or_404(Notification, pk=int(notification_id), user=request.user)
        notifications.notifications_mark_read(
            user=request.user, notification_ids=[notification.pk]
        )
        return redirect(notification.url or "mentorship:notifications")
    notifications.notifications_mark_read(user=request.user)
    return redirect("mentorship:notifications")


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's answer to an uncaught exception (``handler500``), wherever it was
    raised: in a view, or in the middleware that reads the session and the signed-in
    person before any view. When the database cannot be reached the portal is
    temporarily unavailable, not broken: 503 with a Retry-After, as JSON for the API
    and a short page otherwise; the next request reconnects by itself
    (``CONN_HEALTH_CHECKS``), so nothing needs restarting. Any other error is the
    usual 500 page. Nothing here may touch the database."""
    error = sys.exc_info()[1]
    if not isinstance(error, OperationalError | InterfaceError):
        return defaults.server_error(request)
    message = _("The portal is temporarily unavailable. Please try again in a minute.")
    if is_api_request(request) or request.path.startswith("/healthz"):
        response = JsonResponse({"detail": message}, status=503)
    else:
        response = HttpResponse(render_to_string("503.html", {"message": message}), status=503)
    response["Retry-After"] = "30"
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def kept_upload(request: HttpRequest, pk: int) -> FileResponse:
    """A file kept from a refused form, downloaded by its sender to check what they
    chose; anyone else's answers 404. Served as a download with a neutral type, never
    inline (it belongs to no page yet), with the same guards as submitted files."""
    upload = uploads.pending_upload_for_user(request.user, pk)
    try:
        handle = upload.file.storage.open(upload.file.name, "rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=upload.original_name,
        content_type="application/octet-stream",
    )
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True)
    patch_vary_headers(response, ["Cookie"])
    return response
