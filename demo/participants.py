"""Demo participants and pathways for ``seed_demo``, and the national-number generator."""

import datetime as dt

from demo import accounts as accounts_demo


def demo_email(first: str, last: str, number: int) -> str:
    """A participant's address in the demo: on a domain that delivers nowhere (the reminders
    of the agenda are sent to it)."""
    from participants.models import normalize

    return f"{normalize(first)}.{normalize(last)}.{number}@exemple.demo.local".replace(" ", "")


def national_number_for(birth_date: dt.date, serial: int) -> str:
    """A valid Belgian national number for a birth date (serial odd for men, even for women)."""
    body = f"{birth_date:%y%m%d}{serial:03d}"
    base = int(("2" if birth_date.year >= 2000 else "") + body)
    return f"{body}{97 - base % 97:02d}"


FIRST_NAMES_F = [
    "Amina",
    "Fatima",
    "Sarah",
    "Nadia",
    "Julie",
    "Leila",
    "Samira",
    "Élodie",
    "Camille",
    "Inès",
    "Aïcha",
    "Sofia",
    "Khadija",
    "Yasmina",
    "Charlotte",
    "Mariam",
    "Hanane",
    "Laura",
    "Zineb",
    "Salma",
    "Awa",
    "Fatoumata",
    "Elif",
    "Ana",
    "Ioana",
    "Nathalie",
    "Sylvie",
    "Rim",
    "Houda",
]
FIRST_NAMES_M = [
    "Youssef",
    "Mehdi",
    "Karim",
    "Thomas",
    "Ibrahim",
    "Antoine",
    "Mohamed",
    "Rachid",
    "Bilal",
    "Marc",
    "Hamza",
    "Nicolas",
    "Lucas",
    "Omar",
    "Ali",
    "Moussa",
    "Mamadou",
    "Ayoub",
    "Kevin",
    "Emre",
    "Florin",
    "Jonathan",
    "Said",
    "Abdel",
    "Patrick",
    "Christophe",
    "Samir",
    "Adil",
]
LAST_NAMES = [
    *accounts_demo.LAST_NAMES,
    "El Idrissi",
    "Bah",
    "Camara",
    "Popescu",
    "Da Silva",
    "Tahiri",
    "Azzouzi",
    "Ndiaye",
    "Öztürk",
    "Vandenbroeck",
    "Leclercq",
    "Kabongo",
    "Bouzid",
    "Ferreira",
    "Cherkaoui",
]
POSTCODES = (
    ["1070"] * 8
    + ["1080"] * 6
    + ["1000"] * 4
    + ["1030"] * 4
    + ["1210"] * 3
    + [
        "1060",
        "1060",
        "1190",
        "1190",
        "1020",
        "1140",
        "1090",
        "1081",
        "1050",
        "1040",
        "1180",
    ]
)
LANGUAGES = [
    "français",
    "arabe",
    "néerlandais",
    "turc",
    "roumain",
    "lingala",
    "portugais",
    "espagnol",
    "peul",
    "berbère",
    "anglais",
    "polonais",
]
STREETS = [
    "Rue de la Paix",
    "Rue Wayez",
    "Chaussée de Ninove",
    "Boulevard du Midi",
    "Rue Brunfaut",
    "Avenue Clemenceau",
    "Chaussée de Mons",
    "Rue Van Lint",
    "Rue de Liedekerke",
]
EVENT_TEXTS = {
    "interview": [
        "Point sur la recherche d'emploi ; CV mis à jour ensemble.",
        "Entretien de suivi : motivation bonne, difficultés de garde d'enfants.",
        "Préparation de l'entretien d'embauche (simulation).",
        "Bilan après deux semaines de chantier : ponctuel, bon esprit d'équipe.",
        "Discussion du projet professionnel : intérêt pour l'horticulture.",
    ],
    "group_workshop": [
        "Atelier CV et lettre de motivation.",
        "Atelier numérique : itsme et e-mail.",
    ],
    "admin_step": ["Inscription chez Actiris mise à jour.", "Demande de carte de stage d'Actiris."],
    "training": ["Inscription au module de français langue étrangère (FLE)."],
    "employer_contact": ["Présenté·e à une entreprise de parcs et jardins."],
    "referral": ["Orienté·e vers le service logement du CPAS."],
}
RESTRICTED_TEXTS = [
    "Situation de violence conjugale évoquée ; orientation vers une association spécialisée.",
    "Problème de santé mentale : suivi par un service de santé mentale, à ne pas partager.",
    "Dettes importantes : médiation de dettes en cours.",
]
OUTCOMES = (
    ["job_permanent"] * 4
    + ["job_fixed_long"] * 6
    + ["job_fixed_short"] * 5
    + ["job_subsidised"] * 6
    + ["self_employed"]
    + ["training_qualifying"] * 7
    + ["training_other"] * 4
    + ["studies"]
    + ["referred_isp"] * 3
    + ["dropped_out"] * 6
    + ["moved"] * 2
    + ["health"] * 3
    + ["no_news"] * 5
    + ["ended_by_operator"]
    + ["other"]
)
PHASE_ROUTES = [
    ["diagnosis", "worksite", "job_search"],
    ["diagnosis", "orientation", "training"],
    ["diagnosis", "worksite", "employment_support"],
    ["diagnosis", "job_search"],
    ["diagnosis", "orientation"],
]


