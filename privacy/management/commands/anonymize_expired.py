"""Anonymises the participants whose retention period is over (privacy/anonymisation.py).

A dry run unless told otherwise: it prints who would be anonymised and changes nothing;
``--wet-run`` does it. Only ids and dates are printed, never a name.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import Organization
from privacy.anonymisation import anonymisation_due, anonymise_due


class Command(BaseCommand):
    help = "Anonymise the participants whose retention period is over (dry run by default)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--wet-run", action="store_true", help="Anonymise them (without it: list only)."
        )
        parser.add_argument("--organization", help="Only this organization (its slug).")

    def handle(self, *args, wet_run, organization, **options):
        org = None
        if organization:
            org = Organization.objects.filter(slug=organization).first()
            if org is None:
                raise CommandError(f"No organization with the slug {organization!r}.")
        today = timezone.localdate()
        due = (anonymise_due if wet_run else anonymisation_due)(today=today, organization=org)
        for entry in due:
            ended = entry.last_pathway_end.isoformat() if entry.last_pathway_end else "-"
            self.stdout.write(
                f"participant #{entry.participant.pk} ({entry.participant.organization.slug}): "
                f"last pathway ended {ended}, due since {entry.due_since.isoformat()}"
            )
        if wet_run:
            self.stdout.write(f"{len(due)} participant(s) anonymised.")
        else:
            self.stdout.write(
                f"{len(due)} participant(s) would be anonymised. Nothing changed: "
                "run again with --wet-run to do it."
            )
