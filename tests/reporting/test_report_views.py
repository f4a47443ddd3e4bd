"""The reports page: access by role, the forms, the history, the progress partial, the downloads."""

import datetime as dt
import hashlib
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLog
from reporting import services
from reporting.models import ReportRun
from tests.factories import (
    ChantierFactory,
    ParticipantFactory,
    PathwayFactory,
    ProgrammeFactory,
    WorkSessionFactory,
)
from tests.reporting.datasets import _pathway

d = dt.date
Status = ReportRun.Status
INDEX = reverse("reporting:index")
LAST_YEAR = timezone.localdate().year - 1


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def programme(operator):
    return ProgrammeFactory(organization=operator, code="mokolab", name="MoKoLab")


@pytest.fixture
def own_chantier(operator, coordinator):
    """Coordinated by the ``coordinator`` persona."""
    chantier = ChantierFactory(organization=operator, code="wayez", name="Peinture Wayez")
    chantier.coordinators.add(coordinator)
    WorkSessionFactory(chantier=chantier)
    return chantier


@pytest.fixture
def other_chantier(operator):
    return ChantierFactory(organization=operator, code="jardin", name="Jardin Moortebeek")


def _run(organization, by, kind="activity", parameters=None, **kwargs) -> ReportRun:
    return ReportRun.objects.create(
        organization=organization,
        kind=kind,
        parameters=parameters if parameters is not None else {"year": 2025},
        requested_by=by,
        **kwargs,
    )


def _done(organization, by, chantier) -> ReportRun:
    run = _run(organization, by, "chantier_summary", {"chantier": chantier.code})
    services.report_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == Status.DONE
    return run


# --- Access by role -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("director", 200),
        ("admin", 200),
        ("coordinator", 200),
        ("counsellor", 403),
        ("partner", 403),
        ("outsider", 200),  # their own organization's page, nothing of ours (below)
    ],
)
def test_the_reports_page_is_for_direction_admin_and_coordinators(
    client, personas, persona, expected
):
    client.force_login(personas[persona])
    assert client.get(INDEX).status_code == expected


def test_the_page_shows_nothing_of_another_organization(client, operator, director, outsider):
    _run(operator, director, parameters={"year": 2019})
    client.force_login(outsider)
    response = client.get(INDEX)
    assert response.status_code == 200
    assert "Année 2019" not in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "kind", "expected"),
    [
        ("director", "activity", 302),
        ("admin", "subsidy", 302),
        ("coordinator", "chantier_summary", 302),
        ("coordinator", "activity", 403),
        ("coordinator", "subsidy", 403),
        ("coordinator", "impact", 403),
        ("counsellor", "activity", 403),
        ("partner", "chantier_summary", 403),
        ("director", "nonsense", 404),
    ],
)
def test_who_may_ask_for_which_report(
    client, personas, programme, own_chantier, persona, kind, expected
):
    data = {
        "activity-year": "2025",
        "subsidy-programme": "mokolab",
        "subsidy-start": "2025-01-01",
        "subsidy-end": "2025-12-31",
        "subsidy-identify": "pseudonyms",
        "impact-chantier": "wayez",
        "chantier_summary-chantier": "wayez",
    }
    client.force_login(personas[persona])
    response = client.post(reverse("reporting:request", args=[kind]), data)
    assert response.status_code == expected
    assert ReportRun.objects.count() == (1 if expected == 302 else 0)


@pytest.mark.parametrize(
    ("persona", "whose", "expected"),
    [
        ("director", "director", 200),
        ("admin", "director", 200),
        ("coordinator", "own chantier", 200),
        ("coordinator", "director", 404),  # an activity report: not among theirs
        ("coordinator", "other chantier", 404),
        ("counsellor", "director", 403),
        ("partner", "director", 403),
        ("outsider", "director", 404),
    ],
)
def test_who_may_follow_and_download_which_run(
    client, personas, operator, own_chantier, other_chantier, persona, whose, expected
):
    director = personas["director"]
    chantier = {"director": own_chantier, "own chantier": own_chantier}.get(whose, other_chantier)
    run = _done(operator, director, chantier)
    if whose == "director":  # direction's activity report, already done
        run.kind, run.parameters = "activity", {"year": 2025}
        run.save(update_fields=["kind", "parameters"])
    client.force_login(personas[persona])
    status = client.get(reverse("reporting:run_status", args=[run.pk]))
    assert status.status_code == (286 if expected == 200 else expected)
    for fmt in ("pdf", "xlsx"):
        response = client.get(reverse("reporting:download", args=[run.pk, fmt]))
        assert response.status_code == expected


