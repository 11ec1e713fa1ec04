"""``seed_demo --scale``'s review loop: histories for hundreds of students without a
file stored. A module of its own: ``test_demo.py``'s tests share one seeded demo
(conftest.py), this one starts from an empty database."""

from io import StringIO

import pytest
from django.core.management import call_command

from projects.models import CriterionVerdict, Enrolment, Submission, SubmissionFile

pytestmark = pytest.mark.django_db


def _seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_it_builds_histories_without_files_at_scale(media_root):
    _seed("--scale", "--students", "300", "--mentors", "12")

    assert Enrolment.objects.count() == 300
    assert Submission.objects.count() > 300
    assert Submission.objects.waiting().exists()
    assert CriterionVerdict.objects.exists()
    assert not SubmissionFile.objects.exists()
    assert not media_root.exists() or not any(media_root.rglob("*.*"))
