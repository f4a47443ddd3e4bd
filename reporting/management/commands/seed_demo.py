import random

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import demo as accounts_demo
from accounts.models import Organization, User


class Command(BaseCommand):
    help = "Fills an empty database with realistic, deterministic demo data (DESIGN §6)."

    def add_arguments(self, parser):
        # "large" arrives with the performance work (issue 7).
        parser.add_argument("--scale", choices=["small"], default="small")
        parser.add_argument("--seed", type=int, default=2026, help="same seed, same data")

    def handle(self, *args, scale, seed, **options):
        if Organization.objects.exists():
            self.stdout.write(
                "The database already holds organizations: nothing seeded "
                "(use a fresh database to reseed)."
            )
            return
        rng = random.Random(seed)
        with transaction.atomic():
            accounts_demo.seed_accounts(rng=rng)
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded scale={scale} seed={seed}: {Organization.objects.count()} organizations, "
                f"{User.objects.count()} accounts."
            )
        )
        self.stdout.write(f"Demo accounts (password {accounts_demo.DEMO_PASSWORD!r}):")
        for email, _first, _last, role, _org in accounts_demo.DEMO_ACCOUNTS:
            self.stdout.write(f"  {email:<24} {role.label}")
