"""The subject-access export (GDPR art. 15, DESIGN §6 ``export_participant``): one ZIP with
everything the organization holds on one person — ``export.json`` (every field of every record,
for a computer), ``export.pdf`` (the same, in plain French, for the person) and the files kept
in their file under ``documents/``.

What is held is found from the models themselves, as the anonymisation finds what to erase
(``privacy.anonymisation.records_about_a_participant``): a new record about a participant is
exported without anyone remembering it. Incidents are not one person's record (they name
several people in one text) and are left out, as the anonymisation leaves them; of the staff,
only their names appear.

Two things depend on who asks, and what is left out is said, with why: restricted notes
(``PathwayEventQuerySet.visible_to``) and a confidential address
(``participants.confidential.may_see_address``).
Without an account (the command line without ``--user``) both are left out. Every export is
written in the access log.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import zipfile
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.models import AccessLog, Membership, Organization, User
from accounts.services import access_log_record, access_log_record_many
from chantiers.pdf import render_pdf
from participants.confidential import may_see_address
from participants.models import AddressReveal, Confidentiality, Participant, PathwayEvent
from privacy.anonymisation import records_about_a_participant
from privacy.models import Document

FORMAT = "chantiers-parcours/droit-d-acces/1"
DOCUMENTS = "documents"

# The sections in reading order, with their titles. A record about a participant that is not
# listed here is exported all the same, after these, under its model's name.
SECTIONS = {
    "participants.Participant": gettext_lazy("Identité et coordonnées"),
    "participants.IncomeSource": gettext_lazy("Sources de revenus"),
    "participants.Need": gettext_lazy("Besoins d'accompagnement"),
    "participants.Pathway": gettext_lazy("Parcours"),
    "participants.PathwayTransition": gettext_lazy(
        "Historique des parcours (ouvertures, phases, clôtures)"
    ),
    "participants.PathwayEvent": gettext_lazy("Entretiens et événements des parcours"),
    "participants.Goal": gettext_lazy("Objectifs"),
    "participants.FollowUp": gettext_lazy("Suivis après la sortie"),
    "participants.Training": gettext_lazy("Formations suivies"),
    "participants.Certification": gettext_lazy("Certifications obtenues"),
    "agenda.Appointment": gettext_lazy("Rendez-vous"),
    "agenda.ReminderConsent": gettext_lazy("Accord pour les rappels de rendez-vous"),
    "agenda.Reminder": gettext_lazy("Rappels de rendez-vous envoyés"),
    "workshops.ModuleEnrolment": gettext_lazy(
        "Inscriptions aux modules collectifs (ateliers, séances d'information, EPN)"
    ),
    "workshops.ModuleAttendance": gettext_lazy("Présences aux modules collectifs"),
    "partners.Referral": gettext_lazy("Orientations vers des partenaires"),
    "partners.ReferralTransition": gettext_lazy("Réponses et suites des orientations"),
    "partners.Matching": gettext_lazy("Mises en relation avec des employeurs"),
    "chantiers.Enrolment": gettext_lazy("Inscriptions aux chantiers"),
    "chantiers.Attendance": gettext_lazy("Présences aux chantiers"),
    "chantiers.OfflineMark": gettext_lazy("Présences notées sans réseau, puis reçues"),
    "chantiers.VolunteerAgreement": gettext_lazy("Conventions de bénévolat"),
    "chantiers.ElsewhereDeclaration": gettext_lazy(
        "Défraiements reçus d'autres organisations (déclarés)"
    ),
    "chantiers.MonthlyStatement": gettext_lazy("Fiches mensuelles de défraiement et paiements"),
    "chantiers.StatementCorrection": gettext_lazy("Corrections des fiches mensuelles"),
    "chantiers.StatementUnlock": gettext_lazy("Réouvertures de fiches validées"),
    "chantiers.RealCost": gettext_lazy("Dépenses remboursées sur frais réels"),
    "chantiers.CeilingExcess": gettext_lazy("Dépassements des plafonds de défraiement"),
    "volunteers.Volunteer": gettext_lazy("Bénévolat"),
    "chantiers.ServiceSheet": gettext_lazy("Fiches de prestation de bénévolat"),
    "privacy.Document": gettext_lazy("Documents conservés"),
    "participants.AddressReveal": gettext_lazy("Consultations de l'adresse confidentielle"),
    "accounts.AccessLog": gettext_lazy("Qui a consulté ces données"),
}
# Chronological where the model's own order is not (or sorts by the person's name).
ORDER_BY = {
    "chantiers.Attendance": ("session__date", "session__starts_at", "pk"),
    "chantiers.Enrolment": ("chantier__starts_on", "pk"),
    "chantiers.MonthlyStatement": ("month", "pk"),
    "chantiers.ServiceSheet": ("date", "pk"),
    "participants.Training": ("starts_on", "pk"),
    "participants.Certification": ("obtained_on", "pk"),
    "workshops.ModuleEnrolment": ("session__date", "session__starts_at", "pk"),
    "workshops.ModuleAttendance": ("session__date", "session__starts_at", "pk"),
}
# Not data about the person: a search key, a version counter, a link's secret, the key that
# makes a second sending harmless, a retry count.
TECHNICAL = {
    ("participants.Participant", "organization"),
    ("participants.Participant", "search_text"),
    ("participants.Participant", "anonymised_at"),
    ("chantiers.Attendance", "version"),
    ("workshops.ModuleAttendance", "version"),
    ("partners.Referral", "link_nonce"),
    ("chantiers.OfflineMark", "client_id"),
    ("agenda.Reminder", "attempts"),
    # Who reported a situation about the person is the relay's secret, not the person's data
    # (GDPR art. 15(4): the rights of others): "un signalement", never by whom.
    ("volunteers.Signal", "raised_by"),
    ("volunteers.Signal", "raised_by_user"),
}
ADDRESS_FIELDS = ("street", "postcode", "commune")
# French labels of the fields whose model gives none (their name is English).
FIELD_LABELS = {
    "id": gettext_lazy("n°"),
    "organization": gettext_lazy("organisation"),
    "at": gettext_lazy("date et heure"),
    "by": gettext_lazy("par"),
    "kind": gettext_lazy("type"),
    "reason": gettext_lazy("motif"),
    "pathway": gettext_lazy("parcours"),
    "statement": gettext_lazy("fiche"),
    "session": gettext_lazy("séance"),
    "referral": gettext_lazy("orientation"),
    "channel": gettext_lazy("canal"),
    "appointment": gettext_lazy("rendez-vous"),
    "from_phase": gettext_lazy("phase précédente"),
    "to_phase": gettext_lazy("nouvelle phase"),
    "from_status": gettext_lazy("état précédent"),
    "to_status": gettext_lazy("nouvel état"),
    "exit_outcome": gettext_lazy("situation à la sortie"),
    "from_organization": gettext_lazy("orientée par"),
    "sent_by": gettext_lazy("envoyée par"),
    "import_batch": gettext_lazy("importé·e du fichier"),
    "recorded_by": gettext_lazy("noté par"),
    "recorded_at": gettext_lazy("noté le"),
    "entered_by": gettext_lazy("saisi par"),
    "entered_at": gettext_lazy("saisi le"),
    "created_by": gettext_lazy("créé par"),
    "created_at": gettext_lazy("créé le"),
    "validated_by": gettext_lazy("validée par"),
    "outcome_by": gettext_lazy("suite notée par"),
    "outcome_at": gettext_lazy("suite notée le"),
    "resolved_by": gettext_lazy("suite enregistrée par"),
    "superseded_at": gettext_lazy("clos le"),
    "received_at": gettext_lazy("reçue le"),
    "enrolled_by": gettext_lazy("inscrit·e par"),
    "enrolled_at": gettext_lazy("inscrit·e le"),
    "event": gettext_lazy("événement du parcours"),
}


@dataclass(frozen=True)
class _Label:
    """How a record another one points at is named (without a query: ``related`` says what to
    fetch with it)."""

    text: object  # a function of the record
    related: tuple[str, ...] = ()


def _day(value) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _moment(value) -> str:
    return f"{timezone.localtime(value):%d/%m/%Y %H:%M}" if value else ""


LABELS = {
    "participants.Pathway": _Label(
        lambda p: (
            _("%(programme)s, depuis le %(date)s")
            % {"programme": p.programme.name, "date": _day(p.started_on)}
        ),
        ("programme",),
    ),
    "participants.Programme": _Label(lambda p: p.name),
    "participants.PathwayEvent": _Label(lambda e: f"{e.get_kind_display()} ({_day(e.date)})"),
    "participants.Need": _Label(lambda n: f"{n.get_category_display()} ({_day(n.identified_on)})"),
    "participants.ImportBatch": _Label(lambda b: f"{b.filename} ({_day(b.at)})"),
    "chantiers.Chantier": _Label(lambda c: c.name),
    "chantiers.WorkSession": _Label(
        lambda s: f"{s.chantier.name}, {_day(s.date)} {s.starts_at:%H:%M}–{s.ends_at:%H:%M}",
        ("chantier",),
    ),
    "chantiers.MonthlyStatement": _Label(lambda s: s.month.strftime("%m/%Y")),
    "chantiers.PaymentBatch": _Label(
        lambda b: (
            _("%(reference)s, exécuté le %(date)s (%(status)s)")
            % {
                "reference": b.reference,
                "date": _day(b.execution_date),
                "status": b.get_status_display(),
            }
        )
    ),
    "partners.PartnerService": _Label(lambda s: s.name),
    "participants.Training": _Label(lambda t: f"{t.title} ({_day(t.starts_on)})"),
    "agenda.Appointment": _Label(lambda a: f"{_moment(a.starts_at)} ({a.get_mode_display()})"),
    # The module's kind and title, the session's day and hours: nothing of the others there.
    "workshops.ModuleSession": _Label(lambda s: _session_label(s), ("module",)),
    "partners.Referral": _Label(
        lambda r: f"{r.to_organization.name}, {_day(r.sent_on)}", ("to_organization",)
    ),
}


def _session_label(session) -> str:
    label = _("%(kind)s « %(title)s », %(date)s %(starts)s–%(ends)s") % {
        "kind": session.module.get_kind_display(),
        "title": session.module.title,
        "date": _day(session.date),
        "starts": f"{session.starts_at:%H:%M}",
        "ends": f"{session.ends_at:%H:%M}",
    }
    if session.is_cancelled:
        label = _("%(session)s (annulée)") % {"session": label}
    return label


@dataclass(frozen=True)
class Requester:
    """Who asks for the export: an account and its membership in the person's organization, or
    nobody (the command line without ``--user``)."""

    user: User | None = None
    membership: Membership | None = None

    @property
    def name(self) -> str:
        if self.user is None:
            return _("ligne de commande")
        return self.user.get_full_name() or self.user.email


# --- What is held ---------------------------------------------------------------------------


def _kind(field) -> str | None:
    if isinstance(field, models.FileField):
        return "file"
    if field.is_relation:
        target = field.related_model
        if target is User:
            return "person"
        if target is Organization:
            return "organization"
        if target is Participant:
            return None  # the person the export is about
        return "record"
    if isinstance(field, models.BinaryField):
        return None
    if field.choices:
        return "choice"
    if isinstance(field, models.DateTimeField):
        return "datetime"
    if isinstance(field, models.DateField):
        return "month" if field.name == "month" else "date"  # a statement's: its first day
    if isinstance(field, models.TimeField):
        return "time"
    if isinstance(field, models.BooleanField):
        return "boolean"
    if isinstance(field, models.DecimalField):
        return "decimal"
    if isinstance(field, models.IntegerField | models.AutoField):
        return "number"
    return "text"


def _field_label(field) -> str:
    label = str(field.verbose_name)
    if label == field.name.replace("_", " ") and field.name in FIELD_LABELS:
        label = str(FIELD_LABELS[field.name])
    return label


def _columns(model) -> list[tuple[models.Field, str]]:
    label = model._meta.label
    found = []
    for field in model._meta.concrete_fields:
        kind = _kind(field)
        if kind is not None and (label, field.name) not in TECHNICAL:
            found.append((field, kind))
    return found


def _related_paths(columns) -> list[str]:
    paths = []
    for field, kind in columns:
        if kind in ("person", "organization"):
            paths.append(field.name)
        elif kind == "record" and field.related_model._meta.label in LABELS:
            paths.append(field.name)
            label = LABELS[field.related_model._meta.label]
            paths += [f"{field.name}__{extra}" for extra in label.related]
    return paths


def _value(row, field, kind):
    """The field of ``row`` as JSON: ISO dates, amounts as text (exact), choices and other
    records with their label, staff by their name only."""
    if kind == "record":
        pk = getattr(row, field.attname)
        if pk is None:
            return None
        target = field.related_model._meta
        label = LABELS.get(target.label)
        if label is None:
            text = f"{target.verbose_name} n° {pk}"
        else:
            text = label.text(getattr(row, field.name))
        return {"id": pk, "label": str(text)}
    value = getattr(row, field.name)
    if value is None:
        return None
    if kind == "person":
        return value.get_full_name() or _("(sans nom)")
    if kind == "organization":
        return value.name
    if kind == "choice":
        if value == "":
            return None
        return {"code": value, "label": str(getattr(row, f"get_{field.name}_display")())}
    if kind == "datetime":
        return timezone.localtime(value).isoformat(timespec="seconds")
    if kind in ("date", "month", "time"):
        return value.isoformat()
    if kind == "decimal":
        return str(value)
    if kind == "file":
        return None  # set by the caller: the file's name in the ZIP
    return value


def _file_name(row, field, used: set[str]) -> str:
    """``documents/2026-03-01-attestation.pdf``: the record's date, what it is, the file's
    extension (never the stored name)."""
    day = next(
        (
            getattr(row, f.name)
            for f in row._meta.concrete_fields
            if isinstance(f, models.DateField) and not isinstance(f, models.DateTimeField)
        ),
        None,
    )
    what = (
        row.get_kind_display() if hasattr(row, "get_kind_display") else str(row._meta.verbose_name)
    )
    stem = "-".join(part for part in (day.isoformat() if day else "", slugify(what)) if part)
    extension = os.path.splitext(getattr(row, field.name).name)[1].lower()
    name, n = f"{DOCUMENTS}/{stem}{extension}", 1
    while name in used:
        n += 1
        name = f"{DOCUMENTS}/{stem}-{n}{extension}"
    used.add(name)
    return name


def _section(model, rows, *, files, used) -> dict:
    columns = _columns(model)
    records = []
    for row in rows:
        record = {}
        for field, kind in columns:
            record[field.name] = _value(row, field, kind)
            if kind == "file" and getattr(row, field.name):
                record[field.name] = _file_name(row, field, used)
                files.append((record[field.name], getattr(row, field.name)))
        records.append(record)
    return {
        "model": model._meta.label,
        "title": str(SECTIONS.get(model._meta.label) or model._meta.verbose_name_plural),
        "fields": [
            {"name": field.name, "label": _field_label(field), "type": kind}
            for field, kind in columns
        ],
        "records": records,
    }


def _events(queryset, requester: Requester):
    """Restricted notes: only those the requester's membership may read."""
    if requester.user is None:
        return queryset.shareable()
    return queryset.visible_to(requester.user, requester.membership)


