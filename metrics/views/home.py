"""The home page of each role: what needs doing today, drawn from every area."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from mentorship.models import Role
from mentorship.selectors import (
    current_mentor,
    mentor_current_students,
    mentors_with_load,
)
from projects.selectors import student_progress
from students.flags import flag_reasons, flags_open_counts, flags_open_queue, flags_visible_to

from .. import selectors
from ..surveys import survey_waiting

# The mentor's home lists this many flags needing attention; the rest are a link away.
HOME_FLAGS = 10


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on what it comes to do."""
    user = request.user
    context: dict = {}
    if user.role == Role.STUDENT:
        context["mentor"] = current_mentor(student=user)
        context["profile"] = getattr(user, "student_profile", None)
        context["progress"] = student_progress(student=user)
        context["survey"] = survey_waiting(student=user)
    elif user.role == Role.MENTOR:
        context["students"] = mentor_current_students(mentor=user)
        context["profile"] = getattr(user, "mentor_profile", None)
        context["flag_rows"] = [
            (flag, flag_reasons(flag))
            for flag in flags_open_queue(flags_visible_to(user))[:HOME_FLAGS]
        ]
    elif user.role == Role.SUPERVISOR:
        context["mentors"] = mentors_with_load(
            selectors.mentors_visible_to(user).filter(is_active=True)
        )
        context["flag_counts"] = flags_open_counts(user)
    else:
        figures = selectors.staff_home_figures(user)
        context["figures"] = figures
        context["overview"] = figures.overview
        context["mentors"] = figures.fullest
    return render(request, f"metrics/home_{user.role}.html", context)
