"""Walking every address of the app: the URL patterns (every namespace but the admin's), one row
of every kind an address names (``world_rows``, the ``world`` fixture of tests/conftest.py), the
roles that may open each page, and what a page's forms would send untouched. Used by the tests
that send every page bad input (tests/test_malformed_input.py, tests/test_forms_keep_typed.py).
"""

import datetime as dt
from decimal import Decimal
from html.parser import HTMLParser

from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from accounts.models import Membership, Organization, Role
from agenda.models import Appointment, CalendarFeed
from agenda.views_feed import feed_token
from chantiers import payments
from chantiers.models import (
    CeilingExcess,
    ElsewhereDeclaration,
    Incident,
    MonthlyStatement,
    RealCost,
    ServiceSheet,
    StatementCorrection,
    VolunteerAgreement,
)
from participants import services as participant_services
from participants.models import FollowUp, Goal, Need
from partners import services as partner_services
from partners.models import Matching, PartnerService
from privacy.models import Document
from reporting.models import ReportRun
from tests.chantiers.helpers import _member
from tests.factories import (
    ChantierFactory,
    OrganizationFactory,
    PathwayFactory,
    WorkSessionFactory,
)
from volunteers.models import (
    ContactPoint,
    OutreachActivity,
    RotaFeed,
    Shift,
    ShiftAssignment,
    Signal,
)
from volunteers.services import volunteer_register
from volunteers.views_rota import feed_token as rota_feed_token
from workshops import services as workshop_services
from workshops.models import Module

# Django's admin is a technical tool with its own handling of parameters, outside the app's.
NOT_WALKED = {"admin"}
ROLES = [
    *(Role.ADMIN, Role.DIRECTION, Role.COUNSELLOR, Role.COORDINATOR, Role.PARTNER),
    Role.VOLUNTEER,
]
MONDAY = dt.date(2026, 3, 2)


