"""After sending, the owner sees who bought within the attribution window and for how much,
who used the offer and who unsubscribed (issue 15)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from campaigns.models import Message
from campaigns.sending import pipeline
from campaigns.sending.report import campaign_report
from campaigns.services import campaign_schedule
from members.models import ConsentEvent
from members.services import consent_set
from rewards import services
from tests.campaigns.sending_helpers import campaign, subscriber
from tests.factories import LocationFactory, RewardFactory

pytestmark = pytest.mark.django_db
SENT = timezone.make_aware(datetime(2026, 12, 3, 12, 0))


def buy(member, kr, days_after, shop):
    return services.purchase_register(
        member=member,
        amount_ore=kr * 100,
        idempotency_key=f"{member.pk}:{days_after}:{kr}",
        location=shop,
        at=SENT + timedelta(days=days_after),
    )


def test_buyers_revenue_used_vouchers_and_unsubscribes_are_counted_from_the_recipients():
    shop = LocationFactory()
    kari, ola, nora, per = (subscriber() for _ in range(4))
    made = campaign(offer=RewardFactory(name="Kaffe", cost_points=None))
    campaign_schedule(campaign=made, now=SENT)
    pipeline.campaigns_run(
        now=SENT, hand_out=lambda ids: [pipeline.message_deliver(message_id=pk, now=SENT) for pk in ids]
    )
    buy(kari, 100, 1, shop)
    buy(kari, 50, 3, shop)
    refunded = buy(ola, 200, 2, shop)
    services.entry_reverse(
        entry=refunded.entry, reason="refund", idempotency_key="r", at=SENT + timedelta(days=2)
    )
    buy(nora, 300, 20, shop)  # after the 14 days: not the campaign's
    services.voucher_use(
        code=Message.objects.get(member=per).voucher.code, idempotency_key="u", location=shop, at=SENT
    )
    consent_set(member=ola, channel="email", granted=False, source=ConsentEvent.Source.UNSUBSCRIBE)

    made.refresh_from_db()
    report = campaign_report(made)

    assert report.by_status == {Message.Status.SENT: 4}
    assert (report.buyers, report.revenue_ore) == (1, 15_000)  # Kari; Ola's purchase was refunded
    assert report.vouchers_used == 1
    assert report.unsubscribed == 1
    assert len(report.days) == 14
    assert [(d.buyers, d.revenue_ore) for d in report.days[:4]] == [(0, 0), (1, 10_000), (1, 0), (1, 5_000)]


def test_a_link_in_the_email_is_counted_once_and_goes_where_the_owner_sent_it():
    subscriber()
    made = campaign()
    made.contents.update(body="Se [helgebaksten](https://bakeriet.example/helg?uke=49).")
    campaign_schedule(campaign=made, now=SENT)
    pipeline.campaigns_run(
        now=SENT, hand_out=lambda ids: [pipeline.message_deliver(message_id=pk, now=SENT) for pk in ids]
    )
    html = mail.outbox[0].alternatives[0][0]
    link = re.search(r'href="https?://[^/"]+(/k/[^"]+)"', html).group(1)
    reader = Client()

    first = reader.get(link)
    again = reader.get(link)
    tampered = reader.get(link[:-4] + "abc/")

    assert (first.status_code, first["Location"]) == (302, "https://bakeriet.example/helg?uke=49")
    assert again.status_code == 302
    assert tampered.status_code == 400
    made.refresh_from_db()
    assert campaign_report(made).clicked == 1
    assert "bakeriet.example" not in html.split("/k/")[0]  # the address itself is not in the e-mail


def test_the_dashboard_lists_the_periods_campaigns_with_the_same_figures_as_their_page():
    from campaigns.insights.selectors import Period, dashboard

    shop = LocationFactory()
    kari, ola = subscriber(), subscriber()
    made = campaign()
    campaign_schedule(campaign=made, now=SENT)
    pipeline.campaigns_run(
        now=SENT, hand_out=lambda ids: [pipeline.message_deliver(message_id=pk, now=SENT) for pk in ids]
    )
    buy(kari, 120, 2, shop)
    consent_set(member=ola, channel="email", granted=False, source=ConsentEvent.Source.UNSUBSCRIBE)
    made.refresh_from_db()

    december = dashboard(period=Period(SENT.date().replace(day=1), SENT.date().replace(day=31)), now=SENT)
    november = dashboard(
        period=Period(SENT.date().replace(month=11, day=1), SENT.date().replace(month=11, day=30))
    )
    report = campaign_report(made)

    [line] = december.campaigns
    assert (
        (line.name, line.sent, line.buyers, line.revenue_ore, line.unsubscribed)
        == (
            made.name,
            report.by_status[Message.Status.SENT],
            report.buyers,
            report.revenue_ore,
            report.unsubscribed,
        )
        == ("Lørdagskaffe", 2, 1, 12_000, 1)
    )
    assert november.campaigns == []