# Why something is left out, said to whoever made the export (and read by the person).
FOR_AUTHORISED = gettext_lazy("une personne autorisée peut compléter l'export.")


def _notes_withheld(count: int, requester: Requester) -> str:
    if requester.user is None:
        message = ngettext(
            "%(count)s note confidentielle non reprise : l'export a été fait sans compte "
            "(ligne de commande) ; %(then)s",
            "%(count)s notes confidentielles non reprises : l'export a été fait sans compte "
            "(ligne de commande) ; %(then)s",
            count,
        )
    else:
        message = ngettext(
            "%(count)s note confidentielle non reprise : votre rôle ne permet pas de la lire ; "
            "%(then)s",
            "%(count)s notes confidentielles non reprises : votre rôle ne permet pas de les "
            "lire ; %(then)s",
            count,
        )
    return message % {"count": count, "then": FOR_AUTHORISED}


def _address_withheld(requester: Requester) -> str:
    if requester.user is None:
        message = _(
            "Adresse non reprise (rue, code postal, commune) : elle est confidentielle et "
            "l'export a été fait sans compte (ligne de commande) ; %(then)s"
        )
    else:
        message = _(
            "Adresse non reprise (rue, code postal, commune) : elle est confidentielle et votre "
            "rôle ne permet pas de la voir ; %(then)s"
        )
    return message % {"then": FOR_AUTHORISED}


