"""The participant import of DESIGN §6: CSV (; or ,; UTF-8 with or without BOM, or Windows-1252)
or XLSX, one row per participant and pathway; all or nothing; every bad row reported with its
line, column and reason; a person already known (or repeated in the file) is not created twice.

The same function serves ``manage.py import_participants`` and the upload page.
"""

import csv
import datetime as dt
import hashlib
import io
import json
import zipfile
from collections import defaultdict
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.dates import add_months
from accounts.models import Organization, User
from accounts.text import control_character, validate_single_line
from participants.models import (
    EducationLevel,
    ExitOutcome,
    FollowUp,
    Gender,
    ImportBatch,
    IncomeKind,
    IncomeSource,
    NationalityGroup,
    Participant,
    Pathway,
    PathwayTransition,
    Programme,
    normalize,
)
from participants.validators import clean_typed_national_number, national_number_birth_date

COLUMNS = [
    "last_name",
    "first_name",
    "birth_date",
    "gender",
    "national_number",
    "email",
    "phone",
    "postcode",
    "education_level",
    "nationality_group",
    "jobseeker_since",
    "income_source",
    "programme",
    "pathway_started_on",
    "pathway_ended_on",
    "exit_outcome",
]
REQUIRED = [
    "last_name",
    "first_name",
    "birth_date",
    "gender",
    "nationality_group",
    "programme",
    "pathway_started_on",
]
MAX_ROWS = 20_000
# Blank lines are skipped but counted: past this many lines (header excluded) the file is
# refused, so that a sheet whose last cell sits a million rows down is not walked to the end.
MAX_LINES = MAX_ROWS + 5_000
# Cells right of these are not read (a sheet may declare 16,384 columns): a header wider than the
# known columns names one twice or a wrong one within them, which is reported.
MAX_COLUMNS = len(COLUMNS) + 10
MAX_BYTES = 5 * 1024 * 1024
BATCH = 1000


class ImportFileError(Exception):
    """The file as a whole cannot be read (format, encoding, header)."""


@dataclass
class RowError:
    line: int
    column: str
    message: str


@dataclass
class ImportReport:
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    participants_created: int = 0
    participants_known: list[tuple[int, str]] = field(default_factory=list)
    pathways_created: int = 0
    pathways_skipped: list[tuple[int, str]] = field(default_factory=list)
    preview: list[dict] = field(default_factory=list)
    batch: ImportBatch | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def plan(self) -> str:
        """What the import does, in short: the preview shown must be what the confirmation does."""
        summary = [
            self.participants_created,
            self.pathways_created,
            [line for line, _message in self.participants_known],
            [line for line, _message in self.pathways_skipped],
        ]
        return hashlib.sha256(json.dumps(summary).encode()).hexdigest()


@dataclass
class Row:
    line: int
    values: dict
    person_key: tuple = ()
    participant: Participant | None = None
    existing: bool = False


# Reading ---------------------------------------------------------------------------------------


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(_("Le fichier n'est ni en UTF-8 ni en Windows-1252."))


def _cell(value) -> object:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if value is None:
        return ""
    return value if isinstance(value, dt.date | int) else str(value).strip()


def _lines(content: bytes, filename: str) -> Iterator[list]:
    """The file's lines one at a time, never all of them in memory: a file of a few megabytes
    can hold millions of short lines, and the row limit must stop the reading, not follow it."""
    if filename.lower().endswith(".xlsx") or content[:2] == b"PK":
        import openpyxl

        try:
            book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError):
            raise ImportFileError(_("Ce fichier XLSX est illisible.")) from None
        try:
            for row in book.worksheets[0].iter_rows(max_col=MAX_COLUMNS, values_only=True):
                yield [_cell(v) for v in row]
        finally:
            book.close()
    else:
        text = _decode(content)
        end_of_first = text.find("\n")
        first = text if end_of_first < 0 else text[:end_of_first]
        delimiter = ";" if first.count(";") >= first.count(",") else ","
        try:
            for row in csv.reader(io.StringIO(text), delimiter=delimiter):
                yield [_cell(v) for v in row]
        except csv.Error as error:
            raise ImportFileError(
                _("Ce fichier CSV est illisible : %(error)s.") % {"error": error}
            ) from None


