"""Service sheets in the indemnity engine (issue 21): a volunteer's day is a present day of the
person, under the same rules and the same ceilings as the chantiers' marks — one person, one
calendar year, whatever the agreement — and it goes into the month's statement once a
coordinator validated it.

2026 ceilings (seeded): 44.02 € a day, 1 760.83 € a year. The agreements pay 25.00 € a day.
"""

import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from chantiers.models import Attendance, RealCost, ServiceSheet, VolunteerAgreement
from chantiers.selectors import statement_pages, year_balances
from chantiers.services import statement_prepare, statement_validate
from chantiers.sheets import sheet_enter_signed, sheet_return, sheet_submit, sheet_validate
from chantiers.year_changes import real_cost_delete
from participants.models import IncomeSource, Participant
from participants.selectors import participant_list
from privacy.anonymisation import anonymisation_due
from tests.chantiers.helpers import D, _agreement, _mark
from tests.chantiers.indemnity_helpers import MARCH, _declared
from tests.factories import ChantierFactory, ParticipantFactory, PathwayFactory
from volunteers.models import Volunteer
from volunteers.services import volunteer_register

Reason = Attendance.NotPayable
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


@pytest.fixture
def relay(volunteer):
    """The chantiers' ``volunteer`` fixture (no income, so no declaration due), as a volunteer of
    the organisation too, with an agreement of 25.00 a day for 2026 without a chantier."""
    volunteer_register(
        organization=volunteer.organization,
        by=None,
        since=dt.date(2026, 1, 1),
        activity="Relais de quartier",
        participant=volunteer,
    )
    _agreement(volunteer, declaration="", declaration_on=None)
    return volunteer


def _sheet(person, day, by, **fields):
    values = {"date": day, "hours": D("3.00"), "activity": "Visites à domicile"}
    return sheet_submit(sheet=ServiceSheet(participant=person, **(values | fields)), by=by)


def _expense_sheet(person, by):
    """Under a real-costs agreement for 2026: a sheet of 2 March with 8.40 of tickets and their
    receipt photo."""
    _agreement(
        person, declaration="", declaration_on=None, scheme=VolunteerAgreement.Scheme.REAL_COSTS
    )
    return _sheet(
        person,
        dt.date(2026, 3, 2),
        by,
        expense_amount=D("8.40"),
        expense_description="Tickets STIB",
        receipt=SimpleUploadedFile("ticket.jpg", JPEG, content_type="image/jpeg"),
    )


def test_a_sheet_is_paid_the_daily_rate_of_an_agreement_without_chantier(relay, coordinator):
    sheet = _sheet(relay, dt.date(2026, 3, 2), coordinator)

    assert (sheet.status, sheet.indemnity, sheet.not_payable) == ("submitted", D("25.00"), "")
    assert sheet.organization == relay.organization


def test_the_annual_ceiling_is_shared_by_the_chantier_marks_and_the_sheets(relay, coordinator):
    """20.00 left in the year: the mark of 2 March takes it, the sheet of 3 March gets nothing
    and says why; sending the mark's day back… the sheet of 1 March, earlier, comes first."""
    _declared(relay, "1740.83")
    mark = _mark(relay, dt.date(2026, 3, 2))
    sheet = _sheet(relay, dt.date(2026, 3, 3), coordinator)
    mark.refresh_from_db()

    assert (mark.indemnity, mark.not_payable) == (D("20.00"), Reason.ANNUAL_CEILING)
    assert (sheet.indemnity, sheet.not_payable) == (D("0.00"), Reason.ANNUAL_CEILING)

    earlier = _sheet(relay, dt.date(2026, 3, 1), coordinator)
    mark.refresh_from_db()
    assert (earlier.indemnity, earlier.not_payable) == (D("20.00"), Reason.ANNUAL_CEILING)
    assert (mark.indemnity, mark.not_payable) == (D("0.00"), Reason.ANNUAL_CEILING)

    balance = year_balances(participant_ids=[relay.pk], organization=relay.organization, year=2026)[
        relay.pk
    ]
    assert (balance.total, balance.remaining) == (D("1760.83"), D("0.00"))


def test_a_sheet_returned_frees_the_balance_it_held(relay, coordinator):
    _declared(relay, "1740.83")
    sheet = _sheet(relay, dt.date(2026, 3, 1), coordinator)
    mark = _mark(relay, dt.date(2026, 3, 2))
    sheet_return(sheet=sheet, by=coordinator, reason="Ce jour-là, le local était fermé.")
    sheet.refresh_from_db()
    mark.refresh_from_db()

    assert (sheet.status, sheet.indemnity, sheet.not_payable) == ("returned", D("0.00"), "")
    assert (mark.indemnity, mark.not_payable) == (D("20.00"), Reason.ANNUAL_CEILING)


