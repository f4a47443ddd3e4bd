"""The XLSX export of the participant list.

Minimised on purpose: no national number, IBAN or street address, and no note of any kind (so
never a restricted one); the postcode and commune of a confidential address are left blank, for
every role (participants.confidential). Enough to call, count and plan; the record itself stays
in the app.
"""

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from accounts.text import printable


def participants_xlsx(participants) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Participant·es"))
    header = [
        _("N° de fiche"),
        _("Nom"),
        _("Prénom"),
        _("Date de naissance"),
        _("Genre"),
        _("Code postal"),
        _("Commune"),
        _("Nationalité"),
        _("Niveau de diplôme"),
        _("Demandeur·euse d'emploi depuis"),
        _("Téléphone"),
        _("E-mail"),
        _("Parcours en cours"),
        _("Conseiller·ère"),
        _("Dernier contact"),
    ]
    bold = Font(bold=True)
    sheet.append([_bold(sheet, title, bold) for title in header])
    for person in participants:
        sheet.append(
            _as_text(
                sheet,
                [
                    person.pk,
                    person.last_name,
                    person.first_name,
                    person.birth_date,
                    person.get_gender_display(),
                    "" if person.address_confidential else person.postcode,
                    "" if person.address_confidential else person.commune,
                    person.get_nationality_group_display(),
                    person.get_education_level_display(),
                    person.jobseeker_since,
                    person.phone,
                    person.email,
                    "; ".join(
                        f"{p.programme} ({p.get_phase_display()})" for p in person.open_pathways
                    ),
                    person.counsellor.get_full_name() if person.counsellor else "",
                    person.last_event_on,
                ],
            )
        )
    sheet.append([])
    exported = timezone.localtime().strftime("%d/%m/%Y %H:%M")
    sheet.append([_("Exporté le %(date)s") % {"date": exported}])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _as_text(sheet, values: list) -> list:
    """A name typed as "=HYPERLINK(…)" stays a name: text cells are written as text, never
    as formulas the spreadsheet would run. A control character stored before the rule of
    ``accounts.text`` (or by hand) is dropped: openpyxl would refuse the whole file."""
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for value in values:
        if isinstance(value, str) and value:
            cell = WriteOnlyCell(sheet, value=printable(value))
            cell.data_type = "s"
            cells.append(cell)
        else:
            cells.append(value)
    return cells


def _bold(sheet, value, font):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.font = font
    return cell
