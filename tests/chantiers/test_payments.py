"""Payment batches: the SEPA file, the CSV, no double payment, and who may do what."""

import datetime as dt
import hashlib
import re
import threading
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest
import sepaxml
import xmlschema
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLog, Role
from chantiers import payments
from chantiers.models import MonthlyStatement, PaymentBatch
from chantiers.services import statement_unlock
from tests.factories import MembershipFactory, ParticipantFactory

XSD = Path(sepaxml.__file__).parent / "schemas" / "pain.001.001.03.xsd"
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}

OPERATOR_IBAN = "BE56310253082988"
AMINA_IBAN = "BE74363081011107"
BRUNO_IBAN = "BE10063899060804"
CHLOE_IBAN = "FR1420041010050500013M02606"  # SEPA is not only Belgium
OCTOBER = dt.date(2026, 10, 1)
SEPTEMBER = dt.date(2026, 9, 1)


@pytest.fixture
def operator(operator):
    operator.iban = OPERATOR_IBAN
    operator.bic = "BBRUBEBB"
    operator.sepa_creditor_name = "Mission Locale de Test ASBL"
    operator.save()
    return operator


def _statement(organization, first, last, iban, amount, *, month=OCTOBER, days=3, **kwargs):
    person = ParticipantFactory(
        organization=organization, first_name=first, last_name=last, iban=iban
    )
    return MonthlyStatement.objects.create(
        participant=person,
        organization=organization,
        month=month,
        days=days,
        amount=Decimal(amount),
        status=kwargs.pop("status", MonthlyStatement.Status.VALIDATED),
        **kwargs,
    )


@pytest.fixture
def three(operator):
    """87.50 + 125.00 + 44.02 = 256.52, one of them in another month and another country."""
    return [
        _statement(operator, "Amina", "Aubry", AMINA_IBAN, "87.50", days=7),
        _statement(operator, "Bruno", "Bernard", BRUNO_IBAN, "125.00", days=10),
        _statement(operator, "Chloé", "Colin", CHLOE_IBAN, "44.02", month=SEPTEMBER, days=1),
    ]


@pytest.fixture
def sepa_operator(operator):
    """The operator with its bank account, as ``operator`` is in this module."""
    return operator


def _validated_statement(organization, amount="25.00"):
    person = ParticipantFactory(organization=organization, iban=AMINA_IBAN)
    return MonthlyStatement.objects.create(
        participant=person,
        organization=organization,
        month=dt.date(2026, 10, 1),
        days=2,
        amount=Decimal(amount),
        status=MonthlyStatement.Status.VALIDATED,
    )


def _tomorrow():
    return timezone.localdate() + dt.timedelta(days=1)


def _create(operator, statements, by, **kwargs):
    return payments.batch_create(
        organization=operator,
        statement_ids=[s.pk for s in statements],
        execution_date=kwargs.pop("execution_date", _tomorrow()),
        by=by,
    )


