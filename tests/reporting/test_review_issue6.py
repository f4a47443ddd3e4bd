"""Independent review of the reports (issue 6): each test pins a defect found in review, or an
edge case recomputed by hand that the other suites did not cover."""

import datetime
import io
import os
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from accounts.models import AccessLog
from participants.models import Pathway
from reporting import reports, services
from reporting.indicators import activity
from reporting.indicators.common import Period
from reporting.indicators.esf import esf_entry
from reporting.models import ReportRun
from reporting.render.pdf import render_pdf
from tests.factories import (
    ChantierFactory,
    OrganizationFactory,
    ParticipantFactory,
    ProgrammeFactory,
)

d = datetime.date
Status = ReportRun.Status


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _pdf_text(document) -> str:
    pdf = render_pdf(document)
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _pathway(participant, programme, started_on, ended_on=None, outcome=""):
    return Pathway.objects.create(
        participant=participant,
        programme=programme,
        started_on=started_on,
        ended_on=ended_on,
        exit_outcome=outcome,
    )


# --- data protection -------------------------------------------------------------------------


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


# --- reliability -----------------------------------------------------------------------------


def test_a_run_whose_files_cannot_be_stored_fails_at_once_and_leaves_no_file(
    operator, director, monkeypatch, settings
):
    from reporting.models import private_report_storage

    real_save = type(private_report_storage)._save

    def disk_full_on_the_spreadsheet(self, name, content):
        if name.endswith(".xlsx"):
            # Half the file reaches the disk, then the disk is full (as Django's storage
            # leaves it: the file stays, its name never reaches the field).
            path = self.path(name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as half:
                half.write(content.read()[:100])
            raise OSError(28, "No space left on device")
        return real_save(self, name, content)

    monkeypatch.setattr(type(private_report_storage), "_save", disk_full_on_the_spreadsheet)
    run = ReportRun.objects.create(
        organization=operator, kind="activity", parameters={"year": 2025}, requested_by=director
    )

    services.report_run_execute(run_id=run.pk)

    run.refresh_from_db()
    # Failed with a sentence, not left "running" until the stuck check an hour later.
    assert run.status == Status.FAILED
    assert run.error == services.REASON_UNEXPECTED
    assert run.pdf.name == "" and run.xlsx.name == ""
    # The PDF written before the spreadsheet failed is not left behind.
    folder = settings.MEDIA_ROOT / "private" / "reports"
    assert [p for p in folder.rglob("*") if p.is_file()] == []


def test_a_run_the_broker_cannot_take_fails_with_its_reason_instead_of_waiting_for_ever(
    operator, director, monkeypatch, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError as BrokerDown

    from reporting.tasks import report_run_generate

    def broker_down(*args, **kwargs):
        raise BrokerDown("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(report_run_generate, "apply_async", broker_down)

    with django_capture_on_commit_callbacks(execute=True):
        run = services.report_request(
            organization=operator, kind="activity", parameters={"year": 2025}, by=director
        )

    run.refresh_from_db()
    # Not "queued" for ever with a progress bar polling every second, nor a 500 for the person.
    assert run.status == Status.FAILED
    assert run.error == services.REASON_UNAVAILABLE
    assert run.finished_at is not None


def test_a_run_still_queued_hours_after_its_request_is_marked_failed_by_the_periodic_check(
    operator, director
):
    from django.utils import timezone

    now = timezone.now()
    lost, waiting = (
        ReportRun.objects.create(
            organization=operator, kind="activity", parameters={"year": 2025}, requested_by=director
        )
        for _ in range(2)
    )
    # created_at is set on insert: moved back to 6 h 1 min and 5 h 59 min before the check.
    ReportRun.objects.filter(pk=lost.pk).update(created_at=now - datetime.timedelta(minutes=361))
    ReportRun.objects.filter(pk=waiting.pk).update(created_at=now - datetime.timedelta(minutes=359))

    assert services.report_runs_fail_stuck(now=now) == 1

    lost.refresh_from_db()
    assert (lost.status, lost.error) == (Status.FAILED, services.REASON_NEVER_STARTED)
    assert ReportRun.objects.get(pk=waiting.pk).status == Status.QUEUED


# --- a report with no data at all ------------------------------------------------------------


def test_the_activity_report_of_an_organization_without_any_data_says_so(db):
    newcomer = OrganizationFactory()

    document = reports.build("activity", organization=newcomer, parameters={"year": 2025})
    text = _pdf_text(document)

    assert "Aucune personne accompagnée en 2025." in text
    assert "Aucun chantier en 2025." in text
    # No breakdown table of zeros with a "—" share in its total line.
    assert "Tranche d'âge" not in text
    assert "Total 0 —" not in text


def test_an_impact_report_of_an_empty_cohort_says_so_in_one_sentence(operator):
    ProgrammeFactory(organization=operator, code="mokolab")

    document = reports.build(
        "impact", organization=operator, parameters={"programme": "mokolab", "year": 2025}
    )
    text = _pdf_text(document)

    assert "Aucune personne dans cette cohorte : il n'y a rien à mesurer." in text
    assert "Total 0 —" not in text


def test_a_table_without_rows_prints_no_total_line_of_zeros_and_dashes(operator):
    ProgrammeFactory(organization=operator, code="mokolab")

    document = reports.build(
        "subsidy",
        organization=operator,
        parameters={"programme": "mokolab", "start": "2025-01-01", "end": "2025-12-31"},
    )
    text = _pdf_text(document)

    assert "Aucun chantier du programme dans la période." in text
    # The ESF+ tables keep their zeros (the funder's form wants them), with no "—" total line.
    assert "Participant·es entré·es dans la période 0 0 0 0" in text
    assert "Total —" not in text


# --- figures recomputed by hand on edge cases ------------------------------------------------


@pytest.fixture
def edge_cases(operator, other_operator):
    """Year 2025 (ages on 31/12/2025):
    L1 F 29/02/2000 (25)  01/03/2025 → open; job seeker since 29/02/2024 (12 months at start)
    L2 M 29/02/2008 (17)  01/09/2024 → 31/12/2024 training_other; 01/01/2025 → open; never a
                          job seeker
    L3 X 05/05/1970 (55)  anonymised; 01/01/2023 → 30/06/2025 job_permanent
    L4 M 01/01/1990 (35)  01/02/2025 → open (closed then reopened); job seeker since 02/02/2024
    L5 F 01/01/1990       05/01/2026 → open (future for 2025)
    L6 F 31/12/1995 (30)  01/06/2024 → 01/01/2025 dropped_out (one day in 2025)
    and, at another operator, a person with a positive exit in 2025.
    """
    from django.utils import timezone

    operator.annual_target = 4
    operator.save(update_fields=["annual_target"])
    mokolab = ProgrammeFactory(organization=operator, code="mokolab")
    other = ProgrammeFactory(organization=operator, code="autre")

    def person(born, gender, jobseeker_since=None):
        return ParticipantFactory(
            organization=operator, birth_date=born, gender=gender, jobseeker_since=jobseeker_since
        )

    l1 = person(d(2000, 2, 29), "F", d(2024, 2, 29))
    l2 = person(d(2008, 2, 29), "M")
    l3 = person(d(1970, 5, 5), "X")
    l4 = person(d(1990, 1, 1), "M", d(2024, 2, 2))
    l5 = person(d(1990, 1, 1), "F")
    l6 = person(d(1995, 12, 31), "F")
    _pathway(l1, mokolab, d(2025, 3, 1))
    _pathway(l2, other, d(2024, 9, 1), d(2024, 12, 31), "training_other")
    _pathway(l2, mokolab, d(2025, 1, 1))
    _pathway(l3, mokolab, d(2023, 1, 1), d(2025, 6, 30), "job_permanent")
    reopened = _pathway(l4, mokolab, d(2025, 2, 1), d(2025, 5, 1), "dropped_out")
    reopened.ended_on, reopened.exit_outcome = None, ""
    reopened.save(update_fields=["ended_on", "exit_outcome"])
    _pathway(l5, mokolab, d(2026, 1, 5))
    _pathway(l6, mokolab, d(2024, 6, 1), d(2025, 1, 1), "dropped_out")
    type(l3).objects.filter(pk=l3.pk).update(anonymised_at=timezone.now())
    stranger = ParticipantFactory(organization=other_operator)
    _pathway(
        stranger,
        ProgrammeFactory(organization=other_operator),
        d(2025, 1, 1),
        d(2025, 3, 1),
        "job_permanent",
    )
    return mokolab


def test_the_activity_headline_and_trend_hold_on_the_edge_cases(operator, edge_cases):
    headline = activity.headline(organization=operator, year=2025)

    # Accompanied in 2025: L1, L2, L3 (anonymised, still counted), L4, L6 (01/01 only) = 5;
    # not L5 (starts in 2026) nor the other operator's person.
    assert headline.persons_accompanied == 5
    # New: first pathway ever in 2025: L1, L4 (L2 started in 2024, L6 in 2024) = 2.
    assert headline.new == 2
    # Exits in 2025: L3 (30/06, positive), L6 (01/01, dropped out); L4's was reopened = 2.
    assert headline.exits == 2
    assert headline.positive_exits == 1
    assert headline.positive_exit_rate == Decimal("0.200")  # 1 / 5
    assert headline.positive_over_exits == Decimal("0.500")  # 1 / 2
    assert headline.target_attainment == Decimal("1.250")  # 5 / 4

    trend = {
        t.year: (t.persons_accompanied, t.positive_exits)
        for t in activity.trend(organization=operator, year=2025)
    }
    # 2023: L3; 2024: L2 (exit 31/12/2024, positive), L3, L6; 2025 as above.
    assert trend == {2021: (0, 0), 2022: (0, 0), 2023: (1, 0), 2024: (3, 1), 2025: (5, 1)}


def test_the_age_bands_on_31_december_hold_for_leap_day_births(operator, edge_cases):
    bands = {
        row.code: row.count
        for row in activity.breakdowns(organization=operator, year=2025).age_band
    }
    # On 31/12/2025: L2 17 (born 29/02/2008), L1 25 (29/02/2000), L4 35, L6 30 (born 31/12/1995,
    # 30 on that very day), L3 55.
    assert bands == {"<18": 1, "18–24": 0, "25–29": 1, "30–49": 2, "50–54": 0, "55+": 1}


def test_the_esf_entry_cells_hold_on_the_edge_cases(operator, edge_cases):
    rows = {
        row.key: row.cells()
        for row in esf_entry(organization=operator, programme=edge_cases, period=Period.year(2025))
    }
    # Entered MoKoLab in 2025: L1 F (01/03), L2 M (01/01), L4 M (01/02) — [F, M, X, total].
    assert rows["entrants"] == [1, 2, 0, 3]
    # L1: 29/02/2024 → 01/03/2025 is 12 whole months (long-term); L4: 02/02/2024 → 01/02/2025
    # is 11 months; L2 was never a job seeker: inactive, not unemployed.
    assert rows["unemployed"] == [1, 1, 0, 2]
    assert rows["long_term_unemployed"] == [1, 0, 0, 1]
    assert rows["inactive"] == [0, 1, 0, 1]
    assert rows["employed"] == [None, None, None, None]  # not collected, not an invented 0
    # At entry: L2 16 (under 18), L1 25 (18–29), L4 35.
    assert rows["under_18"] == [0, 1, 0, 1]
    assert rows["age_18_29"] == [1, 0, 0, 1]
    assert rows["age_55_plus"] == [0, 0, 0, 0]


def test_a_person_turns_18_at_entry_on_1_march_when_born_on_29_february(operator):
    programme = ProgrammeFactory(organization=operator, code="leap")
    on_28th = ParticipantFactory(organization=operator, birth_date=d(2008, 2, 29), gender="F")
    on_1st = ParticipantFactory(organization=operator, birth_date=d(2008, 2, 29), gender="M")
    _pathway(on_28th, programme, d(2026, 2, 28))
    _pathway(on_1st, programme, d(2026, 3, 1))

    rows = {
        row.key: row.cells()
        for row in esf_entry(
            organization=operator,
            programme=programme,
            period=Period(d(2026, 1, 1), d(2026, 6, 30)),
        )
    }
    # 29/02/2008 → 28/02/2026: 215 whole months (17); → 01/03/2026: 216 (18), as Participant.age.
    assert rows["under_18"] == [1, 0, 0, 1]
    assert rows["age_18_29"] == [0, 1, 0, 1]


def test_the_activity_report_explains_the_definitions_that_differ_from_the_other_reports(
    operator, edge_cases
):
    ChantierFactory(organization=operator, code="wayez", starts_on=d(2025, 3, 1))

    document = reports.build("activity", organization=operator, parameters={"year": 2025})
    texts = [
        getattr(block, "note", "") or getattr(block, "text", "")
        for section in document.sections
        for block in section.blocks
    ]

    # The chantier table's "Défraiements" (computed on the marks) and the key figure
    # "Défraiements payés" (paid monthly statements) differ: the table says why.
    assert any("les « défraiements payés » ne comptent que les fiches" in t for t in texts)
    # L2 registered as a job seeker after the start would be "inactive" in the ESF+ report.
    assert any("après ce début compte dans « moins de 6 mois »" in t for t in texts)


def test_the_command_refuses_an_output_it_cannot_write_and_leaves_no_run(operator, tmp_path):
    from django.core.management import CommandError, call_command

    (tmp_path / "rapport.xlsx").mkdir()  # the spreadsheet's place is taken by a folder

    with pytest.raises(CommandError, match="est un dossier"):
        call_command(
            "generate_report",
            "activity",
            "--organization",
            operator.slug,
            "--year",
            "2025",
            "--output",
            str(tmp_path / "rapport.pdf"),
        )

    assert not ReportRun.objects.exists()
    assert not (tmp_path / "rapport.pdf").exists()


def test_a_rate_is_rounded_once_so_6_out_of_11_reads_54_5_percent():
    from reporting.indicators.common import rate
    from reporting.render.formats import NBSP, format_value

    # 6 / 11 = 0.545454… = 54.5454… %, which rounds to 54,5 %; rounded first to 0.5455 then to
    # one place of a percent it reads 54,6 %.
    assert format_value(rate(6, 11), "percent") == f"54,5{NBSP}%"


def test_the_impact_rate_of_positive_exits_says_it_divides_by_the_exits_not_the_persons(
    operator, edge_cases
):
    document = reports.build(
        "impact", organization=operator, parameters={"programme": "mokolab", "year": 2025}
    )
    figures = {
        figure.label: figure
        for section in document.sections
        for block in section.blocks
        for figure in getattr(block, "items", [])
    }

    # The activity report's "Taux de sorties positives" is positive exits / persons accompanied;
    # the impact report's, positive exits / persons exited: the same words, said apart.
    assert figures["Taux de sorties positives"].note == (
        "parmi les personnes sorties, pas parmi toutes les personnes suivies"
    )
