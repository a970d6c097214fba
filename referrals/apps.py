from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = _("Referrals")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from members import signals as member_signals
        from referrals import api_part, counter_part, gdpr, member_parts, receivers
        from rewards import signals as wallet

        member_parts.register()
        counter_part.register()
        api_part.register()
        wallet.purchase_recorded.connect(receivers.on_purchase_recorded, dispatch_uid="referrals.qualify")
        wallet.visit_recorded.connect(receivers.on_visit_recorded, dispatch_uid="referrals.qualify_visit")
        wallet.purchase_reversed.connect(receivers.on_purchase_reversed, dispatch_uid="referrals.refund")
        user_logged_in.connect(receivers.on_user_logged_in, dispatch_uid="referrals.attribute_on_join")
        member_signals.member_exporting.connect(
            gdpr.on_member_exporting, dispatch_uid="referrals.gdpr_export"
        )
        member_signals.member_erasing.connect(gdpr.on_member_erasing, dispatch_uid="referrals.gdpr_erase")
        member_signals.privacy_purposes.connect(gdpr.on_privacy_purposes, dispatch_uid="referrals.privacy")
