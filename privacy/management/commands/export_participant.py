"""The subject-access export of one participant (privacy/subject_access.py), as the page gives
it: ``export_participant ID --output FILE.zip [--user EMAIL]``.

With ``--user``, that account's membership in the person's organization (administration or
direction) decides what is included, and the export is logged under its name. Without it,
restricted notes and a confidential address are left out (the least that may be shown) and the
export is logged as made from the command line. A bad argument changes nothing and writes no
file.
"""

import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation

from accounts.models import Membership, Role, User
from participants.models import Participant
from privacy.subject_access import Requester, subject_access_zip

ROLES = (Role.ADMIN, Role.DIRECTION)


class Command(BaseCommand):
    help = "Export everything held on one participant (GDPR right of access): a ZIP file."

    def add_arguments(self, parser):
        parser.add_argument("participant_id", metavar="ID", help="The participant's id.")
        parser.add_argument("--output", required=True, help="The ZIP file to write.")
        parser.add_argument(
            "--user",
            help="E-mail of the administration or direction account the export is made for "
            "(without it: no restricted note, no confidential address).",
        )

    def handle(self, *args, participant_id, output, user, **options):
        participant = self._participant(participant_id)
        requester = self._requester(user, participant) if user else Requester()
        target = self._target(output)
        # One transaction: a file that cannot be written leaves no entry in the access log.
        with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
            content = subject_access_zip(participant=participant, requester=requester)
            # Written beside the target, then moved: an interrupted write leaves no half file.
            # Readable by its owner only (it holds the national number, the IBAN, the notes);
            # a new file of a random name, never one planted there beforehand.
            try:
                handle, partial = tempfile.mkstemp(
                    dir=target.parent, prefix=f".{target.name}.", suffix=".partial"
                )
            except OSError as error:
                raise CommandError(f"Cannot write {target}: {error.strerror}.") from error
            try:
                with os.fdopen(handle, "wb") as file:
                    file.write(content)
                os.replace(partial, target)
            except OSError as error:
                Path(partial).unlink(missing_ok=True)
                raise CommandError(f"Cannot write {target}: {error.strerror}.") from error
        self.stdout.write(
            f"participant #{participant.pk} ({participant.organization.slug}): export written "
            f"to {target} ({len(content)} bytes), logged for {requester.name}."
        )

    def _participant(self, value: str) -> Participant:
        if not (value.isascii() and value.isdigit()):
            raise CommandError(f"{value!r} is not a participant id (a whole number).")
        participant = (
            Participant.objects.select_related("organization").filter(pk=int(value)).first()
        )
        if participant is None:
            raise CommandError(f"No participant #{value}.")
        if participant.anonymised_at is not None:
            raise CommandError(
                f"Participant #{value} is anonymised: nothing identifies the person any more."
            )
        return participant

    def _requester(self, email: str, participant: Participant) -> Requester:
        account = User.objects.filter(email__iexact=email.strip()).first()
        if account is None:
            raise CommandError(f"No account with the e-mail {email!r}.")
        membership = (
            Membership.objects.active()
            .filter(user=account, organization=participant.organization)
            .select_related("organization")
            .first()
        )
        if membership is None or membership.role not in ROLES:
            raise CommandError(
                f"{email} is not administration or direction of "
                f"{participant.organization.slug}: only they make this export."
            )
        return Requester(user=account, membership=membership)

    def _target(self, output: str) -> Path:
        target = Path(output).expanduser()
        if target.suffix.lower() != ".zip":
            raise CommandError(f"The output must be a .zip file, not {output!r}.")
        folder = target.parent.resolve()
        if not folder.is_dir():
            raise CommandError(f"No folder {folder} to write {target.name} in.")
        if target.is_dir():
            raise CommandError(f"{target} is a folder.")
        if not os.access(folder, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
            raise CommandError(f"Cannot write {target}: permission denied.")
        return target
