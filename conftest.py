"""Shared fixtures: one person per role, related the way the access rules care about.

``mentor`` mentors ``student`` and belongs to ``supervisor``'s team; ``other_mentor``
mentors ``other_student`` and belongs to ``other_supervisor``'s team.
"""

import sys
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import translation

from mentorship.tests.factories import (
    AssignmentFactory,
    MentorFactory,
    StaffFactory,
    StudentFactory,
    SupervisorFactory,
)

pytest_plugins = ["mentorship.tests.broker", "mentorship.tests.browser"]

# Tests that start services of their own (a Celery worker, a Redis or PostgreSQL server,
# a web server to fuzz) are timed against those services: under pytest-xdist they run
# one after another on one worker, never beside each other.
SERVICE_MARKERS = ("faults", "worker", "fuzz")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Under ``make test`` (pytest-xdist, ``--dist loadgroup``) a file's tests stay on one
    worker, so its module-scoped fixtures are built once; the service tests form one
    group of their own. First among the hooks: a worker's xdist plugin reads the groups
    in its own hook of this name, registered after this file and so called before it
    otherwise. ``pytest_collection_finish`` below checks that the groups were read."""
    for item in items:
        if any(item.get_closest_marker(name) for name in SERVICE_MARKERS):
            group = "services"
        else:
            group = item.nodeid.split("::", 1)[0]
        item.add_marker(pytest.mark.xdist_group(group))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_node_collection_finished(node, ids):
    """Without their groups a worker's tests are handed out one by one: a module's
    fixtures built on each worker its tests reach, the service tests side by side. That
    happened twice unnoticed (the hook above called after xdist's; pytest 9.2, which no
    longer reads the node id xdist 3.8 rewrites), so the run stops here instead."""
    if node.config.getoption("dist") == "loadgroup" and ids and "@" not in ids[0]:
        pytest.exit("pytest-xdist did not group the tests (conftest.py, --dist loadgroup)", 3)


@pytest.fixture(autouse=True)
def _default_language():
    # Django's LocaleMiddleware activates the reader's language in the thread that runs
    # the request and leaves it there: after a test client's request as a Russian
    # reader, the next test of the same process would create its course content in
    # the Russian columns (django-modeltranslation writes the active language's).
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _clear_cache():
    # Rate limits and other cached state must not leak from one test to the next.
    cache.clear()
    yield
    cache.clear()


@dataclass(frozen=True)
class SeededDemo:
    output: str  # what seed_demo printed
    media_root: Path  # where it stored the submissions' files


@pytest.fixture(scope="module")
def demo_seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    """``seed_demo`` once for a module's tests, which check it. Building the demo takes
    10 to 15 s and eight modules read it test by test; seeded for each test it was a
    third of the suite's time. Its rows live in a transaction that the module's end
    rolls back, so no other module sees them; each test's own changes are rolled back
    as always (its transaction is a savepoint inside this one). A test that needs an
    empty database, or a transaction of its own, belongs in another module. The files
    go to a folder of the module's, the settings' ``MEDIA_ROOT`` while it runs."""
    media = tmp_path_factory.mktemp("demo-media")
    media_root = override_settings(MEDIA_ROOT=str(media))
    demo = transaction.atomic()
    with django_db_blocker.unblock():
        media_root.enable()
        demo.__enter__()
        try:
            output = StringIO()
            call_command("seed_demo", stdout=output, stderr=StringIO())
        except BaseException:
            demo.__exit__(*sys.exc_info())
            media_root.disable()
            raise
    yield SeededDemo(output=output.getvalue(), media_root=media)
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        demo.__exit__(None, None, None)
    media_root.disable()


@pytest.fixture
def supervisor(db):
    return SupervisorFactory(display_name="Sofia Supervisor")


@pytest.fixture
def other_supervisor(db):
    return SupervisorFactory(display_name="Oleg Othersupervisor")


@pytest.fixture
def mentor(db, supervisor):
    user = MentorFactory(display_name="Maria Mentor")
    user.mentor_profile.supervisor = supervisor
    user.mentor_profile.save()
    return user


@pytest.fixture
def other_mentor(db, other_supervisor):
    user = MentorFactory(display_name="Otto Othermentor")
    user.mentor_profile.supervisor = other_supervisor
    user.mentor_profile.save()
    return user


@pytest.fixture
def student(db, mentor):
    user = StudentFactory(display_name="Stas Student")
    AssignmentFactory(student=user, mentor=mentor)
    return user


@pytest.fixture
def other_student(db, other_mentor):
    user = StudentFactory(display_name="Olga Otherstudent")
    AssignmentFactory(student=user, mentor=other_mentor)
    return user


@pytest.fixture
def staff(db):
    return StaffFactory(display_name="Stella Staff")


ROLES = [
    "student",
    "other_student",
    "mentor",
    "other_mentor",
    "supervisor",
    "other_supervisor",
    "staff",
]


@pytest.fixture
def as_user(client, request):
    """``as_user("mentor")`` logs the test client in as that role fixture's user."""

    def login(role: str):
        user = request.getfixturevalue(role)
        client.force_login(user)
        return user

    return login
