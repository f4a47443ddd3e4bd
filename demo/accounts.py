"""Demo organizations and accounts for ``seed_demo`` (DESIGN §6). Deterministic for a given rng."""

import random
from base64 import b32encode
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from stdnum.be import iban as be_iban

from accounts.models import Membership, Organization, Role, User
from accounts.two_factor import ROLES_WITH_SECOND_FACTOR

DEMO_PASSWORD = "demo"
# The second factor of the demo's administration and direction accounts: one published key, so
# that anyone trying the demo adds it to an authenticator app (or asks `manage.py demo_code`).
DEMO_TOTP_KEY = b"chantiers-parcours!!"  # 20 bytes

FIRST_NAMES = [
    "Amina",
    "Youssef",
    "Fatima",
    "Mehdi",
    "Sarah",
    "Karim",
    "Nadia",
    "Thomas",
    "Julie",
    "Ibrahim",
    "Leila",
    "Antoine",
    "Samira",
    "Mohamed",
    "Élodie",
    "Rachid",
    "Camille",
    "Bilal",
    "Inès",
    "Marc",
    "Aïcha",
    "Hamza",
    "Sofia",
    "Nicolas",
    "Khadija",
    "Lucas",
    "Yasmina",
    "Omar",
    "Charlotte",
    "Ali",
]
LAST_NAMES = [
    "El Amrani",
    "Dubois",
    "Benali",
    "Peeters",
    "Janssens",
    "Diallo",
    "Lambert",
    "Mertens",
    "Bensaïd",
    "Claes",
    "Haddad",
    "Maes",
    "Ouedraogo",
    "Jacobs",
    "Martin",
    "Kaya",
    "Wouters",
    "Nguyen",
    "Lemaire",
    "Boukhari",
    "Goossens",
    "Dupont",
    "Yilmaz",
    "Renard",
    "Mukendi",
]


# Protocol codes of real Belgian banks: python-stdnum checks them against the bank registry.
BANK_CODES = ["001", "063", "068", "103", "143", "310", "363", "651", "734", "751", "973"]


def belgian_account(rng: random.Random) -> tuple[str, str]:
    """A valid Belgian IBAN (account and IBAN check digits, registered bank) and its BIC."""
    account = int(rng.choice(BANK_CODES) + f"{rng.randrange(10**7):07d}")
    national_check = account % 97 or 97
    bban = f"{account:010d}{national_check:02d}"
    iban_check = 98 - int(bban + "111400") % 97  # "BE00" moved to the end, letters as numbers
    iban = f"BE{iban_check:02d}{bban}"
    return iban, be_iban.info(iban)["bic"]


VOLUNTEER_EMAIL = "benevole@demo.local"
DEMO_ACCOUNTS = [
    # e-mail, first name, last name, role, organization key
    ("admin@demo.local", "Alice", "Vandenberghe", Role.ADMIN, "operator"),
    ("direction@demo.local", "Didier", "Lambrechts", Role.DIRECTION, "operator"),
    ("conseil@demo.local", "Clara", "Benhaddou", Role.COUNSELLOR, "operator"),
    ("chantier@demo.local", "Karim", "Ouali", Role.COORDINATOR, "operator"),
    ("partenaire@demo.local", "Patricia", "De Smet", Role.PARTNER, "housing"),
    # A volunteer who is not a participant (issue 21): their own service sheets and balance.
    # demo.volunteers makes them the volunteer record of the same name.
    (VOLUNTEER_EMAIL, "Bérénice", "Mahieu", Role.VOLUNTEER, "operator"),
]