def _reasons_withheld(requester: Requester) -> str:
    return _(
        "Raisons des consultations de l'adresse non reprises : elles peuvent la citer, et elle "
        "est confidentielle ; %(then)s"
    ) % {"then": FOR_AUTHORISED}


def _ordered(pairs):
    order = {label: n for n, label in enumerate(SECTIONS)}
    return sorted(
        pairs, key=lambda pair: (order.get(pair[0]._meta.label, len(order)), pair[0]._meta.label)
    )


def _collect(*, participant: Participant, requester: Requester):
    """(data, files): the export's content as a JSON-ready dict, and the files to put beside
    it as (name in the ZIP, stored file)."""
    person = Participant.objects.select_related("organization", "counsellor", "import_batch").get(
        pk=participant.pk
    )
    organization = person.organization
    files, used, withheld = [], set(), []
    identity = _section(Participant, [person], files=files, used=used)
    address_shown = may_see_address(requester.membership, person)
    if not address_shown:
        for name in ADDRESS_FIELDS:
            identity["records"][0][name] = None
        withheld.append(
            {
                "section": "participants.Participant",
                "what": "address",
                "fields": list(ADDRESS_FIELDS),
                "message": _address_withheld(requester),
            }
        )
    sections = [identity]
    held = {Participant: [person.pk]}
    for model, lookup in _ordered(records_about_a_participant()):
        label = model._meta.label
        rows = model._default_manager.filter(**{lookup: person})
        if model is PathwayEvent:
            every = rows
            rows = _events(rows, requester)
        rows = rows.select_related(*_related_paths(_columns(model)))
        rows = list(rows.order_by(*ORDER_BY[label]) if label in ORDER_BY else rows)
        section = _section(model, rows, files=files, used=used)
        if model is AddressReveal and rows and not address_shown:
            # The reasons may quote the address the requester may not see.
            for record in section["records"]:
                record["reason"] = None
            withheld.append(
                {
                    "section": label,
                    "what": "address_reveal_reasons",
                    "fields": ["reason"],
                    "message": _reasons_withheld(requester),
                }
            )
        sections.append(section)
        held[model] = [row.pk for row in rows]
        if model is PathwayEvent:
            shown = [row.pk for row in rows if row.confidentiality == Confidentiality.RESTRICTED]
            count = every.filter(confidentiality=Confidentiality.RESTRICTED).exclude(pk__in=shown)
            count = count.count()
            if count:
                withheld.append(
                    {
                        "section": label,
                        "what": "restricted_notes",
                        "count": count,
                        "message": _notes_withheld(count, requester),
                    }
                )
    sections.append(_access_log(held))
    data = {
        "format": FORMAT,
        "generated_at": timezone.localtime().isoformat(timespec="seconds"),
        "requested_by": requester.name,
        "organization": {
            "name": organization.name,
            "street": organization.street,
            "postcode": organization.postcode,
            "city": organization.city,
            "email": organization.email,
            "phone": organization.phone,
            "retention_years": organization.retention_years,
        },
        "participant": {
            "id": person.pk,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "birth_date": person.birth_date.isoformat(),
        },
        "withheld": withheld,
        "missing_files": [],  # the files that could not be read (filled by the ZIP)
        "sections": sections,
    }
    return data, files


