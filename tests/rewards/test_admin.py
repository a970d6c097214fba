"""The owner configures the wallet in admin; ledgers are read-only there."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from members import roles
from rewards import services
from rewards.models import LedgerEntry, PointsProgram, Reward, Wallet
from tests.factories import MemberFactory, staff_user


@pytest.fixture
def owner_client(db):
    client = Client()
    client.force_login(staff_user(roles.OWNER))
    return client


def _png(size=(1200, 900)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 60)).save(buffer, format="PNG")
    return SimpleUploadedFile("bolle.png", buffer.getvalue(), content_type="image/png")


REWARD_FORM = {"name": "Kanelbolle", "cost_points": "100", "voucher_valid_days": "30", "is_active": "on"}


def test_the_owner_sets_the_earning_rate_and_it_applies_to_new_points_only(owner_client):
    member = MemberFactory()
    old = services.purchase_register(member=member, amount_ore=10_000, idempotency_key="a").entry
    url = reverse("admin:rewards_pointsprogram_change", args=[PointsProgram.load().pk])
    response = owner_client.post(
        url,
        {
            "earn_mode": "both",
            "points_per_krone": "2",
            "expiry_months": "6",
            "redeem_points": "1000",
            "redeem_value_kr": "100",
            "welcome_bonus": "0",
            "profile_bonus": "0",
            "birthday_bonus": "0",
            "profile_field_points": "0",
            "review_points": "0",
            "poll_points": "0",
            "anniversary_points": "0",
            "action_points_monthly_cap": "0",
            "tier_basis": "points",
            "undo_minutes": "10",
            "max_stamps_per_day": "10",
            "flag_credits_per_day": "5",
            "purchase_confirm_above_kr": "10000",
            "purchase_max_kr": "100000",
            "flag_points_per_day": "5000",
        },
    )
    assert response.status_code == 302
    new = services.purchase_register(member=member, amount_ore=10_000, idempotency_key="b").entry
    old.refresh_from_db()
    assert (old.points, new.points) == (100, 200)
    assert (new.expires_at - new.created_at).days in range(181, 185)
    assert (old.expires_at - old.created_at).days in range(364, 367)


def test_an_uploaded_reward_image_gets_a_small_thumbnail(owner_client):
    response = owner_client.post(reverse("admin:rewards_reward_add"), {**REWARD_FORM, "image": _png()})
    assert response.status_code == 302
    reward = Reward.objects.get()
    with Image.open(reward.thumbnail) as thumb:
        assert thumb.size[0] <= 600 and thumb.size[1] <= 400
        assert thumb.format == "JPEG"


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("x.png", b"not an image at all", content_type="image/png"),
        "huge",
    ],
)
def test_a_bad_image_is_refused_with_a_message(owner_client, upload):
    if upload == "huge":
        upload = _png(size=(6500, 10))
    response = owner_client.post(reverse("admin:rewards_reward_add"), {**REWARD_FORM, "image": upload})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["image"]
    assert not Reward.objects.exists()


def test_ledger_entries_are_read_only_in_admin(owner_client):
    entry = services.points_award(member=MemberFactory(), points=50, reason="gift", idempotency_key="k").entry
    change = reverse("admin:rewards_ledgerentry_change", args=[entry.pk])
    delete = reverse("admin:rewards_ledgerentry_delete", args=[entry.pk])
    assert owner_client.get(change).status_code == 200  # view only
    assert owner_client.post(change, {"points": "5000"}).status_code == 403
    assert owner_client.post(delete, {"post": "yes"}).status_code == 403
    assert owner_client.get(reverse("admin:rewards_ledgerentry_add")).status_code == 403
    entry.refresh_from_db()
    assert entry.points == 50


def test_the_owner_grants_bonus_points_with_a_reason(owner_client):
    member = MemberFactory()
    wallet = services.wallet_get_or_create(member)
    url = reverse("admin:rewards_wallet_changelist")
    ask = owner_client.post(url, {"action": "grant_bonus", "_selected_action": [wallet.pk]})
    assert ask.status_code == 200 and "form" in ask.context
    done = owner_client.post(
        url,
        {
            "action": "grant_bonus",
            "_selected_action": [wallet.pk],
            "apply": "1",
            "points": "75",
            "reason": "Sorry!",
        },
    )
    assert done.status_code == 302
    assert Wallet.objects.get(pk=wallet.pk).balance == 75
    assert LedgerEntry.objects.get().reason == "Sorry!"


def test_a_bonus_without_a_reason_is_not_granted(owner_client):
    wallet = services.wallet_get_or_create(MemberFactory())
    response = owner_client.post(
        reverse("admin:rewards_wallet_changelist"),
        {
            "action": "grant_bonus",
            "_selected_action": [wallet.pk],
            "apply": "1",
            "points": "75",
            "reason": "",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    assert not LedgerEntry.objects.exists()


def test_admin_lists_do_not_grow_queries_with_rows(owner_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(url):
        owner_client.get(url)  # warm up: first-use rows (club, program) are created here
        with CaptureQueriesContext(connection) as ctx:
            assert owner_client.get(url).status_code == 200
        return len(ctx.captured_queries)

    for url in [reverse("admin:rewards_ledgerentry_changelist"), reverse("admin:rewards_wallet_changelist")]:
        services.points_award(member=MemberFactory(), points=5, reason="x", idempotency_key=f"{url}1")
        few = count(url)
        for i in range(5):
            services.points_award(member=MemberFactory(), points=5, reason="x", idempotency_key=f"{url}{i}x")
        assert count(url) == few
