"""My students (a list for mentors, supervisors and staff) and the student's file."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mentorship.decorators import role_required
from mentorship.models import Role, User
from mentorship.selectors import assignment_history, mentors_visible_to, students_visible_to
from projects.models import Programme
from projects.selectors import student_progress, students_progress

from . import selectors, services
from .forms import (
    FlagFilterForm,
    FlagOutreachForm,
    FlagVerdictForm,
    IncidentArbitratorForm,
    IncidentFilterForm,
    IncidentRecordForm,
    IncidentResolveForm,
    MentorNoteForm,
    StudentFilterForm,
    TimelineFilterForm,
)
from .models import Incident, RiskFlag

LIST_PAGE_SIZE = 25
TIMELINE_PAGE_SIZE = 20
LOOKING_AFTER_STUDENTS = (Role.MENTOR, Role.SUPERVISOR, Role.STAFF)


@require_GET
@role_required(*LOOKING_AFTER_STUDENTS)
def student_list(request: HttpRequest) -> HttpResponse:
    """The students this person looks after, with their progress against plan, last
    activity and waiting submissions; filtered and sorted."""
    user = request.user
    programmes = Programme.objects.filter(
        enrolments__student__in=students_visible_to(user).values("pk")
    ).distinct()
    form = StudentFilterForm(request.GET or None, programmes=programmes)
    filters = form.cleaned_data if form.is_valid() else {}
    students = selectors.student_list(
        user,
        status=filters.get("status") or "",
        programme_id=filters["programme"].pk if filters.get("programme") else None,
        flagged=bool(filters.get("flagged")),
        sort=filters.get("sort") or selectors.StudentSort.NAME,
    )
    progress = None
    if filters.get("behind"):
        # Progress against plan is computed in Python (projects.selectors), so this
        # filter needs everyone's progress first: still three queries.
        progress = students_progress(student_ids=students.values("pk"))
        behind = [
            pk
            for pk, items in progress.items()
            if (current := selectors.current_progress(items)) and current.is_behind
        ]
        students = students.filter(pk__in=behind)
    page = Paginator(students, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    if progress is None:
        progress = students_progress(student_ids=[student.pk for student in page])
    rows = [
        (student, selectors.current_progress(progress.get(student.pk, [])))
        for student in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "students/student_list.html",
        {
            "form": form,
            "filtered": bool(
                filters.get("status")
                or filters.get("programme")
                or filters.get("behind")
                or filters.get("flagged")
            ),
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
        },
    )


@require_GET
def student_file(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything about one student for those who look after them; a student sees
    their own, without the private notes."""
    student = selectors.student_for_user(request.user, pk)
    return _render_file(request, student, note_form=None)


