"""Full-text and trigram search on PostgreSQL: each question's and article's
``search_vector`` kept current by a trigger (title weighted A, body B, in the text-search
configuration of its language), GIN indexes on the vectors and trigram GIN indexes on
the titles. Nothing on SQLite, where search uses a simpler fallback."""

from django.db import migrations

TABLES = ("knowledge_base_question", "knowledge_base_article")

FUNCTION = """
CREATE OR REPLACE FUNCTION knowledge_base_search_vector() RETURNS trigger AS $$
DECLARE
    config regconfig := CASE WHEN NEW.language = 'ru' THEN 'russian'::regconfig
                             ELSE 'english'::regconfig END;
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector(config, coalesce(NEW.title, '')), 'A')
        || setweight(to_tsvector(config, coalesce(NEW.body, '')), 'B');
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    execute = schema_editor.execute
    execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    execute(FUNCTION)
    for table in TABLES:
        execute(
            f"CREATE TRIGGER {table}_search BEFORE INSERT OR UPDATE OF title, body, language "
            f"ON {table} FOR EACH ROW EXECUTE FUNCTION knowledge_base_search_vector()"
        )
        execute(f"UPDATE {table} SET title = title")
        execute(f"CREATE INDEX {table}_search_idx ON {table} USING gin (search_vector)")
        execute(f"CREATE INDEX {table}_title_trgm_idx ON {table} USING gin (title gin_trgm_ops)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_search ON {table}")
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search_idx")
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_title_trgm_idx")
    schema_editor.execute("DROP FUNCTION IF EXISTS knowledge_base_search_vector()")


class Migration(migrations.Migration):
    dependencies = [("knowledge_base", "0002_questions_articles")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
