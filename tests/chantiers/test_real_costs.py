"""Real costs with receipts (DESIGN §4 rule 8, issue 16): accepted only under a real-costs
agreement covering the day with its paperwork done, with a receipt and a positive amount, never
tomorrow nor in a validated month, deleted only while the month is open; outside the flat-rate
ceiling; summed on the statement and paid with the flat rate and the mileage. An agreement's
scheme stays once its year is validated, and what is entered about a volunteer's year
(declarations, real costs, corrections, direction's answers) is in the audit log, without its
files.

The agreements pay 25.00 € a day unless said otherwise (tests/chantiers/indemnity_helpers.py).
"""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from chantiers import payments
from chantiers.indemnities import indemnities_recompute
from chantiers.models import (
    Attendance,
    CeilingExcess,
    ElsewhereDeclaration,
    RealCost,
    VolunteerAgreement,
)
from chantiers.services import statement_prepare
from chantiers.year_changes import (
    correction_create,
    declaration_delete,
    declaration_save,
    excess_resolve,
    real_cost_add,
    real_cost_delete,
)
from participants import services as participant_services
from tests.chantiers.helpers import D, _agreement, _mark
from tests.chantiers.indemnity_helpers import (
    APRIL,
    MARCH,
    _batch,
    _declared,
    _open_excess,
    _trip,
    _validated,
    fixture_march_validated,  # noqa: F401
    fixture_operator,  # noqa: F401
    fixture_volunteer,  # noqa: F401
)
from tests.factories import ParticipantFactory

Reason = Attendance.NotPayable


NO_REAL_COSTS = "Pas de convention au régime des frais réels couvrant ce jour."


JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


@pytest.fixture
def spender(operator):
    """No income, an IBAN, a signed agreement for 2026 under the real-costs regime."""
    person = ParticipantFactory(organization=operator, iban="BE71096123456769")
    participant_services.income_source_change(
        participant=person, kind="none", starts_on=dt.date(2024, 1, 1)
    )
    _agreement(person, scheme="real_costs", declaration="", declaration_on=None)
    return person


def _cost(person, day=dt.date(2026, 3, 10), amount="23.40", *, receipt=True):
    return RealCost(
        participant=person,
        date=day,
        amount=D(amount),
        description="Gants de travail",
        receipt=SimpleUploadedFile("ticket.jpg", JPEG) if receipt else None,
    )


def test_real_costs_are_refused_to_someone_under_the_flat_rate(volunteer, coordinator):
    with pytest.raises(ValidationError, match=NO_REAL_COSTS) as refused:
        real_cost_add(cost=_cost(volunteer), by=coordinator)
    assert list(refused.value.message_dict) == ["date"]
    assert not RealCost.objects.exists()


def test_real_costs_are_refused_outside_the_real_costs_agreement(spender, coordinator):
    VolunteerAgreement.objects.filter(participant=spender).update(ends_on=dt.date(2026, 3, 9))
    with pytest.raises(ValidationError, match=NO_REAL_COSTS):
        real_cost_add(cost=_cost(spender, dt.date(2026, 3, 10)), by=coordinator)
    assert real_cost_add(cost=_cost(spender, dt.date(2026, 3, 9)), by=coordinator).pk


@pytest.mark.parametrize(
    ("fields", "income", "label"),
    [
        ({"signed_on": None}, "none", Reason.NOT_SIGNED.label),
        ({"signed_on": dt.date(2026, 3, 11)}, "none", Reason.NOT_SIGNED.label),  # the day after
        ({"organisation_note_given_on": None}, "none", Reason.NOTE_MISSING.label),
        ({}, "unemployment", Reason.DECLARATION_MISSING.label),  # no C45B filed
    ],
)
def test_real_costs_wait_for_the_paperwork_and_say_which(
    spender, coordinator, fields, income, label
):
    VolunteerAgreement.objects.filter(participant=spender).update(**fields)
    if income != "none":
        participant_services.income_source_change(
            participant=spender, kind=income, starts_on=dt.date(2026, 1, 1)
        )
    with pytest.raises(ValidationError) as refused:
        real_cost_add(cost=_cost(spender), by=coordinator)
    assert refused.value.message_dict == {"date": [str(label)]}
    assert not RealCost.objects.exists()


