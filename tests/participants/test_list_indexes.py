"""The participant list's indexes (migration 0004): the count's partial index everywhere, the
search's trigram index on PostgreSQL."""

import pytest
from django.db import connection

from participants import selectors
from participants.selectors import LIST_ORDER
from tests.factories import OrganizationFactory, ParticipantFactory


@pytest.mark.django_db
def test_the_list_has_its_indexes():
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, "participants_participant")
    assert indexes["participant_listed_idx"]["columns"] == ["organization_id"]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'participant_search_trgm'"
            )
            (definition,) = cursor.fetchone()
        assert "gin (search_text gin_trgm_ops)" in definition


@pytest.mark.django_db
def test_a_search_keeps_the_lists_order():
    organization = OrganizationFactory()
    for last, first in [("Vanderlinden", "Anna"), ("Vandamme", "Zoé"), ("Vandenberghe", "Eva")]:
        ParticipantFactory(organization=organization, last_name=last, first_name=first)
    ParticipantFactory(organization=organization, last_name="Peeters", first_name="Jan")
    found = selectors.participant_list(organization=organization, query="va")
    assert found.count() == 3
    assert list(found) == list(found.order_by(*LIST_ORDER))
    assert [p.last_name for p in found] == ["Vandamme", "Vandenberghe", "Vanderlinden"]
