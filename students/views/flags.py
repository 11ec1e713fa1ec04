"""At-risk flags: the queue, and what a mentor does about a flag."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from mentorship.decorators import role_required
from mentorship.models import Role
from mentorship.selectors import mentors_visible_to

from .. import flags as flag_rules
from .. import selectors
from ..forms import (
    FlagFilterForm,
    FlagOutreachForm,
    FlagVerdictForm,
)
from ..models import RiskFlag
from .students import LOOKING_AFTER_STUDENTS, _flag_context, _render_file

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
    form = FlagFilterForm(
        request.GET or None, mentors=mentors, mentor_by_link=user.role == Role.STAFF
    )
    filters = form.cleaned_data if form.is_valid() else {}
    flags = flag_rules.flags_open_queue(flag_rules.flags_visible_to(user))
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
            "rows": [(flag, flag_rules.flag_reasons(flag)) for flag in page.object_list],
            "query": query.urlencode(),
        },
    )


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
        # With its last activity, which the card sets beside the flag's reasons.
        student = selectors.student_for_user(request.user, student.pk)
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
    flag = flag_rules.flag_for_user(request.user, pk)
    try:
        flag_rules.flag_acknowledge(flag=flag, by=request.user)
    except ValidationError as error:
        return _flag_answer(request, flag, status=400, flag_error=_refused(error))
    return _flag_answer(request, flag, done=_("The flag is acknowledged."))


@require_POST
@role_required(*LOOKING_AFTER_STUDENTS)
def flag_outreach(request: HttpRequest, pk: int) -> HttpResponse:
    flag = flag_rules.flag_for_user(request.user, pk)
    form = FlagOutreachForm(request.POST, prefix="outreach")
    if form.is_valid():
        try:
            flag_rules.flag_outreach_log(
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
    flag = flag_rules.flag_for_user(request.user, pk)
    form = FlagVerdictForm(request.POST)
    if form.is_valid():
        try:
            flag_rules.flag_verdict_set(
                flag=flag, by=request.user, verdict=form.cleaned_data["verdict"]
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            return _flag_answer(request, flag, done=_("Thank you: the verdict is saved."))
    return _flag_answer(request, flag, status=400, verdict_form=form)
