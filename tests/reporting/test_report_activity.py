"""The activity report's Document, on the activity data set (tests/reporting/datasets.py, year
2025), on edge cases and on an organization without any data."""

import datetime
from decimal import Decimal

import pytest

from reporting import reports
from reporting.document import Chart, Document, KeyFigures, Table
from reporting.reports import ReportParameterError, build
from reporting.reports.common import pseudonym
from tests.factories import (
    ChantierFactory,
    OrganizationFactory,
    ParticipantFactory,
    ProgrammeFactory,
)
from tests.reporting.datasets import build_activity_data
from tests.reporting.rendered import _pdf_text

d = datetime.date


@pytest.fixture
def data(operator, other_operator):
    return build_activity_data(operator, other_operator)


@pytest.fixture
def steps():
    return []


@pytest.fixture
def document(data, operator, steps) -> Document:
    return build(
        "activity",
        organization=operator,
        parameters={"year": 2025},
        progress=lambda percent, label: steps.append((percent, label)),
    )


def _table(document: Document, title: str) -> Table:
    tables = [table for _, table in document.tables() if table.title == title]
    assert len(tables) == 1, title
    return tables[0]


def _listing(document: Document, title: str) -> Table:
    return next(table for table in document.listings if table.title == title)


def _section(document: Document, title: str):
    return next(section for section in document.sections if section.title == title)


def _key_figures(document: Document, section_title: str) -> dict:
    blocks = _section(document, section_title).blocks
    figures = next(block for block in blocks if isinstance(block, KeyFigures))
    return {item.label: item.value for item in figures.items}


def _column(table: Table, label: str) -> list:
    index = [column.label for column in table.columns].index(label)
    return [row[index] for row in table.rows]


class TestParameters:
    @pytest.mark.parametrize("parameters", [{}, {"year": ""}, {"year": "deux mille"}])
    def test_it_refuses_a_missing_or_unreadable_year(self, operator, parameters):
        with pytest.raises(ReportParameterError):
            build("activity", organization=operator, parameters=parameters)

    @pytest.mark.parametrize("year", [1999, 2100])
    def test_it_refuses_an_implausible_year(self, operator, year):
        with pytest.raises(ReportParameterError, match="2000"):
            build("activity", organization=operator, parameters={"year": year})


