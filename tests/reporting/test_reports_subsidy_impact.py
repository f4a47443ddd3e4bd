"""The subsidy, impact and chantier summary Documents: their parameters and their figures."""

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from chantiers.models import Attendance, Enrolment, Incident
from participants.models import ExitOutcome, Participant
from reporting import reports
from reporting.document import KeyFigures, Table
from reporting.reports import ReportParameterError, build
from tests.factories import (
    ChantierFactory,
    ParticipantFactory,
    PathwayFactory,
    ProgrammeFactory,
    WorkSessionFactory,
)
from tests.reporting.datasets import _crowd, build_cohort_data, build_esf_data
from tests.reporting.rendered import _pdf_text

D = dt.date
SUBSIDY = {"programme": "mokolab", "start": "2025-01-01", "end": "2025-06-30"}


# The hand-built data of the indicator tests: the Documents must show the same figures.


@pytest.fixture
def programme(operator):
    return ProgrammeFactory(organization=operator, code="mokolab", name="MoKoLab")


@pytest.fixture
def data(operator, other_operator, programme):
    return build_esf_data(operator, other_operator, programme)


@pytest.fixture
def cohort_data(operator, other_operator, programme, housing):
    return build_cohort_data(operator, other_operator, programme, housing)


def table(document, title) -> Table:
    for _section, block in document.tables():
        if block.title == title:
            return block
    for block in document.listings:
        if block.title == title:
            return block
    raise AssertionError(f"no table {title!r}")


def row(table: Table, label):
    return next(r for r in table.rows if r[0] == label)


def key_figures(document) -> dict:
    return {
        figure.label: figure.value
        for section in document.sections
        for block in section.blocks
        if isinstance(block, KeyFigures)
        for figure in block.items
    }


def everything_in(document) -> str:
    return repr(dataclasses.asdict(document))


# --- Parameters ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "parameters", "message"),
    [
        (
            "subsidy",
            {**SUBSIDY, "programme": "inconnu"},
            "Le programme « inconnu » n'existe pas dans cette organisation.",
        ),
        (
            "subsidy",
            {**SUBSIDY, "programme": "le-leur"},  # exists, but at the other operator
            "Le programme « le-leur » n'existe pas dans cette organisation.",
        ),
        (
            "subsidy",
            {**SUBSIDY, "start": "2025-07-01"},
            "La date de début de la période est après sa date de fin.",
        ),
        (
            "subsidy",
            {**SUBSIDY, "start": "2022-06-30"},  # 30/06/2022 + 3 years = 30/06/2025: too long
            "La période ne peut pas dépasser 3 ans.",
        ),
        (
            "subsidy",
            {**SUBSIDY, "end": "30/06/2025"},
            "La date de fin de la période est manquante ou invalide.",
        ),
        (
            "subsidy",
            {**SUBSIDY, "start": "1999-12-31"},
            "La date de début de la période doit tomber entre 2000 et ",
        ),
        (
            "subsidy",
            {**SUBSIDY, "identify": "tout"},
            "L'identification des personnes doit être « pseudonymes » ou « noms ».",
        ),
        (
            "impact",
            {"programme": "mokolab", "year": 2025, "chantier": "peinture-1"},
            "Choisissez soit un programme et une année, soit un chantier (pas les deux).",
        ),
        (
            "impact",
            {},
            "Choisissez soit un programme et une année, soit un chantier (pas les deux).",
        ),
        ("impact", {"programme": "mokolab", "year": 1999}, "L'année doit être comprise entre"),
        ("impact", {"programme": "mokolab", "year": "deux"}, "L'année « deux » n'est pas valable."),
        (
            "impact",
            {"chantier": "peinture-9"},
            "Le chantier « peinture-9 » n'existe pas dans cette organisation.",
        ),
        (
            "chantier_summary",
            {"chantier": "le-leur"},  # exists, but at the other operator
            "Le chantier « le-leur » n'existe pas dans cette organisation.",
        ),
    ],
)
def test_bad_parameters_give_a_french_sentence(
    operator, other_operator, programme, kind, parameters, message
):
    ProgrammeFactory(organization=other_operator, code="le-leur")
    ChantierFactory(organization=other_operator, code="le-leur")
    with pytest.raises(ReportParameterError) as error:
        build(kind, organization=operator, parameters=parameters)
    assert str(error.value).startswith(message)


