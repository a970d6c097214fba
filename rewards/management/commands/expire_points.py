from django.core.management.base import BaseCommand

from rewards.services import points_expire_due


class Command(BaseCommand):
    help = "Post expiry entries for lapsed points (also run daily by Celery beat). Safe to repeat."

    def handle(self, *args, **options):
        self.stdout.write(f"Expired {points_expire_due()} lot(s).")
