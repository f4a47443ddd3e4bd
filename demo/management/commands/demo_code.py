"""The current second-factor code of a demo account (its key is published in the README): what
an authenticator app holding that key would show now. Refuses any account whose device is not
the demo's."""

from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from demo.accounts import DEMO_TOTP_KEY


class Command(BaseCommand):
    help = "Prints the current second-factor code of a demo account (admin@, direction@)."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        device = TOTPDevice.objects.filter(
            user__email__iexact=email, confirmed=True, key=DEMO_TOTP_KEY.hex()
        ).first()
        if device is None:
            raise CommandError(
                f"{email} has no demo second factor (only the demo's admin@ and direction@ do)."
            )
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
        self.stdout.write(f"{code:06d}")
