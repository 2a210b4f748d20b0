"""Add or update 归口单位 from a CSV file (format: README, 'Supervising units')."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from directory import services


class Command(BaseCommand):
    help = "Import supervising units (any type) from a CSV file; all rows or none."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check the file, change nothing")

    def handle(self, path, dry_run, **options):
        report = services.import_units_csv(services.decode_csv(path.read_bytes()), dry_run=dry_run)
        for error in report.errors:
            self.stderr.write(error)
        if report.errors:
            raise CommandError(f"{len(report.errors)} error(s): nothing imported.")
        would = "would be " if dry_run else ""
        self.stdout.write(
            f"{len(report.created)} unit(s) {would}created, {len(report.updated)} {would}updated."
        )
