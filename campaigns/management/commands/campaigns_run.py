"""One tick of the sending pipeline, as Celery beat runs it every minute in production.

The embedded default (`make run`) has no beat: run this to send what has come due since
(a scheduled campaign, messages that waited for the end of quiet hours, and the members who
have entered a flow's step since).
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from campaigns.flows.services import flows_enter
from campaigns.sending import pipeline
from campaigns.tasks import messages_deliver


class Command(BaseCommand):
    help = "Start due campaigns and send the messages that may go now."

    def handle(self, *args, **options):
        entered = flows_enter(now=timezone.now())
        handed_out = pipeline.campaigns_run(now=timezone.now(), hand_out=messages_deliver.delay)
        self.stdout.write(f"{entered} entered flows, {handed_out} messages handed out.")
