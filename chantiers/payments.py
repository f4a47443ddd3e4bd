"""Payment batches: validated monthly statements paid together by one SEPA credit transfer file
(pain.001.001.03), with a CSV beside it for the accountant.

The life of a batch: ``batch_create`` (draft, the file is built and stored once) →
``batch_mark_exported`` (the file was downloaded for the bank) → ``batch_mark_paid`` (the bank
executed it; the statements become paid). Until it is paid, ``batch_cancel`` gives its statements
back to the next batch.

A statement is in one batch at most: the foreign key allows one, and ``batch_create`` takes only
statements that are still free, under a row lock, so two clicks or two directors at once cannot
put it in two files.
"""

import csv
import datetime as dt
import hashlib
import io
import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import holidays
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from sepaxml import SepaTransfer
from sepaxml.validation import ValidationError as SepaValidationError
from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban
from text_unidecode import unidecode

from accounts.models import Organization, User
from accounts.text import printable
from chantiers.indemnities import indemnities_recompute_many
from chantiers.models import (
    ZERO,
    CeilingExcess,
    MonthlyStatement,
    PaymentBatch,
    StatementCorrection,
)
from participants.models import Participant

SCHEMA = "pain.001.001.03"
NAMESPACE = f"urn:iso:std:iso:20022:tech:xsd:{SCHEMA}"

# The banks take transfer orders dated a year ahead at most; later is a typing mistake.
MAX_DAYS_AHEAD = 365

# IBAN country codes of the SEPA credit-transfer scheme (EU, EEA, and the countries and
# territories the EPC admitted); a transfer to another country is refused by the bank.
SEPA_COUNTRIES = frozenset(
    (  # noqa: SIM905 (codes read better as text)
        "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI "
        "SK IS LI NO CH GB MC SM VA AD GI GG JE IM"
    ).split()
)

# The characters every SEPA bank accepts (EPC "basic Latin" set); others become spaces.
_NOT_SEPA = re.compile(r"[^A-Za-z0-9/?:().,'+ -]")


def statement_reference(statement: MonthlyStatement) -> str:
    """The end-to-end id of a statement's transfer: it comes back on the bank statement, and
    finds the statement again (Max35Text, no space)."""
    return f"FICHE-{statement.month:%Y-%m}-{statement.pk:06d}"


def iban_masked(value: str) -> str:
    """``BE68 •••• •••• 7034``: enough to check it against the person's record; the full number
    is only in the file for the bank."""
    groups = stdnum_iban.format(value).split(" ")
    if len(groups) < 3:
        return "••••"
    return " ".join([groups[0], *["••••"] * (len(groups) - 2), groups[-1]])


def next_business_day(day: dt.date) -> dt.date:
    """The next day the SEPA system settles (TARGET calendar: no weekend, no TARGET holiday)."""
    closed = holidays.financial_holidays("ECB", years=[day.year, day.year + 1])
    day += dt.timedelta(days=1)
    while day.weekday() >= 5 or day in closed:
        day += dt.timedelta(days=1)
    return day


def operator_account_problems(organization: Organization) -> list[str]:
    """What is missing in the operator's account to write a SEPA file, in words."""
    problems = []
    if not organization.iban or not stdnum_iban.is_valid(organization.iban):
        problems.append(_("l'IBAN"))
    if not organization.bic or not stdnum_bic.is_valid(organization.bic):
        problems.append(_("le BIC"))
    if not organization.sepa_creditor_name.strip():
        problems.append(_("le nom du titulaire du compte"))
    return problems


def _account_error(problems: list[str]) -> ValidationError:
    return ValidationError(
        _(
            "Le compte de l'organisation est incomplet (%(missing)s) : l'administration doit le "
            "compléter dans les paramètres de l'organisation avant de créer un lot de paiement."
        )
        % {"missing": ", ".join(problems)}
    )


