"""Second reading: a supervisor reads a few of their mentors' recent reviews and rates
each 1-5 with a comment, so the quality of a mentor's reviews is judged by a person
and not only counted.

This module owns who may read a review as second reader (``second_reading_mentors``,
``reviews_readable_by``, ``review_for_second_reading``, ``may_second_read_review``),
the sample put before them (``second_reading_sample``), the rating itself
(``second_reading_record``) and the figures the ratings make for a mentor
(``second_reading_figures``, which the scorecard reads too).

Who reads: a supervisor the reviews written by the mentors of their team, staff those of
every mentor. Mentors and students read none as second reader, and nobody rates their
own review. A reader rates a review once; rating it again replaces their rating."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html import unescape

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg, Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from mentorship.access import NotAllowed
from mentorship.models import Role, User
from mentorship.selectors import mentors_visible_to
from mentorship.text import render_markdown
from projects.models import CriterionVerdict, Review
from projects.selectors import submissions_visible_to

from .models import SecondReading

SECOND_READER_ROLES = (Role.SUPERVISOR, Role.STAFF)

RATINGS = (1, 2, 3, 4, 5)

# The sample: this many of each mentor's most recent reviews, written in the last
# this many days, that the reader has not rated yet.
SAMPLE_PER_MENTOR = 3
SAMPLE_DAYS = 30

# "Recent" in a mentor's rating summary beside a review: the ratings of the last 90 days.
SUMMARY_DAYS = 90

# The opening of a review's feedback the sample shows: its first lines, cut short.
OPENING_LINES = 3
OPENING_CHARS = 280


# --- Who reads ------------------------------------------------------------------------


def second_reading_mentors(user: User) -> QuerySet[User]:
    """The mentors whose reviews this person may read as second reader: a supervisor
    their team (``mentors_visible_to``), staff every mentor; nobody else any."""
    if not user.is_authenticated or not user.is_active or user.role not in SECOND_READER_ROLES:
        return User.objects.none()
    return mentors_visible_to(user)


def reviews_readable_by(user: User) -> QuerySet[Review]:
    """Reviews this person may read and rate as second reader: those written by the
    mentors of ``second_reading_mentors``, never their own."""
    return Review.objects.filter(reviewer__in=second_reading_mentors(user).values("pk")).exclude(
        reviewer_id=user.pk
    )


def review_for_second_reading(user: User, pk: int) -> Review:
    """One review this person may read as second reader, with its submission, project,
    student, reviewer and criterion verdicts loaded; 404 for anything else."""
    review = (
        reviews_readable_by(user)
        .select_related("submission__project__programme", "submission__student", "reviewer")
        .prefetch_related(
            Prefetch("verdicts", queryset=CriterionVerdict.objects.select_related("criterion"))
        )
        .filter(pk=pk)
        .first()
    )
    if review is None:
        raise Http404
    return review


def may_second_read_review(user: User, *, review: Review) -> bool:
    """Whether this person may rate the review as second reader."""
    return reviews_readable_by(user).filter(pk=review.pk).exists()


def _refusal(user: User, review: Review) -> NotAllowed:
    """Refused (403) to whoever may see the review some other way (its author, the
    student's supervisor when someone outside the team wrote it), hidden (404) from
    everyone else."""
    if review.reviewer_id == user.pk:
        message = _("Nobody rates their own review.")
    else:
        message = _("Only the reviewer's supervisor or staff rate this review.")
    visible = Review.objects.filter(
        Q(submission__in=submissions_visible_to(user).values("pk")) | Q(reviewer_id=user.pk)
    )
    return NotAllowed.unless_visible(message, visible=visible, pk=review.pk)


# --- The sample -----------------------------------------------------------------------


def feedback_opening(feedback: str) -> str:
    """The first lines of a review's feedback as plain text (the Markdown rendered and
    its tags dropped), cut short with an ellipsis when there is more."""
    text = unescape(strip_tags(render_markdown(feedback)))
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    opening = "\n".join(lines[:OPENING_LINES])
    shortened = Truncator(opening).chars(OPENING_CHARS)
    if len(lines) > OPENING_LINES and shortened == opening:
        shortened += "…"
    return shortened


@dataclass
class SampledReview:
    review: Review
    opening: str  # the first lines of the feedback (``feedback_opening``)


@dataclass
class SampleGroup:
    """One mentor's part of the sample: their reviews to read, newest first, and what
    second readers made of their reviews over the same days."""

    mentor: User
    reviews: list[SampledReview] = field(default_factory=list)
    figures: dict = field(default_factory=dict)  # ``second_reading_figures``' entry


@dataclass
class SecondReadingSample:
    start: datetime
    end: datetime
    per_mentor: int
    days: int
    groups: list[SampleGroup]

    @property
    def review_count(self) -> int:
        return sum(len(group.reviews) for group in self.groups)


def sample_mentors(user: User) -> QuerySet[User]:
    """The mentors a sample covers by default: the active ones of
    ``second_reading_mentors``, by name."""
    return second_reading_mentors(user).filter(is_active=True).order_by("display_name", "email")


def second_reading_sample(
    *,
    reader: User,
    per_mentor: int = SAMPLE_PER_MENTOR,
    days: int = SAMPLE_DAYS,
    now: datetime | None = None,
    mentors=None,
) -> SecondReadingSample:
    """For each mentor (``mentors``: ``sample_mentors(reader)`` or a page or a part of
    it, as the page passes when there are many), their ``per_mentor`` most recent
    reviews written in the last ``days`` days up to ``now`` that ``reader`` has not
    rated yet, with their submission, project, student and reviewer; and the mentor's
    second-reading figures over the same days. The reviews are only ever those of
    ``reviews_readable_by(reader)``. Three queries whatever the number of mentors (two
    when ``mentors`` is a list already): the mentors, the reviews numbered per mentor
    by a window function (the newest first), the figures."""
    now = now or timezone.now()
    start = now - timedelta(days=days)
    mentors = list(sample_mentors(reader) if mentors is None else mentors)
    sample = SecondReadingSample(start=start, end=now, per_mentor=per_mentor, days=days, groups=[])
    if not mentors:
        return sample
    groups = {mentor.pk: SampleGroup(mentor=mentor) for mentor in mentors}
    rated = SecondReading.objects.filter(review=OuterRef("pk"), reader=reader)
    reviews = (
        reviews_readable_by(reader)
        .filter(reviewer_id__in=list(groups), created_at__gte=start, created_at__lte=now)
        .filter(~Exists(rated))
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=F("reviewer_id"),
                order_by=[F("created_at").desc(), F("pk").desc()],
            )
        )
        .filter(rank__lte=per_mentor)
        .select_related("submission__project", "submission__student", "reviewer")
        .order_by("reviewer_id", "-created_at", "-pk")
    )
    for review in reviews:
        groups[review.reviewer_id].reviews.append(
            SampledReview(review=review, opening=feedback_opening(review.feedback))
        )
    figures = second_reading_figures(mentor_ids=list(groups), start=start, end=now)
    for mentor_id, group in groups.items():
        group.figures = figures[mentor_id]
    sample.groups = list(groups.values())
    return sample


# --- The rating -----------------------------------------------------------------------


def second_reading_record(
    *, review: Review, reader: User, rating, comment: str = ""
) -> SecondReading:
    """The reader rates one review 1-5, with a comment if they like. Only a second
    reader of the review may (``may_second_read_review``: the reviewer's supervisor or
    staff, never its author); a reader rates a review once, so rating it again
    replaces their earlier rating, comment and time."""
    if not may_second_read_review(reader, review=review):
        raise _refusal(reader, review)
    if isinstance(rating, bool) or rating not in RATINGS:
        raise ValidationError({"rating": _("Rate the review from 1 to 5.")})
    comment = (comment or "").strip()
    longest = SecondReading._meta.get_field("comment").max_length
    if len(comment) > longest:
        raise ValidationError(
            {
                "comment": _("Keep the comment within %(longest)d characters.")
                % {"longest": longest}
            }
        )
    with transaction.atomic():
        reading, _created = SecondReading.objects.update_or_create(
            review=review,
            reader=reader,
            defaults={"rating": rating, "comment": comment, "created_at": timezone.now()},
        )
    return reading


def second_readings_of(review: Review) -> QuerySet[SecondReading]:
    """The ratings a review has had, newest first, with their readers."""
    return review.second_readings.select_related("reader").order_by("-created_at", "-pk")


# --- Figures --------------------------------------------------------------------------


def _no_figures() -> dict:
    return {"n": 0, "mean": None, "counts": dict.fromkeys(RATINGS, 0)}


def second_readings_between(*, start: datetime, end: datetime) -> QuerySet[SecondReading]:
    """The ratings that count in [``start``, ``end``): by when the rating was given (a
    replaced rating at its new time), each for the review's author. The one rule for
    these figures and the scorecard's ``second_reading``."""
    return SecondReading.objects.filter(created_at__gte=start, created_at__lt=end)