def test_a_period_of_exactly_three_years_is_accepted(operator, programme):
    document = build(
        "subsidy",
        organization=operator,
        parameters={**SUBSIDY, "start": "2022-07-01"},  # 01/07/2022 – 30/06/2025
    )
    assert document.period_label == "du 01/07/2022 au 30/06/2025"


# --- Subsidy ---------------------------------------------------------------------------------


@pytest.fixture
def worked(operator, programme, data):
    """A chantier of the programme: two held sessions in the period, one after it."""
    chantier = ChantierFactory(
        organization=operator, programme=programme, code="jardin", starts_on=D(2025, 1, 1)
    )
    for who in ("alice", "gina", "didier"):
        Enrolment.objects.create(
            chantier=chantier, participant=data[who], status="active", joined_on=D(2025, 1, 1)
        )
    march = WorkSessionFactory(chantier=chantier, date=D(2025, 3, 3))
    april = WorkSessionFactory(chantier=chantier, date=D(2025, 4, 7))
    july = WorkSessionFactory(chantier=chantier, date=D(2025, 7, 1))  # after the period

    def mark(session, who, status, hours, indemnity):
        Attendance.objects.create(
            session=session,
            participant=data[who],
            status=status,
            hours=Decimal(hours),
            indemnity=Decimal(indemnity),
        )

    mark(march, "alice", "present", "4.00", "20.00")
    mark(march, "gina", "late", "3.50", "20.00")
    mark(march, "didier", "unexcused", "0.00", "0.00")
    mark(april, "didier", "present", "4.00", "20.00")
    mark(july, "alice", "present", "4.00", "20.00")
    return chantier


def test_the_subsidy_report_holds_the_esf_tables(operator, programme, data):
    document = build("subsidy", organization=operator, parameters=SUBSIDY)
    assert document.kind == "subsidy"
    assert ("Période", "du 01/01/2025 au 30/06/2025") in document.parameters
    assert ("Identification des personnes", "Pseudonymes") in document.parameters
    entry = table(document, "Situation le jour de l'entrée dans le programme")
    # [label, F, M, X, total], the figures of test_indicators_esf
    assert row(entry, "Participant·es entré·es dans la période")[1:] == [4, 1, 1, 6]
    assert row(entry, "dont chômeur·euses de longue durée (≥ 12 mois)")[1:] == [2, 1, 0, 3]
    assert row(entry, "Personnes exerçant un emploi")[1:] == [None, None, None, None]
    assert "Non collecté" in entry.note
    exits = table(document, "Situation à la sortie du programme")
    assert row(exits, "Exerçant un emploi à la sortie")[1:] == [1, 2, 0, 3]
    after = table(document, "Suivi à 6 mois des sorties de la période")
    assert row(after, "Exerçant un emploi six mois après la sortie")[1:] == [1, 1, 0, 2]
    assert row(after, "Suivis à 6 mois échus mais pas réalisés (ni succès ni échec)")[1] == 0


def test_the_subsidy_report_gives_hours_and_indemnities_per_chantier(
    operator, programme, data, worked
):
    document = build("subsidy", organization=operator, parameters=SUBSIDY)
    chantiers = table(document, "Heures et défraiements par chantier du programme")
    # code, name, participants, sessions held, hours in a pathway of the programme, hours
    # outside one, attendance rate, indemnities
    # hours 4 + 3.5 + 4 = 11.50; rate 3 present-like / 4 marks; 3 × 20 € (July is outside)
    jardin = ["jardin", worked.name, 3, 2, Decimal("11.50"), Decimal("0.00")]
    assert chantiers.rows == [[*jardin, Decimal("0.750"), Decimal("60.00")]]
    assert chantiers.footer == ["Total", "", *jardin[2:], Decimal("0.750"), Decimal("60.00")]