class TestTheSepaFile:
    def test_it_validates_against_the_pain_001_001_03_schema(self, operator, three, director):
        batch = _create(operator, three, director)
        xmlschema.XMLSchema(XSD).validate(bytes(batch.sepa_xml).decode())

    def test_its_control_sums_are_the_hand_sum_of_the_statements(self, operator, three, director):
        # A date to come, whatever the day the test runs: a date in the past is refused.
        execution_date = timezone.localdate() + dt.timedelta(days=3)
        batch = _create(operator, three, director, execution_date=execution_date)
        assert (batch.total, batch.count) == (Decimal("256.52"), 3)
        root = ET.fromstring(bytes(batch.sepa_xml))
        header = root.find("p:CstmrCdtTrfInitn/p:GrpHdr", NS)
        assert header.findtext("p:NbOfTxs", namespaces=NS) == "3"
        assert header.findtext("p:CtrlSum", namespaces=NS) == "256.52"
        assert header.findtext("p:MsgId", namespaces=NS) == batch.reference
        info = root.find("p:CstmrCdtTrfInitn/p:PmtInf", NS)
        assert info.findtext("p:NbOfTxs", namespaces=NS) == "3"
        assert info.findtext("p:CtrlSum", namespaces=NS) == "256.52"
        assert info.findtext("p:ReqdExctnDt", namespaces=NS) == execution_date.isoformat()
        assert info.findtext("p:Dbtr/p:Nm", namespaces=NS) == "Mission Locale de Test ASBL"
        assert info.findtext("p:DbtrAcct/p:Id/p:IBAN", namespaces=NS) == OPERATOR_IBAN
        assert info.findtext("p:DbtrAgt/p:FinInstnId/p:BIC", namespaces=NS) == "BBRUBEBB"
        transfers = {
            tx.findtext("p:PmtId/p:EndToEndId", namespaces=NS): (
                tx.findtext("p:Cdtr/p:Nm", namespaces=NS),
                tx.findtext("p:CdtrAcct/p:Id/p:IBAN", namespaces=NS),
                tx.findtext("p:Amt/p:InstdAmt", namespaces=NS),
                tx.find("p:Amt/p:InstdAmt", NS).get("Ccy"),
                tx.findtext("p:RmtInf/p:Ustrd", namespaces=NS),
            )
            for tx in info.iterfind("p:CdtTrfTxInf", NS)
        }
        amina, bruno, chloe = three
        assert transfers == {
            f"FICHE-2026-10-{amina.pk:06d}": (
                "Amina Aubry",
                AMINA_IBAN,
                "87.50",
                "EUR",
                "Defraiement benevole 10/2026",
            ),
            f"FICHE-2026-10-{bruno.pk:06d}": (
                "Bruno Bernard",
                BRUNO_IBAN,
                "125.00",
                "EUR",
                "Defraiement benevole 10/2026",
            ),
            f"FICHE-2026-09-{chloe.pk:06d}": (
                "Chloe Colin",  # the basic Latin set every bank accepts
                CHLOE_IBAN,
                "44.02",
                "EUR",
                "Defraiement benevole 09/2026",
            ),
        }

    def test_it_is_stored_once_with_its_fingerprint(self, operator, three, director):
        batch = _create(operator, three, director)
        batch.refresh_from_db()
        assert batch.reference.startswith(f"DEF-{timezone.localdate():%Y-%m}-")
        assert hashlib.sha256(bytes(batch.sepa_xml)).hexdigest() == batch.sepa_sha256
        assert set(MonthlyStatement.objects.filter(batch=batch)) == set(three)
        assert all(s.status == "validated" for s in MonthlyStatement.objects.filter(batch=batch))


class TestCandidates:
    def test_only_validated_unpaid_statements_with_an_amount_are_candidates(
        self, operator, other_operator, three
    ):
        _statement(operator, "Denis", "Draft", BRUNO_IBAN, "20.00", status="draft")
        _statement(operator, "Zoé", "Zero", BRUNO_IBAN, "0.00")
        _statement(other_operator, "Oscar", "Other", BRUNO_IBAN, "30.00")
        candidates = payments.batch_candidates(organization=operator)
        # By month, then by name.
        assert candidates.payable == [three[2], three[0], three[1]]
        assert candidates.without_iban == []
        assert candidates.total == Decimal("256.52")

    def test_people_without_a_valid_iban_are_listed_with_the_reason(self, operator, three):
        blank = _statement(operator, "Nadia", "Noiban", "", "40.00")
        wrong = _statement(operator, "Walid", "Wrong", "", "12.50")
        # An IBAN typed before the form checked them (or an import): stored, but wrong.
        type(wrong.participant).objects.filter(pk=wrong.participant_id).update(
            iban="BE00123456789012"
        )
        candidates = payments.batch_candidates(organization=operator)
        assert candidates.payable == [three[2], three[0], three[1]]
        assert [(b.statement, b.reason) for b in candidates.without_iban] == [
            (blank, "Pas d'IBAN dans la fiche de la personne."),
            (wrong, "L'IBAN de la fiche de la personne n'est pas valide."),
        ]

    def test_a_statement_in_a_batch_is_no_longer_a_candidate(self, operator, three, director):
        _create(operator, three[:2], director)
        assert payments.batch_candidates(organization=operator).payable == [three[2]]


