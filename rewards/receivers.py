"""Listening to the members app (signals arrive after commit): queue the bonus tasks."""

from rewards import tasks


def on_member_joined(sender, member_id, **kwargs):
    tasks.welcome_bonus.delay(member_id)


def on_profile_updated(sender, member_id, **kwargs):
    tasks.profile_bonus.delay(member_id)
