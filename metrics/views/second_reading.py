"""Second reading: the sample of recent reviews a supervisor reads, one review in full,
and the rating (the rules are ``metrics.second_reading``)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from mentorship.decorators import role_required
from mentorship.models import Role, User
from mentorship.redirects import local_url
from projects.models import Review

from .. import second_reading as reading_rules
from ..forms import SecondReadingFilterForm, SecondReadingForm

# Mentors per page of the sample: staff read the whole school, a page at a time.
SAMPLE_MENTORS_PER_PAGE = 10


@require_GET
@role_required(*reading_rules.SECOND_READER_ROLES)
def second_reading(request: HttpRequest) -> HttpResponse:
    """The sample: for each mentor the person reads (their team; staff every mentor, a
    page at a time, narrowed to a team or a mentor), a few recent reviews not rated
    yet, each with the form to rate it."""
    user = request.user
    mentors = list(reading_rules.sample_mentors(user).select_related("mentor_profile"))
    teams = None
    if user.role == Role.STAFF:
        teams = list(User.objects.filter(role=Role.SUPERVISOR).order_by("display_name", "email"))
    form = SecondReadingFilterForm(request.GET or None, mentors=mentors, teams=teams)
    filters = form.cleaned_data if form.is_valid() else {}
    shown = mentors
    if filters.get("team"):
        shown = [mentor for mentor in shown if _supervisor_id(mentor) == filters["team"]]
    if filters.get("mentor"):
        shown = [mentor for mentor in shown if mentor.pk == filters["mentor"]]
    page = Paginator(shown, SAMPLE_MENTORS_PER_PAGE).get_page(request.GET.get("page"))
    sample = reading_rules.second_reading_sample(reader=user, mentors=page.object_list)
    return render(
        request,
        "metrics/second_reading.html",
        {
            "form": form,
            "filtered": any(filters.values()),
            "sample": sample,
            "page": page,
            "query": urlencode({name: value or "" for name, value in filters.items()}),
        },
        status=400 if form.errors else 200,
    )


def _supervisor_id(mentor: User) -> int | None:
    profile = getattr(mentor, "mentor_profile", None)
    return profile.supervisor_id if profile is not None else None


def _review_context(request: HttpRequest, review: Review, **extra) -> dict:
    mine = next(
        (reading for reading in extra["readings"] if reading.reader_id == request.user.pk), None
    )
    return {
        "review": review,
        "submission": review.submission,
        "mine": mine,
        "summary": reading_rules.second_reading_summary(mentor=review.reviewer),
        **extra,
    }


@require_GET
@role_required(*reading_rules.SECOND_READER_ROLES)
def second_reading_review(request: HttpRequest, pk: int) -> HttpResponse:
    """One review in full (feedback, criterion verdicts, the attempt it judged), the
    ratings it has had, the mentor's recent ratings, and the form to rate it."""
    review = reading_rules.review_for_second_reading(request.user, pk)
    readings = list(reading_rules.second_readings_of(review))
    return render(
        request,
        "metrics/second_reading_review.html",
        _review_context(request, review, readings=readings),
    )


def _back(request: HttpRequest, review: Review) -> str:
    """Where a plain form post returns: the page it came from (``next``), else the
    review."""
    default = reverse("metrics:second_reading_review", args=[review.pk])
    return local_url(request, request.POST.get("next", ""), default)


@require_POST
@role_required(*reading_rules.SECOND_READER_ROLES)
def second_reading_rate(request: HttpRequest, pk: int) -> HttpResponse:
    """Rate a review (again: the new rating replaces the reader's earlier one). htmx
    gets the rating block back; a plain post returns to the page it came from."""
    review = reading_rules.review_for_second_reading(request.user, pk)
    form = SecondReadingForm(request.POST)
    if form.is_valid():
        try:
            reading = reading_rules.second_reading_record(
                review=review, reader=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            if request.htmx:
                return render(
                    request,
                    "metrics/_second_reading_rating.html",
                    {
                        "review": review,
                        "mine": reading,
                        "saved": True,
                        "next": _back(request, review),
                    },
                )
            messages.success(
                request,
                _("Your rating of %(review)s is saved: %(rating)d of 5.")
                % {"review": review.submission.project.title, "rating": reading.rating},
            )
            return redirect(_back(request, review))
    chosen = request.POST.get("rating", "")
    if request.htmx:
        return render(
            request,
            "metrics/_second_reading_rating.html",
            {"review": review, "form": form, "chosen": chosen, "next": _back(request, review)},
            status=400,
        )
    readings = list(reading_rules.second_readings_of(review))
    return render(
        request,
        "metrics/second_reading_review.html",
        _review_context(request, review, readings=readings, form=form, chosen=chosen),
        status=400,
    )