def test_the_subsidy_hours_are_those_of_people_in_a_pathway_of_the_programme_that_day(
    operator, programme, data, worked
):
    """The PDF's hours and the listing's total are one figure: a person without a pathway of
    the programme on a session's day (another programme's pathway, or none yet) works hours
    that are shown apart, not counted, and the reconciliation adds up."""
    march, april = worked.sessions.filter(date__lt=D(2025, 7, 1)).order_by("date")
    other = ProgrammeFactory(organization=operator, code="autre")
    elsewhere = ParticipantFactory(organization=operator)
    PathwayFactory(participant=elsewhere, programme=other, started_on=D(2024, 9, 1))
    later = ParticipantFactory(organization=operator)
    PathwayFactory(participant=later, programme=programme, started_on=D(2025, 4, 1))
    for person in (elsewhere, later):
        Enrolment.objects.create(
            chantier=worked, participant=person, status="active", joined_on=D(2025, 1, 1)
        )
        for session in (march, april):
            Attendance.objects.create(
                session=session, participant=person, status="present", hours=Decimal("4.00")
            )

    document = build("subsidy", organization=operator, parameters=SUBSIDY)

    chantiers = table(document, "Heures et défraiements par chantier du programme")
    listing = table(document, "Participant·es du programme pendant la période")
    # counted: 11.50 + the later one's April 4 h; apart: the other programme's 8 h + March's 4 h
    assert chantiers.footer[4:6] == [Decimal("15.50"), Decimal("12.00")]
    assert listing.footer[-1] == Decimal("15.50")
    reconciliation = table(document, "Rapprochement des heures")
    assert [line[1] for line in reconciliation.rows] == [
        Decimal("27.50"),
        Decimal("12.00"),
        Decimal("15.50"),
    ]


def test_the_subsidy_listing_uses_pseudonyms_and_hours_of_each_pathway(
    operator, programme, data, worked
):
    document = build("subsidy", organization=operator, parameters=SUBSIDY)
    listing = table(document, "Participant·es du programme pendant la période")
    # 14 pathways open during the period: Alice, Béa, Chloé, Gina, Didier ×2, Eli, Hugo,
    # Karim ×2, Léa, Pia, Mona, Omar (ends the day after)
    assert len(listing.rows) == 14
    by_person, genders = {}, {}
    for who, gender, entry, exit_, _outcome, hours in listing.rows:
        by_person.setdefault(who, []).append((entry, exit_, hours))
        genders[who] = gender
    alice, gina, didier = (f"P{data[k].pk:06d}" for k in ("alice", "gina", "didier"))
    # The gender that splits the ESF+ tables' entries and exits.
    assert (genders[alice], genders[didier]) == ("Femme", "Homme")
    assert set(genders.values()) == {"Femme", "Homme", "X (non binaire ou non précisé)"}
    assert by_person[alice] == [(D(2025, 1, 1), None, Decimal("4.00"))]  # not July's 4 h
    assert by_person[gina] == [(D(2025, 2, 15), None, Decimal("3.50"))]
    # Didier's April hours belong to his second pathway, not to the first (ended 01/03)
    assert sorted(by_person[didier]) == [
        (D(2025, 2, 1), D(2025, 3, 1), Decimal("0.00")),
        (D(2025, 4, 1), None, Decimal("4.00")),
    ]
    assert listing.footer[-1] == Decimal("11.50")  # = the chantiers' total hours
    assert data["alice"].last_name not in everything_in(document)
    assert f"P{data['stranger'].pk:06d}" not in by_person  # another operator's person


def test_the_subsidy_listing_shows_names_only_when_asked(operator, programme, data, worked):
    document = build("subsidy", organization=operator, parameters={**SUBSIDY, "identify": "names"})
    listing = table(document, "Participant·es du programme pendant la période")
    alice = data["alice"]
    assert [r[0] for r in listing.rows].count(f"{alice.last_name.upper()} {alice.first_name}") == 1
    assert ("Identification des personnes", "Noms") in document.parameters