def read_table(content: bytes, filename: str) -> tuple[list[str], list[tuple[int, dict]]]:
    """The header and the non-empty rows, each with its line number in the file. At most
    MAX_ROWS rows, in at most MAX_LINES lines: blank ones are skipped, not read for free."""
    if not content:
        raise ImportFileError(_("Le fichier est vide."))
    if len(content) > MAX_BYTES:
        raise ImportFileError(_("Le fichier dépasse 5 Mo : découpez-le."))
    with closing(_lines(content, filename)) as lines:
        first = next(lines, None)
        if first is None:
            raise ImportFileError(_("Le fichier est vide."))
        header = _header(first)
        rows = []
        for number, values in enumerate(lines, start=2):
            if number > MAX_LINES + 1:
                raise ImportFileError(
                    _(
                        "Le fichier compte plus de %(max)s lignes, lignes vides comprises : "
                        "supprimez les lignes vides (en fin de feuille aussi) ou découpez-le."
                    )
                    % {"max": MAX_LINES}
                )
            if not any(v not in ("", None) for v in values):
                continue
            if len(rows) == MAX_ROWS:  # one row too many: the rest is not even read
                raise ImportFileError(
                    _("Le fichier compte plus de %(max)s lignes : au plus %(max)s par import.")
                    % {"max": MAX_ROWS}
                )
            padded = list(values) + [""] * (len(header) - len(values))
            rows.append((number, dict(zip(header, padded, strict=False))))
    return header, rows


def _header(values: list) -> list[str]:
    header = [str(name).strip().lower() for name in values]
    while header and not header[-1]:
        header.pop()
    unknown = [name for name in header if name not in COLUMNS]
    if unknown:
        raise ImportFileError(
            _("Colonnes inconnues : %(columns)s. Colonnes acceptées : %(accepted)s.")
            % {"columns": ", ".join(unknown), "accepted": ", ".join(COLUMNS)}
        )
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise ImportFileError(
            _("Colonnes obligatoires absentes : %(columns)s.") % {"columns": ", ".join(missing)}
        )
    repeated = {name for name in header if header.count(name) > 1}
    if repeated:
        raise ImportFileError(
            _("Colonnes en double : %(columns)s.") % {"columns": ", ".join(sorted(repeated))}
        )
    return header


# Checking --------------------------------------------------------------------------------------


def _date(value, *, future_ok: bool = False) -> dt.date | None:
    if value in ("", None):
        return None
    if isinstance(value, dt.date):
        day = value
    else:
        for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
            try:
                day = dt.datetime.strptime(str(value), fmt).date()
                break
            except ValueError:
                continue
        else:
            raise ValueError(
                _("date illisible « %(value)s » (jj/mm/aaaa ou aaaa-mm-jj)") % {"value": value}
            )
    if day.year < 1900:
        raise ValueError(_("date improbable « %(value)s »") % {"value": value})
    if not future_ok and day > timezone.localdate():
        raise ValueError(_("date future « %(value)s »") % {"value": day.strftime("%d/%m/%Y")})
    return day


def _choice(value, choices, *, label: str) -> str:
    text = str(value).strip()
    by_code = {code.lower(): code for code in choices}
    if text.lower() in by_code:
        return by_code[text.lower()]
    raise ValueError(
        _("« %(value)s » n'est pas un code %(label)s (%(codes)s)")
        % {"value": text, "label": label, "codes": ", ".join(choices)}
    )


def _text(value, limit: int) -> str:
    text = str(value).strip()
    if len(text) > limit:
        raise ValueError(_("trop long (%(limit)s caractères au plus)") % {"limit": limit})
    return text


def _phone(value) -> str:
    if isinstance(value, int):  # a spreadsheet dropped the leading 0 of 0470 12 34 56
        value = f"0{value}" if len(str(value)) in (8, 9) else str(value)
    return _text(value, 30)


def _national_number(value) -> str:
    if isinstance(value, int):  # a spreadsheet dropped the leading 0 of a 2000s birth
        value = f"{value:011d}"
    return clean_typed_national_number(str(value))


def _email(value) -> str:
    text = _text(value, 254)  # the column's size; Django's validator alone allows 320
    validate_email(text)
    return text