def seed_accounts(*, rng: random.Random) -> dict:
    """Create the demo organizations, the demo accounts and a few colleagues."""
    operator_iban, operator_bic = belgian_account(rng)
    operator_2_iban, operator_2_bic = belgian_account(rng)
    orgs = {
        "operator": Organization.objects.create(
            name="Mission Locale de Bruxelles-Midi",
            slug="ml-bruxelles-midi",
            kind=Organization.Kind.OPERATOR,
            street="Rue de la Clinique 42",
            postcode="1070",
            city="Anderlecht",
            email="accueil@ml-midi.demo.local",
            phone="02 555 01 00",
            iban=operator_iban,
            bic=operator_bic,
            sepa_creditor_name="Mission Locale de Bruxelles-Midi ASBL",
            annual_target=300,
        ),
        "operator_2": Organization.objects.create(
            name="Mission Locale de Forest",
            slug="ml-forest",
            kind=Organization.Kind.OPERATOR,
            street="Chaussée de Neerstalle 8",
            postcode="1190",
            city="Forest",
            iban=operator_2_iban,
            bic=operator_2_bic,
            sepa_creditor_name="Mission Locale de Forest ASBL",
            annual_target=180,
        ),
        "housing": Organization.objects.create(
            name="Le Foyer du Midi (SISP)",
            slug="foyer-du-midi",
            kind=Organization.Kind.HOUSING,
            street="Boulevard de la Révision 15",
            postcode="1070",
            city="Anderlecht",
        ),
        "cpas": Organization.objects.create(
            name="CPAS d'Anderlecht",
            slug="cpas-anderlecht",
            kind=Organization.Kind.CPAS,
            street="Avenue Raymond Vander Bruggen 62",
            postcode="1070",
            city="Anderlecht",
        ),
        "training": Organization.objects.create(
            name="Centre de formation Bâtir Ensemble",
            slug="batir-ensemble",
            kind=Organization.Kind.TRAINING,
            street="Rue du Chimiste 34",
            postcode="1070",
            city="Anderlecht",
        ),
        "funder": Organization.objects.create(
            name="Fonds social européen ESF+ — Bruxelles",
            slug="esf-bruxelles",
            kind=Organization.Kind.FUNDER,
            city="Bruxelles",
        ),
    }
    now = timezone.now()
    password = make_password(DEMO_PASSWORD)  # hashed once: hashing is slow on purpose
    users = {}
    for email, first, last, role, org_key in DEMO_ACCOUNTS:
        user = User.objects.create(email=email, password=password, first_name=first, last_name=last)
        Membership.objects.create(
            user=user,
            organization=orgs[org_key],
            role=role,
            can_read_restricted_notes=role in (Role.DIRECTION, Role.COUNSELLOR),
            invitation_sent_at=now,  # the demo's people are in: no invitation owed them
        )
        users[email] = user
    for user in users.values():
        if user.memberships.filter(role__in=ROLES_WITH_SECOND_FACTOR).exists():
            TOTPDevice.objects.create(
                user=user, name="démo", key=DEMO_TOTP_KEY.hex(), confirmed=True
            )
    admin = users["admin@demo.local"]
    admin.is_staff = admin.is_superuser = True  # edits the reference tables in the admin site
    admin.save(update_fields=["is_staff", "is_superuser"])
    # The admin also runs a second Mission Locale, to show the organization switcher.
    Membership.objects.create(
        user=admin, organization=orgs["operator_2"], role=Role.ADMIN, invitation_sent_at=now
    )

    colleagues = [
        (Role.COUNSELLOR, "operator", 4),
        (Role.COORDINATOR, "operator", 2),
        (Role.COUNSELLOR, "operator_2", 2),
        (Role.COORDINATOR, "operator_2", 1),
        (Role.PARTNER, "housing", 1),
        (Role.PARTNER, "cpas", 2),
        (Role.PARTNER, "training", 1),
    ]
    taken = set(users)
    for role, org_key, count in colleagues:
        for _ in range(count):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            email = _unique_email(first, last, orgs[org_key].slug, taken)
            last_login = now - timedelta(days=rng.randint(0, 20), minutes=rng.randint(0, 600))
            user = User.objects.create(
                email=email,
                password=password,
                first_name=first,
                last_name=last,
                last_login=last_login,
            )
            Membership.objects.create(
                user=user, organization=orgs[org_key], role=role, invitation_sent_at=now
            )
    return {"organizations": orgs, "users": users}


def _unique_email(first: str, last: str, slug: str, taken: set) -> str:
    base = f"{first}.{last}".lower()
    for accent, plain in (("é", "e"), ("è", "e"), ("ë", "e"), ("ï", "i"), ("î", "i"), (" ", "")):
        base = base.replace(accent, plain)
    email, n = f"{base}@{slug}.demo.local", 1
    while email in taken:
        n += 1
        email = f"{base}{n}@{slug}.demo.local"
    taken.add(email)
    return email


def demo_key_base32() -> str:
    """The demo's key as an authenticator app asks for it."""
    return b32encode(DEMO_TOTP_KEY).decode().rstrip("=")
