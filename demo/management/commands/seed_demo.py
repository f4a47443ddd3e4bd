import random
import time

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Organization, User
from demo import accounts as accounts_demo
from demo import agenda as agenda_demo
from demo import chantiers as chantiers_demo
from demo import large as demo_large
from demo import participants as participants_demo
from demo import partners as partners_demo
from demo import privacy as privacy_demo
from demo import trainings as trainings_demo
from demo import volunteers as volunteers_demo
from demo import workshops as workshops_demo

# Participants per operator at each scale (DESIGN §6: small ≈ 300 over five years).
PARTICIPANTS = {"small": {"operator": 300, "operator_2": 60}}


class Command(BaseCommand):
    help = "Fills an empty database with realistic, deterministic demo data (DESIGN §6)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=["small", "large"], default="small")
        parser.add_argument("--seed", type=int, default=2026, help="same seed, same data")

    def handle(self, *args, scale, seed, **options):
        if Organization.objects.exists():
            self.stdout.write(
                "The database already holds organizations: nothing seeded "
                "(use a fresh database to reseed)."
            )
            return
        rng = random.Random(seed)
        if scale == "large":
            self._seed_large(rng, seed)
            return
        with transaction.atomic():
            accounts = accounts_demo.seed_accounts(rng=rng)
            orgs = accounts["organizations"]
            stats = {}
            for key, count in PARTICIPANTS[scale].items():
                for name, value in participants_demo.seed_participants(
                    rng=rng, organization=orgs[key], count=count, funder=orgs["funder"]
                ).items():
                    stats[name] = stats.get(name, 0) + value
            operator = orgs["operator"]
            stats |= chantiers_demo.seed_chantiers(
                rng=rng,
                organization=operator,
                host=orgs["housing"],
                programme=operator.programmes.get(code="mokolab"),
                coordinators=list(
                    User.objects.filter(
                        memberships__organization=operator, memberships__role="coordinator"
                    ).order_by("pk")
                ),
                director=User.objects.filter(
                    memberships__organization=operator, memberships__role="direction"
                )
                .order_by("pk")
                .first(),
            )
            stats |= partners_demo.seed_partners(rng=rng, organizations=orgs)
            stats |= privacy_demo.seed_privacy(rng=rng, organization=operator)
            stats |= agenda_demo.seed_agenda(rng=rng, organizations=[operator, orgs["operator_2"]])
            stats |= trainings_demo.seed_trainings(
                rng=rng,
                organizations=[operator, orgs["operator_2"]],
                centre=trainings_demo.training_centre(orgs.values()),
            )
            stats |= workshops_demo.seed_workshops(
                rng=rng,
                organizations=[operator, orgs["operator_2"]],
                partner=workshops_demo.workshop_partner(orgs.values()),
            )
            # Last: the rng draws of the modules above stay as they were.
            stats |= volunteers_demo.seed_volunteers(
                rng=rng,
                organizations=[operator, orgs["operator_2"]],
                account=accounts["users"][accounts_demo.VOLUNTEER_EMAIL],
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded scale={scale} seed={seed}: {Organization.objects.count()} organizations, "
                f"{User.objects.count()} accounts, {stats['participants']} participants, "
                f"{stats['pathways']} pathways, {stats['events']} events, {stats['needs']} needs, "
                f"{stats['chantiers']} chantiers, {stats['sessions']} sessions, "
                f"{stats['attendances']} attendance marks, "
                f"{stats['statements']} validated monthly statements, "
                f"{stats['paid_batches']} paid payment batch, "
                f"{stats['volunteers']} volunteers ({stats['service_sheets']} service sheets: "
                f"{stats['service_sheets_validated']} validated, "
                f"{stats['service_sheets_submitted']} waiting, "
                f"{stats['service_sheets_returned']} returned; "
                f"{stats['volunteer_statements']} validated monthly statements), "
                f"{stats['partner_services']} partner services, {stats['referrals']} referrals, "
                f"{stats['employers']} employers, {stats['prospections']} prospections, "
                f"{stats['matchings']} matchings, "
                f"{stats['trainings']} trainings ({stats['trainings_completed']} completed, "
                f"{stats['trainings_ongoing']} ongoing, {stats['trainings_abandoned']} abandoned, "
                f"{stats['trainings_planned']} planned; "
                f"{stats['trainings_by_partner']} noted by the training centre), "
                f"{stats['certifications']} certifications, {stats['documents']} documents, "
                f"{stats['confidential_addresses']} confidential addresses, "
                f"{stats['appointments']} appointments ({stats['appointments_held']} held, "
                f"{stats['appointments_no_show']} no-shows, "
                f"{stats['appointments_cancelled']} cancelled, "
                f"{stats['appointments_to_complete']} to complete, "
                f"{stats['appointments_planned']} planned of which "
                f"{stats['appointments_tomorrow']} tomorrow), "
                f"{stats['reminder_consents']} consents to reminders, "
                f"{stats['reminders']} reminders sent, "
                f"{stats['modules']} collective modules ({stats['module_sessions']} sessions: "
                f"{stats['module_sessions_cancelled']} cancelled, "
                f"{stats['module_sessions_coming']} to come; "
                f"{stats['module_enrolments']} enrolments, {stats['module_marks']} marks of which "
                f"{stats['module_presences']} present; {stats['drop_in_visits']} EPN drop-in "
                f"visits of {stats['drop_in_visitors']} people)."
            )
        )
        self._print_accounts()

    def _seed_large(self, rng, seed):
        """DESIGN §6 "large": the same organizations and demo logins, then bulk data."""
        started = time.monotonic()
        with transaction.atomic():
            accounts = accounts_demo.seed_accounts(rng=rng)
            written = demo_large.seed_large(rng=rng, organizations=accounts["organizations"])
        demo_large.refresh_statistics()
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded scale=large seed={seed} in {elapsed:.1f} s: "
                f"{Organization.objects.count()} organizations, {User.objects.count()} accounts."
            )
        )
        for model, count in written.items():
            self.stdout.write(f"  {model:<28} {count:>8}")
        self._print_accounts()

    def _print_accounts(self):
        self.stdout.write(f"Demo accounts (password {accounts_demo.DEMO_PASSWORD!r}):")
        for email, _first, _last, role, _org in accounts_demo.DEMO_ACCOUNTS:
            self.stdout.write(f"  {email:<24} {role.label}")
        self.stdout.write(
            "admin@ and direction@ are asked for a second factor: add the key "
            f"{accounts_demo.demo_key_base32()} to an authenticator app, or run "
            "`python manage.py demo_code admin@demo.local` for the current code."
        )
