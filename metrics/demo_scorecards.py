"""The demo's mentors as the scorecards and the supervisor's dashboard should show
them: who each of the six demo mentors is (``CHARACTERS``), handed to the other apps'
demo writers as the way they review (``projects.demo.ReviewStyle``), the way their
mentoring goes (``students.demo.MentoringStyle``) and the students they were given
(hours a week, ``mentorship.demo.seed_people``); and the metrics app's own part of
that history, the students' surveys and the supervisors' second readings.

The teams (``mentorship.demo``: odd mentors with ``supervisor@``, even ones with
``supervisor2@``): ``supervisor@demo.test`` leads a strong mentor (``mentor@``), a
weak one (``mentor3@``, slipping further) and a harsh reviewer (``mentor5@``, on the
same projects as ``mentor3@``); ``supervisor2@demo.test`` leads one improving month
by month (``mentor2@``), a lenient reviewer (``mentor4@``, on the harsh one's
projects) and one declining (``mentor6@``). Their students differ too: ``mentor2@``
and ``mentor5@`` mentor career changers with few hours a week, ``mentor6@``
full-time students, so what is expected of each differs.

The characters are the demo's, not the benchmarks': ``seed_demo --scale`` keeps its
uniform data. Surveys and second readings are written in bulk (no notifications),
each once: a second run adds nothing.
"""

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from mentorship.demo import DEMO_DOMAIN, demo_email, then_and_now
from mentorship.models import Assignment, MentorProfile, StudentStatus, User
from projects.demo import ReviewStyle
from projects.models import Review, Verdict
from students.demo import MentoringStyle, status_histories, status_on

from .models import SecondReading, Survey, SurveyContinue
from .surveys import survey_round, survey_round_days


@dataclass(frozen=True)
class MentorCharacter:
    """Who a demo mentor is, for the scorecards to show. ``weekly_hours``: the hours a
    week their students choose from; ``survey_score``: the mean "would you recommend"
    (0-10) their students give, six months ago and now; ``survey_answers``: the share
    of surveys answered; ``survey_comments``: what their students say in them besides
    the usual, by language; ``second_readings``: the supervisor's rating and comment
    of their recent reviews, of ``read`` ones (``"changes"``: requests for changes,
    ``"approvals"``: first attempts approved, ``"any"``); ``graduates``: whether most
    of their students who joined longer ago than a programme lasts have graduated
    (``GRADUATED_AFTER_DAYS``), or stayed on, as the weak mentor's do until they drop
    out (``students.demo.DemoStory``)."""

    summary: str
    weekly_hours: tuple[int, ...]
    reviews: ReviewStyle
    mentoring: MentoringStyle
    survey_score: tuple[float, float]
    survey_answers: float
    survey_comments: dict[str, list[str]]
    second_readings: tuple[tuple[int, str], ...]
    read: str = "any"
    graduates: bool = True