def _check_row(line: int, raw: dict, programmes: dict, report: ImportReport) -> dict | None:
    values, errors = {}, []

    def take(column, parse, *, required=False):
        value = raw.get(column, "")
        if value in ("", None):
            if required:
                errors.append(RowError(line, column, _("obligatoire")))
            return None
        try:
            validate_single_line(value)  # the rule of every way in (accounts.text)
            return parse(value)
        except ValidationError as error:
            errors.append(RowError(line, column, " ".join(error.messages)))
        except ValueError as error:
            errors.append(RowError(line, column, str(error)))
        return None

    values["last_name"] = take("last_name", lambda v: _text(v, 100), required=True)
    values["first_name"] = take("first_name", lambda v: _text(v, 100), required=True)
    values["birth_date"] = take("birth_date", _date, required=True)
    values["gender"] = take(
        "gender", lambda v: _choice(v, Gender.values, label=_("de genre")), required=True
    )
    values["national_number"] = take("national_number", _national_number) or ""
    values["email"] = take("email", _email)
    values["phone"] = take("phone", _phone) or ""
    values["postcode"] = take("postcode", lambda v: _text(v, 10)) or ""
    values["education_level"] = (
        take(
            "education_level",
            lambda v: _choice(v, EducationLevel.values, label=_("de niveau de diplôme")),
        )
        or EducationLevel.UNKNOWN
    )
    values["nationality_group"] = take(
        "nationality_group",
        lambda v: _choice(v, NationalityGroup.values, label=_("de nationalité")),
        required=True,
    )
    values["jobseeker_since"] = take("jobseeker_since", _date)
    values["income_source"] = take(
        "income_source", lambda v: _choice(v, IncomeKind.values, label=_("de revenus"))
    )

    def programme(value):
        code = str(value).strip().lower()
        if code not in programmes:
            raise ValueError(
                _("programme « %(code)s » inconnu (%(codes)s)")
                % {"code": value, "codes": ", ".join(sorted(programmes)) or "—"}
            )
        return programmes[code]

    values["programme"] = take("programme", programme, required=True)
    values["started_on"] = take("pathway_started_on", _date, required=True)
    values["ended_on"] = take("pathway_ended_on", _date)
    values["exit_outcome"] = take(
        "exit_outcome", lambda v: _choice(v, ExitOutcome.values, label=_("de sortie"))
    )

    number, birth = values["national_number"], values["birth_date"]
    if number and birth and national_number_birth_date(number) not in (None, birth):
        errors.append(RowError(line, "national_number", _("ne correspond pas à birth_date")))
    start, end = values["started_on"], values["ended_on"]
    if start and end and end < start:
        errors.append(RowError(line, "pathway_ended_on", _("précède pathway_started_on")))
    if end and not values["exit_outcome"] and "exit_outcome" not in {e.column for e in errors}:
        errors.append(RowError(line, "exit_outcome", _("obligatoire quand le parcours est fini")))
    if values["exit_outcome"] and not end and "pathway_ended_on" not in {e.column for e in errors}:
        errors.append(RowError(line, "pathway_ended_on", _("obligatoire avec exit_outcome")))
    report.errors.extend(errors)
    return None if errors else values


def _person_key(values: dict) -> tuple:
    return (
        normalize(values["last_name"]),
        normalize(values["first_name"]),
        values["birth_date"],
    )


def _group_people(rows: list[Row], report: ImportReport) -> list[Row]:
    """Rows of one person (same name and birth date) are grouped; a national number given to two
    identities, or two numbers for one identity, is an error."""
    first_by_number: dict[str, tuple[int, tuple]] = {}
    first_by_name: dict[tuple, tuple[int, str]] = {}
    grouped = []
    for row in rows:
        number, name = row.values["national_number"], _person_key(row.values)
        if number and number in first_by_number and first_by_number[number][1] != name:
            report.errors.append(
                RowError(
                    row.line,
                    "national_number",
                    _("même numéro qu'à la ligne %(line)s pour une autre personne")
                    % {"line": first_by_number[number][0]},
                )
            )
            continue
        if number and first_by_name.get(name, (0, ""))[1] not in ("", number):
            report.errors.append(
                RowError(
                    row.line,
                    "national_number",
                    _("même nom et même naissance qu'à la ligne %(line)s, autre numéro")
                    % {"line": first_by_name[name][0]},
                )
            )
            continue
        if number:
            first_by_number.setdefault(number, (row.line, name))
        if name not in first_by_name or (number and not first_by_name[name][1]):
            first_by_name[name] = (row.line, number)
        row.person_key = name
        grouped.append(row)
    return grouped