def test_real_costs_with_the_declaration_their_income_requires_are_accepted(spender, coordinator):
    participant_services.income_source_change(
        participant=spender, kind="unemployment", starts_on=dt.date(2026, 1, 1)
    )
    VolunteerAgreement.objects.filter(participant=spender).update(
        declaration="c45b", declaration_on=dt.date(2026, 1, 1)
    )
    assert real_cost_add(cost=_cost(spender), by=coordinator).amount == D("23.40")


def test_real_costs_of_tomorrow_are_refused(spender, coordinator):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    VolunteerAgreement.objects.filter(participant=spender).update(ends_on=None)
    with pytest.raises(ValidationError) as refused:
        real_cost_add(cost=_cost(spender, tomorrow), by=coordinator)
    assert refused.value.message_dict == {"date": ["La date ne peut pas être dans le futur."]}
    assert not RealCost.objects.exists()


def test_real_costs_need_their_receipt_and_a_positive_amount(spender, coordinator):
    with pytest.raises(ValidationError) as refused:
        real_cost_add(cost=_cost(spender, amount="0.00", receipt=False), by=coordinator)
    assert refused.value.message_dict == {
        "amount": ["Le montant doit être positif."],
        "receipt": ["Joignez le ticket ou la facture."],
    }
    assert not RealCost.objects.exists()


def test_real_costs_in_a_validated_month_are_refused(spender, coordinator):
    _validated(spender, MARCH, coordinator)  # nothing that month, validated all the same
    with pytest.raises(ValidationError, match="Le mois de cette dépense est validé"):
        real_cost_add(cost=_cost(spender), by=coordinator)
    assert not RealCost.objects.exists()


def test_real_costs_are_kept_with_who_entered_them_and_rounded(operator, spender, coordinator):
    cost = real_cost_add(cost=_cost(spender, amount="12.345"), by=coordinator)
    cost.refresh_from_db()
    assert (cost.organization, cost.entered_by, cost.amount) == (operator, coordinator, D("12.35"))


def test_real_costs_do_not_count_against_the_flat_rate_ceiling(spender, coordinator):
    # 1 700.00 received elsewhere: 60.83 left of the flat ceiling, whatever the receipts say.
    _declared(spender, "1700.00", by=coordinator)
    before = indemnities_recompute(participant=spender, year=2026)
    real_cost_add(cost=_cost(spender, amount="500.00"), by=coordinator)
    after = indemnities_recompute(participant=spender, year=2026)
    assert (after.paid, after.validated, after.total, after.remaining) == (
        before.paid,
        before.validated,
        before.total,
        D("60.83"),
    )
    assert not after.exceeded and not CeilingExcess.objects.exists()


def test_the_statement_sums_the_months_real_costs(spender, coordinator):
    real_cost_add(cost=_cost(spender, dt.date(2026, 3, 2), "500.00"), by=coordinator)
    real_cost_add(cost=_cost(spender, dt.date(2026, 3, 31), "12.34"), by=coordinator)
    real_cost_add(cost=_cost(spender, dt.date(2026, 4, 1), "7.00"), by=coordinator)
    march = statement_prepare(participant=spender, month=MARCH)
    assert (march.amount, march.mileage, march.real_costs, march.to_pay) == (
        D("0.00"),
        D("0.00"),
        D("512.34"),
        D("512.34"),
    )
    assert statement_prepare(participant=spender, month=APRIL).real_costs == D("7.00")


def test_a_real_cost_is_deleted_while_its_month_is_open_only(spender, coordinator):
    march_cost = real_cost_add(cost=_cost(spender, dt.date(2026, 3, 10)), by=coordinator)
    april_cost = real_cost_add(cost=_cost(spender, dt.date(2026, 4, 10)), by=coordinator)
    real_cost_delete(cost=march_cost)
    _validated(spender, APRIL, coordinator)
    with pytest.raises(ValidationError, match="Le mois de cette dépense est validé"):
        real_cost_delete(cost=april_cost)
    assert list(RealCost.objects.all()) == [april_cost]