def test_one_flat_rate_a_day_a_chantier_day_and_a_sheet_the_same_day(relay, coordinator):
    mark = _mark(relay, dt.date(2026, 3, 2))
    sheet = _sheet(relay, dt.date(2026, 3, 2), coordinator)
    mark.refresh_from_db()

    assert (mark.indemnity, sheet.indemnity) == (D("25.00"), D("0.00"))
    assert sheet.not_payable == Reason.OTHER_SESSION


def test_no_agreement_no_indemnity_but_the_sheet_is_kept(volunteer, coordinator):
    sheet = _sheet(volunteer, dt.date(2026, 3, 2), coordinator)

    assert (sheet.indemnity, sheet.not_payable) == (D("0.00"), Reason.NO_AGREEMENT)


def test_one_sheet_a_day(relay, coordinator):
    _sheet(relay, dt.date(2026, 3, 2), coordinator)

    with pytest.raises(ValidationError) as refused:
        _sheet(relay, dt.date(2026, 3, 2), coordinator, activity="Permanence")
    assert "déjà notée ce jour-là" in str(refused.value.message_dict["date"])


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"date": dt.date(2099, 1, 1)}, "date"),
        ({"km": 12}, "vehicle"),
        ({"hours": D("0")}, "hours"),
        ({"expense_amount": D("8.40"), "expense_description": "Tickets STIB"}, "receipt"),
    ],
)
def test_what_is_typed_is_checked_field_by_field(relay, coordinator, fields, field):
    with pytest.raises(ValidationError) as refused:
        _sheet(relay, dt.date(2026, 3, 2), coordinator, **fields)
    assert field in refused.value.message_dict
    assert not ServiceSheet.objects.exists()


def test_expenses_on_receipt_only_under_a_real_costs_agreement(relay, coordinator):
    receipt = SimpleUploadedFile("ticket.jpg", JPEG, content_type="image/jpeg")
    with pytest.raises(ValidationError) as refused:
        _sheet(
            relay,
            dt.date(2026, 3, 2),
            coordinator,
            expense_amount=D("8.40"),
            expense_description="Tickets STIB",
            receipt=receipt,
        )
    assert "couverts par le forfait" in str(refused.value.message_dict["expense_amount"])


def test_a_validated_sheet_with_expenses_becomes_the_months_real_costs(volunteer, coordinator):
    sheet = _expense_sheet(volunteer, coordinator)
    assert (sheet.indemnity, sheet.not_payable) == (D("0.00"), Reason.REAL_COSTS)

    sheet = sheet_validate(sheet=sheet, by=coordinator)

    cost = RealCost.objects.get()
    assert (cost.amount, cost.date, cost.receipt.name) == (
        D("8.40"),
        sheet.date,
        sheet.receipt.name,
    )
    assert sheet.real_cost == cost
    assert statement_prepare(participant=volunteer, month=MARCH).real_costs == D("8.40")


def test_the_months_statement_waits_for_the_sheets_then_counts_them(relay, coordinator):
    _mark(relay, dt.date(2026, 3, 2))
    sheet = _sheet(relay, dt.date(2026, 3, 5), coordinator, km=10, vehicle="car")
    statement = statement_prepare(participant=relay, month=MARCH)

    with pytest.raises(ValidationError) as refused:
        statement_validate(statement=statement, by=coordinator)
    assert "05/03" in refused.value.messages[0]

    sheet_validate(sheet=sheet, by=coordinator)
    statement = statement_validate(statement=statement, by=coordinator)

    assert statement.status == "validated"
    assert (statement.days, statement.hours, statement.amount) == (2, D("6.00"), D("50.00"))
    assert (statement.km, statement.mileage) == (10, D("4.33"))  # 0.4326 €/km by car

    with pytest.raises(ValidationError) as refused:
        _sheet(relay, dt.date(2026, 3, 6), coordinator)
    assert "déjà validé" in str(refused.value.message_dict["date"])


def test_a_sheet_sent_back_cannot_be_validated_and_an_answered_one_not_answered_again(
    relay, coordinator
):
    sheet = _sheet(relay, dt.date(2026, 3, 2), coordinator)
    with pytest.raises(ValidationError) as refused:
        sheet_return(sheet=sheet, by=coordinator, reason="  ")
    assert "reason" in refused.value.message_dict

    sheet_return(sheet=sheet, by=coordinator, reason="Les heures ne correspondent pas.")
    for answer in (
        lambda: sheet_validate(sheet=sheet, by=coordinator),
        lambda: sheet_return(sheet=sheet, by=coordinator, reason="encore"),
    ):
        with pytest.raises(ValidationError):
            answer()

    sheet.hours = D("2.50")
    sheet = sheet_submit(sheet=sheet, by=coordinator)
    assert (sheet.status, sheet.return_reason, sheet.indemnity) == ("submitted", "", D("25.00"))
    sheet = sheet_validate(sheet=sheet, by=coordinator)
    with pytest.raises(ValidationError):
        sheet_submit(sheet=sheet, by=coordinator)


