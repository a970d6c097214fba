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
        would = "Would " if dry_run else ""

        # Member numbers only: this output ends up in logs, which must not hold names.
        def report(action, member):
            if action == "cancel":
                self.stdout.write(f"{would}cancel the warning of {member.number} (active again)")
            elif action == "erase":
                self.stdout.write(
                    f"{would}erase {member.number}" if dry_run else f"Erased member #{member.pk}"
                )
            else:
                channel = erasure_warning_channel(member) or "-"
                self.stdout.write(f"{would}warn {member.number} by {channel}")

        run = retention_sweep(dry_run=dry_run, report=report)
        self.stdout.write(
            f"{'Dry run: ' if dry_run else ''}{run.warned} warned, {run.erased} erased, "
            f"{run.cancelled} warning(s) cancelled."
        )
