"""Indexes of the participant list (benchmark of issue 7, 10 000 people): its count reads a
partial index alone; its search (``search_text LIKE '%word%'``) a trigram index — PostgreSQL
only (the pg_trgm extension, trusted: the database's owner may create it); SQLite scans."""

from django.conf import settings
from django.db import migrations, models

TRIGRAM_INDEX = "participant_search_trgm"


def add_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON participants_participant "
        "USING gin (search_text gin_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_user_current_organization"),
        ("participants", "0003_import_batch"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="participant",
            index=models.Index(
                condition=models.Q(("anonymised_at__isnull", True)),
                fields=["organization"],
                name="participant_listed_idx",
            ),
        ),
        migrations.RunPython(add_trigram_index, drop_trigram_index),
    ]