class TestDocument:
    def test_it_names_the_year_and_the_organization(self, document, operator):
        assert document.kind == "activity"
        assert document.title == "Rapport d'activités 2025"
        assert document.period_label == "Année 2025"
        assert document.organization_name == operator.name
        assert document.parameters == [("Année", "2025")]

    def test_it_reports_progress_in_increasing_steps(self, document, steps):
        percents = [percent for percent, _ in steps]
        assert len(percents) >= 5
        assert percents == sorted(percents)
        assert all(0 <= p <= 100 for p in percents)

    def test_its_key_figures_are_the_headline(self, document):
        figures = _key_figures(document, "Chiffres clés")
        assert figures["Personnes accompagnées"] == 6
        assert figures["dont nouvelles personnes"] == 3
        assert figures["Atteinte de l'objectif annuel"] == Decimal("0.667")  # 6 / 9
        assert figures["Personnes sorties"] == 4
        assert figures["Sorties positives (emploi ou formation)"] == 3
        assert figures["Taux de sorties positives"] == Decimal("0.500")  # 3 / 6
        assert figures["Sorties positives parmi les sorties"] == Decimal("0.750")  # 3 / 4
        assert figures["Défraiements payés"] == Decimal("126.93")  # 84.62 + 42.31

    def test_it_shows_the_five_year_trend_as_a_table_and_a_line(self, document):
        table = _table(document, "Personnes accompagnées et sorties positives par année")
        assert table.rows == [
            ["2021", 1, 0, Decimal("0.000")],
            ["2022", 1, 0, Decimal("0.000")],
            ["2023", 2, 0, Decimal("0.000")],
            ["2024", 3, 1, Decimal("0.333")],
            ["2025", 6, 3, Decimal("0.500")],
        ]
        chart = next(
            b for b in _section(document, "Évolution sur cinq ans").blocks if isinstance(b, Chart)
        )
        assert chart.style == "line"
        assert chart.categories == ["2021", "2022", "2023", "2024", "2025"]
        assert chart.series[0][1] == [1, 1, 2, 3, 6]

    def test_every_profile_table_totals_the_persons_accompanied(self, document):
        section = _section(document, "Profil des personnes accompagnées")
        tables = [b for b in section.blocks if isinstance(b, Table)]
        assert len(tables) == 6
        for table in tables:
            assert sum(row[1] for row in table.rows) == 6, table.title
            assert table.footer[1] == 6
        charts = [b for b in section.blocks if isinstance(b, Chart)]
        assert [c.title for c in charts] == [
            "Personnes accompagnées par genre",
            "Personnes accompagnées par âge au 31 décembre",
        ]
        assert all(c.style == "bar" for c in charts)

    def test_its_age_table_has_the_figures(self, document):
        table = _table(document, "Âge au 31 décembre")
        assert [row[1] for row in table.rows] == [1, 1, 1, 2, 0, 1]  # <18 … 55+
        assert table.rows[3][2] == Decimal("0.333")  # 30–49: 2 / 6

    def test_its_exit_table_counts_exits_by_outcome_with_a_total(self, document):
        table = _table(document, "Sorties de l'année par situation à la sortie")
        by_label = {row[0]: row[3] for row in table.rows}
        assert by_label["Emploi CDI"] == 1
        assert by_label["Sans nouvelles"] == 1
        assert by_label["Déménagement"] == 0  # D's was in 2018
        assert table.footer[3:] == [5, 4]  # 5 pathways ended, 4 persons
        groups = _table(document, "Sorties par groupe")
        # Employment: A; training: C, H; other: B, H (no_news).
        assert groups.rows == [["Emploi", 1], ["Formation", 2], ["Autre sortie", 2]]
        assert groups.footer == ["Total", 5]

    def test_its_chantier_table_has_the_total_as_footer(self, document):
        table = _table(document, "Chantiers de l'année")
        assert _column(table, "Code") == ["k4", "k2", "k1"]
        assert table.rows[2][2:] == [
            3, 2, Decimal("19.50"), Decimal("0.667"), Decimal("179.24"), Decimal("0.500"), 2,
        ]  # fmt: skip
        assert table.footer == [
            "", "Total", 4, 4, Decimal("29.50"), Decimal("0.667"), Decimal("261.55"),
            Decimal("0.750"), 2,
        ]  # fmt: skip

    def test_its_needs_table_counts_identified_and_resolved(self, document):
        table = _table(document, "Besoins identifiés et levés dans l'année")
        by_label = {row[0]: row[1:] for row in table.rows}
        assert by_label["Logement"] == [2, 1]
        assert by_label["Langue"] == [0, 1]
        assert table.footer == ["Total", 2, 2]

    def test_its_referrals_table_crosses_partner_kind_and_status(self, document):
        table = _table(document, "Orientations envoyées dans l'année")
        assert _column(table, "Acceptée") == [1, 0]
        assert _column(table, "Refusée") == [1, 0]
        assert _column(table, "Réalisée") == [0, 1]
        assert _column(table, "Total") == [2, 1]
        assert table.footer[-1] == 3

    def test_its_employer_section_has_contacts_matchings_and_hires(self, document):
        figures = _key_figures(document, "Relations avec les employeurs")
        assert figures == {
            "Employeurs contactés": 2,
            "Contacts de prospection": 3,
            "Mises en relation proposées": 3,
            "Engagements": 2,
        }
        table = _table(document, "Mises en relation proposées dans l'année, par résultat")
        assert dict(table.rows) == {
            "Proposé·e": 0, "Entretien": 1, "Engagé·e": 1, "Non retenu·e": 1, "Sans réponse": 0,
        }  # fmt: skip
        assert table.footer == ["Total", 3]