def seed_participants(*, rng, organization, count: int, funder=None) -> dict:
    """Participants over the five years up to today, with their pathways, needs and events.

    Written through the services, so that transition logs and follow-ups are those the app
    itself would have made. Dates are relative to today, so the demo always looks current.
    """
    from django.utils import timezone

    from accounts.models import Membership, Role
    from participants import services
    from participants.models import FollowUp, IncomeKind, NeedCategory, Programme

    today = timezone.localdate()
    counsellors = [
        m.user
        for m in Membership.objects.filter(organization=organization, role=Role.COUNSELLOR)
        .select_related("user")
        .order_by("pk")
    ]
    programmes = [
        Programme.objects.create(
            organization=organization,
            code="mokolab",
            name="MoKoLab — chantiers participatifs",
            funder=funder,
        ),
        Programme.objects.create(
            organization=organization,
            code="isp",
            name="Accompagnement ISP",
            funder=funder,
        ),
    ]
    first_day = today.replace(year=today.year - 5, month=1, day=1)
    span = (today - first_day).days
    stats = {"participants": 0, "pathways": 0, "events": 0, "needs": 0}
    for index in range(count):
        gender = rng.choices(["F", "M", "X"], weights=[48, 50, 2])[0]
        first = rng.choice(FIRST_NAMES_F if gender == "F" else FIRST_NAMES_M)
        birth = dt.date(rng.randint(1966, 2007), rng.randint(1, 12), rng.randint(1, 28))
        start = first_day + dt.timedelta(days=rng.randint(0, span - 10))
        serial = 2 * rng.randint(1, 498) + (gender == "M")
        counsellor = rng.choice(counsellors)
        postcode = rng.choice(POSTCODES)
        last = rng.choice(LAST_NAMES)
        participant = services.participant_create(
            organization=organization,
            first_name=first,
            last_name=last,
            birth_date=birth,
            gender=gender,
            national_number=national_number_for(birth, serial) if rng.random() < 0.8 else "",
            # Three people in five have an e-mail address (from the index, not the rng, so
            # that giving addresses changed nothing else the seed draws).
            email=demo_email(first, last, index) if index % 5 < 3 else "",
            phone=f"04{rng.randint(70, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} "
            f"{rng.randint(10, 99)}",
            street=f"{rng.choice(STREETS)} {rng.randint(1, 180)}",
            postcode=postcode,
            nationality_group=rng.choices(["BE", "EU", "non_EU"], weights=[52, 18, 30])[0],
            languages=", ".join(sorted({*rng.sample(LANGUAGES, rng.randint(1, 3)), "français"})),
            education_level=rng.choices(
                ["isced_0_2", "isced_3_4", "isced_5_8", "unknown"], weights=[52, 30, 8, 10]
            )[0],
            foreign_diploma_unrecognised=rng.random() < 0.15,
            jobseeker_since=start - dt.timedelta(days=rng.randint(60, 3000)),
            actiris_registered=rng.random() < 0.85,
            gdpr_consent_on=start,
            counsellor=counsellor,
            income_kind=rng.choices([k.value for k in IncomeKind], weights=[45, 33, 5, 5, 10, 2])[
                0
            ],
            income_since=start - dt.timedelta(days=rng.randint(30, 900)),
        )
        stats["participants"] += 1
        for _ in range(rng.randint(1, 4)):
            identified = start + dt.timedelta(days=rng.randint(0, 30))
            if identified > today:
                continue
            need = services.need_add(
                participant=participant,
                category=rng.choice(NeedCategory.values),
                identified_on=identified,
            )
            stats["needs"] += 1
            resolved = identified + dt.timedelta(days=rng.randint(20, 400))
            if resolved <= today and rng.random() < 0.6:
                services.need_resolve(need=need, resolved_on=resolved)
        pathway_starts = [start]
        if rng.random() < 0.18 and (today - start).days > 500:
            pathway_starts.append(
                start + dt.timedelta(days=rng.randint(420, (today - start).days - 10))
            )
        for number, started_on in enumerate(pathway_starts):
            programme = programmes[0] if (index + number) % 3 else programmes[1]
            stats["events"] += _seed_pathway(
                rng=rng,
                services=services,
                participant=participant,
                programme=programme,
                started_on=started_on,
                counsellor=counsellor,
                today=today,
                last=number == len(pathway_starts) - 1,
            )
            stats["pathways"] += 1
    # Follow-ups already due: most were done, as a counsellor would have.
    for follow_up in FollowUp.objects.filter(
        pathway__participant__organization=organization, due_on__lt=today - dt.timedelta(days=20)
    ).order_by("pk"):
        if rng.random() < 0.8:
            services.follow_up_record(
                follow_up=follow_up,
                done_on=min(today, follow_up.due_on + dt.timedelta(days=rng.randint(0, 15))),
                situation=rng.choices(
                    ["employed", "training", "job_seeking", "inactive", "unknown"],
                    weights=[40, 15, 30, 5, 10],
                )[0],
                improved=rng.random() < 0.55,
            )
    return stats


