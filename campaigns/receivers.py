"""Listening to the apps below (their signals arrive after commit)."""

from __future__ import annotations

from django.utils import timezone

from campaigns.models import TierChange
from campaigns.sending.tracking import tracking_record


def on_tier_changed(sender, member_id, from_tier_id, to_tier_id, upgrade, at=None, **kwargs):
    # One small insert, rare (a tier is reached a few times in a member's life): no task needed.
    TierChange.objects.create(
        member_id=member_id,
        from_tier_id=from_tier_id,
        to_tier_id=to_tier_id,
        upgrade=upgrade,
        changed_at=at or timezone.now(),
    )


def on_email_tracking(sender, event, esp_name, **kwargs):
    # anymail's signal, after it has checked the webhook's signature.
    tracking_record(
        event_type=event.event_type, metadata=event.metadata, provider_id=event.message_id, at=event.timestamp
    )
