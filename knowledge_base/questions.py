"""Students' questions and their answers: who sees a question (``questions_visible_to``),
who may answer, accept, follow up and mark a duplicate (``may_*``), and the writes.

A private question is seen by the asker, their current mentor, that mentor's supervisor
and staff; a public one also by every student enrolled in its programme and every mentor
of the programme (and their supervisors). Everything that lists, counts or searches
questions starts from ``questions_visible_to``."""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from mentorship.access import NotAllowed
from mentorship.activity import activity_record
from mentorship.models import ActivityKind, MentorProfile, Role, User
from mentorship.notifications import notification_send
from mentorship.selectors import current_mentor, current_mentor_assignments, students_visible_to
from mentorship.text import text_language
from projects.models import Enrolment, EnrolmentStatus, Programme, Project

from .expressions import InComputedOnce
from .models import (
    Answer,
    Question,
    QuestionStatus,
    QuestionVisibility,
    Topic,
)


def programmes_of(user: User) -> QuerySet[Programme]:
    """The programmes a person belongs to for questions and articles: a student's
    enrolments, a mentor's programmes, a supervisor's team's; staff all."""
    programmes = Programme.objects.all()
    if not user.is_authenticated or not user.is_active:
        return programmes.none()
    if user.role == Role.STAFF:
        return programmes
    if user.role == Role.STUDENT:
        return programmes.filter(
            pk__in=Enrolment.objects.filter(student=user).values("programme_id")
        )
    if user.role == Role.MENTOR:
        mentors = MentorProfile.objects.filter(user=user)
    elif user.role == Role.SUPERVISOR:
        mentors = MentorProfile.objects.filter(supervisor=user)
    else:
        return programmes.none()
    return programmes.filter(pk__in=mentors.values("programmes"))


def questions_visible_to(user: User) -> QuerySet[Question]:
    """Questions this person may see (the module docstring says who)."""
    questions = Question.objects.all()
    if not user.is_authenticated or not user.is_active:
        return questions.none()
    if user.role == Role.STAFF:
        return questions
    public = Q(visibility=QuestionVisibility.PROGRAMME) & Q(
        InComputedOnce("programme_id", programmes_of(user).values("pk"))
    )
    if user.role == Role.STUDENT:
        return questions.filter(Q(author=user) | public)
    return questions.filter(
        Q(InComputedOnce("author_id", students_visible_to(user).values("pk"))) | public
    )


