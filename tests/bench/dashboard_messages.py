"""The dashboard bench's club talks to its members: two e-mail campaigns and the NPS survey,
written set-based like the rest of its data (tests.bench.dashboard_data).

Everyone who had agreed to e-mail when a campaign started was sent it (CAMPAIGN_DAYS before
now: both lie in the default period, so the dashboard's campaign figures count them with the
buyers in the attribution window after each message); a tenth of them clicked. Every tenth
member was asked the NPS question ten days after joining, and four in ten of those answered.
Without these the bench counted no campaign or NPS figure at all, and a club that sends has
more messages than members.
"""

from __future__ import annotations

from datetime import timedelta

from campaigns.flows.services import flows_ensure
from campaigns.models import Campaign, Flow, Message, NpsAnswer, Segment
from tests.bench.bulk_sql import copy_rows, first_free_id

CAMPAIGN_DAYS = (20, 8)


class MessageTemplates:
    """A sent message of each campaign and an NPS answer, made through the ORM; the copies
    take their other columns."""

    def __init__(self, templates):
        now, member = templates.now, templates.member
        everyone, _created = Segment.objects.get_or_create(name="Bench: alle")
        self.campaigns = [
            Campaign.objects.create(
                name=f"Bench-tilbud for {days} dager siden",
                segment=everyone,
                status=Campaign.Status.DONE,
                started_at=now - timedelta(days=days),
            )
            for days in CAMPAIGN_DAYS
        ]
        flows_ensure()
        survey = Campaign.objects.create(
            name="Bench: NPS", flow=Flow.objects.get(kind=Flow.Kind.NPS), status=Campaign.Status.SENDING
        )
        self.message = Message.objects.create(
            campaign=self.campaigns[0],
            member=member,
            channel="email",
            status=Message.Status.SENT,
            sent_at=now,
        )
        self.survey = Message.objects.create(
            campaign=survey,
            member=member,
            channel="email",
            status=Message.Status.SENT,
            sent_at=now,
            occasion="t",
        )
        self.answer = NpsAnswer.objects.create(message=self.survey, member=member, score=9, answered_at=now)


_made: list[MessageTemplates] = []


def messages_add(templates, *, member_base: int, first: int, last: int, joined, now: str) -> None:
    """Messages and answers of members first .. last (indices; member i has the id
    member_base + i - first and joined at the SQL time `joined("g.i")`)."""
    if not _made:
        _made.append(MessageTemplates(templates))
    made = _made[0]
    members = f"generate_series({first}::bigint, {last}::bigint) AS g(i)"
    member = f"({member_base} + g.i - {first})"
    for campaign in made.campaigns:
        start = f"'{campaign.started_at.isoformat()}'::timestamptz"
        sent = f"({start} + interval '1 second' * (g.i % 3600))"
        copy_rows(
            Message,
            made.message.pk,
            {
                "key": "gen_random_uuid()",
                "campaign_id": str(campaign.pk),
                "member_id": member,
                "due_at": start,
                "sending_at": sent,
                "sent_at": sent,
                "created_at": start,
                "clicked_at": f"CASE WHEN g.i % 10 = 1 THEN {sent} + interval '2 hours' END",
            },
            members,
            # Joined before the start, and not among the fifth who withdrew e-mail 100 days
            # after joining (dashboard_data's consents), nor erased (200 days after joining).
            where=(
                f"{joined('g.i')} < {start}"
                f" AND NOT (g.i % 5 = 0 AND {joined('g.i')} + interval '100 days' < {start})"
                f" AND NOT (g.i % 50 = 25 AND {joined('g.i')} + interval '200 days' < {start})"
            ),
        )
    asked = f"({joined('g.i')} + interval '10 days')"
    survey_base = first_free_id(Message)
    survey = f"({survey_base} + g.i - {first})"
    copy_rows(
        Message,
        made.survey.pk,
        {
            "id": survey,
            "key": "gen_random_uuid()",
            "member_id": member,
            "occasion": "'bench-' || g.i",
            "due_at": asked,
            "sending_at": asked,
            "sent_at": asked,
            "created_at": asked,
        },
        members,
        where=f"g.i % 10 = 3 AND {asked} < {now}",
    )
    copy_rows(
        NpsAnswer,
        made.answer.pk,
        {
            "message_id": survey,
            "member_id": member,
            "score": "10 - ((g.i / 50) * 3) % 9",  # 2 to 10, most of them 7 or more
            "answered_at": f"{asked} + interval '1 hour'",
        },
        members,
        where=f"g.i % 10 = 3 AND (g.i / 10) % 5 < 2 AND {asked} + interval '1 hour' < {now}",
    )
