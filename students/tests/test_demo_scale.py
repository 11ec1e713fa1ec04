"""``seed_demo --scale``'s mentoring part: sessions for the demo students only, however
many students the benchmark asks for. A module of its own: ``test_demo.py``'s tests
share one seeded demo (conftest.py), this one starts from an empty database."""

from io import StringIO

import pytest
from django.core.management import call_command

from students.demo import DEMO_STUDENTS
from students.models import MentoringSession


@pytest.mark.django_db
def test_it_stays_small_at_scale():
    call_command(
        "seed_demo",
        *("--scale", "--students", "300", "--mentors", "12"),
        stdout=StringIO(),
        stderr=StringIO(),
    )

    assert MentoringSession.objects.values("student").distinct().count() <= DEMO_STUDENTS
