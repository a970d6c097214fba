"""The campaign calendar (issue 15): the occasions the guides plan around, campaigns that
repeat on payday, and the owner's month page."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from campaigns.flows.services import flow_switch
from campaigns.models import Campaign, Flow, LocalEvent
from campaigns.planning.occasions import next_date, occasions_between, payday
from campaigns.sending import pipeline
from campaigns.services import campaign_cancel, campaign_schedule
from members import roles
from tests.campaigns.sending_helpers import campaign, subscriber
from tests.factories import MemberFactory, staff_user


def oslo(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


def run(now) -> None:
    pipeline.campaigns_run(now=now, hand_out=lambda ids: pipeline.messages_deliver(ids=ids, now=now))


@pytest.mark.parametrize(
    ("year", "month", "paid"),
    [
        (2026, 11, date(2026, 11, 20)),  # a Friday: the 20th itself
        (2026, 6, date(2026, 6, 19)),  # Saturday the 20th: Friday before
        (2026, 12, date(2026, 12, 18)),  # Sunday the 20th: Friday before
        (2027, 5, date(2027, 5, 20)),  # a Thursday, no holiday
        (2024, 5, date(2024, 5, 16)),  # Whit Monday the 20th, 17 May the Friday: Thursday
    ],
)
def test_payday_is_the_20th_or_the_working_day_before(year, month, paid):
    assert payday(year, month) == paid


def test_a_payday_series_goes_to_the_next_payday_and_a_monthly_one_keeps_its_date():
    assert next_date("payday", date(2026, 11, 5), 5) == date(2026, 11, 20)
    assert next_date("payday", date(2026, 11, 20), 20) == date(2026, 12, 18)
    assert next_date("payday", date(2026, 12, 18), 20) == date(2027, 1, 20)
    assert next_date("monthly", date(2027, 1, 31), 31) == date(2027, 2, 28)
    assert next_date("monthly", date(2027, 2, 28), 31) == date(2027, 3, 31)
    assert next_date("weekly", date(2026, 12, 31), 31) == date(2027, 1, 7)


@pytest.mark.django_db
def test_the_occasions_include_holidays_seasons_and_shopping_days_in_the_owners_language():
    found = {(o.day, o.name) for o in occasions_between(date(2026, 1, 1), date(2026, 12, 31))}

    assert (date(2026, 5, 17), "Grunnlovsdagen (17. mai)") in found
    assert (date(2026, 11, 29), "Første søndag i advent: julesesongen") in found
    assert (date(2026, 2, 8), "Morsdag") in found
    assert (date(2026, 11, 27), "Black Friday") in found
    assert (date(2026, 3, 1), "Vårsesongen starter") in found
    assert (date(2026, 12, 18), "Lønningsdag") in found


@pytest.mark.django_db
def test_a_yearly_local_event_comes_back_every_year_and_a_long_one_marks_each_day():
    LocalEvent.objects.create(
        name="Byfesten", starts_on=date(2024, 6, 13), ends_on=date(2024, 6, 15), every_year=True
    )
    LocalEvent.objects.create(name="Åpning", starts_on=date(2026, 3, 3))

    in_2027 = [o for o in occasions_between(date(2027, 6, 1), date(2027, 6, 30)) if o.kind == "local"]
    march_2027 = [o for o in occasions_between(date(2027, 3, 1), date(2027, 3, 31)) if o.kind == "local"]

    assert [(o.name, o.day, o.last_day) for o in in_2027] == [
        ("Byfesten", date(2027, 6, 13), date(2027, 6, 15))
    ]
    assert march_2027 == []  # a one-off event stays in its year


@pytest.mark.django_db
def test_a_repeating_campaign_schedules_its_next_with_the_same_texts_when_it_starts():
    subscriber()
    made = campaign(repeat=Campaign.Repeat.PAYDAY)
    campaign_schedule(campaign=made, send_at=oslo(2026, 11, 20, 10), now=oslo(2026, 11, 1, 12))

    run(oslo(2026, 11, 20, 10, 0))
    run(oslo(2026, 11, 20, 10, 1))  # beat's next minute: still one next campaign

    following = Campaign.objects.get(repeat_of=made)
    assert following.status == Campaign.Status.SCHEDULED
    assert following.send_at == oslo(2026, 12, 18, 10)  # Sunday the 20th: the Friday before
    assert following.contents.get().subject == made.contents.get().subject
    assert (following.segment, following.channel, following.repeat) == (made.segment, made.channel, "payday")
    assert made.messages.count() == 1 and following.messages.count() == 0

    run(oslo(2026, 12, 18, 10))

    assert list(
        Campaign.objects.filter(repeat_of=made).values_list("send_at", flat=True).order_by("send_at")
    ) == [
        oslo(2026, 12, 18, 10),
        oslo(2027, 1, 20, 10),
    ]
    assert following.messages.count() == 1


@pytest.mark.django_db
def test_cancelling_the_scheduled_one_ends_the_series_and_a_plain_campaign_never_repeats():
    subscriber()
    series = campaign(repeat=Campaign.Repeat.WEEKLY)
    once = campaign()
    for made in (series, once):
        campaign_schedule(campaign=made, send_at=oslo(2026, 12, 1, 10), now=oslo(2026, 11, 30, 12))
    run(oslo(2026, 12, 1, 10))
    following = Campaign.objects.get(repeat_of=series)

    campaign_cancel(campaign=following)
    run(oslo(2026, 12, 8, 10))

    assert Campaign.objects.filter(repeat_of=series).count() == 1
    assert not Campaign.objects.filter(repeat_of=once).exists()


@pytest.fixture
def owner_client(db):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nb"
    client.force_login(staff_user(roles.OWNER))
    return client


def test_the_owner_sees_the_month_with_campaigns_repeats_occasions_and_birthdays(owner_client):
    subscriber()
    made = campaign(repeat=Campaign.Repeat.PAYDAY)
    made.name = "Lønningstilbud"
    made.save()
    campaign_schedule(campaign=made, send_at=oslo(2026, 11, 20, 10), now=oslo(2026, 11, 1, 12))
    LocalEvent.objects.create(
        name="Julemarked på torget", starts_on=date(2026, 12, 5), ends_on=date(2026, 12, 6)
    )
    MemberFactory(birthday=date(1990, 12, 24))

    page = owner_client.get(reverse("campaigns:calendar"), {"m": "2026-12"})

    html = page.content.decode()
    assert page.status_code == 200
    assert "desember 2026" in html
    assert html.count("Julemarked på torget") == 2  # Saturday and Sunday
    assert "Lønningsdag" in html and "Første juledag" in html
    # November's campaign is not in December; its repeat on December's payday is, marked as planned.
    december_18 = html.split('datetime="2026-12-18"')[1].split("</li>\n  \n")[0]
    assert "Lønningstilbud" in december_18 and "gjentas" in december_18
    assert "1 bursdag" in html.split('datetime="2026-12-24"')[1]


def test_a_month_that_does_not_exist_is_a_clear_message_not_an_error(owner_client):
    for asked in ("2026-13", "desember", "1850-01", "2026-1"):
        page = owner_client.get(reverse("campaigns:calendar"), {"m": asked})
        assert page.status_code == 400
        assert "Ingen slik måned" in page.content.decode()


def test_birthdays_on_29_february_show_on_the_28th_in_other_years(owner_client):
    MemberFactory(birthday=date(2000, 2, 29))

    page = owner_client.get(reverse("campaigns:calendar"), {"m": "2027-02"})

    assert page.status_code == 200
    assert "1 bursdag" in page.content.decode().split('datetime="2027-02-28"')[1]


@pytest.mark.django_db
@pytest.mark.parametrize("role", [roles.COUNTER_STAFF, roles.CUSTOMER_SERVICE])
def test_staff_who_do_not_run_campaigns_cannot_open_the_calendar(role):
    client = Client()
    client.force_login(staff_user(role))

    assert client.get(reverse("campaigns:calendar")).status_code == 403


def test_a_local_event_that_ends_before_it_starts_is_refused_with_a_reason(owner_client):
    page = owner_client.post(
        reverse("admin:campaigns_localevent_add"),
        {"name": "Byfesten", "starts_on": "15.06.2027", "ends_on": "13.06.2027", "note": ""},
    )

    assert page.status_code == 200
    assert "Siste dag kan ikke være før første." in page.content.decode()
    assert not LocalEvent.objects.exists()


def test_the_flows_that_are_on_are_named_on_the_month(owner_client):
    flow_switch(flow=Flow.objects.get(kind="birthday"), on=True)

    page = owner_client.get(reverse("campaigns:calendar"), {"m": "2026-12"})

    text = page.content.decode()
    assert "Flyter som er på" in text and ">bursdag</a>" in text and "velkomstserie" not in text