class TestNoDoublePayment:
    def test_the_same_statements_cannot_go_in_a_second_batch(self, operator, three, director):
        first = _create(operator, three, director)
        with pytest.raises(ValidationError, match="3 fiche\\(s\\) cochée\\(s\\) ne sont plus"):
            _create(operator, three, director)
        # Nor partly: one taken, one free, and nothing is created.
        extra = _statement(operator, "Eva", "Extra", BRUNO_IBAN, "10.00")
        with pytest.raises(ValidationError, match="1 fiche"):
            _create(operator, [three[0], extra], director)
        assert list(PaymentBatch.objects.all()) == [first]
        assert MonthlyStatement.objects.get(pk=extra.pk).batch is None

    def test_another_organizations_statements_are_not_available(
        self, operator, other_operator, director
    ):
        theirs = _statement(other_operator, "Oscar", "Other", BRUNO_IBAN, "30.00")
        with pytest.raises(ValidationError, match="ne sont plus à payer"):
            _create(operator, [theirs], director)

    def test_a_person_without_iban_is_refused(self, operator, three, director):
        blank = _statement(operator, "Nadia", "Noiban", "", "40.00")
        with pytest.raises(ValidationError, match="Pas d'IBAN valide pour : Nadia Noiban"):
            _create(operator, [*three, blank], director)
        assert not PaymentBatch.objects.exists()

    def test_an_execution_date_in_the_past_is_refused(self, operator, three, director):
        yesterday = timezone.localdate() - dt.timedelta(days=1)
        with pytest.raises(ValidationError, match="dans le passé"):
            _create(operator, three, director, execution_date=yesterday)
        _create(operator, three, director, execution_date=timezone.localdate())  # today is fine

    @pytest.mark.parametrize("field", ["iban", "bic", "sepa_creditor_name"])
    def test_the_operators_account_must_be_complete(self, operator, three, director, field):
        setattr(operator, field, "")
        operator.save()
        with pytest.raises(ValidationError, match="paramètres de l'organisation"):
            _create(operator, three, director)

    def test_nothing_chosen_is_refused(self, operator, director):
        with pytest.raises(ValidationError, match="au moins une fiche"):
            _create(operator, [], director)


def test_an_execution_date_years_ahead_is_refused(sepa_operator, director):
    """9999-12-31 made a batch and a stored file no bank executes, its statements held in it."""
    statement = _validated_statement(sepa_operator)
    with pytest.raises(ValidationError) as refused:
        payments.batch_create(
            organization=sepa_operator,
            statement_ids=[statement.pk],
            execution_date=dt.date(9999, 12, 31),
            by=director,
        )
    assert "execution_date" in refused.value.error_dict
    assert not PaymentBatch.objects.exists()
    # A year ahead is still fine (a bank accepts orders dated that far).
    payments.batch_create(
        organization=sepa_operator,
        statement_ids=[statement.pk],
        execution_date=timezone.localdate() + dt.timedelta(days=365),
        by=director,
    )


@pytest.mark.django_db(transaction=True)
def test_two_directors_at_once_make_one_batch(operator, three, director):
    """Two requests at the same moment: the row locks let one through, the other is refused."""
    other_director = MembershipFactory(organization=operator, role=Role.DIRECTION).user
    start = threading.Barrier(2)
    outcomes = []

    def create(by):
        try:
            start.wait()
            _create(operator, three, by)
            outcomes.append("created")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(u,)) for u in (director, other_director)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["created", "refused"]
    assert PaymentBatch.objects.count() == 1
    assert MonthlyStatement.objects.filter(batch__isnull=True).count() == 0


