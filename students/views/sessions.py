"""1:1 mentoring sessions: scheduled, logged, rated; a mentor's monthly statement."""

import zoneinfo

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mentorship.decorators import role_required
from mentorship.exports import csv_response
from mentorship.models import Role
from mentorship.pagination import KeysFirstPaginator
from mentorship.selectors import mentor_current_students, mentors_visible_to

from .. import sessions as session_rules
from ..forms import (
    SessionCallUrlForm,
    SessionLogForm,
    SessionRatingForm,
    SessionScheduleForm,
    SessionStatementForm,
)
from ..models import CANCELLATION_NOTICE_HOURS, MentoringSession

SESSION_PAGE_SIZE = 25


SESSION_PARTICIPANTS = (Role.MENTOR, Role.STUDENT)


STATEMENT_READERS = (Role.MENTOR, Role.SUPERVISOR, Role.STAFF)


@require_GET
def session_list(request: HttpRequest) -> HttpResponse:
    """The sessions this person may see: scheduled ones first (soonest first), then
    the others, newest first."""
    sessions = session_rules.sessions_upcoming_first(
        session_rules.sessions_visible_to(request.user)
    )
    page = KeysFirstPaginator(sessions, SESSION_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "students/session_list.html", {"page": page})


@role_required(Role.MENTOR)
@require_http_methods(["GET", "POST"])
def session_schedule(request: HttpRequest) -> HttpResponse:
    """A mentor books a session with one of their students; the time is read in the
    mentor's time zone."""
    students = mentor_current_students(mentor=request.user)
    form = SessionScheduleForm(
        request.POST if request.method == "POST" else None,
        students=students,
        initial={"student": request.GET.get("student")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            session = session_rules.session_schedule(mentor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The session is scheduled; your student is told."))
            return redirect("students:session_detail", pk=session.pk)
    return render(
        request,
        "students/session_schedule.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@require_GET
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = session_rules.session_for_user(request.user, pk)
    return _render_session(request, session)


def _render_session(
    request: HttpRequest,
    session: MentoringSession,
    *,
    rating_form: SessionRatingForm | None = None,
    call_url_form: SessionCallUrlForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The session page; each person reads the time in their own zone, and the
    private notes only if ``may_read_session_notes`` says so (never the student). The
    student reads the status in their own words and, before cancelling late, that it
    is late; the mentor sets the call link while the session is scheduled."""
    user = request.user
    is_student = user.pk == session.student_id
    can_rate = (
        session_rules.may_rate_session(user, session=session)
        and session.status == "completed"
        and session.rating is None
    )
    can_set_call_url = (
        session_rules.may_set_session_call_url(user, session=session) and session.is_scheduled
    )
    if can_set_call_url and call_url_form is None:
        call_url_form = SessionCallUrlForm(initial={"call_url": session.call_url})
    return render(
        request,
        "students/session_detail.html",
        {
            "session": session,
            "is_mentor": session_rules.may_log_session(user, session=session),
            "is_student": is_student,
            "other_person": session.mentor if is_student else session.student,
            "show_private_notes": session_rules.may_read_session_notes(user, session=session),
            "can_cancel": session_rules.may_cancel_session(user, session=session)
            and session.is_scheduled
            and not session.has_started,
            "rating_form": rating_form or (SessionRatingForm() if can_rate else None),
            "call_url_form": call_url_form if can_set_call_url else None,
            "cancellation_notice_hours": CANCELLATION_NOTICE_HOURS,
        },
        status=status,
    )


@role_required(Role.MENTOR)
@require_http_methods(["GET", "POST"])
def session_log(request: HttpRequest, pk: int) -> HttpResponse:
    """The mentor records what happened, the student's summary and private notes."""
    session = session_rules.session_for_user(request.user, pk)
    if not session.is_scheduled:
        messages.info(request, _("This session has already been logged."))
        return redirect("students:session_detail", pk=session.pk)
    form = SessionLogForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            session_rules.session_log(session=session, mentor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The session is logged; your student is told."))
            return redirect("students:session_detail", pk=session.pk)
    return render(
        request,
        "students/session_log.html",
        {"form": form, "session": session},
        status=400 if form.errors else 200,
    )


@role_required(*SESSION_PARTICIPANTS)
@require_POST
def session_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    session = session_rules.session_for_user(request.user, pk)
    try:
        session_rules.session_cancel(session=session, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The session is cancelled; the other person is told."))
    return redirect("students:session_detail", pk=session.pk)


@role_required(Role.MENTOR)
@require_POST
def session_call_url(request: HttpRequest, pk: int) -> HttpResponse:
    """The mentor gives the session its call link (or removes it)."""
    session = session_rules.session_for_user(request.user, pk)
    if not session.is_scheduled and session_rules.may_set_session_call_url(
        request.user, session=session
    ):
        messages.info(request, _("This session is no longer scheduled."))
        return redirect("students:session_detail", pk=session.pk)
    form = SessionCallUrlForm(request.POST)
    if form.is_valid():
        try:
            session_rules.session_set_call_url(
                session=session, by=request.user, call_url=form.cleaned_data["call_url"]
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The call link is saved."))
            return redirect("students:session_detail", pk=session.pk)
    return _render_session(request, session, call_url_form=form, status=400)


@role_required(Role.STUDENT)
@require_POST
def session_rate(request: HttpRequest, pk: int) -> HttpResponse:
    session = session_rules.session_for_user(request.user, pk)
    form = SessionRatingForm(request.POST)
    if form.is_valid():
        try:
            session_rules.session_rate(
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
        return redirect("students:session_detail", pk=session.pk)
    return _render_session(request, session, rating_form=form, status=400)


@role_required(*STATEMENT_READERS)
@require_GET
def session_statement(request: HttpRequest) -> HttpResponse:
    """A mentor's sessions of a month by outcome, what they invoice from; ``?format=csv``
    downloads it. A mentor sees their own, a supervisor their team's, staff all."""
    mentors = list(mentors_visible_to(request.user).order_by("display_name", "email"))
    data = request.GET.copy()
    data.setdefault("month", timezone.localdate().strftime("%Y-%m"))
    if "mentor" not in data and mentors:
        data["mentor"] = str(mentors[0].pk)
    form = SessionStatementForm(data, mentors=mentors)
    statement = None
    if form.is_valid():
        statement = session_rules.session_statement(
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
        "students/session_statement.html",
        {
            "form": form,
            "statement": statement,
            "satisfaction": statement
            and session_rules.mentor_satisfaction(mentor=statement.mentor),
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

    def row(session: MentoringSession) -> list:
        local = timezone.localtime(session.scheduled_at, zone)
        return [
            local.strftime("%Y-%m-%d"),
            local.strftime("%H:%M"),
            statement.mentor.time_zone,
            str(session.student),
            session.student.email,
            session.duration_minutes,
            session.status,
            session.notice_hours,
            session.rating,
        ]

    return csv_response(
        filename=f"sessions-{statement.mentor.pk}-{statement.month:%Y-%m}.csv",
        header=STATEMENT_CSV_COLUMNS,
        rows=map(row, statement.sessions),
    )