def _match_existing(organization, rows: list[Row], report: ImportReport) -> None:
    """Link rows to participants already in the database (same number, or same name and birth)."""
    numbers = {r.values["national_number"] for r in rows if r.values["national_number"]}
    births = {r.values["birth_date"] for r in rows}
    known = Participant.objects.filter(organization=organization)
    by_number = {
        p.national_number: p
        for p in known.filter(national_number__in=numbers).only(
            "pk", "first_name", "last_name", "birth_date", "national_number", "counsellor_id"
        )
    }
    by_name = {}
    for person in known.filter(birth_date__in=births).only(
        "pk", "first_name", "last_name", "birth_date", "national_number", "counsellor_id"
    ):
        by_name.setdefault(
            (normalize(person.last_name), normalize(person.first_name), person.birth_date), person
        )
    for row in rows:
        number = row.values["national_number"]
        person = by_number.get(number) if number else None
        person = person or by_name.get(_person_key(row.values))
        if person is None:
            continue
        if number and person.national_number not in ("", number):
            report.errors.append(
                RowError(
                    row.line,
                    "national_number",
                    _("la fiche n° %(pk)s a le même nom et la même naissance, mais un autre numéro")
                    % {"pk": person.pk},
                )
            )
            continue
        row.participant, row.existing = person, True
        report.participants_known.append(
            (
                row.line,
                _("%(name)s a déjà une fiche (n° %(pk)s) : elle n'est pas créée une seconde fois.")
                % {"name": person, "pk": person.pk},
            )
        )


def _check_pathways(rows: list[Row], report: ImportReport) -> list[Row]:
    """Which rows create a pathway: not one already there nor one a line above already gives
    (same person, programme and start), never two open in one programme."""
    participants = [r.participant.pk for r in rows if r.existing]
    existing = defaultdict(list)
    for pathway in Pathway.objects.filter(participant__in=participants).only(
        "participant_id", "programme_id", "started_on", "ended_on"
    ):
        existing[pathway.participant_id].append(pathway)
    kept, open_in_file, in_file = [], {}, {}
    for row in rows:
        programme, start = row.values["programme"], row.values["started_on"]
        is_open = row.values["ended_on"] is None
        same = (row.person_key, programme.pk, start)
        if same in in_file:  # a line copied twice: one pathway, the copy said
            report.pathways_skipped.append(
                (
                    row.line,
                    _(
                        "même personne, même programme et même début qu'à la ligne %(line)s : "
                        "ligne en double, ignorée"
                    )
                    % {"line": in_file[same]},
                )
            )
            continue
        in_file[same] = row.line
        known = existing.get(row.participant.pk, []) if row.existing else []
        if any(p.programme_id == programme.pk and p.started_on == start for p in known):
            report.pathways_skipped.append(
                (row.line, _("ce parcours existe déjà (même programme, même début) : ignoré"))
            )
            continue
        if is_open and any(p.programme_id == programme.pk and p.ended_on is None for p in known):
            report.errors.append(
                RowError(row.line, "programme", _("un parcours est déjà ouvert dans ce programme"))
            )
            continue
        key = (row.person_key, programme.pk)
        if is_open and key in open_in_file:
            report.errors.append(
                RowError(
                    row.line,
                    "pathway_ended_on",
                    _("deux parcours ouverts dans ce programme (voir la ligne %(line)s)")
                    % {"line": open_in_file[key]},
                )
            )
            continue
        if is_open:
            open_in_file[key] = row.line
        kept.append(row)
    return kept


# Writing ---------------------------------------------------------------------------------------


class _Rollback(Exception):
    pass


def participants_import(
    *,
    organization: Organization,
    content: bytes,
    filename: str,
    by: User | None = None,
    dry_run: bool = False,
    expected_plan: str | None = None,
) -> ImportReport:
    """Check the whole file, then write all of it or nothing. ``dry_run`` writes nothing.

    With ``expected_plan`` (the plan of the preview), nothing is written if the import would do
    something else than what was shown, because the data changed in between.
    """
    report = ImportReport()
    if control_character(filename):  # it is kept with the batch and in the pathways' log
        raise ImportFileError(
            _("Le nom du fichier contient un caractère de contrôle invisible : renommez-le.")
        )
    _header, table = read_table(content, filename)
    report.rows = len(table)
    try:
        with transaction.atomic():
            if not dry_run:
                # One import at a time per organization: the duplicate checks below then see
                # everything a concurrent import wrote.
                Organization.objects.select_for_update().get(pk=organization.pk)
            _check_and_write(organization, by, filename, content, table, report)
            if report.errors:
                raise _Rollback
            if expected_plan is not None and report.plan != expected_plan:
                report.errors.append(
                    RowError(
                        0,
                        "",
                        _(
                            "Les fiches ont changé depuis la vérification : vérifiez le fichier à "
                            "nouveau avant de confirmer."
                        ),
                    )
                )
                raise _Rollback
            if dry_run:
                raise _Rollback
    except _Rollback:
        report.batch = None
    return report


