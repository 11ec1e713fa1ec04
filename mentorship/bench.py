"""The database a benchmark builds for itself (``manage.py bench_flags``,
``manage.py bench_search``; docs/benchmarks.md).

A benchmark never touches the configured database: it creates one of its own on the
same PostgreSQL server, marks it as its own before anything else (a table of one row:
the sizes generated, the generator's version, whether the data are ready), and reuses
it on a later run with the same sizes and version. A database of that name without the
marker is not ours and is left alone. Each benchmark describes its database with a
``BenchDatabase`` (its marker table and size columns); ``bench_database_prepare`` is
what its command does before generating or timing anything.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections


@dataclass(frozen=True)
class BenchDatabase:
    """A benchmark's database: the name of its marker table, the columns of the sizes
    it was generated with (``("students", "events")``) and the generator's version
    (bumped when the generated data change, so an old database is rebuilt)."""

    marker_table: str
    sizes: tuple[str, ...]
    version: int

    @property
    def _columns(self) -> tuple[str, ...]:
        return (*self.sizes, "version", "ready")

    def marker(self, settings_dict: dict, name: str) -> dict | None | bool:
        """What the database ``name`` holds: its marker row as a dict, ``None`` when the
        database does not exist, ``False`` when it exists without a marker (not ours)."""
        admin = server_connection(settings_dict, "postgres")
        admin.autocommit = True
        try:
            with admin.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
                if cursor.fetchone() is None:
                    return None
        finally:
            admin.close()
        bench = server_connection(settings_dict, name)
        try:
            with bench.cursor() as cursor:
                cursor.execute("SELECT to_regclass(%s)", [self.marker_table])
                if cursor.fetchone()[0] is None:
                    return False
                cursor.execute(f"SELECT {', '.join(self._columns)} FROM {self.marker_table}")  # noqa: S608
                row = cursor.fetchone()
        finally:
            bench.close()
        if row is None:
            return {**dict.fromkeys(self.sizes, 0), "version": 0, "ready": False}
        return dict(zip(self._columns, row, strict=True))

    def create(self, settings_dict: dict, name: str, *, drop: bool) -> None:
        """(Re)create the database and mark it as ours before anything else."""
        admin = server_connection(settings_dict, "postgres")
        admin.autocommit = True
        try:
            with admin.cursor() as cursor:
                if drop:
                    cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                cursor.execute(f'CREATE DATABASE "{name}"')
        finally:
            admin.close()
        bench = server_connection(settings_dict, name)
        bench.autocommit = True
        try:
            with bench.cursor() as cursor:
                sizes = "".join(f"{column} bigint, " for column in self.sizes)
                cursor.execute(
                    f"CREATE TABLE {self.marker_table} ({sizes}version integer, ready boolean)"
                )
                zeros = "0, " * len(self.sizes)
                cursor.execute(f"INSERT INTO {self.marker_table} VALUES ({zeros}0, false)")  # noqa: S608
        finally:
            bench.close()

    def marker_set(self, **sizes: int) -> None:
        """Mark the data of these sizes ready, in the database Django now uses."""
        assignments = "".join(f"{column} = %s, " for column in self.sizes)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {self.marker_table} SET {assignments}version = %s, ready = true",  # noqa: S608
                [*(sizes[column] for column in self.sizes), self.version],
            )


def server_connection(settings_dict: dict, dbname: str):
    """A psycopg2 connection to ``dbname`` on the configured server."""
    import psycopg2

    return psycopg2.connect(
        dbname=dbname,
        user=settings_dict.get("USER") or None,
        password=settings_dict.get("PASSWORD") or None,
        host=settings_dict.get("HOST") or None,
        port=settings_dict.get("PORT") or None,
    )


def bench_database_use(name: str) -> None:
    """Point Django's default connection at the benchmark database."""
    connection.close()
    settings.DATABASES["default"]["NAME"] = name
    connections["default"].settings_dict["NAME"] = name


def bench_database_prepare(
    database: BenchDatabase,
    *,
    name: str,
    sizes: dict[str, int],
    rebuild: bool,
    stdout,
    arguments_error: str | None = None,
) -> bool:
    """What a benchmark command does first: refuse SQLite, then the command's own
    ``arguments_error`` if it has one, then the configured database and a database of
    that name not made by this benchmark (``CommandError``); reuse the data when they
    are ready at these sizes and this version (unless ``rebuild``), else (re)create
    the database; point Django at it and migrate it (reused data get the schema's later
    migrations too: the code measured needs them). True when the data are reused; the
    caller generates them otherwise, then calls ``database.marker_set``."""
    if connection.vendor != "postgresql":
        raise CommandError(
            "The benchmark needs PostgreSQL: set DATABASE_URL=postgres://... (it "
            "creates a database of its own on that server and leaves yours alone)."
        )
    if arguments_error:
        raise CommandError(arguments_error)
    server = dict(connection.settings_dict)
    if name == server["NAME"]:
        raise CommandError("The benchmark database must not be the configured database.")
    marker = database.marker(server, name)
    if marker is False:
        raise CommandError(
            f"Database {name!r} exists and was not made by this benchmark; "
            "choose another name with --database."
        )
    reuse = (
        not rebuild
        and marker is not None
        and marker["ready"]
        and (*(marker[column] for column in database.sizes), marker["version"])
        == (*(sizes[column] for column in database.sizes), database.version)
    )
    if not reuse:
        stdout.write(f"Creating database {name} ...")
        database.create(server, name, drop=marker is not None)
    bench_database_use(name)
    call_command("migrate", verbosity=0)
    return reuse