class TestLifeOfABatch:
    def test_mark_paid_pays_the_statements_and_they_can_no_longer_be_reopened(
        self, operator, three, director, admin
    ):
        batch = _create(operator, three, director)
        with pytest.raises(ValidationError, match="pas encore été téléchargé"):
            payments.batch_mark_paid(batch=batch, by=director)
        payments.batch_mark_exported(batch=batch, by=director)
        batch = payments.batch_mark_paid(batch=batch, by=director)
        assert (batch.status, batch.paid_by) == ("paid", director)
        assert batch.paid_at is not None
        assert {s.status for s in MonthlyStatement.objects.filter(batch=batch)} == {"paid"}
        paid_at = batch.paid_at
        assert payments.batch_mark_paid(batch=batch, by=admin).paid_at == paid_at  # 2nd click
        with pytest.raises(ValidationError, match="payée"):
            statement_unlock(statement=three[0], by=admin, reason="Erreur de présence")
        with pytest.raises(ValidationError, match="est payé"):
            payments.batch_cancel(batch=batch)

    def test_a_statement_in_a_batch_cannot_be_reopened(self, operator, three, director, admin):
        batch = _create(operator, three, director)
        with pytest.raises(ValidationError, match=f"lot de paiement {batch.reference}"):
            statement_unlock(statement=three[0], by=admin, reason="Erreur de présence")
        assert MonthlyStatement.objects.get(pk=three[0].pk).status == "validated"

    def test_exporting_twice_keeps_the_first_date(self, operator, three, director):
        batch = _create(operator, three, director)
        first = payments.batch_mark_exported(batch=batch, by=director).exported_at
        again = payments.batch_mark_exported(batch=batch, by=director)
        assert (again.status, again.exported_at) == ("exported", first)

    @pytest.mark.parametrize("exported", [False, True])
    def test_cancel_gives_the_statements_back_and_never_reuses_the_reference(
        self, operator, three, director, admin, exported
    ):
        batch = _create(operator, three, director)
        if exported:
            payments.batch_mark_exported(batch=batch, by=director)
        assert payments.batch_cancel(batch=batch) == 3
        assert not PaymentBatch.objects.filter(pk=batch.pk).exists()
        statements = MonthlyStatement.objects.filter(pk__in=[s.pk for s in three])
        assert {(s.status, s.batch_id) for s in statements} == {("validated", None)}
        again = _create(operator, three[1:], director)
        assert again.reference != batch.reference
        # Out of any batch, the administration can reopen it again.
        statement_unlock(statement=three[0], by=admin, reason="Erreur de présence")


class TestTheCsv:
    def test_it_lists_one_transfer_per_line_in_french_spreadsheet_format(
        self, operator, three, director
    ):
        batch = _create(operator, three, director)
        amina, bruno, chloe = three
        ref = batch.reference
        assert payments.batch_csv(batch=batch).decode("utf-8") == (
            "\ufeffRéférence du lot;Nom;IBAN;Mois;Jours;Montant (€);Référence du virement\r\n"
            f"{ref};Amina Aubry;{AMINA_IBAN};10/2026;7;87,50;FICHE-2026-10-{amina.pk:06d}\r\n"
            f"{ref};Bruno Bernard;{BRUNO_IBAN};10/2026;10;125,00;FICHE-2026-10-{bruno.pk:06d}\r\n"
            f"{ref};Chloé Colin;{CHLOE_IBAN};09/2026;1;44,02;FICHE-2026-09-{chloe.pk:06d}\r\n"
        )

    def test_a_name_is_never_a_formula(self, operator, director):
        evil = _statement(operator, "=HYPERLINK(1)", "-Moins", BRUNO_IBAN, "10.00")
        batch = _create(operator, [evil], director)
        line = payments.batch_csv(batch=batch).decode("utf-8").splitlines()[1]
        assert ";'=HYPERLINK(1) -Moins;" in line


def test_ibans_are_masked_but_for_the_first_and_last_groups():
    assert payments.iban_masked(AMINA_IBAN) == "BE74 •••• •••• 1107"
    assert payments.iban_masked(CHLOE_IBAN) == "FR14 •••• •••• •••• •••• •••• 606"


def test_an_account_outside_the_sepa_zone_is_listed_not_put_in_the_file(operator):
    from chantiers.payments import iban_problem
    from tests.factories import ParticipantFactory

    person = ParticipantFactory(organization=operator, iban="TR330006100519786457841326")
    assert iban_problem(person) == (
        "Compte hors de la zone SEPA : à payer autrement qu'avec ce fichier."
    )
    person.iban = "BE15068832347630"
    assert iban_problem(person) == ""


