"""The home page of each role: what needs doing today, drawn from every area
(``metrics.home``)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from mentorship.models import Role
from mentorship.selectors import current_mentor, mentors_with_load

from .. import home as days
from .. import selectors
from ..surveys import survey_waiting


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on what it comes to do."""
    user = request.user
    context: dict = {}
    if user.role == Role.STUDENT:
        context["day"] = days.student_day(user)
        context["mentor"] = current_mentor(student=user)
        context["profile"] = getattr(user, "student_profile", None)
        context["survey"] = survey_waiting(student=user)
    elif user.role == Role.MENTOR:
        context["day"] = days.mentor_day(user)
        context["profile"] = getattr(user, "mentor_profile", None)
    elif user.role == Role.SUPERVISOR:
        context["queues"] = days.queue_ages(user)
        context["mentors"] = mentors_with_load(
            selectors.mentors_visible_to(user).filter(is_active=True)
        )
    else:
        context["queues"] = days.queue_ages(user)
        figures = selectors.staff_home_figures(user)
        context["figures"] = figures
        context["overview"] = figures.overview
        context["mentors"] = figures.fullest
    return render(request, f"metrics/home_{user.role}.html", context)
