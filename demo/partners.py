"""Demo partners for ``seed_demo``: services, referrals in every state, employers, prospections
and matchings (DESIGN §6). Written through the services, deterministic for a given rng."""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from accounts.models import Membership, Organization, Role
from participants.models import Participant
from participants.services import pathway_close
from partners import services
from partners.models import EmployerContact, Matching, PartnerService, Referral

# Organizations without members: they answer through the signed link sent by e-mail.
EXTRA_PARTNERS = [
    {
        "key": "health",
        "name": "Service de santé mentale Le Méridien",
        "slug": "ssm-le-meridien",
        "kind": Organization.Kind.HEALTH,
        "street": "Rue du Méridien 68",
        "postcode": "1210",
        "city": "Saint-Josse-ten-Noode",
        "email": "accueil@lemeridien.demo.local",
    },
    {
        "key": "childcare",
        "name": "Maison d'enfants Les Petits Pas",
        "slug": "les-petits-pas",
        "kind": Organization.Kind.SOCIAL_SERVICE,
        "street": "Rue de Fiennes 17",
        "postcode": "1070",
        "city": "Anderlecht",
        "email": "inscriptions@petitspas.demo.local",
    },
]

# (organization key, service, need category, description)
SERVICES = [
    ("cpas", "Service social général", "financial", "Aide sociale, revenu d'intégration."),
    ("cpas", "Service logement", "housing", "Recherche de logement, garantie locative."),
    ("cpas", "Médiation de dettes", "financial", "Plan de remboursement, règlement collectif."),
    ("training", "Formation peintre en bâtiment", "qualification", "Dix mois, qualifiante."),
    ("training", "Français langue étrangère (FLE)", "language", "Cours du jour, niveaux A1 à B1."),
    ("training", "Initiation au numérique", "digital", "Ordinateur, e-mail, démarches en ligne."),
    ("health", "Consultations psychologiques", "health", "Premier rendez-vous sous 3 semaines."),
    ("health", "Groupe « Reprendre confiance »", "confidence", "Huit séances en groupe."),
    ("childcare", "Places d'accueil d'urgence", "childcare", "Enfants de 0 à 3 ans."),
    ("housing", "Accompagnement des locataires", "housing", "Pour les locataires de la SISP."),
]

REASONS = {
    "financial": "Arriérés de loyer et de factures : demande un rendez-vous au service social.",
    "housing": "Logement trop petit pour la famille, cherche une solution.",
    "qualification": "Motivé·e par la peinture après le chantier, souhaite se qualifier.",
    "language": "Veut progresser en français pour les entretiens d'embauche.",
    "digital": "Ne sait pas encore utiliser une boîte e-mail pour postuler.",
    "health": "Demande elle-même un soutien psychologique.",
    "confidence": "Manque de confiance à l'oral, le groupe pourrait l'aider.",
    "childcare": "Doit faire garder son enfant pour suivre une formation.",
}

# The state each referral ends in, and how many days ago it was sent.
REFERRAL_PLAN = [
    ("sent", 2),
    ("sent", 6),
    ("sent", 12),  # unanswered for a while: shows on the counsellor's dashboard
    ("sent", 15),
    ("accepted", 10),
    ("accepted", 18),
    ("refused", 9),
    ("completed", 60),
    ("completed", 90),
    ("no_show", 45),
    ("expired", None),  # sent longer ago than REFERRAL_EXPIRY_DAYS
    ("accepted_by_link", 8),
    ("refused_by_link", 14),
]

# Last year's referrals, closed long ago, so that last year's report has its own.
LAST_YEAR_REFERRALS = [
    "completed",
    "completed",
    "no_show",
    "refused",
    "completed",
    "expired",
    "completed",
    "no_show",
]

EMPLOYERS = [
    ("Peintures Dubois & Fils", "peintures-dubois", "Rue Wayez 150", "1070", "Anderlecht"),
    (
        "Colruyt Anderlecht",
        "colruyt-anderlecht",
        "Boulevard Sylvain Dupuis 20",
        "1070",
        "Anderlecht",
    ),
    ("Parcs et Jardins de Forest", "jardins-forest", "Avenue Van Volxem 9", "1190", "Forest"),
    ("Brico-Rénov", "brico-renov", "Chaussée de Mons 540", "1070", "Anderlecht"),
    ("Clean Service Bruxelles", "clean-service-bxl", "Rue de la Senne 88", "1000", "Bruxelles"),
]