def _free_statements(organization: Organization) -> QuerySet[MonthlyStatement]:
    """Validated, something to pay (the flat rate, the mileage, real costs), in no batch yet."""
    return MonthlyStatement.objects.filter(
        Q(amount__gt=0) | Q(mileage__gt=0) | Q(real_costs__gt=0),
        organization=organization,
        status=MonthlyStatement.Status.VALIDATED,
        batch__isnull=True,
    )


def _with_corrections(statements: list[MonthlyStatement]) -> dict[int, str]:
    """Each statement's transfer: ``statement.transfer`` is its month plus, on the person's
    first statement here, the corrections still to pay or recover (rule 8: a later batch carries
    them; ``statement.carried`` lists them). Returns why a statement cannot be paid now, by id:
    the person's year above a ceiling (rule 7), or a negative correction larger than the
    transfer it would be taken from."""
    people = {s.participant_id for s in statements}
    pending: dict[int, list[StatementCorrection]] = {}
    for correction in (
        StatementCorrection.objects.filter(
            statement__participant__in=people, carried_by__isnull=True, settled_on__isnull=True
        )
        .select_related("statement")
        .order_by("created_at", "pk")
    ):
        pending.setdefault(correction.statement.participant_id, []).append(correction)
    exceeded = set(
        CeilingExcess.objects.filter(participant__in=people, outcome="").values_list(
            "participant", flat=True
        )
    )
    blocked, carrying = {}, set()
    for statement in sorted(statements, key=lambda s: (s.month, s.pk)):
        statement.carried = []
        if statement.participant_id not in carrying:
            carrying.add(statement.participant_id)
            statement.carried = pending.get(statement.participant_id, [])
        statement.transfer = statement.to_pay + sum((c.total for c in statement.carried), ZERO)
        if statement.participant_id in exceeded:  # rule 7: whatever the year
            blocked[statement.pk] = _(
                "Plafond annuel dépassé : la direction doit d'abord indiquer la suite donnée."
            )
        elif statement.transfer <= 0:
            blocked[statement.pk] = _(
                "Une correction négative dépasse ce qui est à payer : elle sera déduite d'un mois "
                "suivant, ou la direction enregistre son remboursement."
            )
    return blocked


def iban_problem(participant: Participant) -> str:
    """Why this person cannot be paid by transfer; empty when they can."""
    if not participant.iban:
        return _("Pas d'IBAN dans la fiche de la personne.")
    if not stdnum_iban.is_valid(participant.iban):
        return _("L'IBAN de la fiche de la personne n'est pas valide.")
    if participant.iban[:2] not in SEPA_COUNTRIES:
        return _("Compte hors de la zone SEPA : à payer autrement qu'avec ce fichier.")
    return ""


@dataclass
class Blocked:
    statement: MonthlyStatement
    reason: str


@dataclass
class Candidates:
    payable: list[MonthlyStatement]
    without_iban: list[Blocked]

    @property
    def total(self) -> Decimal:
        return sum((s.transfer for s in self.payable), Decimal("0.00"))


def batch_candidates(*, organization: Organization) -> Candidates:
    """The statements waiting for a payment, those that can be paid and those that cannot (no
    valid IBAN): the latter are shown with their reason, never silently left out."""
    statements = (
        _free_statements(organization)
        .select_related("participant")
        .order_by("month", "participant__last_name", "participant__first_name", "pk")
    )
    candidates = Candidates(payable=[], without_iban=[])
    statements = list(statements)
    blocked = _with_corrections(statements)
    for statement in statements:
        reason = blocked.get(statement.pk) or iban_problem(statement.participant)
        if reason:
            candidates.without_iban.append(Blocked(statement, reason))
        else:
            candidates.payable.append(statement)
    return candidates