def test_a_participant_who_volunteers_is_one_record_and_a_volunteer_alone_is_not_listed(
    operator, counsellor
):
    """The participants' list is the people in a pathway: a volunteer without one is not there;
    a participant who volunteers stays there, and is registered once."""
    in_pathway = ParticipantFactory(organization=operator, last_name="Parcours")
    PathwayFactory(participant=in_pathway)
    volunteer_register(
        organization=operator,
        by=counsellor,
        since=dt.date(2026, 1, 1),
        activity="Relais",
        participant=in_pathway,
    )
    alone = volunteer_register(
        organization=operator,
        by=counsellor,
        since=dt.date(2026, 1, 1),
        activity="Relais",
        first_name="Solo",
        last_name="Benevole",
        birth_date=dt.date(1960, 5, 1),
        gender="F",
        nationality_group="BE",
        income_kind="none",
    )

    listed = set(participant_list(organization=operator))
    assert in_pathway in listed
    assert alone.participant not in listed
    with pytest.raises(ValidationError):
        volunteer_register(
            organization=operator,
            by=counsellor,
            since=dt.date(2026, 1, 1),
            activity="Relais",
            participant=in_pathway,
        )


def test_a_volunteer_is_kept_while_volunteering_and_for_the_retention_period_after(
    operator, coordinator
):
    """Without a pathway, the retention clock is the end of the volunteering (5 years here),
    never the record's creation: an active volunteer is never anonymised."""
    relay = volunteer_register(
        organization=operator,
        by=coordinator,
        since=dt.date(2015, 1, 5),
        activity="Relais",
        first_name="Ancien",
        last_name="Relais",
        birth_date=dt.date(1950, 5, 1),
        gender="M",
        nationality_group="BE",
        income_kind="none",
    )
    Participant.objects.filter(pk=relay.participant_id).update(
        created_at=dt.datetime(2015, 1, 5, tzinfo=dt.UTC)
    )
    today = dt.date(2026, 12, 7)

    def due():
        return [entry.participant.pk for entry in anonymisation_due(today=today)]

    assert due() == []
    Volunteer.objects.filter(pk=relay.pk).update(ended_on=dt.date(2022, 6, 30))
    assert due() == []
    Volunteer.objects.filter(pk=relay.pk).update(ended_on=dt.date(2021, 6, 30))
    assert due() == [relay.participant_id]


def test_the_printed_statement_lists_the_sheets_with_the_marks(relay, coordinator):
    _mark(relay, dt.date(2026, 3, 2))
    sheet_validate(sheet=_sheet(relay, dt.date(2026, 3, 5), coordinator), by=coordinator)
    statement = statement_prepare(participant=relay, month=MARCH)

    (page,) = statement_pages(statements=[statement], month=MARCH)

    assert [row.day for row in page["rows"]] == [dt.date(2026, 3, 2), dt.date(2026, 3, 5)]
    assert page["rows"][1].where == "Visites à domicile"
    assert not page["stale"]  # the lines add up to the statement's figures


def test_a_real_cost_from_a_sheet_is_not_deleted_from_the_real_costs_page(volunteer, coordinator):
    """Its receipt is the sheet's: deleting it would leave the sheet without its file."""
    sheet = _expense_sheet(volunteer, coordinator)
    sheet = sheet_validate(sheet=sheet, by=coordinator)

    with pytest.raises(ValidationError) as refused:
        real_cost_delete(cost=sheet.real_cost)
    assert "fiche de prestation" in refused.value.messages[0]
    assert RealCost.objects.filter(pk=sheet.real_cost_id).exists()


def test_a_chantier_day_is_paid_by_the_chantiers_agreement_a_sheet_by_the_volunteerings(
    relay, coordinator
):
    """The same person with two agreements covering the year: the chantier's (12.50) pays the
    marks on it, the one without chantier (25.00, the ``relay`` fixture's) pays the sheets."""
    chantier = ChantierFactory(organization=relay.organization)
    _agreement(relay, chantier=chantier, daily_rate=D("12.50"), declaration="", declaration_on=None)
    mark = _mark(relay, dt.date(2026, 3, 2), chantier=chantier)
    sheet = _sheet(relay, dt.date(2026, 3, 3), coordinator)
    mark.refresh_from_db()

    assert (mark.indemnity, sheet.indemnity) == (D("12.50"), D("25.00"))


