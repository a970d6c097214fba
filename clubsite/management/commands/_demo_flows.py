"""The demo club's lifecycle flows, switched on, with Norwegian steps (Kampanjer -> Flyter).

The embedded default has no beat: `manage.py campaigns_run` enters members and sends what
is due, into the console.
"""

from __future__ import annotations

from campaigns.flows.services import flow_switch
from campaigns.models import Campaign, CampaignContent, Flow, Variant
from rewards.models import Reward

STEPS = {
    Flow.Kind.WELCOME: [
        (
            0,
            "Velkommen, {first_name}!",
            "Takk for at du ble med i klubben. Du har allerede {points} poeng, og en gratis kaffe venter "
            "i lommeboka di: bruk den i dag. Kortet ditt: {card_link}",
        ),
        (
            2,
            "Slik bruker du kortet",
            "Vis QR-koden i kassen, så får du poeng og stempler automatisk. Kortet ditt: {card_link}",
        ),
        (
            5,
            "Visste du at helgebakst gir stempler?",
            "Hvert tiende brød er gratis med brødkortet. Du har {points} poeng nå.",
        ),
    ],
    Flow.Kind.BIRTHDAY: [
        (0, "Gratulerer med dagen, {first_name}!", "Denne uka spanderer vi: se lommeboka di."),
    ],
    Flow.Kind.WIN_BACK: [
        (
            0,
            "Vi savner deg, {first_name}",
            "Det er en stund siden sist. Neste kaffe er på oss: kode {voucher_code}.",
        ),
        (14, "Fortsatt velkommen tilbake", "Kaffen venter fortsatt på deg. Du har {points} poeng."),
    ],
    Flow.Kind.WELCOME_REMINDER: [
        (0, "Velkomstkaffen din går snart ut", "Husk kaffen på huset: den gjelder bare et par dager til."),
    ],
    Flow.Kind.NEXT_TIER: [
        (
            0,
            "Bare {points_to_next_tier} poeng til neste nivå",
            "Snart er du oppe på neste nivå, {first_name}.",
        ),
    ],
    Flow.Kind.TIER_REACHED: [
        (0, "Gratulerer, du er nå {tier}!", "Takk for at du handler hos oss. Se fordelene dine: {card_link}"),
    ],
    Flow.Kind.TIER_LAPSING: [
        (
            0,
            "Hold på nivået ditt, {first_name}",
            "Du er {tier} i dag. Et par besøk til før nivået vurderes, så beholder du det.",
        ),
    ],
    Flow.Kind.ANNIVERSARY: [
        (
            0,
            "Ett år til sammen, {first_name}!",
            "Takk for at du er medlem. Vi har {points} poeng på kortet ditt.",
        ),
    ],
    Flow.Kind.ACTIVATION: [
        (0, "Har du prøvd fordelene?", "Du har {points} poeng. Vis kortet i kassen neste gang: {card_link}"),
    ],
    Flow.Kind.NPS: [
        (
            0,
            "Hvordan var besøket, {first_name}?",
            "Ett kjapt spørsmål, ett klikk: vil du anbefale oss til en venn? {survey_link}",
        ),
    ],
    Flow.Kind.PROMOTER_INVITE: [
        (
            0,
            "Del gleden med en venn",
            "Takk for det fine svaret! Inviter en venn, så får dere begge en kanelbolle: {referral_link}",
        ),
    ],
    Flow.Kind.TRIAL_ENDING: [
        (
            0,
            "Prøveperioden din som VIP slutter {membership_ends}",
            "Hei {first_name}! Den gratis prøveperioden slutter {membership_ends}. Vil du beholde dobbel "
            "poeng og gratis kaffe hver måned, kjøper du VIP i kassen (kr 199 i året). Vil du ikke, "
            "trenger du ikke gjøre noe. Se hva den har gitt deg: {membership_link}",
        ),
    ],
    Flow.Kind.RENEWAL: [
        (
            0,
            "VIP-medlemskapet ditt går ut {membership_ends}",
            "Hei {first_name}! Forny i kassen før {membership_ends}, så fortsetter fordelene. Se hva "
            "medlemskapet har gitt deg, eller avslutt det med ett trykk: {membership_link}",
        ),
    ],
    Flow.Kind.POINTS_EXPIRING: [
        (
            0,
            "{points_expiring} poeng går ut {points_expiring_date}",
            "Bruk dem før de forsvinner: {points} poeng er verdt {points_kr}.",
        ),
    ],
}


def load_flow_demo() -> None:
    coffee = Reward.objects.filter(name__icontains="kaffe").order_by("pk").first()
    for kind, steps in STEPS.items():
        flow = Flow.objects.get(kind=kind)
        if kind == Flow.Kind.WIN_BACK:
            flow.only_from_now = False  # those who stopped coming already are the point
            flow.save(update_fields=["only_from_now"])
        for delay, subject, body in steps:
            step = Campaign.objects.create(
                name=f"{flow}: dag {delay}",
                flow=flow,
                delay_days=delay,
                channel=Campaign.Channel.EMAIL,
                offer=coffee if kind == Flow.Kind.WIN_BACK and delay == 0 else None,
            )
            CampaignContent.objects.create(campaign=step, language="nb", subject=subject, body=body)
            if (kind, delay) in EXPERIMENTS:
                _experiment(step, body, *EXPERIMENTS[(kind, delay)])
        flow_switch(flow=flow, on=True)


# Two steps measured against a tenth held out: the welcome tests a second subject line, the
# win-back a cinnamon bun against the coffee (the page names a winner once one is clear).
EXPERIMENTS = {
    (Flow.Kind.WELCOME, 0): ("{first_name}, kaffen står klar for deg", None),
    (Flow.Kind.WIN_BACK, 0): ("Vi savner deg: en kanelbolle venter, {first_name}", "kanelbolle"),
}


def _experiment(step: Campaign, body: str, subject_b: str, offer_b: str | None) -> None:
    Campaign.objects.filter(pk=step.pk).update(holdout_percent=10)
    if offer_b:
        reward = Reward.objects.filter(name__icontains=offer_b).order_by("pk").first()
        Variant.objects.create(campaign=step, letter="B", offer=reward)
        body = body.replace("Neste kaffe er på oss", "En kanelbolle er på oss")
    CampaignContent.objects.create(campaign=step, language="nb", variant="B", subject=subject_b, body=body)