def batch_create(
    *,
    organization: Organization,
    statement_ids: list[int],
    execution_date: dt.date,
    by: User,
) -> PaymentBatch:
    """One batch, one transfer per statement, and its SEPA file built and stored once. The years
    of the people chosen are recomputed first, in a transaction of their own, so that an excess
    found then (rule 7) is flagged — and kept flagged when it refuses the batch."""
    chosen = MonthlyStatement.objects.filter(pk__in=statement_ids, organization=organization)
    people = sorted(set(chosen.values_list("participant", flat=True)))
    years = set(chosen.values_list("month__year", flat=True)) | set(
        StatementCorrection.objects.filter(
            statement__participant__in=people, carried_by__isnull=True, settled_on__isnull=True
        ).values_list("statement__month__year", flat=True)
    )
    for year in sorted(years):
        indemnities_recompute_many(participant_ids=people, year=year)
    return _batch_create(
        organization=organization, statement_ids=statement_ids, execution_date=execution_date, by=by
    )


@transaction.atomic
def _batch_create(
    *,
    organization: Organization,
    statement_ids: list[int],
    execution_date: dt.date,
    by: User,
) -> PaymentBatch:
    problems = operator_account_problems(organization)
    if problems:
        raise _account_error(problems)
    if execution_date < timezone.localdate():
        raise ValidationError(
            {"execution_date": _("La date d'exécution ne peut pas être dans le passé.")}
        )
    if execution_date > timezone.localdate() + dt.timedelta(days=MAX_DAYS_AHEAD):
        raise ValidationError(
            {
                "execution_date": _(
                    "La date d'exécution est à plus d'un an : les banques refusent un ordre "
                    "daté si loin. Vérifiez l'année."
                )
            }
        )
    ids = sorted({int(pk) for pk in statement_ids})
    if not ids:
        raise ValidationError(_("Cochez au moins une fiche à payer."))
    # The common lock order (participants, then their statements), as the statement services.
    chosen = MonthlyStatement.objects.filter(pk__in=ids, organization=organization)
    list(
        Participant.objects.select_for_update()
        .filter(pk__in=chosen.values("participant"))
        .order_by("pk")
    )
    # A statement taken by another batch meanwhile no longer matches once its lock is released.
    statements = list(
        _free_statements(organization)
        .select_for_update(of=("self",))
        .filter(pk__in=ids)
        .select_related("participant")
        .order_by("participant__last_name", "participant__first_name", "month", "pk")
    )
    if len(statements) != len(ids):
        gone = len(ids) - len(statements)
        raise ValidationError(
            _(
                "%(count)s fiche(s) cochée(s) ne sont plus à payer : déjà dans un autre lot, "
                "rouvertes ou payées entre-temps. Rien n'a été créé ; vérifiez la liste et "
                "recommencez."
            )
            % {"count": gone}
        )
    refused = _with_corrections(statements)
    if refused:
        raise ValidationError(
            [
                _("%(name)s, %(month)s : %(reason)s Rien n'a été créé.")
                % {"name": s.participant, "month": f"{s.month:%m/%Y}", "reason": refused[s.pk]}
                for s in statements
                if s.pk in refused
            ]
        )
    blocked = [s for s in statements if iban_problem(s.participant)]
    if blocked:
        raise ValidationError(
            _("Pas d'IBAN valide pour : %(names)s. Rien n'a été créé.")
            % {"names": ", ".join(str(s.participant) for s in blocked)}
        )
    batch = PaymentBatch.objects.create(
        organization=organization,
        reference=uuid.uuid4().hex,  # replaced below, once the id is known
        execution_date=execution_date,
        total=sum((s.transfer for s in statements), Decimal("0.00")),
        count=len(statements),
        created_by=by,
    )
    # The id never comes back, even after a cancelled batch: a bank refuses a file whose
    # message id it has seen before, and every operator's references stay unique.
    batch.reference = f"DEF-{timezone.localdate():%Y-%m}-{batch.pk:04d}"
    batch.sepa_xml = _sepa_xml(batch=batch, statements=statements, organization=organization)
    batch.sepa_sha256 = hashlib.sha256(batch.sepa_xml).hexdigest()
    batch.save(update_fields=["reference", "sepa_xml", "sepa_sha256"])
    MonthlyStatement.objects.filter(pk__in=ids).update(batch=batch)
    for statement in statements:
        ids = [c.pk for c in statement.carried]
        taken = StatementCorrection.objects.filter(
            pk__in=ids, carried_by__isnull=True, settled_on__isnull=True
        ).update(carried_by=statement)
        if taken != len(ids):  # settled meanwhile: the transfer would pay or take it twice
            raise ValidationError(
                _("Une correction a été réglée entre-temps : rien n'a été créé, recommencez.")
            )
    return batch