def _patterns(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(n for n in (namespace, pattern.namespace) if n)
            if pattern.namespace not in NOT_WALKED:
                yield from _patterns(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield ":".join(n for n in (namespace, pattern.name) if n), pattern


PATTERNS = dict(_patterns(get_resolver().url_patterns))


def world_rows(operator, housing, personas):
    """One row of every kind an address names, in ``operator``."""
    operator.iban, operator.bic = "BE71096123456769", "GKCCBEBB"
    operator.sepa_creditor_name = "Mission Locale de Test ASBL"
    operator.save()
    counsellor, director = personas["counsellor"], personas["director"]
    chantier = ChantierFactory(organization=operator, host=housing)
    chantier.coordinators.add(personas["coordinator"])
    session = WorkSessionFactory(chantier=chantier, date=MONDAY)
    person, agreement = _member(chantier)
    person.iban = "BE62510007547061"
    person.save()
    closed = PathwayFactory(participant=person, started_on=dt.date(2024, 1, 8))
    participant_services.pathway_close(
        pathway=closed, ended_on=dt.date(2024, 6, 28), exit_outcome="moved", by=counsellor
    )
    pathway = PathwayFactory(
        participant=person, programme=closed.programme, started_on=dt.date(2025, 1, 6)
    )
    need = Need.objects.create(participant=person, category="housing", identified_on=MONDAY)
    service = PartnerService.objects.create(
        organization=housing, name="Accueil logement", need_category="housing"
    )
    referral = partner_services.referral_send(
        participant=person,
        to_organization=housing,
        service=service,
        need=need,
        reason="Logement",
        by=counsellor,
    )
    # Accepted, to a training the partner gives: the partner notes the training on it.
    training_service = PartnerService.objects.create(
        organization=housing, name="Formation aux petits travaux", need_category="qualification"
    )
    accepted_referral = partner_services.referral_send(
        participant=person,
        to_organization=housing,
        service=training_service,
        reason="Formation qualifiante",
        by=counsellor,
    )
    partner_services.referral_answer(
        referral=accepted_referral, accept=True, by=personas["partner"]
    )
    training = participant_services.training_add(
        participant=person,
        title="Peintre en bâtiment",
        provider="Bruxelles Formation",
        starts_on=dt.date(2025, 9, 1),
        hours_planned=Decimal("400"),
        status="ongoing",
        recorded_by=counsellor,
        recorded_by_organization=operator,
    )
    participant_services.certification_add(
        participant=person,
        kind="certificate",
        title="VCA de base",
        obtained_on=dt.date(2025, 10, 6),
        issuing_body="Bruxelles Formation",
        training=training,
        recorded_by=counsellor,
        recorded_by_organization=operator,
    )
    statement = MonthlyStatement.objects.create(
        participant=person,
        organization=operator,
        month=dt.date(2026, 2, 1),
        days=2,
        amount=Decimal("25.00"),
        status=MonthlyStatement.Status.VALIDATED,
    )
    batch = payments.batch_create(
        organization=operator,
        statement_ids=[statement.pk],
        execution_date=timezone.localdate() + dt.timedelta(days=3),
        by=director,
    )
    unpaid = MonthlyStatement.objects.create(
        participant=person,
        organization=operator,
        month=dt.date(2026, 3, 1),
        days=1,
        amount=Decimal("12.50"),
        status=MonthlyStatement.Status.VALIDATED,
    )
    declaration = ElsewhereDeclaration.objects.create(
        participant=person,
        organization=operator,
        year=2026,
        amount=Decimal("100.00"),
        declared_on=MONDAY,
        source="ASBL du quartier",
    )
    excess = CeilingExcess.objects.create(
        participant=person, organization=operator, year=2025, amount_over=Decimal("1.00")
    )
    correction = StatementCorrection.objects.create(
        statement=statement,
        amount=Decimal("-1.00"),
        reason="Jour compté deux fois",
        created_by=director,
    )
    real_cost = RealCost.objects.create(
        participant=person,
        organization=operator,
        date=MONDAY,
        amount=Decimal("4.20"),
        description="Ticket de tram",
        receipt=ContentFile(b"%PDF-1.4 receipt", name="ticket.pdf"),
        entered_by=director,
    )
    document = Document.objects.create(
        participant=person,
        kind=Document.Kind.ATTESTATION,
        dated_on=MONDAY,
        consent_on=MONDAY,
        keep_until=dt.date(2030, 1, 1),
        file=ContentFile(b"%PDF-1.4 attestation", name="attestation.pdf"),
        uploaded_by=counsellor,
    )
    employer = OrganizationFactory(kind=Organization.Kind.EMPLOYER)
    matching = Matching.objects.create(
        participant=person,
        pathway=pathway,
        employer=employer,
        position="Peintre",
        proposed_on=MONDAY,
        status_on=MONDAY,
        by=counsellor,
    )
    incident = Incident.objects.create(
        chantier=chantier, date=MONDAY, kind="near_miss", description="Échelle"
    )
    run = ReportRun.objects.create(
        organization=operator, kind="activity", requested_by=director, parameters={"year": 2025}
    )
    # Begun an hour ago and still planned: its page has the outcome's form and the cancelling.
    appointment = Appointment.objects.create(
        pathway=pathway,
        counsellor=counsellor,
        created_by=counsellor,
        starts_at=timezone.now() - dt.timedelta(hours=1),
        purpose="Bilan",
    )
    feed = CalendarFeed.objects.create(user=counsellor, organization=operator, key="walked-key")
    # An EPN session begun, with someone enrolled (its page shows every form: enrol, count the
    # visitors, cancel), another with a visitors' line, and a workshop's session to come.
    epn = workshop_services.module_create(
        organization=operator, title="EPN", kind=Module.Kind.EPN, partner=housing
    )
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    module_session = workshop_services.session_plan(
        module=epn, date=yesterday, starts_at=dt.time(10), capacity=12, by=counsellor
    )
    module_enrolment = workshop_services.enrolment_add(
        session=module_session, pathway=pathway, by=counsellor
    )
    visited = workshop_services.session_plan(
        module=epn, date=yesterday, starts_at=dt.time(14), by=counsellor
    )
    visit = workshop_services.visit_record(
        session=visited, people=2, age_band="65_plus", gender="F", need="printing", by=counsellor
    )
    workshop = workshop_services.module_create(organization=operator, title="Atelier CV")
    workshop_services.session_plan(
        module=workshop, date=yesterday + dt.timedelta(days=8), starts_at=dt.time(9), by=counsellor
    )
    # The person volunteers too (issue 21), with the volunteer persona's log-in, a sheet and an
    # agreement without chantier.
    volunteer = volunteer_register(
        organization=operator,
        by=personas["coordinator"],
        since=dt.date(2025, 1, 6),
        activity="Relais de quartier",
        participant=person,
    )
    volunteer.user = personas["volunteer"]
    volunteer.save()
    volunteer_agreement = VolunteerAgreement.objects.create(
        participant=person,
        organization=operator,
        starts_on=dt.date(2026, 4, 1),
        daily_rate=Decimal("12.50"),
    )
    sheet = ServiceSheet.objects.create(
        participant=person,
        organization=operator,
        date=dt.date(2026, 4, 7),
        hours=Decimal("2.00"),
        activity="Visites",
        entered_by=personas["volunteer"],
    )
    contact_point = ContactPoint.objects.create(
        organization=operator, name="Local de quartier", place="Rue Wayez 12"
    )
    outreach = OutreachActivity.objects.create(
        organization=operator,
        date=MONDAY,
        contact_point=contact_point,
        people_met=6,
        women=4,
        men=2,
        themes=["housing"],
        recorded_by=personas["coordinator"],
    )
    outreach.volunteers.add(volunteer)
    signal = Signal.objects.create(
        organization=operator,
        raised_by=volunteer,
        raised_by_user=personas["volunteer"],
        raised_on=MONDAY,
        need_category="housing",
        description="Une voisine seule, sans chauffage.",
    )
    # The rota (issue 21, point 4): a shift to come with the coordinator on it, and the
    # volunteer's calendar feed.
    shift = Shift.objects.create(
        organization=operator,
        role="Accueil",
        place="Maison d'accueil",
        starts_at=timezone.now() + dt.timedelta(days=2),
        ends_at=timezone.now() + dt.timedelta(days=2, hours=4),
        needed=3,
        created_by=personas["coordinator"],
    )
    assignment = ShiftAssignment.objects.create(
        shift=shift,
        user=personas["coordinator"],
        how="assigned",
        assigned_by=personas["coordinator"],
    )
    rota_feed = RotaFeed.objects.create(
        user=personas["volunteer"], organization=operator, key="walked-rota-key"
    )
    pk = {
        "shift": shift.pk,
        "assignment": assignment.pk,
        "participant": person.pk,
        "volunteer": volunteer.pk,
        "contact_point": contact_point.pk,
        "outreach": outreach.pk,
        "signal": signal.pk,
        "volunteer_agreement": volunteer_agreement.pk,
        "sheet": sheet.pk,
        "pathway": pathway.pk,
        "need": need.pk,
        "goal": Goal.objects.create(pathway=pathway, text="CV").pk,
        "follow_up": FollowUp.objects.filter(pathway=closed).first().pk,
        "chantier": chantier.pk,
        "session": session.pk,
        "incident": incident.pk,
        "agreement": agreement.pk,
        "enrolment": person.enrolments.get().pk,
        "statement": unpaid.pk,
        "batch": batch.pk,
        "membership": Membership.objects.get(user=personas["coordinator"]).pk,
        "employer": employer.pk,
        "matching": matching.pk,
        "referral": referral.pk,
        "run": run.pk,
        "declaration": declaration.pk,
        "excess": excess.pk,
        "correction": correction.pk,
        "real_cost": real_cost.pk,
        "document": document.pk,
        "appointment": appointment.pk,
        "training": training.pk,
        "accepted_referral": accepted_referral.pk,
        "module": epn.pk,
        "module_session": module_session.pk,
        "module_enrolment": module_enrolment.pk,
        "visit": visit.pk,
    }
    month = {"pk": chantier.pk, "year": 2026, "month": 3}
    # Which rows fill each address's path, by the address's name.
    paths = {
        "accounts:member_edit": {"pk": pk["membership"]},
        "accounts:member_resend_invitation": {"pk": pk["membership"]},
        "accounts:member_two_factor_reset": {"pk": pk["membership"]},
        "accounts:password_reset_confirm": {"uidb64": "MQ", "token": "set-password"},
        "chantiers:agreement_new": {"chantier": chantier.pk, "enrolment": pk["enrolment"]},
        "chantiers:month_statements": month,
        "chantiers:month_statements_pdf": month,
        "chantiers:signin_sheet_week": month | {"day": MONDAY.day},
        "chantiers:week_entry": month | {"day": MONDAY.day},
        "partners:matching_create": {"participant_pk": person.pk},
        "agenda:book": {"participant_pk": person.pk},
        "agenda:consent": {"participant_pk": person.pk},
        "agenda:feed_ics": {"token": feed_token(feed)},
        "volunteers:rota_feed_ics": {"token": rota_feed_token(rota_feed)},
        "workshops:enrol": {"participant_pk": person.pk},
        "reporting:request": {"kind": "activity"},
        "volunteers:month": {"pk": volunteer.pk, "year": 2026, "month": 4},
        "reporting:download": {"pk": run.pk, "fmt": "pdf"},
    }
    by_prefix = {
        "accounts:invitation_": "membership",  # someone else's: 404, never 5xx
        "accounts:member_": "membership",
        "participants:need_resolve": "need",
        "participants:goal_status": "goal",
        "participants:follow_up_record": "follow_up",
        "participants:": "participant",
        "participants:event_add": "pathway",
        "participants:goal_add": "pathway",
        "participants:pathway_phase": "pathway",
        "participants:pathway_close": "pathway",
        "participants:pathway_reopen": "pathway",
        "participants:training_update": "training",
        "chantiers:session_cancel": "session",
        "chantiers:session_attendance": "session",
        "chantiers:offline_marks": "session",
        "chantiers:signin_sheet_session": "session",
        "chantiers:incident_edit": "incident",
        "chantiers:agreement_": "agreement",
        "chantiers:statement_": "statement",
        "chantiers:enrolment_": "enrolment",
        "chantiers:payment_batch_": "batch",
        "chantiers:declarations": "participant",
        "chantiers:declaration_delete": "declaration",
        "chantiers:declaration_proof": "declaration",
        "chantiers:real_costs": "participant",
        "chantiers:real_cost_": "real_cost",
        "chantiers:excess": "excess",
        "chantiers:corrections": "statement",
        "chantiers:correction_settle": "correction",
        "chantiers:": "chantier",
        "partners:employer_detail": "employer",
        "partners:matching_update": "matching",
        "dashboard:hosting_detail": "chantier",
        "partners:answer": "referral",
        "partners:link_resend": "referral",
        "partners:referral_close": "referral",
        "partners:referral_create": "participant",
        "partners:referral_trainings": "accepted_referral",
        "partners:referral_training_add": "accepted_referral",
        "partners:referral_certification_add": "accepted_referral",
        "reporting:run_status": "run",
        "privacy:subject_access_export": "participant",
        "documents:add": "participant",
        "documents:": "document",
        "agenda:": "appointment",
        "workshops:module": "module",
        "workshops:session": "module_session",
        "workshops:session_plan": "module",
        "workshops:attendance": "module_session",
        "workshops:visit_add": "module_session",
        "workshops:enrolment_remove": "module_enrolment",
        "workshops:visit_delete": "visit",
        "volunteers:sheet_": "sheet",
        "volunteers:shift": "shift",
        "volunteers:assignment_": "assignment",
        "volunteers:outreach_edit": "outreach",
        "volunteers:contact_point_edit": "contact_point",
        "volunteers:signal": "signal",
        "volunteers:agreement_edit": "volunteer_agreement",
        "volunteers:": "volunteer",
    }
    for name, pattern in PATTERNS.items():
        if name in paths or not pattern.pattern.converters:
            continue
        prefix = max((p for p in by_prefix if name.startswith(p)), key=len, default=None)
        assert prefix is not None, f"{name}: which row fills {pattern.pattern}? teach this test"
        paths[name] = {"pk": pk[by_prefix[prefix]]}
    return {"paths": paths, "users": {role: _user(personas, role) for role in ROLES}}


def _user(personas, role):
    return {
        Role.ADMIN: personas["admin"],
        Role.DIRECTION: personas["director"],
        Role.COUNSELLOR: personas["counsellor"],
        Role.COORDINATOR: personas["coordinator"],
        Role.PARTNER: personas["partner"],
        Role.VOLUNTEER: personas["volunteer"],
    }[role]


class FormDefaults(HTMLParser):
    """What the page's forms would send untouched: inputs' values, boxes ticked, options
    selected (else the first), textareas' text."""

    def __init__(self, html: str):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select = self._textarea = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs:
                self.data.setdefault(name, []).append(attrs.get("value") or "")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            chosen = self.data.get(self._select)
            if "selected" in attrs or chosen is None:
                self.data[self._select] = [attrs.get("value") or ""]
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] = [data.strip()]


def roles_of(pattern) -> list:
    allowed = getattr(pattern.callback, "allowed_roles", None)
    return [None] if allowed is None else [role for role in ROLES if role in allowed]
