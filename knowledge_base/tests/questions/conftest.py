"""The people around a question, on top of the root conftest's roles, for the tests in
this folder (the article and pattern tests place people their own way).

``student`` and ``classmate`` study ``programme``; ``other_student`` studies
``other_programme``. ``mentor`` (``supervisor``'s team) and ``colleague`` teach
``programme``; ``other_mentor`` (``other_supervisor``'s team) teaches only
``other_programme``. ``mentor`` mentors ``student``, ``colleague`` mentors ``classmate``.

So for a question of ``student``: ``classmate`` and ``colleague`` see it only when it is
public; ``other_student``, ``other_mentor`` and ``other_supervisor`` never see it.
"""

import pytest

from knowledge_base.models import Topic
from knowledge_base.questions import question_ask
from mentorship.tests.factories import AssignmentFactory, MentorFactory, StudentFactory
from projects.tests.factories import EnrolmentFactory, ProgrammeFactory, ProjectFactory

# Every role of a question's access table: the root conftest's and the two below.
QUESTION_ROLES = [
    "student",
    "classmate",
    "other_student",
    "mentor",
    "colleague",
    "other_mentor",
    "supervisor",
    "other_supervisor",
    "staff",
]


@pytest.fixture
def programme(db):
    return ProgrammeFactory(title="Web development", slug="web")


@pytest.fixture
def other_programme(db):
    return ProgrammeFactory(title="Data analysis", slug="data")


@pytest.fixture
def project(programme):
    return ProjectFactory(programme=programme, title="Landing page", criteria=0)


@pytest.fixture
def other_project(other_programme):
    return ProjectFactory(programme=other_programme, title="Sales report", criteria=0)


@pytest.fixture
def topic(db):
    return Topic.objects.create(name="CSS", slug="css")


@pytest.fixture
def colleague(db, programme):
    user = MentorFactory(display_name="Carl Colleague")
    user.mentor_profile.programmes.add(programme)
    return user


@pytest.fixture
def classmate(db, programme, colleague):
    user = StudentFactory(display_name="Clara Classmate")
    AssignmentFactory(student=user, mentor=colleague)
    EnrolmentFactory(student=user, programme=programme)
    return user


# The root conftest's people, placed in the programmes (same names, so every test of
# the knowledge base sees them this way).


@pytest.fixture
def student(student, programme):
    EnrolmentFactory(student=student, programme=programme)
    return student


@pytest.fixture
def mentor(mentor, programme):
    mentor.mentor_profile.programmes.add(programme)
    return mentor


@pytest.fixture
def other_student(other_student, other_programme):
    EnrolmentFactory(student=other_student, programme=other_programme)
    return other_student


@pytest.fixture
def other_mentor(other_mentor, other_programme):
    other_mentor.mentor_profile.programmes.add(other_programme)
    return other_mentor


def ask(author, *, title="How do I centre a div?", body="I tried `margin: auto`.", **kwargs):
    return question_ask(author=author, title=title, body=body, **kwargs)


@pytest.fixture
def private_question(student, project):
    return ask(student, project=project, title="Private: my flexbox is broken")


@pytest.fixture
def public_question(student, project):
    return ask(student, project=project, title="Public: grid or flexbox?", visibility="programme")