class TestListings:
    def test_the_persons_listing_has_one_pseudonymous_row_per_person_accompanied(
        self, document, data
    ):
        listing = _listing(document, "Personnes accompagnées")
        assert len(listing.rows) == 6
        identifiers = _column(listing, "Identifiant")
        assert pseudonym(data["b"].pk) in identifiers
        assert pseudonym(data["e"].pk) not in identifiers  # not accompanied in 2025
        assert pseudonym(data["g"].pk) not in identifiers  # another operator's
        names = {data["b"].last_name, data["b"].first_name, data["h"].last_name}
        assert not names & {cell for row in listing.rows for cell in row}

    def test_the_persons_listing_reconciles_with_the_breakdown_tables(self, document):
        listing = _listing(document, "Personnes accompagnées")
        for column, title in (
            ("Genre", "Genre"),
            ("Âge au 31 décembre", "Âge au 31 décembre"),
            ("Niveau de diplôme", "Niveau de diplôme"),
            ("Durée de recherche d'emploi", "Durée de recherche d'emploi à l'entrée en parcours"),
            ("Commune", "Commune"),
            ("Source de revenus", "Source de revenus"),
        ):
            listed = {}
            for value in _column(listing, column):
                listed[value] = listed.get(value, 0) + 1
            table = _table(document, title)
            assert listed == {row[0]: row[1] for row in table.rows if row[1]}, column

    def test_the_persons_listing_reconciles_with_the_key_figures(self, document, data):
        listing = _listing(document, "Personnes accompagnées")
        assert _column(listing, "Nouvelle personne").count("oui") == 3
        assert _column(listing, "Sortie positive").count("oui") == 3
        assert len([day for day in _column(listing, "Date de sortie") if day]) == 4
        row = next(r for r in listing.rows if r[0] == pseudonym(data["c"].pk))
        assert row[8:] == [d(2025, 12, 31), "Formation qualifiante", "oui"]

    def test_the_exits_listing_has_one_row_per_pathway_ended(self, document, data):
        listing = _listing(document, "Sorties")
        assert len(listing.rows) == 5
        assert _column(listing, "Fin du parcours") == [
            d(2025, 2, 10), d(2025, 6, 30), d(2025, 9, 30), d(2025, 11, 30), d(2025, 12, 31),
        ]  # fmt: skip
        assert _column(listing, "Positive").count("oui") == 3

    def test_the_paid_statements_listing_adds_up_to_the_key_figure(self, document, data):
        listing = _listing(document, "Défraiements payés")
        # B's March and I's December; not H's validated one, 2024's, 2026's nor the other
        # operator's.
        assert listing.rows == [
            [pseudonym(data["b"].pk), d(2025, 3, 1), Decimal("84.62")],
            [pseudonym(data["i"].pk), d(2025, 12, 1), Decimal("42.31")],
        ]
        assert listing.footer[-1] == _key_figures(document, "Chiffres clés")["Défraiements payés"]

    def test_the_needs_referrals_and_employer_listings_are_the_rows_of_their_tables(
        self, document, data
    ):
        a, b, h, i = (pseudonym(data[k].pk) for k in "abhi")
        needs = _listing(document, "Besoins")
        # A's language need resolved in 2025, B's two housing needs; not C's of 2023, nor G's.
        # No person beside a need or a referral: a category such as health would say too much.
        assert needs.rows == [
            ["Langue", d(2024, 5, 1), d(2025, 3, 1)],
            ["Logement", d(2025, 2, 1), None],
            ["Logement", d(2025, 3, 1), d(2025, 8, 1)],
        ]
        referrals = _listing(document, "Orientations")
        assert [line[1:] for line in referrals.rows] == [
            ["Logement", "Acceptée", d(2025, 2, 5)],
            ["Logement", "Refusée", d(2025, 3, 5)],
            ["CPAS", "Réalisée", d(2025, 4, 1)],
        ]
        listed = {cell for listing in (needs, referrals) for line in listing.rows for cell in line}
        assert not listed & {a, b, h}
        assert _column(referrals, "Type de partenaire") == [
            "Société de logement social (SISP)",
            "Société de logement social (SISP)",
            "CPAS",
        ]
        matchings = _listing(document, "Mises en relation")
        # A's hire of 2025 was proposed in 2024: listed for the hire, not counted as proposed.
        assert [(line[0], line[2], line[3], line[4]) for line in matchings.rows] == [
            (a, d(2024, 12, 15), "Engagé·e", d(2025, 1, 20)),
            (i, d(2025, 5, 1), "Entretien", None),
            (h, d(2025, 6, 1), "Non retenu·e", None),
            (i, d(2025, 9, 1), "Engagé·e", d(2025, 10, 1)),
        ]
        contacts = _listing(document, "Contacts de prospection")
        assert _column(contacts, "Date") == [d(2025, 1, 10), d(2025, 5, 10), d(2025, 6, 1)]
        assert len(set(_column(contacts, "Employeur"))) == 2  # « Employeurs contactés »
        cells = {
            cell
            for listing in (needs, referrals, matchings, contacts)
            for line in listing.rows
            for cell in line
        }
        # No name, no free text: the referral's reason and refusal, the matching's position.
        names = {data[k].last_name for k in "abhi"} | {data[k].first_name for k in "abhi"}
        assert not cells & (names | {"motif", "complet", "ouvrier·ère"})


