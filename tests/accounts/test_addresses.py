"""Addresses of a list's rows, reversed once: the same as reverse() for each key. And the
database connection's settings for speed."""

import pytest
from django.db import connection
from django.urls import reverse

from accounts.addresses import address_for_each


def test_it_gives_the_address_reverse_gives_for_every_key_with_the_anchor():
    detail = address_for_each("participants:detail", anchor="#referrals")
    for pk in (1, 42, 987654321, 10**12):
        assert detail(pk) == reverse("participants:detail", args=[pk]) + "#referrals"
    assert address_for_each("chantiers:agreement_pdf")(7) == reverse(
        "chantiers:agreement_pdf", args=[7]
    )


def test_the_database_connection_turns_postgresqls_jit_and_server_side_cursors_off(db):
    if connection.vendor != "postgresql":
        pytest.skip(
            "JIT and server-side cursors are PostgreSQL's; SQLite's own settings are tested in "
            "config/test_database.py"
        )
    assert connection.settings_dict["DISABLE_SERVER_SIDE_CURSORS"] is True
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
