"""Listening to the members app and to the wallet's own events (signals arrive after
commit): queue the bonus, surprise and achievement tasks."""

from rewards import tasks
from rewards.config import config


def on_member_joined(sender, member_id, **kwargs):
    tasks.welcome_bonus.delay(member_id)


def on_profile_updated(sender, member_id, **kwargs):
    tasks.profile_bonus.delay(member_id)


def on_purchase_recorded(sender, entry_id, **kwargs):
    """A purchase may win a surprise: drawn by a task, off the till's path (and not queued at
    all while surprises are off, read from the cached settings)."""
    if entry_id is not None and config().surprises.on:
        tasks.surprise.delay(entry_id)


def on_purchase_reversed(sender, reverses_id, remaining_ore=0, **kwargs):
    """A purchase undone or refunded in whole takes back the surprise it won, if unused."""
    if remaining_ore == 0:
        tasks.surprise_back.delay(reverses_id)


def on_wallet_event(sender, member_id, **kwargs):
    """A visit, a purchase, a refund or stamps may complete a challenge, take one back or
    reach a badge's level."""
    tasks.achievements_soon(member_id)
