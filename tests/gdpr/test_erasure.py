"""Right to erasure: nothing that identifies the member is left anywhere, the books still add
up, and the member can no longer get in."""

from __future__ import annotations

import json
import re
import uuid
from collections import defaultdict

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.sessions.backends.cached_db import SessionStore
from django.contrib.sessions.models import Session
from django.core import mail
from django.db.models import Sum
from django.test import Client
from django.urls import reverse
from django.utils import translation

from clubsite import sms
from members.models import Member
from members.selectors import consent_current
from members.services import MembersError, member_erase, member_join
from referrals.models import Referral, ReferralLinkOpen
from rewards.models import CounterAction, LedgerEntry, ScanRefusal, Visit, Voucher, Wallet
from rewards.services import counter

pytestmark = pytest.mark.django_db


def table_dump() -> str:
    """The text of every row of every model of every app (auth, sessions, axes, allauth,
    admin history, through tables...), with session data decoded."""
    lines = []
    for model in apps.get_models(include_auto_created=True):
        for row in model._base_manager.all().values():
            lines.append(f"{model._meta.label} {json.dumps(row, default=str, ensure_ascii=False)}")
    for session in Session.objects.all():
        lines.append(f"session {json.dumps(session.get_decoded(), default=str, ensure_ascii=False)}")
    return "\n".join(lines)


def holds(text: str, value: str) -> bool:
    # Whole values only: a postcode also turns up inside random hashes and the microseconds
    # of timestamps, which are nobody's personal data.
    return re.search(rf"(?<![\w+]){re.escape(value)}(?!\w)", text, flags=re.IGNORECASE) is not None


def ledger_sums() -> dict[int, tuple[int, int]]:
    """Per wallet: (sum of the ledger, cached balance)."""
    sums = defaultdict(int)
    for row in LedgerEntry.objects.values("wallet_id").annotate(total=Sum("points")):
        sums[row["wallet_id"]] = row["total"]
    return {w.pk: (sums[w.pk], w.balance) for w in Wallet.objects.all()}


def row_counts() -> dict[str, int]:
    models = [Member, LedgerEntry, Voucher, Visit, Referral, ReferralLinkOpen, CounterAction, ScanRefusal]
    return {model.__name__: model.objects.count() for model in models}


def admin_finds(owner, value: str, member: Member) -> bool:
    """Whether the owner's search in the member (and user) admin lists turns up the member."""
    client = Client()
    client.force_login(owner)
    found = False
    for name, pk in [
        ("admin:members_member_changelist", member.pk),
        ("admin:members_user_changelist", member.user_id),
    ]:
        response = client.get(reverse(name), {"q": value})
        assert response.status_code == 200
        found |= f"/{pk}/change/" in response.content.decode()
    return found


def test_erasure_leaves_no_personal_value_in_any_table(life):
    before = table_dump()
    assert [value for value in life.personal if not holds(before, value)] == [], "the life must hold them all"

    member_erase(member=life.member)

    after = table_dump()
    assert [value for value in life.personal if holds(after, value)] == []


def test_a_reason_typed_for_her_is_blanked_and_the_clubs_own_reasons_stay(life):
    entries = LedgerEntry.objects.filter(wallet__member=life.member)
    typed = entries.get(reason__startswith="Zelmira")
    coded = {pk: reason for pk, reason in entries.exclude(pk=typed.pk).values_list("pk", "reason")}
    assert {"referral_friend", "Kanelbolle"} <= set(coded.values())  # a code, a reward's name

    member_erase(member=life.member)

    after = LedgerEntry.objects.get(pk=typed.pk)
    assert (after.reason, after.points, after.kind) == ("", typed.points, typed.kind)
    assert dict(entries.exclude(pk=typed.pk).values_list("pk", "reason")) == coded


def test_a_grant_to_another_member_that_names_her_loses_its_text_and_keeps_its_points(life):
    viktor = Member.objects.get(user__email="viktor.lund@example.org")
    naming = LedgerEntry.objects.get(wallet__member=viktor, reason__contains="Zelmira")
    counter.counter_adjust(
        member=viktor,
        points=5,
        reason="Feil pris på brød",
        nonce=uuid.uuid4().hex,
        staff=naming.staff,
        location=naming.location,
    )
    balance = Wallet.objects.get(member=viktor).balance

    member_erase(member=life.member)

    naming.refresh_from_db()
    assert (naming.reason, naming.points) == ("", 10)
    grants = CounterAction.objects.filter(member=viktor, kind=CounterAction.Kind.GRANT)
    assert sorted(grants.values_list("summary", flat=True)) == ["", "+5: Feil pris på brød"]
    assert LedgerEntry.objects.filter(wallet__member=viktor, reason="Feil pris på brød").exists()
    assert Wallet.objects.get(member=viktor).balance == balance