def test_a_receipt_replaced_on_a_sheet_sent_back_leaves_no_file_behind(
    volunteer, coordinator, django_capture_on_commit_callbacks
):
    sheet = _expense_sheet(volunteer, coordinator)
    first = sheet.receipt.name
    storage = sheet.receipt.storage
    sheet_return(sheet=sheet, by=coordinator, reason="Le ticket est illisible.")
    sheet.receipt = SimpleUploadedFile("nouveau.jpg", JPEG, content_type="image/jpeg")
    with django_capture_on_commit_callbacks(execute=True):
        sheet = sheet_submit(sheet=sheet, by=coordinator)

    assert sheet.receipt.name != first
    assert storage.exists(sheet.receipt.name) and not storage.exists(first)


def test_no_sheet_after_the_volunteering_ended(relay, coordinator):
    Volunteer.objects.filter(participant=relay).update(ended_on=dt.date(2026, 3, 31))
    relay.refresh_from_db()
    _sheet(relay, dt.date(2026, 3, 31), coordinator)

    with pytest.raises(ValidationError) as refused:
        _sheet(relay, dt.date(2026, 4, 1), coordinator)
    assert "pris fin le 31/03/2026" in str(refused.value.message_dict["date"])


# A paper sheet typed by the team: entered and validated by the same staff member -----------------


def _signed(person, day, by, **fields):
    values = {"date": day, "hours": D("3.00"), "activity": "Visites à domicile"}
    return sheet_enter_signed(sheet=ServiceSheet(participant=person, **(values | fields)), by=by)


def test_a_signed_paper_sheet_is_entered_and_validated_in_one_go(relay, coordinator):
    sheet = _signed(relay, dt.date(2026, 3, 2), coordinator)

    assert (sheet.status, sheet.entered_by, sheet.validated_by, sheet.indemnity) == (
        ServiceSheet.Status.VALIDATED,
        coordinator,
        coordinator,
        D("25.00"),
    )
    assert year_balances(participant_ids=[relay.pk], organization=relay.organization, year=2026)[
        relay.pk
    ].total == D("25.00")


def test_a_paper_sheet_of_a_day_not_paid_waits_for_a_validation_that_reads_why(relay, coordinator):
    IncomeSource.objects.filter(participant=relay).delete()  # the engine cannot pay the day
    sheet = _signed(relay, dt.date(2026, 3, 2), coordinator)

    assert (sheet.status, sheet.not_payable, sheet.not_payable_acknowledged) == (
        ServiceSheet.Status.SUBMITTED,
        "income_unknown",
        False,
    )
    assert sheet.validated_by is None


def test_a_paper_sheet_of_a_day_paid_elsewhere_is_validated_with_its_reason_said(
    relay, coordinator
):
    _mark(relay, dt.date(2026, 3, 2))  # a chantier day: one flat rate a day
    sheet = _signed(relay, dt.date(2026, 3, 2), coordinator)
    assert (sheet.status, sheet.not_payable) == (ServiceSheet.Status.VALIDATED, "other_session")


def test_a_paper_sheet_is_a_new_sheet(relay, coordinator):
    sheet = _sheet(relay, dt.date(2026, 3, 2), coordinator)
    with pytest.raises(ValueError):
        sheet_enter_signed(sheet=sheet, by=coordinator)


def test_a_paper_sheet_goes_into_the_months_statement(relay, coordinator, director):
    _signed(relay, dt.date(2026, 3, 2), coordinator)
    statement = statement_validate(
        statement=statement_prepare(participant=relay, month=MARCH), by=director
    )
    assert (statement.days, statement.amount) == (1, D("25.00"))


def test_a_refused_paper_sheet_leaves_no_row_and_no_file(relay, coordinator, settings):
    """Expenses under a flat-rate agreement: refused before anything is written."""
    with pytest.raises(ValidationError) as refused:
        _signed(
            relay,
            dt.date(2026, 3, 2),
            coordinator,
            expense_amount=D("8.40"),
            expense_description="Tickets STIB",
            receipt=SimpleUploadedFile("ticket.jpg", JPEG, content_type="image/jpeg"),
        )
    assert "La convention de la personne" in refused.value.message_dict["expense_amount"][0]
    assert not ServiceSheet.objects.exists()
    assert not [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]


def test_a_paper_sheet_under_real_costs_keeps_its_receipt_as_the_real_cost(volunteer, coordinator):
    sheet = _expense_sheet(volunteer, coordinator)  # submitted: a day of its own is needed
    paper = _signed(
        volunteer,
        dt.date(2026, 3, 3),
        coordinator,
        expense_amount=D("4.20"),
        expense_description="Ticket",
        receipt=SimpleUploadedFile("ticket.jpg", JPEG, content_type="image/jpeg"),
    )
    assert paper.real_cost.amount == D("4.20") and paper.real_cost.receipt.name == (
        paper.receipt.name
    )
    assert sheet.real_cost is None  # the volunteer's own sheet waits for its answer
