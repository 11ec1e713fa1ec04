"""Moving models between apps (docs/architecture.md) keeps every row: a database filled
by ``seed_demo`` is taken back to the migrations before the move and forward again,
and every table holds what it held."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from mentorship.tests.migrations import migrate_to

# The last migration of each app before the models moved (knowledge_base and metrics
# had none).
BEFORE_THE_MOVE = [
    ("mentorship", "0006_student_status_changed_at"),
    ("projects", "0003_improvementproposal_recommendation"),
    ("students", "0006_flag_run_rounds"),
    ("knowledge_base", None),
    ("metrics", None),
]

MOVED = {
    "mentoringsession": ("mentorship", "students"),
    "casediscussion": ("mentorship", "knowledge_base"),
    "casereply": ("mentorship", "knowledge_base"),
    "improvementproposal": ("projects", "knowledge_base"),
    "weeklyreport": ("mentorship", "metrics"),
    "developmentrecord": ("mentorship", "metrics"),
    "activityevent": ("students", "mentorship"),
    "dailyactivity": ("students", "mentorship"),
}


def _row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    del counts["django_migrations"]
    return counts


def _app_of(model: str) -> set[str]:
    return set(ContentType.objects.filter(model=model).values_list("app_label", flat=True))


@pytest.mark.django_db(transaction=True)
def test_it_keeps_every_row_across_the_move():
    call_command("seed_demo", verbosity=0)
    ContentType.objects.clear_cache()
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    now = _row_counts()
    assert now["mentorship_mentoringsession"] > 0
    assert now["students_activityevent"] > 0
    assert now["projects_improvementproposal"] > 0

    migrate_to(BEFORE_THE_MOVE)
    before = _row_counts()
    assert {model: _app_of(model) for model in MOVED} == {
        model: {old} for model, (old, _new) in MOVED.items()
    }

    migrate_to(latest)
    after = _row_counts()

    assert {table: count for table, count in after.items() if table in before} == before
    assert {table: count for table, count in now.items() if table in before} == before
    assert {model: _app_of(model) for model in MOVED} == {
        model: {new} for model, (_old, new) in MOVED.items()
    }
