"""Recommendations: a mentor recommends an additional programme or course to one of
their students, the student answers, and the portal tracks it to enrolment. Who
sees one, who may make or answer one, the writes, and the uptake a scorecard counts."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mentorship.access import NotAllowed
from mentorship.messages import translated_param
from mentorship.models import Role, User
from mentorship.notifications import notification_send
from mentorship.selectors import students_visible_to

from .models import Programme, Recommendation, RecommendationStatus


def recommendations_visible_to(user: User) -> QuerySet[Recommendation]:
    """A student sees those made to them; a mentor those they made; a supervisor those
    their team's mentors made; staff all."""
    recommendations = Recommendation.objects.select_related("mentor", "student", "programme")
    if not user.is_authenticated or not user.is_active:
        return recommendations.none()
    if user.role == Role.STAFF:
        return recommendations
    if user.role == Role.STUDENT:
        return recommendations.filter(student=user)
    if user.role == Role.MENTOR:
        return recommendations.filter(mentor=user)
    if user.role == Role.SUPERVISOR:
        return recommendations.filter(mentor__mentor_profile__supervisor=user)
    return recommendations.none()


def may_recommend_to(user: User, *, student: User) -> bool:
    """Whether this person may recommend a programme or course to the student: a
    mentor, to one of their current students."""
    return (
        user.is_authenticated
        and user.role == Role.MENTOR
        and students_visible_to(user).filter(pk=student.pk).exists()
    )


def recommendation_for_user(user: User, pk: int) -> Recommendation:
    try:
        return recommendations_visible_to(user).get(pk=pk)
    except Recommendation.DoesNotExist as error:
        raise Http404 from error


def recommendation_uptake(*, mentor_ids) -> dict[int, dict[str, int]]:
    """For the scorecard: per mentor, recommendations made, accepted (including those
    that led to an enrolment) and enrolled, in one query. Mentors with none get zeros."""
    rows = (
        Recommendation.objects.filter(mentor_id__in=mentor_ids)
        .values("mentor_id")
        .annotate(
            made=Count("pk"),
            accepted=Count(
                "pk",
                filter=Q(
                    status__in=[RecommendationStatus.ACCEPTED, RecommendationStatus.ENROLLED]
                ),
            ),
            enrolled=Count("pk", filter=Q(status=RecommendationStatus.ENROLLED)),
        )
        .order_by()
    )
    uptake = {mentor_id: {"made": 0, "accepted": 0, "enrolled": 0} for mentor_id in mentor_ids}
    for row in rows:
        uptake[row["mentor_id"]] = {
            "made": row["made"],
            "accepted": row["accepted"],
            "enrolled": row["enrolled"],
        }
    return uptake


def recommendation_create(
    *,
    mentor: User,
    student: User,
    programme: Programme | None = None,
    course_title: str = "",
    course_url: str = "",
    note: str = "",
) -> Recommendation:
    """A mentor recommends a programme or an external course to one of their current
    students; the student is told."""
    if not may_recommend_to(mentor, student=student):
        raise NotAllowed.unless_visible(
            _("Only mentors recommend programmes.")
            if mentor.role != Role.MENTOR
            else _("You can only recommend to your own students."),
            visible=students_visible_to(mentor),
            pk=student.pk,
        )
    recommendation = Recommendation(
        mentor=mentor,
        student=student,
        programme=programme,
        course_title=course_title.strip(),
        course_url=course_url.strip(),
        note=note,
    )
    recommendation.full_clean()
    with transaction.atomic():
        recommendation.save()
        notification_send(
            user=student,
            kind="recommendation",
            title=gettext_lazy("%(mentor)s recommends %(title)s to you"),
            url=reverse("projects:recommendation", args=[recommendation.pk]),
            params={"mentor": str(mentor), "title": _target_param(recommendation)},
        )
    return recommendation


def _target_param(recommendation: Recommendation):
    """What is recommended, for a notification: a programme's title in the reader's
    language; a course's title as the mentor typed it."""
    if recommendation.programme_id:
        return translated_param(recommendation.programme, "title")
    return recommendation.course_title


def recommendation_answer(
    *, recommendation: Recommendation, student: User, accept: bool
) -> Recommendation:
    """The student accepts or declines a recommendation made to them; the mentor is
    told. Answering again with the same answer changes nothing."""
    if recommendation.student_id != student.pk:
        raise NotAllowed.unless_visible(
            _("Only the student can answer this recommendation."),
            visible=recommendations_visible_to(student),
            pk=recommendation.pk,
        )
    status = RecommendationStatus.ACCEPTED if accept else RecommendationStatus.DECLINED
    with transaction.atomic():
        recommendation = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
        if recommendation.status == status:
            return recommendation
        if recommendation.status == RecommendationStatus.ENROLLED:
            raise ValidationError({"status": _("You are already enrolled in this programme.")})
        recommendation.status = status
        recommendation.answered_at = timezone.now()
        recommendation.save(update_fields=["status", "answered_at"])
        title = (
            gettext_lazy("%(student)s accepted your recommendation: %(title)s")
            if accept
            else gettext_lazy("%(student)s declined your recommendation: %(title)s")
        )
        notification_send(
            user=recommendation.mentor,
            kind="recommendation",
            title=title,
            url=reverse("projects:recommendation", args=[recommendation.pk]),
            params={"student": str(student), "title": _target_param(recommendation)},
        )
    return recommendation


def recommendations_mark_enrolled(*, student: User, programme: Programme) -> int:
    """Close the loop: the student's pending or accepted recommendations of this
    programme become "enrolled" (called by ``enrolment_create``)."""
    return Recommendation.objects.filter(
        student=student,
        programme=programme,
        status__in=[RecommendationStatus.PENDING, RecommendationStatus.ACCEPTED],
    ).update(status=RecommendationStatus.ENROLLED, enrolled_at=timezone.now())