def _access_log(held: dict) -> dict:
    """Who opened, printed, exported or downloaded the person's record or any record about them
    (one query: the content types are cached)."""
    types = ContentType.objects.get_for_models(*held)
    match = Q(pk__in=[])
    names = {}
    for model, pks in held.items():
        if pks:
            match |= Q(content_type=types[model], object_id__in=[str(pk) for pk in pks])
        names[types[model].pk] = str(model._meta.verbose_name)
    entries = (
        AccessLog.objects.filter(match)
        .select_related("user", "organization")
        .order_by("-at", "-pk")
    )
    fields = {f.name: f for f in AccessLog._meta.concrete_fields}
    records = [
        {
            "at": _value(entry, fields["at"], "datetime"),
            "user": _value(entry, fields["user"], "person"),
            "organization": entry.organization.name,
            "action": _value(entry, fields["action"], "choice"),
            "record": f"{names.get(entry.content_type_id, '')} n° {entry.object_id}",
        }
        for entry in entries
    ]
    return {
        "model": AccessLog._meta.label,
        "title": str(SECTIONS[AccessLog._meta.label]),
        "fields": [
            {"name": "at", "label": _("date et heure"), "type": "datetime"},
            {
                "name": "user",
                "label": _("personne"),
                "type": "person",
                "empty": _("ligne de commande"),
            },
            {"name": "organization", "label": _("organisation"), "type": "organization"},
            {"name": "action", "label": _("action"), "type": "choice"},
            {"name": "record", "label": _("fiche"), "type": "text"},
        ],
        "records": records,
    }


