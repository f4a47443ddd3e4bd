"""Every report ends with « Définitions »: the period and the parameters it was asked with, and
the definition of every figure it shows, so that a figure added without one fails here."""

import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from reporting.document import KeyFigures, Table
from reporting.render import render_pdf, render_xlsx
from reporting.reports import build
from reporting.reports.definitions import SEPARATOR
from tests.factories import ProgrammeFactory
from tests.reporting.datasets import build_activity_data, build_cohort_data
from tests.reporting.rendered import _pdf_text, _plain

SUBSIDY = {"programme": "mokolab", "start": "2025-01-01", "end": "2025-06-30"}
REPORTS = {
    "activity": ("activity", {"year": 2025}),
    "subsidy": ("subsidy", SUBSIDY),
    "subsidy-names": ("subsidy", {**SUBSIDY, "identify": "names"}),
    "impact-programme": ("impact", {"programme": "mokolab", "year": 2025}),
    "impact-chantier": ("impact", {"chantier": "peinture-1"}),
    "chantier_summary": ("chantier_summary", {"chantier": "peinture-1"}),
}


@pytest.fixture(params=REPORTS.values(), ids=REPORTS.keys())
def report(request, operator, other_operator, housing):
    """A report built on the data its own tests check its figures with: the activity data set,
    or the 2025 cohort of "mokolab" and its chantier "peinture-1" (held sessions in the first
    half of 2025, entries, exits and follow-ups)."""
    kind, parameters = request.param
    if kind == "activity":
        build_activity_data(operator, other_operator)
    else:
        programme = ProgrammeFactory(organization=operator, code="mokolab", name="MoKoLab")
        build_cohort_data(operator, other_operator, programme, housing)
    return build(kind, organization=operator, parameters=parameters)


def _table(section, title) -> Table:
    return next(
        block for block in section.blocks if isinstance(block, Table) and block.title == title
    )


def _defined(document) -> set[str]:
    """The figures the « Définitions » section defines (a row may name several)."""
    rows = _table(document.sections[-1], "Définitions des chiffres").rows
    return {name for figure, _definition in rows for name in figure.split(SEPARATOR)}


def _figures_shown(document) -> list[str]:
    """Every key figure's label and every table's title before the « Définitions »."""
    shown = []
    for section in document.sections[:-1]:
        for block in section.blocks:
            if isinstance(block, KeyFigures):
                shown += [figure.label for figure in block.items]
            elif isinstance(block, Table):
                shown.append(block.title)
    return shown


def test_every_report_ends_with_its_period_and_parameters(report):
    definitions = report.sections[-1]
    assert definitions.title == "Définitions"
    rows = _table(definitions, "Période et paramètres").rows

    assert rows[0] == ["Période", report.period_label]
    for label, value in report.parameters:
        assert [label, value] in rows
    assert len(rows) == len({tuple(row) for row in rows})  # the period once, not twice


def test_every_figure_a_report_shows_has_a_definition(report):
    shown = _figures_shown(report)
    assert shown  # the data set gives the report its figures, not "nothing to show"

    missing = [label for label in shown if label not in _defined(report)]

    assert missing == []


def test_every_definition_is_a_sentence(report):
    rows = _table(report.sections[-1], "Définitions des chiffres").rows
    assert all(figure and definition.endswith(".") for figure, definition in rows)


def test_the_subsidy_report_defines_each_esf_indicator(operator, other_operator, housing):
    programme = ProgrammeFactory(organization=operator, code="mokolab", name="MoKoLab")
    build_cohort_data(operator, other_operator, programme, housing)
    document = build("subsidy", organization=operator, parameters=SUBSIDY)
    esf = [
        row[0]
        for _section, table in document.tables()
        if table.columns[0].label == "Indicateur"
        for row in table.rows
    ]
    assert "Chômeur·euses (demandeur·euses d'emploi)" in esf

    missing = [label for label in esf if label not in _defined(document)]

    assert missing == []


def test_an_empty_impact_cohort_still_ends_with_its_definitions(operator):
    ProgrammeFactory(organization=operator, code="mokolab", name="MoKoLab")

    document = build(
        "impact", organization=operator, parameters={"programme": "mokolab", "year": 2025}
    )

    assert [section.title for section in document.sections] == ["La cohorte", "Définitions"]
    assert ["Programme", "MoKoLab (mokolab)"] in _table(
        document.sections[-1], "Période et paramètres"
    ).rows


def test_the_activity_pdf_and_spreadsheet_print_the_definitions(operator, other_operator):
    build_activity_data(operator, other_operator)
    document = build("activity", organization=operator, parameters={"year": 2025})

    text = _plain(_pdf_text(document))
    assert "Définitions" in text
    assert "Période et paramètres" in text
    assert "Définitions des chiffres" in text
    assert "Sorties positives sur personnes accompagnées" in text
    workbook = load_workbook(io.BytesIO(render_xlsx(document)))
    assert "Définitions" in workbook.sheetnames
    # A page of its own: the page that starts the definitions holds no other section.
    pages = [
        _plain(page.extract_text()) for page in PdfReader(io.BytesIO(render_pdf(document))).pages
    ]
    first = next(page for page in pages if "Période et paramètres" in page)
    # Its page's text starts with them (the running header and footer come after, in pypdf).
    assert first.startswith("Définitions Période et paramètres")
