from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organization
from participants.importing import ImportFileError, participants_import


class Command(BaseCommand):
    help = (
        "Imports participants and their pathways from a CSV or XLSX file (DESIGN §6). "
        "All or nothing: any bad row is reported with its line and column, and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--organization", required=True, help="slug of the operator")
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")

    def handle(self, *args, file: Path, organization: str, dry_run: bool, **options):
        operator = Organization.objects.filter(
            slug=organization, kind=Organization.Kind.OPERATOR
        ).first()
        if operator is None:
            raise CommandError(f"No operator organization with the slug {organization!r}.")
        try:
            content = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        try:
            report = participants_import(
                organization=operator, content=content, filename=file.name, dry_run=dry_run
            )
        except ImportFileError as error:
            raise CommandError(str(error)) from None
        for line, message in report.participants_known:
            self.stdout.write(f"line {line}: {message}")
        for line, message in report.pathways_skipped:
            self.stdout.write(f"line {line}: {message}")
        if not report.ok:
            for error in report.errors:
                self.stderr.write(f"line {error.line}, column {error.column}: {error.message}")
            raise CommandError(
                f"{len(report.errors)} error(s) in {report.rows} rows: nothing was imported."
            )
        verb = "Would create" if dry_run else "Created"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {report.participants_created} participants and "
                f"{report.pathways_created} pathways from {report.rows} rows"
                f"{' (dry run: nothing written)' if dry_run else ''}."
            )
        )