def test_the_subsidy_report_query_count_does_not_grow_with_the_data(
    operator, programme, data, worked, django_assert_num_queries
):
    # programme; esf ×3; chantier figures (chantiers, participants ×2, sessions, marks,
    # ended, incidents); hours in and out of the programme's pathways; listing: pathways,
    # hours per person and day
    with django_assert_num_queries(14):
        build("subsidy", organization=operator, parameters=SUBSIDY)
    _crowd(operator, programme, 15)
    with django_assert_num_queries(14):
        build("subsidy", organization=operator, parameters=SUBSIDY)


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


# --- Impact ----------------------------------------------------------------------------------


def test_the_impact_report_of_a_programme_cohort(operator, programme, cohort_data):
    document = build(
        "impact", organization=operator, parameters={"programme": "mokolab", "year": 2025}
    )
    assert document.period_label == "Cohorte 2025"
    figures = key_figures(document)
    assert figures["Personnes de la cohorte"] == 4
    assert figures["Personnes sorties"] == 3
    assert figures["Taux de sorties positives"] == Decimal("0.667")  # 2 / 3
    regularity = table(document, "Personnes selon leur taux de présence")
    # [label, persons, share of 4]
    assert row(regularity, "moins de 50 %")[1:] == [1, Decimal("0.250")]
    assert row(regularity, "au moins 80 %")[1:] == [2, Decimal("0.500")]  # Ana, Ben
    assert regularity.footer[1] == 4
    needs = table(document, "Besoins identifiés pendant le parcours et levés")
    assert row(needs, "Langue")[1:] == [1, 1, Decimal("1.000")]
    assert needs.footer == ["Total", 3, 2, Decimal("0.667")]  # language, housing, digital
    follow_ups = table(document, "Situation 3, 6 et 12 mois après la sortie")
    assert row(follow_ups, "En emploi")[1] == 1  # +3: Ana
    assert row(follow_ups, "Suivis réalisés")[1:3] == [3, 1]  # +3, +6
    assert any(
        block.title == "Situation après la sortie (suivis réalisés)"
        for section in document.sections
        for block in section.blocks
        if not isinstance(block, (Table, KeyFigures)) and hasattr(block, "series")
    )
    listing = table(document, "Personnes de la cohorte")
    assert len(listing.rows) == 4  # one row per person, Dan's two pathways included
    ana = Participant.objects.get(organization=operator, birth_date=D(2001, 6, 1))
    assert row(listing, f"P{ana.pk:06d}") == [
        f"P{ana.pk:06d}",
        "Femme",
        D(2025, 3, 1),
        "18 à 24 ans",
        "Au plus secondaire inférieur (CITE 0–2)",
        "12 à 24 mois",
        "Allocations de chômage",
        5,  # 4 on the chantier + 1 elsewhere during her pathway
        4,
        "au moins 80 %",
        "Sorties, sans parcours ouvert",
        D(2025, 9, 30),
        "Emploi CDI",
    ]
    # Where each person stands, one by one, adds up to where the cohort stands: Cléo and Dan
    # (exited from his first pathway, in his second) in a pathway, Ana and Ben exited.
    standing = [column.label for column in listing.columns].index("Parcours aujourd'hui")
    listed = {}
    for line in listing.rows:
        listed[line[standing]] = listed.get(line[standing], 0) + 1
    assert listed == {"Encore en parcours": 2, "Sorties, sans parcours ouvert": 2}
    where = table(document, "Où en sont les personnes de la cohorte")
    assert listed == {line[0]: line[1] for line in where.rows if line[1]}
    text = everything_in(document)  # pseudonyms only: no person's name
    for person in Participant.objects.filter(organization=operator):
        assert person.last_name not in text