def test_building_the_report_takes_the_same_number_of_queries_with_more_data(
    data, operator, django_assert_num_queries
):
    # headline and trend 1, paid 1, breakdowns 2, exits 2, chantiers 7, appointments 1 (one
    # aggregate), trainings and certifications 2 (one select of aggregates, one grouped by
    # provider), collective modules 1 (one select of aggregates), volunteering 1 (one select of
    # aggregates; its 4 listings only when the section is shown), needs 1, referrals 1,
    # employers 3, listings 12 (persons, exits, and one each for the paid statements, the
    # appointments, the trainings, the certifications, the module presences, the EPN's drop-in
    # visits, the needs, the referrals, the matchings and the prospection contacts) = 35
    with django_assert_num_queries(35):
        build("activity", organization=operator, parameters={"year": 2025})
    programme = ProgrammeFactory(organization=operator)
    for _ in range(20):
        person = ParticipantFactory(organization=operator, commune="Forest")
        person.pathways.create(
            programme=programme,
            started_on=d(2025, 2, 1),
            ended_on=d(2025, 3, 1),
            exit_outcome="job_permanent",
        )
    with django_assert_num_queries(35):
        document = build("activity", organization=operator, parameters={"year": 2025})
    assert len(_listing(document, "Personnes accompagnées").rows) == 26  # 6 + 20
    assert _key_figures(document, "Chiffres clés")["Sorties positives (emploi ou formation)"] == 23


def test_the_pdf_and_the_xlsx_of_the_report_carry_the_hand_computed_figures(document):
    """The activity report of the hand-built data set, rendered: the key figures computed by
    hand (6 persons, 3 new, 4 exits, 3 positive; 3 / 6 = 50,0 %, 3 / 4 = 75,0 %, 6 / 9 = 66,7 %,
    84,62 + 42,31 = 126,93 €) are in the PDF's text and the XLSX's cells, and every row of every
    table reads the same in both files."""
    import io

    from openpyxl import load_workbook
    from pypdf import PdfReader

    from reporting.render import render_pdf, render_xlsx
    from reporting.render.formats import format_value
    from reporting.render.xlsx import _sheet_name
    from tests.reporting.rendered import _as_document_value, _plain, _same, _xlsx_table

    text = _plain(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(render_pdf(document))).pages)
    )
    for shown in (
        "6 Personnes accompagnées",
        "3 dont nouvelles personnes",
        "66,7 % Atteinte de l'objectif annuel",
        "4 Personnes sorties",
        "3 Sorties positives (emploi ou formation)",
        "50,0 % Taux de sorties positives",
        "75,0 % Sorties positives parmi les sorties",
        "126,93 € Défraiements payés",
    ):
        assert shown in text, shown
    workbook = load_workbook(io.BytesIO(render_xlsx(document)))
    key_figures = {
        row[0]: row[1] for row in workbook["Chiffres clés"].iter_rows(values_only=True) if row[0]
    }
    assert key_figures["Personnes accompagnées"] == 6
    assert key_figures["Sorties positives (emploi ou formation)"] == 3
    assert Decimal(str(key_figures["Taux de sorties positives"])) == Decimal("0.5")
    assert Decimal(str(key_figures["Défraiements payés"])) == Decimal("126.93")
    checked = 0
    for section, table in document.tables():
        body, footer = _xlsx_table(workbook[_sheet_name(section.title, set())], table)
        pairs = list(zip(body, table.rows, strict=True))
        if table.footer:
            pairs.append((footer, table.footer))
        for xlsx_row, row in pairs:
            row = [None if value == "" else value for value in row]  # an empty cell, both ways
            assert all(_same(c, v) for c, v in zip(xlsx_row, row, strict=True)), (xlsx_row, row)
            line = " ".join(
                format_value(_as_document_value(cell, column.kind), column.kind)
                for cell, column in zip(xlsx_row, table.columns, strict=True)
            )
            assert _plain(line) in text, line
            checked += 1
    assert checked > 40


def test_the_activity_report_of_an_organization_without_any_data_says_so(db):
    newcomer = OrganizationFactory()

    document = reports.build("activity", organization=newcomer, parameters={"year": 2025})
    text = _pdf_text(document)

    assert "Aucune personne accompagnée en 2025." in text
    assert "Aucun chantier en 2025." in text
    # No breakdown table of zeros with a "—" share in its total line.
    assert "Tranche d'âge" not in text
    assert "Total 0 —" not in text


def test_the_activity_report_explains_the_definitions_that_differ_from_the_other_reports(
    operator, edge_cases
):
    ChantierFactory(organization=operator, code="wayez", starts_on=d(2025, 3, 1))

    document = reports.build("activity", organization=operator, parameters={"year": 2025})
    texts = [
        getattr(block, "note", "") or getattr(block, "text", "")
        for section in document.sections
        for block in section.blocks
    ] + [
        definition
        for _section, table in document.tables()
        if table.title == "Définitions des chiffres"
        for _figure, definition in table.rows
    ]

    # The chantier table's "Défraiements" (computed on the marks) and the key figure
    # "Défraiements payés" (paid monthly statements) differ: the table says why.
    assert any("les « défraiements payés » ne comptent que les fiches" in t for t in texts)
    # L2 registered as a job seeker after the start would be "inactive" in the ESF+ report.
    assert any("après ce début compte dans « moins de 6 mois »" in t for t in texts)