def test_the_next_business_day_skips_weekends_and_target_holidays():
    assert payments.next_business_day(dt.date(2026, 11, 20)) == dt.date(2026, 11, 23)  # Fri
    assert payments.next_business_day(dt.date(2026, 12, 24)) == dt.date(2026, 12, 28)
    assert payments.next_business_day(dt.date(2026, 4, 2)) == dt.date(2026, 4, 7)  # Easter


# Pages ---------------------------------------------------------------------------------------


def _url(name, *args):
    return reverse(f"chantiers:payment_batch_{name}", args=args)


@pytest.fixture
def batch(operator, three, director):
    return _create(operator, three, director)


# Direction does everything; the administration reads; nobody else sees payments.
PAGES = {
    "director": {"list": 200, "new": 200, "detail": 200, "csv": 200},
    "admin": {"list": 200, "new": 403, "detail": 200, "csv": 403},
    "coordinator": {"list": 403, "new": 403, "detail": 403, "csv": 403},
    "counsellor": {"list": 403, "new": 403, "detail": 403, "csv": 403},
    "partner": {"list": 403, "new": 403, "detail": 403, "csv": 403},
}


@pytest.mark.parametrize("persona", PAGES)
def test_pages_by_role(client, personas, persona, batch):
    client.force_login(personas[persona])
    expected = PAGES[persona]
    assert client.get(_url("list")).status_code == expected["list"]
    assert client.get(_url("new")).status_code == expected["new"]
    assert client.get(_url("detail", batch.pk)).status_code == expected["detail"]
    assert client.get(_url("csv", batch.pk)).status_code == expected["csv"]
    if persona != "director":
        for action in ("xml", "paid", "cancel"):
            assert client.post(_url(action, batch.pk), {"confirmed": "1"}).status_code == 403
        assert client.post(_url("new"), {"execution_date": "2099-01-01"}).status_code == 403
        assert PaymentBatch.objects.get().status == "draft"


def test_the_administration_reads_without_any_button(client, admin, batch):
    client.force_login(admin)
    page = client.get(_url("detail", batch.pk)).text
    assert "Amina AUBRY" in page
    assert _url("xml", batch.pk) not in page
    assert _url("csv", batch.pk) not in page
    assert _url("paid", batch.pk) not in page
    assert _url("new") not in client.get(_url("list")).text


def test_another_organizations_batch_answers_404(client, other_operator, batch):
    someone = MembershipFactory(organization=other_operator, role=Role.DIRECTION).user
    client.force_login(someone)
    assert client.get(_url("detail", batch.pk)).status_code == 404
    assert client.get(_url("csv", batch.pk)).status_code == 404
    for action in ("xml", "paid", "cancel"):
        assert client.post(_url(action, batch.pk), {"confirmed": "1"}).status_code == 404
    assert batch.reference not in client.get(_url("list")).text
    assert PaymentBatch.objects.get().status == "draft"


