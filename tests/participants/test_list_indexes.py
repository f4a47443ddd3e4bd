"""The participant list's indexes (migration 0004): the count's partial index everywhere, the
search's trigram index on PostgreSQL."""

import pytest
from django.db import connection


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
