"""Listening to the members app and to the wallet's own purchases (signals arrive after
commit): queue the bonus and surprise tasks."""

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
