"""Load the demo club "Bakeriet på hjørnet" (idempotent) and print the demo logins.

Everything is created through the same services the site uses, so the demo is what a real
club would look like after a few months.
"""

import random
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from members import roles, services
from members.models import Club, ConsentEvent, Interest, Location, Member, User
from referrals.models import ReferralCode

from ._demo_api import DEMO_KEY, KARI_NUMBER, SIMULATOR_PORT, load_api_demo
from ._demo_campaigns import load_campaign_demo
from ._demo_causes import PARTNER_PIN, load_cause_demo, load_partner_demo, load_surprise_demo
from ._demo_challenges import evaluate_demo_achievements, load_challenge_demo
from ._demo_counter import load_counter_demo
from ._demo_feedback import load_feedback_demo
from ._demo_flows import load_flow_demo
from ._demo_membership import load_membership_demo
from ._demo_nps import load_nps_demo
from ._demo_referrals import load_referral_demo
from ._demo_wallet import load_wallet_demo

OWNER = ("eier@bakeriet.example", "eier-demo-2026")
COUNTER = [
    ("kasse.lokka@bakeriet.example", "kasse-demo-2026", "Ola", "Grünerløkka"),
    ("kasse.majorstuen@bakeriet.example", "kasse-demo-2026", "Aisha", "Majorstuen"),
]
SERVICE = ("kundeservice@bakeriet.example", "service-demo-2026", "Per")
MEMBER = ("kari@example.com", "medlem-demo-2026", "Kari")

FIRST_NAMES = [
    "Nora",
    "Emma",
    "Ingrid",
    "Sofie",
    "Maja",
    "Ella",
    "Olivia",
    "Leah",
    "Sara",
    "Hedda",
    "Jakob",
    "Emil",
    "Noah",
    "Oliver",
    "Filip",
    "Lukas",
    "William",
    "Henrik",
    "Magnus",
    "Aksel",
    "Sigrid",
    "Astrid",
    "Ida",
    "Liv",
    "Mathias",
    "Tobias",
    "Jonas",
    "Elias",
    "Amir",
    "Linnea",
]


