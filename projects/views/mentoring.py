"""What mentors do beyond reviews: recommending programmes and courses to their
students, and the student's answer."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mentorship.decorators import role_required
from mentorship.models import Role
from mentorship.selectors import students_visible_to

from .. import recommendations as recommendation_rules
from ..forms import RecommendationForm
from ..models import RecommendationStatus

PAGE_SIZE = 25

# --- Recommendations ------------------------------------------------------------------


@require_GET
def recommendation_list(request: HttpRequest) -> HttpResponse:
    """The student's "Recommended for you"; the recommendations a mentor made, their
    team's for a supervisor, all for staff."""
    recommendations = recommendation_rules.recommendations_visible_to(request.user)
    page = Paginator(recommendations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "projects/recommendation_list.html", {"page": page})


@role_required(Role.MENTOR)
@require_http_methods(["GET", "POST"])
def recommendation_create(request: HttpRequest) -> HttpResponse:
    students = students_visible_to(request.user).order_by("display_name", "email")
    form = RecommendationForm(request.POST or None, students=students)
    if request.method == "POST" and form.is_valid():
        try:
            recommendation = recommendation_rules.recommendation_create(
                mentor=request.user,
                student=form.cleaned_data["student"],
                programme=form.cleaned_data["programme"],
                course_title=form.cleaned_data["course_title"],
                course_url=form.cleaned_data["course_url"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Your recommendation is sent to the student."))
            return redirect("projects:recommendation", pk=recommendation.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "projects/recommendation_form.html", {"form": form}, status=status)


@require_GET
def recommendation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation = recommendation_rules.recommendation_for_user(request.user, pk)
    can_answer = recommendation.student_id == request.user.pk and recommendation.status in (
        RecommendationStatus.PENDING,
        RecommendationStatus.ACCEPTED,
        RecommendationStatus.DECLINED,
    )
    return render(
        request,
        "projects/recommendation_detail.html",
        {"recommendation": recommendation, "can_answer": can_answer},
    )


@role_required(Role.STUDENT)
@require_POST
def recommendation_answer(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation = recommendation_rules.recommendation_for_user(request.user, pk)
    answer = request.POST.get("answer")
    if answer not in ("accept", "decline"):
        messages.error(request, _("Choose to accept or decline."))
        return redirect("projects:recommendation", pk=pk)
    try:
        recommendation_rules.recommendation_answer(
            recommendation=recommendation, student=request.user, accept=answer == "accept"
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Thank you, your mentor is told."))
    return redirect("projects:recommendation", pk=pk)
