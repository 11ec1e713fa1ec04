"""The mentor's list of students and one student's file."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from mentorship.decorators import role_required
from mentorship.models import Role, User
from mentorship.selectors import assignment_history, assigns_mentors
from projects.selectors import student_progress, students_progress

from .. import selectors, services
from ..charts import flag_activity_chart
from ..flags import flag_activity_since, flag_reasons, student_flag
from ..forms import (
    FlagOutreachForm,
    FlagVerdictForm,
    MentorNoteForm,
    StudentFilterForm,
    TimelineFilterForm,
)

LIST_PAGE_SIZE = 25


TIMELINE_PAGE_SIZE = 20


LOOKING_AFTER_STUDENTS = (Role.MENTOR, Role.SUPERVISOR, Role.STAFF)


@require_GET
@role_required(*LOOKING_AFTER_STUDENTS)
def student_list(request: HttpRequest) -> HttpResponse:
    """The students this person looks after, with their progress against plan, last
    activity and waiting submissions; filtered and sorted."""
    user = request.user
    programmes = selectors.student_list_programmes(user)
    form = StudentFilterForm(
        request.GET or None,
        programmes=programmes,
        mentors=selectors.student_list_mentors(user),
    )
    # A refused field is named beside it; the others still apply.
    form.is_valid()
    filters = getattr(form, "cleaned_data", {})
    students = selectors.student_list(
        user,
        search=filters.get("q") or "",
        mentor_id=filters["mentor"].pk if filters.get("mentor") else None,
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
                filters.get("q")
                or filters.get("mentor")
                or filters.get("status")
                or filters.get("programme")
                or filters.get("behind")
                or filters.get("flagged")
            ),
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            # Staff and supervisors set the mentor from the row, and come back here.
            "assigns": assigns_mentors(user),
            "back": urlencode({"next": request.get_full_path()}),
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
    flag = student_flag(request.user, student=student)
    if flag is None:
        return {"flag": None}
    return {
        "flag": flag,
        "flag_reasons": flag_reasons(flag),
        # ``student`` carries ``last_active_on`` (``selectors.student_for_user``).
        "flag_activity_since": flag_activity_since(flag, last_active_on=student.last_active_on),
        "flag_chart": flag_activity_chart(flag=flag),
        "outreach_form": outreach_form or FlagOutreachForm(prefix="outreach"),
        "verdict_form": verdict_form or FlagVerdictForm(initial={"verdict": flag.verdict}),
        "flag_error": flag_error,
    }
