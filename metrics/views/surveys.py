"""The students' survey: the student answers theirs; supervisors and staff read the
answers, comments included (mentors do not)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from mentorship.decorators import role_required
from mentorship.models import Role
from mentorship.selectors import mentors_visible_to

from .. import surveys
from ..forms import SurveyAnswerFilterForm, SurveyFollowUpForm, SurveyScoreForm

SURVEY_ANSWERS_PAGE_SIZE = 25


def _render_survey(
    request, survey, *, score_form=None, follow_up_form=None, status: int = 200
) -> HttpResponse:
    is_open = surveys.survey_is_open(survey, day=surveys.student_today(request.user))
    asks_follow_up = is_open and survey.score is not None
    if asks_follow_up and follow_up_form is None:
        follow_up_form = SurveyFollowUpForm(
            initial={"plans_to_continue": survey.plans_to_continue, "comment": survey.comment}
        )
    # What the service refused, above the questions: the score's buttons show no
    # errors of their own, and the follow-up form's show only where it is asked.
    refused = score_form or (None if asks_follow_up else follow_up_form)
    return render(
        request,
        "metrics/survey.html",
        {
            "survey": survey,
            "is_open": is_open,
            "last_day": surveys.survey_last_day(survey),
            "scores": range(11),
            "follow_up_form": follow_up_form if asks_follow_up else None,
            "refusals": [
                message
                for field_errors in (refused.errors if refused else {}).values()
                for message in field_errors
            ],
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The student's survey: the score in one click (a button per score), then,
    optionally, their plans and a comment. Only the student it was sent to may open
    it; everyone else 404."""
    survey = surveys.survey_for_user(request.user, pk)
    if request.method == "GET":
        return _render_survey(request, survey)
    if "score" in request.POST:
        form, form_name = SurveyScoreForm(request.POST), "score_form"
        done = _("Thank you: your score is recorded.")
    else:
        form, form_name = SurveyFollowUpForm(request.POST), "follow_up_form"
        done = _("Thank you: your answers are saved.")
    if form.is_valid():
        try:
            surveys.survey_answer(survey=survey, student=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, done)
            return redirect("metrics:survey", pk=survey.pk)
    return _render_survey(request, survey, status=400, **{form_name: form})


@role_required(Role.SUPERVISOR, Role.STAFF)
@require_GET
def survey_comments(request: HttpRequest) -> HttpResponse:
    """What students answered in their surveys, comments included, newest first: a
    supervisor about their team's mentors, staff about all. Filtered by mentor and by
    the period answered in (on the reader's calendar)."""
    mentors = list(mentors_visible_to(request.user).order_by("display_name", "email"))
    form = SurveyAnswerFilterForm(request.GET or None, mentors=mentors)
    filters = form.cleaned_data if form.is_valid() else {}
    period = filters.get("period")
    start, end = period.bounds(request.user.zone) if period else (None, None)
    answers = surveys.survey_answers_listed(
        surveys.survey_answers_visible_to(request.user),
        mentor_id=filters.get("mentor"),
        answered_from=start,
        answered_before=end,
    )
    if form.errors:
        answers = answers.none()
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "metrics/survey_comments.html",
        {
            "form": form,
            "filtered": bool(filters.get("mentor") or period),
            "page": Paginator(answers, SURVEY_ANSWERS_PAGE_SIZE).get_page(request.GET.get("page")),
            "query": query.urlencode(),
        },
        status=400 if form.errors else 200,
    )