# --- Asking for a report -----------------------------------------------------------------


def test_the_director_asks_for_last_years_activity_report(
    client, operator, director, django_capture_on_commit_callbacks
):
    client.force_login(director)
    page = client.get(INDEX).content.decode()
    assert f'name="activity-year" value="{LAST_YEAR}"' in page  # last year by default

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            reverse("reporting:request", args=["activity"]), {"activity-year": str(LAST_YEAR)}
        )
    run = ReportRun.objects.get()
    assert response.status_code == 302 and response.url == f"{INDEX}#run-{run.pk}"
    assert (run.organization, run.kind, run.parameters) == (
        operator,
        "activity",
        {"year": LAST_YEAR},
    )
    assert (run.requested_by, run.status, run.language) == (director, Status.QUEUED, "fr")
    # Once the request is committed: the task is queued, then the page is told whether it was
    # (test_the_page_says_whether_the_queue_took_the_report, below).
    assert len(callbacks) == 2

    page = client.get(INDEX).content.decode()
    assert f"Année {LAST_YEAR}" in page
    assert f'hx-get="{reverse("reporting:run_status", args=[run.pk])}"' in page
    assert 'hx-trigger="every 1s"' in page


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("broker", ["up", "down"])
def test_the_page_says_whether_the_queue_took_the_report(
    client, operator, director, broker, request
):
    """One message, the true one: said once the request is committed and the run handed to the
    queue (here run at once, in-process) — or failed because the broker could not be reached."""
    if broker == "down":
        request.getfixturevalue("broker_down")
    client.force_login(director)
    response = client.post(
        reverse("reporting:request", args=["activity"]),
        {"activity-year": str(LAST_YEAR)},
        follow=True,
    )
    assert response.status_code == 200
    run = ReportRun.objects.get()
    shown = [(m.level_tag, m.message) for m in response.context["messages"]]
    if broker == "up":
        assert run.status == Status.DONE
        assert shown == [
            (
                "success",
                "Rapport d'activités demandé : il se prépare ci-dessous ; vous pouvez "
                "quitter la page.",
            )
        ]
    else:
        assert (run.status, run.error) == (Status.FAILED, services.REASON_NOT_QUEUED)
        assert shown == [("error", services.REASON_NOT_QUEUED)]
        assert "il se prépare" not in response.text
        assert 'data-status="failed"' in response.text


