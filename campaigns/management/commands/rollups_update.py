"""Bring the dashboard's daily rollups up to date now, as beat does every five minutes.

After a restore or a large import the first run rolls up the whole ledger; later runs only
the days that have new entries.
"""

from django.core.management.base import BaseCommand

from campaigns.insights.rollups import ledger_roll_up


class Command(BaseCommand):
    help = "Bring the dashboard's daily rollups up to date."

    def handle(self, *args, **options):
        days = ledger_roll_up()
        self.stdout.write(f"{days} days rolled up.")