def test_the_impact_report_of_a_chantier_cohort(operator, cohort_data):
    document = build("impact", organization=operator, parameters={"chantier": "peinture-1"})
    assert document.period_label == "du 01/03/2025 au 31/10/2025"
    figures = key_figures(document)
    assert figures["Personnes de la cohorte"] == 3  # Ana, Ben, Dan
    assert figures["Sorties positives (emploi ou formation)"] == 2


def test_an_impact_report_of_an_empty_cohort_says_so_in_one_sentence(operator):
    ProgrammeFactory(organization=operator, code="mokolab")

    document = reports.build(
        "impact", organization=operator, parameters={"programme": "mokolab", "year": 2025}
    )
    text = _pdf_text(document)

    assert "Aucune personne dans cette cohorte : il n'y a rien à mesurer." in text
    assert "Total 0 —" not in text


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


# --- Chantier summary ------------------------------------------------------------------------


def test_the_chantier_summary_counts_the_group_the_work_and_the_outcomes(operator, cohort_data):
    chantier = cohort_data["chantier"]
    Incident.objects.create(
        chantier=chantier,
        date=D(2025, 3, 4),
        kind="accident",
        people_involved="Ana",
        description="Coupure à la main avec un cutter",
    )
    document = build(
        "chantier_summary", organization=operator, parameters={"chantier": "peinture-1"}
    )
    assert document.period_label == "du 01/03/2025 au 31/10/2025"
    figures = key_figures(document)
    assert figures["Partenaire d'accueil"] == "Logement Test"
    assert figures["Places"] == 8
    assert figures["Personnes inscrites"] == 3  # completed, withdrawn, active; Fred candidate
    assert figures["Séances tenues"] == 4
    assert figures["Séances annulées"] == 1
    assert figures["Séances prévues"] == 1
    # present-like: Ana 3, Ben 2, Dan 1 → 6 × 4 h; marks on held sessions: 4 + 2 + 3 = 9
    assert figures["Heures prestées"] == Decimal("24.00")
    assert figures["Taux de présence"] == Decimal("0.667")  # 6 / 9
    assert figures["Défraiements"] == Decimal("0.00")
    assert figures["Taux d'achèvement"] == Decimal("0.500")  # 1 completed / 2 ended
    assert figures["Taux de sorties positives"] == Decimal("0.667")  # Ana, Dan / 3 exits
    # The withdrawal is counted by status, its free-text reason ("Raisons de santé") never shown.
    assert row(table(document, "Inscriptions par état"), "Sorti·e en cours de route")[1] == 1
    incidents = table(document, "Incidents par type")
    assert row(incidents, "Accident")[1] == 1
    assert incidents.footer == ["Total", 1]
    text = everything_in(document)
    assert "Coupure" not in text  # never an incident's description
    assert "Raisons de santé" not in text
    for enrolment in Enrolment.objects.filter(chantier=chantier).select_related("participant"):
        assert enrolment.participant.last_name not in text


def test_every_total_of_the_chantier_summary_is_the_sum_of_its_parts(operator, cohort_data):
    """The group (4, with Hana selected and never in a pathway during the chantier) is where
    its persons stand, each once: Dan exited his first pathway and is in a second one, so he is
    "in a pathway", not twice; the exits table adds up to the persons exited; the listing's
    rows add up to the hours and the marks behind the rate."""
    chantier = cohort_data["chantier"]
    hana = ParticipantFactory(organization=operator)
    Enrolment.objects.create(chantier=chantier, participant=hana, status="selected")

    document = build(
        "chantier_summary", organization=operator, parameters={"chantier": "peinture-1"}
    )

    figures = key_figures(document)
    assert figures["Personnes inscrites"] == 4
    standing = table(document, "Où en sont les personnes du groupe")
    assert [line[:2] for line in standing.rows] == [
        ["Encore en parcours", 1],  # Dan
        ["Sorties, sans parcours ouvert", 2],  # Ana, Ben
        ["Sans parcours", 1],  # Hana
    ]
    assert standing.footer[1] == figures["Personnes inscrites"]
    assert figures["Personnes sorties"] == 3  # Ana, Ben, Dan (his first pathway)
    exits = table(document, "Situation à la sortie")
    assert exits.footer[1] == sum(line[1] for line in exits.rows) == 3
    people = document.listings[0]
    assert len(people.rows) == 5  # four enrolled and Fred, the candidate
    assert people.footer[4:8] == [9, 6, figures["Heures prestées"], figures["Défraiements"]]
    assert f"P{hana.pk:06d}" in [line[0] for line in people.rows]
    # A coordinator may ask for the summary: no one's exit outcome (health reasons) is listed.
    assert [column.label for column in people.columns][-1] == "Parcours aujourd'hui"
    outcomes = {str(label) for _code, label in ExitOutcome.choices}
    assert not outcomes & {cell for line in people.rows for cell in line}