CHARACTERS = {
    1: MentorCharacter(
        summary="Strong: quick, clear reviews; students active and on track.",
        weekly_hours=(5, 8, 10, 15, 20),
        reviews=ReviewStyle(
            fastest_hours=(1, 1),
            slowest_hours=(12, 12),
            first_approval=(0.65, 0.65),
            later_approval=(0.85, 0.85),
            students_pace=(0.75, 0.75),
        ),
        mentoring=MentoringStyle(
            quiet_spells=(0.3, 0.3),
            no_shows=(0.04, 0.04),
            rating=(4.7, 4.7),
            acknowledge_hours=(4, 4),
            ignored_flags=(0.0, 0.0),
        ),
        survey_score=(9.0, 9.3),
        survey_answers=0.9,
        survey_comments={
            "en": [
                "My reviews come back the same day, with examples.",
                "Sessions keep me going; I always know the next step.",
            ],
            "ru": [
                "Ревью приходят в тот же день, с примерами.",
                "После каждой встречи понятно, что делать дальше.",
            ],
        },
        second_readings=(
            (5, "Clear and kind; each point says what to change and why."),
            (5, "Names the criterion and shows an example: a model review."),
            (4, "Good. Could link the knowledge base article on this."),
        ),
    ),
    2: MentorCharacter(
        summary="Improving: slow and uneven six months ago, prompt and careful now.",
        weekly_hours=(5, 5, 8, 10),
        reviews=ReviewStyle(
            fastest_hours=(24, 2),
            slowest_hours=(110, 20),
            first_approval=(0.55, 0.62),
            later_approval=(0.8, 0.85),
            students_pace=(1.15, 0.9),
        ),
        mentoring=MentoringStyle(
            quiet_spells=(0.5, 0.1),
            no_shows=(0.25, 0.06),
            rating=(3.4, 4.5),
            acknowledge_hours=(80, 6),
            ignored_flags=(0.4, 0.05),
        ),
        survey_score=(6.0, 8.8),
        survey_answers=0.75,
        survey_comments={
            "en": ["Much better lately: reviews are quick now.", "Sessions are more useful now."],
            "ru": ["В последнее время гораздо лучше: ревью быстрые.", "Встречи стали полезнее."],
        },
        second_readings=(
            (4, "Prompt and to the point, unlike a few months ago."),
            (4, "Specific feedback, and the tone is right."),
            (3, "Correct, but says nothing about what was done well."),
        ),
    ),
    3: MentorCharacter(
        summary="Weak and slipping: slow reviews, missed sessions, flags left unread.",
        weekly_hours=(8, 10, 15, 20),
        reviews=ReviewStyle(
            fastest_hours=(20, 48),
            slowest_hours=(70, 150),
            first_approval=(0.55, 0.5),
            students_pace=(1.3, 1.5),
        ),
        mentoring=MentoringStyle(
            quiet_spells=(0.5, 0.7),
            no_shows=(0.18, 0.35),
            rating=(3.6, 2.9),
            acknowledge_hours=(72, 120),
            ignored_flags=(0.35, 0.6),
        ),
        survey_score=(6.5, 4.8),
        survey_answers=0.55,
        survey_comments={
            "en": [
                "I wait almost a week for every review.",
                "My mentor did not turn up to our last session.",
                "I do not know whom to ask when I am stuck.",
            ],
            "ru": [
                "Каждое ревью жду почти неделю.",
                "Ментор не пришёл на последнюю встречу.",
                "Непонятно, к кому обращаться, когда застрял.",
            ],
        },
        graduates=False,
        second_readings=(
            (2, "Five days late, and two lines of feedback."),
            (3, "The verdict is right, but it says what is wrong, not how to fix it."),
            (2, "The same comment as on the previous attempt, copied."),
        ),
    ),
    4: MentorCharacter(
        summary="Lenient reviewer: approves nearly everything on the first attempt.",
        weekly_hours=(8, 10, 15, 20),
        reviews=ReviewStyle(
            fastest_hours=(2, 2),
            slowest_hours=(24, 24),
            first_approval=(0.95, 0.95),
            later_approval=(1.0, 1.0),
            criteria_not_met=(1,),
            students_pace=(0.9, 0.9),
        ),
        mentoring=MentoringStyle(
            quiet_spells=(0.15, 0.15),
            no_shows=(0.08, 0.08),
            rating=(4.5, 4.5),
            acknowledge_hours=(16, 16),
        ),
        survey_score=(8.6, 8.6),
        survey_answers=0.8,
        survey_comments={
            "en": [
                "Everything gets approved at once; I am not sure I am learning much.",
                "Friendly mentor, quick approvals.",
            ],
            "ru": [
                "Всё принимают с первого раза; не уверен, что я чему-то учусь.",
                "Доброжелательный ментор, проекты принимают быстро.",
            ],
        },
        second_readings=(
            (2, "Approved, but the analysis draws no conclusion: that criterion is not met."),
            (3, "Approved with unlabelled charts; should have asked for labels."),
            (2, "'Great job!' and nothing else: the student learns nothing from it."),
        ),
        read="approvals",
    ),
    5: MentorCharacter(
        summary="Harsh reviewer: sends most work back, often for more than the rubric asks.",
        weekly_hours=(5, 8, 10),
        reviews=ReviewStyle(
            fastest_hours=(3, 3),
            slowest_hours=(30, 30),
            first_approval=(0.18, 0.18),
            later_approval=(0.5, 0.5),
            criteria_not_met=(2, 3),
            students_pace=(1.0, 1.0),
        ),
        mentoring=MentoringStyle(
            quiet_spells=(0.2, 0.2),
            no_shows=(0.1, 0.1),
            rating=(3.9, 3.9),
            acknowledge_hours=(20, 20),
        ),
        survey_score=(6.8, 6.8),
        survey_answers=0.75,
        survey_comments={
            "en": [
                "Every project comes back two or three times for small things.",
                "Detailed reviews, but I am losing heart.",
            ],
            "ru": [
                "Каждый проект возвращают по два-три раза из-за мелочей.",
                "Ревью подробные, но руки опускаются.",
            ],
        },
        second_readings=(
            (2, "Sent back for naming the rubric does not ask about; the criteria are met."),
            (3, "Three criteria marked not met where one was; detailed, though."),
            (2, "A third round for style points only: approve and mention them."),
        ),
        read="changes",
    ),
    6: MentorCharacter(
        summary="Declining: excellent six months ago, slower and thinner now.",
        weekly_hours=(20, 30, 40),
        reviews=ReviewStyle(
            fastest_hours=(1, 24),
            slowest_hours=(14, 100),
            first_approval=(0.62, 0.62),
            later_approval=(0.85, 0.85),
            students_pace=(0.9, 1.15),
        ),
        mentoring=MentoringStyle(
            quiet_spells=(0.1, 0.55),
            no_shows=(0.05, 0.25),
            rating=(4.6, 3.4),
            acknowledge_hours=(5, 70),
            ignored_flags=(0.0, 0.4),
        ),
        survey_score=(9.0, 6.0),
        survey_answers=0.75,
        survey_comments={
            "en": [
                "Reviews used to be quick; now I wait for days.",
                "Sessions feel rushed lately.",
            ],
            "ru": [
                "Раньше ревью были быстрыми, теперь жду по несколько дней.",
                "Встречи стали скомканными.",
            ],
        },
        second_readings=(
            (3, "The verdict is right, but the feedback is thinner than it used to be."),
            (3, "Took four days; the student waited over a weekend."),
            (4, "Precise points on each criterion."),
        ),
    ),
}

