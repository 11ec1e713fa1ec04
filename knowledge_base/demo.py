"""Demo data of the knowledge base: case discussions, improvement proposals, topics,
questions with their answers, and articles (texts in ``demo_content``)."""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from mentorship.access import NotAllowed
from mentorship.demo import _demo_user, _students_of
from mentorship.models import Role, User
from mentorship.selectors import current_mentor
from projects.models import Enrolment, Programme, Project

from . import demo_content as content
from .deflections import deflection_record
from .models import (
    Answer,
    Article,
    ArticleStatus,
    ArticleVote,
    CaseDiscussion,
    CaseReply,
    Deflection,
    ImprovementProposal,
    Question,
    QuestionStatus,
    QuestionVisibility,
    Topic,
)
from .questions import answer_accept, answer_post, question_ask, question_mark_duplicate

CASES = [
    # (author mentor number, audience, about the author's first student?, title, body,
    #  replies as (author kind, number, body), resolved?)
    (
        1,
        "supervisor",
        True,
        "Student keeps postponing the first project",
        "Three weeks in and nothing submitted. They answer messages but always have a "
        "reason. How hard should I push before suggesting a pause?",
        [
            (
                "supervisor",
                1,
                "Offer a fixed weekly slot and a smaller first milestone. If nothing "
                "moves in two weeks, talk about pausing: it protects their motivation.",
            )
        ],
        False,
    ),
    (
        2,
        "mentors",
        False,
        "How do you explain async JavaScript to beginners?",
        "Several of my students get stuck on promises in the API project. What worked for you?",
        [
            (
                "mentor",
                1,
                "I draw the event loop on a whiteboard, then we rewrite one callback "
                "chain with `async`/`await` together.",
            ),
            (
                "mentor",
                3,
                "A tiny exercise first: fetch two URLs in order, then in parallel, and time both.",
            ),
        ],
        True,
    ),
    (
        3,
        "mentors",
        False,
        "Students copying review feedback from each other",
        "Two students submitted nearly the same fixes after reviews. "
        "Do we treat it as plagiarism?",
        [("mentor", 2, "I'd ask each to explain their changes in a session first.")],
        False,
    ),
]


PROPOSALS = [
    # (mentor number, subject, title, body, status, reply)
    (
        1,
        "project",
        "Clarify the deliverables of the first project",
        "Half of my students ask whether the README is required. Say it in the brief, "
        "and give an example of a good one.",
        "under_review",
        "Good point: we are rewriting the brief this month.",
    ),
    (
        2,
        "platform",
        "Let students attach a short video to a submission",
        "Some projects are easier to show than to describe. A two-minute screen "
        "recording would save a session.",
        "new",
        "",
    ),
    (
        1,
        "programme",
        "Add a project on accessibility",
        "Employers ask about it and the programme never mentions it.",
        "accepted",
        "Accepted: a new project is planned for the next intake.",
    ),
    (
        3,
        "platform",
        "Show the student's time zone next to their name",
        "I keep scheduling sessions at night for students abroad.",
        "done",
        "Done: the student's file and the session form show it now.",
    ),
]


def seed_cases() -> int:
    """The first demo mentors' case discussions with their replies, each written once
    (by title). Returns cases created."""
    now = timezone.now()
    mentors = {n: _demo_user("mentor", n) for n in (1, 2, 3)}
    if not all(mentors.values()):
        return 0
    supervisor = _demo_user("supervisor", 1)
    students = {n: _students_of(mentor) for n, mentor in mentors.items()}
    created = 0
    with transaction.atomic():
        for age, (number, audience, about, title, body, replies, resolved) in enumerate(CASES):
            if CaseDiscussion.objects.filter(title=title).exists():
                continue
            opened = now - timedelta(days=12 - 3 * age)
            case = CaseDiscussion.objects.create(
                author=mentors[number],
                audience=audience,
                title=title,
                body=body,
                student=students[number][0] if about and students[number] else None,
                created_at=opened,
                resolved_at=opened + timedelta(days=2) if resolved else None,
                resolved_by=mentors[number] if resolved else None,
            )
            for hours, (kind, author_number, reply) in enumerate(replies, start=1):
                author = supervisor if kind == "supervisor" else mentors.get(author_number)
                CaseReply.objects.create(
                    case=case,
                    author=author,
                    body=reply,
                    created_at=opened + timedelta(hours=5 * hours),
                )
            created += 1
    return created


def seed_proposals() -> int:
    """The first demo mentors' improvement proposals, each written once (by title).
    Returns proposals created."""
    now = timezone.now()
    mentors = {n: _demo_user("mentor", n) for n in (1, 2, 3)}
    if not all(mentors.values()):
        return 0
    programmes = list(Programme.objects.order_by("slug"))
    created = 0
    with transaction.atomic():
        for age, (number, subject, title, body, status, reply) in enumerate(PROPOSALS):
            if ImprovementProposal.objects.filter(title=title).exists():
                continue
            programme = (
                programmes[0] if subject in ("programme", "project") and programmes else None
            )
            ImprovementProposal.objects.create(
                author=mentors[number],
                subject=subject,
                programme=programme,
                project=programme.projects.order_by("position").first()
                if subject == "project" and programme
                else None,
                title=title,
                body=body,
                status=status,
                reply=reply,
                created_at=now - timedelta(days=20 - 4 * age),
                decided_at=now - timedelta(days=10 - 2 * age)
                if status in ("accepted", "declined", "done")
                else None,
            )
            created += 1
    return created


