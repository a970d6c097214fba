"""NPS on the dashboard, month by month: the surveys sent, the answers (promoters 9-10,
passives 7-8, detractors 0-6), the score (the promoters' share less the detractors', in
points from -100 to 100), the response rate, and the promoters invited to refer a friend
with how many of them did. Three queries, whatever the number of months.

With a shop chosen, all of it is about the shop's own members (their home shop): the surveys
sent to them, their answers, the invitations; the response rate is then theirs too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import TruncMonth

from campaigns.insights.selectors.figures import percent
from campaigns.insights.selectors.period import Month
from campaigns.models import Flow, Message, NpsAnswer
from referrals.models import Referral


@dataclass(frozen=True)
class NpsRow:
    month: date
    surveys: int
    answers: int
    promoters: int
    passives: int
    detractors: int
    invited: int
    referred: int

    @property
    def score(self) -> Decimal | None:
        if not self.answers:
            return None
        return (Decimal(self.promoters - self.detractors) * 100 / self.answers).quantize(
            Decimal("1"), ROUND_HALF_UP
        )

    @property
    def response_rate(self) -> Decimal | None:
        return percent(self.answers, self.surveys) if self.surveys else None


def _by_month(queryset, field: str, **counts) -> dict[date, dict]:
    rows = queryset.annotate(month=TruncMonth(field)).values("month").annotate(**counts).order_by()
    return {row["month"].date(): row for row in rows}  # the 1st of the month, in the club's time zone


def nps_by_month(months: list[Month], *, location_id: int | None = None) -> list[NpsRow]:
    start, end = months[0].start, months[-1].end
    answers = NpsAnswer.objects.filter(answered_at__gte=start, answered_at__lt=end)
    sent = Message.objects.filter(status=Message.Status.SENT, sent_at__gte=start, sent_at__lt=end)
    if location_id is not None:
        answers = answers.filter(member__home_location=location_id)
        sent = sent.filter(member__home_location=location_id)
    answered = _by_month(
        answers,
        "answered_at",
        n=Count("pk"),
        promoters=Count("pk", filter=Q(score__gte=9)),
        detractors=Count("pk", filter=Q(score__lte=6)),
    )
    surveys = _by_month(sent.filter(campaign__flow__kind=Flow.Kind.NPS), "sent_at", n=Count("pk"))
    referred_after = Exists(
        Referral.objects.filter(referrer=OuterRef("member"), created_at__gte=OuterRef("sent_at"))
    )
    invites = _by_month(
        sent.filter(campaign__flow__kind=Flow.Kind.PROMOTER_INVITE).annotate(referred=referred_after),
        "sent_at",
        n=Count("pk"),
        referred=Count("pk", filter=Q(referred=True)),
    )
    rows = []
    for month in months:
        a, s, i = answered.get(month.first, {}), surveys.get(month.first, {}), invites.get(month.first, {})
        n, promoters, detractors = a.get("n", 0), a.get("promoters", 0), a.get("detractors", 0)
        rows.append(
            NpsRow(
                month=month.first,
                surveys=s.get("n", 0),
                answers=n,
                promoters=promoters,
                passives=n - promoters - detractors,
                detractors=detractors,
                invited=i.get("n", 0),
                referred=i.get("referred", 0),
            )
        )
    return rows
