from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RewardsConfig(AppConfig):
    name = "rewards"
    verbose_name = _("Rewards")

    def ready(self):
        from members import signals as member_signals
        from rewards import config, receivers

        config.connect()
        member_signals.member_joined.connect(receivers.on_member_joined, dispatch_uid="rewards.welcome")
        member_signals.profile_updated.connect(receivers.on_profile_updated, dispatch_uid="rewards.profile")