class TestTheNewBatchPage:
    def test_everything_is_checked_and_the_date_is_the_next_business_day(
        self, client, director, three, operator
    ):
        blank = _statement(operator, "Nadia", "Noiban", "", "40.00")
        client.force_login(director)
        response = client.get(_url("new"))
        page = response.text
        for statement in three:
            assert f'value="{statement.pk}" id="statement-{statement.pk}" checked' in page
        assert f'value="{blank.pk}"' not in page  # listed, not payable
        assert "Nadia NOIBAN" in page and "Pas d&#x27;IBAN dans la fiche" in page
        expected = payments.next_business_day(timezone.localdate())
        assert response.context["form"]["execution_date"].value() == expected
        assert "256,52" in page

    def test_it_creates_the_batch_of_the_checked_statements(
        self, client, director, three, operator
    ):
        client.force_login(director)
        response = client.post(
            _url("new"),
            {"statements": [three[0].pk, three[1].pk], "execution_date": _tomorrow().isoformat()},
        )
        batch = PaymentBatch.objects.get()
        assert response.url == _url("detail", batch.pk)
        assert (batch.total, batch.count, batch.created_by) == (Decimal("212.50"), 2, director)
        assert MonthlyStatement.objects.get(pk=three[2].pk).batch is None

    def test_a_bad_date_keeps_the_choices(self, client, director, three):
        client.force_login(director)
        yesterday = timezone.localdate() - dt.timedelta(days=1)
        response = client.post(
            _url("new"), {"statements": [three[1].pk], "execution_date": yesterday.isoformat()}
        )
        assert response.status_code == 200
        assert "ne peut pas être dans le passé" in response.text
        assert f'id="statement-{three[1].pk}" checked' in response.text
        assert f'id="statement-{three[0].pk}" checked' not in response.text
        assert f'value="{yesterday.isoformat()}"' in response.text
        assert not PaymentBatch.objects.exists()

    def test_a_second_click_says_what_happened(self, client, director, three):
        client.force_login(director)
        data = {"statements": [s.pk for s in three], "execution_date": _tomorrow().isoformat()}
        client.post(_url("new"), data)
        response = client.post(_url("new"), data)
        assert "ne sont plus à payer" in response.text
        assert PaymentBatch.objects.count() == 1

    def test_an_incomplete_operator_account_is_said_up_front(self, client, director, operator):
        operator.bic = ""
        operator.save()
        client.force_login(director)
        assert "le BIC" in client.get(_url("new")).text


class TestDigitsThatAreNotNumbers:
    """``"²".isdigit()`` is true but ``int("²")`` fails, thirty 9s overflow the database's
    integer: a posted value that is no id is dropped (accounts.forms_input.IdListField)."""

    @pytest.mark.parametrize("bad", ["²", "9" * 30, "9" * 19, "-1", "١٢", "1.5", "\x00"])
    def test_the_new_batch_page(self, client, director, sepa_operator, bad):
        statement = _validated_statement(sepa_operator)
        client.force_login(director)
        response = client.post(
            reverse("chantiers:payment_batch_new"),
            {
                "statements": [bad, str(statement.pk)],
                "execution_date": (timezone.localdate() + dt.timedelta(days=1)).isoformat(),
            },
        )
        assert response.status_code == 302
        assert PaymentBatch.objects.get().count == 1


class TestDownloads:
    def test_the_same_file_every_time_and_each_download_is_logged(
        self, client, director, batch, three
    ):
        client.force_login(director)
        first = client.post(_url("xml", batch.pk))
        second = client.post(_url("xml", batch.pk))
        assert first["Content-Type"] == "application/xml"
        assert f'filename="{batch.reference}.xml"' in first["Content-Disposition"]
        assert first.content == second.content
        assert hashlib.sha256(first.content).hexdigest() == batch.sepa_sha256
        batch.refresh_from_db()
        assert batch.status == "exported"
        csv_first = client.get(_url("csv", batch.pk)).content
        assert csv_first == client.get(_url("csv", batch.pk)).content
        logged = AccessLog.objects.filter(user=director, action=AccessLog.Action.EXPORT)
        assert logged.count() == 4 * 3  # two XML, two CSV, three people each
        assert {e.object_id for e in logged} == {str(s.participant_id) for s in three}

    def test_the_xml_download_is_a_post(self, client, director, batch):
        client.force_login(director)
        assert client.get(_url("xml", batch.pk)).status_code == 405

    def test_the_file_keeps_the_iban_it_was_made_with_and_the_page_says_so(
        self, client, director, batch, three
    ):
        person = three[0].participant
        person.iban = "BE59063613524126"
        person.save()
        client.force_login(director)
        response = client.get(_url("detail", batch.pk))
        assert "BE74 •••• •••• 1107" in response.text
        assert "IBAN modifié depuis la création du lot" in response.text
        assert AMINA_IBAN in payments.batch_csv(batch=batch).decode()