def test_the_owner_finds_the_member_by_every_value_before_erasure_and_by_none_after(life):
    searchable = ["zelmira.quist@example.com", "Zelmira", "Quist-Ødegård", "+4791234567", life.member.number]
    assert all(admin_finds(life.owner, value, life.member) for value in searchable)

    member_erase(member=life.member)

    assert [value for value in searchable if admin_finds(life.owner, value, life.member)] == []


def test_the_books_and_the_rows_the_figures_count_stay_as_they_were(life):
    sums, counts = ledger_sums(), row_counts()
    assert sums[life.member.wallet.pk][0] > 0

    member_erase(member=life.member)

    assert ledger_sums() == sums
    assert row_counts() == counts
    assert all(total == balance for total, balance in ledger_sums().values())


def test_the_other_members_keep_their_data(life):
    member_erase(member=life.member)

    viktor = Member.objects.select_related("user").get(pk=life.viktor.pk)
    assert viktor.user.email == "viktor.lund@example.org" and viktor.erased_at is None
    referral = Referral.objects.get(friend=viktor)
    assert referral.ip_hash and referral.device_hash, "the friend's own fingerprints are his, not hers"


def password_login(email: str, password: str) -> bool:
    browser = Client()
    browser.post(reverse("account_login"), {"login": email, "password": password})
    return "_auth_user_id" in browser.session


def test_an_erased_member_cannot_log_in_by_password_or_by_code(life):
    assert password_login("zelmira.quist@example.com", "a long password she forgot")

    member_erase(member=life.member)

    assert not password_login("zelmira.quist@example.com", "a long password she forgot")
    assert not life.member.user.has_usable_password()
    mail.outbox.clear()
    sms.outbox.clear()
    for login in ("zelmira.quist@example.com", "+4791234567"):
        Client().post(reverse("account_request_login_code"), {"login": login})
    sent = [m.body for m in mail.outbox] + [m.body for m in sms.outbox]
    assert len(sent) == 2, "the address and the number get the 'no account here' message"
    assert not any(re.search(r"\b\d{6}\b", body) for body in sent)


def test_a_session_open_when_the_member_is_erased_is_logged_out(life):
    session_key = life.browser.session.session_key
    assert life.browser.get(reverse("members:card")).status_code == 200

    member_erase(member=life.member)

    assert SessionStore(session_key=session_key).load() == {}
    response = life.browser.get(reverse("members:card"))
    assert response.status_code == 302 and "login" in response.url


def test_erasure_withdraws_consent_in_the_log(life):
    assert consent_current(life.member) == {"email": True, "sms": True}

    member_erase(member=life.member)

    assert consent_current(life.member) == {"email": False, "sms": False}
    assert life.member.consent_events.filter(source="erasure").count() == 2
    assert not EmailAddress.objects.filter(user=life.member.user).exists()


def test_erasing_twice_is_refused_with_a_clear_error(life):
    member_erase(member=life.member)

    with pytest.raises(MembersError) as error:
        member_erase(member=life.member)

    assert error.value.code == "already_erased"
    with translation.override("en"):
        assert error.value.message == "This member has already been erased."


def test_a_failing_app_rolls_the_whole_erasure_back(life, monkeypatch):
    from members import signals

    def broken(sender, **kwargs):
        raise RuntimeError("disk full")

    signals.member_erasing.connect(broken, dispatch_uid="test.broken")
    try:
        with pytest.raises(RuntimeError):
            member_erase(member=life.member)
    finally:
        signals.member_erasing.disconnect(dispatch_uid="test.broken")

    member = Member.objects.select_related("user").get(pk=life.member.pk)
    assert member.erased_at is None and member.user.email == "zelmira.quist@example.com"
    assert ScanRefusal.objects.filter(raw_input="912 34 567").exists()


def test_an_erased_member_can_join_again_as_new(life):
    member_erase(member=life.member)

    again = member_join(first_name="Zelmira", email="zelmira.quist@example.com", welcome=False)

    assert again.pk != life.member.pk and again.number != life.member.number


def test_deleting_my_membership_needs_the_confirmation_box(life):
    response = life.browser.post(reverse("members:delete"), {})
    assert response.status_code == 400
    assert Member.objects.get(pk=life.member.pk).erased_at is None

    response = life.browser.post(reverse("members:delete"), {"confirm": "yes"})

    assert response.status_code == 302
    assert Member.objects.get(pk=life.member.pk).erased_at is not None
    assert "_auth_user_id" not in life.browser.session
