"""The full-text index for SearchEntry, per database: FTS5 on SQLite, GIN on PostgreSQL."""

from django.db import migrations


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS reference_search_fts USING fts5("
            "title, body, content='reference_searchentry', content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
        )
    elif vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS reference_search_gin ON reference_searchentry USING GIN "
            "(to_tsvector('english', title || ' ' || body))"
        )


def drop_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS reference_search_fts")
    elif vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS reference_search_gin")


class Migration(migrations.Migration):
    dependencies = [("reference", "0002_searchentry")]
    operations = [migrations.RunPython(create_index, drop_index)]