def subject_access_data(*, participant: Participant, requester: Requester) -> dict:
    """Everything held on ``participant`` that ``requester`` may read, as a JSON-ready dict
    (what ``export.json`` holds), with what was withheld and why."""
    return _collect(participant=participant, requester=requester)[0]


# --- The ZIP --------------------------------------------------------------------------------


def subject_access_zip(*, participant: Participant, requester: Requester) -> bytes:
    """The export (``export.json``, ``export.pdf``, ``documents/``), written in the access log
    once it is made."""
    data, files = _collect(participant=participant, requester=requester)
    contents = []
    for name, file in files:
        try:
            with file.open("rb") as opened:
                contents.append((name, opened.read()))
        except OSError:
            data["missing_files"].append(name)
    pdf = render_pdf(
        "pdf/subject_access.html",
        {
            "data": data,
            "organization": participant.organization,
            "sections": pdf_sections(data),
            "generated_at": timezone.localtime(),
        },
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("export.json", json.dumps(data, ensure_ascii=False, indent=2))
        archive.writestr("export.pdf", pdf)
        for name, content in contents:
            archive.writestr(name, content)
    access_log_record(
        user=requester.user,
        organization=participant.organization,
        obj=participant,
        action=AccessLog.Action.EXPORT,
    )
    # Each document that left in the ZIP, in its own access history too.
    access_log_record_many(
        user=requester.user,
        organization=participant.organization,
        objects=[
            Document(pk=record["id"])
            for section in data["sections"]
            if section["model"] == Document._meta.label
            for record in section["records"]
            if record["file"]
        ],
        action=AccessLog.Action.EXPORT,
    )
    return buffer.getvalue()


def subject_access_filename(participant: Participant) -> str:
    """The id, not the name: a file name travels further than its content."""
    return f"droit-d-acces-{participant.pk}-{timezone.localdate().isoformat()}.zip"


# --- The PDF --------------------------------------------------------------------------------

# A section with more columns than this is printed record by record (a label, a value).
TABLE_COLUMNS = 7


def _shown(value, kind: str) -> str:
    if value is None or value == "":
        return ""
    if kind in ("choice", "record"):
        return value["label"]
    if kind == "date":
        return _day(dt.date.fromisoformat(value))
    if kind == "month":
        return dt.date.fromisoformat(value).strftime("%m/%Y")
    if kind == "datetime":
        return dt.datetime.fromisoformat(value).strftime("%d/%m/%Y %H:%M")
    if kind == "time":
        return value[:5]
    if kind == "boolean":
        return _("oui") if value else _("non")
    if kind == "decimal":
        return number_format(Decimal(value), use_l10n=True, force_grouping=True)
    if kind == "number":
        return str(value)  # a year, a count of days: never "2 026"
    return str(value)


def _nothing(value) -> bool:
    """No value worth a column: empty, zero, "no"."""
    return value in (None, "", False, 0, "0", "0.00", "0.0000")


def pdf_sections(data: dict) -> list[dict]:
    """The sections as the PDF prints them: labels instead of codes, dates as people write
    them; columns without any value in a section left out (the JSON keeps them); a section
    with many columns printed record by record."""
    withheld = {entry["section"]: entry for entry in data["withheld"]}
    organization = data["organization"]["name"]
    printed = []
    for section in data["sections"]:
        missing = withheld.get(section["model"], {}).get("fields", [])
        fields = [
            field
            for field in section["fields"]
            if field["name"] != "id"
            and field["name"] not in missing
            and (
                "empty" in field
                or not all(_nothing(record[field["name"]]) for record in section["records"])
            )
            and not (
                field["name"] == "organization"
                and all(record["organization"] == organization for record in section["records"])
            )
        ]
        rows = [
            [
                _shown(record[field["name"]], field["type"]) or field.get("empty", "")
                for field in fields
            ]
            for record in section["records"]
        ]
        labels = [field["label"] for field in fields]
        cards = len(section["records"]) == 1 or len(fields) > TABLE_COLUMNS
        printed.append(
            {
                "title": section["title"],
                "count": len(rows),
                "labels": labels,
                "rows": rows,
                "cards": [
                    [(label, value) for label, value in zip(labels, row, strict=True) if value]
                    for row in rows
                ]
                if cards
                else None,
                "withheld": withheld.get(section["model"], {}).get("message", ""),
            }
        )
    return printed