def test_the_sepa_transfer_is_the_flat_rate_the_mileage_and_the_real_costs(
    volunteer, spender, coordinator, director
):
    # Under the flat rate: 25.00 and 100 km by car (43.26). Under real costs: 23.40 + 10.00.
    _trip(volunteer, dt.date(2026, 3, 2), coordinator, km=100)
    real_cost_add(cost=_cost(spender, dt.date(2026, 3, 10), "23.40"), by=coordinator)
    real_cost_add(cost=_cost(spender, dt.date(2026, 3, 11), "10.00"), by=coordinator)
    flat, real = _validated(volunteer, MARCH, coordinator), _validated(spender, MARCH, coordinator)
    batch = _batch([flat, real], director)
    transfers = {t.statement: t.amount for t in payments.batch_transfers(batch=batch)}
    assert transfers == {flat: D("68.26"), real: D("33.40")}
    assert all(amount == s.amount + s.mileage + s.real_costs for s, amount in transfers.items())
    assert batch.total == D("101.66")


# The review of issue 16: each fix at its edge -----------------------------------------------------


@pytest.mark.parametrize(("validated", "refused"), [(True, True), (False, False)])
def test_the_scheme_of_an_agreement_whose_year_is_validated_stays(
    volunteer, coordinator, validated, refused
):
    from chantiers.forms import AgreementForm

    agreement = VolunteerAgreement.objects.get(participant=volunteer)
    _mark(volunteer, dt.date(2026, 3, 2))
    if validated:
        _validated(volunteer, MARCH, coordinator)
    else:
        statement_prepare(participant=volunteer, month=MARCH)  # a draft only
    data = {
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
        "scheme": "real_costs",
        "daily_rate": "25.00",
        "signed_on": "2026-01-01",
        "organisation_note_given_on": "2026-01-01",
        "insurance_policy": "",
        "declaration": "",
        "declaration_on": "",
    }
    form = AgreementForm(data, instance=agreement)
    if refused:
        assert not form.is_valid()
        assert "nouvelle convention" in " ".join(form.errors["scheme"])
    else:
        assert form.is_valid(), form.errors
        assert form.cleaned_data["scheme"] == "real_costs"


def test_declarations_real_costs_corrections_and_answers_are_in_the_audit_log(
    volunteer, spender, coordinator, director, march_validated
):
    from auditlog.models import LogEntry

    def entries(instance, pk=None):
        return LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(type(instance)),
            object_pk=str(pk or instance.pk),
        )

    declaration = ElsewhereDeclaration(
        participant=volunteer,
        year=2026,
        amount=D("1710.84"),
        declared_on=dt.date(2026, 4, 2),
        source="ASBL Voisine",
        proof_file=SimpleUploadedFile("attestation.jpg", JPEG),
    )
    declaration_save(declaration=declaration, by=coordinator)
    assert declaration.proof_file  # the file was kept…
    excess = _open_excess(volunteer)
    excess_resolve(excess=excess, outcome="taxable", by=director, told_on=dt.date(2026, 4, 3))
    cost = real_cost_add(cost=_cost(spender), by=coordinator)
    correction = correction_create(
        statement=march_validated, amount=D("-10.00"), km=0, reason="Erreur", by=coordinator
    )
    created = [entries(declaration), entries(cost), entries(correction)]
    for rows in created:
        assert rows.filter(action=LogEntry.Action.CREATE).count() == 1
    assert "proof_file" not in created[0].get().changes_dict  # …not its trace in the log
    assert "receipt" not in created[1].get().changes_dict
    answered = entries(excess).get(action=LogEntry.Action.UPDATE)
    assert answered.changes_dict["outcome"] == ["", "taxable"]
    pks = [declaration.pk, cost.pk, correction.pk]
    declaration_delete(declaration=declaration)
    real_cost_delete(cost=cost)
    correction.delete()
    for instance, pk in zip((declaration, cost, correction), pks, strict=True):
        deleted = entries(instance, pk).get(action=LogEntry.Action.DELETE)
        assert not {"proof_file", "receipt"} & set(deleted.changes_dict)