PERSONS_MET = ["M. Dubois, gérant", "Mme Claes, RH", "M. Janssens, chef d'équipe", "Mme Haddad"]
POSITIONS = ["Aide-peintre", "Réassortisseur·se", "Jardinier·ère", "Ouvrier·ère polyvalent·e"]


def seed_partners(*, rng, organizations: dict) -> dict:
    """Partner services, referrals from the first operator in every state, employers, the
    prospection log and matchings (one hire that closes the pathway)."""
    today = timezone.localdate()
    operator = organizations["operator"]
    orgs = dict(organizations)
    for spec in EXTRA_PARTNERS:
        spec = dict(spec)
        key = spec.pop("key")
        orgs[key] = Organization.objects.create(**spec)
    partner_services = [
        PartnerService.objects.create(
            organization=orgs[key],
            name=name,
            need_category=category,
            description=description,
            email=orgs[key].email,
            address=orgs[key].street,
            postcode=orgs[key].postcode,
            commune=orgs[key].city,
        )
        for key, name, category, description in SERVICES
    ]
    counsellors = [
        m.user
        for m in Membership.objects.filter(organization=operator, role=Role.COUNSELLOR)
        .select_related("user")
        .order_by("pk")
    ]
    # People with an open pathway who are not in a chantier group: the chantiers stay as seeded.
    people = list(
        Participant.objects.filter(organization=operator, pathways__ended_on__isnull=True)
        .exclude(enrolments__isnull=False)
        .distinct()
        .order_by("pk")
    )
    rng.shuffle(people)
    stats = {"partner_services": len(partner_services), "referrals": 0}
    stats |= _seed_referrals(
        rng=rng,
        people=people[: len(REFERRAL_PLAN)],
        services_=partner_services,
        first_to=[s for s in partner_services if s.organization == orgs["housing"]],
        counsellors=counsellors,
        today=today,
    )
    used = len(REFERRAL_PLAN) + 8
    stats["referrals"] += _seed_last_year_referrals(
        rng=rng,
        people=[p for p in people[used:] if p.pk in _open_since_last_year(people[used:], today)],
        services_=[s for s in partner_services if s.organization.memberships.exists()],
        counsellors=counsellors,
        today=today,
    )
    stats |= _seed_employers(
        rng=rng,
        operator=operator,
        people=people[len(REFERRAL_PLAN) : len(REFERRAL_PLAN) + 8],
        counsellors=counsellors,
        today=today,
    )
    return stats


def _seed_referrals(*, rng, people, services_, first_to, counsellors, today) -> dict:
    """``first_to``: the services of the first referral, which waits for an answer in the app
    (the demo's partner account answers it)."""
    linked = [s for s in services_ if not s.organization.memberships.exists()]
    with_members = [s for s in services_ if s not in linked]
    count = 0
    for index, (person, (state, days_ago)) in enumerate(zip(people, REFERRAL_PLAN, strict=False)):
        by_link = state.endswith("_by_link")
        service = rng.choice(linked if by_link else (first_to if index == 0 else with_members))
        need = person.needs.filter(category=service.need_category).order_by("pk").first()
        by = person.counsellor or counsellors[0]
        referral = services.referral_send(
            participant=person,
            to_organization=service.organization,
            service=service,
            need=need,
            reason=REASONS[service.need_category],
            by=by,
        )
        if days_ago is None:
            days_ago = settings.REFERRAL_EXPIRY_DAYS + 10
        Referral.objects.filter(pk=referral.pk).update(sent_on=today - dt.timedelta(days=days_ago))
        partner = (
            Membership.objects.filter(organization=service.organization, role=Role.PARTNER)
            .order_by("pk")
            .first()
        )
        partner_user = partner.user if partner else None
        if by_link:
            token = services.referral_link_token(referral=referral)
            services.referral_answer_by_link(
                token=token,
                accept=state == "accepted_by_link",
                reason="" if state == "accepted_by_link" else "Liste d'attente complète.",
            )
        elif state in ("accepted", "completed", "no_show"):
            services.referral_answer(referral=referral, accept=True, by=partner_user)
            if state != "accepted":
                services.referral_close(referral=referral, came=state == "completed", by=by)
        elif state == "refused":
            services.referral_answer(
                referral=referral,
                accept=False,
                by=partner_user,
                reason="Hors de notre zone : la personne habite une autre commune.",
            )
        elif state == "expired":
            services.referral_expire_overdue(today=today)
        count += 1
    return {"referrals": count}