# What students say in a survey, whoever their mentor, by how they scored.
SURVEY_COMMENTS = {
    "en": {
        "high": ["Very happy with my mentoring.", "I would recommend it to a friend."],
        "middle": ["It is fine, but could be more regular.", "Good overall; sessions are short."],
        "low": ["I am thinking of stopping.", "I expected more support."],
    },
    "ru": {
        "high": ["Очень доволен менторством.", "Посоветую друзьям."],
        "middle": [
            "В целом нормально, но хотелось бы регулярнее.",
            "Хорошо, но встречи короткие.",
        ],
        "low": ["Думаю бросить.", "Ожидал больше поддержки."],
    },
}

# Survey rounds of history (``metrics.surveys``: four weeks each, every student on
# their own day of it).
SURVEY_ROUNDS = 6


# Six months is longer than a programme (the plans last 70 and 101 days): most who
# joined longer ago than this have finished.
GRADUATED_AFTER_DAYS = 120


def graduated_after() -> dict[int, int]:
    """After how many days most students of each demo mentor (by number) graduated."""
    return {
        number: GRADUATED_AFTER_DAYS
        for number, character in CHARACTERS.items()
        if character.graduates
    }


def weekly_hours() -> dict[int, tuple[int, ...]]:
    """The hours a week the students of each demo mentor (by number) choose from."""
    return {number: character.weekly_hours for number, character in CHARACTERS.items()}


def _characters_by_mentor() -> dict[int, MentorCharacter]:
    """The demo mentors with a character, by user id."""
    emails = {demo_email("mentor", number): number for number in CHARACTERS}
    return {
        pk: CHARACTERS[emails[email]]
        for pk, email in User.objects.filter(email__in=emails).values_list("pk", "email")
    }


def review_styles() -> dict[int, ReviewStyle]:
    """How each demo mentor reviews, by user id (``projects.demo.seed_projects``)."""
    return {pk: character.reviews for pk, character in _characters_by_mentor().items()}


def mentoring_styles() -> dict[int, MentoringStyle]:
    """How each demo mentor's mentoring goes, by user id (``students.demo.seed_activity``)."""
    return {pk: character.mentoring for pk, character in _characters_by_mentor().items()}


# --- Surveys --------------------------------------------------------------------------


def _continues(rng: random.Random, score: int) -> str:
    if score >= 8:
        return SurveyContinue.YES if rng.random() < 0.9 else SurveyContinue.UNSURE
    if score >= 5:
        return rng.choices(
            [SurveyContinue.YES, SurveyContinue.UNSURE, SurveyContinue.NO], weights=[5, 4, 1]
        )[0]
    return rng.choices(
        [SurveyContinue.NO, SurveyContinue.UNSURE, SurveyContinue.YES], weights=[8, 9, 3]
    )[0]


def _survey_comment(rng: random.Random, character: MentorCharacter, score: int, language: str):
    if rng.random() >= 0.35:
        return ""
    own = character.survey_comments.get(language) or character.survey_comments["en"]
    if rng.random() < 0.5:
        return rng.choice(own)
    band = "high" if score >= 8 else "middle" if score >= 5 else "low"
    return rng.choice(SURVEY_COMMENTS.get(language, SURVEY_COMMENTS["en"])[band])


