"""A campaign reaches each member once, within consent, the contact budget and quiet hours,
with a one-click unsubscribe (issue 15). The clock is set by the tests: Thursday 3 December
2026 at noon in Oslo, unless a test says otherwise."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign, CampaignSettings, Message
from campaigns.sending import pipeline
from campaigns.services import campaign_cancel, campaign_pause, campaign_resume, campaign_schedule
from clubsite import sms
from members.models import ConsentEvent, Member
from members.services import consent_set
from rewards.models import Voucher
from tests.campaigns.sending_helpers import campaign, subscriber
from tests.factories import MemberFactory, RewardFactory

pytestmark = pytest.mark.django_db
Status, Reason = Message.Status, Message.Reason


def oslo(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


NOON = oslo(2026, 12, 3, 12, 0)


def run(now=NOON) -> int:
    """One tick at `now`, each batch delivered as a task would."""
    return pipeline.campaigns_run(now=now, hand_out=lambda ids: pipeline.messages_deliver(ids=ids, now=now))


def statuses(made: Campaign) -> dict[int, tuple[str, str]]:
    return {m.member_id: (m.status, m.reason) for m in made.messages.all()}


@pytest.fixture(autouse=True)
def outboxes(settings):
    settings.SMS_BACKEND = "clubsite.sms.backends.locmem.SmsBackend"
    sms.outbox.clear()


def test_each_member_gets_one_email_in_their_name_with_a_one_click_unsubscribe():
    kari, ola = subscriber(), subscriber()
    made = campaign()
    campaign_schedule(campaign=made, now=NOON)

    run()
    run()  # a second tick, as beat's next minute: nobody gets it twice

    assert sorted(m.to[0] for m in mail.outbox) == sorted([kari.user.email, ola.user.email])
    to_kari = next(m for m in mail.outbox if m.to == [kari.user.email])
    assert to_kari.subject == f"Hei {kari.user.first_name}!"
    assert to_kari.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/avmeld/" in to_kari.extra_headers["List-Unsubscribe"]
    assert "<strong>" in to_kari.alternatives[0][0] and "/avmeld/" in to_kari.alternatives[0][0]
    assert set(statuses(made).values()) == {(Status.SENT, "")}
    made.refresh_from_db()
    assert made.status == Campaign.Status.DONE


def test_a_delivery_that_arrives_twice_sends_once():
    subscriber()
    made = campaign()
    campaign_schedule(campaign=made, now=NOON)
    pipeline.campaigns_run(now=NOON, hand_out=lambda ids: None)  # claimed, not delivered yet
    ids = list(made.messages.values_list("pk", flat=True))

    first = [pipeline.message_deliver(message_id=pk, now=NOON) for pk in ids]
    second = [pipeline.message_deliver(message_id=pk, now=NOON) for pk in ids]

    assert first == second == [Status.SENT]
    assert len(mail.outbox) == 1


def test_consent_withdrawn_after_scheduling_is_respected_when_sending():
    kari = subscriber()
    made = campaign()
    campaign_schedule(campaign=made, now=NOON)
    consent_set(member=kari, channel="email", granted=False, source=ConsentEvent.Source.UNSUBSCRIBE)

    run()

    assert mail.outbox == []
    assert statuses(made) == {kari.pk: (Status.SUPPRESSED, Reason.NO_CONSENT)}


def test_each_reason_not_to_send_is_recorded():
    paused = subscriber(marketing_paused=True)
    no_address = subscriber()  # said yes to e-mail, then signed in with a phone only
    no_address.user.email, no_address.user.phone = None, "+4799887766"
    no_address.user.save()
    never_asked = MemberFactory()
    fine = subscriber()
    made = campaign()
    campaign_schedule(campaign=made, now=NOON)

    run()

    assert statuses(made) == {
        paused.pk: (Status.SUPPRESSED, Reason.PAUSED),
        no_address.pk: (Status.SUPPRESSED, Reason.NO_ADDRESS),
        never_asked.pk: (Status.SUPPRESSED, Reason.NO_CONSENT),
        fine.pk: (Status.SENT, ""),
    }


def test_the_contact_budget_counts_every_campaign_and_the_members_own_choice_lowers_it():
    keen = subscriber(frequency=Member.Frequency.ANY)  # the club's cap: 2 e-mails a month
    once = subscriber(frequency=Member.Frequency.MONTHLY_1)
    sent = []
    for day in (1, 2, 3):
        made = campaign()
        campaign_schedule(campaign=made, now=oslo(2026, 12, day, 12))
        run(oslo(2026, 12, day, 12))
        sent.append(statuses(made))

    assert [s[keen.pk][0] for s in sent] == [Status.SENT, Status.SENT, Status.SUPPRESSED]
    assert [s[once.pk][0] for s in sent] == [Status.SENT, Status.SUPPRESSED, Status.SUPPRESSED]
    assert sent[2][keen.pk][1] == Reason.BUDGET
    # A new month, a new budget.
    made = campaign()
    campaign_schedule(campaign=made, now=oslo(2027, 1, 4, 12))
    run(oslo(2027, 1, 4, 12))
    assert statuses(made)[keen.pk] == (Status.SENT, "")


@pytest.mark.parametrize(
    ("at", "waits_until"),
    [
        (oslo(2026, 12, 3, 20, 59), None),  # a minute before the evening: it goes
        (oslo(2026, 12, 3, 21, 1), oslo(2026, 12, 4, 9, 0)),  # after 21:00: the next morning
        (oslo(2026, 12, 4, 7, 30), oslo(2026, 12, 4, 9, 0)),  # too early
        (oslo(2026, 12, 5, 21, 30), oslo(2026, 12, 7, 9, 0)),  # Saturday night: Sunday is quiet
        (oslo(2027, 5, 17, 10, 0), oslo(2027, 5, 18, 9, 0)),  # Constitution Day, a Monday
        (oslo(2026, 12, 24, 22, 0), oslo(2026, 12, 28, 9, 0)),  # Christmas Day, Boxing Day, Sunday
    ],
)
def test_an_sms_in_quiet_hours_waits_for_the_next_allowed_morning(at, waits_until):
    kari = subscriber("sms")
    made = campaign("sms")
    campaign_schedule(campaign=made, now=at - timedelta(minutes=1))

    run(at)

    message = made.messages.get(member=kari)
    if waits_until is None:
        assert message.status == Status.SENT
        assert sms.outbox[0].to == kari.user.phone and "/avmeld/" in sms.outbox[0].body
    else:
        assert (message.status, message.due_at) == (Status.QUEUED, waits_until)
        assert sms.outbox == []
        run(waits_until)
        message.refresh_from_db()
        assert message.status == Status.SENT


def test_email_may_keep_quiet_hours_or_not_as_the_owner_chooses():
    subscriber()
    rules = CampaignSettings.load()
    rules.email_quiet_too = False
    rules.save()
    made = campaign()
    campaign_schedule(campaign=made, now=oslo(2026, 12, 6, 22))  # Sunday night

    run(oslo(2026, 12, 6, 22))

    assert [m.status for m in made.messages.all()] == [Status.SENT]


def test_pause_holds_the_rest_and_resume_sends_it_to_nobody_twice():
    members = [subscriber() for _ in range(5)]
    made = campaign()
    campaign_schedule(campaign=made, now=NOON)
    pipeline.campaign_audience_write(campaign=made, now=NOON)
    for pk in pipeline.messages_claim(now=NOON, limit=2):  # two go out before the pause
        pipeline.message_deliver(message_id=pk, now=NOON)
    campaign_pause(campaign=made)

    run()
    assert len(mail.outbox) == 2

    campaign_resume(campaign=made)
    run()
    run()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(m.user.email for m in members)


def test_cancel_stops_what_has_not_gone():
    for _ in range(3):
        subscriber()
    made = campaign()
    campaign_schedule(campaign=made, now=NOON)
    pipeline.campaign_audience_write(campaign=made, now=NOON)

    assert campaign_cancel(campaign=made) == 3
    run()

    assert mail.outbox == []
    assert set(statuses(made).values()) == {(Status.SUPPRESSED, Reason.CANCELLED)}


def test_the_offer_is_a_personal_voucher_in_the_wallet_and_its_code_is_in_the_message():
    kari = subscriber()
    made = campaign(offer=RewardFactory(name="Kaffe på huset", voucher_valid_days=14))
    campaign_schedule(campaign=made, now=NOON)

    run()

    voucher = Voucher.objects.get(wallet__member=kari)
    assert voucher.source == Voucher.Source.CAMPAIGN
    assert voucher.code in mail.outbox[0].body
    assert made.messages.get().voucher == voucher
    # In the wallet, whether or not the e-mail was ever opened.
    member_client = Client()
    member_client.force_login(kari.user)
    wallet = member_client.get(reverse("rewards:wallet")).content.decode()
    assert "Tilbud til deg" in wallet and voucher.code in wallet


def test_a_member_gets_their_language_or_norwegian():
    swede, english = subscriber(language="sv"), subscriber(language="en")
    made = campaign()
    made.contents.create(language="sv", subject="Hej {first_name}!", body="Kaffe på huset.")
    campaign_schedule(campaign=made, now=NOON)

    run()

    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects[swede.user.email].startswith("Hej ")
    assert subjects[english.user.email].startswith("Hei ")  # no English text: Norwegian


def test_the_preferred_channel_is_sms_for_a_member_who_only_said_yes_to_sms():
    by_sms, by_email = subscriber("sms"), subscriber()
    made = campaign(Campaign.Channel.PREFERRED)
    campaign_schedule(campaign=made, now=NOON)

    run()

    assert [m.to for m in sms.outbox] == [by_sms.user.phone]
    assert [m.to for m in mail.outbox] == [[by_email.user.email]]


def test_work_left_by_a_dead_worker_is_taken_up_again_with_the_same_key():
    kari = subscriber()
    made = campaign()
    campaign_schedule(campaign=made, now=NOON)
    pipeline.campaigns_run(now=NOON, hand_out=lambda ids: None)  # claimed, then the worker died
    message = made.messages.get(member=kari)

    assert run(NOON + timedelta(minutes=5)) == 0  # within the lease: still someone else's
    run(NOON + pipeline.lease() + timedelta(minutes=1))

    message.refresh_from_db()
    assert message.status == Status.SENT
    assert mail.outbox[0].extra_headers["Message-ID"] == f"<{message.key}@lojal>"


def test_a_provider_that_cannot_be_reached_marks_the_message_failed(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens
    subscriber()
    made = campaign()
    campaign_schedule(campaign=made, now=NOON)

    run()

    message = made.messages.get()
    assert message.status == Status.FAILED and message.error


def test_script_in_the_email_text_is_removed_from_the_html():
    subscriber()
    made = campaign()
    made.contents.filter(language="nb").update(
        body='Hei <script>alert("x")</script> [lenke](javascript:alert(1))'
    )
    campaign_schedule(campaign=made, now=NOON)

    run()

    html = mail.outbox[0].alternatives[0][0]
    assert "<script" not in html and "javascript:" not in html


def test_one_click_unsubscribe_works_without_login_or_csrf_and_a_changed_link_is_refused():
    kari = subscriber()
    made = campaign()
    campaign_schedule(campaign=made, now=NOON)
    run()
    link = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    mail_client = Client(enforce_csrf_checks=True)

    tampered = mail_client.post(link[:-3] + "xyz/", {"List-Unsubscribe": "One-Click"})
    done = mail_client.post(link, {"List-Unsubscribe": "One-Click"})

    assert tampered.status_code == 400
    assert done.status_code == 200
    latest = ConsentEvent.objects.filter(member=kari, channel="email").latest("created_at", "id")
    assert (latest.granted, latest.source) == (False, ConsentEvent.Source.UNSUBSCRIBE)


def test_nothing_is_sent_to_an_erased_member():
    kari = subscriber()
    made = campaign()
    campaign_schedule(campaign=made, now=NOON)
    pipeline.campaign_audience_write(campaign=made, now=NOON)
    Member.objects.filter(pk=kari.pk).update(erased_at=NOON)

    run()

    assert statuses(made) == {kari.pk: (Status.SUPPRESSED, Reason.ERASED)}
