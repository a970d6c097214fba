from django.core.management.base import BaseCommand

from members.services import erasure_warning_channel
from members.services.retention import retention_sweep


class Command(BaseCommand):
    help = (
        "Warn members inactive for nearly the club's retention period, and erase those warned "
        "30 days ago who stayed away (also run daily by Celery beat). Safe to repeat."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Only list who would be warned and erased; change nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        run = retention_sweep(dry_run=dry_run)
        would = "Would " if dry_run else ""
        # Member numbers only: this output ends up in logs, which must not hold names.
        for member in run.cancelled:
            self.stdout.write(f"{would}cancel the warning of {member.number} (active again)")
        for member in run.erased:
            self.stdout.write(f"{would}erase {member.number}" if dry_run else f"Erased member #{member.pk}")
        for member in run.warned:
            channel = erasure_warning_channel(member) or "-"
            self.stdout.write(f"{would}warn {member.number} by {channel}")
        self.stdout.write(
            f"{'Dry run: ' if dry_run else ''}{len(run.warned)} warned, {len(run.erased)} erased, "
            f"{len(run.cancelled)} warning(s) cancelled."
        )
