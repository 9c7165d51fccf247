# Source moved to the sources app (its table keeps its name): only Django's picture of the
# models changes, never the database.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sources", "0001_initial"),
        ("vocab", "0004_ingredient_kind"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="classmembership",
                    name="source",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, to="sources.source"
                    ),
                ),
                migrations.AlterField(
                    model_name="code",
                    name="source",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="codes",
                        to="sources.source",
                    ),
                ),
                migrations.AlterField(
                    model_name="drugclass",
                    name="source",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="classes",
                        to="sources.source",
                    ),
                ),
                migrations.AlterField(
                    model_name="identitylink",
                    name="source",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="sources.source",
                    ),
                ),
                migrations.AlterField(
                    model_name="ingredient",
                    name="source",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="ingredients",
                        to="sources.source",
                    ),
                ),
                migrations.AlterField(
                    model_name="name",
                    name="source",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="names",
                        to="sources.source",
                    ),
                ),
                migrations.AlterField(
                    model_name="product",
                    name="source",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="products",
                        to="sources.source",
                    ),
                ),
                migrations.AlterField(
                    model_name="productcode",
                    name="source",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="product_codes",
                        to="sources.source",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
