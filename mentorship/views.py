import csv
import logging
import zoneinfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.i18n import set_language

from projects.models import Enrolment, EnrolmentStatus
from projects.selectors import student_progress
from students.selectors import flag_reasons, flags_open_counts, flags_open_queue, flags_visible_to

from . import selectors, services
from .decorators import role_required
from .forms import (
    AssignmentForm,
    CaseFilterForm,
    CaseOpenForm,
    CaseReplyForm,
    DevelopmentFilterForm,
    DevelopmentRecordForm,
    InvitationAcceptForm,
    InvitationForm,
    MentorProfileForm,
    PreferencesForm,
    SessionLogForm,
    SessionRatingForm,
    SessionScheduleForm,
    SessionStatementForm,
    StudentProfileForm,
    WeeklyReportFilterForm,
    WeeklyReportForm,
)
from .models import DevelopmentKind, Invitation, MentoringSession, Notification, Role

logger = logging.getLogger(__name__)


# The mentor's home lists this many flags needing attention; the rest are a link away.
HOME_FLAGS = 10


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on what it comes to do."""
    user = request.user
    context: dict = {}
    if user.role == Role.STUDENT:
        context["mentor"] = selectors.current_mentor(student=user)
        context["profile"] = getattr(user, "student_profile", None)
        context["progress"] = student_progress(student=user)
    elif user.role == Role.MENTOR:
        context["students"] = selectors.mentor_current_students(mentor=user)
        context["profile"] = getattr(user, "mentor_profile", None)
        context["flag_rows"] = [
            (flag, flag_reasons(flag))
            for flag in flags_open_queue(flags_visible_to(user))[:HOME_FLAGS]
        ]
    elif user.role == Role.SUPERVISOR:
        context["mentors"] = selectors.mentors_with_load(
            selectors.mentors_visible_to(user).filter(is_active=True)
        )
        context["flag_counts"] = flags_open_counts(user)
    else:
        context["overview"] = selectors.staff_overview()
        context["mentors"] = selectors.mentors_with_load(
            selectors.mentors_visible_to(user).filter(is_active=True)
        )
    return render(request, f"mentorship/home_{user.role}.html", context)


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
        response = redirect("profile")
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
            return redirect("invitation_list")
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
    return redirect("invitation_list")


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
            return redirect("home")
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
        services.notifications_mark_read(user=request.user, notification_ids=[notification.pk])
        return redirect(notification.url or "notifications")
    services.notifications_mark_read(user=request.user)
    return redirect("notifications")


# --- Mentoring sessions -------------------------------------------------------------

SESSION_PAGE_SIZE = 25
SESSION_PARTICIPANTS = (Role.MENTOR, Role.STUDENT)
STATEMENT_READERS = (Role.MENTOR, Role.SUPERVISOR, Role.STAFF)


@require_GET
def session_list(request: HttpRequest) -> HttpResponse:
    """The sessions this person may see: scheduled ones first (soonest first), then
    the others, newest first."""
    sessions = selectors.sessions_upcoming_first(selectors.sessions_visible_to(request.user))
    page = Paginator(sessions, SESSION_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "mentorship/session_list.html", {"page": page})


@role_required(Role.MENTOR)
@require_http_methods(["GET", "POST"])
def session_schedule(request: HttpRequest) -> HttpResponse:
    """A mentor books a session with one of their students; the time is read in the
    mentor's time zone."""
    students = selectors.mentor_current_students(mentor=request.user)
    form = SessionScheduleForm(
        request.POST if request.method == "POST" else None,
        students=students,
        initial={"student": request.GET.get("student")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_schedule(mentor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The session is scheduled; your student is told."))
            return redirect("session_detail", pk=session.pk)
    return render(
        request,
        "mentorship/session_schedule.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@require_GET
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_for_user(request.user, pk)
    return _render_session(request, session)


def _render_session(
    request: HttpRequest,
    session: MentoringSession,
    *,
    rating_form: SessionRatingForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The session page; each person reads the time in their own zone, and only the
    student's side never gets the private notes."""
    user = request.user
    is_student = user.pk == session.student_id
    can_rate = is_student and session.status == "completed" and session.rating is None
    return render(
        request,
        "mentorship/session_detail.html",
        {
            "session": session,
            "is_mentor": user.pk == session.mentor_id,
            "is_student": is_student,
            "other_person": session.mentor if is_student else session.student,
            "show_private_notes": user.role != Role.STUDENT,
            "can_cancel": user.pk in (session.mentor_id, session.student_id)
            and session.is_scheduled
            and not session.has_started,
            "rating_form": rating_form or (SessionRatingForm() if can_rate else None),
        },
        status=status,
    )


@role_required(Role.MENTOR)
@require_http_methods(["GET", "POST"])
def session_log(request: HttpRequest, pk: int) -> HttpResponse:
    """The mentor records what happened, the student's summary and private notes."""
    session = selectors.session_for_user(request.user, pk)
    if not session.is_scheduled:
        messages.info(request, _("This session has already been logged."))
        return redirect("session_detail", pk=session.pk)
    form = SessionLogForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_log(session=session, mentor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The session is logged; your student is told."))
            return redirect("session_detail", pk=session.pk)
    return render(
        request,
        "mentorship/session_log.html",
        {"form": form, "session": session},
        status=400 if form.errors else 200,
    )


@role_required(*SESSION_PARTICIPANTS)
@require_POST
def session_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_for_user(request.user, pk)
    try:
        services.session_cancel(session=session, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The session is cancelled; the other person is told."))
    return redirect("session_detail", pk=session.pk)


@role_required(Role.STUDENT)
@require_POST
def session_rate(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_for_user(request.user, pk)
    form = SessionRatingForm(request.POST)
    if form.is_valid():
        try:
            services.session_rate(
                session=session,
                student=request.user,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Thank you for rating the session."))
        return redirect("session_detail", pk=session.pk)
    return _render_session(request, session, rating_form=form, status=400)


@role_required(*STATEMENT_READERS)
@require_GET
def session_statement(request: HttpRequest) -> HttpResponse:
    """A mentor's sessions of a month by outcome, what they invoice from; ``?format=csv``
    downloads it. A mentor sees their own, a supervisor their team's, staff all."""
    mentors = list(selectors.mentors_visible_to(request.user).order_by("display_name", "email"))
    data = request.GET.copy()
    data.setdefault("month", timezone.localdate().strftime("%Y-%m"))
    if "mentor" not in data and mentors:
        data["mentor"] = str(mentors[0].pk)
    form = SessionStatementForm(data, mentors=mentors)
    statement = None
    if form.is_valid():
        statement = selectors.session_statement(
            mentor=form.cleaned_data["mentor"], month=form.cleaned_data["month"]
        )
        if request.GET.get("format") == "csv":
            return _statement_csv(statement)
    elif "mentor" in form.errors and request.GET.get("mentor"):
        raise Http404
    query = data.copy()
    query["format"] = "csv"
    return render(
        request,
        "mentorship/session_statement.html",
        {
            "form": form,
            "statement": statement,
            "satisfaction": statement and selectors.mentor_satisfaction(mentor=statement.mentor),
            "csv_query": query.urlencode(),
        },
        status=400 if form.errors and "mentor" not in form.errors else 200,
    )


STATEMENT_CSV_COLUMNS = [
    "date",
    "time",
    "time_zone",
    "student",
    "student_email",
    "duration_minutes",
    "outcome",
    "notice_hours",
    "rating",
]


def _statement_csv(statement) -> HttpResponse:
    """The statement as CSV, times in the mentor's zone. Outcomes are codes (stable
    for invoicing tools); private notes and summaries are never exported."""
    zone = zoneinfo.ZoneInfo(statement.mentor.time_zone)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"sessions-{statement.mentor.pk}-{statement.month:%Y-%m}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(STATEMENT_CSV_COLUMNS)
    for session in statement.sessions:
        local = timezone.localtime(session.scheduled_at, zone)
        writer.writerow(
            [
                local.strftime("%Y-%m-%d"),
                local.strftime("%H:%M"),
                statement.mentor.time_zone,
                str(session.student),
                session.student.email,
                session.duration_minutes,
                session.status,
                "" if session.notice_hours is None else session.notice_hours,
                "" if session.rating is None else session.rating,
            ]
        )
    return response


# --- Matching and assignment --------------------------------------------------------

ASSIGNERS = (Role.STAFF, Role.SUPERVISOR)
UNASSIGNED_PAGE_SIZE = 25
SUGGESTIONS_SHOWN = 10


@role_required(*ASSIGNERS)
@require_GET
def unassigned_student_list(request: HttpRequest) -> HttpResponse:
    """Active students without a mentor, longest waiting first, each with a link to
    assign them."""
    students = (
        selectors.unassigned_students()
        .select_related("student_profile")
        .prefetch_related(
            Prefetch(
                "enrolments",
                queryset=Enrolment.objects.filter(status=EnrolmentStatus.ACTIVE).select_related(
                    "programme"
                ),
                to_attr="active_enrolments",
            )
        )
        .order_by("date_joined", "pk")
    )
    page = Paginator(students, UNASSIGNED_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "mentorship/assignment_unassigned.html", {"page": page})


@role_required(*ASSIGNERS)
@require_http_methods(["GET", "POST"])
def assignment_assign(request: HttpRequest, pk: int) -> HttpResponse:
    """Assign or reassign a student's mentor with a reason, choosing among mentors
    ranked by fit; over capacity only when overridden with a reason."""
    student = selectors.student_for_assignment(request.user, pk)
    mentors = selectors.mentors_assignable_by(request.user)
    form = AssignmentForm(request.POST if request.method == "POST" else None, mentors=mentors)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                assignment = services.assignment_create(
                    student=student,
                    mentor=form.cleaned_data["mentor"],
                    assigned_by=request.user,
                    reason=form.cleaned_data["reason"],
                    override_capacity=form.cleaned_data["override_capacity"],
                )
                services.assignment_announce(assignment=assignment)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("%(mentor)s is now the mentor of %(student)s.")
                % {"mentor": assignment.mentor, "student": student},
            )
            return redirect("students:file", pk=student.pk)
    current = selectors.current_mentor(student=student)
    candidates = mentors.exclude(pk=current.pk) if current else mentors
    suggestions = selectors.mentor_suggestions(student=student, candidates=candidates)
    return render(
        request,
        "mentorship/assignment_form.html",
        {
            "student": student,
            "current_mentor": current,
            "assignments": selectors.assignment_history(student=student),
            "suggestions": suggestions[:SUGGESTIONS_SHOWN],
            "more_mentors": max(len(suggestions) - SUGGESTIONS_SHOWN, 0),
            "form": form,
            "chosen": str(form["mentor"].value() or ""),
        },
        status=400 if form.errors else 200,
    )


# --- Case discussions ---------------------------------------------------------------

CASE_PAGE_SIZE = 25
CASE_ROLES = (Role.MENTOR, Role.SUPERVISOR, Role.STAFF)


@role_required(*CASE_ROLES)
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    """Cases this person may see: open ones first, then resolved, newest first."""
    form = CaseFilterForm(request.GET)
    show = form.cleaned_data["show"] if form.is_valid() else ""
    cases = selectors.cases_visible_to(request.user)
    if show == "open":
        cases = cases.filter(resolved_at__isnull=True)
    elif show == "resolved":
        cases = cases.filter(resolved_at__isnull=False)
    elif show == "mine":
        cases = cases.filter(author=request.user)
    page = Paginator(selectors.cases_open_first(cases), CASE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "mentorship/case_list.html",
        {"page": page, "show": show, "query": f"show={show}" if show else ""},
    )


@role_required(Role.MENTOR)
@require_http_methods(["GET", "POST"])
def case_open(request: HttpRequest) -> HttpResponse:
    """A mentor raises a case to their supervisor or to all mentors."""
    form = CaseOpenForm(
        request.POST if request.method == "POST" else None,
        students=selectors.mentor_current_students(mentor=request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_open(author=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Your case is raised."))
            return redirect("case_detail", pk=case.pk)
    return render(
        request,
        "mentorship/case_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def _render_case(request, case, *, reply_form=None, status: int = 200) -> HttpResponse:
    return render(
        request,
        "mentorship/case_detail.html",
        {
            "case": case,
            "replies": selectors.case_replies(case=case),
            "reply_form": reply_form or CaseReplyForm(),
            "can_resolve": not case.is_resolved
            and services.case_can_resolve(case=case, user=request.user),
        },
        status=status,
    )


@role_required(*CASE_ROLES)
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_case(request, selectors.case_for_user(request.user, pk))


@role_required(*CASE_ROLES)
@require_POST
def case_reply(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_for_user(request.user, pk)
    form = CaseReplyForm(request.POST)
    if form.is_valid():
        try:
            services.case_reply(case=case, author=request.user, body=form.cleaned_data["body"])
        except ValidationError as error:
            raise PermissionDenied from error
        messages.success(request, _("Your reply is posted."))
        return redirect("case_detail", pk=case.pk)
    return _render_case(request, case, reply_form=form, status=400)


@role_required(*CASE_ROLES)
@require_POST
def case_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_for_user(request.user, pk)
    if not services.case_can_resolve(case=case, user=request.user):
        raise PermissionDenied
    services.case_resolve(case=case, by=request.user)
    messages.success(request, _("The case is marked resolved."))
    return redirect("case_detail", pk=case.pk)


# --- Self-development ---------------------------------------------------------------

DEVELOPMENT_PAGE_SIZE = 25
DEVELOPMENT_ROLES = (Role.MENTOR, Role.SUPERVISOR, Role.STAFF)


def _development_list_url(request: HttpRequest) -> str:
    """Back to the list with the filters and page the action was taken from."""
    query = request.GET.urlencode()
    return reverse("development_list") + (f"?{query}" if query else "")


def _render_development(
    request: HttpRequest, *, form: DevelopmentRecordForm | None = None, status: int = 200
) -> HttpResponse:
    """The self-development page as the viewer's role sees it: a mentor their own
    records by kind and the form to add one; a supervisor their team's, by mentor;
    staff all, those awaiting verification first of all."""
    user = request.user
    records = selectors.development_records_visible_to(user)
    context: dict = {"form": None, "filter_form": None, "query": ""}
    if user.role == Role.MENTOR:
        context["form"] = form or DevelopmentRecordForm()
    else:
        mentors = list(selectors.mentors_visible_to(user).order_by("display_name", "email"))
        filter_form = DevelopmentFilterForm(
            request.GET, mentors=mentors, verification=user.role == Role.STAFF
        )
        filter_form.is_valid()
        mentor_id = filter_form.cleaned_data.get("mentor")
        if mentor_id:
            records = records.filter(mentor_id=mentor_id)
        filters = {"mentor": mentor_id or ""}
        if user.role == Role.STAFF:
            show = filter_form.cleaned_data.get("show") or DevelopmentFilterForm.AWAITING
            if show == DevelopmentFilterForm.AWAITING:
                records = records.filter(verified_at__isnull=True)
            filters["show"] = show
        context["filter_form"] = filter_form
        context["query"] = urlencode(filters)
    page = Paginator(
        selectors.development_records_listed(records), DEVELOPMENT_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    context["page"] = page
    if user.role == Role.MENTOR:
        headings = {
            DevelopmentKind.PROGRAMME: _("Programmes completed as a student"),
            DevelopmentKind.COURSE: _("Other courses"),
            DevelopmentKind.EXPERTISE: _("Areas of expertise"),
        }
        groups = [
            (heading, [record for record in page.object_list if record.kind == kind])
            for kind, heading in headings.items()
        ]
        context["groups"] = [(heading, rows) for heading, rows in groups if rows]
    return render(request, "mentorship/development_list.html", context, status=status)


@role_required(*DEVELOPMENT_ROLES)
@require_GET
def development_list(request: HttpRequest) -> HttpResponse:
    return _render_development(request)


@role_required(Role.MENTOR)
@require_POST
def development_add(request: HttpRequest) -> HttpResponse:
    form = DevelopmentRecordForm(request.POST)
    if form.is_valid():
        try:
            services.development_record_add(mentor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Recorded. Staff will verify it."))
            return redirect("development_list")
    return _render_development(request, form=form, status=400)


@role_required(Role.MENTOR, Role.STAFF)
@require_POST
def development_delete(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.development_record_for_user(request.user, pk)
    try:
        services.development_record_delete(record=record, by=request.user)
    except ValidationError as error:
        raise PermissionDenied from error
    messages.success(request, _("The record is deleted."))
    return redirect(_development_list_url(request))


@role_required(Role.STAFF)
@require_POST
def development_verify(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.development_record_for_user(request.user, pk)
    services.development_record_verify(record=record, by=request.user)
    messages.success(request, _("Verified: %(record)s.") % {"record": record})
    return redirect(_development_list_url(request))


@role_required(Role.STAFF)
@require_POST
def development_unverify(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.development_record_for_user(request.user, pk)
    services.development_record_unverify(record=record, by=request.user)
    messages.success(request, _("No longer verified: %(record)s.") % {"record": record})
    return redirect(_development_list_url(request))


# --- Weekly reports -----------------------------------------------------------------

REPORT_ROLES = (Role.MENTOR, Role.SUPERVISOR, Role.STAFF)
REPORT_PAGE_SIZE = 25


@role_required(*REPORT_ROLES)
@require_GET
def weekly_report_list(request: HttpRequest) -> HttpResponse:
    """A mentor's own reports, newest week first; for a supervisor (their team) or
    staff (every mentor), one week's reports: who sent theirs and who has not yet."""
    if request.user.role == Role.MENTOR:
        reports = selectors.weekly_reports_visible_to(request.user).order_by("-week_start")
        last_week = selectors.last_complete_week_start(request.user)
        return render(
            request,
            "mentorship/weekly_report_list.html",
            {
                "page": Paginator(reports, REPORT_PAGE_SIZE).get_page(request.GET.get("page")),
                "last_week": last_week,
                "last_week_drafted": reports.filter(week_start=last_week).exists(),
            },
        )
    weeks = selectors.weekly_report_weeks(request.user)
    data = request.GET.copy()
    data.setdefault("week", weeks[0].isoformat())
    mentors = list(selectors.mentors_visible_to(request.user).order_by("display_name", "email"))
    form = WeeklyReportFilterForm(data, weeks=weeks, mentors=mentors)
    rows, page, query = [], None, ""
    if form.is_valid():
        week, mentor_id = form.cleaned_data["week"], form.cleaned_data["mentor"]
        shown = selectors.weekly_report_mentors(request.user, week=week)
        if mentor_id:
            shown = shown.filter(pk=mentor_id)
        page = Paginator(shown, REPORT_PAGE_SIZE).get_page(request.GET.get("page"))
        rows = selectors.weekly_report_rows(request.user, week=week, mentors=page.object_list)
        query = urlencode({"week": week.isoformat(), "mentor": mentor_id or ""})
    return render(
        request,
        "mentorship/weekly_report_overview.html",
        {"form": form, "rows": rows, "page": page, "query": query},
        status=400 if form.errors else 200,
    )


def _render_weekly_report(request, report, *, form=None, status: int = 200) -> HttpResponse:
    can_edit = report.mentor_id == request.user.pk and not report.is_sent
    if can_edit and form is None:
        form = WeeklyReportForm(
            initial={"comments": report.comments, "difficulties": report.difficulties}
        )
    return render(
        request,
        "mentorship/weekly_report_detail.html",
        {
            "report": report,
            "figures": report.figures,
            "display": selectors.weekly_report_display(report.figures),
            "form": form if can_edit else None,
            "can_edit": can_edit,
            # A refusal that names no field (the report was sent meanwhile) shows even
            # when the form is no longer offered.
            "refusals": form.non_field_errors() if form is not None else [],
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def weekly_report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One report's figures, comments and difficulties; its mentor saves the draft's
    text here. Whoever may not read the report gets 404 (students included)."""
    report = selectors.weekly_report_for_user(request.user, pk)
    if request.method == "GET":
        return _render_weekly_report(request, report)
    if report.mentor_id != request.user.pk:
        raise PermissionDenied
    form = WeeklyReportForm(request.POST)
    if form.is_valid():
        try:
            services.weekly_report_update(report=report, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Your draft is saved."))
            return redirect("weekly_report_detail", pk=report.pk)
    return _render_weekly_report(request, report, form=form, status=400)


@require_POST
def weekly_report_send(request: HttpRequest, pk: int) -> HttpResponse:
    """The mentor sends their draft, with the text in the form, to their supervisor."""
    report = selectors.weekly_report_for_user(request.user, pk)
    if report.mentor_id != request.user.pk:
        raise PermissionDenied
    form = WeeklyReportForm(request.POST)
    if form.is_valid():
        text = {name: value for name, value in form.cleaned_data.items() if name in request.POST}
        try:
            report = services.weekly_report_send(report=report, by=request.user, **text)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            supervisor = selectors.mentor_supervisor(mentor=request.user)
            if supervisor is not None:
                messages.success(
                    request,
                    _("Your report is sent to %(supervisor)s.") % {"supervisor": supervisor},
                )
            else:
                messages.success(
                    request,
                    _("Your report is sent. You have no supervisor yet, so staff will read it."),
                )
            return redirect("weekly_report_detail", pk=report.pk)
    return _render_weekly_report(request, report, form=form, status=400)


@require_POST
def weekly_report_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    """The mentor draws a draft's figures again (a session logged late, say)."""
    report = selectors.weekly_report_for_user(request.user, pk)
    if report.mentor_id != request.user.pk:
        raise PermissionDenied
    if report.is_sent:
        messages.info(request, _("This report is sent: its figures stay as they were sent."))
    else:
        services.weekly_report_draft(mentor=request.user, week_start=report.week_start)
        messages.success(request, _("The figures are up to date."))
    return redirect("weekly_report_detail", pk=report.pk)


@role_required(Role.MENTOR)
@require_POST
def weekly_report_draft_now(request: HttpRequest) -> HttpResponse:
    """The mentor drafts the report of their last complete week without waiting for
    Monday's job (or opens it, if it exists)."""
    report = services.weekly_report_draft(
        mentor=request.user, week_start=selectors.last_complete_week_start(request.user)
    )
    return redirect("weekly_report_detail", pk=report.pk)
