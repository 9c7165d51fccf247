# Source moved to the sources app (its table keeps its name): only Django's picture of the
# models changes, never the database.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reference", "0006_topic_assertions"),
        ("sources", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="page",
                    name="source",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="pages",
                        to="sources.source",
                    ),
                ),
                migrations.AlterField(
                    model_name="topic",
                    name="source",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="topics",
                        to="sources.source",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
