"""The PostgreSQL side of backup and restore (pg_dump / pg_restore), run in the PostgreSQL pass."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_postgres_backup_restore_round_trip(fixture_content, tmp_path, django_user_model, settings):
    settings.VAR_DIR = tmp_path  # restore backs the replaced database up under var/backups/
    from medref.annotations.models import Annotation
    from medref.backup import backup, restore
    from medref.reference.models import Topic

    user = django_user_model.objects.create_user(
        "p@example.org", "p@example.org", "pg-pass-phrase-1"
    )
    Annotation.objects.create(user=user, topic=Topic.objects.first(), text="kept")
    path = backup(tmp_path / "medref.dump")
    Annotation.objects.all().delete()
    Topic.objects.update(title="changed after the backup")
    restore(path, force=True)
    assert list((tmp_path / "backups").glob("before-restore-*.dump"))
    assert list(Annotation.objects.values_list("text", flat=True)) == ["kept"]
    assert not Topic.objects.filter(title="changed after the backup").exists()
