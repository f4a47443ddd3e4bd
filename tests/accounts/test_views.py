"""Every view for every role: allowed, 403 for a wrong role, 404 for another organization."""

import pytest
from django.urls import reverse

from accounts.models import Membership, Role
from tests.factories import MembershipFactory

ALL = ["admin", "director", "counsellor", "coordinator", "partner"]

# url name → personas allowed (everyone else with a membership gets 403)
PAGES = {
    "dashboard:home": ALL,
    "accounts:member_list": ["admin", "director"],
    "accounts:member_invite": ["admin"],
    "accounts:organization_settings": ["admin"],
    "accounts:access_log": ["admin", "director"],
}


@pytest.mark.parametrize("url_name", PAGES)
@pytest.mark.parametrize("persona", ALL)
def test_each_page_answers_by_role(client, personas, url_name, persona):
    client.force_login(personas[persona])
    response = client.get(reverse(url_name))
    assert response.status_code == (200 if persona in PAGES[url_name] else 403)


@pytest.mark.parametrize("url_name", PAGES)
def test_it_sends_anonymous_visitors_to_the_login_page(client, db, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_it_hides_another_organizations_membership(client, admin, outsider, other_operator):
    foreign = Membership.objects.get(user=outsider, organization=other_operator)
    client.force_login(admin)
    assert client.get(reverse("accounts:member_edit", args=[foreign.pk])).status_code == 404
    url = reverse("accounts:member_resend_invitation", args=[foreign.pk])
    assert client.post(url).status_code == 404


def test_it_refuses_member_edit_to_a_director(client, director, counsellor, operator):
    membership = Membership.objects.get(user=counsellor)
    client.force_login(director)
    url = reverse("accounts:member_edit", args=[membership.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"role": Role.ADMIN, "is_active": "on"}).status_code == 403
    membership.refresh_from_db()
    assert membership.role == Role.COUNSELLOR


def test_a_member_list_shows_only_the_current_organization(client, admin, outsider):
    client.force_login(admin)
    response = client.get(reverse("accounts:member_list"))
    assert admin.email in response.text
    assert outsider.email not in response.text


def test_an_admin_changes_a_role(client, admin, counsellor):
    membership = Membership.objects.get(user=counsellor)
    client.force_login(admin)
    response = client.post(
        reverse("accounts:member_edit", args=[membership.pk]),
        {"role": Role.COORDINATOR, "is_active": "on", "can_read_restricted_notes": "on"},
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.COORDINATOR
    assert membership.can_read_restricted_notes


def test_the_last_admin_cannot_step_down(client, admin):
    membership = Membership.objects.get(user=admin)
    client.force_login(admin)
    response = client.post(
        reverse("accounts:member_edit", args=[membership.pk]),
        {"role": Role.DIRECTION, "is_active": "on"},
    )
    assert response.status_code == 200
    assert "au moins une personne active avec le rôle" in response.text
    membership.refresh_from_db()
    assert membership.role == Role.ADMIN


@pytest.mark.parametrize(
    "change", [{"role": Role.ADMIN}, {"role": Role.DIRECTION, "is_active": "on"}]
)
def test_an_inactive_admin_does_not_count_as_the_other_admin(client, admin, operator, change):
    inactive = MembershipFactory(organization=operator, role=Role.ADMIN, is_active=False)
    assert inactive.role == Role.ADMIN
    membership = Membership.objects.get(user=admin)
    client.force_login(admin)
    # Deactivating oneself (no is_active) or stepping down: refused, the only active admin.
    response = client.post(reverse("accounts:member_edit", args=[membership.pk]), change)
    assert "au moins une personne active avec le rôle" in response.text
    membership.refresh_from_db()
    assert membership.is_active and membership.role == Role.ADMIN


def test_a_form_shown_for_another_organization_is_refused(client, admin, operator, other_operator):
    MembershipFactory(user=admin, organization=other_operator, role=Role.ADMIN)
    client.force_login(admin)
    # The settings form was opened for ``operator``; then the admin switched in another tab.
    client.post(reverse("accounts:organization_switch"), {"organization": other_operator.pk})
    response = client.post(
        reverse("accounts:organization_settings"),
        {"name": "Renamed by the wrong tab", "_organization": operator.pk},
    )
    assert response.status_code == 409
    assert "a été enregistré" in response.text
    other_operator.refresh_from_db()
    assert other_operator.name == "Mission Locale Voisine"
    htmx = client.post(
        reverse("accounts:organization_settings"),
        {"name": "Also wrong"},
        HTTP_X_ORGANIZATION=str(operator.pk),
        HTTP_HX_REQUEST="true",
    )
    assert htmx.status_code == 409


def test_the_chosen_organization_is_remembered_on_the_account(client, admin, other_operator):
    MembershipFactory(user=admin, organization=other_operator, role=Role.DIRECTION)
    client.force_login(admin)
    client.post(reverse("accounts:organization_switch"), {"organization": other_operator.pk})
    client.logout()
    client.force_login(admin)
    assert client.get(reverse("dashboard:home")).context["request"].organization == other_operator


def test_partner_roles_are_refused_in_an_operator(client, admin, counsellor):
    membership = Membership.objects.get(user=counsellor)
    client.force_login(admin)
    response = client.post(
        reverse("accounts:member_edit", args=[membership.pk]),
        {"role": Role.PARTNER, "is_active": "on"},
    )
    assert response.status_code == 200  # the form shows the error, nothing saved
    membership.refresh_from_db()
    assert membership.role == Role.COUNSELLOR


def test_organization_settings_refuse_a_bad_iban_and_keep_what_was_typed(client, admin, operator):
    client.force_login(admin)
    response = client.post(
        reverse("accounts:organization_settings"),
        {"name": "Nouveau nom", "iban": "BE00 1234 5678 9012", "annual_target": "250"},
    )
    assert response.status_code == 200
    assert "n&#x27;est pas un IBAN valide" in response.text
    assert 'value="Nouveau nom"' in response.text
    operator.refresh_from_db()
    assert operator.name == "Mission Locale de Test"


def test_organization_settings_store_a_valid_iban_compactly(client, admin, operator):
    client.force_login(admin)
    response = client.post(
        reverse("accounts:organization_settings"),
        {
            "name": operator.name,
            "iban": "be60 0634 5123 7870",
            "bic": "gkccbebb",
            "retention_years": "5",
        },
    )
    assert response.status_code == 302
    operator.refresh_from_db()
    assert (operator.iban, operator.bic) == ("BE60063451237870", "GKCCBEBB")


class TestOrganizationSwitch:
    def test_it_switches_to_another_organization_of_the_user(self, client, admin, other_operator):
        MembershipFactory(user=admin, organization=other_operator, role=Role.DIRECTION)
        client.force_login(admin)
        response = client.post(
            reverse("accounts:organization_switch"), {"organization": other_operator.pk}
        )
        assert response.status_code == 302
        page = client.get(reverse("dashboard:home"))
        assert page.context["request"].organization == other_operator
        # Director there: the team settings page is not theirs any more.
        assert client.get(reverse("accounts:organization_settings")).status_code == 403

    def test_it_refuses_an_organization_the_user_does_not_belong_to(
        self, client, admin, other_operator
    ):
        client.force_login(admin)
        response = client.post(
            reverse("accounts:organization_switch"), {"organization": other_operator.pk}
        )
        assert response.status_code == 404

    def test_a_deactivated_membership_falls_back_to_another(self, client, admin, other_operator):
        MembershipFactory(user=admin, organization=other_operator, role=Role.ADMIN)
        client.force_login(admin)
        client.post(reverse("accounts:organization_switch"), {"organization": other_operator.pk})
        Membership.objects.filter(organization=other_operator).update(is_active=False)
        page = client.get(reverse("dashboard:home"))
        assert page.context["request"].organization.slug == "ml-test"


def test_someone_without_membership_is_told_so(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    response = client.get(reverse("dashboard:home"), follow=True)
    assert response.status_code == 403
    assert "n'est rattaché à aucune organisation" in response.text.replace("&#x27;", "'")


@pytest.mark.parametrize("rows", [5, 50])
def test_the_member_list_query_count_does_not_grow_with_rows(
    client, admin, operator, rows, django_assert_num_queries
):
    MembershipFactory.create_batch(rows, organization=operator)
    client.force_login(admin)
    # session, user, the session's second factor, memberships (middleware), savepoint pair
    # (atomic request), count, page rows
    with django_assert_num_queries(8):
        response = client.get(reverse("accounts:member_list"))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [5, 50])
def test_the_dashboard_query_count_does_not_grow_with_rows(
    client, admin, operator, rows, django_assert_num_queries
):
    MembershipFactory.create_batch(rows, organization=operator)
    client.force_login(admin)
    # session, user, second factor, memberships, savepoint pair, team counts, access log count,
    # failed logins, the month's anonymisation list
    with django_assert_num_queries(10):
        response = client.get(reverse("dashboard:home"))
    assert response.context["team"]["total"] == rows + 1