class TestMarkPaidAndCancelPages:
    def test_mark_paid_needs_the_confirmation(self, client, director, batch):
        client.force_login(director)
        client.post(_url("xml", batch.pk))
        client.post(_url("paid", batch.pk))
        assert PaymentBatch.objects.get().status == "exported"
        response = client.post(_url("paid", batch.pk), {"confirmed": "1"}, follow=True)
        assert PaymentBatch.objects.get().status == "paid"
        assert f"Lot {batch.reference} payé." in response.text
        assert _url("paid", batch.pk) not in response.text
        assert _url("cancel", batch.pk) not in response.text

    def test_a_draft_cannot_be_marked_paid(self, client, director, batch):
        client.force_login(director)
        response = client.post(_url("paid", batch.pk), {"confirmed": "1"}, follow=True)
        assert "pas encore été téléchargé" in response.text
        assert PaymentBatch.objects.get().status == "draft"

    def test_cancel(self, client, director, batch):
        client.force_login(director)
        response = client.post(_url("cancel", batch.pk), {"confirmed": "1"}, follow=True)
        assert f"Lot {batch.reference} annulé : 3 fiche(s)" in response.text
        assert not PaymentBatch.objects.exists()


class TestQueryCounts:
    @pytest.mark.parametrize("size", [3, 15])
    def test_the_list_costs_the_same_whatever_its_length(
        self, client, director, operator, size, django_assert_num_queries
    ):
        for n in range(size):
            statement = _statement(operator, f"P{n}", "Payé", BRUNO_IBAN, "10.00")
            _create(operator, [statement], director)
        client.force_login(director)
        # django session, user, second factor, memberships, savepoint, count, batches, release
        with django_assert_num_queries(8):
            response = client.get(_url("list"))
        assert len(response.context["page"].object_list) == size

    @pytest.mark.parametrize("size", [3, 15])
    def test_the_new_batch_page_costs_the_same_whatever_its_length(
        self, client, director, operator, size, django_assert_num_queries
    ):
        for n in range(size):
            _statement(operator, f"P{n}", "Àpayer", BRUNO_IBAN, "10.00")
            _statement(operator, f"N{n}", "Noiban", "", "10.00")
        client.force_login(director)
        # django session, user, second factor, memberships, savepoint, statements, corrections
        # to carry, open excesses, release
        with django_assert_num_queries(9):
            response = client.get(_url("new"))
        assert len(response.context["candidates"].payable) == size

    @pytest.mark.parametrize("size", [3, 15])
    def test_the_batch_page_costs_the_same_whatever_its_length(
        self, client, director, operator, size, django_assert_num_queries
    ):
        statements = [
            _statement(operator, f"P{n}", "Payé", BRUNO_IBAN, "10.00") for n in range(size)
        ]
        batch = _create(operator, statements, director)
        client.force_login(director)
        # django session, user, second factor, memberships, savepoint, batch, statements, release
        with django_assert_num_queries(8):
            response = client.get(_url("detail", batch.pk))
        assert len(response.context["transfers"]) == size


def test_the_navigation_shows_payments_to_direction_and_administration():
    from accounts.navigation import navigation_for

    def names(role):
        return [item.url_name for item in navigation_for(role)]

    assert "chantiers:payment_batch_list" in names(Role.DIRECTION)
    assert "chantiers:payment_batch_list" in names(Role.ADMIN)
    assert "chantiers:payment_batch_list" not in names(Role.COORDINATOR)
    assert "chantiers:payment_batch_list" not in names(Role.COUNSELLOR)


def test_a_control_character_already_stored_in_a_name_leaves_the_files_readable(
    client, operator, director
):
    """Stored before the text rule (accounts/text.py) or by hand: the SEPA file (XML) and the
    accountant's CSV are still made, without it."""
    statement = _statement(operator, "Am\x07ina", "Au\x1bbry\x85", AMINA_IBAN, "87.50")
    client.force_login(director)
    response = client.post(
        _url("new"), {"statements": [statement.pk], "execution_date": _tomorrow().isoformat()}
    )
    assert response.status_code == 302
    batch = PaymentBatch.objects.get()
    xml = bytes(batch.sepa_xml)
    assert re.search(rb"<Nm>[^<]*ina[^<]*bry[^<]*</Nm>", xml, re.IGNORECASE)
    assert not re.search(rb"[\x00-\x1f\x7f]", xml)
    csv = client.get(_url("csv", batch.pk))
    assert csv.status_code == 200
    assert "AUBRY" in csv.content.decode().upper()
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", csv.content.decode())