class Command(BaseCommand):
    help = "Create the demo club with locations, staff and about 30 members (once)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--url",
            default=settings.LOJAL_SITE_URL,
            help="Where the server will answer, for the banner (make run passes its HOST and PORT).",
        )

    def handle(self, *args, **options):
        if User.objects.filter(email=OWNER[0]).exists():
            self.stdout.write("The demo club is already loaded.")
        else:
            # The demo's history is not news: mails it would cause as its transaction commits
            # (the owner told of months-old detractors) are not printed in the terminal.
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
                self._load()
            # After the history has committed: its purchases are not drawn, the next ones are.
            load_surprise_demo()
            self.stdout.write(self.style.SUCCESS("Loaded the demo club «Bakeriet på hjørnet»."))
        self._print_logins(options["url"].rstrip("/") + "/")

    @transaction.atomic
    def _load(self):
        rng = random.Random(2026)
        club = Club.load()
        club.name = "Bakeriet på hjørnet"
        club.tagline = "Nybakt hver morgen – og litt ekstra til deg som er medlem."
        club.benefits = "\n".join(
            [
                "10 brød = 1 gratis brød",
                "Tidlig tilgang til helgebaksten",
                "Bursdagsoverraskelse i bursdagsmåneden",
            ]
        )
        club.first_steps = (
            "Vis kortet i kassen neste gang du handler, så får du en gratis kaffe.\n"
            "Legg siden til på hjemskjermen, så har du kortet ett trykk unna."
        )
        club.brand_colour = "#8a4b2d"
        club.contact_email = "hei@bakeriet.example"
        club.terms = (
            "Medlemskapet er gratis og kan sies opp når som helst under «Slett medlemskapet».\n\n"
            "Fordeler og stempler er personlige og kan ikke byttes i kontanter."
        )
        club.privacy = (
            "Vi lagrer navn, e-post eller mobilnummer og det du selv legger til i profilen, "
            "for å drive kundeklubben. Markedsføring sender vi bare hvis du har sagt ja, og du kan "
            "trekke samtykket når som helst. Du kan laste ned eller slette dataene dine selv."
        )
        club.save()

        locations = {
            short: Location.objects.create(name=f"Bakeriet {short}", address=address)
            for short, address in [
                ("Grünerløkka", "Thorvald Meyers gate 1, 0555 Oslo"),
                ("Majorstuen", "Bogstadveien 50, 0366 Oslo"),
            ]
        }
        for name in ["Brød", "Kaker og bakst", "Kaffe", "Glutenfritt"]:
            Interest.objects.create(name=name)

        owner = User.objects.create_user(OWNER[0], OWNER[1], first_name="Eva", is_staff=True)
        owner.groups.add(Group.objects.get(name=roles.OWNER))
        owner.locations.set(locations.values())
        tills = []
        for email, password, first_name, place in COUNTER:
            staff = User.objects.create_user(email, password, first_name=first_name)
            staff.groups.add(Group.objects.get(name=roles.COUNTER_STAFF))
            staff.locations.add(locations[place])
            tills.append(staff)
        service = User.objects.create_user(SERVICE[0], SERVICE[1], first_name=SERVICE[2])
        service.groups.add(Group.objects.get(name=roles.CUSTOMER_SERVICE))
        service.locations.set(locations.values())

        kari = services.member_join(
            first_name=MEMBER[2], email=MEMBER[0], marketing_consent=True, welcome=False
        )
        kari.user.set_password(MEMBER[1])
        kari.user.save(update_fields=["password"])
        Member.objects.filter(pk=kari.pk).update(number=KARI_NUMBER)
        kari.number = KARI_NUMBER
        services.profile_update(
            member=kari, first_name="Kari", last_name="Nordmann", birthday=date(1990, 5, 17)
        )
        self._backdate(kari, days_ago=400)

        interests = list(Interest.objects.all())
        tills_shops = Location.objects.order_by("pk")
        for i, first_name in enumerate(FIRST_NAMES):
            by_phone = i % 3 == 0
            member = services.member_join(
                first_name=first_name,
                email=None if by_phone else f"{first_name.lower()}.{i}@example.com",
                phone=f"+479{rng.randrange(1000000, 9999999)}" if by_phone else None,
                marketing_consent=rng.random() < 0.6,
                welcome=False,
                # How each found the way in, for the dashboard's sign-up channels (a generator
                # of its own, so that the rest of the demo stays as it was).
                **self._found_through(random.Random(i), list(tills_shops)),
            )
            if rng.random() < 0.5:
                services.profile_update(
                    member=member,
                    first_name=first_name,
                    birthday=date(rng.randrange(1950, 2005), rng.randrange(1, 13), rng.randrange(1, 29)),
                    postcode=rng.choice(["0555", "0366", "0170", "0458"]),
                    interests=rng.sample(interests, rng.randrange(1, 3)),
                )
            if rng.random() < 0.15:  # some changed their mind later
                channel = ConsentEvent.Channel.SMS if by_phone else ConsentEvent.Channel.EMAIL
                services.consent_set(
                    member=member, channel=channel, granted=False, source=ConsentEvent.Source.PREFERENCES
                )
            self._backdate(member, days_ago=rng.randrange(1, 180))
        load_wallet_demo(rng, tills, Member.objects.get(pk=kari.pk))
        load_counter_demo(tills, Member.objects.get(pk=kari.pk))
        load_referral_demo(tills, Member.objects.get(pk=kari.pk), self._backdate)
        load_membership_demo(tills, Member.objects.get(pk=kari.pk))
        load_feedback_demo(Member.objects.get(pk=kari.pk))
        load_cause_demo(Member.objects.get(pk=kari.pk))
        load_partner_demo(Member.objects.get(pk=kari.pk))
        load_campaign_demo()
        load_flow_demo()
        load_nps_demo(Member.objects.get(pk=kari.pk))
        load_challenge_demo(tills, Member.objects.get(pk=kari.pk))
        evaluate_demo_achievements()
        load_api_demo(locations["Grünerløkka"])

    @staticmethod
    def _found_through(pick: random.Random, shops: list[Location]) -> dict:
        channel = pick.choices(
            [Member.Channel.SHOP_QR, Member.Channel.RECEIPT, Member.Channel.WEB, Member.Channel.SOCIAL],
            weights=[5, 2, 2, 1],
        )[0]
        in_shop = channel in (Member.Channel.SHOP_QR, Member.Channel.RECEIPT)
        return {"channel": channel, "location": pick.choice(shops) if in_shop and shops else None}

    @staticmethod
    def _backdate(member: Member, *, days_ago: int) -> None:
        # Demo history only: spread joins over the last months. Real rows are never edited.
        when = timezone.now() - timedelta(days=days_ago)
        Member.objects.filter(pk=member.pk).update(joined_at=when)
        User.objects.filter(pk=member.user_id).update(date_joined=when)
        ConsentEvent.objects.filter(member=member, source=ConsentEvent.Source.SIGNUP).update(created_at=when)

    def _print_logins(self, url: str):
        w = self.stdout.write
        w("")
        w(f"Demo logins ({url}):")
        w(f"  Member:           {MEMBER[0]}  (log in with a code printed in this terminal,")
        w(f"                    or the password {MEMBER[1]})")
        for email, password, first_name, place in COUNTER:
            w(f"  Counter staff:    {email} / {password}  ({first_name}, {place})")
        w(f"  Customer service: {SERVICE[0]} / {SERVICE[1]}  -> /admin/ (the members) and /dashbord/")
        w(f"  Owner (admin):    {OWNER[0]} / {OWNER[1]}  -> /admin/ and /dashbord/")
        w("  Segments with live counts (owner): /admin/campaigns/segment/")
        w("  Campaign calendar, payday offer repeating monthly (owner): /kalender/")
        w("  Lifecycle flows, switched on (owner): /admin/campaigns/flow/ - send what is due with")
        w("    .venv/bin/python manage.py campaigns_run")
        w("    (Kari answered the survey with 10 two days ago: her invitation to refer a friend waits there)")
        w("  Survey answers and follow-ups (owner, customer service): /admin/campaigns/npsanswer/")
        w("  Paid membership VIP (199 kr a year, 30-day trial): Kari tries it at /medlem/vip/, staff sell it")
        w("    at the till; memberships and payments: /admin/rewards/membership/")
        w("  Points for more than purchases: Kari answers a poll at /medlem/si-din-mening/; reviews to")
        w("    approve (owner): /admin/rewards/review/")
        w("  Surprises: 1 in 10 purchases wins a cinnamon bun, 500 kr a month (odds on /vilkar/);")
        w("    every draw with its seed: /admin/rewards/surprisedraw/")
        w(f"  The florist next door uses partner vouchers: /partner/blomsterhjornet/ (PIN {PARTNER_PIN});")
        w("    the settlement per month (owner): /admin/rewards/partner/settlement/")
        w("  Challenges and badges: Kari has 2 of «3 besøk» this month on her card page; scan her card at")
        w("    the till to complete it; her badges at /medlem/merker/; owner: /admin/rewards/challenge/")
        w("  Give points to the football club: Kari at /medlem/gi-poeng/; payout per month (owner):")
        w("    /admin/rewards/cause/payout/")
        w("  Change the earning rate, tiers or stamp cards with a preview of the effect (owner):")
        w("    /admin/rewards/programmechange/new/")
        w(f"  POS API: docs at /api/v1/docs/; the register at Grünerløkka has the key {DEMO_KEY}")
        w("    (curl examples in the README; calls are logged in /admin/rewards/apicall/)")
        w(f"  A register against this server (Kari: {KARI_NUMBER}): manage.py pos_simulator")
        w(f"    it hears signed webhooks on port {SIMULATOR_PORT}; their log: /admin/clubsite/delivery/")
        w("  Paper-card customers to import in admin (Members -> Import): static/demo/papirkort-kunder.csv")
        invite = ReferralCode.objects.filter(member__user__email=MEMBER[0]).first()
        if invite is not None:
            w(f"  Kari's invitation link: /verv/{invite.code}/  (open it in a private window)")
        w("")
