"""One tick of the sending pipeline, as Celery beat runs it every minute in production.

The embedded default (`make run`) has no beat: run this to send what has come due since
(a scheduled campaign, or messages that waited for the end of quiet hours).
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from campaigns.sending import pipeline
from campaigns.tasks import messages_deliver


class Command(BaseCommand):
    help = "Start due campaigns and send the messages that may go now."

    def handle(self, *args, **options):
        handed_out = pipeline.campaigns_run(now=timezone.now(), hand_out=messages_deliver.delay)
        self.stdout.write(f"{handed_out} messages handed out.")