def second_reading_figures(*, mentor_ids, start: datetime, end: datetime) -> dict[int, dict]:
    """Per mentor, what second readers made of their reviews in [``start``, ``end``)
    (by when the rating was given, a replaced rating at its new time): ``n`` ratings,
    their ``mean`` (1-5, higher is better; None with no ratings) and ``counts`` of each
    rating. Every mentor asked for has an entry. One query."""
    mentor_ids = list(mentor_ids)
    figures = {mentor_id: _no_figures() for mentor_id in mentor_ids}
    if not mentor_ids:
        return figures
    rows = (
        second_readings_between(start=start, end=end)
        .filter(review__reviewer_id__in=mentor_ids)
        .order_by()
        .values("review__reviewer_id")
        .annotate(
            n=Count("pk"),
            mean=Avg("rating"),
            **{f"rated_{value}": Count("pk", filter=Q(rating=value)) for value in RATINGS},
        )
    )
    for row in rows:
        figures[row["review__reviewer_id"]] = {
            "n": row["n"],
            "mean": row["mean"],
            "counts": {value: row[f"rated_{value}"] for value in RATINGS},
        }
    return figures


def second_reading_summary(*, mentor: User, now: datetime | None = None) -> dict:
    """A mentor's ratings of the last ``SUMMARY_DAYS`` days (``second_reading_figures``),
    shown beside one of their reviews."""
    now = now or timezone.now()
    start = now - timedelta(days=SUMMARY_DAYS)
    figures = second_reading_figures(mentor_ids=[mentor.pk], start=start, end=now)[mentor.pk]
    return {**figures, "days": SUMMARY_DAYS}
