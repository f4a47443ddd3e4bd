"""Who gets participants' names in a report (issue 24): direction, as on the pages; the
administration gets counts and pseudonyms, whatever is posted; the command (an operator's tool
on the server) keeps its ``--identify names``."""

import datetime as dt
import io
import re

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from reporting import services
from reporting.models import ReportRun
from tests.factories import ParticipantFactory, ProgrammeFactory
from tests.reporting.datasets import _pathway

INDEX = reverse("reporting:index")
SUBSIDY = {"programme": "mokolab", "start": "2025-01-01", "end": "2025-12-31"}


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def person(operator):
    programme = ProgrammeFactory(organization=operator, code="mokolab", name="MoKoLab")
    participant = ParticipantFactory(
        organization=operator, first_name="Amélie", last_name="Quarantedeux"
    )
    _pathway(participant, programme, dt.date(2025, 3, 1))
    return participant


def _posted(identify: str) -> dict:
    return {f"subsidy-{key}": value for key, value in {**SUBSIDY, "identify": identify}.items()}


def _cells(run: ReportRun) -> str:
    with run.xlsx.open("rb") as file:
        book = openpyxl.load_workbook(io.BytesIO(file.read()))
    return " ".join(
        str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row
    )


def test_names_are_offered_to_direction_only(client, admin, director, person):
    client.force_login(admin)
    assert 'value="names"' not in client.get(INDEX).content.decode()
    client.force_login(director)
    assert 'value="names"' in client.get(INDEX).content.decode()


def test_a_crafted_post_for_names_by_the_administration_is_refused(client, admin, person):
    client.force_login(admin)
    response = client.post(reverse("reporting:request", args=["subsidy"]), _posted("names"))
    assert response.status_code == 200  # the page again, with the message and what was typed
    page = response.content.decode()
    assert "Seule la direction peut demander les noms des participant·es" in page
    assert 'value="2025-01-01"' in page and 'value="2025-12-31"' in page
    assert ReportRun.objects.count() == 0


def test_the_service_refuses_names_to_a_requester_who_may_not_see_them(admin, operator, person):
    """Whatever a form let through: the requester's role is checked as the run is asked for."""
    with pytest.raises(PermissionDenied):
        services.report_request(
            organization=operator,
            kind="subsidy",
            parameters={**SUBSIDY, "identify": "names"},
            by=admin,
            background=False,
        )
    assert ReportRun.objects.count() == 0


def test_the_administration_gets_pseudonyms_and_direction_names(admin, director, operator, person):
    pseudonymised = services.report_request(
        organization=operator,
        kind="subsidy",
        parameters={**SUBSIDY, "identify": "pseudonyms"},
        by=admin,
        background=False,
    )
    named = services.report_request(
        organization=operator,
        kind="subsidy",
        parameters={**SUBSIDY, "identify": "names"},
        by=director,
        background=False,
    )
    assert pseudonymised.status == named.status == ReportRun.Status.DONE
    assert "QUARANTEDEUX" not in _cells(pseudonymised)
    assert f"P{person.pk:06d}" in _cells(pseudonymised)
    assert "QUARANTEDEUX Amélie" in _cells(named)


def test_the_administration_neither_follows_nor_downloads_direction_s_report_with_names(
    client, admin, director, operator, person
):
    named = services.report_request(
        organization=operator,
        kind="subsidy",
        parameters={**SUBSIDY, "identify": "names"},
        by=director,
        background=False,
    )
    client.force_login(admin)
    assert client.get(reverse("reporting:run_status", args=[named.pk])).status_code == 404
    for fmt in ("pdf", "xlsx"):
        assert client.get(reverse("reporting:download", args=[named.pk, fmt])).status_code == 404
    assert f"run-{named.pk}" not in client.get(INDEX).content.decode()
    client.force_login(director)
    assert client.get(reverse("reporting:download", args=[named.pk, "xlsx"])).status_code == 200


def test_the_command_an_operators_tool_still_names(operator, person, tmp_path):
    from django.core.management import call_command

    output = tmp_path / "subsidy.pdf"
    call_command(
        "generate_report",
        "subsidy",
        "--organization",
        operator.slug,
        "--programme",
        "mokolab",
        "--from",
        SUBSIDY["start"],
        "--to",
        SUBSIDY["end"],
        "--identify",
        "names",
        "--output",
        str(output),
        stdout=io.StringIO(),
    )
    book = openpyxl.load_workbook(output.with_suffix(".xlsx"))
    text = " ".join(
        str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row
    )
    assert re.search("QUARANTEDEUX Amélie", text)
