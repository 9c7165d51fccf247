# Source moved to the sources app (its table keeps its name): only Django's picture of the
# models changes, never the database.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0006_source_moved"),
        ("reference", "0007_source_moved"),
        ("vocab", "0005_source_moved"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(
                    name="Source",
                ),
            ],
            database_operations=[],
        ),
    ]