def test_a_wrong_period_is_refused_in_french_and_what_was_typed_stays(
    client, operator, director, programme
):
    client.force_login(director)
    response = client.post(
        reverse("reporting:request", args=["subsidy"]),
        {
            "subsidy-programme": "mokolab",
            "subsidy-start": "2026-06-30",
            "subsidy-end": "2026-01-01",
            "subsidy-identify": "names",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "La fin de la période précède son début." in page
    assert 'value="2026-06-30"' in page and 'value="2026-01-01"' in page
    assert '<option value="mokolab" selected>' in page
    assert re.search(r'value="names"[^>]*checked', page)
    assert ReportRun.objects.count() == 0


def test_a_period_longer_than_three_years_is_refused_on_the_form_not_later(
    client, operator, director, programme
):
    client.force_login(director)
    response = client.post(
        reverse("reporting:request", args=["subsidy"]),
        {
            "subsidy-programme": "mokolab",
            "subsidy-start": "2020-01-01",
            "subsidy-end": "2024-12-31",
            "subsidy-identify": "pseudonyms",
        },
    )
    assert response.status_code == 200
    assert response.context["forms"][1].errors["end"] == ["La période ne peut pas dépasser 3 ans."]
    page = response.content.decode()
    assert 'value="2020-01-01"' in page and 'value="2024-12-31"' in page
    assert ReportRun.objects.count() == 0


def test_an_impact_report_needs_a_programme_and_a_year_or_a_chantier(client, director, programme):
    client.force_login(director)
    response = client.post(reverse("reporting:request", args=["impact"]), {"impact-year": "2025"})
    assert "Choisissez un programme et une année, ou un chantier." in response.content.decode()
    response = client.post(
        reverse("reporting:request", args=["impact"]),
        {"impact-programme": "mokolab", "impact-year": "2025"},
    )
    assert response.status_code == 302
    assert ReportRun.objects.get().parameters == {"programme": "mokolab", "year": 2025}


def test_a_coordinator_chooses_only_among_their_chantiers(
    client, coordinator, own_chantier, other_chantier
):
    client.force_login(coordinator)
    page = client.get(INDEX).content.decode()
    assert "Peinture Wayez (wayez)" in page
    assert "Jardin Moortebeek" not in page
    assert 'data-testid="form-activity"' not in page
    assert 'data-testid="figure-persons-accompanied"' not in page  # no organization figures
    response = client.post(
        reverse("reporting:request", args=["chantier_summary"]),
        {"chantier_summary-chantier": "jardin"},
    )
    assert response.status_code == 200
    assert "Aucun chantier « jardin » parmi ceux que vous pouvez voir." in response.content.decode()
    assert ReportRun.objects.count() == 0


def test_a_coordinator_sees_only_the_summaries_of_their_chantiers(
    client, operator, director, coordinator, own_chantier, other_chantier
):
    _run(operator, director, parameters={"year": 2024})
    _run(operator, director, "chantier_summary", {"chantier": "jardin"})
    mine = _run(operator, director, "chantier_summary", {"chantier": "wayez"})
    client.force_login(coordinator)
    response = client.get(INDEX)
    assert [row.run for row in response.context["rows"]] == [mine]
    assert "Chantier Peinture Wayez" in response.content.decode()


# --- The key figures ---------------------------------------------------------------------


def test_the_key_figures_are_the_activity_definitions(client, operator, director, programme):
    operator.annual_target = 12
    operator.save(update_fields=["annual_target"])

    def pathway(started, ended=None, outcome=""):
        PathwayFactory(
            participant=ParticipantFactory(organization=operator),
            programme=programme,
            started_on=started,
            ended_on=ended,
            exit_outcome=outcome,
        )

    pathway(dt.date(2024, 9, 2))  # open through 2025: accompanied, not new
    pathway(dt.date(2025, 2, 3), dt.date(2025, 12, 31), "job_permanent")  # new, positive exit
    pathway(dt.date(2025, 3, 3), dt.date(2025, 6, 30), "dropped_out")  # new, exit not positive
    pathway(dt.date(2023, 1, 2), dt.date(2024, 12, 31), "moved")  # ended before 2025

    client.force_login(director)
    response = client.get(INDEX, {"annee": "2025"})
    figures = {f["code"]: (f["value"], f["note"]) for f in response.context["key_figures"]}
    # 3 accompanied (2 new); 1 positive exit of 2 exits; 1/3 = 33,3 %, 1/2 = 50,0 %;
    # 3 of a target of 12 = 25,0 %.
    assert figures == {
        "persons-accompanied": ("3", "dont 2 nouvelles"),
        "positive-exits": ("1", "sur 2 sorties"),
        "positive-exit-rate": (
            "33,3\u00a0%",
            "des personnes accompagnées ; 50,0\u00a0% des sorties",
        ),
        "target-attainment": ("25,0\u00a0%", "objectif : 12 personnes"),
    }
    page = response.content.decode()
    assert 'data-testid="figure-persons-accompanied">3</div>' in page
    assert '<option value="2025" selected>2025</option>' in page


# --- The history, the progress, the downloads ---------------------------------------------


def test_the_progress_partial_polls_until_the_run_is_finished(
    client, operator, director, own_chantier
):
    run = _run(
        operator, director, status=Status.RUNNING, progress=35, step="Heures et défraiements"
    )
    client.force_login(director)
    url = reverse("reporting:run_status", args=[run.pk])
    response = client.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-valuenow="35"' in html and "width: 35%" in html
    assert "Heures et défraiements" in html and f'hx-get="{url}"' in html

    run.status, run.error = Status.FAILED, services.REASON_TOO_LONG
    run.save(update_fields=["status", "error"])
    response = client.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 286  # htmx stops polling
    html = response.content.decode()
    assert "hx-get" not in html
    assert "Le rapport a pris trop longtemps et a été arrêté." in html


def test_the_downloads_are_attachments_with_their_names(client, operator, director, own_chantier):
    run = _done(operator, director, own_chantier)
    client.force_login(director)
    response = client.get(reverse("reporting:download", args=[run.pk, "pdf"]))
    pdf = b"".join(response.streaming_content)
    assert pdf.startswith(b"%PDF") and hashlib.sha256(pdf).hexdigest() == run.pdf_sha256
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="bilan-de-chantier-wayez-ml-test.pdf"'
    )
    assert set(response["Cache-Control"].split(", ")) == {"no-store", "private"}
    response = client.get(reverse("reporting:download", args=[run.pk, "xlsx"]))
    assert b"".join(response.streaming_content).startswith(b"PK")
    assert response["Content-Disposition"] == (
        'attachment; filename="bilan-de-chantier-wayez-ml-test.xlsx"'
    )
    assert client.get(reverse("reporting:download", args=[run.pk, "docx"])).status_code == 404


def test_a_run_not_done_has_nothing_to_download(client, operator, director):
    run = _run(operator, director)
    client.force_login(director)
    assert client.get(reverse("reporting:download", args=[run.pk, "pdf"])).status_code == 404


def test_downloading_a_report_with_names_is_written_in_the_access_log(client, operator, director):
    programme = ProgrammeFactory(organization=operator, code="mokolab")
    _pathway(ParticipantFactory(organization=operator), programme, d(2025, 3, 1))
    run = services.report_request(
        organization=operator,
        kind="subsidy",
        parameters={
            "programme": "mokolab",
            "start": "2025-01-01",
            "end": "2025-12-31",
            "identify": "names",
        },
        by=director,
        background=False,
    )
    assert run.status == Status.DONE
    client.force_login(director)

    for fmt in ("pdf", "xlsx"):
        response = client.get(reverse("reporting:download", args=[run.pk, fmt]))
        assert response.status_code == 200
        b"".join(response.streaming_content)

    logged = AccessLog.objects.filter(
        user=director, organization=operator, action=AccessLog.Action.DOWNLOAD
    )
    # Two downloads (the PDF and the spreadsheet) of the same run: two entries naming the run.
    assert logged.count() == 2
    assert {entry.object_id for entry in logged} == {str(run.pk)}
    assert {entry.content_type.model for entry in logged} == {"reportrun"}


def test_the_history_says_who_asked_what_and_why_it_failed(client, operator, director, programme):
    _run(
        operator,
        director,
        "subsidy",
        {"programme": "mokolab", "start": "2026-01-01", "end": "2026-06-30", "identify": "names"},
        status=Status.FAILED,
        error="Le programme « mokolab » n'existe pas dans cette organisation.",
    )
    _run(operator, None, "impact", {"programme": "mokolab", "year": 2025})
    client.force_login(director)
    page = client.get(INDEX).content.decode()
    assert "MoKoLab, du 01/01/2026 au 30/06/2026, avec les noms" in page
    assert "Le programme « mokolab » n&#x27;existe pas dans cette organisation." in page
    assert director.get_full_name() in page
    assert "MoKoLab, année 2025" in page
    assert "commande sur le serveur" in page


def _queries_for_the_page(client, count, operator, director, programme, chantier):
    ReportRun.objects.all().delete()
    kinds = [
        ("activity", {"year": 2025}),
        ("subsidy", {"programme": "mokolab", "start": "2025-01-01", "end": "2025-12-31"}),
        ("chantier_summary", {"chantier": chantier.code}),
    ]
    for n in range(count):
        kind, parameters = kinds[n % 3]
        _run(
            operator,
            director,
            kind,
            parameters,
            status=[Status.DONE, Status.RUNNING][n % 2],
            pdf_sha256="0" * 64,
        )
    with CaptureQueriesContext(connection) as queries:
        response = client.get(INDEX)
    assert response.status_code == 200
    assert len(response.context["rows"]) == min(count, 20)
    return len(queries)


def test_the_page_does_not_query_per_run(client, operator, director, programme, own_chantier):
    client.force_login(director)
    few = _queries_for_the_page(client, 3, operator, director, programme, own_chantier)
    many = _queries_for_the_page(client, 30, operator, director, programme, own_chantier)
    # session, user, the session's second factor, membership (middleware) 4 + the request's
    # savepoint and release 2 + count and page of runs 2 + names of the programmes and chantiers
    # they name 2 + the headline 1 + the choices of the forms (programmes ×2, chantiers ×2) 4.
    assert few == many == 15


def test_the_technical_admin_lists_runs_without_links_to_their_files(
    admin_client, operator, director, own_chantier
):
    run = _done(operator, director, own_chantier)
    response = admin_client.get(reverse("admin:reporting_reportrun_changelist"))
    assert response.status_code == 200
    response = admin_client.get(reverse("admin:reporting_reportrun_change", args=[run.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert run.pdf.name in page and run.pdf_sha256 in page
    assert "/media/" not in page
