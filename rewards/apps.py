from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RewardsConfig(AppConfig):
    name = "rewards"
    verbose_name = _("Rewards")

    def ready(self):
        from members import signals as member_signals
        from rewards import config, gdpr, member_parts, receivers
        from rewards import signals as wallet_signals

        config.connect()
        member_parts.register()
        member_signals.member_joined.connect(receivers.on_member_joined, dispatch_uid="rewards.welcome")
        member_signals.profile_updated.connect(receivers.on_profile_updated, dispatch_uid="rewards.profile")
        member_signals.member_exporting.connect(gdpr.on_member_exporting, dispatch_uid="rewards.gdpr_export")
        member_signals.member_erasing.connect(gdpr.on_member_erasing, dispatch_uid="rewards.gdpr_erase")
        member_signals.privacy_purposes.connect(gdpr.on_privacy_purposes, dispatch_uid="rewards.privacy")
        wallet_signals.purchase_recorded.connect(
            receivers.on_purchase_recorded, dispatch_uid="rewards.surprise"
        )
        wallet_signals.purchase_reversed.connect(
            receivers.on_purchase_reversed, dispatch_uid="rewards.surprise_back"
        )
        for signal in (
            wallet_signals.visit_recorded,
            wallet_signals.purchase_recorded,
            wallet_signals.purchase_reversed,
            wallet_signals.stamps_changed,
        ):
            signal.connect(receivers.on_wallet_event, dispatch_uid="rewards.achievements")
