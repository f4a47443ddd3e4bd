"""The audit trail's copies of participants' addresses, masked as new entries now are
(participants.apps): an address made confidential must not stay readable in the history written
before. Values only: that the address changed, and when, stays."""

from django.db import migrations

ADDRESS = ("street", "postcode", "commune")


def mask(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    LogEntry = apps.get_model("auditlog", "LogEntry")
    content_type = ContentType.objects.filter(app_label="participants", model="participant").first()
    if content_type is None:
        return
    entries = LogEntry.objects.filter(content_type=content_type).exclude(changes=None)
    for entry in entries.iterator():
        changes = entry.changes
        if not isinstance(changes, dict) or not set(ADDRESS) & set(changes):
            continue
        for name in ADDRESS:
            if name in changes:
                changes[name] = ["••••" if value else "" for value in changes[name]]
        LogEntry.objects.filter(pk=entry.pk).update(
            changes=changes, changes_text="", serialized_data=None
        )


class Migration(migrations.Migration):
    dependencies = [
        ("participants", "0006_confidential_address"),
        ("auditlog", "0017_add_actor_email"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(mask, migrations.RunPython.noop)]
