"""The access log: who opened which record (never its content), the page of the current
organization only, the purge after the retention period, the audit of memberships."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLog, Membership
from accounts.services import access_log_purge_expired, access_log_record


def test_it_records_who_opened_which_record_without_its_content(admin, operator, counsellor):
    record = Membership.objects.get(user=counsellor)
    entry = access_log_record(user=admin, organization=operator, obj=record)
    assert (entry.user, entry.organization, entry.action) == (admin, operator, "view")
    assert entry.object_id == str(record.pk)
    assert counsellor.email not in str(entry)


def test_the_access_log_page_lists_only_the_current_organization(
    client, director, operator, outsider, other_operator, counsellor
):
    record = Membership.objects.get(user=counsellor)
    access_log_record(user=director, organization=operator, obj=record)
    access_log_record(user=outsider, organization=other_operator, obj=record)
    client.force_login(director)
    page = client.get(reverse("accounts:access_log"))
    assert [e.user for e in page.context["page"]] == [director]


def test_it_purges_entries_past_the_retention_period(admin, operator, counsellor, settings):
    record = Membership.objects.get(user=counsellor)
    old = access_log_record(user=admin, organization=operator, obj=record)
    old.at = timezone.now() - timedelta(days=settings.ACCESS_LOG_RETENTION_DAYS + 1)
    old.save(update_fields=["at"])
    recent = access_log_record(user=admin, organization=operator, obj=record)
    assert access_log_purge_expired() == 1
    assert list(AccessLog.objects.all()) == [recent]


def test_changes_to_memberships_are_audited(client, admin, counsellor):
    from auditlog.models import LogEntry

    membership = Membership.objects.get(user=counsellor)
    client.force_login(admin)
    client.post(
        reverse("accounts:member_edit", args=[membership.pk]),
        {"role": "coordinator", "is_active": "on"},
    )
    entry = LogEntry.objects.get_for_object(membership).latest("timestamp")
    assert entry.actor == admin
    assert entry.changes_dict["role"] == ["counsellor", "coordinator"]
