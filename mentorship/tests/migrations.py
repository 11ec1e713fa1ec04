"""Moving the test database between migrations, for the tests of a migration's data."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate_to(targets):
    """Migrate to ``targets`` (``[(app, migration name or None)]``, None: before the
    app's first); the models as they were there."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    nodes = [(app, name) for app, name in targets if name is not None]
    return executor.loader.project_state(nodes).apps


def migrate_to_latest() -> None:
    """Back to every app's last migration, the schema the other tests expect."""
    migrate_to(MigrationExecutor(connection).loader.graph.leaf_nodes())
