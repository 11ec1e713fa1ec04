"""Question patterns: what students ask, where, how fast it is answered, and what the
knowledge base still lacks (the figures are ``knowledge_base.patterns``)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.timesince import timesince
from django.views.decorators.http import require_GET

from mentorship.decorators import role_required
from mentorship.models import Role

from .. import patterns
from ..forms import PatternFilterForm
from ..questions import programmes_of

PATTERN_ROLES = (Role.MENTOR, Role.SUPERVISOR, Role.STAFF)


@require_GET
@role_required(*PATTERN_ROLES)
def pattern_overview(request: HttpRequest) -> HttpResponse:
    """The patterns of the questions this person may see in their programmes, over the
    period and programme they pick, split by programme, project or topic."""
    user = request.user
    form = PatternFilterForm(request.GET or None, programmes=programmes_of(user))
    form.is_valid()  # the fields that are valid apply; the others keep their defaults
    filters = getattr(form, "cleaned_data", {})
    scope = patterns.PatternScope.last(
        filters.get("period") or patterns.DEFAULT_PERIOD_DAYS,
        user=user,
        programme=filters.get("programme"),
    )
    counts = patterns.question_counts(
        user, scope, split=filters.get("split") or patterns.Split.PROJECT
    )
    answer_times = patterns.answer_times(user, scope)
    return render(
        request,
        "knowledge_base/patterns.html",
        {
            "form": form,
            "filtered": form.is_bound,
            "scope": scope,
            "counts": counts,
            "chart": patterns.question_chart(counts),
            "questions_url": patterns.questions_url(scope.filters()),
            "answer_times": answer_times,
            "median_wait": _duration(answer_times.median),
            "unanswered_url": patterns.questions_url(scope.filters(status="open")),
            "deflection": patterns.deflection_rate(user, scope),
            "no_article_url": patterns.questions_url(scope.filters(no_article=1)),
            "groups": patterns.repeated_questions(user, scope),
            "uncovered": patterns.topics_not_covered(user, scope),
        },
    )


def _duration(wait) -> str:
    """A wait in the largest two units ("2 days, 3 hours"), in the page's language."""
    if wait is None:
        return ""
    now = timezone.now()
    return timesince(now - wait, now, depth=2)