def _seed_pathway(*, rng, services, participant, programme, started_on, counsellor, today, last):
    pathway = services.pathway_open(
        participant=participant, programme=programme, started_on=started_on, by=counsellor
    )
    age_days = (today - started_on).days
    events = 0
    # A contact every 2-5 weeks; some recent pathways are left quiet to show the "no news" list.
    day = started_on
    quiet = rng.random() < 0.08
    while True:
        day += dt.timedelta(days=rng.randint(12, 38))
        if day > today or (quiet and day > today - dt.timedelta(days=45)):
            break
        if age_days > 720 and (day - started_on).days > rng.randint(300, 700):
            break
        kind = rng.choices(list(EVENT_TEXTS), weights=[60, 10, 10, 6, 7, 7])[0]
        restricted = rng.random() < 0.06
        services.event_add(
            pathway=pathway,
            by=counsellor,
            date=day,
            kind=kind,
            duration_minutes=rng.choice([30, 45, 60, 90]),
            text=rng.choice(RESTRICTED_TEXTS if restricted else EVENT_TEXTS[kind]),
            confidentiality="restricted" if restricted else "normal",
        )
        events += 1
    for text in rng.sample(
        [
            "Obtenir le permis B",
            "Terminer le module FLE",
            "Trouver une crèche",
            "Envoyer 10 candidatures",
            "Ouvrir un compte en banque",
            "Finir le chantier",
        ],
        rng.randint(1, 3),
    ):
        goal = services.goal_add(pathway=pathway, text=text)
        if age_days > 200:
            services.goal_set_status(goal=goal, status=rng.choice(["done", "done", "dropped"]))
    route = rng.choice(PHASE_ROUTES)
    steps = min(len(route), 1 + age_days // 90)
    for phase in route[:steps]:
        services.pathway_change_phase(pathway=pathway, phase=phase, by=counsellor)
    ends_after = rng.randint(150, 640)
    if not last or age_days > ends_after:
        ended_on = min(today, started_on + dt.timedelta(days=ends_after))
        outcome = rng.choice(OUTCOMES)
        pathway = services.pathway_close(
            pathway=pathway,
            ended_on=ended_on,
            exit_outcome=outcome,
            by=counsellor,
            qualification_obtained=outcome == "training_qualifying" and rng.random() < 0.5,
            job_searching_at_exit=outcome.startswith(("dropped", "no_news", "moved", "other")),
        )
    _backdate_transitions(pathway, started_on, today)
    return events


def _backdate_transitions(pathway, started_on, today):
    """The services stamp transitions with the time they ran; in the demo they are spread over
    the pathway as a counsellor would have made them (opening, a phase change every ~3 months)."""
    from datetime import datetime, time

    from django.utils import timezone

    from participants.models import PathwayTransition

    last_day = pathway.ended_on or today
    for step, transition in enumerate(pathway.transitions.order_by("pk")):
        if transition.kind == PathwayTransition.Kind.CLOSE:
            day = last_day
        else:
            day = min(last_day, started_on + dt.timedelta(days=step * 90 - (step > 0) * 60))
        moment = timezone.make_aware(datetime.combine(day, time(10, 30)))
        PathwayTransition.objects.filter(pk=transition.pk).update(at=moment)