@require_POST
@role_required(*LOOKING_AFTER_STUDENTS)
def mentor_note_create(request: HttpRequest, pk: int) -> HttpResponse:
    student = selectors.student_for_user(request.user, pk)
    form = MentorNoteForm(request.POST)
    if form.is_valid():
        try:
            services.mentor_note_create(
                author=request.user, student=student, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Note saved."))
            return redirect("students:file", pk=student.pk)
    return _render_file(request, student, note_form=form, status=400)


def _render_file(
    request: HttpRequest,
    student: User,
    *,
    note_form: MentorNoteForm | None,
    status: int = 200,
    **flag_forms,
) -> HttpResponse:
    # Anyone who may see the student and is not a student looks after them (their
    # mentor, the mentor's supervisor, staff): they read and write private notes.
    with_notes = request.user.role != Role.STUDENT
    filter_form = TimelineFilterForm(request.GET or None, with_notes=with_notes)
    kind = filter_form.cleaned_data.get("kind", "") if filter_form.is_valid() else ""
    timeline = selectors.student_timeline(student=student, with_notes=with_notes, kind=kind)
    page = Paginator(timeline, TIMELINE_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    if with_notes and note_form is None:
        note_form = MentorNoteForm()
    return render(
        request,
        "students/student_file.html",
        {
            "student": student,
            "profile": getattr(student, "student_profile", None),
            "progress": student_progress(student=student),
            "assignments": assignment_history(student=student),
            "filter_form": filter_form,
            "kind": kind,
            "page": page,
            "items": selectors.timeline_items(page.object_list, user=request.user),
            "query": query.urlencode(),
            "with_notes": with_notes,
            "note_form": note_form if with_notes else None,
            **_flag_context(request, student, **flag_forms),
        },
        status=status,
    )


# --- Incidents between students -------------------------------------------------------

INCIDENT_PAGE_SIZE = 25


@require_GET
@role_required(*LOOKING_AFTER_STUDENTS)
def incident_list(request: HttpRequest) -> HttpResponse:
    """Incidents this person may see: open ones first, newest first; filtered by
    status and by "I arbitrate"."""
    form = IncidentFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    incidents = selectors.incidents_visible_to(request.user)
    if filters.get("status"):
        incidents = incidents.filter(status=filters["status"])
    if filters.get("arbitrating"):
        incidents = incidents.filter(arbitrator=request.user)
    page = Paginator(selectors.incidents_open_first(incidents), INCIDENT_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "students/incident_list.html",
        {
            "form": form,
            "filtered": bool(filters.get("status") or filters.get("arbitrating")),
            "page": page,
            "query": query.urlencode(),
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(*LOOKING_AFTER_STUDENTS)
def incident_record(request: HttpRequest) -> HttpResponse:
    """Record a conflict between students. Mentors and supervisors tick the students
    they look after and name others by e-mail; staff name them all by e-mail."""
    user = request.user
    looked_after = (
        None
        if user.role == Role.STAFF
        else students_visible_to(user).order_by("display_name", "email")
    )
    if request.method == "GET":
        form = IncidentRecordForm(
            initial=_incident_initial(user, request.GET.get("student", "")),
            looked_after=looked_after,
        )
        return render(request, "students/incident_form.html", {"form": form})
    form = IncidentRecordForm(request.POST, looked_after=looked_after)
    if form.is_valid():
        data = form.cleaned_data
        try:
            incident = services.incident_record(
                reporter=user,
                title=data["title"],
                description=data["description"],
                occurred_on=data["occurred_on"],
                students=data["involved"],
                arbitrator=data["arbitrator"],
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The incident is recorded."))
            return redirect("students:incident_detail", pk=incident.pk)
    return render(request, "students/incident_form.html", {"form": form}, status=400)


def _incident_initial(user: User, student_pk: str) -> dict:
    """``?student=<pk>`` pre-selects a student this person may see: a ticked box, or
    for staff their e-mail address."""
    if not student_pk.isdigit():
        return {}
    student = students_visible_to(user).filter(pk=student_pk).first()
    if student is None:
        return {}
    if user.role == Role.STAFF:
        return {"other_students": student.email}
    return {"students": [student.pk]}


def _render_incident(
    request: HttpRequest,
    incident: Incident,
    *,
    resolve_form: IncidentResolveForm | None = None,
    arbitrator_form: IncidentArbitratorForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    may_settle = selectors.may_resolve_incident(user, incident=incident)
    return render(
        request,
        "students/incident_detail.html",
        {
            "incident": incident,
            "students": incident.students.all(),
            "may_resolve": incident.is_open and may_settle,
            "may_reopen": not incident.is_open and may_settle,
            "may_change_arbitrator": incident.is_open
            and selectors.may_change_arbitrator(user, incident=incident),
            "resolve_form": resolve_form
            or IncidentResolveForm(initial={"resolution": incident.resolution}),
            "arbitrator_form": arbitrator_form
            or IncidentArbitratorForm(initial={"arbitrator": incident.arbitrator_id}),
        },
        status=status,
    )


@require_GET
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One incident for those who may see it; students never (404)."""
    return _render_incident(request, selectors.incident_for_user(request.user, pk))


@require_POST
def incident_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    incident = selectors.incident_for_user(request.user, pk)
    if not selectors.may_resolve_incident(request.user, incident=incident):
        raise PermissionDenied
    form = IncidentResolveForm(request.POST)
    if form.is_valid():
        try:
            services.incident_resolve(
                incident=incident, by=request.user, resolution=form.cleaned_data["resolution"]
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                return _incident_refused(request, incident, error)
            form.add_service_error(error)
        else:
            messages.success(request, _("The incident is resolved."))
            return redirect("students:incident_detail", pk=incident.pk)
    return _render_incident(request, incident, resolve_form=form, status=400)


@require_POST
def incident_arbitrator(request: HttpRequest, pk: int) -> HttpResponse:
    incident = selectors.incident_for_user(request.user, pk)
    if not selectors.may_change_arbitrator(request.user, incident=incident):
        raise PermissionDenied
    form = IncidentArbitratorForm(request.POST)
    if form.is_valid():
        try:
            services.incident_arbitrator_change(
                incident=incident, by=request.user, arbitrator=form.cleaned_data["arbitrator"]
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                return _incident_refused(request, incident, error)
            form.add_service_error(error)
        else:
            messages.success(request, _("The arbitrator is changed."))
            return redirect("students:incident_detail", pk=incident.pk)
    return _render_incident(request, incident, arbitrator_form=form, status=400)


@require_POST
def incident_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    incident = selectors.incident_for_user(request.user, pk)
    if not selectors.may_resolve_incident(request.user, incident=incident):
        raise PermissionDenied
    try:
        services.incident_reopen(incident=incident, by=request.user)
    except ValidationError as error:
        return _incident_refused(request, incident, error)
    messages.success(request, _("The incident is open again."))
    return redirect("students:incident_detail", pk=incident.pk)


def _incident_refused(
    request: HttpRequest, incident: Incident, error: ValidationError
) -> HttpResponse:
    # The incident changed under the form (resolved or reopened meanwhile): say why
    # and show it as it is now.
    messages.error(request, " ".join(error.messages))
    return redirect("students:incident_detail", pk=incident.pk)


# --- At-risk flags --------------------------------------------------------------------

FLAG_PAGE_SIZE = 25


@require_GET
@role_required(*LOOKING_AFTER_STUDENTS)
def flag_list(request: HttpRequest) -> HttpResponse:
    """Open at-risk flags this person may see, oldest unacknowledged first: a
    mentor's own students, a supervisor's team, everyone for staff. Filtered by
    severity, by acknowledged or not and, for supervisors and staff, by mentor."""
    user = request.user
    mentors = None
    if user.role != Role.MENTOR:
        mentors = mentors_visible_to(user).order_by("display_name", "email")
    form = FlagFilterForm(request.GET or None, mentors=mentors)
    filters = form.cleaned_data if form.is_valid() else {}
    flags = selectors.flags_open_queue(selectors.flags_visible_to(user))
    if filters.get("severity"):
        flags = flags.filter(severity=filters["severity"])
    if filters.get("acknowledged"):
        flags = flags.filter(acknowledged_at__isnull=filters["acknowledged"] == "no")
    if filters.get("mentor"):
        flags = flags.filter(mentor_id=filters["mentor"].pk)
    page = Paginator(flags, FLAG_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "students/flag_list.html",
        {
            "form": form,
            "filtered": any(filters.values()),
            "page": page,
            "rows": [(flag, selectors.flag_reasons(flag)) for flag in page.object_list],
            "query": query.urlencode(),
        },
    )


def _flag_context(
    request: HttpRequest,
    student: User,
    *,
    outreach_form: FlagOutreachForm | None = None,
    verdict_form: FlagVerdictForm | None = None,
    flag_error: str = "",
) -> dict:
    """What the flag card on the student's file shows: the open flag (or the latest
    resolved one) with its reasons, weekly chart, outreach and forms. Nothing for a
    student, who never sees flags."""
    flag = selectors.student_flag(request.user, student=student)
    if flag is None:
        return {"flag": None}
    return {
        "flag": flag,
        "flag_reasons": selectors.flag_reasons(flag),
        "flag_chart": selectors.flag_activity_chart(flag=flag),
        "outreach_form": outreach_form or FlagOutreachForm(prefix="outreach"),
        "verdict_form": verdict_form or FlagVerdictForm(initial={"verdict": flag.verdict}),
        "flag_error": flag_error,
    }


def _flag_answer(
    request: HttpRequest,
    flag: RiskFlag,
    *,
    done: str = "",
    status: int = 200,
    **flag_forms,
) -> HttpResponse:
    """After an action on a flag: htmx gets the flag card again; a plain form post
    is redirected to the file (or, with errors, gets the whole file back)."""
    student = flag.student
    if request.htmx:
        context = {"student": student, **_flag_context(request, student, **flag_forms)}
        if done:
            context["flag_done"] = done
        return render(request, "students/_flag_card.html", context, status=status)
    if status == 200:
        messages.success(request, done)
        return redirect(reverse("students:file", args=[student.pk]) + "#flag")
    if "flag_error" in flag_forms:
        messages.error(request, flag_forms["flag_error"])
        return redirect(reverse("students:file", args=[student.pk]) + "#flag")
    student = selectors.student_for_user(request.user, student.pk)
    return _render_file(request, student, note_form=None, status=status, **flag_forms)


def _refused(error: ValidationError) -> str:
    return " ".join(error.messages)


@require_POST
@role_required(*LOOKING_AFTER_STUDENTS)
def flag_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    flag = selectors.flag_for_user(request.user, pk)
    try:
        services.flag_acknowledge(flag=flag, by=request.user)
    except ValidationError as error:
        return _flag_answer(request, flag, status=400, flag_error=_refused(error))
    return _flag_answer(request, flag, done=_("The flag is acknowledged."))


@require_POST
@role_required(*LOOKING_AFTER_STUDENTS)
def flag_outreach(request: HttpRequest, pk: int) -> HttpResponse:
    flag = selectors.flag_for_user(request.user, pk)
    form = FlagOutreachForm(request.POST, prefix="outreach")
    if form.is_valid():
        try:
            services.flag_outreach_log(
                flag=flag,
                by=request.user,
                kind=form.cleaned_data["kind"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                return _flag_answer(request, flag, status=400, flag_error=_refused(error))
            form.add_service_error(error)
        else:
            return _flag_answer(request, flag, done=_("The outreach is logged."))
    return _flag_answer(request, flag, status=400, outreach_form=form)


@require_POST
@role_required(*LOOKING_AFTER_STUDENTS)
def flag_verdict(request: HttpRequest, pk: int) -> HttpResponse:
    flag = selectors.flag_for_user(request.user, pk)
    form = FlagVerdictForm(request.POST)
    if form.is_valid():
        try:
            services.flag_verdict_set(
                flag=flag, by=request.user, verdict=form.cleaned_data["verdict"]
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            return _flag_answer(request, flag, done=_("Thank you: the verdict is saved."))
    return _flag_answer(request, flag, status=400, verdict_form=form)
