"""``manage.py seed_demo --scale``: the benchmarks' school, hundreds of students and
their knowledge base. A module of its own: ``test_seed_demo.py``'s tests share one seeded
demo (conftest.py), this one starts from an empty database."""

from io import StringIO

import pytest
from django.core.management import call_command

from knowledge_base.demo import seed_knowledge_at_scale
from knowledge_base.models import Answer, Article, Question, QuestionStatus
from mentorship import selectors
from mentorship.models import Assignment, Role, User


@pytest.mark.django_db
def test_it_builds_benchmark_data_at_scale():
    call_command(
        "seed_demo",
        *("--scale", "--students", "300", "--mentors", "12"),
        stdout=StringIO(),
        stderr=StringIO(),
    )

    assert User.objects.filter(role=Role.STUDENT).count() == 300
    assert User.objects.filter(role=Role.MENTOR).count() == 12
    assert Assignment.objects.current().count() == 300
    loads = [
        (mentor.current_students, mentor.mentor_profile.capacity)
        for mentor in selectors.mentors_with_load(User.objects.mentors())
    ]
    assert len(loads) == 12
    assert all(0 < load <= capacity for load, capacity in loads)
    # The knowledge base in proportion: about two questions a student (a third in
    # Russian, most answered), an article per twenty questions; written once.
    scaled = Question.objects.filter(title__startswith="[scale]")
    assert 550 <= scaled.count() <= 650
    assert scaled.filter(language="ru").exists()
    assert scaled.exclude(status=QuestionStatus.OPEN).count() > scaled.count() / 2
    assert Answer.objects.filter(question__in=scaled).exists()
    assert Article.objects.filter(title__startswith="[scale]").count() == scaled.count() // 20
    assert seed_knowledge_at_scale(seed=42)["questions"] == 0
