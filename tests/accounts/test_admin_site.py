"""The Django admin site is a technical tool (DESIGN §6, issue 24): organizations, accounts,
memberships, reference tables; no personal record is opened there, and its audit trail shows
the changes of personal records as references only."""

import pytest
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from accounts.models import AccessLog
from accounts.personal import is_personal_record, personal_record_models
from tests.factories import ParticipantFactory, UserFactory

# Fields that, on a model of its own, say "this is about a person" (an e-mail address is not:
# every organization, account and contact has one).
PERSONAL_FIELD_WORDS = (
    "birth",
    "phone",
    "street",
    "address",
    "iban",
    "national_number",
    "nationality",
    "emergency",
    "gdpr",
)
# The address a log-in came from (django-axes' records of log-in attempts): a security log of
# the accounts, which the administration reads to unlock one.
NOT_ABOUT_A_PERSON = ("ip_address",)
# Reviewed: what they hold is an organization's or a professional contact's, not a person's
# file, and the administration keeps them (the partner directory, the organization's account).
TECHNICAL_WITH_CONTACT_FIELDS = {
    "accounts.Organization": "the organization's own address, phone and bank account",
    "partners.PartnerService": "a partner service's public contact (the directory)",
    "partners.PartnerContact": "a professional contact at a partner organization",
}


def _about_a_participant() -> set:
    """Participant, and every model that points at one, directly or through such a model."""
    found = {apps.get_model("participants", "Participant")}
    grown = True
    while grown:
        grown = False
        for model in apps.get_models():
            targets = {f.related_model for f in model._meta.get_fields() if f.concrete}
            if model not in found and targets & found:
                found.add(model)
                grown = True
    return found


def _has_personal_fields(model) -> list[str]:
    return [
        field.name
        for field in model._meta.concrete_fields
        if any(word in field.name for word in PERSONAL_FIELD_WORDS)
        and field.name not in NOT_ABOUT_A_PERSON
    ]


def test_no_model_holding_personal_data_is_in_the_admin_site():
    about_participants = _about_a_participant()
    offending = []
    for model in admin.site._registry:
        label = model._meta.label
        if model in about_participants:
            offending.append(f"{label}: about a participant")
        elif _has_personal_fields(model) and label not in TECHNICAL_WITH_CONTACT_FIELDS:
            offending.append(f"{label}: {', '.join(_has_personal_fields(model))}")
    assert offending == []
    # The reviewed exceptions are technical tables indeed, and still registered (else the list
    # is stale).
    for label in TECHNICAL_WITH_CONTACT_FIELDS:
        assert apps.get_model(label) not in about_participants
        assert apps.get_model(label) in admin.site._registry


def test_the_rule_the_audit_trail_uses_covers_every_record_about_a_participant():
    assert _about_a_participant() <= personal_record_models()
    assert is_personal_record(apps.get_model("chantiers", "Incident"))  # names people in its text
    for label in ("accounts.Organization", "chantiers.IndemnityCeiling", "participants.Programme"):
        assert not is_personal_record(apps.get_model(label))


def test_the_technical_tables_stay_in_the_admin_site():
    registered = {model._meta.label for model in admin.site._registry}
    assert {
        "accounts.Organization",
        "accounts.User",
        "accounts.AccessLog",
        "chantiers.IndemnityCeiling",
        "participants.Programme",
        "reporting.ReportRun",
        "auditlog.LogEntry",
    } <= registered


def test_a_participant_of_another_organization_is_not_opened_in_the_admin(
    client, operator, other_operator
):
    """The probe: a superuser of one operator asked for a participant of the other by its
    admin address and read the whole record, with no trace in the access log."""
    superuser = UserFactory(is_staff=True, is_superuser=True)
    participant = ParticipantFactory(organization=other_operator)
    client.force_login(superuser)
    for path in (
        f"/admin/participants/participant/{participant.pk}/change/",
        "/admin/participants/participant/",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert participant.last_name not in response.content.decode()
    assert AccessLog.objects.count() == 0  # nothing was opened, so nothing to log


SECRET_NAME, SECRET_VALUE = "Zorglub-Secret", "0470 99 99 99"


def _entries_of_every_audited_personal_model() -> list[LogEntry]:
    entries = []
    for model in auditlog.get_models():
        if not is_personal_record(model):
            continue
        entries.append(
            LogEntry.objects.create(
                content_type=ContentType.objects.get_for_model(model),
                object_pk="4242",
                object_id=4242,
                object_repr=f"{SECRET_NAME} {model._meta.model_name}",
                action=LogEntry.Action.UPDATE,
                changes={"phone": ["", SECRET_VALUE]},
                changes_text=SECRET_VALUE,
            )
        )
    return entries


def test_the_audit_trail_shows_no_content_of_any_personal_record(admin_client, db):
    entries = _entries_of_every_audited_personal_model()
    assert len(entries) >= 10  # participants, pathways, notes, marks, statements, referrals…
    changelist = reverse("admin:auditlog_logentry_changelist")
    searched = admin_client.get(changelist, {"q": SECRET_NAME})
    pages = [admin_client.get(changelist)]
    for entry in entries:
        pages.append(admin_client.get(reverse("admin:auditlog_logentry_change", args=[entry.pk])))
        pages.append(admin_client.get(reverse("admin:auditlog_logentry_history", args=[entry.pk])))
    for page in pages:
        assert page.status_code == 200
        content = page.content.decode()
        assert SECRET_NAME not in content
        assert SECRET_VALUE not in content
    # What is shown: the reference, as in the access log.
    listing = pages[0].content.decode()
    assert "#4242" in listing and "non affiché : fiche personnelle" in listing
    # A search on a name finds nothing (it would say which record holds that name).
    assert searched.status_code == 200
    assert searched.context["cl"].result_count == 0


def test_a_real_change_to_a_participant_is_listed_without_its_values(admin_client, operator):
    participant = ParticipantFactory(organization=operator, last_name="Vandenbroucke")
    participant.phone = "0488 12 34 56"
    participant.save()
    entry = LogEntry.objects.get_for_object(participant).latest("timestamp")
    page = admin_client.get(reverse("admin:auditlog_logentry_change", args=[entry.pk]))
    content = page.content.decode()
    assert page.status_code == 200
    assert "Vandenbroucke" not in content and "0488 12 34 56" not in content
    assert f"#{participant.pk}" in content


def test_the_audit_trail_still_shows_the_changes_of_technical_tables(admin_client, operator):
    operator.annual_target = 321
    operator.save()
    entry = LogEntry.objects.get_for_object(operator).latest("timestamp")
    page = admin_client.get(reverse("admin:auditlog_logentry_change", args=[entry.pk]))
    assert "321" in page.content.decode()
    assert operator.name in page.content.decode()


@pytest.mark.parametrize("path", ["/admin/", "/admin/chantiers/indemnityceiling/"])
def test_only_staff_accounts_reach_the_admin_site(client, admin, path):
    """The administration role of an organization is not enough: the account needs ``is_staff``
    (given in the admin site itself, or by ``createsuperuser``)."""
    client.force_login(admin)  # role "admin" in its organization, not staff
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_a_staff_account_sees_only_the_tables_it_was_given(client, operator):
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/chantiers/indemnityceiling/").status_code == 403
    staff.user_permissions.add(Permission.objects.get(codename="view_indemnityceiling"))
    assert client.get("/admin/chantiers/indemnityceiling/").status_code == 200
    assert client.get("/admin/auditlog/logentry/").status_code == 403
