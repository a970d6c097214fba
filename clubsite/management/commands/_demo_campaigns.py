"""The demo club's segments: the groups a bakery owner would talk to, in Norwegian.

Opened in admin (Kampanjer -> Segmenter), each shows its live count and its newest members.
The campaign calendar (/kalender/) shows a payday offer that repeats every month and the
town's own events; a campaign sent twelve days ago with two subject lines and a 10 % holdout
shows its result.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.test.utils import override_settings
from django.utils import timezone

from campaigns.models import Campaign, CampaignContent, Goal, LocalEvent, Segment, SegmentCondition
from campaigns.planning.occasions import payday
from campaigns.sending import pipeline
from campaigns.services import campaign_schedule
from members.models import Location, Member
from rewards import services
from rewards.models import Reward, StampCard

Kind = SegmentCondition.Kind


def load_campaign_demo() -> None:
    missed = _segment(
        "Faste kunder som ikke har vært innom på 30 dager",
        "Stamkunder vi savner: en kaffe på huset kan hente dem tilbake.",
        [
            SegmentCondition(kind=Kind.RFM, choice="regular"),
            SegmentCondition(kind=Kind.LAST_SEEN, comparison="at_least", number=30),
        ],
    )
    _win_back_draft(missed)
    _segment(
        "VIP", "De 10 % som handler mest det siste året.", [SegmentCondition(kind=Kind.RFM, choice="vip")]
    )
    _segment(  # an offer to VIPs before everyone else: send to them first
        "VIP-medlemmer",
        "Betalt medlemskap eller prøveperiode nå: gi dem tilbudet først.",
        [SegmentCondition(kind=Kind.PAID_MEMBER, choice="yes")],
    )
    home = Location.objects.order_by("pk").first()
    if home is not None:  # a shop's own members: an event there, a new baker to meet
        _segment(
            f"Medlemmer med {home.name} som hjemmebutikk",
            "De som meldte seg inn der eller kom dit først: for nyheter fra akkurat den butikken.",
            [SegmentCondition(kind=Kind.HOME_SHOP, location=home)],
        )
    _segment(
        "Bursdag de neste 14 dagene",
        "",
        [SegmentCondition(kind=Kind.BIRTHDAY_SOON, days=14)],
    )
    card = StampCard.objects.order_by("pk").first()
    if card is not None:
        _segment(
            f"Nesten fullt {card.name.lower()}",
            "Ett eller to stempler igjen: en påminnelse gir et besøk.",
            [
                SegmentCondition(
                    kind=Kind.STAMPS, card=card, comparison="at_least", number=card.stamps_needed - 2
                )
            ],
        )
    reachable = _segment(
        "Kan nås på SMS eller e-post",
        "Alle som har sagt ja til tilbud på minst én kanal.",
        [
            SegmentCondition(kind=Kind.CONSENT, choice="sms"),
            SegmentCondition(kind=Kind.CONSENT, choice="email"),
        ],
        match=Segment.Match.ANY,
    )
    _payday_series(reachable)
    _sent_with_holdout(_segment("Alle medlemmer", "Hele klubben, uansett samtykke.", []))
    # The guides' way of saying it: "NPS fra 32 til 45 innen 6 måneder", "aktiv andel 60 %",
    # "gjenkjøp +15 % på 12 måneder".
    today = timezone.localdate()
    Goal.objects.create(
        measure=Goal.Measure.NPS, baseline=32, target=45, starts_on=today - timedelta(days=60)
    )
    Goal.objects.create(
        measure=Goal.Measure.ACTIVE_SHARE,
        baseline=40,
        target=60,
        starts_on=today - timedelta(days=120),
        months=12,
    )
    Goal.objects.create(  # "gjenkjøp +15 % på 12 måneder", from 60 % of members staying active
        measure=Goal.Measure.RETENTION,
        baseline=60,
        target=69,
        starts_on=today - timedelta(days=30),
        months=12,
    )
    _local_events()


def _segment(name: str, note: str, conditions: list[SegmentCondition], match=Segment.Match.ALL) -> Segment:
    segment = Segment.objects.create(name=name, description=note, match=match)
    for condition in conditions:
        condition.segment = segment
        condition.full_clean()
        condition.save()
    return segment


def _win_back_draft(segment: Segment) -> None:
    """A draft ready to send: open it in admin, preview it as a member, send it."""
    coffee = Reward.objects.filter(name__icontains="kaffe").order_by("pk").first()
    campaign = Campaign.objects.create(
        name="Vi savner deg – kaffe på huset",
        segment=segment,
        channel=Campaign.Channel.PREFERRED,
        offer=coffee,
    )
    CampaignContent.objects.create(
        campaign=campaign,
        language="nb",
        subject="Vi savner deg, {first_name}!",
        body=(
            "Hei {first_name},\n\n"
            "Det er en stund siden sist. Neste kaffe er på oss: vis koden **{voucher_code}** i kassen.\n\n"
            "Du har {points} poeng (verdt {points_kr}). Kortet ditt: {card_link}"
        ),
        sms="Hei {first_name}! Vi savner deg: neste kaffe er på huset. Kode {voucher_code}",
    )
    CampaignContent.objects.create(
        campaign=campaign,
        language="sv",
        subject="Vi saknar dig, {first_name}!",
        body="Hej {first_name},\n\nNästa kaffe bjuder vi på: visa koden **{voucher_code}** i kassan.",
        sms="Hej {first_name}! Nästa kaffe bjuder vi på. Kod {voucher_code}",
    )


def _payday_series(segment: Segment) -> None:
    """Scheduled for the next payday at 10:00 and repeating every payday after it."""
    today = timezone.localdate()
    day = payday(today.year, today.month)
    if day <= today:
        following = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
        day = payday(following.year, following.month)
    campaign = Campaign.objects.create(
        name="Lønningstilbud: dobbel poeng på helgebakst",
        segment=segment,
        channel=Campaign.Channel.EMAIL,
        status=Campaign.Status.SCHEDULED,
        send_at=timezone.make_aware(datetime.combine(day, time(10))),
        repeat=Campaign.Repeat.PAYDAY,
    )
    CampaignContent.objects.create(
        campaign=campaign,
        language="nb",
        subject="Lønning, {first_name}? Dobbel poeng på helgebakst",
        body=(
            "Hei {first_name},\n\nFra fredag til søndag gir all helgebakst dobbel poeng. "
            "Du har {points} poeng nå. Kortet ditt: {card_link}"
        ),
    )


def _local_events() -> None:
    today = timezone.localdate()
    first_saturday = today.replace(day=1) + timedelta(days=(5 - today.replace(day=1).weekday()) % 7)
    LocalEvent.objects.create(
        name="Julemarked på torget",
        starts_on=first_saturday,
        ends_on=first_saturday + timedelta(days=1),
        note="Stand med smaksprøver: ta med vervekort.",
    )
    LocalEvent.objects.create(
        name="Bakeriets bursdag", starts_on=date(2015, today.month, 12), every_year=True
    )
    LocalEvent.objects.create(
        name="Byfesten", starts_on=date(2024, 6, 13), ends_on=date(2024, 6, 15), every_year=True
    )


def _sent_with_holdout(segment: Segment) -> None:
    """Sent on a Tuesday morning about twelve days ago, with a tenth of the members held out,
    and some purchases since: the page shows the lift, honestly "not clear yet" for a club of
    this size."""
    day = timezone.localdate() - timedelta(days=12)
    while day.weekday() != 1:
        day -= timedelta(days=1)
    sent_at = timezone.make_aware(datetime.combine(day, time(10)))
    campaign = Campaign.objects.create(
        name="Førjulsbakst: pepperkaker til medlemspris",
        segment=segment,
        channel=Campaign.Channel.EMAIL,
        holdout_percent=10,
    )
    CampaignContent.objects.create(
        campaign=campaign,
        language="nb",
        subject="Pepperkakene er her, {first_name}",
        body="Hei {first_name},\n\nHjemmelagde pepperkaker til medlemspris hele uka. Du har {points} poeng.",
    )
    CampaignContent.objects.create(  # the second subject line: which one makes more come in?
        campaign=campaign,
        language="nb",
        variant="B",
        subject="{first_name}, pepperkakene er ferske i dag",
        body="Hei {first_name},\n\nHjemmelagde pepperkaker til medlemspris hele uka. Du har {points} poeng.",
    )
    campaign_schedule(campaign=campaign, now=sent_at)
    # History, not news: the e-mails of twelve days ago are not printed in the terminal.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        pipeline.campaigns_run(
            now=sent_at, hand_out=lambda ids: pipeline.messages_deliver(ids=ids, now=sent_at)
        )
    rng, shop = random.Random(1224), Location.objects.order_by("pk").first()
    for n, member in enumerate(Member.objects.filter(erased_at=None).order_by("pk")):
        if rng.random() < 0.3:
            at = sent_at + timedelta(days=rng.uniform(0.1, 11))
            services.purchase_register(
                member=member,
                amount_ore=rng.choice([6900, 8900, 12500]),
                idempotency_key=f"demo:jul:{n}",
                location=shop,
                at=at,
            )
