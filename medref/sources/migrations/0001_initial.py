# The Source model moves here from the knowledge app (vocab and knowledge pointed at each other
# through it). The table already exists, made by knowledge 0001 under the name it keeps, so this
# migration changes only Django's picture of the models, never the database.

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("knowledge", "0005_status_checks"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Source",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("key", models.SlugField(max_length=60, unique=True)),
                        ("name", models.CharField(max_length=200)),
                        ("version", models.CharField(max_length=100)),
                        ("licence", models.CharField(max_length=200)),
                        ("licence_url", models.URLField(blank=True)),
                        ("url", models.URLField(blank=True)),
                        ("non_commercial", models.BooleanField(default=False)),
                        ("language", models.CharField(default="en", max_length=8)),
                        ("citation", models.TextField(blank=True)),
                        ("imported_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "checksum",
                            models.CharField(
                                blank=True, help_text="SHA-256 of the imported input", max_length=64
                            ),
                        ),
                    ],
                    options={"ordering": ["key"], "db_table": "knowledge_source"},
                ),
            ],
            database_operations=[],
        ),
    ]