def test_a_running_chantier_is_summed_up_to_today(operator):
    today = timezone.localdate()
    ChantierFactory(organization=operator, code="en-cours", starts_on=D(2025, 1, 6))
    document = build("chantier_summary", organization=operator, parameters={"chantier": "en-cours"})
    assert document.period_label == f"du 06/01/2025 au {today:%d/%m/%Y}"
    assert key_figures(document)["Taux de présence"] is None  # nothing recorded: "—"


def test_a_day_shared_by_two_pathways_counts_once_for_the_later(operator):
    """Closed on 07/04, reopened the same day (a new pathway): the 4 h of 07/04 belong to the
    new pathway; before, they were in both rows and the listing's total said 12 h for 8."""
    programme = ProgrammeFactory(organization=operator, code="relance", name="Relance")
    first = PathwayFactory(
        participant__organization=operator,
        programme=programme,
        started_on=D(2025, 2, 1),
        ended_on=D(2025, 4, 7),
        exit_outcome="training_qualifying",
    )
    person = first.participant
    second = PathwayFactory(participant=person, programme=programme, started_on=D(2025, 4, 7))
    chantier = ChantierFactory(organization=operator, programme=programme, starts_on=D(2025, 1, 1))
    Enrolment.objects.create(
        chantier=chantier, participant=person, status="active", joined_on=D(2025, 1, 1)
    )
    for day in (D(2025, 3, 3), D(2025, 4, 7)):
        Attendance.objects.create(
            session=WorkSessionFactory(chantier=chantier, date=day),
            participant=person,
            status="present",
            hours=Decimal("4.00"),
            indemnity=Decimal("20.00"),
        )
    parameters = {"programme": "relance", "start": "2025-01-01", "end": "2025-06-30"}
    listing = table(
        build("subsidy", organization=operator, parameters=parameters),
        "Participant·es du programme pendant la période",
    )
    assert [(row[2], row[3], row[5]) for row in listing.rows] == [
        (first.started_on, first.ended_on, Decimal("4.00")),  # 03/03 only
        (second.started_on, None, Decimal("4.00")),  # 07/04
    ]
    assert listing.footer[-1] == Decimal("8.00")  # = the chantier's hours


def test_a_chantier_without_marks_has_no_rate_in_the_chart_either(
    operator, programme, data, worked
):
    from reporting.document import Chart
    from reporting.render.pdf import render_pdf
    from reporting.render.xlsx import render_xlsx

    quiet = ChantierFactory(
        organization=operator, programme=programme, code="quiet", starts_on=D(2025, 1, 1)
    )
    WorkSessionFactory(chantier=quiet, date=D(2025, 3, 4))  # held, nobody marked
    document = build("subsidy", organization=operator, parameters=SUBSIDY)
    chart = next(
        block
        for section in document.sections
        for block in section.blocks
        if isinstance(block, Chart)
    )
    rates = dict(zip(chart.categories, chart.series[0][1], strict=True))
    assert rates == {"jardin": Decimal("0.750"), "quiet": None}  # "—" in the table, not 0 %
    assert render_pdf(document).startswith(b"%PDF") and render_xlsx(document)
