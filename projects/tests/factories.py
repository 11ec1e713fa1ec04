"""Factories for the review loop. Others may ADD factories at the end of this file.

``ProjectFactory`` gives a project two rubric criteria (pass ``criteria=0`` for none,
or another number); ``SubmissionFileFactory`` writes a small text file, so tests that
use it should set ``MEDIA_ROOT`` to a temporary folder (the ``media_root`` fixture in
``projects/tests/conftest.py`` does that for every test of the app).
"""

from datetime import timedelta

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from mentorship.tests.factories import MentorFactory, StudentFactory
from projects.models import (
    CriterionVerdict,
    DifficultyRating,
    Enrolment,
    Programme,
    Project,
    Review,
    ReviewNote,
    RubricCriterion,
    Submission,
    SubmissionFile,
    SubmissionStatus,
    Verdict,
)


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme
        django_get_or_create = ["slug"]

    title = factory.Sequence(lambda n: f"Programme {n}")
    slug = factory.Sequence(lambda n: f"programme-{n}")
    description = "Learn by building."


class RubricCriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RubricCriterion

    project = factory.SubFactory("projects.tests.factories.ProjectFactory", criteria=0)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Criterion {n}")
    met_means = "The work does what the brief asks."


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project
        skip_postgeneration_save = True

    programme = factory.SubFactory(ProgrammeFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Project {n}")
    brief = "Build **something** small and explain it in a README."
    effort_hours = 10
    target_days = 14

    @factory.post_generation
    def criteria(obj, create, extracted, **kwargs):
        """``criteria=N`` rubric criteria (default 2), positions 1..N."""
        if not create:
            return
        count = 2 if extracted is None else extracted
        for position in range(1, count + 1):
            RubricCriterionFactory(
                project=obj, position=position, title=f"{obj.title}: criterion {position}"
            )


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    student = factory.SubFactory(StudentFactory)
    programme = factory.SubFactory(ProgrammeFactory)
    started_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
    target_end_on = factory.LazyAttribute(lambda o: o.started_on + timedelta(days=180))


class SubmissionFactory(factory.django.DjangoModelFactory):
    """A waiting attempt. Pass ``attempt`` when a student has several on one project."""

    class Meta:
        model = Submission

    student = factory.SubFactory(StudentFactory)
    project = factory.SubFactory(ProjectFactory)
    attempt = 1
    comment = "Here is my work."
    link = "https://github.com/example/project"
    status = SubmissionStatus.SUBMITTED
    submitted_at = factory.LazyFunction(timezone.now)


class SubmissionFileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SubmissionFile

    class Params:
        content = b"print('hello')\n"

    submission = factory.SubFactory(SubmissionFactory)
    original_name = "main.py"
    file = factory.LazyAttribute(lambda o: ContentFile(o.content, name=o.original_name))
    size = factory.LazyAttribute(lambda o: len(o.content))
    content_type = "text/x-python"


class ReviewFactory(factory.django.DjangoModelFactory):
    """A review with a verdict on every criterion of the project (all met when
    approved, the first one not met when changes are requested). Sets the submission's
    status and reviewed time to match."""

    class Meta:
        model = Review
        skip_postgeneration_save = True

    submission = factory.SubFactory(SubmissionFactory)
    reviewer = factory.SubFactory(MentorFactory)
    verdict = Verdict.APPROVED
    feedback = "Well done: clear code and a helpful README."
    created_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def verdicts(obj, create, extracted, **kwargs):
        if not create:
            return
        approved = obj.verdict == Verdict.APPROVED
        CriterionVerdict.objects.bulk_create(
            [
                CriterionVerdict(
                    review=obj,
                    criterion=criterion,
                    met=approved or index > 0,
                    comment="" if approved or index > 0 else "Not yet.",
                )
                for index, criterion in enumerate(obj.submission.project.criteria.all())
            ]
        )
        Submission.objects.filter(pk=obj.submission_id).update(
            status=(SubmissionStatus.APPROVED if approved else SubmissionStatus.CHANGES_REQUESTED),
            reviewed_at=obj.created_at,
        )
        obj.submission.refresh_from_db()


class ReviewNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewNote

    project = factory.SubFactory(ProjectFactory)
    author = factory.SubFactory(MentorFactory)
    title = factory.Sequence(lambda n: f"Note {n}")
    body = "Remember to add a README that says how to run your code."


class DifficultyRatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DifficultyRating

    submission = factory.SubFactory(SubmissionFactory, status=SubmissionStatus.APPROVED)
    rating = 3
    comment = ""