def _open_since_last_year(people, today) -> set[int]:
    """Those whose open pathway started early enough last year to be referred then."""
    return set(
        Participant.objects.filter(
            pk__in=[p.pk for p in people],
            pathways__ended_on__isnull=True,
            pathways__started_on__lt=dt.date(today.year - 1, 10, 1),
        ).values_list("pk", flat=True)
    )


def _seed_last_year_referrals(*, rng, people, services_, counsellors, today) -> int:
    """Sent, answered and closed through the services, then dated back to last year (the sending
    day, and each step of the log a few days later)."""
    count = 0
    for person, state in zip(people, LAST_YEAR_REFERRALS, strict=False):
        service = rng.choice(services_)
        by = person.counsellor or counsellors[0]
        partner = (
            Membership.objects.filter(organization=service.organization, role=Role.PARTNER)
            .order_by("pk")
            .first()
        )
        referral = services.referral_send(
            participant=person,
            to_organization=service.organization,
            service=service,
            reason=REASONS[service.need_category],
            by=by,
        )
        if state == "refused":
            services.referral_answer(
                referral=referral,
                accept=False,
                by=partner.user if partner else None,
                reason="Plus de place avant la rentrée.",
            )
        elif state != "expired":
            services.referral_answer(
                referral=referral, accept=True, by=partner.user if partner else None
            )
            services.referral_close(referral=referral, came=state == "completed", by=by)
        started_on = referral.pathway.started_on
        sent_on = min(
            started_on + dt.timedelta(days=rng.randint(10, 60)), dt.date(today.year - 1, 12, 10)
        )
        Referral.objects.filter(pk=referral.pk).update(sent_on=sent_on)
        if state == "expired":
            services.referral_expire_overdue(today=today)
        steps = referral.transitions.order_by("pk")
        for offset, transition in enumerate(steps):
            at = timezone.make_aware(
                dt.datetime.combine(sent_on + dt.timedelta(days=offset * 9), dt.time(10, 0))
            )
            steps.model.objects.filter(pk=transition.pk).update(at=at)
            last = at
        Referral.objects.filter(pk=referral.pk).update(status_changed_at=last)
        count += 1
    return count


def _seed_employers(*, rng, operator, people, counsellors, today) -> dict:
    employers = [
        Organization.objects.create(
            name=name,
            slug=slug,
            kind=Organization.Kind.EMPLOYER,
            street=street,
            postcode=postcode,
            city=city,
        )
        for name, slug, street, postcode, city in EMPLOYERS
    ]
    prospections = 0
    for employer in employers:
        for _ in range(rng.randint(1, 3)):
            EmployerContact.objects.create(
                organization=operator,
                employer=employer,
                date=today - dt.timedelta(days=rng.randint(5, 600)),  # this year and last
                by=rng.choice(counsellors),
                person_met=rng.choice(PERSONS_MET),
                outcome=rng.choice(EmployerContact.Outcome.values),
            )
            prospections += 1
    # One hired (pathway closed), then proposed, interview, rejected, no answer: the hire first,
    # so that the demo has one however few people have an open pathway on the day it runs.
    outcomes = ["hired", "proposed", "interview", "rejected", "no_answer", "interview", "proposed"]
    matchings = 0
    for person, outcome in zip(people, outcomes, strict=False):
        pathway = person.pathways.open().order_by("-started_on").get()
        by = person.counsellor or counsellors[0]
        proposed_on = max(pathway.started_on, today - dt.timedelta(days=rng.randint(20, 60)))
        matching = Matching.objects.create(
            participant=person,
            pathway=pathway,
            employer=rng.choice(employers),
            position=rng.choice(POSITIONS),
            proposed_on=proposed_on,
            status_on=proposed_on,
            by=by,
        )
        matchings += 1
        if outcome == "proposed":
            continue
        on = min(today, proposed_on + dt.timedelta(days=rng.randint(5, 15)))
        services.matching_update(matching=matching, status=outcome, on=on, by=by)
        if outcome == "hired":
            pathway_close(
                pathway=pathway,
                ended_on=on,
                exit_outcome="job_fixed_long",
                job_searching_at_exit=False,
                by=by,
            )
    return {"employers": len(employers), "prospections": prospections, "matchings": matchings}