# --- Topics, questions and articles ---------------------------------------------------


def seed_topics() -> dict[str, Topic]:
    """The demo topics, mapped to the projects that cover them (two cover nothing)."""
    projects = {
        (project.programme.slug, project.position): project
        for project in Project.objects.select_related("programme")
    }
    topics = {}
    for name, slug, covered_by in content.TOPICS:
        topic, created = Topic.objects.get_or_create(slug=slug, defaults={"name": name})
        if created:
            topic.projects.set([projects[key] for key in covered_by if key in projects])
        topics[slug] = topic
    return topics


def _backdate(question: Question, *, asked, answers: list[tuple[Answer, object]]) -> None:
    """Move a freshly asked question and its thread to when the demo says they
    happened, keeping the order of events."""
    for answer, when in answers:
        Answer.objects.filter(pk=answer.pk).update(created_at=when)
    thread = [when for answer, when in answers if not answer.is_follow_up]
    follow_ups = [when for answer, when in answers if answer.is_follow_up]
    question.created_at = asked
    question.waiting_since = max(follow_ups) if follow_ups else asked
    question.first_answered_at = min(thread) if thread else None
    Question.objects.filter(pk=question.pk).update(
        created_at=question.created_at,
        waiting_since=question.waiting_since,
        first_answered_at=question.first_answered_at,
    )


def seed_questions(topics: dict[str, Topic]) -> int:
    """The demo students' questions, asked and answered through the services (so the
    activity and notifications are real), then dated back; each asked once (by
    title). Returns questions created."""
    now = timezone.now()
    created = 0
    for (
        number,
        visibility,
        position,
        slugs,
        title,
        body,
        days,
        answers,
        accepted,
        follow_up,
    ) in content.QUESTIONS:
        student = _demo_user("student", number)
        if student is None or Question.objects.filter(title=title).exists():
            continue
        enrolment = Enrolment.objects.filter(student=student).select_related("programme").first()
        if enrolment is None:
            continue
        project = (
            enrolment.programme.projects.filter(position=position).first() if position else None
        )
        with transaction.atomic():
            question = question_ask(
                author=student,
                title=title,
                body=body,
                programme=enrolment.programme,
                project=project,
                topics=[topics[slug] for slug in slugs],
                visibility=visibility,
                hide_name=number % 2 == 0,
            )
            asked = now - timedelta(days=days)
            thread = []
            for who, text, hours in answers:
                author = _answerer(who, student=student)
                if author is None:
                    continue
                thread.append((answer_post(question=question, author=author, body=text), hours))
            if follow_up is not None:
                text, hours = follow_up
                thread.append((answer_post(question=question, author=student, body=text), hours))
            if accepted is not None and accepted < len(thread):
                answer_accept(answer=thread[accepted][0], by=student)
            _backdate(
                question,
                asked=asked,
                answers=[(answer, asked + timedelta(hours=hours)) for answer, hours in thread],
            )
        created += 1
    for duplicate_title, original_title in content.DUPLICATES:
        duplicate = Question.objects.filter(title=duplicate_title).first()
        original = Question.objects.filter(title=original_title).first()
        if duplicate and original and duplicate.status != QuestionStatus.DUPLICATE:
            mentor = current_mentor(student=duplicate.author)
            if mentor is not None:
                question_mark_duplicate(question=duplicate, original=original, by=mentor)
    return created


def _answerer(who: str, *, student: User) -> User | None:
    if who == "mentor":
        return current_mentor(student=student)
    return _demo_user("student", int(who.split(":")[1]))


def seed_articles(topics: dict[str, Topic]) -> int:
    """The demo articles in both languages, some grown from the demo questions, each
    written once (by title) by the first demo mentors. Returns articles created."""
    now = timezone.now()
    authors = [mentor for mentor in (_demo_user("mentor", n) for n in (1, 2, 3)) if mentor]
    if not authors:
        return 0
    programmes = {programme.slug: programme for programme in Programme.objects.all()}
    created = 0
    for age, (language, slugs, positions, topic_slugs, title, body, status, answers) in enumerate(
        content.ARTICLES
    ):
        if Article.objects.filter(title=title).exists():
            continue
        chosen = [programmes[slug] for slug in slugs if slug in programmes]
        author = authors[age % len(authors)]
        with transaction.atomic():
            article = Article(
                title=title,
                body=body,
                language=language,
                status=status,
                created_at=now - timedelta(days=60 - age),
                updated_at=now - timedelta(days=30 - age),
                published_at=None
                if status == ArticleStatus.DRAFT
                else now - timedelta(days=30 - age),
                view_count=(len(content.ARTICLES) - age) * 7,
            )
            article._history_user = author
            article.save()
            article.authors.set([author])
            article.topics.set([topics[slug] for slug in topic_slugs])
            article.programmes.set(chosen)
            if chosen:
                article.projects.set(chosen[0].projects.filter(position__in=positions))
            article.questions.set(Question.objects.filter(title__in=answers))
        created += 1
    return created


