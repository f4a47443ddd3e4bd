"""``manage.py generate_report``: the same service as the background job, to a file."""

import datetime as dt
import hashlib
import io
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pypdf
import pytest
from django.core.management import CommandError, call_command

from reporting.models import ReportRun
from tests.factories import (
    ChantierFactory,
    ParticipantFactory,
    PathwayFactory,
    ProgrammeFactory,
    WorkSessionFactory,
)
from tests.workers import database_url

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def programme(operator):
    return ProgrammeFactory(organization=operator, code="mokolab", name="MoKoLab")


@pytest.fixture
def year_2025(operator, programme):
    """3 persons accompanied in 2025 (2 new), 1 positive exit out of 2 exits."""
    for started, ended, outcome in [
        (dt.date(2024, 9, 2), None, ""),  # open through 2025: accompanied, not new
        (dt.date(2025, 2, 3), dt.date(2025, 12, 31), "job_permanent"),  # exit on 31/12: positive
        (dt.date(2025, 3, 3), dt.date(2025, 6, 30), "dropped_out"),
        (dt.date(2023, 1, 2), dt.date(2024, 12, 31), "moved"),  # ended before 2025: not counted
    ]:
        PathwayFactory(
            participant=ParticipantFactory(organization=operator),
            programme=programme,
            started_on=started,
            ended_on=ended,
            exit_outcome=outcome,
        )


SUBSIDY = ["subsidy", "--organization", "ml-test", "--programme"]


def _generate(*args, output):
    out = io.StringIO()
    call_command("generate_report", *args, "--output", str(output), stdout=out)
    return out.getvalue()


def test_it_writes_the_activity_report_and_its_spreadsheet_beside_it(operator, year_2025, tmp_path):
    output = tmp_path / "activite-2025.pdf"
    printed = _generate("activity", "--organization", "ml-test", "--year", "2025", output=output)

    pdf = output.read_bytes()
    assert pdf.startswith(b"%PDF")
    sha256 = hashlib.sha256(pdf).hexdigest()
    run = ReportRun.objects.get()
    assert (run.kind, run.parameters, run.status, run.requested_by) == (
        "activity",
        {"year": 2025},
        "done",
        None,
    )
    assert run.pdf_sha256 == sha256 and run.pdf.read() == pdf  # the stored file, byte for byte
    assert f"SHA-256 : {sha256}" in printed
    assert f"PDF : {output}" in printed and f"XLSX : {tmp_path / 'activite-2025.xlsx'}" in printed
    assert zipfile.is_zipfile(tmp_path / "activite-2025.xlsx")

    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(output).pages)
    assert "Mission Locale de Test" in text and "Rapport d'activités 2025" in text
    # 3 accompanied; 1 positive exit of 3 accompanied = 33,3 %.
    assert "3\nPersonnes accompagnées" in text
    assert re.search(r"33,3\s%", text)  # a no-break space before the %


def test_it_writes_a_chantier_summary(operator, tmp_path):
    chantier = ChantierFactory(organization=operator, code="wayez", name="Peinture Wayez")
    WorkSessionFactory(chantier=chantier)
    output = tmp_path / "bilan.pdf"
    _generate("chantier_summary", "--organization", "ml-test", "--chantier", "wayez", output=output)
    assert output.read_bytes().startswith(b"%PDF")
    assert (tmp_path / "bilan.xlsx").exists()
    assert ReportRun.objects.get().parameters == {"chantier": "wayez"}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["activity", "--organization", "inconnue", "--year", "2025"], "Aucun opérateur"),
        (["activity", "--organization", "ml-test"], "--year : Ce champ est obligatoire."),
        (["activity", "--organization", "ml-test", "--year", "2999"], "n'a pas encore commencé"),
        (["activity", "--organization", "ml-test", "--year", "deux"], "Indiquez une année"),
        (
            ["activity", "--organization", "ml-test", "--year", "2025", "--chantier", "x"],
            "--chantier : sans objet",
        ),
        (
            [*SUBSIDY, "mokolab", "--from", "2025-12-31", "--to", "2025-01-01"],
            "--to : La fin de la période précède son début.",
        ),
        (
            [*SUBSIDY, "inconnu", "--from", "2025-01-01", "--to", "2025-12-31"],
            "--programme : Aucun programme « inconnu » dans cette organisation.",
        ),
        (
            ["impact", "--organization", "ml-test", "--year", "2025"],
            "Choisissez un programme et une année, ou un chantier.",
        ),
        (
            # Refused by the builder itself (at most three years), after the form: the run it
            # recorded is rolled back with the rest.
            [*SUBSIDY, "mokolab", "--from", "2020-01-01", "--to", "2025-12-31"],
            "La période ne peut pas dépasser 3 ans.",
        ),
    ],
)
def test_a_bad_argument_stops_with_a_message_and_changes_nothing(
    operator, programme, tmp_path, arguments, message
):
    output = tmp_path / "rapport.pdf"
    with pytest.raises(CommandError, match=message.replace("(", r"\(")):
        _generate(*arguments, output=output)
    assert ReportRun.objects.count() == 0
    assert list(tmp_path.glob("rapport.*")) == []


def test_an_output_that_is_not_a_pdf_in_an_existing_folder_is_refused(operator, tmp_path):
    with pytest.raises(CommandError, match=r"\.pdf"):
        _generate("activity", "--organization", "ml-test", "--year", "2025", output="r.docx")
    with pytest.raises(CommandError, match="n'existe pas"):
        _generate(
            "activity", "--organization", "ml-test", "--year", "2025", output=tmp_path / "x/r.pdf"
        )
    assert ReportRun.objects.count() == 0


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


def test_from_the_shell_a_bad_argument_exits_non_zero(operator, tmp_path):
    """A real process: the exit status is what scripts and cron see."""
    environ = os.environ | {"DATABASE_URL": database_url()}
    done = subprocess.run(
        [
            *(sys.executable, "manage.py", "generate_report", "activity"),
            *("--organization", "inconnue", "--year", "2025"),
            *("--output", str(tmp_path / "r.pdf")),
        ],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "Aucun opérateur d'identifiant « inconnue »." in done.stderr
    assert list(tmp_path.iterdir()) == []