def _sepa_text(value: str, length: int) -> str:
    return " ".join(_NOT_SEPA.sub(" ", unidecode(value)).split())[:length]


class _Transfer(SepaTransfer):
    """sepaxml, with the batch reference instead of its random ids: the bank shows it."""

    def __init__(self, config: dict, *, reference: str):
        self.reference = reference
        super().__init__(config, schema=SCHEMA, clean=True)

    def _create_header(self):
        self.msg_id = self.reference
        super()._create_header()

    def _finalize_batch(self):
        super()._finalize_batch()
        for node in self._xml.iter("PmtInfId"):
            node.text = self.reference


def _sepa_xml(
    *, batch: PaymentBatch, statements: list[MonthlyStatement], organization: Organization
) -> bytes:
    transfer = _Transfer(
        {
            "name": _sepa_text(organization.sepa_creditor_name, 70),
            "IBAN": stdnum_iban.compact(organization.iban),
            "BIC": stdnum_bic.compact(organization.bic),
            "batch": True,
            "currency": "EUR",
        },
        reference=batch.reference,
    )
    for statement in statements:
        cents = (statement.transfer * 100).to_integral_value(rounding=ROUND_HALF_UP)
        transfer.add_payment(
            {
                "name": _sepa_text(str(statement.participant), 70),
                "IBAN": stdnum_iban.compact(statement.participant.iban),
                "amount": int(cents),
                "execution_date": batch.execution_date,
                "description": _sepa_text(
                    _("Défraiement bénévole %(month)s") % {"month": f"{statement.month:%m/%Y}"},
                    140,
                ),
                "endtoend_id": statement_reference(statement),
            }
        )
    try:
        return transfer.export(validate=True)
    except SepaValidationError as error:
        raise ValidationError(
            _(
                "Le fichier SEPA ne respecte pas le format pain.001 : vérifiez le compte de "
                "l'organisation et les IBAN des personnes. Rien n'a été créé."
            )
        ) from error


@dataclass
class Transfer:
    """One transfer as the stored file says it, beside its statement."""

    statement: MonthlyStatement
    end_to_end_id: str
    name: str
    iban: str
    amount: Decimal

    @property
    def iban_masked(self) -> str:
        return iban_masked(self.iban)

    @property
    def iban_changed(self) -> bool:
        """The person's IBAN changed after the file was made (the file keeps the old one)."""
        return stdnum_iban.compact(self.statement.participant.iban or "") != self.iban


def batch_transfers(*, batch: PaymentBatch) -> list[Transfer]:
    """The transfers of the stored file, in its order, each with its statement. Read from the
    file, not from the records: what the bank receives is what the page and the CSV show."""
    statements = {
        statement_reference(s): s
        for s in MonthlyStatement.objects.filter(batch=batch).select_related("participant")
    }
    root = ET.fromstring(bytes(batch.sepa_xml))
    ns = {"p": NAMESPACE}
    transfers = []
    for node in root.iterfind(".//p:CdtTrfTxInf", ns):
        end_to_end_id = node.findtext("p:PmtId/p:EndToEndId", namespaces=ns)
        transfers.append(
            Transfer(
                statement=statements[end_to_end_id],
                end_to_end_id=end_to_end_id,
                name=node.findtext("p:Cdtr/p:Nm", namespaces=ns),
                iban=node.findtext("p:CdtrAcct/p:Id/p:IBAN", namespaces=ns),
                amount=Decimal(node.findtext("p:Amt/p:InstdAmt", namespaces=ns)),
            )
        )
    return transfers