def seed_deflections() -> int:
    """Students who found their answer in a suggested article before asking, and a
    few "this helped" votes. Returns deflections recorded."""
    recorded = 0
    for number, typed, title in content.DEFLECTIONS:
        student = _demo_user("student", number)
        article = Article.objects.filter(title=title, status=ArticleStatus.PUBLISHED).first()
        if student is None or article is None:
            continue
        if Deflection.objects.filter(student=student, article=article).exists():
            continue
        try:
            deflection_record(student=student, query=typed, article=article)
        except NotAllowed:  # an article of another programme: never suggested to them
            continue
        ArticleVote.objects.get_or_create(article=article, user=student)
        recorded += 1
    return recorded


def seed_knowledge() -> dict[str, int]:
    """Topics, questions and articles of the demo (the small school)."""
    topics = seed_topics()
    return {
        "questions": seed_questions(topics),
        "articles": seed_articles(topics),
        "deflections": seed_deflections(),
    }


def seed_knowledge_at_scale(*, seed: int, per_student: float = 2.0) -> dict[str, int]:
    """For benchmarks: about ``per_student`` questions per student (a third in
    Russian, most answered) and one article per twenty questions, composed from a
    small vocabulary so words repeat as they do in a real school. Inserted in bulk;
    the search vectors are kept by the database's trigger."""
    rng = random.Random(seed)
    now = timezone.now()
    if Question.objects.filter(title__startswith="[scale]").exists():
        return {"questions": 0, "answers": 0, "articles": 0}
    enrolments = list(
        Enrolment.objects.filter(student__role=Role.STUDENT).values_list(
            "student_id", "programme_id"
        )
    )
    mentors = list(User.objects.filter(role=Role.MENTOR).values_list("pk", flat=True)[:200])
    if not enrolments or not mentors:
        return {"questions": 0, "answers": 0, "articles": 0}
    questions, answered = [], []
    for _ in range(int(len(enrolments) * per_student)):
        student_id, programme_id = rng.choice(enrolments)
        russian = rng.random() < 1 / 3
        subjects = content.SCALE_SUBJECTS_RU if russian else content.SCALE_SUBJECTS_EN
        problems = content.SCALE_PROBLEMS_RU if russian else content.SCALE_PROBLEMS_EN
        subject, problem = rng.choice(subjects), rng.choice(problems)
        asked = now - timedelta(days=rng.uniform(0, 180))
        state = rng.random()
        status = (
            QuestionStatus.ACCEPTED
            if state < 0.55
            else QuestionStatus.ANSWERED
            if state < 0.85
            else QuestionStatus.OPEN
        )
        questions.append(
            Question(
                author_id=student_id,
                programme_id=programme_id,
                title=f"[scale] {subject}: {problem}",
                body=f"{subject} {problem}. {rng.choice(subjects)}, {rng.choice(problems)}.",
                language="ru" if russian else "en",
                visibility=QuestionVisibility.PROGRAMME
                if rng.random() < 0.6
                else QuestionVisibility.PRIVATE,
                status=status,
                created_at=asked,
                waiting_since=asked,
                first_answered_at=None
                if status == QuestionStatus.OPEN
                else asked + timedelta(hours=rng.uniform(1, 48)),
            )
        )
    Question.objects.bulk_create(questions, batch_size=2000)
    for question in questions:
        if question.first_answered_at is not None:
            answered.append(
                Answer(
                    question_id=question.pk,
                    author_id=rng.choice(mentors),
                    body=f"{question.title}: try the steps in the knowledge base.",
                    created_at=question.first_answered_at,
                )
            )
    Answer.objects.bulk_create(answered, batch_size=2000)
    articles = []
    for number in range(len(questions) // 20):
        russian = number % 3 == 0
        subjects = content.SCALE_SUBJECTS_RU if russian else content.SCALE_SUBJECTS_EN
        problems = content.SCALE_PROBLEMS_RU if russian else content.SCALE_PROBLEMS_EN
        subject = rng.choice(subjects)
        published = now - timedelta(days=rng.uniform(0, 180))
        articles.append(
            Article(
                title=f"[scale] {subject} #{number}",
                body=" ".join(f"{subject} {rng.choice(problems)}." for _ in range(8)),
                language="ru" if russian else "en",
                status=ArticleStatus.PUBLISHED,
                created_at=published,
                updated_at=published,
                published_at=published,
            )
        )
    Article.objects.bulk_create(articles, batch_size=2000)
    Article.authors.through.objects.bulk_create(
        [
            Article.authors.through(article_id=article.pk, user_id=rng.choice(mentors))
            for article in articles
        ],
        batch_size=2000,
    )
    return {"questions": len(questions), "answers": len(answered), "articles": len(articles)}