def answer_count() -> Coalesce:
    """How many answers a question has (the asker's follow-ups are not answers), as a
    subquery: a list row's figure without joining the answers and grouping the whole
    list (which PostgreSQL would do before it can take the page)."""
    answers = (
        Answer.objects.filter(question_id=OuterRef("pk"), is_follow_up=False)
        .order_by()
        .values("question_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(answers, output_field=IntegerField()), 0)


def question_for_user(user: User, pk: int) -> Question:
    """One question for this person, with its people and project loaded; 404 to
    outsiders."""
    return get_object_or_404(
        questions_visible_to(user).select_related(
            "author", "programme", "project", "duplicate_of", "accepted_answer"
        ),
        pk=pk,
    )


def question_url(question: Question) -> str:
    return reverse("knowledge_base:question", args=[question.pk])


def asker_hidden_from(user: User, *, question: Question) -> bool:
    """Whether the asker's name is hidden from this reader: from other students, when
    the asker asked for it; mentors, supervisors and staff always see who asked."""
    return question.hide_name and user.role == Role.STUDENT and user.pk != question.author_id


def asker_name_for(user: User, *, question: Question) -> str:
    """How the asker is named to this reader (``asker_hidden_from`` says when not by
    their name)."""
    if asker_hidden_from(user, question=question):
        return _("A student")
    return str(question.author)


# --- Rules ------------------------------------------------------------------------------


def may_ask_question(user: User) -> bool:
    """Students enrolled in a programme ask questions."""
    return (
        user.is_authenticated
        and user.is_active
        and user.role == Role.STUDENT
        and Enrolment.objects.filter(student=user).exists()
    )


def may_answer_question(user: User, *, question: Question) -> bool:
    """Anyone but the asker who may see the question answers it: mentors, supervisors
    and staff on any question they see, fellow students on public ones. Not once it is
    closed as a duplicate. The asker's own posts are follow-ups (``may_follow_up``)."""
    if question.status == QuestionStatus.DUPLICATE or user.pk == question.author_id:
        return False
    if user.role == Role.STUDENT and not question.is_public:
        return False
    return questions_visible_to(user).filter(pk=question.pk).exists()


def may_follow_up(user: User, *, question: Question) -> bool:
    """The asker adds to their question (which reopens it), unless it is a duplicate."""
    return user.pk == question.author_id and question.status != QuestionStatus.DUPLICATE


def may_accept_answer(user: User, *, question: Question) -> bool:
    """Only the asker accepts an answer."""
    return user.pk == question.author_id and question.status != QuestionStatus.DUPLICATE


def may_mark_duplicate(user: User, *, question: Question) -> bool:
    """Mentors, supervisors and staff who see the question close it as a duplicate."""
    return (
        user.role in (Role.MENTOR, Role.SUPERVISOR, Role.STAFF)
        and questions_visible_to(user).filter(pk=question.pk).exists()
    )


# --- Reads ------------------------------------------------------------------------------


def question_queue(
    user: User,
    *,
    programme: Programme | None = None,
    project: Project | None = None,
    topic: Topic | None = None,
) -> QuerySet[Question]:
    """A mentor's question queue: questions waiting for an answer that this person may
    see (their students' questions and the public questions of their programmes),
    longest waiting first, with the asker, programme and project loaded."""
    questions = questions_visible_to(user).filter(status=QuestionStatus.OPEN)
    if programme is not None:
        questions = questions.filter(programme=programme)
    if project is not None:
        questions = questions.filter(project=project)
    if topic is not None:
        questions = questions.filter(topics=topic)
    return questions.select_related("author", "programme", "project").order_by(
        "waiting_since", "pk"
    )


# The filters a list of questions takes (the question list, and the patterns page's
# links to the questions behind a figure).
QUESTION_FILTERS = ("programme", "project", "topic", "status", "since", "until")


def questions_filtered(
    questions: QuerySet[Question],
    *,
    zone,
    programme=None,
    project=None,
    topic=None,
    status: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[Question]:
    """Questions narrowed by programme, project, topic and status, and asked from day
    ``since`` to day ``until`` (both included) on the reader's calendar (``zone``), as
    the patterns page counts them."""
    if programme:
        questions = questions.filter(programme=programme)
    if project:
        questions = questions.filter(project=project)
    if topic:
        questions = questions.filter(topics=topic)
    if status:
        questions = questions.filter(status=status)
    if since:
        questions = questions.filter(created_at__gte=datetime.combine(since, time.min, zone))
    if until:
        next_day = until + timedelta(days=1)
        questions = questions.filter(created_at__lt=datetime.combine(next_day, time.min, zone))
    return questions


def question_answers(*, question: Question) -> QuerySet[Answer]:
    """A question's thread: answers and the asker's follow-ups, oldest first."""
    return question.answers.select_related("author").order_by("created_at", "pk")


def duplicate_target_for(user: User, *, question: Question) -> Question | None:
    """Where a duplicate points, if this person may see it (a duplicate link never
    shows a question its reader may not see)."""
    if question.duplicate_of_id is None:
        return None
    return questions_visible_to(user).filter(pk=question.duplicate_of_id).first()


# --- Writes -----------------------------------------------------------------------------


def _asker_programme(
    author: User, *, programme: Programme | None, project: Project | None
) -> Programme:
    enrolled = programmes_of(author)
    if project is not None:
        if not enrolled.filter(pk=project.programme_id).exists():
            raise ValidationError({"project": _("Choose a project of your programme.")})
        if programme is not None and programme.pk != project.programme_id:
            raise ValidationError({"project": _("This project is not in that programme.")})
        return project.programme
    if programme is not None:
        if not enrolled.filter(pk=programme.pk).exists():
            raise ValidationError({"programme": _("Choose one of your programmes.")})
        return programme
    active = list(
        enrolled.filter(enrolments__student=author, enrolments__status=EnrolmentStatus.ACTIVE)
    ) or list(enrolled)
    if len(active) != 1:
        raise ValidationError({"programme": _("Choose the programme the question is about.")})
    return active[0]


def _notify_mentor(*, question: Question, kind: str, title, params: dict) -> None:
    mentor = current_mentor(student=question.author)
    if mentor is not None and mentor.is_active:
        notification_send(
            user=mentor, kind=kind, title=title, url=question_url(question), params=params
        )


def question_ask(
    *,
    author: User,
    title: str,
    body: str = "",
    programme: Programme | None = None,
    project: Project | None = None,
    topics=(),
    visibility: str = QuestionVisibility.PRIVATE,
    hide_name: bool = False,
    language: str | None = None,
) -> Question:
    """A student asks. The programme follows from the project, or is the one they are
    enrolled in (asked when there are several); the language is guessed from the text
    when not given. Their mentor is told; asking is the student's activity."""
    if not may_ask_question(author):
        raise NotAllowed(_("Only students enrolled in a programme ask questions."))
    programme = _asker_programme(author, programme=programme, project=project)
    now = timezone.now()
    title, body = (title or "").strip(), (body or "").strip()
    with transaction.atomic():
        question = Question(
            author=author,
            programme=programme,
            project=project,
            title=title,
            body=body,
            language=language or text_language(f"{title} {body}"),
            visibility=visibility,
            hide_name=hide_name and visibility == QuestionVisibility.PROGRAMME,
            created_at=now,
            waiting_since=now,
        )
        question.full_clean()
        question.save()
        question.topics.set(topics)
        activity_record(
            student=author,
            kind=ActivityKind.QUESTION,
            occurred_at=now,
            key=f"question:{question.pk}",
        )
        _notify_mentor(
            question=question,
            kind="question_asked",
            title=gettext_lazy("%(student)s asked: %(title)s"),
            params={"student": str(author), "title": question.title},
        )
    return question


def answer_post(*, question: Question, author: User, body: str) -> Answer:
    """Someone answers, or the asker follows up. An answer moves a waiting question to
    answered (the first one dates the first answer) and tells the asker; a follow-up
    reopens the question (waiting from now, unless it was still waiting), withdraws any
    acceptance and tells the mentor."""
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write the answer first.")})
    follow_up = author.pk == question.author_id
    allowed = (
        may_follow_up(author, question=question)
        if follow_up
        else may_answer_question(author, question=question)
    )
    if not allowed:
        raise NotAllowed.unless_visible(
            _("You cannot answer this question."),
            visible=questions_visible_to(author),
            pk=question.pk,
        )
    now = timezone.now()
    with transaction.atomic():
        question = Question.objects.select_for_update().get(pk=question.pk)
        answer = Answer.objects.create(
            question=question, author=author, body=body, is_follow_up=follow_up, created_at=now
        )
        if follow_up:
            if question.status != QuestionStatus.OPEN:
                # Reopened: it waits from now. A question still waiting keeps its place
                # in the queue however often its asker adds to it.
                question.waiting_since = now
            question.status = QuestionStatus.OPEN
            question.accepted_answer = None
            question.save(update_fields=["status", "accepted_answer", "waiting_since"])
            activity_record(
                student=author,
                kind=ActivityKind.QUESTION,
                occurred_at=now,
                key=f"question_follow_up:{answer.pk}",
            )
            _notify_mentor(
                question=question,
                kind="question_follow_up",
                title=gettext_lazy("%(student)s added to their question: %(title)s"),
                params={"student": str(author), "title": question.title},
            )
            return answer
        fields = []
        if question.first_answered_at is None:
            question.first_answered_at = now
            fields.append("first_answered_at")
        if question.status == QuestionStatus.OPEN:
            question.status = QuestionStatus.ANSWERED
            fields.append("status")
        if fields:
            question.save(update_fields=fields)
        activity_record(
            student=author, kind=ActivityKind.ANSWER, occurred_at=now, key=f"answer:{answer.pk}"
        )
        notification_send(
            user=question.author,
            kind="question_answered",
            title=gettext_lazy("%(author)s answered your question: %(title)s"),
            url=question_url(question),
            params={"author": str(author), "title": question.title},
        )
    return answer


def answer_accept(*, answer: Answer, by: User) -> Question:
    """The asker accepts an answer: the question is solved, the answer's author told.
    Accepting the accepted answer again changes nothing."""
    question = answer.question
    if not may_accept_answer(by, question=question):
        raise NotAllowed.unless_visible(
            _("Only the student who asked accepts an answer."),
            visible=questions_visible_to(by),
            pk=question.pk,
        )
    if answer.is_follow_up or answer.author_id == question.author_id:
        raise ValidationError(_("Accept an answer someone else wrote."))
    with transaction.atomic():
        question = Question.objects.select_for_update().get(pk=question.pk)
        if question.accepted_answer_id == answer.pk:
            return question
        question.accepted_answer = answer
        question.status = QuestionStatus.ACCEPTED
        question.save(update_fields=["accepted_answer", "status"])
        activity_record(
            student=by,
            kind=ActivityKind.ANSWER_ACCEPTED,
            key=f"answer_accepted:{answer.pk}",
        )
        if answer.author_id != by.pk and answer.author.is_active:
            notification_send(
                user=answer.author,
                kind="answer_accepted",
                title=gettext_lazy("Your answer was accepted: %(title)s"),
                url=question_url(question),
                params={"title": question.title},
            )
    return question


def question_mark_duplicate(*, question: Question, original: Question, by: User) -> Question:
    """A mentor closes a question as a duplicate of another the asker may see; the
    asker is pointed to it."""
    if not may_mark_duplicate(by, question=question):
        raise NotAllowed.unless_visible(
            _("Only mentors mark duplicates."), visible=questions_visible_to(by), pk=question.pk
        )
    if original.pk == question.pk:
        raise ValidationError({"original": _("A question cannot duplicate itself.")})
    # The asker is pointed to it, and whoever marks it vouches for it: both see it.
    if not (
        questions_visible_to(question.author).filter(pk=original.pk).exists()
        and questions_visible_to(by).filter(pk=original.pk).exists()
    ):
        raise ValidationError({"original": _("Choose a question the student can see.")})
    with transaction.atomic():
        # Both rows locked, so two mentors marking each question a duplicate of the
        # other at once cannot close a loop; then the original's chain, read afresh.
        list(Question.objects.select_for_update().filter(pk__in=[question.pk, original.pk]))
        seen, cursor_id = {question.pk}, original.pk
        while cursor_id is not None:
            if cursor_id in seen:
                raise ValidationError({"original": _("That question is a duplicate of this one.")})
            seen.add(cursor_id)
            cursor_id = (
                Question.objects.filter(pk=cursor_id)
                .values_list("duplicate_of", flat=True)
                .first()
            )
        question.status = QuestionStatus.DUPLICATE
        question.duplicate_of = original
        question.save(update_fields=["status", "duplicate_of"])
        notification_send(
            user=question.author,
            kind="question_duplicate",
            title=gettext_lazy("Your question has been answered before: %(title)s"),
            url=question_url(original),
            params={"title": original.title},
        )
    return question


def question_reminders_send(*, now=None) -> int:
    """Remind each student's mentor of questions waiting longer than
    QUESTION_REMINDER_HOURS without an answer: once per question, one notification per
    mentor. Safe to run again or twice at once: the first to mark a question sends."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.QUESTION_REMINDER_HOURS)
    mentor = current_mentor_assignments().filter(student=OuterRef("author"))
    waiting = list(
        Question.objects.filter(
            status=QuestionStatus.OPEN, waiting_since__lt=cutoff, reminded_at__isnull=True
        )
        .annotate(mentor_id=Subquery(mentor.values("mentor_id")[:1]))
        .filter(mentor_id__isnull=False)
        .values_list("pk", "mentor_id")
    )
    by_mentor: dict[int, list[int]] = {}
    for question_id, mentor_id in waiting:
        by_mentor.setdefault(mentor_id, []).append(question_id)
    mentors = User.objects.in_bulk(list(by_mentor))
    reminded = 0
    for mentor_id, question_ids in by_mentor.items():
        with transaction.atomic():
            marked = Question.objects.filter(pk__in=question_ids, reminded_at__isnull=True).update(
                reminded_at=now
            )
            if not marked or not mentors[mentor_id].is_active:
                continue
            notification_send(
                user=mentors[mentor_id],
                kind="question_waiting",
                title=ngettext_lazy(
                    "%(count)d question has waited more than %(hours)d hours for an answer",
                    "%(count)d questions have waited more than %(hours)d hours for an answer",
                    "count",
                ),
                params={"count": marked, "hours": settings.QUESTION_REMINDER_HOURS},
                url=reverse("knowledge_base:question_queue"),
            )
            reminded += marked
    return reminded