def _csv_text(value: str) -> str:
    """A name typed as "=HYPERLINK(…)" stays a name: the spreadsheet must not run it. A
    control character stored before the text rule (accounts/text.py) is dropped."""
    value = printable(value)
    if value and value[0] in "=+-@\t\r":
        return "'" + value
    return value


def _decimal_comma(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


def batch_csv(*, batch: PaymentBatch) -> bytes:
    """The batch for the accountant: UTF-8 with a BOM (Excel), ``;`` and decimal commas."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [
            _("Référence du lot"),
            _("Nom"),
            _("IBAN"),
            _("Mois"),
            _("Jours"),
            _("Montant (€)"),
            _("Référence du virement"),
        ]
    )
    for transfer in batch_transfers(batch=batch):
        statement = transfer.statement
        writer.writerow(
            [
                _csv_text(batch.reference),
                _csv_text(str(statement.participant)),
                _csv_text(transfer.iban),
                f"{statement.month:%m/%Y}",
                statement.days,
                _decimal_comma(transfer.amount),
                _csv_text(transfer.end_to_end_id),
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _locked(batch: PaymentBatch) -> PaymentBatch:
    return PaymentBatch.objects.select_for_update().get(pk=batch.pk)


@transaction.atomic
def batch_mark_exported(*, batch: PaymentBatch, by: User) -> PaymentBatch:
    """The first download of the file: the batch may now be at the bank. Later downloads change
    nothing (``by`` is the person downloading; the audit log keeps the actor of the change)."""
    batch = _locked(batch)
    if batch.status == PaymentBatch.Status.DRAFT:
        # Rule 7: a year found above a ceiling after the batch was made stops it before the bank.
        exceeded = CeilingExcess.objects.filter(
            participant__statements__batch=batch, outcome=""
        ).select_related("participant")
        names = sorted({str(excess.participant) for excess in exceeded})
        if names:
            raise ValidationError(
                _(
                    "Plafond annuel dépassé pour %(names)s depuis la création de ce lot : le "
                    "fichier ne part pas à la banque. Annulez le lot et recréez-le sans ces "
                    "fiches, ou attendez la suite donnée par la direction."
                )
                % {"names": ", ".join(names)}
            )
        batch.status = PaymentBatch.Status.EXPORTED
        batch.exported_at = timezone.now()
        batch.save(update_fields=["status", "exported_at"])
    return batch


@transaction.atomic
def batch_mark_paid(*, batch: PaymentBatch, by: User) -> PaymentBatch:
    """The bank executed the file: its statements are paid, for good."""
    batch = _locked(batch)
    if batch.status == PaymentBatch.Status.PAID:
        return batch  # a second click changes nothing
    if batch.status != PaymentBatch.Status.EXPORTED:
        raise ValidationError(
            _(
                "Le fichier SEPA de ce lot n'a pas encore été téléchargé : téléchargez-le et "
                "faites-le exécuter par la banque avant de marquer le lot comme payé."
            )
        )
    MonthlyStatement.objects.filter(batch=batch).update(status=MonthlyStatement.Status.PAID)
    batch.status = PaymentBatch.Status.PAID
    batch.paid_at, batch.paid_by = timezone.now(), by
    batch.save(update_fields=["status", "paid_at", "paid_by"])
    return batch


@transaction.atomic
def batch_cancel(*, batch: PaymentBatch) -> int:
    """Undo a batch that is not paid: its statements stay validated and wait for the next batch;
    the batch itself is deleted (the audit log keeps its reference, total and who deleted it).
    Returns the number of statements given back."""
    batch = _locked(batch)
    if batch.status == PaymentBatch.Status.PAID:
        raise ValidationError(_("Ce lot est payé : il ne peut plus être annulé."))
    StatementCorrection.objects.filter(carried_by__batch=batch).update(carried_by=None)
    count = MonthlyStatement.objects.filter(batch=batch).update(batch=None)
    batch.delete()
    return count
