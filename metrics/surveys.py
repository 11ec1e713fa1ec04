"""The students' four-weekly satisfaction survey: who is sent one and when, sending
them, answering, who reads the answers, and the figures a scorecard takes from them.

- **Rounds.** Time is cut into rounds of four weeks counted from 2024-01-01, each
  student's shifted by their id modulo 28 days (``survey_round``), so the school's
  students are asked on different days. An active student with a current mentor is
  sent the survey of their round on its first days (``SURVEY_SEND_DAYS``, a catch-up
  window should the daily task miss a day), once: the database holds one survey per
  student per round, and sending skips the ones that exist (``surveys_send_due``).
- **Answering.** Only the student it was sent to sees a survey. One click records the
  score (0-10, once, never replaced); the plans to continue and a comment may be added
  or changed until the round is over (``survey_answer``).
- **Reading.** The answers, comments included, go to the supervisor of the mentor the
  survey was about (``Survey.mentor``) and to staff, never to the mentor
  (``survey_answers_visible_to``), so students can speak freely. A mentor sees scores
  only in aggregate over at least ``SURVEY_MIN_RESPONSES`` answers
  (``survey_figures``, for the scorecard).
"""

from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import (
    Avg,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from mentorship.access import NotAllowed
from mentorship.models import Role, StudentStatus, User
from mentorship.notifications import NotificationMessage, notifications_send
from mentorship.selectors import current_mentor_assignments

from .models import Survey, SurveyContinue

# Rounds are counted from this day (a Monday) ...
SURVEY_EPOCH = date(2024, 1, 1)
# ... and last four weeks; each student's starts ``student_id % SURVEY_ROUND_DAYS`` days
# earlier than the school's.
SURVEY_ROUND_DAYS = 28
# A round's survey is sent on its first day, or on the next two should the daily task
# not have run: never later, so a survey always leaves the student most of the round
# to answer.
SURVEY_SEND_DAYS = 3
# A mentor sees their students' scores only in aggregate over at least this many
# answers, so no single student's score can be read from the figure.
SURVEY_MIN_RESPONSES = 3

# Built once: a lazy string is a new class each time it is made, and the survey goes
# to thousands of students a day.
SURVEY_SENT_TITLE = gettext_lazy("How is your mentoring going? One click to tell us")
SURVEY_SENT_BODY = gettext_lazy(
    "How likely are you to recommend your mentoring to a friend? Choose a score from 0 "
    "to 10. Your comment, if you leave one, goes to your mentor's supervisor, not to "
    "your mentor."
)


# --- Rounds ---------------------------------------------------------------------------


def survey_round(student_id: int, day: date) -> int:
    """The student's survey round on ``day`` (from 2024-01-01 on): rounds are four
    weeks counted from ``SURVEY_EPOCH``, and a student's round begins
    ``student_id % 28`` days before the school's, so on any one day about a 28th of
    the students start a round. It depends on the student only through their id
    modulo 28, which is how ``students_due_survey`` asks it for all of them at once."""
    return ((day - SURVEY_EPOCH).days + student_id % SURVEY_ROUND_DAYS) // SURVEY_ROUND_DAYS


def survey_round_days(student_id: int, round_number: int) -> tuple[date, date]:
    """The first day of the student's round and the first day after it."""
    start = SURVEY_EPOCH + timedelta(
        days=round_number * SURVEY_ROUND_DAYS - student_id % SURVEY_ROUND_DAYS
    )
    return start, start + timedelta(days=SURVEY_ROUND_DAYS)


def survey_is_due(student_id: int, day: date) -> bool:
    """Whether ``day`` is one of the first ``SURVEY_SEND_DAYS`` days of the student's
    round: the days their survey is sent on (if they are active, have a mentor and
    have not been sent this round's yet)."""
    start, _end = survey_round_days(student_id, survey_round(student_id, day))
    return (day - start).days < SURVEY_SEND_DAYS


def students_due_survey(*, day: date) -> QuerySet[User]:
    """Students to send a survey on ``day``: active (their account, and their status
    as a student), with a current mentor, on one of the first days of their round
    (``survey_is_due``), and not yet sent this round's survey. Each is annotated with
    ``survey_round`` and ``survey_mentor_id`` (their current mentor). One query: the
    rounds come from ``survey_round`` asked once for each of the 28 values of the id
    modulo 28 that are due that day, since the rule depends on nothing else."""
    rounds = {
        stagger: survey_round(stagger, day)
        for stagger in range(SURVEY_ROUND_DAYS)
        if survey_is_due(stagger, day)
    }
    current_mentor = current_mentor_assignments().filter(student=OuterRef("pk"))
    return (
        User.objects.filter(
            role=Role.STUDENT, is_active=True, student_profile__status=StudentStatus.ACTIVE
        )
        .alias(survey_stagger=F("pk") % SURVEY_ROUND_DAYS)
        .filter(survey_stagger__in=list(rounds))
        .annotate(
            survey_round=Case(
                *(When(survey_stagger=stagger, then=Value(n)) for stagger, n in rounds.items()),
                output_field=IntegerField(),
            ),
            survey_mentor_id=Subquery(current_mentor.values("mentor_id")[:1]),
        )
        .filter(survey_mentor_id__isnull=False)
        .exclude(
            Exists(
                Survey.objects.filter(student_id=OuterRef("pk"), round=OuterRef("survey_round"))
            )
        )
        .order_by()
    )


# --- Sending --------------------------------------------------------------------------

# The due students' surveys, written in one statement that skips any that exist and
# returns those it wrote. Django's ``bulk_create(ignore_conflicts=True)`` does the
# same but cannot say which rows it wrote, and only those may be notified: a second
# run (or another worker's, waiting on the first's rows until it commits) writes
# nothing and so notifies no one. PostgreSQL and SQLite (3.35 and later) both speak
# it. Table and column names come from the models' metadata; every value is a
# parameter. ``WHERE true`` tells SQLite's parser that ON CONFLICT is not a join's ON.
SURVEY_INSERT_SQL = """
INSERT INTO {survey} ({student}, {mentor}, {round}, {sent_at}, {plans}, {comment})
SELECT due.survey_student_id, due.survey_mentor_id, due.survey_round, %s, '', ''
FROM ({due}) AS due
WHERE true
ON CONFLICT ({student}, {round}) DO NOTHING
RETURNING {id}, {student}
"""


def _surveys_insert_due(*, day: date, now: datetime) -> list[tuple[int, int]]:
    """Write the surveys of the students due on ``day``: (survey id, student id) of
    each survey written."""
    due, params = (
        students_due_survey(day=day)
        .values("survey_mentor_id", "survey_round", survey_student_id=F("pk"))
        .query.sql_with_params()
    )
    columns = {
        name: connection.ops.quote_name(Survey._meta.get_field(name).column)
        for name in ["id", "student", "mentor", "round", "sent_at", "comment"]
    }
    columns["plans"] = connection.ops.quote_name(
        Survey._meta.get_field("plans_to_continue").column
    )
    sql = SURVEY_INSERT_SQL.format(
        survey=connection.ops.quote_name(Survey._meta.db_table), due=due, **columns
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [connection.ops.adapt_datetimefield_value(now), *params])
        return cursor.fetchall()


@transaction.atomic
def surveys_send_due(*, today: date) -> int:
    """Send the survey of their round to every student due on ``today``
    (``students_due_survey``), about their current mentor, and tell each in their
    language with a link to it. Running it again, or on two workers at once, sends
    nobody a second survey or a second notification: the database keeps one survey
    per student per round, and only the surveys this call wrote are notified. Returns
    how many were sent."""
    written = _surveys_insert_due(day=today, now=timezone.now())
    if not written:
        return 0
    students = User.objects.only("language", "email_notifications", "is_active").in_bulk(
        [student_id for _survey_id, student_id in written]
    )
    notifications_send(
        messages=[
            NotificationMessage(
                user=students[student_id],
                kind="survey",
                title=SURVEY_SENT_TITLE,
                body=SURVEY_SENT_BODY,
                url=reverse("metrics:survey", args=[survey_id]),
            )
            for survey_id, student_id in sorted(written)
        ]
    )
    return len(written)


# --- Answering ------------------------------------------------------------------------


def survey_for_user(user: User, pk: int) -> Survey:
    """The survey page's survey, for the student it was sent to only; everyone else
    404 (a supervisor reads the answers in their list, a mentor never does)."""
    return get_object_or_404(
        Survey.objects.filter(student_id=user.pk).select_related("mentor"), pk=pk
    )


def may_answer_survey(user: User, *, survey: Survey) -> bool:
    """Whether this person answers the survey: the student it was sent to. (Whether
    it still takes answers is its state: ``survey_is_open``.)"""
    return user.is_authenticated and user.is_active and user.pk == survey.student_id


def survey_last_day(survey: Survey) -> date:
    """The last day the survey takes answers: the last day of its round."""
    return survey_round_days(survey.student_id, survey.round)[1] - timedelta(days=1)


def survey_is_open(survey: Survey, *, day: date) -> bool:
    """Whether the survey still takes answers on ``day`` (the student's calendar): until
    its round is over."""
    return day <= survey_last_day(survey)


def student_today(student: User) -> date:
    """Today on the student's calendar, the one their rounds are read on."""
    return timezone.localdate(timezone=student.zone)


@transaction.atomic
def survey_answer(
    *,
    survey: Survey,
    student: User,
    score: int | None = None,
    plans_to_continue: str | None = None,
    comment: str | None = None,
) -> Survey:
    """The student answers their survey: ``score`` (0-10) once, never replaced (the
    same score sent again, a double click, changes nothing); then, optionally,
    whether they plan to continue (``SurveyContinue``, or "" for no answer) and a
    comment, which they may add or change until the round is over. Arguments left
    None are left as they are. A score comes first: the other answers are asked
    after it. The comment reaches the mentor's supervisor, not the mentor."""
    if not may_answer_survey(student, survey=survey):
        raise NotAllowed(_("Only the student it was sent to answers a survey."), hidden=True)
    # Locked, so two clicks at once record one score.
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if not survey_is_open(survey, day=student_today(student)):
        raise ValidationError(
            _("This survey took answers until %(day)s. The next one comes with your next round.")
            % {"day": date_format(survey_last_day(survey), "DATE_FORMAT")}
        )
    if score is None and plans_to_continue is None and comment is None:
        raise ValidationError(_("There is no answer to save."))
    errors: dict[str, str] = {}
    changed: list[str] = []
    if score is not None:
        if not isinstance(score, int) or isinstance(score, bool) or not 0 <= score <= 10:
            errors["score"] = _("Choose a score from 0 to 10.")
        elif survey.score is None:
            survey.score, survey.answered_at = score, timezone.now()
            changed += ["score", "answered_at"]
        elif survey.score != score:
            errors["score"] = _("Your score is already recorded and cannot be changed.")
    elif survey.score is None:
        errors["score"] = _("Choose a score first.")
    if plans_to_continue is not None:
        if plans_to_continue not in ["", *SurveyContinue.values]:
            errors["plans_to_continue"] = _("Choose yes, no or not sure yet.")
        else:
            survey.plans_to_continue = plans_to_continue
            changed.append("plans_to_continue")
    if comment is not None:
        limit = Survey._meta.get_field("comment").max_length
        comment = comment.strip()
        if len(comment) > limit:
            errors["comment"] = ngettext(
                "Keep the comment within %(limit)d character (it has %(length)d).",
                "Keep the comment within %(limit)d characters (it has %(length)d).",
                limit,
            ) % {"limit": limit, "length": len(comment)}
        else:
            survey.comment = comment
            changed.append("comment")
    if errors:
        raise ValidationError(errors)
    if changed:
        survey.save(update_fields=changed)
    return survey


def survey_waiting(*, student: User, day: date | None = None) -> Survey | None:
    """The survey waiting for the student's score, for their home page: sent for their
    current round (or a later one, should the sending day's clock be ahead of
    theirs) and not answered. One query."""
    day = day or student_today(student)
    return (
        Survey.objects.filter(
            student_id=student.pk,
            answered_at__isnull=True,
            round__gte=survey_round(student.pk, day),
        )
        .order_by("-round")
        .first()
    )


# --- Reading the answers --------------------------------------------------------------


def survey_answers_visible_to(user: User) -> QuerySet[Survey]:
    """Answered surveys whose answers, comments included, a person may read: a
    supervisor those about their team's mentors (``Survey.mentor``: the mentor when it
    was sent), staff all. Nobody else: not the mentor, so that students speak freely
    (a mentor sees only ``survey_figures`` over ``SURVEY_MIN_RESPONSES`` answers or
    more), and not other students. A survey is answered once it has its score."""
    answered = Survey.objects.filter(answered_at__isnull=False)
    if not user.is_authenticated or not user.is_active:
        return answered.none()
    if user.role == Role.STAFF:
        return answered
    if user.role == Role.SUPERVISOR:
        return answered.filter(mentor__mentor_profile__supervisor=user)
    return answered.none()


def survey_answers_listed(
    answers: QuerySet[Survey],
    *,
    mentor_id: int | None = None,
    answered_from: datetime | None = None,
    answered_before: datetime | None = None,
) -> QuerySet[Survey]:
    """Answers for the supervisor's list: about one mentor and answered in
    [``answered_from``, ``answered_before``) when given, newest first, student and
    mentor loaded in the same query."""
    if mentor_id is not None:
        answers = answers.filter(mentor_id=mentor_id)
    if answered_from is not None:
        answers = answers.filter(answered_at__gte=answered_from)
    if answered_before is not None:
        answers = answers.filter(answered_at__lt=answered_before)
    return answers.select_related("student", "mentor").order_by("-answered_at", "-pk")


def survey_figures(*, mentor_ids, start: datetime, end: datetime) -> dict[int, dict]:
    """What the surveys answered in [``start``, ``end``) say about each mentor (the
    mentor they were about), for the scorecard. Per mentor:

    - ``n``: surveys answered;
    - ``mean_score``: the mean "would recommend" score, 0-10 (None without answers);
    - ``scores_9_10``: (scores of 9 or 10, ``n``), the students who would recommend;
    - ``scores_0_6``: (scores of 6 or less, ``n``), those who would not;
    - ``continuing``: (those planning to continue, those who answered that question).

    Shares are (numerator, denominator) so that small numbers are shown as such ("2 of
    3"); a mentor reads their own only over ``SURVEY_MIN_RESPONSES`` answers or more.
    Every mentor asked about is in the answer, with n = 0 when no survey about them
    was answered. One query."""
    mentor_ids = list(mentor_ids)
    rows = (
        Survey.objects.filter(
            mentor_id__in=mentor_ids,
            score__isnull=False,
            answered_at__gte=start,
            answered_at__lt=end,
        )
        .values("mentor_id")
        .annotate(
            n=Count("pk"),
            mean_score=Avg("score"),
            high=Count("pk", filter=Q(score__gte=9)),
            low=Count("pk", filter=Q(score__lte=6)),
            continuing=Count("pk", filter=Q(plans_to_continue=SurveyContinue.YES)),
            continue_answered=Count("pk", filter=~Q(plans_to_continue="")),
        )
        .order_by()
    )
    figures = {
        mentor_id: {
            "n": 0,
            "mean_score": None,
            "scores_9_10": (0, 0),
            "scores_0_6": (0, 0),
            "continuing": (0, 0),
        }
        for mentor_id in mentor_ids
    }
    for row in rows:
        n = row["n"]
        figures[row["mentor_id"]] = {
            "n": n,
            "mean_score": float(row["mean_score"]),
            "scores_9_10": (row["high"], n),
            "scores_0_6": (row["low"], n),
            "continuing": (row["continuing"], row["continue_answered"]),
        }
    return figures