def seed_surveys(*, seed: int = 42) -> dict[str, int]:
    """The last ``SURVEY_ROUNDS`` rounds of the satisfaction survey for the students
    of the demo mentors with a character: sent on the student's day of each round
    while they were active (not in their first week), about their mentor then; most
    answered within three days, the score and the plan to continue as their mentor's
    character says then, a comment some of the time in the student's language. A
    student who dropped out said so in their last answer before. A round a student
    already has is left as it is. Returns surveys sent and answered."""
    now = timezone.now()
    today = timezone.localdate()
    characters = _characters_by_mentor()
    assignments = list(
        Assignment.objects.current()
        .filter(mentor_id__in=list(characters), student__email__endswith=f"@{DEMO_DOMAIN}")
        .select_related("student")
        .order_by("student_id")
    )
    student_ids = [assignment.student_id for assignment in assignments]
    statuses = status_histories(student_ids)
    done = set(
        Survey.objects.filter(student_id__in=student_ids).values_list("student_id", "round")
    )
    surveys = []
    for assignment in assignments:
        student, character = assignment.student, characters[assignment.mentor_id]
        rng = random.Random(f"{seed}:{student.email}:surveys")
        history = statuses.get(student.pk, [])
        dropped_on = next(
            (day for day, status in history if status == StudentStatus.DROPPED), None
        )
        joined = timezone.localdate(student.date_joined, student.zone)
        current = survey_round(student.pk, today)
        for number in range(current - SURVEY_ROUNDS + 1, current + 1):
            sent_on, _next_round = survey_round_days(student.pk, number)
            sent_at = datetime.combine(sent_on, time(9), student.zone)
            if (
                (student.pk, number) in done
                or sent_at > now
                or sent_on < joined + timedelta(days=7)
                or status_on(history, sent_on) != StudentStatus.ACTIVE
            ):
                continue
            survey = Survey(
                student=student, mentor_id=assignment.mentor_id, round=number, sent_at=sent_at
            )
            answered_at = sent_at + timedelta(hours=rng.uniform(1, 72))
            if rng.random() < character.survey_answers and answered_at <= now:
                mean = then_and_now(character.survey_score, at=sent_on, now=today)
                score = min(10, max(0, round(rng.gauss(mean, 1.2))))
                leaving = dropped_on is not None and dropped_on - sent_on < timedelta(days=45)
                if leaving:
                    score = min(score, rng.randint(2, 5))
                survey.answered_at = answered_at
                survey.score = score
                survey.plans_to_continue = SurveyContinue.NO if leaving else _continues(rng, score)
                survey.comment = _survey_comment(rng, character, score, student.language)
            surveys.append(survey)
    Survey.objects.bulk_create(surveys, ignore_conflicts=True)
    return {
        "surveys": len(surveys),
        "answered": sum(survey.answered_at is not None for survey in surveys),
    }


# --- Second readings ------------------------------------------------------------------


def seed_second_readings(*, seed: int = 42) -> int:
    """Each supervisor's second reading of a few recent reviews (the last 60 days)
    of each of their mentors with a character, rated and commented as the character
    says, a few hours to three days after the review; the harsh reviewer's requests
    for changes and the lenient one's first-attempt approvals are the ones read. A
    mentor whose reviews their supervisor has read already is left as they are.
    Returns the readings written."""
    rng = random.Random(f"{seed}:second-readings")
    now = timezone.now()
    characters = _characters_by_mentor()
    supervisors = dict(
        MentorProfile.objects.filter(user_id__in=list(characters), supervisor__isnull=False)
        .order_by("user_id")
        .values_list("user_id", "supervisor_id")
    )
    read = set(
        SecondReading.objects.filter(review__reviewer_id__in=list(supervisors)).values_list(
            "review__reviewer_id", "reader_id"
        )
    )
    readings = []
    for mentor_id, supervisor_id in supervisors.items():
        if (mentor_id, supervisor_id) in read:
            continue
        character = characters[mentor_id]
        reviews = Review.objects.filter(
            reviewer_id=mentor_id, created_at__gte=now - timedelta(days=60)
        ).order_by("-created_at", "-pk")
        if character.read == "changes":
            reviews = reviews.filter(verdict=Verdict.CHANGES_REQUESTED)
        elif character.read == "approvals":
            reviews = reviews.filter(verdict=Verdict.APPROVED, submission__attempt=1)
        chosen = list(reviews[: len(character.second_readings)])
        for review, (rating, comment) in zip(chosen, character.second_readings, strict=False):
            readings.append(
                SecondReading(
                    review=review,
                    reader_id=supervisor_id,
                    rating=rating,
                    comment=comment,
                    created_at=min(now, review.created_at + timedelta(hours=rng.uniform(4, 72))),
                )
            )
    SecondReading.objects.bulk_create(readings, ignore_conflicts=True)
    return len(readings)


def seed_scorecards(*, seed: int = 42) -> dict[str, int]:
    """The metrics app's part of the demo mentors' history: surveys and second
    readings (the rest of it is written by the other apps' demo writers, in the
    mentors' styles)."""
    with transaction.atomic():
        counts = seed_surveys(seed=seed)
        counts["readings"] = seed_second_readings(seed=seed)
    return counts