def _check_and_write(organization, by, filename, content, table, report) -> None:
    programmes = {p.code.lower(): p for p in Programme.objects.filter(organization=organization)}
    rows = []
    for line, raw in table:
        values = _check_row(line, raw, programmes, report)
        if values is not None:
            rows.append(Row(line=line, values=values))
    rows = _group_people(rows, report)
    _match_existing(organization, rows, report)
    pathway_rows = _check_pathways(rows, report)
    report.errors.sort(
        key=lambda e: (e.line, COLUMNS.index(e.column) if e.column in COLUMNS else 0)
    )
    report.preview = [_preview(row) for row in rows[:50]]
    if not report.errors:
        _write(organization, by, filename, content, rows, pathway_rows, report)


def _preview(row: Row) -> dict:
    values = row.values
    return {
        "line": row.line,
        "name": f"{values['last_name'].upper()} {values['first_name']}",
        "birth_date": values["birth_date"],
        "programme": values["programme"].name,
        "started_on": values["started_on"],
        "ended_on": values["ended_on"],
        "exit_outcome": ExitOutcome(values["exit_outcome"]).label if values["exit_outcome"] else "",
        "existing": row.existing,
    }


def _write(organization, by, filename, content, rows, pathway_rows, report) -> None:
    batch = ImportBatch.objects.create(
        organization=organization,
        by=by,
        filename=filename[:255],
        sha256=hashlib.sha256(content).hexdigest(),
        rows=report.rows,
        participants_created=0,
        pathways_created=0,
    )
    new_people: dict[tuple, Participant] = {}
    first_start: dict[tuple, dt.date] = {}
    income: dict[tuple, str] = {}
    for row in rows:
        if row.existing:
            continue
        values, key = row.values, row.person_key
        first_start[key] = min(first_start.get(key, values["started_on"]), values["started_on"])
        if values["income_source"]:
            income.setdefault(key, values["income_source"])
        if key in new_people:
            row.participant = new_people[key]
            if values["national_number"] and not row.participant.national_number:
                row.participant.national_number = values["national_number"]  # a later row says
                row.participant.prepare()
            continue
        person = Participant(
            organization=organization,
            import_batch=batch,
            last_name=values["last_name"],
            first_name=values["first_name"],
            birth_date=values["birth_date"],
            gender=values["gender"],
            national_number=values["national_number"],
            email=values["email"] or "",
            phone=values["phone"],
            postcode=values["postcode"],
            education_level=values["education_level"],
            nationality_group=values["nationality_group"],
            jobseeker_since=values["jobseeker_since"],
        )
        person.prepare()
        new_people[key] = row.participant = person
    Participant.objects.bulk_create(new_people.values(), batch_size=BATCH)
    for row in rows:  # rows of a person repeated in the file now point to the saved object
        if not row.existing:
            row.participant = new_people[row.person_key]
    IncomeSource.objects.bulk_create(
        [
            IncomeSource(participant=new_people[key], kind=kind, starts_on=first_start[key])
            for key, kind in income.items()
        ],
        batch_size=BATCH,
    )
    pathways = [
        Pathway(
            participant=row.participant,
            programme=row.values["programme"],
            started_on=row.values["started_on"],
            ended_on=row.values["ended_on"],
            exit_outcome=row.values["exit_outcome"] or "",
            counsellor_id=row.participant.counsellor_id if row.existing else None,
        )
        for row in pathway_rows
    ]
    Pathway.objects.bulk_create(pathways, batch_size=BATCH)
    note = _("Import du fichier %(file)s") % {"file": filename}
    transitions, follow_ups = [], []
    for pathway in pathways:
        transitions.append(
            PathwayTransition(
                pathway=pathway,
                kind=PathwayTransition.Kind.START,
                by=by,
                to_phase=pathway.phase,
                note=note,
            )
        )
        if pathway.ended_on:
            transitions.append(
                PathwayTransition(
                    pathway=pathway,
                    kind=PathwayTransition.Kind.CLOSE,
                    by=by,
                    from_phase=pathway.phase,
                    exit_outcome=pathway.exit_outcome,
                    note=note,
                )
            )
            follow_ups += [
                FollowUp(pathway=pathway, months=m, due_on=add_months(pathway.ended_on, m))
                for m in FollowUp.MONTHS
            ]
    PathwayTransition.objects.bulk_create(transitions, batch_size=BATCH)
    FollowUp.objects.bulk_create(follow_ups, batch_size=BATCH)
    report.participants_created = len(new_people)
    report.pathways_created = len(pathways)
    batch.participants_created = report.participants_created
    batch.pathways_created = report.pathways_created
    batch.save(update_fields=["participants_created", "pathways_created"])
    report.batch = batch
