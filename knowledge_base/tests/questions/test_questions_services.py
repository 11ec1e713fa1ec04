"""Questions: who sees one, asking, answering, following up, accepting, marking a
duplicate, what the knowledge base solved before anyone asked, and the reminders.

The people and programmes are those of ``knowledge_base/tests/questions/conftest.py``."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from knowledge_base import questions as questions_module
from knowledge_base.deflections import deflection_record
from knowledge_base.models import (
    Answer,
    Article,
    ArticleStatus,
    Deflection,
    Question,
    QuestionStatus,
)
from knowledge_base.questions import (
    answer_accept,
    answer_post,
    asker_name_for,
    duplicate_target_for,
    question_mark_duplicate,
    question_queue,
    question_reminders_send,
    questions_visible_to,
)
from knowledge_base.tasks import remind_waiting_questions
from knowledge_base.tests.questions.conftest import QUESTION_ROLES, ask
from mentorship.access import NotAllowed
from mentorship.models import ActivityEvent, ActivityKind, Notification
from mentorship.services import assignment_end
from mentorship.tests.factories import AssignmentFactory, StudentFactory
from projects.models import EnrolmentStatus
from projects.tests.factories import EnrolmentFactory, ProjectFactory

ALLOWED, REFUSED, HIDDEN = "allowed", "refused", "hidden"


def _database() -> tuple:
    return (
        list(Question.objects.order_by("pk").values()),
        list(Answer.objects.order_by("pk").values()),
        Notification.objects.count(),
        ActivityEvent.objects.count(),
    )


def _check(write, expected: str) -> None:
    """``write`` succeeds, or is refused (403) or hidden (404) leaving nothing
    changed."""
    before = _database()
    if expected == ALLOWED:
        write()
        return
    with pytest.raises(NotAllowed) as refused:
        write()
    assert refused.value.hidden is (expected == HIDDEN)
    assert _database() == before


def _notified(user) -> list[str]:
    notifications = Notification.objects.filter(user=user).order_by("pk")
    return list(notifications.values_list("kind", flat=True))


# --- Who sees a question ------------------------------------------------------------------

SEES_PRIVATE = {"student", "mentor", "supervisor", "staff"}
SEES_PUBLIC = SEES_PRIVATE | {"classmate", "colleague"}


@pytest.mark.parametrize("role", QUESTION_ROLES)
def test_it_shows_a_question_only_to_those_who_may_see_it(
    request, private_question, public_question, role
):
    user = request.getfixturevalue(role)

    visible = set(questions_visible_to(user).values_list("pk", flat=True))

    assert (private_question.pk in visible) is (role in SEES_PRIVATE)
    assert (public_question.pk in visible) is (role in SEES_PUBLIC)


def test_it_follows_the_student_to_their_new_mentor(private_question, student, mentor):
    assignment_end(student=student)
    new_mentor = AssignmentFactory(student=student).mentor

    assert questions_visible_to(new_mentor).filter(pk=private_question.pk).exists()
    assert not questions_visible_to(mentor).filter(pk=private_question.pk).exists()


def test_it_hides_the_askers_name_from_other_students_only(student, classmate, mentor, project):
    question = ask(student, project=project, visibility="programme", hide_name=True)

    assert asker_name_for(classmate, question=question) != str(student)
    assert asker_name_for(student, question=question) == str(student)
    assert asker_name_for(mentor, question=question) == str(student)


# --- Asking -----------------------------------------------------------------------------


def test_it_infers_the_programme_of_a_student_with_one(student, programme):
    question = ask(student)

    assert question.programme == programme
    assert question.project is None
    assert question.status == QuestionStatus.OPEN
    assert question.waiting_since == question.created_at


def test_it_takes_the_programme_from_the_project(student, other_programme):
    second = ProjectFactory(programme=other_programme, criteria=0)
    EnrolmentFactory(student=student, programme=other_programme)

    question = ask(student, project=second)

    assert question.programme == other_programme


def test_it_asks_a_student_of_two_programmes_which(student, other_programme):
    EnrolmentFactory(student=student, programme=other_programme)

    with pytest.raises(ValidationError) as error:
        ask(student)

    assert "programme" in error.value.message_dict
    assert not Question.objects.exists()


def test_it_takes_the_active_enrolment_when_the_others_ended(student, other_programme):
    student.enrolments.update(status=EnrolmentStatus.COMPLETED)
    EnrolmentFactory(student=student, programme=other_programme)

    assert ask(student).programme == other_programme


def test_it_refuses_a_project_of_another_programme(student, other_project):
    with pytest.raises(ValidationError) as error:
        ask(student, project=other_project)

    assert "project" in error.value.message_dict
    assert not Question.objects.exists()


def test_it_refuses_a_project_outside_the_programme_chosen(student, project, other_programme):
    EnrolmentFactory(student=student, programme=other_programme)

    with pytest.raises(ValidationError) as error:
        ask(student, programme=other_programme, project=project)

    assert "project" in error.value.message_dict


def test_it_refuses_a_programme_the_student_is_not_in(student, other_programme):
    with pytest.raises(ValidationError) as error:
        ask(student, programme=other_programme)

    assert "programme" in error.value.message_dict


def test_it_refuses_a_question_without_a_title(student):
    with pytest.raises(ValidationError) as error:
        ask(student, title="   ")

    assert "title" in error.value.message_dict


@pytest.mark.parametrize(
    ("title", "body", "language"),
    [
        ("Как отцентрировать блок?", "Пробовал `margin: auto`", "ru"),
        ("How do I centre a div?", "", "en"),
        ("Ошибка в Django", "Пишет TemplateDoesNotExist, что делать?", "ru"),
        ("Не работает", "```python\nfrom django.shortcuts import render\n```", "ru"),
        ("Why does `print(привет)` fail?", "", "en"),
    ],
)
def test_it_guesses_the_language_of_the_question(student, title, body, language):
    assert ask(student, title=title, body=body).language == language


def test_it_keeps_a_language_given(student):
    assert ask(student, title="Bonjour", language="fr").language == "fr"


def test_it_tags_the_question_with_topics(student, topic):
    question = ask(student, topics=[topic])

    assert list(question.topics.all()) == [topic]


def test_it_records_asking_as_the_students_activity(student):
    question = ask(student)

    event = ActivityEvent.objects.get(student=student)
    assert event.kind == ActivityKind.QUESTION
    assert event.external_id == f"question:{question.pk}"


def test_it_tells_the_students_mentor(student, mentor):
    question = ask(student, title="Grid help")

    notification = Notification.objects.get(user=mentor)
    assert notification.kind == "question_asked"
    assert "Grid help" in notification.title
    assert notification.url == f"/questions/{question.pk}/"


def test_it_asks_in_the_mentors_language(student, mentor):
    mentor.language = "ru"
    mentor.save()

    ask(student, title="Grid help")

    notification = Notification.objects.get(user=mentor)
    assert notification.written_title.endswith("спрашивает: Grid help")
    with translation.override("ru"):
        assert notification.title == notification.written_title


def test_it_hides_the_name_only_on_a_public_question(student):
    assert ask(student, hide_name=True).hide_name is False
    assert ask(student, hide_name=True, visibility="programme").hide_name is True


@pytest.mark.parametrize("role", ["mentor", "supervisor", "staff"])
def test_it_lets_only_students_ask(request, role):
    user = request.getfixturevalue(role)

    _check(lambda: ask(user), REFUSED)


def test_it_refuses_a_student_who_is_not_enrolled(db):
    _check(lambda: ask(StudentFactory()), REFUSED)


# --- Answering --------------------------------------------------------------------------

# Who may post in the thread of student's question (the asker's post is a follow-up).
ANSWERS_PRIVATE = {role: ALLOWED if role in SEES_PRIVATE else HIDDEN for role in QUESTION_ROLES}
ANSWERS_PUBLIC = {role: ALLOWED if role in SEES_PUBLIC else HIDDEN for role in QUESTION_ROLES}


@pytest.mark.parametrize("role", QUESTION_ROLES)
def test_it_lets_only_those_who_see_a_private_question_answer(request, private_question, role):
    user = request.getfixturevalue(role)

    _check(
        lambda: answer_post(question=private_question, author=user, body="Try this."),
        ANSWERS_PRIVATE[role],
    )


@pytest.mark.parametrize("role", QUESTION_ROLES)
def test_it_lets_everyone_who_sees_a_public_question_answer(request, public_question, role):
    user = request.getfixturevalue(role)

    _check(
        lambda: answer_post(question=public_question, author=user, body="Try this."),
        ANSWERS_PUBLIC[role],
    )


def test_it_dates_the_first_answer_and_marks_the_question_answered(
    private_question, mentor, supervisor
):
    first = answer_post(question=private_question, author=mentor, body="Use flexbox.")
    answer_post(question=private_question, author=supervisor, body="Or grid.")

    private_question.refresh_from_db()
    assert private_question.status == QuestionStatus.ANSWERED
    assert private_question.first_answered_at == first.created_at
    assert first.is_follow_up is False


def test_it_tells_the_asker_of_each_answer(private_question, student, mentor):
    answer_post(question=private_question, author=mentor, body="Use flexbox.")

    notification = Notification.objects.get(user=student)
    assert notification.kind == "question_answered"
    assert notification.url == f"/questions/{private_question.pk}/"


def test_it_counts_a_peer_answer_as_the_peers_activity(public_question, classmate):
    answer = answer_post(question=public_question, author=classmate, body="Grid!")

    event = ActivityEvent.objects.get(student=classmate)
    assert event.kind == ActivityKind.ANSWER
    assert event.external_id == f"answer:{answer.pk}"


def test_it_records_no_activity_for_a_mentors_answer(private_question, mentor, student):
    answer_post(question=private_question, author=mentor, body="Use flexbox.")

    assert not ActivityEvent.objects.exclude(kind=ActivityKind.QUESTION).exists()


def test_it_refuses_an_empty_answer(private_question, mentor):
    with pytest.raises(ValidationError) as error:
        answer_post(question=private_question, author=mentor, body="  \n ")

    assert "body" in error.value.message_dict
    assert not Answer.objects.exists()


def test_it_refuses_answers_on_a_duplicate(private_question, public_question, mentor):
    question_mark_duplicate(question=private_question, original=public_question, by=mentor)

    _check(lambda: answer_post(question=private_question, author=mentor, body="B"), REFUSED)


# --- Following up -----------------------------------------------------------------------


def test_it_reopens_an_answered_question_on_a_follow_up(private_question, student, mentor):
    answer = answer_post(question=private_question, author=mentor, body="Use flexbox.")
    answer_accept(answer=answer, by=student)
    later = timezone.now() + timedelta(hours=3)

    with _frozen(later):
        follow_up = answer_post(question=private_question, author=student, body="Not yet.")

    private_question.refresh_from_db()
    assert follow_up.is_follow_up is True
    assert private_question.status == QuestionStatus.OPEN
    assert private_question.accepted_answer is None
    assert private_question.waiting_since == later
    assert private_question.first_answered_at == answer.created_at


def test_it_keeps_the_place_in_the_queue_of_a_question_still_waiting(private_question, student):
    asked = private_question.waiting_since

    with _frozen(asked + timedelta(hours=5)):
        answer_post(question=private_question, author=student, body="More details.")

    private_question.refresh_from_db()
    assert private_question.status == QuestionStatus.OPEN
    assert private_question.waiting_since == asked


def test_it_tells_the_mentor_of_a_follow_up(private_question, student, mentor):
    answer_post(question=private_question, author=student, body="More details.")

    assert _notified(mentor) == ["question_asked", "question_follow_up"]
    assert ActivityEvent.objects.filter(student=student).count() == 2


def test_it_refuses_a_follow_up_on_a_duplicate(private_question, public_question, mentor, student):
    question_mark_duplicate(question=private_question, original=public_question, by=mentor)

    _check(lambda: answer_post(question=private_question, author=student, body="B"), REFUSED)


# --- Accepting --------------------------------------------------------------------------


@pytest.fixture
def peer_answer(public_question, classmate):
    return answer_post(question=public_question, author=classmate, body="Use grid.")


ACCEPTS = {
    role: ALLOWED if role == "student" else REFUSED if role in SEES_PUBLIC else HIDDEN
    for role in QUESTION_ROLES
}


@pytest.mark.parametrize("role", QUESTION_ROLES)
def test_it_lets_only_the_asker_accept(request, peer_answer, role):
    user = request.getfixturevalue(role)

    _check(lambda: answer_accept(answer=peer_answer, by=user), ACCEPTS[role])


def test_it_solves_the_question_and_tells_the_answers_author(
    peer_answer, public_question, student, classmate
):
    answer_accept(answer=peer_answer, by=student)

    public_question.refresh_from_db()
    assert public_question.status == QuestionStatus.ACCEPTED
    assert public_question.accepted_answer == peer_answer
    assert "answer_accepted" in _notified(classmate)
    assert ActivityEvent.objects.filter(
        student=student, kind=ActivityKind.ANSWER_ACCEPTED
    ).exists()


def test_it_accepts_the_same_answer_once(peer_answer, student, classmate):
    answer_accept(answer=peer_answer, by=student)
    answer_accept(answer=peer_answer, by=student)

    assert _notified(classmate).count("answer_accepted") == 1
    assert ActivityEvent.objects.filter(kind=ActivityKind.ANSWER_ACCEPTED).count() == 1


def test_it_moves_the_acceptance_to_another_answer(peer_answer, public_question, student, mentor):
    better = answer_post(question=public_question, author=mentor, body="Use grid areas.")
    answer_accept(answer=peer_answer, by=student)

    answer_accept(answer=better, by=student)

    public_question.refresh_from_db()
    assert public_question.accepted_answer == better


def test_it_refuses_to_accept_a_follow_up(private_question, student):
    follow_up = answer_post(question=private_question, author=student, body="More.")

    with pytest.raises(ValidationError):
        answer_accept(answer=follow_up, by=student)

    private_question.refresh_from_db()
    assert private_question.status == QuestionStatus.OPEN


# --- Marking a duplicate ----------------------------------------------------------------

MARKS_PRIVATE = {
    role: ALLOWED
    if role in SEES_PRIVATE - {"student"}
    else REFUSED
    if role == "student"
    else HIDDEN
    for role in QUESTION_ROLES
}


@pytest.fixture
def original(classmate):
    """A public question of the programme, answered: the asker sees it."""
    question = ask(classmate, title="Centre a div", visibility="programme")
    return question


@pytest.mark.parametrize("role", QUESTION_ROLES)
def test_it_lets_only_mentors_supervisors_and_staff_mark_a_duplicate(
    request, private_question, original, role
):
    user = request.getfixturevalue(role)

    _check(
        lambda: question_mark_duplicate(question=private_question, original=original, by=user),
        MARKS_PRIVATE[role],
    )


def test_it_closes_the_duplicate_and_points_the_asker_to_the_original(
    private_question, original, mentor, student
):
    question_mark_duplicate(question=private_question, original=original, by=mentor)

    private_question.refresh_from_db()
    assert private_question.status == QuestionStatus.DUPLICATE
    assert private_question.duplicate_of == original
    notification = Notification.objects.get(user=student, kind="question_duplicate")
    assert notification.url == f"/questions/{original.pk}/"
    assert private_question not in question_queue(mentor)


def test_it_refuses_an_original_the_asker_cannot_see(private_question, classmate, mentor):
    hidden = ask(classmate, title="Classmate's private question")

    with pytest.raises(ValidationError) as error:
        question_mark_duplicate(question=private_question, original=hidden, by=mentor)

    assert "original" in error.value.message_dict
    private_question.refresh_from_db()
    assert private_question.status == QuestionStatus.OPEN


def test_it_refuses_an_original_the_mentor_cannot_see(student, colleague, project):
    # The asker sees their own private question; the colleague, a mentor of the
    # programme, sees only the asker's public one.
    public = ask(student, project=project, visibility="programme")
    private = ask(student, title="Private one")

    with pytest.raises(ValidationError):
        question_mark_duplicate(question=public, original=private, by=colleague)


def test_it_refuses_a_question_as_its_own_duplicate(private_question, mentor):
    with pytest.raises(ValidationError):
        question_mark_duplicate(question=private_question, original=private_question, by=mentor)


def test_it_never_closes_a_loop_of_duplicates(student, mentor):
    first, second, third = (ask(student, title=f"Question {n}") for n in range(3))
    question_mark_duplicate(question=first, original=second, by=mentor)
    question_mark_duplicate(question=second, original=third, by=mentor)

    with pytest.raises(ValidationError) as error:
        question_mark_duplicate(question=third, original=first, by=mentor)

    assert "original" in error.value.message_dict
    third.refresh_from_db()
    assert third.status == QuestionStatus.OPEN


def test_it_reads_the_chain_afresh_not_from_a_stale_original(student, mentor, colleague):
    first, second = ask(student, title="First"), ask(student, title="Second")
    stale_first = Question.objects.get(pk=first.pk)  # loaded by another page, earlier
    question_mark_duplicate(question=first, original=second, by=mentor)

    with pytest.raises(ValidationError):
        question_mark_duplicate(question=second, original=stale_first, by=mentor)


def test_it_shows_where_a_duplicate_points_only_to_those_who_see_it(
    student, classmate, mentor, project
):
    original = ask(student, project=project, title="Private original")
    duplicate = ask(student, project=project, title="Public duplicate", visibility="programme")
    question_mark_duplicate(question=duplicate, original=original, by=mentor)
    duplicate.refresh_from_db()

    assert duplicate_target_for(student, question=duplicate) == original
    assert duplicate_target_for(classmate, question=duplicate) is None


# --- The queue --------------------------------------------------------------------------


def test_it_queues_open_questions_oldest_first(student, classmate, mentor, colleague, project):
    now = timezone.now()
    with _frozen(now - timedelta(hours=1)):
        newer = ask(student, title="Newer")
    with _frozen(now - timedelta(hours=5)):
        older = ask(student, title="Older")
    public = ask(classmate, title="Classmate's public", visibility="programme")
    ask(classmate, title="Classmate's private")
    answered = ask(student, title="Answered")
    answer_post(question=answered, author=mentor, body="Done.")

    assert list(question_queue(mentor)) == [older, newer, public]
    assert list(question_queue(colleague, project=project)) == []


def test_it_filters_the_queue(student, mentor, project, topic, other_programme):
    about_project = ask(student, project=project, topics=[topic])
    ask(student, title="General")

    assert list(question_queue(mentor, project=project)) == [about_project]
    assert list(question_queue(mentor, topic=topic)) == [about_project]
    assert list(question_queue(mentor, programme=other_programme)) == []


# --- Deflections ------------------------------------------------------------------------


@pytest.fixture
def article(mentor, programme):
    article = Article.objects.create(
        title="Centring in CSS",
        body="Use `place-items`.",
        status=ArticleStatus.PUBLISHED,
        published_at=timezone.now(),
    )
    article.programmes.add(programme)
    return article


@pytest.fixture
def answered_public(classmate, colleague):
    question = ask(classmate, title="Grid vs flexbox", visibility="programme")
    answer_post(question=question, author=colleague, body="Grid for layouts.")
    question.refresh_from_db()
    return question


def test_it_counts_an_article_that_solved_it_once(student, article, programme):
    first = deflection_record(student=student, article=article, query="centre a div")
    again = deflection_record(student=student, article=article, query="centre")

    assert first == again
    assert Deflection.objects.count() == 1
    assert (first.programme, first.query, first.question) == (programme, "centre a div", None)


def test_it_counts_an_answered_question_that_solved_it(student, answered_public, programme):
    deflection = deflection_record(student=student, question=answered_public, query="grid")

    assert (deflection.question, deflection.programme) == (answered_public, programme)


def test_it_counts_each_student_and_item_apart(student, classmate, article, answered_public):
    deflection_record(student=student, article=article)
    deflection_record(student=student, question=answered_public)
    deflection_record(student=classmate, article=article)

    assert Deflection.objects.count() == 3


def test_it_hides_an_article_the_student_may_not_read(student, article, other_programme):
    article.programmes.set([other_programme])
    draft = Article.objects.create(title="Draft", body="B")

    for item in (article, draft):
        with pytest.raises(NotAllowed) as refused:
            deflection_record(student=student, article=item)
        assert refused.value.hidden is True
    assert not Deflection.objects.exists()


def test_it_hides_a_question_the_student_may_not_see(other_student, answered_public):
    with pytest.raises(NotAllowed) as refused:
        deflection_record(student=other_student, question=answered_public)

    assert refused.value.hidden is True
    assert not Deflection.objects.exists()


def test_it_refuses_a_question_without_an_answer(student, classmate):
    waiting = ask(classmate, title="Still waiting", visibility="programme")

    with pytest.raises(ValidationError):
        deflection_record(student=student, question=waiting)

    assert not Deflection.objects.exists()


def test_it_refuses_a_deflection_of_no_item_or_two(student, article, answered_public):
    with pytest.raises(ValidationError):
        deflection_record(student=student)
    with pytest.raises(ValidationError):
        deflection_record(student=student, article=article, question=answered_public)


def test_it_counts_deflections_only_for_students(mentor, article):
    with pytest.raises(NotAllowed):
        deflection_record(student=mentor, article=article)


# --- Reminders --------------------------------------------------------------------------


def _frozen(moment):
    return _Frozen(moment)


class _Frozen:
    """``timezone.now()`` stands still at ``moment`` inside the block."""

    def __init__(self, moment):
        self.moment = moment

    def __enter__(self):
        self.patch = pytest.MonkeyPatch()
        self.patch.setattr(timezone, "now", lambda: self.moment)
        return self.moment

    def __exit__(self, *exc):
        self.patch.undo()


def _asked_ago(author, hours: float, **kwargs) -> Question:
    with _frozen(timezone.now() - timedelta(hours=hours)):
        return ask(author, **kwargs)


def _reminders(user) -> list[Notification]:
    return list(Notification.objects.filter(user=user, kind="question_waiting"))


def test_it_reminds_the_mentor_of_a_question_waiting_too_long(student, mentor):
    _asked_ago(student, 25)
    _asked_ago(student, 30, title="Second")
    _asked_ago(student, 2, title="Recent")

    assert question_reminders_send() == 2

    (reminder,) = _reminders(mentor)
    assert reminder.title == "2 questions have waited more than 24 hours for an answer"
    assert reminder.url == "/questions/queue/"


def test_it_reminds_once_per_question(student, mentor):
    question = _asked_ago(student, 25)

    question_reminders_send()
    answer_post(question=question, author=student, body="Anyone?")
    second = question_reminders_send(now=timezone.now() + timedelta(days=3))

    assert second == 0
    assert len(_reminders(mentor)) == 1


def test_it_does_not_remind_of_answered_questions(student, mentor):
    question = _asked_ago(student, 25)
    answer_post(question=question, author=mentor, body="Here.")

    assert question_reminders_send() == 0


@pytest.mark.parametrize(("hours", "reminded"), [(2, 1), (48, 0)])
def test_it_waits_the_configured_hours(settings, student, mentor, hours, reminded):
    settings.QUESTION_REMINDER_HOURS = hours
    _asked_ago(student, 3)

    assert question_reminders_send() == reminded


def test_it_reminds_no_one_of_a_student_without_a_mentor(db, programme):
    alone = StudentFactory()
    EnrolmentFactory(student=alone, programme=programme)
    _asked_ago(alone, 30)

    assert question_reminders_send() == 0
    assert not Notification.objects.filter(kind="question_waiting").exists()


def test_it_reminds_each_mentor_once_when_runs_overlap(
    monkeypatch, student, classmate, mentor, colleague
):
    _asked_ago(student, 25)
    _asked_ago(classmate, 25)
    send = questions_module.notification_send
    started, overlapped = [], []

    def send_and_start_another_run(**kwargs):
        # A second run starts while the first is between two mentors.
        if not started:
            started.append(True)
            overlapped.append(question_reminders_send())
        return send(**kwargs)

    monkeypatch.setattr(questions_module, "notification_send", send_and_start_another_run)

    first = question_reminders_send()

    assert first + overlapped[0] == 2
    assert len(_reminders(mentor)) == 1
    assert len(_reminders(colleague)) == 1


def test_it_reminds_from_the_hourly_task(student, mentor):
    _asked_ago(student, 25)

    assert remind_waiting_questions.delay().get() == 1
    assert len(_reminders(mentor)) == 1


def test_it_schedules_the_reminder_task_hourly(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["remind-waiting-questions"]

    assert entry["task"] == "knowledge_base.tasks.remind_waiting_questions"
